"""Fixtures of the export tests: the seed protocol, the seed protocol with a date-time field,
and one simulated trial (seed 1, about 90 participants), each made once per session."""

from __future__ import annotations

import pytest

from hipectrial.data import TrialData
from hipectrial.protocol import Protocol, load_protocol

from .protocols import add_start_time, edited_protocol


@pytest.fixture(scope="session")
def seed_protocol() -> Protocol:
    return load_protocol()


@pytest.fixture(scope="session")
def timed_protocol() -> Protocol:
    """The seed protocol with a date-time field ``hipec_start_time`` on ``hipec_procedure``."""
    return edited_protocol(add_start_time)


@pytest.fixture(scope="session")
def simulated_trial(seed_protocol: Protocol) -> TrialData:
    from hipectrial.simulate.scenario.world import load_scenario
    from hipectrial.simulate.trial.run import simulate_trial

    return simulate_trial(seed_protocol, load_scenario("default"), 1).trial
