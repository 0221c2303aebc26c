"""``hipectrial validate`` lists what contradicts the protocol; ``analyze`` and ``report`` refuse
data with an error and carry the warnings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from analysis.builders import TrialBuilder, day
from hipectrial.analysis.data_check import DataInvalidError
from hipectrial.analysis.trial_analysis import analyze_trial
from hipectrial.data import TrialData
from hipectrial.errors import InputError
from hipectrial.protocol import load_protocol

from .conftest import Invoke


def _trial() -> TrialData:
    t = TrialBuilder()
    t.participant(1).hipec().alive(60)
    t.participant(2).hipec().died(40)
    return t.build()


def _with_unknown_cohort(trial: TrialData) -> TrialData:
    first, *rest = trial.participants
    return dataclasses.replace(trial, participants=(dataclasses.replace(first, cohort="HER3"), *rest))


def _write(tmp_path: Path, trial: TrialData) -> Path:
    path = tmp_path / "trial.json"
    path.write_text(trial.to_json(), encoding="utf-8")
    return path


def test_valid_data_exit_0_and_warnings_are_listed(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("validate", "--data", str(_write(tmp_path, _trial())))
    assert result.exit_code == 0, result.output
    # The builder's follow-up form at a visit without a Visit record: a warning, not an error.
    assert "warning form_records[1].visit_id (SH01-001/follow-up-3-monthly#1/follow_up)" in result.stdout
    assert "2 participants; 0 errors, 3 warnings: the data can be analysed" in result.stdout


def test_an_error_exits_1_and_names_the_record(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("validate", "--data", str(_write(tmp_path, _with_unknown_cohort(_trial()))), "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert (document["ok"], document["errors"]) == (False, 1)
    (error,) = [f for f in document["findings"] if f["severity"] == "error"]
    assert (error["location"], error["key"]) == ("participants[0].cohort", "SH01-001")
    assert "unknown cohort 'HER3'" in error["message"]


def test_analyze_refuses_data_with_an_error_exit_2(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("analyze", "--data", str(_write(tmp_path, _with_unknown_cohort(_trial()))))
    assert result.exit_code == 2
    assert "the trial data contradict the protocol (1 error); nothing was analysed" in result.stderr
    assert "error participants[0].cohort (SH01-001): unknown cohort 'HER3'" in result.stderr
    assert "Traceback" not in result.output


def test_report_refuses_data_with_an_error_and_writes_nothing(invoke: Invoke, tmp_path: Path) -> None:
    data = _write(tmp_path, _with_unknown_cohort(_trial()))
    out = tmp_path / "report"
    result = invoke("report", "--data", str(data), "--out", str(out))
    assert result.exit_code == 2
    assert "unknown cohort 'HER3'" in result.stderr
    assert not out.exists()


def test_analyze_trial_raises_with_every_error_and_keeps_warnings() -> None:
    protocol = load_protocol()
    with pytest.raises(DataInvalidError) as caught:
        analyze_trial(trial=_with_unknown_cohort(_trial()), protocol=protocol)
    assert [f.location for f in caught.value.findings] == ["participants[0].cohort"]
    analysis = analyze_trial(trial=_trial(), protocol=protocol)
    assert [(w.finding.location, w.participant_id, w.site_id) for w in analysis.data_warnings] == [
        ("form_records[1].visit_id", "SH01-001", "SH01"), ("form_records[1].values.fu_contact", "SH01-001", "SH01"),
        ("form_records[1].values.last_known_alive_date", "SH01-001", "SH01")]


def test_warnings_follow_the_cut_off_and_their_site(tmp_path: Path) -> None:
    # Seed-1-like trial with a dose changed without a reason (a warning) on day 21, analysed at
    # cut-offs before and after it: the warning belongs to the report only once its record is
    # known, and is counted against the record's own site (no position in another list).
    t = TrialBuilder()
    t.participant(1).hipec().dose("oxaliplatin", 21, given="150", prescribed="200").alive(60)
    t.participant(2).hipec().alive(60)
    trial = t.build()
    protocol = load_protocol()
    early = analyze_trial(trial=trial, protocol=protocol, cutoff=day(10))
    late = analyze_trial(trial=trial, protocol=protocol, cutoff=day(30))
    about_dose = [w for w in late.data_warnings if w.finding.location.startswith("doses[")]
    assert [(w.finding.field, w.participant_id, w.date) for w in about_dose] == [("change_reason", "SH01-001", day(21))]
    assert not [w for w in early.data_warnings if w.finding.location.startswith("doses[")]
    (site,) = late.data_currency.sites
    assert site.open_warnings == sum(1 for w in late.data_warnings if w.site_id == "SH01")


def test_a_cut_off_after_the_data_is_refused() -> None:
    trial = _trial()
    later = trial.generated_at.date() + dt.timedelta(days=1)
    with pytest.raises(InputError) as caught:
        analyze_trial(trial=trial, protocol=load_protocol(), cutoff=later)
    assert caught.value.field == "cutoff"
    assert "on or before the data's own date" in str(caught.value)
