"""The DSMB report of a 1,000-participant simulated trial: it is written (HTML, PDF, every
listing as CSV), long listings are summarised in the report while their CSV files hold every
row, and a few totals recompute from the records. (How long it takes is measured in
benchmarks/, not here.)

One simulation (``participants=1000``, ~15-30 s) and one ``write_dsmb_report`` (~15-30 s) for
the module; the numbers are read back from what a reader gets: the HTML and the CSV files.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from hipectrial.protocol import load_protocol
from hipectrial.report.dsmb import write_dsmb_report
from hipectrial.simulate import load_scenario, simulate_trial

from .truth import NBSP, Records, count_of, index, related

# The report is generated two days after the data cut-off, at a time with seconds, so that the
# PDF's dates are seen to be this argument and not the clock or the cut-off.
AFTER_CUTOFF = dt.timedelta(days=2, hours=4, minutes=5, seconds=6)


class _Tables(HTMLParser):
    """The text of every ``<table id=…>``'s body cells, and the summary's metric tiles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.metrics: list[dict[str, str]] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._in_head = False
        self._metric_part: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("id"):
            self._table = a["id"]
            self.tables[self._table] = []
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._table and not self._in_head:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table and not self._in_head:
            self._cell = []
        elif tag == "div" and (a.get("class") or "") == "metric":
            self.metrics.append({})
        elif tag == "div" and (a.get("class") or "").startswith("metric-"):
            self._metric_part = (a.get("class") or "").removeprefix("metric-")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append("".join(self._cell).replace(NBSP, " ").strip())
            self._cell = None
        elif tag == "div":
            self._metric_part = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._metric_part and self.metrics:
            part = self.metrics[-1]
            part[self._metric_part] = part.get(self._metric_part, "") + data.replace(NBSP, " ")


@dataclass(frozen=True)
class Large:
    records: Records
    generated_at: dt.datetime
    out: Path
    html: str
    pdf: Path
    tables: dict[str, list[list[str]]]
    metrics: dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Large:
    protocol = load_protocol()
    trial = simulate_trial(protocol, load_scenario("default"), seed=1, participants=1000).trial
    out = tmp_path_factory.mktemp("dsmb-1000")
    generated_at = trial.generated_at + AFTER_CUTOFF
    html_path, pdf_path, _ = write_dsmb_report(trial=trial, protocol=protocol, out_dir=out, generated_at=generated_at)
    html = html_path.read_text(encoding="utf-8")
    parser = _Tables()
    parser.feed(html)
    return Large(index(trial), generated_at, out, html, pdf_path, parser.tables,
                 {m.get("label", ""): m for m in parser.metrics})


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_report_is_written_with_every_listing_it_links_to(large: Large) -> None:
    assert len(large.records.registered) == 1000
    links = set(re.findall(r'href="(listings/[^"]+\.csv)"', large.html))
    assert links, "long listings link to their CSV files"
    for link in links:
        assert (large.out / link).is_file(), link
    reader = PdfReader(large.pdf)
    assert len(reader.pages) > 10
    assert "SIMULATED DATA" in reader.pages[len(reader.pages) // 2].extract_text()


def test_pdf_metadata_dates_are_the_generation_time(large: Large) -> None:
    info = PdfReader(large.pdf).metadata
    assert info is not None
    assert info.creation_date == large.generated_at
    assert info.modification_date == large.generated_at


def test_the_death_listing_is_summarised_and_its_csv_holds_every_death(large: Large) -> None:
    dead = [q for q in large.records if q.death_date is not None]
    rows = csv_rows(large.out / "listings" / "deaths.csv")
    assert [r["Participant"] for r in rows] == [q.id for q in dead]
    assert [r["Date"] for r in rows] == [q.death_date.isoformat() for q in dead if q.death_date]
    assert f"Full listing: {len(dead):,} rows in" in large.html.replace(NBSP, " ")
    assert "listing-deaths" not in large.tables  # summarised: the rows are not in the report
    # The deaths table refers to the listing rather than naming hundreds of participants.
    total = next(r for r in large.tables["table-deaths"] if r[0] == "All deaths")
    registered = len(large.records.registered)
    assert total[1:] == [f"{len(dead)} of {registered} registered ({count_of(len(dead), registered).split('(')[1]}",
                         f"{len(dead)} participants: see the listing"]
    assert large.metrics["Deaths (all causes)"]["value"] == str(len(dead))


def test_the_severe_adverse_event_listing_csv_holds_every_event(large: Large) -> None:
    # Listed: each adverse event of grade >= 3, serious or dose-limiting, of the safety population.
    events = [(q.id, ae.term, ae.onset_date, ae.grade) for q in large.records.safety for ae in q.aes
              if ae.grade >= 3 or ae.serious or ae.dlt]
    rows = csv_rows(large.out / "listings" / "adverse-events.csv")
    assert sorted((r["Participant"], r["Term (CTCAE v5.0)"], r["Onset"], r["Grade"]) for r in rows) == sorted(
        (pid, term, onset.isoformat(), str(grade)) for pid, term, onset, grade in events)
    html = large.html.replace(NBSP, " ")
    grades = Counter(grade for *_, grade in events)
    assert (f"<p>{len(events)} events in {len({e[0] for e in events})} participants; by grade: "
            + ", ".join(f"grade {g}: {grades[g]}" for g in sorted(grades)) + ".</p>") in html
    assert f"Full listing: {len(events):,} rows in" in html


def test_headline_totals_recompute_from_the_records(large: Large) -> None:
    registered = large.records.registered
    screened = len(large.records.people)
    assert large.metrics["Registered"]["value"] == str(len(registered))
    part_a = sum(q.part == "part_a" for q in registered)
    assert large.metrics["Registered"]["detail"] == (
        f"Part A {part_a} · Part B {len(registered) - part_a} · screened {screened}")
    safety = large.records.safety
    grade3 = {q.id for q in safety for ae in q.aes if ae.grade >= 3}
    grade3_related = {q.id for q in safety for ae in q.aes if ae.grade >= 3 and related(ae)}
    rows = {r[0]: r for r in large.tables["table-ae-groups"]}
    events = sum(1 for q in safety for ae in q.aes if ae.grade >= 3)
    assert rows["Grade ≥ 3"][-1] == f"{count_of(len(grade3), len(safety))}; {events} events"
    assert large.metrics["Grade ≥ 3 treatment-related adverse event"]["value"] == count_of(
        len(grade3_related), len(safety))


def test_the_survival_table_has_no_repeated_rows(large: Large) -> None:
    rows = large.tables["table-survival"]
    assert [r[0] for r in rows] == ["Progression-free survival", "Overall survival"]
