"""The DSMB report shows the analysis' numbers, links them to their records, and writes HTML and PDF."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from analysis.builders import TrialBuilder, day
from hipectrial.analysis.trial_analysis import analyze_trial
from hipectrial.cli.main import app
from hipectrial.data import FormRecord, TrialData, Visit
from hipectrial.protocol import Protocol, load_protocol
from hipectrial.report.document import Report
from hipectrial.report.dsmb import dsmb_report, write_dsmb_report
from hipectrial.report.html import render_html

NOW = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def protocol() -> Protocol:
    return load_protocol()


@pytest.fixture(scope="module")
def trial() -> TrialData:
    t = TrialBuilder()
    t.participant(1).hipec().baseline_ct().ct(42, T1=30).ct(70, T1=28).surgery(110).alive(300)
    t.participant(2).hipec().baseline_ct().ct(42, T1=45).died(150)
    t.participant(3, part="part_a", dose_level="1").hipec().cycle(21).alive(60)
    return t.build()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, trial: TrialData, protocol: Protocol) -> tuple[str, str]:
    out = tmp_path_factory.mktemp("dsmb")
    html, pdf, _ = write_dsmb_report(trial=trial, protocol=protocol, out_dir=out, generated_at=NOW)
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    return html.read_text(encoding="utf-8"), text


def test_headline_r0_is_the_analysis_estimate_with_its_exact_interval(written: tuple[str, str]) -> None:
    html, pdf = written
    # R0 in SH01-001 of ITT SH01-001..003: 1/3. R: binom.test(1, 3)$conf.int -> 0.0084 0.9057
    assert "1/3 = 33.3 % (95 % CI 0.8–90.6)" in html
    assert "1/3 = 33.3 % (95 % CI 0.8–90.6)" in pdf


def test_headline_links_to_the_participants_behind_it(written: tuple[str, str]) -> None:
    html, _ = written
    assert 'href="#records-r0-resection-itt"' in html
    assert 'id="records-r0-resection-itt"' in html


def test_report_has_every_section_and_figure(written: tuple[str, str]) -> None:
    html, pdf = written
    for title in ("Summary", "Accrual and participant flow", "Baseline characteristics", "Treatment exposure",
                  "Safety", "Dose finding (Part A, BOIN)", "Efficacy",
                  "Protocol deviations and data completeness", "Participants behind each endpoint"):
        assert title in html
        assert title in pdf
    assert html.count("<svg") >= 4  # CONSORT, Kaplan-Meier PFS and OS, swimmer at least
    assert "Participant flow (CONSORT)" in html


def test_report_shows_the_numbers_analyze_json_prints(trial: TrialData, protocol: Protocol) -> None:
    analysis = analyze_trial(trial=trial, protocol=protocol)
    document = json.loads(json.dumps(analysis.to_document()))
    html = render_html(report=dsmb_report(trial=trial, protocol=protocol, analysis=analysis, generated_at=NOW))
    os_value = next(e for e in document["endpoints"] if e["endpoint_id"] == "os")["value"]
    assert f"{os_value['km']['events']}/{os_value['km']['n']}" in html
    for row in os_value["rows"]:
        assert row["reason"].replace("'", "&#x27;") in html
    parts = document["populations"]
    assert (len(parts["part_a"]), len(parts["part_b"])) == (1, 2)
    assert "Part A 1, Part B 2" in html


def test_cli_writes_both_files_and_says_where(tmp_path: Path, trial: TrialData) -> None:
    data = tmp_path / "trial.json"
    data.write_text(trial.to_json(), encoding="utf-8")
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["report", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file()
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF-")
    assert str((out / "report.html").resolve()) in result.output


def test_cli_names_a_missing_data_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", "--data", str(tmp_path / "nope.json"), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "data must be an existing TrialData JSON file" in result.output
    assert not (tmp_path / "report.html").exists()


def test_cli_rejects_a_malformed_cutoff(tmp_path: Path, trial: TrialData) -> None:
    data = tmp_path / "trial.json"
    data.write_text(trial.to_json(), encoding="utf-8")
    result = CliRunner().invoke(app, ["report", "--data", str(data), "--out", str(tmp_path / "r"),
                                      "--cutoff", "2026-13-01"])
    assert result.exit_code == 2
    assert "cutoff must be a date written YYYY-MM-DD" in result.output


def test_screening_failures_are_counted_by_criterion_with_its_text(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec()
    # Screen failure with ECOG 2 on the screening forms: recomputed, criterion I07 (ECOG 0-1) fails.
    t.participant(2, registered=None, off_study_reason="screen_failure")
    t.visits.append(Visit("SH01-002", "screening", actual_date=day(-15)))
    t.forms.append(FormRecord("SH01-002", "ecog_assessment", "screening", values={"ecog": "2"}))
    trial = t.build()
    analysis = analyze_trial(trial=trial, protocol=protocol)
    table = next(b for b in _blocks(dsmb_report(trial=trial, protocol=protocol, analysis=analysis,
                                                generated_at=NOW)) if getattr(b, "id", None) == "table-screening-failures")
    assert table.rows == (("I07: ECOG performance status 0 or 1", "inclusion", 1),)


def _blocks(report: Report) -> list[object]:
    return [b for s in report.sections for b in s.blocks]
