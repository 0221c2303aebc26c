"""The PDF report: pages, text, outline, links, running header and footer, determinism."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from hashlib import sha256
from pathlib import Path

from pypdf import PdfReader

from hipectrial.report.document import Column, Listing, Paragraph, Report, Section, Table
from hipectrial.report.pdf import render_pdf

from .example import CHINESE_LABEL, CONFIDENTIALITY, DATA_NOTICE, LAST_ROW_ID, example_report

TESTS = Path(__file__).resolve().parents[1]


def _flatten(outline: Sequence[object]) -> list[str]:
    titles: list[str] = []
    for item in outline:
        if isinstance(item, list):
            titles.extend(_flatten(item))
        else:
            titles.append(str(item["/Title"]))  # type: ignore[index]
    return titles


def _page_of(reader: PdfReader, texts: list[str], needle: str, *, after_contents: bool = False) -> int:
    """The first page (0-based) whose text holds ``needle``; ``after_contents`` skips the title page."""
    start = 1 if after_contents else 0
    return next(index for index, text in enumerate(texts) if index >= start and needle in text)


def test_is_a_pdf_of_several_a4_pages(pdf: bytes, reader: PdfReader) -> None:
    assert pdf.startswith(b"%PDF-")
    assert len(reader.pages) > 3  # the 200-row listing alone needs several pages
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)


def test_every_page_has_header_and_page_n_of_m(page_texts: list[str]) -> None:
    total = len(page_texts)
    for number, text in enumerate(page_texts, start=1):
        assert f"Page {number} of {total}" in text
        assert CONFIDENTIALITY in text
        assert "HIPEC-GC-01 · Protocol 2.1" in text
        assert "Data cut-off 2025-06-30" in text


def test_title_page_and_contents(page_texts: list[str]) -> None:
    first = page_texts[0]
    for fact in ("DSMB report", "Interim analysis 1", "CLOSED REPORT — FOR THE DSMB ONLY", "Contents",
                 "1  Summary", "2.1  Laboratory", "A  Listings", "2025-07-01 09:30 UTC+08:00"):
        assert fact in first


def test_text_holds_sections_blocks_and_unicode(page_texts: list[str]) -> None:
    text = "\n".join(page_texts)
    for needle in ("1  Summary", "2  Safety", "2.1  Laboratory", "A  Listings", "Table 2.",
                   "Figure 1. DLTs by dose level", "9/31 = 29.0 %", "95 % CI 14.2–48.0", "Records: Table 2",
                   "INFO: Data current", "OK: Simon stage 1", "WARNING: Site 3", "STOP: BOIN",
                   "Ages ≥ 18 y, mean ± SD", "CEA (µg/L)", "<script>alert('x')</script> & <b>not bold</b>",
                   CHINESE_LABEL, "Empty CEA: not measured."):
        assert needle in text, needle


def test_long_table_splits_and_repeats_its_header(reader: PdfReader, page_texts: list[str]) -> None:
    first = _page_of(reader, page_texts, "P-001")
    last = _page_of(reader, page_texts, LAST_ROW_ID)
    assert last > first
    for page in range(first + 1, last + 1):
        assert "Participant" in page_texts[page]
        assert "CEA (µg/L)" in page_texts[page]
    assert re.search(r"P-200\s+Site 1\s+0\s+100\.0", page_texts[last])


def test_outline_has_an_entry_per_section(reader: PdfReader) -> None:
    assert _flatten(reader.outline) == ["1 Summary", "2 Safety", "2.1 Laboratory", "Appendix", "A Listings"]


def test_outline_entries_point_at_their_pages(reader: PdfReader, page_texts: list[str]) -> None:
    pages = {str(item["/Title"]): reader.get_destination_page_number(item)
             for item in reader.outline if not isinstance(item, list)}
    assert pages["1 Summary"] == _page_of(reader, page_texts, "1  Summary", after_contents=True)
    assert pages["Appendix"] == _page_of(reader, page_texts, f"A  Listings\n{DATA_NOTICE}\nListings follow.")


def _link_targets(reader: PdfReader, page: int) -> list[int]:
    numbers = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages) if p.indirect_reference}
    targets = []
    for annotation in reader.pages[page].get("/Annots") or []:
        annotation = annotation.get_object()
        if annotation["/Subtype"] == "/Link" and "/Dest" in annotation:
            targets.append(numbers[annotation["/Dest"][0].idnum])
    return targets


def test_metrics_and_cells_link_into_the_appendix(reader: PdfReader, page_texts: list[str]) -> None:
    listing = _page_of(reader, page_texts, "Table 2. Participants behind the R0 rate")
    summary = _page_of(reader, page_texts, "9/31 = 29.0 %")
    safety = _page_of(reader, page_texts, "Table 1. DLTs by dose level")
    assert listing in _link_targets(reader, summary)  # metric value and "Records: Table 2"
    assert listing in _link_targets(reader, safety)  # the linked cell of Table 1


def test_contents_entries_are_links(reader: PdfReader, page_texts: list[str]) -> None:
    assert _page_of(reader, page_texts, "2  Safety", after_contents=True) in _link_targets(reader, 0)


def test_figure_is_embedded_as_an_image(reader: PdfReader, page_texts: list[str]) -> None:
    page = reader.pages[_page_of(reader, page_texts, "Figure 1.")]
    images = list(page.images)
    assert len(images) == 1
    assert images[0].image is not None
    assert images[0].image.size == (240, 150)


def test_chinese_is_set_in_the_cid_font(pdf: bytes) -> None:
    assert b"/STSong-Light" in pdf
    assert b"/DejaVuSans" in pdf or b"DejaVuSans" in pdf


def test_characters_no_font_has_are_replaced_not_fatal() -> None:
    report = Report(title="Smile 🙂 please", subtitle="", trial_id="T", protocol_version="1",
                    data_cutoff=date(2025, 1, 1), generated_at=datetime(2025, 1, 2, tzinfo=UTC),
                    confidentiality="Closed", sections=(Section(id="s", title="S", blocks=(
                        Paragraph(text="Emoji 🙂, Korean 한국어, Greek αβγ"),)),))
    reader = PdfReader(io.BytesIO(render_pdf(report=report)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Smile ? please" in text
    assert "Greek αβγ" in text


def test_same_report_gives_same_bytes(pdf: bytes) -> None:
    assert render_pdf(report=example_report()) == pdf


def test_same_report_gives_same_bytes_in_a_fresh_process(pdf: bytes) -> None:
    code = ("import hashlib, sys; from report.example import example_report; "
            "from hipectrial.report.pdf import render_pdf; "
            "sys.stdout.write(hashlib.sha256(render_pdf(report=example_report())).hexdigest())")
    result = subprocess.run([sys.executable, "-c", code], cwd=TESTS, capture_output=True, text=True,
                            check=True, timeout=120)
    assert result.stdout == sha256(pdf).hexdigest()


def test_minimal_report_without_appendix_and_with_an_empty_table() -> None:
    empty = Table(caption="Serious adverse events", columns=(Column(name="Term"), Column(name="Participants")),
                  rows=(), note="Coded with MedDRA.")
    report = Report(title="Minimal", subtitle="", trial_id="T", protocol_version="1", data_cutoff=date(2025, 1, 1),
                    generated_at=datetime(2025, 1, 2, tzinfo=UTC), confidentiality="Closed",
                    sections=(Section(id="s", title="Only section", blocks=(empty,)),))
    reader = PdfReader(io.BytesIO(render_pdf(report=report)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # "None." in place of the rows, under the caption and above the note; no header row for nothing
    assert "Table 1. Serious adverse events\nNone.\nCoded with MedDRA." in text
    assert "Participants" not in text
    assert f"Page 1 of {len(reader.pages)}" in text
    assert _flatten(reader.outline) == ["1 Only section"]


def test_empty_listing_and_empty_summary_say_none_as_an_empty_table_does() -> None:
    rows = tuple((f"P-{i}",) for i in range(3))
    blocks = (
        Listing(table=Table(caption="Deaths", columns=(Column(name="Participant"),), rows=()), name="deaths"),
        Listing(table=Table(caption="Other", columns=(Column(name="Participant"),), rows=rows), name="other",
                inline_limit=2, summary=Table(caption="by cause", columns=(Column(name="Cause"),), rows=())))
    report = Report(title="Minimal", subtitle="", trial_id="T", protocol_version="1", data_cutoff=date(2025, 1, 1),
                    generated_at=datetime(2025, 1, 2, tzinfo=UTC), confidentiality="Closed",
                    sections=(Section(id="s", title="Only section", blocks=blocks),))
    reader = PdfReader(io.BytesIO(render_pdf(report=report)))
    last = reader.pages[-1]
    text = last.extract_text()
    assert ("Table 1. Deaths\nNone. listings/deaths.csv holds the column names only.\n"
            "Table 2. Other\nSummary: by cause\nNone.\nFull listing: 3 rows in listings/other.csv") in text
    assert "Participant" not in text
    assert "Cause" not in text
    uris = [a.get_object()["/A"]["/URI"] for a in last["/Annots"] if "/A" in a.get_object()]
    assert uris == ["listings/deaths.csv", "listings/other.csv"]


def test_metadata_dates_are_generated_at_in_its_own_offset(reader: PdfReader) -> None:
    # example: generated 2025-07-01 09:30 at UTC+08:00
    assert reader.metadata is not None
    assert reader.metadata["/CreationDate"] == "D:20250701093000+08'00'"
    assert reader.metadata["/ModDate"] == "D:20250701093000+08'00'"
    assert reader.metadata.creation_date == datetime(2025, 7, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def test_metadata_date_with_a_negative_offset_and_seconds() -> None:
    moment = datetime(2029, 10, 3, 23, 59, 58, tzinfo=timezone(-timedelta(hours=3, minutes=30)))
    report = Report(title="T", subtitle="", trial_id="T", protocol_version="1", data_cutoff=date(2029, 10, 3),
                    generated_at=moment, confidentiality="Closed",
                    sections=(Section(id="s", title="S", blocks=(Paragraph(text="x"),)),))
    metadata = PdfReader(io.BytesIO(render_pdf(report=report))).metadata
    assert metadata is not None
    assert metadata["/CreationDate"] == "D:20291003235958-03'30'"


def test_every_page_carries_the_data_notice(page_texts: list[str]) -> None:
    assert len(page_texts) == 8
    for text in page_texts:
        assert DATA_NOTICE in text


def test_inline_listing_shows_its_rows_and_names_its_csv(page_texts: list[str]) -> None:
    text = "\n".join(page_texts)
    assert "P-001" in text
    assert "P-200" in text
    assert "The same 200 rows as CSV: listings/participants.csv" in text


def test_long_listing_shows_its_summary_and_links_its_csv(reader: PdfReader, page_texts: list[str]) -> None:
    page = _page_of(reader, page_texts, "Table 3. Adverse events of grade ≥ 3")
    text = page_texts[page]
    assert "Summary: events by term and grade" in text
    assert re.search(r"Neutrophil count decreased\s+75\s+75", text)
    assert "Full listing: 450 rows in listings/ae-severe.csv" in text
    assert "Grades by CTCAE v5.0." in text
    assert not any("2028-" in t for t in page_texts)  # no row of the 450 is printed
    uris = [annotation.get_object()["/A"]["/URI"] for annotation in reader.pages[page]["/Annots"]
            if "/A" in annotation.get_object()]
    # the inline listing ends on the same page: its CSV line is a link too
    assert uris == ["listings/participants.csv", "listings/ae-severe.csv"]


def test_link_to_a_summarised_listing_lands_on_its_summary(reader: PdfReader, page_texts: list[str]) -> None:
    summary = _page_of(reader, page_texts, "Records: Table 3")
    listing = _page_of(reader, page_texts, "Table 3. Adverse events of grade ≥ 3")
    assert listing in _link_targets(reader, summary)
