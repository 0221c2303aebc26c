"""The DSMB report shows the analysis' numbers in the protocol's words, links them to their
records, writes HTML, PDF and the listings, says when the data are simulated, and refuses an
output folder it cannot write before any work. (Every number recomputed from the records:
test_dsmb_truth.py.)"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from analysis.builders import TrialBuilder, day
from hipectrial.analysis.trial_analysis import analyze_trial
from hipectrial.cli.main import app
from hipectrial.data import DataSource, FormRecord, Provenance, SourceKind, TrialData, Visit
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol, load_protocol
from hipectrial.report.document import Listing, Report, Table
from hipectrial.report.dsmb import dsmb_report, write_dsmb_report
from hipectrial.report.dsmb_summary import NOTICE_SIMULATED
from hipectrial.report.html import render_html

NOW = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)
NBSP = "\u00a0"


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


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages).replace(NBSP, " ")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, trial: TrialData, protocol: Protocol) -> tuple[str, str, Path]:
    out = tmp_path_factory.mktemp("dsmb")
    html, pdf, _ = write_dsmb_report(trial=trial, protocol=protocol, out_dir=out, generated_at=NOW)
    return html.read_text(encoding="utf-8").replace(NBSP, " "), _text(pdf), out


def test_headline_r0_is_the_analysis_estimate_with_its_exact_interval(written: tuple[str, str, Path]) -> None:
    html, pdf, _ = written
    # R0 in SH01-001 of ITT SH01-001..003: 1/3. R: binom.test(1, 3)$conf.int -> 0.0084 0.9057
    assert "1/3 = 33.3 %" in html
    assert "95 % CI 0.8–90.6" in html
    assert "1/3 = 33.3 % (95 % CI 0.8–90.6)" in pdf
    # The designed population: Part B ITT at level 2 (SH01-001, SH01-002): 1/2;
    # R: binom.test(1, 2)$conf.int -> 0.01257912 0.98742088
    assert "1/2 = 50.0 % (95 % CI 1.3–98.7)" in pdf


def test_headline_links_to_the_participants_behind_it(written: tuple[str, str, Path]) -> None:
    html, _, _ = written
    for target in ("records-r0-resection-itt", "records-r0-resection-part-b-itt-rp2d", "table-deaths"):
        assert f'href="#{target}"' in html
        assert f'id="{target}"' in html


def test_report_has_every_section_in_order(written: tuple[str, str, Path]) -> None:
    html, pdf, _ = written
    titles = ("Summary", "Accrual and participant flow", "Baseline characteristics", "Treatment exposure",
              "Safety", "Deaths", "Dose finding (Part A, BOIN)", "Efficacy",
              "Protocol deviations and data quality", "Participants behind each endpoint",
              "Adverse event listing", "Conduct listings", "Data-quality listing", "Courses and lesion changes")
    positions = [html.index(f"</span> {t}</h2>") for t in titles]
    assert positions == sorted(positions)
    for title in titles:
        assert title in pdf
    assert "Participant flow (CONSORT)" in html


def test_listings_are_written_beside_the_report(written: tuple[str, str, Path]) -> None:
    _, _, out = written
    csv = (out / "listings" / "records-r0-resection-itt.csv").read_text(encoding="utf-8")
    lines = csv.splitlines()
    assert lines[0] == "Participant,Counted,Why,Note"
    # RFC 4180: a field with a comma is quoted
    assert lines[1] == f'SH01-001,yes,"conversion surgery {day(110).isoformat()}: R0, CC-0, CY0",'


def test_report_shows_the_numbers_analyze_json_prints(trial: TrialData, protocol: Protocol) -> None:
    analysis = analyze_trial(trial=trial, protocol=protocol)
    document = json.loads(json.dumps(analysis.to_document()))
    html = render_html(report=dsmb_report(trial=trial, protocol=protocol, analysis=analysis,
                                          generated_at=NOW)).replace(NBSP, " ")
    os_value = next(e for e in document["endpoints"] if e["endpoint_id"] == "os")["value"]
    assert f"{os_value['km']['events']}/{os_value['km']['n']}" in html
    for row in os_value["rows"]:
        assert row["reason"].replace("'", "&#x27;") in html
    parts = document["populations"]
    assert (len(parts["part_a"]), len(parts["part_b"])) == (1, 2)
    assert "Part A 1 · Part B 2" in html


def test_simulated_data_say_so_on_every_page(tmp_path: Path, trial: TrialData, protocol: Protocol) -> None:
    simulated = dataclasses.replace(trial, source=DataSource(SourceKind.SIMULATION, "hipectrial simulate: seed 7"))
    _, pdf, _ = write_dsmb_report(trial=simulated, protocol=protocol, out_dir=tmp_path / "sim", generated_at=NOW)
    pages = [p.extract_text() for p in PdfReader(pdf).pages]
    assert all(NOTICE_SIMULATED in page for page in pages)
    assert "Data: hipectrial simulate: seed 7." in " ".join(pages).replace("\n", " ")


def test_data_from_the_edc_carry_no_notice(trial: TrialData, protocol: Protocol) -> None:
    from_edc = dataclasses.replace(trial, source=DataSource(SourceKind.EDC, "EDC snapshot"))
    report = dsmb_report(trial=from_edc, protocol=protocol, analysis=analyze_trial(trial=from_edc, protocol=protocol),
                         generated_at=NOW)
    assert report.data_notice is None
    assert NOTICE_SIMULATED not in render_html(report=report)


def test_cli_writes_report_pdf_and_listings_and_says_where(tmp_path: Path, trial: TrialData) -> None:
    data = tmp_path / "trial.json"
    data.write_text(trial.to_json(), encoding="utf-8")
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["report", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file()
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF-")
    assert (out / "listings" / "deaths.csv").is_file()
    assert str((out / "report.html").resolve()) in result.output
    assert str((out / "listings").resolve()) in result.output


def test_cli_names_a_missing_data_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", "--data", str(tmp_path / "nope.json"), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "data must be an existing TrialData JSON file" in result.output
    assert not (tmp_path / "report.html").exists()


def test_cli_refuses_an_out_that_is_a_file_before_reading_anything(tmp_path: Path) -> None:
    taken = tmp_path / "report"
    taken.write_text("not a folder", encoding="utf-8")
    # The data file does not even exist: the --out refusal comes first.
    result = CliRunner().invoke(app, ["report", "--data", str(tmp_path / "nope.json"), "--out", str(taken)])
    assert result.exit_code == 2
    assert "out must be" in result.output
    assert "nope.json" not in result.output
    assert taken.read_text(encoding="utf-8") == "not a folder"


def test_an_unwritable_out_is_refused_before_the_analysis(tmp_path: Path, trial: TrialData, protocol: Protocol,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    analysed: list[bool] = []
    monkeypatch.setattr("hipectrial.report.dsmb.analyze_trial", lambda **kw: analysed.append(True))
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(InputError) as caught:
        write_dsmb_report(trial=trial, protocol=protocol, out_dir=tmp_path / "r", generated_at=NOW)
    assert caught.value.field == "out"
    assert analysed == []


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
    table = _table(dsmb_report(trial=trial, protocol=protocol, analysis=analysis, generated_at=NOW),
                   "table-screening-failures")
    assert table.rows == (("I07: ECOG performance status 0 or 1", "inclusion", 1),)
    assert table.caption.startswith("Screening failures by eligibility criterion: 1 person not eligible")


def test_a_registered_participant_recomputed_ineligible_is_not_a_screen_failure(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec()
    # Registered and treated, but the screening forms say ECOG 2 (I07 fails): a protocol matter,
    # not a screen failure; the table's note counts them, the screening listing names them.
    t.visits.append(Visit("SH01-001", "screening", actual_date=day(-15)))
    t.forms.append(FormRecord("SH01-001", "ecog_assessment", "screening", values={"ecog": "2"}))
    trial = t.build()
    analysis = analyze_trial(trial=trial, protocol=protocol)
    report = dsmb_report(trial=trial, protocol=protocol, analysis=analysis, generated_at=NOW)
    table = _table(report, "table-screening-failures")
    assert table.rows == ()
    assert table.caption.startswith("Screening failures by eligibility criterion: 0 people not eligible")
    assert "Registered participants recomputed as not eligible from the screening forms: 1 (" in (table.note or "")
    listing = _table(report, "listing-screening")
    assert [row[:3] for row in listing.rows] == [("SH01-001", "yes", "ineligible")]


def _table(report: Report, table_id: str) -> Table:
    for section in (*report.sections, *report.appendix):
        for block in section.blocks:
            table = block.table if isinstance(block, Listing) else block
            if isinstance(table, Table) and table.id == table_id:
                return table
    raise KeyError(table_id)


def test_a_fourth_level_and_a_late_entry_reach_the_deviations_and_the_data_quality(protocol: Protocol) -> None:
    t = TrialBuilder()
    p = t.participant(1).hipec()
    # Oxaliplatin 220 -> 170 -> 130 (induction) -> 100 mg (continuation): three steps down (the
    # protocol allows two per agent).
    for phase, cycle, day_at, mg in (("induction", 1, 21, "220"), ("induction", 2, 42, "170"),
                                     ("induction", 3, 63, "130"), ("continuation", 1, 110, "100")):
        p.dose("oxaliplatin", day_at, phase=phase, cycle=cycle, given=mg, prescribed=mg,
               reason=None if mg == "220" else "reduced")
    trial = t.build()
    entered = dt.datetime.combine(day(40), dt.time(9), tzinfo=dt.UTC)   # the day-2 HIPEC visit, 38 days later
    visits = tuple(dataclasses.replace(v, provenance=Provenance("crc", entered, "1.0"))
                   if v.visit_id == "day0-laparoscopy-hipec" else v for v in trial.visits)
    trial = dataclasses.replace(trial, visits=visits)
    report = dsmb_report(trial=trial, protocol=protocol, analysis=analyze_trial(trial=trial, protocol=protocol),
                         generated_at=NOW)
    deviations = dict(_table(report, "table-deviations").rows)
    assert deviations["More dose reductions than the protocol allows (2 per agent)"] == 1
    listed = [r for r in _table(report, "listing-deviations").rows if r[1].startswith("More dose reductions")]
    assert [(r[0], r[2]) for r in listed] == [("SH01-001", "Oxaliplatin")]
    quality = [r for r in _table(report, "listing-data-quality").rows if r[0] == "record entered late"]
    # The protocol's entry_within_days is 14: 38 days is late.
    assert quality == [("record entered late", "SH01-001/day0-laparoscopy-hipec#1", "SH01",
                        "entered more than 14 days after what it records")]
