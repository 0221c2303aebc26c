"""``boin boundaries | next | select | simulate`` registered on a small Typer app.

Expected values: shared/reference/clinical.md section 8.3 (boundaries and decision counts);
decisions and selections worked by hand from those counts (see tests/design/test_boin.py).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from hipectrial.cli.design_boin import register
from hipectrial.cli.main import _Group
from hipectrial.errors import InputError


def app(group: type[typer.core.TyperGroup] | None = None) -> typer.Typer:
    root = typer.Typer(cls=group) if group is not None else typer.Typer()
    register(root)
    return root


def run(*args: str, group: type[typer.core.TyperGroup] | None = None) -> Result:
    return CliRunner().invoke(app(group), ["boin", *args], env={"COLUMNS": None})


def run_json(*args: str) -> Any:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_boundaries_json_matches_reference_table() -> None:
    doc = run_json("boundaries", "--target", "0.25", "--n-cohorts", "4")
    assert round(doc["lambda_e"], 3) == 0.197
    assert round(doc["lambda_d"], 3) == 0.298
    rows = [(r["n"], r["escalate_at_most"], r["de_escalate_at_least"], r["eliminate_at_least"])
            for r in doc["rows"]]
    assert rows == [(3, 0, 1, 3), (6, 1, 2, 4), (9, 1, 3, 5), (12, 2, 4, 6)]


def test_boundaries_text_shows_the_table() -> None:
    result = run("boundaries", "--target", "0.3", "--n-cohorts", "4")
    assert result.exit_code == 0
    assert "lambda_e = 0.2365" in result.stdout
    assert "Eliminate if DLTs >=" in result.stdout


def test_next_stays_with_one_of_three_at_level_two() -> None:
    doc = run_json("next", "--target", "0.3", "--doses-n", "3,3,0", "--doses-dlt", "0,1,0",
                   "--current", "2")
    assert doc["action"] == "stay"
    assert doc["next_dose_level"] == 2


def test_next_eliminates_and_de_escalates() -> None:
    doc = run_json("next", "--target", "0.3", "--doses-n", "3,3,0", "--doses-dlt", "0,3,0",
                   "--current", "2")
    assert doc["action"] == "de-escalate"
    assert doc["next_dose_level"] == 1
    assert doc["eliminated_dose_levels"] == [2, 3]


def test_next_stops_when_nine_at_dose_and_stay() -> None:
    doc = run_json("next", "--target", "0.3", "--doses-n", "3,9,0", "--doses-dlt", "0,3,0",
                   "--current", "2", "--stop-n-at-dose", "9")
    assert doc["action"] == "stop"
    assert doc["selected_dose_level"] == 2
    result = run("next", "--target", "0.3", "--doses-n", "3,9,0", "--doses-dlt", "0,3,0",
                 "--current", "2", "--stop-n-at-dose", "9")
    assert "Selected: dose level 2" in result.stdout


def test_select_text_and_json() -> None:
    doc = run_json("select", "--target", "0.3", "--doses-n", "6,6,6", "--doses-dlt", "2,1,4")
    assert doc["selected_dose_level"] == 2
    result = run("select", "--target", "0.3", "--doses-n", "3,0", "--doses-dlt", "3,0")
    assert "MTD: no dose" in result.stdout


def test_simulate_json_reports_estimates_with_standard_errors() -> None:
    doc = run_json("simulate", "--target", "0.3", "--truth", "0.05,0.1,0.2,0.3,0.45",
                   "--trials", "500", "--seed", "3")
    oc = doc["oc"]
    assert oc["n_trials"] == 500
    assert len(oc["pct_selected"]) == 5
    assert set(oc["pct_selected"][0]) == {"value", "se"}
    assert sum(e["value"] for e in oc["pct_selected"]) + oc["pct_no_dose"]["value"] == 100


def test_simulate_text() -> None:
    result = run("simulate", "--target", "0.3", "--truth", "0.1,0.3", "--trials", "200")
    assert result.exit_code == 0
    assert "% selected" in result.stdout
    assert "Mean sample size" in result.stdout


def test_bad_counts_name_the_option() -> None:
    result = run("next", "--target", "0.3", "--doses-n", "3,x", "--doses-dlt", "0,0",
                 "--current", "1")
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "doses-n"


def test_bad_target_exits_2_under_the_root_group() -> None:
    result = run("boundaries", "--target", "1.5", group=_Group)
    assert result.exit_code == 2
    assert "target must be a probability" in result.stderr


def test_truth_out_of_range_exits_2() -> None:
    result = run("simulate", "--target", "0.3", "--truth", "0.1,1.2", group=_Group)
    assert result.exit_code == 2
    assert "truth" in result.stderr


def test_several_scenarios_run_as_a_grid_with_their_own_seeds() -> None:
    # Two scenarios through the process-pool executor: one result each, in order; the same
    # root seed gives the same numbers; the scenario seeds differ from each other.
    args = ("simulate", "--target", "0.3", "--truth", "0.05,0.1,0.2,0.3;0.1,0.2,0.3,0.45",
            "--trials", "2000", "--seed", "7")
    first, again = run_json(*args), run_json(*args)
    assert first == again
    scenarios = first["scenarios"]
    assert [s["truth"] for s in scenarios] == [[0.05, 0.1, 0.2, 0.3], [0.1, 0.2, 0.3, 0.45]]
    assert scenarios[0]["seed"] != scenarios[1]["seed"]
    for s in scenarios:
        assert abs(sum(p["value"] for p in s["pct_selected"]) + s["pct_no_dose"]["value"] - 100) < 1e-6


# R output, github:cran/BOIN R/get.boundary.R, tags 2.7.2 and 2.6.9 (R 4.2.2):
#   get.boundary(target=0.4, ncohort=10, cohortsize=1, p.tox=0.6)$boundary_tab
#   "Deescalate if # of DLT >=" 2.7.2: 1 2 2 3 3 4 4 5 5 6;  2.6.9: 1 1 2 2 3 3 4 4 5 5
def test_boundaries_convention_default_is_r_2_7_2_and_paper_on_request() -> None:
    common = ("boundaries", "--target", "0.4", "--phi2", "0.6", "--cohort-size", "1",
              "--n-cohorts", "10")
    default = [r["de_escalate_at_least"] for r in run_json(*common)["rows"]]
    r272 = [r["de_escalate_at_least"] for r in run_json(*common, "--convention", "boin-2.7.2")["rows"]]
    paper = [r["de_escalate_at_least"] for r in run_json(*common, "--convention", "paper")["rows"]]
    assert default == r272 == [1, 2, 2, 3, 3, 4, 4, 5, 5, 6]
    assert paper == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_next_at_equality_stays_by_default_and_de_escalates_under_the_paper() -> None:
    # 3 DLTs of 6 at level 2 with lambda_d = 1/2 (target 0.4, phi2 0.6)
    common = ("next", "--target", "0.4", "--phi2", "0.6", "--doses-n", "3,6,0",
              "--doses-dlt", "0,3,0", "--current", "2")
    assert run_json(*common)["action"] == "stay"
    doc = run_json(*common, "--convention", "paper")
    assert (doc["action"], doc["next_dose_level"]) == ("de-escalate", 1)


def test_simulate_names_the_convention() -> None:
    result = run("simulate", "--target", "0.4", "--phi2", "0.6", "--truth", "0.1,0.5",
                 "--trials", "200", "--convention", "paper")
    assert result.exit_code == 0, result.output
    assert "boundaries paper" in result.stdout
    doc = run_json("simulate", "--target", "0.4", "--truth", "0.1,0.5", "--trials", "200")
    assert doc["design"]["convention"] == "boin-2.7.2"


def test_unknown_convention_exits_2() -> None:
    result = run("boundaries", "--target", "0.3", "--convention", "boin-2.6", group=_Group)
    assert result.exit_code == 2
    assert "convention" in result.output


@pytest.mark.timeout(180)
def test_a_grid_gives_the_same_numbers_on_every_executor() -> None:
    # The executor choice of `hipectrial oc`: one process, the local pool, a dask LocalCluster.
    args = ("simulate", "--target", "0.3", "--truth", "0.05,0.1,0.2;0.1,0.25,0.4;0.3,0.4,0.5",
            "--trials", "1000", "--seed", "4")
    here = run_json(*args, "--workers", "1")
    assert run_json(*args, "--workers", "2") == here
    pytest.importorskip("distributed", reason="dask.distributed is the optional extra '.[distributed]'")
    assert run_json(*args, "--executor", "dask", "--workers", "2") == here
