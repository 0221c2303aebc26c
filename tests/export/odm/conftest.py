"""Fixtures of the ODM tests: the documents of the simulated and the hand-built trial, each
written once per session, and a helper to query them."""

from __future__ import annotations

import io

import pytest
from lxml import etree

from hipectrial.data import TrialData
from hipectrial.export.odm import write_odm
from hipectrial.protocol import Protocol

from ..hand_built import hand_built_trial

ODM_NS = {"o": "http://www.cdisc.org/ns/odm/v1.3"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def odm_bytes(trial: TrialData, protocol: Protocol) -> bytes:
    out = io.BytesIO()
    write_odm(trial=trial, protocol=protocol, out=out)
    return out.getvalue()


def find(root: etree._Element, path: str) -> list[etree._Element]:
    """Elements at XPath ``path`` (prefix ``o:`` for the ODM namespace)."""
    result = root.xpath(path, namespaces=ODM_NS)
    assert isinstance(result, list)
    return [node for node in result if isinstance(node, etree._Element)]


def one(root: etree._Element, path: str) -> etree._Element:
    found = find(root, path)
    assert len(found) == 1, f"{path}: {len(found)} elements"
    return found[0]


def texts(holder: etree._Element) -> dict[str | None, str | None]:
    """The TranslatedTexts of a Description / Question / Decode / ErrorMessage by language."""
    return {t.get(XML_LANG): t.text for t in find(holder, "o:TranslatedText")}


@pytest.fixture(scope="session")
def simulated_odm(simulated_trial: TrialData, seed_protocol: Protocol) -> bytes:
    return odm_bytes(simulated_trial, seed_protocol)


@pytest.fixture(scope="session")
def simulated_root(simulated_odm: bytes) -> etree._Element:
    return etree.fromstring(simulated_odm)


@pytest.fixture(scope="session")
def hand_built() -> TrialData:
    return hand_built_trial()


@pytest.fixture(scope="session")
def hand_built_odm(hand_built: TrialData, timed_protocol: Protocol) -> bytes:
    return odm_bytes(hand_built, timed_protocol)


@pytest.fixture(scope="session")
def hand_built_root(hand_built_odm: bytes) -> etree._Element:
    return etree.fromstring(hand_built_odm)
