"""``hipectrial simulate``: writes a TrialData file that reads back; errors exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from hipectrial.data import TrialData

from .conftest import Invoke


def test_writes_trial_data_that_reads_back(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "trial.json"
    result = invoke("simulate", "--seed", "1", "--out", str(out), "--participants", "6")
    assert result.exit_code == 0, result.output
    trial = TrialData.from_json(out.read_text(encoding="utf-8"))
    assert sum(p.registered for p in trial.participants) == 6
    assert "Simulated trial: scenario default, seed 1" in result.stdout
    assert f"Written: {out}" in result.stdout
    assert "Part A, dose level 1:" in result.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["trial.json"]  # no temporary file left


def test_json_summary(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    result = invoke("simulate", "--scenario", "toxic", "--seed", "3", "--out", str(out),
                    "--participants", "4", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["scenario"] == "toxic"
    assert summary["seed"] == 3
    assert summary["registered"] == 4
    assert summary["file"] == str(out)
    trial = TrialData.from_json(out.read_text(encoding="utf-8"))
    assert summary["screened"] == len(trial.participants)


def test_same_seed_same_file(invoke: Invoke, tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for out in (a, b):
        assert invoke("simulate", "--seed", "9", "--out", str(out), "--participants", "3",
                      "--json").exit_code == 0
    assert a.read_bytes() == b.read_bytes()


def test_scenario_given_as_a_path(invoke: Invoke, tmp_path: Path) -> None:
    scenario = tmp_path / "mine.yaml"
    scenario.write_text('extends: default\nname: mine\ndlt_probability: {"1": 0.0, "2": 0.0, "3": 0.0}\n',
                        encoding="utf-8")
    result = invoke("simulate", "--scenario", str(scenario), "--seed", "1", "--out",
                    str(tmp_path / "t.json"), "--participants", "3", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scenario"] == "mine"


def test_unknown_scenario_exits_2_naming_the_shipped_ones(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("simulate", "--scenario", "optimistic", "--seed", "1", "--out",
                    str(tmp_path / "t.json"))
    assert result.exit_code == 2
    assert "no shipped scenario of that name; shipped: default, ineffective, toxic" in result.stderr
    assert not (tmp_path / "t.json").exists()


def test_bad_scenario_file_exits_2_with_the_location(invoke: Invoke, tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("extends: default\nher2_positive: 1.5\n", encoding="utf-8")
    result = invoke("simulate", "--scenario", str(scenario), "--seed", "1", "--out",
                    str(tmp_path / "t.json"))
    assert result.exit_code == 2
    assert f"{scenario}:2:16 her2_positive: Input should be less than or equal to 1" in result.stderr


def test_seed_that_is_not_an_integer_exits_2(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("simulate", "--seed", "one", "--out", str(tmp_path / "t.json"))
    assert result.exit_code == 2
    assert "Invalid value for '--seed'" in result.output


def test_negative_seed_exits_2(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("simulate", "--seed", "-4", "--out", str(tmp_path / "t.json"))
    assert result.exit_code == 2
    assert "seed must be a whole number >= 0; got -4" in result.stderr


def test_missing_output_folder_exits_2(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "nowhere" / "t.json"
    result = invoke("simulate", "--seed", "1", "--out", str(out), "--participants", "3")
    assert result.exit_code == 2
    assert "out must be a file in an existing folder" in result.stderr


def test_seed_and_out_are_required(invoke: Invoke) -> None:
    result = invoke("simulate")
    assert result.exit_code == 2
    assert "Missing option" in result.output


def test_shows_the_safety_look_that_closed_part_b(invoke: Invoke, tmp_path: Path) -> None:
    scenario = Path(__file__).parent.parent / "simulate" / "data" / "severe_toxicity.yaml"
    result = invoke("simulate", "--scenario", str(scenario), "--seed", "1", "--out",
                    str(tmp_path / "t.json"))
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())   # the console wraps long lines
    assert "Safety monitoring: " in text
    assert "severe toxicity among the first " in text
    assert "-> stop: Part B registration closed" in text
    summary = invoke("simulate", "--scenario", str(scenario), "--seed", "1", "--out",
                     str(tmp_path / "u.json"), "--json")
    assert json.loads(summary.stdout)["safety_monitoring"]["stopped"] is True
