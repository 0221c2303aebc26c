"""The writer's attribute escaping against lxml's (the slow, obviously correct reference)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from hipectrial.export.odm.xml import attribute

# Characters XML 1.0 can hold (§2.2): tab, line feed, carriage return and U+0020 upwards,
# without surrogates, U+FFFE and U+FFFF.
_XML_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff")
                    .filter(lambda c: c in "\t\n\r" or c >= " "))


def lxml_attribute(value: str) -> str:
    written = etree.tostring(etree.Element("x", v=value), encoding="unicode")
    return written[len('<x v="'):-len('"/>')]


@given(_XML_TEXT)
def test_escapes_as_lxml_does_and_parses_back(value: str) -> None:
    assert attribute(value) == lxml_attribute(value)
    assert etree.fromstring(f'<x v="{attribute(value)}"/>').get("v") == value


@pytest.mark.parametrize("value", ["bell\x07", "nul\x00", "esc\x1b[0m", "lone \ud800 surrogate", "\uffff"])
def test_refuses_what_xml_cannot_hold(value: str) -> None:
    with pytest.raises(ValueError, match=r"XML 1\.0"):
        attribute(value)
