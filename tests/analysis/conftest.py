"""Shared fixtures of the analysis tests: the seed protocol, loaded once."""

from __future__ import annotations

import pytest

from hipectrial.protocol import Protocol, load_protocol


@pytest.fixture(scope="session")
def protocol() -> Protocol:
    return load_protocol()
