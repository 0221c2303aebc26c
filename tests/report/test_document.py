"""The document model refuses what cannot be rendered, naming the field and the problem."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from hipectrial.errors import InputError
from hipectrial.report.document import (
    DEFAULT_INLINE_LIMIT,
    Align,
    BulletList,
    Callout,
    CalloutKind,
    Cell,
    Column,
    Figure,
    Listing,
    Metric,
    MetricGrid,
    Paragraph,
    Report,
    Section,
    Table,
    listings,
)
from hipectrial.report.outline import outline

from .example import example_report, tiny_plot

PNG, SVG = tiny_plot(svg=True)


def make_report(sections: list[Section], appendix: list[Section] | None = None, **overrides: object) -> Report:
    values: dict[str, object] = {
        "title": "DSMB report", "subtitle": "", "trial_id": "T-1", "protocol_version": "1.0",
        "data_cutoff": date(2025, 6, 30), "generated_at": datetime(2025, 7, 1, tzinfo=UTC),
        "confidentiality": "Closed", "sections": sections, "appendix": appendix or []}
    values.update(overrides)
    return Report(**values)  # type: ignore[arg-type]


def section(id: str, *blocks: object, subsections: tuple[Section, ...] = ()) -> Section:
    return Section(id=id, title=id.title(), blocks=blocks, subsections=subsections)  # type: ignore[arg-type]


def table(*rows: tuple[object, ...], id: str | None = None) -> Table:
    return Table(id=id, caption="Adverse events by grade",
                 columns=(Column(name="Term"), Column(name="n", align="right")), rows=rows)  # type: ignore[arg-type]


def test_example_report_is_valid_and_lists_become_tuples() -> None:
    report = example_report()
    assert isinstance(report.sections, tuple)
    grid = MetricGrid(metrics=[Metric(label="n", value="3")])  # type: ignore[arg-type]
    assert grid.metrics == (Metric(label="n", value="3"),)


def test_values_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Paragraph(text="x").text = "y"  # type: ignore[misc]


def test_rejects_duplicate_section_id_and_names_both_places() -> None:
    with pytest.raises(InputError) as caught:
        make_report([section("summary"), section("safety", subsections=(section("summary"),))])
    assert caught.value.field == "sections[1].subsections[0].id"
    assert "duplicate id 'summary', first used at sections[0].id" in str(caught.value)


def test_rejects_table_id_that_repeats_an_appendix_section_id() -> None:
    with pytest.raises(InputError) as caught:
        make_report([section("summary", table(("x", 1), id="listing"))], [section("listing")])
    assert caught.value.field == "appendix[0].id"
    assert "duplicate id 'listing'" in str(caught.value)


def test_rejects_dangling_links_and_lists_each() -> None:
    grid = MetricGrid(metrics=(Metric(label="R0", value="9/31", link="tbl-r0"),))
    linked = table(("Neutropenia", Cell(text="2", link="ae-listing")))
    with pytest.raises(InputError) as caught:
        make_report([section("summary", grid, linked)])
    assert caught.value.field == "sections[0].blocks[0].metrics[0].link"
    assert caught.value.value == "tbl-r0"
    message = str(caught.value)
    assert "dangling link(s)" in message
    assert "'tbl-r0' at sections[0].blocks[0].metrics[0].link" in message
    assert "'ae-listing' at sections[0].blocks[1].rows[0][1].link" in message


def test_links_may_name_sections_tables_and_figures() -> None:
    figure = Figure(id="fig-1", caption="Plot", png=PNG)
    grid = MetricGrid(metrics=(Metric(label="a", value="1", link="fig-1"),
                               Metric(label="b", value="2", link="tbl-1"),
                               Metric(label="c", value="3", link="listing")))
    report = make_report([section("summary", grid, figure)], [section("listing", table(id="tbl-1"))])
    assert outline(report).labels == {"summary": "Section 1", "fig-1": "Figure 1", "listing": "Appendix A",
                                      "tbl-1": "Table 1"}


def test_rejects_row_of_wrong_length_naming_table_and_row() -> None:
    with pytest.raises(InputError) as caught:
        table(("Nausea", 3), ("Vomiting",), id="tbl-ae")
    assert caught.value.field == "rows[1]"
    assert "2 cells, one per column of table 'tbl-ae'" in str(caught.value)
    assert "row 1 of table 'tbl-ae' has 1 cell" in str(caught.value)


def test_row_error_names_table_by_caption_when_it_has_no_id() -> None:
    with pytest.raises(InputError, match="table 'Adverse events by grade'"):
        table(("Nausea", 3, 4))


@pytest.mark.parametrize("value", [True, float("nan"), float("inf"), object(), b"3"])
def test_rejects_cells_that_are_not_text_or_finite_numbers(value: object) -> None:
    with pytest.raises(InputError) as caught:
        table(("Nausea", value))
    assert caught.value.field == "rows[0][1]"


@pytest.mark.parametrize("bad", ["Summary", "two words", "1-intro", "a--b", "trailing-", "", "x" * 65, 3])
def test_rejects_ids_that_are_not_slugs(bad: object) -> None:
    with pytest.raises(InputError) as caught:
        Section(id=bad, title="T")  # type: ignore[arg-type]
    assert caught.value.field == "id"
    assert "slug" in str(caught.value)


def test_rejects_naive_generated_at_and_datetime_cutoff() -> None:
    with pytest.raises(InputError) as caught:
        make_report([section("s")], generated_at=datetime(2025, 7, 1))
    assert caught.value.field == "generated_at"
    assert "timezone-aware" in str(caught.value)
    with pytest.raises(InputError) as caught:
        make_report([section("s")], data_cutoff=datetime(2025, 6, 30, tzinfo=UTC))
    assert caught.value.field == "data_cutoff"


def test_accepts_any_fixed_offset() -> None:
    report = make_report([section("s")], generated_at=datetime(2025, 7, 1, tzinfo=timezone(timedelta(hours=8))))
    assert report.generated_at.utcoffset() == timedelta(hours=8)


def test_rejects_confidentiality_too_long_for_the_page_header() -> None:
    with pytest.raises(InputError) as caught:
        make_report([section("s")], confidentiality="Closed " * 20)
    assert caught.value.field == "confidentiality"
    assert "at most 120 characters" in str(caught.value)


def test_rejects_report_without_sections() -> None:
    with pytest.raises(InputError) as caught:
        make_report([])
    assert caught.value.field == "sections"


def test_rejects_sections_nested_deeper_than_three_levels() -> None:
    deep = section("a", subsections=(section("b", subsections=(section("c", subsections=(section("d"),)),)),))
    with pytest.raises(InputError) as caught:
        make_report([deep])
    assert caught.value.field == "sections[0].subsections[0].subsections[0].subsections[0].id"
    assert "at most 3 levels deep" in str(caught.value)


def test_rejects_control_characters_and_blank_titles() -> None:
    with pytest.raises(InputError) as caught:
        Paragraph(text="bad\x00byte")
    assert caught.value.field == "text"
    assert "U+0000" in str(caught.value)
    with pytest.raises(InputError, match="non-blank"):
        Section(id="s", title="  ")


def test_rejects_unknown_alignment_and_callout_kind() -> None:
    with pytest.raises(InputError) as caught:
        Column(name="n", align="justify")  # type: ignore[arg-type]
    assert caught.value.field == "align"
    assert "'left', 'right', 'center'" in str(caught.value)
    with pytest.raises(InputError) as caught:
        Callout(kind="danger", title="x")  # type: ignore[arg-type]
    assert caught.value.field == "kind"
    # strings of the vocabulary are accepted at run time and stored as the enum
    assert Column(name="n", align="right").align is Align.RIGHT  # type: ignore[arg-type]
    assert Callout(kind="stop", title="x").kind is CalloutKind.STOP  # type: ignore[arg-type]


def test_rejects_blocks_of_unknown_type() -> None:
    with pytest.raises(InputError) as caught:
        Section(id="s", title="S", blocks=("just a string",))  # type: ignore[arg-type]
    assert caught.value.field == "blocks[0]"


def test_rejects_empty_lists() -> None:
    with pytest.raises(InputError, match="at least one item"):
        BulletList(items=())
    with pytest.raises(InputError, match="at least one Metric"):
        MetricGrid(metrics=())
    with pytest.raises(InputError, match="at least one Column"):
        Table(columns=(), rows=(), caption="c")


def test_rejects_bytes_that_are_not_png() -> None:
    with pytest.raises(InputError) as caught:
        Figure(id="f", caption="c", png=b"GIF89a" + bytes(30))
    assert caught.value.field == "png"
    assert "PNG" in str(caught.value)


@pytest.mark.parametrize("svg", [
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://example.org/x.png"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><rect onclick="alert(1)"/></svg>',
    b"<html>not an svg</html>",
    b"\xff\xfe<svg/>",
])
def test_rejects_svg_that_is_unsafe_or_not_svg(svg: bytes) -> None:
    with pytest.raises(InputError) as caught:
        Figure(id="f", caption="c", png=PNG, svg=svg)
    assert caught.value.field == "svg"


def test_accepts_matplotlib_svg_and_reads_png_aspect() -> None:
    figure = Figure(id="f", caption="c", png=PNG, svg=SVG, width_in=4)
    assert figure.aspect == pytest.approx(2.5 / 4)  # figsize=(4, 2.5) in the example


@pytest.mark.parametrize("width", [0, -1, 21, True, "4"])
def test_rejects_figure_width_outside_range(width: object) -> None:
    with pytest.raises(InputError) as caught:
        Figure(id="f", caption="c", png=PNG, width_in=width)  # type: ignore[arg-type]
    assert caught.value.field == "width_in"


def test_numbering_of_sections_tables_and_figures() -> None:
    index = outline(example_report())
    assert [(h.number, h.section.id, h.depth) for h in index.headings] == [
        ("1", "summary", 1), ("2", "safety", 1), ("2.1", "safety-labs", 2), ("A", "listing", 1)]
    assert index.labels["tbl-dlt"] == "Table 1"
    assert index.labels["tbl-listing"] == "Table 2"
    assert index.labels["fig-dlt"] == "Figure 1"


def _listing(rows: int, *, name: str = "ae", id: str | None = "tbl-ae", limit: int = 200,
             summary: Table | Paragraph | None = None) -> Listing:
    return Listing(table=Table(id=id, caption="AEs", columns=(Column(name="Participant"),),
                               rows=tuple((f"P-{i}",) for i in range(rows))),
                   name=name, summary=summary, inline_limit=limit)


def test_listing_is_inline_up_to_its_limit() -> None:
    assert DEFAULT_INLINE_LIMIT == 200
    assert _listing(200).inline  # exactly at the limit
    assert not _listing(201).inline  # one row over
    assert _listing(0, limit=0).inline
    assert not _listing(1, limit=0).inline  # limit 0: always summarised (an empty listing is shown empty)
    assert _listing(3).csv_path == "listings/ae.csv"
    assert _listing(3).id == "tbl-ae"


@pytest.mark.parametrize(("changes", "field"), [
    ({"name": "AE listing"}, "name"),
    ({"name": "../x"}, "name"),
    ({"inline_limit": -1}, "inline_limit"),
    ({"inline_limit": True}, "inline_limit"),
    ({"inline_limit": 2.5}, "inline_limit"),
    ({"summary": "text"}, "summary"),
    ({"summary": Table(id="tbl-sum", caption="c", columns=(Column(name="n"),), rows=())}, "summary.id"),
    ({"table": "rows"}, "table"),
])
def test_rejects_listing_fields(changes: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"table": _listing(1).table, "name": "ae"}
    values.update(changes)
    with pytest.raises(InputError) as caught:
        Listing(**values)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_rejects_two_listings_writing_the_same_file() -> None:
    with pytest.raises(InputError) as caught:
        make_report([section("a", _listing(1, id="tbl-a"))], [section("b", _listing(1, id="tbl-b"))])
    assert caught.value.field == "appendix[0].blocks[0].name"
    assert "listings/ae.csv is also written by sections[0].blocks[0].name" in str(caught.value)


def test_listing_id_is_a_link_target_and_must_be_unique() -> None:
    grid = MetricGrid(metrics=(Metric(label="AEs", value="450", link="tbl-ae"),))
    report = make_report([section("summary", grid)], [section("listing", _listing(450))])
    assert outline(report).labels["tbl-ae"] == "Table 1"  # summarised, still one numbered table
    with pytest.raises(InputError) as caught:
        make_report([section("summary", table(id="tbl-ae"))], [section("listing", _listing(450))])
    assert caught.value.field == "appendix[0].blocks[0].table.id"


def test_links_inside_a_listing_and_its_summary_must_resolve() -> None:
    summary = Table(caption="by term", columns=(Column(name="n"),), rows=((Cell(text="3", link="nowhere"),),))
    with pytest.raises(InputError) as caught:
        make_report([section("listing", _listing(450, summary=summary))])
    assert caught.value.field == "sections[0].blocks[0].summary.rows[0][0].link"


def test_listings_and_tables_share_the_numbering() -> None:
    report = make_report([section("a", table(id="tbl-1"), _listing(450, id="tbl-2"), Figure(id="f", caption="c",
                                                                                            png=PNG))],
                         [section("b", table(id="tbl-3"))])
    labels = outline(report).labels
    assert (labels["tbl-1"], labels["tbl-2"], labels["tbl-3"], labels["f"]) == (
        "Table 1", "Table 2", "Table 3", "Figure 1")
    assert outline(report).headings[0].block_labels == ("Table 1", "Table 2", "Figure 1")
    assert [listing.name for listing in listings(report)] == ["ae"]


def test_data_notice_is_optional_and_checked_like_the_header_texts() -> None:
    assert make_report([section("s")]).data_notice is None
    notice = "SIMULATED DATA — virtual participants, not patients"
    assert make_report([section("s")], data_notice=notice).data_notice == notice
    assert len(make_report([section("s")], data_notice="x" * 120).data_notice or "") == 120  # at the limit
    for bad, phrase in (("x" * 121, "at most 120 characters"), ("  ", "non-blank"), ("bad\x07", "U+0007"),
                        (3, "a string")):
        with pytest.raises(InputError) as caught:
            make_report([section("s")], data_notice=bad)
        assert caught.value.field == "data_notice"
        assert phrase in str(caught.value)
