"""``hipectrial export odm`` writes one schema-checked ODM file into a new folder;
``hipectrial import odm`` reads it back, refusing a file that does not match and writing
nothing then."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from tests.export.odm.small import small_trial

from hipectrial.data import TrialData, validate
from hipectrial.data.findings import Severity
from hipectrial.export.odm import read_odm, validate_odm
from hipectrial.export.tables import canonical
from hipectrial.protocol import load_protocol

from .conftest import Invoke

NAME = "HIPEC-PD1-SOX.odm.xml"


def registered_trial() -> TrialData:
    """The small ODM test trial with its participant registered, so ``validate`` finds no error."""
    trial = small_trial()
    participant = dataclasses.replace(trial.participants[0], registration_date=dt.date(2025, 2, 20),
                                      cohort="HER2-negative", dose_level="2")
    return dataclasses.replace(trial, participants=(participant,))


@pytest.fixture
def data(tmp_path: Path) -> Path:
    trial = registered_trial()
    assert not [f for f in validate(trial, load_protocol()) if f.severity is Severity.ERROR]
    path = tmp_path / "trial.json"
    path.write_text(trial.to_json(), encoding="utf-8")
    return path


def test_export_writes_one_valid_file_named_after_the_study(invoke: Invoke, data: Path, tmp_path: Path) -> None:
    out = tmp_path / "odm"
    result = invoke("export", "odm", "--data", str(data), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == [NAME]
    validate_odm(out / NAME)
    assert read_odm(out / NAME, load_protocol()) == registered_trial()
    assert "valid against the ODM 1.3.2 schema" in result.stdout


def test_export_json_says_what_the_file_holds(invoke: Invoke, data: Path, tmp_path: Path) -> None:
    out = tmp_path / "odm"
    result = invoke("export", "odm", "--data", str(data), "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    text = (out / NAME).read_text(encoding="utf-8")
    assert document["file"] == str(out / NAME)
    assert document["bytes"] == (out / NAME).stat().st_size
    assert (document["participants"], document["sites"], document["users"]) == (1, 2, 2)
    assert document["items"] == text.count("<ItemData ")
    assert document["item_groups"] == text.count("<ItemGroupData ")


def test_export_refuses_data_that_contradict_the_protocol_and_writes_nothing(
        invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "trial.json"
    path.write_text(small_trial().to_json(), encoding="utf-8")  # doses of an unregistered participant
    out = tmp_path / "odm"
    result = invoke("export", "odm", "--data", str(path), "--out", str(out))
    assert result.exit_code == 2
    assert "not registered" in result.stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["trial.json"]  # no staged folder left behind


def test_export_refuses_a_folder_with_something_in_it(invoke: Invoke, data: Path, tmp_path: Path) -> None:
    out = tmp_path / "odm"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    result = invoke("export", "odm", "--data", str(data), "--out", str(out))
    assert result.exit_code == 2
    assert "new or empty folder" in result.stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def _exported(invoke: Invoke, data: Path, tmp_path: Path) -> Path:
    result = invoke("export", "odm", "--data", str(data), "--out", str(tmp_path / "odm"))
    assert result.exit_code == 0, result.output
    return tmp_path / "odm" / NAME


def test_import_writes_the_trial_back(invoke: Invoke, data: Path, tmp_path: Path) -> None:
    odm = _exported(invoke, data, tmp_path)
    back = tmp_path / "back.json"
    result = invoke("import", "odm", str(odm), "--out", str(back), "--json")
    assert result.exit_code == 0, result.output
    assert back.read_text(encoding="utf-8") == canonical(registered_trial()).to_json()
    assert json.loads(result.stdout)["participants"] == 1


def test_import_refuses_a_file_that_does_not_match_and_writes_nothing(
        invoke: Invoke, data: Path, tmp_path: Path) -> None:
    odm = _exported(invoke, data, tmp_path)
    text = odm.read_text(encoding="utf-8")
    odm.write_text(text.replace('<ItemData ItemOID="IT.LABS.ANC"', '<ItemData ItemOID="IT.LABS.NEUTRO"')
                   .replace('SEX" Value="female"', 'SEX" Value="woman"'), encoding="utf-8")
    back = tmp_path / "back.json"
    result = invoke("import", "odm", str(odm), "--out", str(back))
    assert result.exit_code == 2
    assert "2 problems" in result.stderr
    assert "ItemData IT.LABS.NEUTRO" in result.stderr
    assert "value 'woman' is not a code of sex" in result.stderr
    assert not back.exists()


def test_import_refuses_data_of_another_protocol(invoke: Invoke, data: Path, tmp_path: Path,
                                                 sox_mini: Path) -> None:
    odm = _exported(invoke, data, tmp_path)
    back = tmp_path / "back.json"
    result = invoke("import", "odm", str(odm), "--out", str(back), "--protocol", str(sox_mini))
    assert result.exit_code == 2
    assert "StudyOID 'HIPEC-PD1-SOX'" in result.stderr
    assert not back.exists()


def test_import_never_overwrites_a_file(invoke: Invoke, data: Path, tmp_path: Path) -> None:
    odm = _exported(invoke, data, tmp_path)
    result = invoke("import", "odm", str(odm), "--out", str(data))
    assert result.exit_code == 2
    assert "does not exist yet" in result.stderr
    assert data.read_text(encoding="utf-8") == registered_trial().to_json()
