"""``hipectrial export xlsx`` and ``export csv``: the files land in --out, or nothing does."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import openpyxl
import pytest

from hipectrial.data import TrialData
from hipectrial.protocol import load_protocol

from .conftest import Invoke


@pytest.fixture(scope="module")
def trial_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small simulated trial (seed 3, 12 participants) as a TrialData file."""
    from hipectrial.simulate.scenario.world import load_scenario
    from hipectrial.simulate.trial.run import simulate_trial

    trial = simulate_trial(load_protocol(), load_scenario("default"), 3, participants=12).trial
    path = tmp_path_factory.mktemp("data") / "trial.json"
    path.write_text(trial.to_json(), encoding="utf-8")
    return path


def test_export_xlsx_writes_the_workbook_into_out(invoke: Invoke, trial_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "sheets"
    result = invoke("export", "xlsx", "--data", str(trial_file), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["HIPEC-PD1-SOX.xlsx"]
    trial = TrialData.from_json(trial_file.read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(out / "HIPEC-PD1-SOX.xlsx", read_only=True)
    assert book["participants"].max_row - 4 == len(trial.participants)
    assert f"{len(trial.participants)} participants" in result.stdout


def test_export_csv_json_lists_files_and_rows(invoke: Invoke, trial_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    result = invoke("export", "csv", "--data", str(trial_file), "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    trial = TrialData.from_json(trial_file.read_text(encoding="utf-8"))
    assert report["rows"]["adverse_events"] == len(trial.adverse_events)
    assert str(out / "codebook.csv") in report["files"]
    with (out / "adverse_events.csv").open(encoding="utf-8", newline="") as stream:
        assert len(list(csv.reader(stream))) == len(trial.adverse_events) + 1


def test_refuses_an_out_folder_with_something_in_it(invoke: Invoke, trial_file: Path, tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    result = invoke("export", "csv", "--data", str(trial_file), "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "out must be a new or empty folder" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_refuses_data_that_contradict_the_protocol_and_writes_nothing(
        invoke: Invoke, trial_file: Path, tmp_path: Path) -> None:
    trial = TrialData.from_json(trial_file.read_text(encoding="utf-8"))
    first, *rest = trial.participants
    bad = dataclasses.replace(trial, participants=(dataclasses.replace(first, cohort="HER3"), *rest))
    data = tmp_path / "bad.json"
    data.write_text(bad.to_json(), encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("export", "xlsx", "--data", str(data), "--out", str(out))
    assert result.exit_code == 2
    assert "unknown cohort 'HER3'" in result.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


def test_a_record_the_tables_cannot_hold_leaves_nothing_behind(
        invoke: Invoke, trial_file: Path, tmp_path: Path) -> None:
    # validate() only warns about a text value of "" (an empty reason); the tables refuse it.
    trial = TrialData.from_json(trial_file.read_text(encoding="utf-8"))
    dose = dataclasses.replace(trial.doses[0], change_reason="")
    data = tmp_path / "empty.json"
    data.write_text(dataclasses.replace(trial, doses=(dose, *trial.doses[1:])).to_json(), encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("export", "csv", "--data", str(data), "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "doses row 1" in result.stderr
    assert "column change_reason" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.json"]
