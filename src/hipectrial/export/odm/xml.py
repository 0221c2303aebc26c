"""Small helpers to build ODM elements with lxml: the namespace, TranslatedText pairs."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from hipectrial.export.odm.oids import LANG_EN, LANG_ZH

NS = "http://www.cdisc.org/ns/odm/v1.3"
NSMAP: Any = {None: NS}  # lxml's stubs type nsmap keys as str; the default namespace is None
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def q(tag: str) -> str:
    """The qualified name of an ODM element (``{ns}ItemData``)."""
    return f"{{{NS}}}{tag}"


def element(tag: str, attrib: dict[str, str] | None = None, *, root: bool = False) -> etree._Element:
    """A new ODM element; ``root`` declares the namespace on it (a chunk written alone)."""
    return etree.Element(q(tag), attrib or {}, nsmap=NSMAP if root else None)


def sub(parent: etree._Element, tag: str, attrib: dict[str, str] | None = None,
        text: str | None = None) -> etree._Element:
    """A child ODM element of ``parent`` with attributes and text."""
    child = etree.SubElement(parent, q(tag), attrib or {})
    if text is not None:
        child.text = text
    return child


def translated(parent: etree._Element, tag: str, en: str, zh: str | None = None) -> etree._Element:
    """``<tag><TranslatedText xml:lang="en">…</TranslatedText>[zh-Hans]</tag>`` under ``parent``
    (ODM 1.3.2 §3.1.2: Description, Question, Decode, ErrorMessage hold TranslatedTexts)."""
    holder = sub(parent, tag)
    sub(holder, "TranslatedText", {XML_LANG: LANG_EN}, en)
    if zh is not None:
        sub(holder, "TranslatedText", {XML_LANG: LANG_ZH}, zh)
    return holder


# Characters XML 1.0 (§2.2 Char) cannot hold, even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPECIAL = re.compile('[&<>"\n\r\t\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
# In an attribute value, line breaks and tabs are written as character references: a
# parser would otherwise normalise them to spaces (XML 1.0 §3.3.3).
_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                            "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def attribute(value: str) -> str:
    """``value`` escaped for a double-quoted attribute, as lxml escapes it.

    >>> attribute('1 < 2 & "x"\\ny')
    '1 &lt; 2 &amp; &quot;x&quot;&#10;y'

    Raises
    ------
    ValueError
        For a character XML 1.0 cannot hold (a control character, a lone surrogate).
    """
    if not _SPECIAL.search(value):  # the common case: one scan
        return value
    if _NOT_XML.search(value):
        raise ValueError("a character XML 1.0 cannot hold (a control character)")
    return value.translate(_ATTRIBUTE)
