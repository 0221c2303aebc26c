"""``hipectrial export all``: every format from one reading, the same bytes as each format's
own command, in parallel processes or one after the other; whole or nothing."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from hipectrial.errors import InputError
from hipectrial.export import bundle

from .conftest import Invoke

FORMATS = ("xlsx", "sdtm", "redcap", "odm", "csv")


@pytest.fixture(scope="module")
def trial_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small simulated trial (seed 3, 12 registered participants) as a TrialData file."""
    from hipectrial.protocol import load_protocol
    from hipectrial.simulate.scenario.world import load_scenario
    from hipectrial.simulate.trial.run import simulate_trial

    trial = simulate_trial(load_protocol(), load_scenario("default"), 3, participants=12).trial
    path = tmp_path_factory.mktemp("data") / "trial.json"
    path.write_text(trial.to_json(), encoding="utf-8")
    return path


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def one_by_one(trial_file: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """What each format's own command writes (tested in its own test file)."""
    from typer.testing import CliRunner

    from hipectrial.cli.main import app

    root = tmp_path_factory.mktemp("single")
    written = {}
    for name in FORMATS:
        result = CliRunner().invoke(app, ["export", name, "--data", str(trial_file),
                                          "--out", str(root / name), "--json"])
        assert result.exit_code == 0, result.output
        written[name] = _digests(root / name)
    return written


@pytest.mark.parametrize("workers", ["2", "1"])
def test_every_format_equals_its_own_command_byte_for_byte(
        invoke: Invoke, trial_file: Path, tmp_path: Path, one_by_one: dict[str, dict[str, str]],
        workers: str) -> None:
    out = tmp_path / "all"
    result = invoke("export", "all", "--data", str(trial_file), "--out", str(out), "--workers", workers,
                    "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["processes"] == int(workers)
    assert sorted(p.name for p in out.iterdir()) == sorted(FORMATS)
    for name in FORMATS:
        assert _digests(out / name) == one_by_one[name], name
        assert sorted(report["formats"][name]["files"]) == sorted(
            str(Path(f).name) for f in one_by_one[name])


def test_formats_chooses_which_are_written(invoke: Invoke, trial_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "some"
    result = invoke("export", "all", "--data", str(trial_file), "--out", str(out), "--formats", "csv,odm")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["csv", "odm"]
    assert "  odm/  " in result.stdout
    assert "(1 file, " in result.stdout
    assert "csv/" in result.stdout


def test_an_unknown_format_is_refused_before_anything_is_read(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "none"
    result = invoke("export", "all", "--data", str(tmp_path / "missing.json"), "--out", str(out),
                    "--formats", "odm,sas")
    assert result.exit_code == 2
    assert "formats must be a comma-separated list of xlsx, sdtm, redcap, odm, csv; got 'odm,sas'" in result.output
    assert not out.exists()


def _refuse(*_: object) -> bundle.FormatWritten:
    raise InputError("csv", "x", "a format that can be written", "refused on purpose")


def _crash(*_: object) -> bundle.FormatWritten:
    os._exit(3)


@pytest.mark.parametrize(("writer", "message", "workers"), [
    (_refuse, "csv: csv must be a format that can be written; got 'x' (refused on purpose)", "2"),
    (_refuse, "csv: csv must be a format that can be written; got 'x' (refused on purpose)", "1"),
    # (a crash is tested in a child process only: in this one it would end the test run)
    (_crash, "the process writing csv ended without a result (exit code 3)", "2"),
])
def test_a_format_that_fails_leaves_nothing_behind(
        invoke: Invoke, trial_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        writer: object, message: str, workers: str) -> None:
    # The forked children inherit the patched table of writers.
    monkeypatch.setitem(bundle.WRITERS, "csv", writer)
    out = tmp_path / "failed"
    result = invoke("export", "all", "--data", str(trial_file), "--out", str(out),
                    "--formats", "odm,csv", "--workers", workers)
    assert result.exit_code != 0
    assert message in result.output
    assert list(tmp_path.iterdir()) == []
