"""The demo's virtual trial is open to a registration on the day it is built (so a new
user can screen and register), and the same day always gives the same trial."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.mark.parametrize("today", [dt.date(2026, 12, 6), dt.date(2027, 3, 1)])
def test_demo_trial_is_cut_off_today_and_open_to_registration(today) -> None:
    from hipectrial.analysis.assignment import next_assignment
    from hipectrial.data import validate
    from hipectrial.edc.demo import demo_trial
    from hipectrial.protocol import load_protocol

    protocol = load_protocol()
    trial = demo_trial(today)
    assert trial.generated_at.date() == today
    assignment = next_assignment(protocol=protocol, trial=trial, as_of=today)
    assert assignment.open, assignment.reason
    assert [f for f in validate(trial, protocol) if f.severity.value == "error"] == []
    assert demo_trial(today).to_json() == trial.to_json()
