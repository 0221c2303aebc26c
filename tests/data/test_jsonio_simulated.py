"""A simulated trial (every record kind, as the simulator fills them) survives the round trip
unchanged, reads quickly, and says where it came from."""

from __future__ import annotations

import json

import pytest

from hipectrial.data import DataSource, SourceKind, TrialData
from hipectrial.data.jsonio import dump_trial, load_trial_carefully, load_trial_quickly, write_carefully
from hipectrial.protocol import load_protocol
from hipectrial.simulate import load_scenario, simulate_trial


@pytest.fixture(scope="module")
def simulated() -> TrialData:
    return simulate_trial(load_protocol(), load_scenario("default"), seed=1, participants=12).trial


@pytest.fixture(scope="module")
def text(simulated: TrialData) -> str:
    return simulated.to_json()


def test_holds_every_record_kind(simulated: TrialData) -> None:
    # so that the round trip below covers each record codec with simulated values
    empty = [kind for kind in ("sites", "participants", "visits", "form_records", "doses", "adverse_events",
                               "lab_results", "tumour_assessments", "surgeries", "follow_ups")
             if not getattr(simulated, kind)]
    assert empty == []


def test_round_trip_gives_the_same_trial(simulated: TrialData, text: str) -> None:
    assert TrialData.from_json(text) == simulated


def test_written_again_gives_the_same_bytes(simulated: TrialData, text: str) -> None:
    again = TrialData.from_json(text).to_json()
    assert again.encode("utf-8") == text.encode("utf-8")


def test_quick_and_careful_readings_and_writings_agree(simulated: TrialData, text: str) -> None:
    assert load_trial_quickly(text) == load_trial_carefully(text) == simulated
    assert dump_trial(simulated) == write_carefully(simulated) == text


def test_says_it_was_simulated_naming_scenario_seed_and_target(simulated: TrialData, text: str) -> None:
    assert simulated.source == DataSource(
        kind=SourceKind.SIMULATION,
        description="hipectrial simulate: scenario default, seed 1, target 12 participants")
    assert simulated.simulated
    document = json.loads(text)
    assert document["schema_version"] == 3
    assert document["source"] == {"kind": "simulation",
                                  "description": "hipectrial simulate: scenario default, seed 1, "
                                                 "target 12 participants"}
