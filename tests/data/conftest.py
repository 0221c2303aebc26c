"""Fixtures of the data tests: the mini protocol (parsed once) and a clean trial."""

from __future__ import annotations

import pytest

from hipectrial.data import TrialData
from hipectrial.protocol import Protocol, parse_protocol

from .sample import MINI_PROTOCOL_YAML, clean_trial


@pytest.fixture(scope="session")
def mini_protocol() -> Protocol:
    return parse_protocol(MINI_PROTOCOL_YAML, "mini-protocol.yaml")


@pytest.fixture
def trial() -> TrialData:
    return clean_trial()
