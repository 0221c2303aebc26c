"""Fixtures of the SDTM tests: the seed protocol, the hand-built trial and one simulated trial
of 200 participants (made once per session: simulating takes seconds)."""

from __future__ import annotations

import pytest
from tests.export.sdtm.handbuilt import hand_built_trial

from hipectrial.export.sdtm import study_context
from hipectrial.export.sdtm.domains import build_sdtm
from hipectrial.protocol import load_protocol


@pytest.fixture(scope="session")
def protocol():
    return load_protocol()


@pytest.fixture(scope="session")
def hand_trial():
    return hand_built_trial()


@pytest.fixture(scope="session")
def hand_datasets(hand_trial, protocol):
    return {d.domain: d for d in build_sdtm(hand_trial, protocol)}


@pytest.fixture(scope="session")
def simulated_trial(protocol):
    from hipectrial.simulate import load_scenario, simulate

    return simulate(protocol, load_scenario("default"), seed=1, participants=200)


@pytest.fixture(scope="session")
def simulated_datasets(simulated_trial, protocol):
    return build_sdtm(simulated_trial, protocol)


@pytest.fixture(scope="session")
def simulated_study(simulated_trial, protocol):
    return study_context(simulated_trial, protocol)
