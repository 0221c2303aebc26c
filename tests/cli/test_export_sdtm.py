"""``hipectrial export sdtm`` writes a checked folder or nothing; ``export check`` exits 0 on a
clean folder and 1 with its findings."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from pyreadstat import read_xport

from hipectrial.protocol import load_protocol

from .conftest import Invoke

FILES = ["ae.xpt", "define.xml", "dm.xpt", "ds.xpt", "ec.xpt", "ex.xpt", "lb.xpt", "pr.xpt", "relrec.xpt", "rs.xpt",
         "suppae.xpt", "suppdm.xpt", "supppr.xpt", "sv.xpt", "ta.xpt", "te.xpt", "ti.xpt", "tr.xpt", "ts.xpt",
         "tu.xpt", "tv.xpt", "vs.xpt"]


@pytest.fixture(scope="module")
def trial():
    from hipectrial.simulate import load_scenario, simulate

    return simulate(load_protocol(), load_scenario("default"), seed=3, participants=12)


@pytest.fixture
def data(trial, tmp_path) -> Path:
    path = tmp_path / "trial.json"
    path.write_text(trial.to_json(), encoding="utf-8")
    return path


def test_export_writes_one_xpt_per_dataset_and_define(invoke: Invoke, data: Path, tmp_path: Path, trial):
    out = tmp_path / "sdtm"
    result = invoke("export", "sdtm", "--data", str(data), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == FILES
    frame, meta = read_xport(str(out / "dm.xpt"))
    assert meta.table_name == "DM"
    assert len(frame) == len(trial.participants)
    assert "conformance check clean" in result.stdout


def test_export_json_lists_files_and_record_counts(invoke: Invoke, data: Path, tmp_path: Path, trial):
    result = invoke("export", "sdtm", "--data", str(data), "--out", str(tmp_path / "o"), "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert sorted(document["files"]) == FILES
    assert document["datasets"]["DM"] == len(trial.participants)
    assert document["findings"] == 0


def test_the_same_data_give_the_same_bytes(invoke: Invoke, data: Path, tmp_path: Path):
    for name in ("a", "b"):
        assert invoke("export", "sdtm", "--data", str(data), "--out", str(tmp_path / name)).exit_code == 0
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_a_chinese_value_refuses_the_export_and_writes_nothing(invoke: Invoke, trial, tmp_path: Path):
    index = next(i for i, d in enumerate(trial.doses) if d.given > 0 and d.change_reason is None
                 and d.prescribed is not None and d.prescribed > 1)
    doses = list(trial.doses)
    doses[index] = replace(doses[index], given=doses[index].prescribed - 1, change_reason="减量")
    path = tmp_path / "trial.json"
    path.write_text(replace(trial, doses=tuple(doses)).to_json(), encoding="utf-8")
    out = tmp_path / "sdtm"
    result = invoke("export", "sdtm", "--data", str(path), "--out", str(out))
    assert result.exit_code == 2
    assert "EX.EXADJ" in result.output
    assert "ASCII" in result.output
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["trial.json"]  # no staged folder left


def test_a_conformance_finding_refuses_the_export_with_its_findings(invoke: Invoke, trial, tmp_path: Path):
    # the same dose recorded twice: the data validate, but EX would hold the same key twice
    path = tmp_path / "trial.json"
    path.write_text(replace(trial, doses=(*trial.doses, trial.doses[1])).to_json(), encoding="utf-8")
    out = tmp_path / "sdtm"
    result = invoke("export", "sdtm", "--data", str(path), "--out", str(out))
    assert result.exit_code == 2
    assert "[duplicate-key]" in result.output
    assert not out.exists()


def test_check_a_clean_folder_exits_0(invoke: Invoke, data: Path, tmp_path: Path):
    out = tmp_path / "sdtm"
    invoke("export", "sdtm", "--data", str(data), "--out", str(out))
    result = invoke("export", "check", str(out))
    assert result.exit_code == 0, result.output
    assert "finds nothing" in result.stdout


def test_check_lists_the_findings_of_a_damaged_folder_and_exits_1(invoke: Invoke, data: Path, tmp_path: Path):
    out = tmp_path / "sdtm"
    invoke("export", "sdtm", "--data", str(data), "--out", str(out))
    (out / "sv.xpt").unlink()
    result = invoke("export", "check", str(out), "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["findings"][0]["check"] == "define-mismatch"
    assert document["findings"][0]["dataset"] == "SV"


def test_check_of_a_folder_without_define_is_an_error(invoke: Invoke, tmp_path: Path):
    result = invoke("export", "check", str(tmp_path))
    assert result.exit_code == 2
    assert "define.xml" in result.output
