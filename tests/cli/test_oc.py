"""``hipectrial oc``: the table, JSON and files; every figure recomputed from trials.csv
(each trial's own row) by this test's own arithmetic; bad options exit 2."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path

import pytest
from pypdf import PdfReader

from .conftest import Invoke

TRIALS = 4


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object], str]:
    from typer.testing import CliRunner

    from hipectrial.cli.main import app

    out = tmp_path_factory.mktemp("oc") / "run"
    result = CliRunner().invoke(app, ["oc", "--scenario", "toxic", "--scenario", "ineffective", "--trials",
                                      str(TRIALS), "--seed", "11", "--workers", "1", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout), result.stdout


def _rows(out: Path, scenario: str) -> list[dict[str, str]]:
    with (out / "trials.csv").open(encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f) if r["scenario"] == scenario]


def _mean_se(values: list[float]) -> tuple[float, float]:
    k = len(values)
    mean = sum(values) / k
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (k - 1))
    return mean, sd / math.sqrt(k)


def test_writes_the_files_and_says_where(written) -> None:
    out, document, _ = written
    assert sorted(p.name for p in out.iterdir()) == ["oc.json", "report.html", "report.pdf", "trials.csv"]
    assert document["files"] == [str(out / n) for n in ("oc.json", "trials.csv", "report.html", "report.pdf")]
    on_disk = json.loads((out / "oc.json").read_text(encoding="utf-8"))
    assert on_disk["scenarios"] == document["scenarios"]
    assert [s["scenario"] for s in document["scenarios"]] == ["toxic", "ineffective"]
    assert document["executor"] == "this process"


@pytest.mark.parametrize("index", [0, 1])
def test_every_summary_figure_follows_from_the_trials_rows(written, index) -> None:
    out, document, _ = written
    summary = document["scenarios"][index]
    rows = _rows(out, summary["scenario"])
    assert len(rows) == summary["trials"] == TRIALS
    for level in ("1", "2", "3"):
        mean, se = _mean_se([100.0 * (r["selected_level"] == level) for r in rows])
        assert summary["pct_selected"][level]["value"] == pytest.approx(mean)
        assert summary["pct_selected"][level]["se"] == pytest.approx(se)
    no_dose, _ = _mean_se([100.0 * (r["selected_level"] == "") for r in rows])
    assert summary["pct_no_dose"]["value"] == pytest.approx(no_dose)
    safety, _ = _mean_se([100.0 * (r["safety_stop_date"] != "") for r in rows])
    assert summary["pct_safety_stop"]["value"] == pytest.approx(safety)
    for end, value in summary["part_b_ends"].items():
        assert value["value"] == pytest.approx(sum(100.0 * (r["part_b_end"] == end) for r in rows) / TRIALS)
    assert sum(v["value"] for v in summary["part_b_ends"].values()) == pytest.approx(100.0)
    dlts = sum(int(r[f"part_a_level_{lv}_dlts"]) for r in rows for lv in ("1", "2", "3"))
    evaluable = sum(int(r[f"part_a_level_{lv}_evaluable"]) for r in rows for lv in ("1", "2", "3"))
    assert summary["dlt_rate"]["value"] == pytest.approx(dlts / evaluable)
    reject, _ = _mean_se([100.0 * (r["reject_h0"] == "True") for r in rows])
    assert summary["pct_reject_h0"]["value"] == pytest.approx(reject)
    stop, _ = _mean_se([100.0 * (r["stage1_decision"] == "stop for futility") for r in rows])
    assert summary["pct_stage1_stop"]["value"] == pytest.approx(stop)
    registered, se = _mean_se([float(r["registered"]) for r in rows])
    assert summary["registered"]["value"] == pytest.approx(registered)
    assert summary["registered"]["se"] == pytest.approx(se)
    assert summary["screened"]["value"] == pytest.approx(sum(float(r["screened"]) for r in rows) / TRIALS)
    days = [(dt.date.fromisoformat(r["cutoff"]) - dt.date.fromisoformat(r["first_consent"])).days for r in rows]
    assert summary["duration_months"]["value"] == pytest.approx(sum(days) / TRIALS / (365.25 / 12))
    r0 = sum(int(r["r0"]) for r in rows)
    n = sum(int(r["r0_n"]) for r in rows)
    if n:
        assert summary["r0"]["true_rate_pooled"]["value"] == pytest.approx(r0 / n)
    g3 = sum(int(r["grade3_participants"]) for r in rows) / sum(int(r["safety_n"]) for r in rows)
    assert summary["grade3_rate"]["value"] == pytest.approx(g3)


def test_the_page_shows_the_table_the_screen_shows(written, invoke: Invoke, tmp_path: Path) -> None:
    out, document, _ = written
    html = (out / "report.html").read_text(encoding="utf-8")
    pdf = "\n".join(page.extract_text() for page in PdfReader(out / "report.pdf").pages)
    toxic = document["scenarios"][0]
    registered = f"{toxic['registered']['value']:.1f} ({toxic['registered']['se']:.1f})"
    for text in ("Operating characteristics of the protocol", "H0 rejected (Simon final analysis), %",
                 "Registered, mean", registered, "Dose selected as RP2D", "Simulated trials",
                 "none (simulated trials, each with its own)", "How Part B ended"):
        assert text in html
    for text in ("H0 rejected", "Registered, mean", registered):
        assert text in pdf
    # the screen prints the same rows
    result = invoke("oc", "--scenario", "toxic", "--scenario", "ineffective", "--trials", str(TRIALS),
                    "--seed", "11", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "Registered, mean" in result.stdout
    assert registered in result.stdout
    assert "4 of 4" in result.stdout


@pytest.mark.parametrize(("args", "field"), [
    (["--trials", "0"], "trials"),
    (["--seed", "-2"], "seed"),
    (["--executor", "ray"], "executor"),
    (["--workers", "0"], "workers"),
    (["--scenario", "default", "--scenario", "default"], "scenario"),
    (["--scenario", "no-such-scenario"], "scenario"),
    (["--out", "/proc/no-such-folder"], "out"),
])
def test_bad_options_exit_2_naming_the_option(invoke: Invoke, args: list[str], field: str) -> None:
    result = invoke("oc", "--trials", "1", *args) if "--trials" not in args else invoke("oc", *args)
    assert result.exit_code == 2, result.output
    assert field in result.output
