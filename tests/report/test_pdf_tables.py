"""PDF tables and tiles never break a word, an id, a date or a number; wide tables go landscape.

Widths are worked by hand from DejaVu Sans' advance widths (its ``hmtx`` table, 2048 units
per em): every digit is 1303 units in the regular face (0.63623 em) and 1425 in the bold
(0.69580 em). Page frames: A4 portrait 595.28 pt wide less 2 x 20 mm (56.69 pt) margins =
481.89 pt; landscape 841.89 - 113.39 = 728.50 pt. A column needs its widest token plus
4 + 4 pt padding plus 0.5 pt slack.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from hipectrial.errors import InputError
from hipectrial.report.document import (
    Align,
    Column,
    Listing,
    Metric,
    MetricGrid,
    Paragraph,
    Report,
    Section,
    Table,
)
from hipectrial.report.pdf import render_pdf
from hipectrial.report.pdf_blocks import _ColumnNeeds, column_widths, fit_metric_grid, fit_table, tokens
from hipectrial.report.pdf_styles import ensure_fonts

NOTICE = "SIMULATED DATA — virtual participants, not patients"
PORTRAIT = 481.89
LANDSCAPE = 728.50
DIGIT = 1303 / 2048  # regular digit, em
BOLD_DIGIT = 1425 / 2048


def _report(*blocks: object, notice: str | None = NOTICE) -> Report:
    return Report(title="Layout", subtitle="", trial_id="T", protocol_version="1", data_cutoff=date(2025, 1, 1),
                  generated_at=datetime(2025, 1, 2, tzinfo=UTC), confidentiality="Closed",
                  sections=(Section(id="s", title="Tables", blocks=blocks),
                            Section(id="after", title="After", blocks=(Paragraph(text="Back to portrait."),))),
                  data_notice=notice)


def _pages(report: Report) -> list[tuple[str, bool]]:
    """(text, landscape) per page."""
    reader = PdfReader(io.BytesIO(render_pdf(report=report)))
    return [(page.extract_text(), float(page.mediabox.width) > float(page.mediabox.height))
            for page in reader.pages]


def _digits_table(columns: int, *, id: str = "tbl-wide") -> Table:
    """``columns`` columns headed c1, c2, …, each cell ten digits (no space to break at)."""
    return Table(id=id, caption="Wide table", columns=tuple(Column(name=f"c{i + 1}") for i in range(columns)),
                 rows=tuple(tuple(f"{row}{i:09d}"[-10:] for i in range(columns)) for row in range(3)))


def test_tokens_split_at_spaces_but_not_at_no_break_spaces() -> None:
    assert tokens("26/62 = 41.9\u00a0%") == ["26/62", "=", "41.9\u00a0%"]
    assert tokens("41.9\u202f%  SH01-001\t2028-04-06\n") == ["41.9\u00a0%", "SH01-001", "2028-04-06"]
    assert tokens("   ") == []


def test_column_widths_give_each_its_widest_token_then_share_the_rest() -> None:
    needs = [_ColumnNeeds(minimum=5, natural=10), _ColumnNeeds(minimum=5, natural=30)]
    # at 1 pt: minimum 5 + 8 + 0.5 = 13.5 each; natural 18.5 and 38.5 (sum 57)
    wide = column_widths(needs, size=1, width=100)
    assert wide == pytest.approx((18.5 * 100 / 57, 38.5 * 100 / 57))  # all fits: by natural width
    tight = column_widths(needs, size=1, width=40)
    # spare 40 - 27 = 13 shared by what each wants beyond its minimum: 5 and 25 of 30
    assert tight == pytest.approx((13.5 + 13 * 5 / 30, 13.5 + 13 * 25 / 30))
    assert column_widths(needs, size=1, width=27) == pytest.approx((13.5, 13.5))  # exactly the minimums
    assert column_widths(needs, size=1, width=26.9) is None


@pytest.mark.parametrize(("columns", "landscape", "size"), [
    (8, False, 8.0),   # 10 digits at 8 pt: 10 x 0.63623 x 8 = 50.90 + 8.5 = 59.40; x 8 = 475.2 <= 481.89
    (9, True, 8.0),    # x 9 = 534.6 > 481.89, landscape: <= 728.50
    (12, True, 8.0),   # x 12 = 712.8 <= 728.50
    (13, True, 7.0),   # x 13 = 772.2; at 7.5 pt (47.72 + 8.5) x 13 = 730.8 > 728.5; at 7 pt 689.5 fits
    (15, True, 6.0),   # at 6 pt (38.17 + 8.5) x 15 = 700.1; at 6.5 pt (41.35 + 8.5) x 15 = 747.8
])
def test_table_goes_landscape_then_smaller_only_when_its_tokens_need_it(
        columns: int, landscape: bool, size: float) -> None:
    fit = fit_table(_digits_table(columns), covered=ensure_fonts(), portrait_width=PORTRAIT,
                    landscape_width=LANDSCAPE)
    assert (fit.landscape, fit.font_size) == (landscape, size)
    assert sum(fit.widths) == pytest.approx(LANDSCAPE if landscape else PORTRAIT)
    assert min(fit.widths) >= 10 * DIGIT * size + 8.5 - 1e-9


def test_table_too_wide_even_at_the_floor_is_refused_naming_it() -> None:
    # 16 columns at 6 pt: 16 x 46.67 = 746.7 > 728.50
    with pytest.raises(InputError) as caught:
        fit_table(_digits_table(16, id="tbl-too-wide"), covered=ensure_fonts(), portrait_width=PORTRAIT,
                  landscape_width=LANDSCAPE)
    assert caught.value.field == "table"
    assert caught.value.value == "tbl-too-wide"
    assert "landscape A4 page at 6 pt" in str(caught.value)
    with pytest.raises(InputError, match="tbl-too-wide"):
        render_pdf(report=_report(_digits_table(16, id="tbl-too-wide")))


def test_exposure_table_keeps_every_word_id_date_and_number_whole() -> None:
    # the shape of the DSMB exposure table, whose "Treated" came out as "Treat / ed"
    table = Table(id="tbl-exposure", caption="Treatment exposure", columns=(
        Column(name="Agent"), Column(name="Treated", align=Align.RIGHT),
        Column(name="Cycles: median (range)", align=Align.RIGHT),
        Column(name="Participants with reduction (reductions)", align=Align.RIGHT),
        Column(name="Participants with delay (delays)", align=Align.RIGHT),
        Column(name="Relative dose intensity: median (range)", align=Align.RIGHT),
        Column(name="First participant"), Column(name="First dose"), Column(name="R0 %", align=Align.RIGHT)),
        rows=tuple((agent, 62, "6 (2–8), n = 62", "27 (86)", "24 (28)", "0.88 (0.67–1.00), n = 62",
                    "SH01-001", "2028-04-06", "41.9")
                   for agent in ("hipec-paclitaxel", "oxaliplatin", "s-1", "tislelizumab", "trastuzumab")))
    pages = _pages(_report(table))
    text = "\n".join(page for page, _ in pages)
    for token in ("Treated", "Participants", "(reductions)", "hipec-paclitaxel", "tislelizumab", "SH01-001",
                  "2028-04-06", "41.9", "0.88", "(0.67–1.00),", "intensity:"):
        assert re.search(rf"(?<!\S){re.escape(token)}(?!\S)", text), token
    assert not any(landscape for _, landscape in pages)  # its tokens fit a portrait page


def test_wide_table_is_set_on_landscape_pages_with_header_footer_and_notice() -> None:
    pages = _pages(_report(Paragraph(text="Before the wide table."), _digits_table(10)))
    wide = [index for index, (text, _) in enumerate(pages) if "Table 1. Wide table" in text]
    assert len(wide) == 1
    text, landscape = pages[wide[0]]
    assert landscape
    for row in range(3):  # every 10-digit token whole
        for i in range(10):
            assert f"{row}{i:09d}"[-10:] in text
    assert "Page" in text
    assert "Closed" in text
    assert NOTICE in text
    before = next(index for index, (text, _) in enumerate(pages) if "Before the wide table." in text)
    after = next(index for index, (text, _) in enumerate(pages) if "Back to portrait." in text)
    assert not pages[before][1]
    assert not pages[after][1]
    assert before < wide[0] < after


def test_heading_goes_landscape_with_a_wide_first_table() -> None:
    pages = _pages(_report(_digits_table(10)))
    heading = next(index for index, (text, _) in enumerate(pages) if "1  Tables" in text and index > 0)
    assert pages[heading][1]  # the heading sits on the landscape page above its table
    assert "Table 1. Wide table" in pages[heading][0]


def test_data_notice_is_on_every_page_including_title_and_landscape() -> None:
    long_table = Table(caption="Long", columns=(Column(name="Participant"),),
                       rows=tuple((f"SH01-{i:03d}",) for i in range(120)))
    pages = _pages(_report(long_table, _digits_table(10)))
    assert len(pages) >= 5  # title, 3 pages of the long table, the landscape table, the last section
    assert any(landscape for _, landscape in pages)
    for text, _ in pages:
        assert NOTICE in text


def test_no_data_notice_when_the_report_has_none() -> None:
    pages = _pages(_report(Paragraph(text="x"), notice=None))
    assert not any("SIMULATED" in text for text, _ in pages)


def _grid(*values: str, detail: str | None = None) -> MetricGrid:
    return MetricGrid(metrics=tuple(Metric(label=f"m{i}", value=v, detail=detail) for i, v in enumerate(values)))


def test_tile_value_shrinks_to_its_widest_token() -> None:
    covered = ensure_fonts()
    # three tiles: (481.89 - 2 x 8) / 3 = 155.30 wide, 155.30 - 14 - 0.5 = 140.80 for the text
    # 22 bold digits: 22 x 0.69580 = 15.31 pt per pt, so 140.80 / 15.31 = 9.19 pt (>= 9)
    fit = fit_metric_grid(_grid("1" * 22, "63", "1"), covered=covered, labels={}, width=PORTRAIT)
    assert fit.per_row == 3
    assert fit.value_sizes[0] == pytest.approx(140.797 / (22 * BOLD_DIGIT), abs=0.01)
    assert fit.value_sizes[1:] == (12.5, 12.5)
    # 24 digits would need 140.80 / 16.70 = 8.43 pt < 9: two tiles a row, 222.45 / 16.70 -> 12.5
    fit = fit_metric_grid(_grid("1" * 24, "63", "1"), covered=covered, labels={}, width=PORTRAIT)
    assert fit.per_row == 2
    assert fit.value_sizes == (12.5, 12.5, 12.5)


def test_tile_with_a_token_wider_than_the_page_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        fit_metric_grid(_grid("63", "9" * 80), covered=ensure_fonts(), labels={}, width=PORTRAIT)
    assert caught.value.field == "metrics[1]"


def test_tile_keeps_a_number_with_its_unit_and_a_long_detail_readable() -> None:
    value = "26/62\u00a0=\u00a041.9\u00a0%"
    detail = "95\u00a0% CI 29.5–55.2; exact Clopper-Pearson interval; 26 of 62 participants with an event"
    pages = _pages(_report(_grid(value, "63", "590 days (19.4\u00a0months)", detail=detail)))
    text = pages[1][0].replace("\u00a0", " ")
    assert "26/62 = 41.9 %" in text
    assert "19.4 months)" in text
    for token in ("Clopper-Pearson", "29.5–55.2;", "participants"):
        assert token in text


def test_a_thousand_row_table_and_long_listings_render_every_row_once() -> None:
    # the scale case of issue 10: a 1,000-row inline table beside listings that are summarised
    big = Table(id="tbl-big", caption="All visits", columns=(
        Column(name="Participant"), Column(name="Visit date"), Column(name="Value", align=Align.RIGHT)),
        rows=tuple((f"SH01-{i:04d}", f"2028-{1 + i % 12:02d}-{1 + i % 28:02d}", f"{i / 10:.1f}")
                   for i in range(1000)))
    listings = tuple(Listing(table=Table(id=f"tbl-l{k}", caption=f"Listing {k}", columns=(Column(name="Participant"),),
                                         rows=tuple((f"GZ{k:02d}-{i:04d}",) for i in range(600))),
                             name=f"listing-{k}", summary=Paragraph(text=f"600 events in listing {k}."))
                     for k in range(5))
    pages = _pages(_report(big, *listings))
    text = "\n".join(page for page, _ in pages)
    for i in range(1000):
        assert text.count(f"SH01-{i:04d}") == 1
    assert "GZ00-0000" not in text  # the 5 x 600 listing rows are only in the CSV files
    assert text.count("Full listing: 600 rows in listings/listing-") == 5
    table_pages = [page for page, _ in pages if "SH01-" in page]
    assert len(table_pages) >= 1000 // 50  # at most ~46 one-line rows fit an A4 portrait page
    assert all("Participant" in page and "Visit date" in page for page in table_pages)  # header repeated
