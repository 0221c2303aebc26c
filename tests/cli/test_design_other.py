"""``threeplusthree simulate`` and ``monitor`` registered on a small Typer app.

Expected numbers are worked by hand (see tests/design/test_threeplusthree.py and
test_monitor.py): one dose at p = 0.3 is selected with probability 0.343 + 0.441 * 0.343 =
0.494263; the Part B rule (0.30, 0.90, Beta(1, 1), every 5) stops at 3 of 5 and 5 of 10.
"""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner, Result

from hipectrial.cli.design_other import register
from hipectrial.cli.main import _Group


def run(*args: str) -> Result:
    app = typer.Typer(cls=_Group)
    register(app)
    return CliRunner().invoke(app, list(args), env={"COLUMNS": None})


def test_exact_three_plus_three_as_json() -> None:
    result = run("threeplusthree", "simulate", "--truth", "0.3", "--exact", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["simulation"] is None
    assert document["exact"]["prob_select"][0] == pytest.approx(0.494263, abs=1e-12)


def test_simulated_three_plus_three_has_standard_errors() -> None:
    result = run("threeplusthree", "simulate", "--truth", "0.05,0.1,0.2,0.3", "--trials", "2000",
                 "--seed", "5", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["exact"] is None
    simulation = document["simulation"]
    assert (simulation["n_trials"], simulation["seed"]) == (2000, 5)
    assert len(simulation["standard_errors"]["prob_select"]) == 4


def test_exact_and_simulated_tables() -> None:
    result = run("threeplusthree", "simulate", "--truth", "0.05,0.1,0.2,0.3", "--trials", "1000",
                 "--exact", "--no-deescalation")
    assert result.exit_code == 0, result.output
    assert "3+3 without de-escalation: exact" in result.stdout
    assert "1000 simulated trials, seed 1" in result.stdout
    assert "no MTD" in result.stdout
    assert "±" in result.stdout


def test_rejects_a_truth_that_is_not_a_list_of_numbers() -> None:
    result = run("threeplusthree", "simulate", "--truth", "0.1,high")
    assert result.exit_code == 2
    assert "truth must be comma-separated probabilities" in result.output


def test_rejects_a_truth_outside_zero_one() -> None:
    result = run("threeplusthree", "simulate", "--truth", "0.1,1.5", "--exact")
    assert result.exit_code == 2
    assert "truth must be" in result.output


def test_monitor_table() -> None:
    result = run("monitor", "--p-tox", "0.1,0.2,0.3,0.4", "--threshold", "0.30", "--cutoff", "0.90",
                 "--max-n", "48")
    assert result.exit_code == 0, result.output
    assert "Stop if P(rate > 0.3 | data) > 0.9, prior Beta(1, 1)" in result.stdout
    assert "0.9295" in result.stdout  # P(Binomial(6, 0.3) <= 3) at the n = 5 boundary


def test_monitor_json() -> None:
    result = run("monitor", "--p-tox", "0.3", "--threshold", "0.30", "--cutoff", "0.90", "--max-n", "10",
                 "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [(look["n"], look["stop_at"]) for look in document["looks"]] == [(5, 3), (10, 5)]
    assert len(document["operating_characteristics"]) == 1


@pytest.mark.parametrize(("option", "value", "field"), [
    ("--threshold", "1.3", "threshold"), ("--cutoff", "0", "cutoff"), ("--max-n", "3", "max_n")])
def test_monitor_rejects_bad_parameters(option: str, value: str, field: str) -> None:
    args = {"--p-tox": "0.2", "--threshold": "0.3", "--cutoff": "0.9", "--max-n": "48"}
    args[option] = value
    result = run("monitor", *[part for pair in args.items() for part in pair])
    assert result.exit_code == 2
    assert f"{field} must be" in result.output
