"""``design simon`` and ``design simon-decide`` through a Typer app of their own."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner, Result

from hipectrial.cli import design_simon
from hipectrial.errors import InputError


def run(*args: str) -> Result:
    app = typer.Typer()
    design_simon.register(app)
    return CliRunner().invoke(app, list(args), env={"COLUMNS": None})


PART_B = ["--r1", "3", "--n1", "13", "--r", "12", "--n", "43"]


def test_simon_prints_minimax_admissible_and_optimal_rows() -> None:
    result = run("simon", "--p0", "0.2", "--p1", "0.4", "--alpha", "0.05", "--power", "0.8")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    optimal = next(line for line in lines if line.strip().startswith("optimal"))
    minimax = next(line for line in lines if line.strip().startswith("minimax"))
    # Simon (1989) Table 1: optimal 3/13, 12/43 (EN0 20.6, PET0 0.75); minimax 4/18, 10/33 (22.3, 0.72)
    assert optimal.split()[1:3] == ["3/13", "12/43"]
    assert optimal.split()[5:7] == ["20.6", "0.75"]
    assert minimax.split()[1:3] == ["4/18", "10/33"]
    assert minimax.split()[5:7] == ["22.3", "0.72"]
    assert "n <= 100" in result.output


def test_simon_json_lists_designs_from_minimax_to_optimal() -> None:
    result = run("simon", "--p0", "0.1", "--p1", "0.3", "--alpha", "0.05", "--power", "0.8", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    designs = document["designs"]
    assert designs[0]["kind"] == "minimax"
    assert (designs[0]["r1"], designs[0]["n1"], designs[0]["r"], designs[0]["n"]) == (1, 15, 5, 25)
    assert designs[-1]["kind"] == "optimal"
    assert (designs[-1]["r1"], designs[-1]["n1"], designs[-1]["r"], designs[-1]["n"]) == (1, 10, 5, 29)
    assert all(d["alpha"] <= 0.05 and d["power"] >= 0.8 for d in designs)
    assert document["nmax"] == 100


def test_simon_decide_completed_trial_shows_estimate_and_interval() -> None:
    result = run("simon-decide", *PART_B, "--responses", "14", "--enrolled", "43", "--p0", "0.2")
    assert result.exit_code == 0, result.output
    assert "Decision: reject H0" in result.output
    assert "UMVUE 0.3822" in result.output  # R: see tests/design/test_simon_inference.py
    assert "95% CI 0.1982 to 0.5433" in result.output
    assert "0.02679" in result.output


def test_simon_decide_mid_stage_one_says_continue_with_reason() -> None:
    result = run("simon-decide", *PART_B, "--responses", "1", "--enrolled", "9")
    assert result.exit_code == 0, result.output
    assert "Decision: continue stage 1" in result.output
    assert "Estimate" not in result.output


def test_simon_decide_json_for_stage_one_stop() -> None:
    result = run("simon-decide", *PART_B, "--responses", "2", "--enrolled", "13", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["action"] == "stop for futility"
    assert document["reject_h0"] is False
    # binom.test(2, 13)$conf.int -> 0.01920667198 0.45447105568 (stage-1 stop: Clopper-Pearson)
    assert document["estimate"]["ci_low"] == pytest.approx(0.0192066719825, abs=1e-7)
    assert document["estimate"]["ci_high"] == pytest.approx(0.4544710556766, abs=1e-7)


def test_bad_parameters_raise_input_error_naming_the_field() -> None:
    result = run("simon", "--p0", "0.2", "--p1", "0.15", "--alpha", "0.05", "--power", "0.8")
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "p1"
    result = run("simon-decide", *PART_B, "--responses", "5", "--enrolled", "4")
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "responses"


def test_nmax_too_small_says_so() -> None:
    result = run("simon", "--p0", "0.2", "--p1", "0.4", "--alpha", "0.05", "--power", "0.8", "--nmax", "30")
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "nmax"
    assert "increase nmax" in str(result.exception)


def test_nmax_300_finds_the_clinfun_design_with_n_above_100() -> None:
    # clinfun 1.1.5, R: ph2simon(0.05, 0.10, 0.05, 0.2, 300) -> optimal 4/71, 15/211; minimax 5/105, 13/169
    result = run("simon", "--p0", "0.05", "--p1", "0.10", "--alpha", "0.05", "--power", "0.8",
                 "--nmax", "300", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["kind"]: (row["r1"], row["n1"], row["r"], row["n"]) for row in json.loads(result.output)["designs"]}
    assert rows["optimal"] == (4, 71, 15, 211)
    assert rows["minimax"] == (5, 105, 13, 169)


def test_nmax_above_the_limit_is_refused_and_help_states_the_limit() -> None:
    from hipectrial.design.simon import NMAX_LIMIT

    result = run("simon", "--p0", "0.2", "--p1", "0.4", "--alpha", "0.05", "--power", "0.8",
                 "--nmax", str(NMAX_LIMIT + 1))
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "nmax"
    assert f"between 2 and {NMAX_LIMIT}" in str(result.exception)
    assert f"2 to {NMAX_LIMIT}" in run("simon", "--help").output
