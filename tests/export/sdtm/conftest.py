"""Fixtures of the SDTM tests: the seed protocol, and one simulated trial of 200 participants
(about 10 s) built once per test session, with its study context."""

from __future__ import annotations

import pytest

from hipectrial.data import TrialData
from hipectrial.export.sdtm import StudyContext, study_context
from hipectrial.protocol import Protocol, load_protocol


@pytest.fixture(scope="session")
def seed_protocol() -> Protocol:
    return load_protocol()


@pytest.fixture(scope="session")
def simulated(seed_protocol: Protocol) -> TrialData:
    from hipectrial.simulate.scenario.world import load_scenario
    from hipectrial.simulate.trial.run import simulate_trial

    return simulate_trial(seed_protocol, load_scenario("default"), 7, participants=200).trial


@pytest.fixture(scope="session")
def simulated_study(simulated: TrialData, seed_protocol: Protocol) -> StudyContext:
    return study_context(simulated, seed_protocol)
