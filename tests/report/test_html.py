"""The HTML report: one self-contained, escaped, numbered, deterministic file."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

from hipectrial.report.document import Column, Listing, Metric, MetricGrid, Paragraph, Section, Table
from hipectrial.report.html import inline_svg, render_html

from .example import CHINESE_LABEL, CONFIDENTIALITY, DATA_NOTICE, example_report
from .test_document import make_report


class _Collector(HTMLParser):
    """Every id, every href/src and every tag name of a document."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.urls: list[tuple[str, str]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name == "id" and value is not None:
                self.ids.append(value)
            if name in ("href", "src", "xlink:href") and value is not None:
                self.urls.append((name, value))


def collect(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def test_is_one_html5_document_with_inline_css(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert '<meta charset="utf-8">' in html
    assert html.count("<style>") == 1
    assert html.rstrip().endswith("</html>")


def test_has_no_external_resources_scripts_or_fonts(html: str) -> None:
    found = collect(html)
    assert "script" not in found.tags
    assert "link" not in found.tags
    for _name, url in found.urls:
        # the listings' CSV files beside the report are links to follow, not resources to load
        assert url.startswith(("#", "data:image/")) or re.fullmatch(r"listings/[a-z0-9_-]+\.csv", url), url
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?\s*(?:https?:|//)", html)
    assert "@import" not in html
    assert "@font-face" not in html
    assert not re.search(r"url\(\s*[\"']?(?:https?:|//)", html)


def test_every_internal_link_has_a_target_and_ids_are_unique(html: str) -> None:
    found = collect(html)
    assert len(found.ids) == len(set(found.ids))
    targets = {url[1:] for name, url in found.urls if url.startswith("#") and name == "href"}
    assert targets <= set(found.ids)
    assert {"summary", "safety", "safety-labs", "listing", "tbl-listing", "tbl-dlt", "fig-dlt"} <= set(found.ids)


def test_header_block_shows_the_report_facts(html: str) -> None:
    header = html[html.index('<header class="report-header">'):html.index("</header>")]
    assert f'<p class="confidentiality" role="note">{CONFIDENTIALITY}</p>' in header
    for fact in ("<h1>DSMB report</h1>", "Interim analysis 1", "<dd>HIPEC-GC-01</dd>", "<dd>2.1</dd>",
                 "<dd>2025-06-30</dd>", "<dd>2025-07-01 09:30 UTC+08:00</dd>"):
        assert fact in header


def test_table_of_contents_links_every_section_with_its_number(html: str) -> None:
    toc = html[html.index('<nav class="toc"'):html.index("</nav>")]
    for number, section_id, title in (("1", "summary", "Summary"), ("2", "safety", "Safety"),
                                      ("2.1", "safety-labs", "Laboratory"), ("A", "listing", "Listings")):
        assert f'<a href="#{section_id}"><span class="num">{number}</span> {title}</a>' in toc
    assert '<a href="#report--appendix">Appendix</a>' in toc


def test_headings_are_numbered_by_depth(html: str) -> None:
    assert '<h2><span class="num">1</span> Summary</h2>' in html
    assert '<h3><span class="num">2.1</span> Laboratory</h3>' in html
    assert '<h2><span class="num">A</span> Listings</h2>' in html
    assert html.index('<h2 class="part">Appendix</h2>') < html.index('<h2><span class="num">A</span> Listings')


def test_text_is_escaped_and_shown_literally(html: str) -> None:
    assert "<p>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;not bold&lt;/b&gt;</p>" in html
    assert "<script" not in html


def test_prose_markup_and_unicode(html: str) -> None:
    assert "Enrolment is <strong>on track</strong>; <em>all</em> sites active. Ages ≥ 18 y, mean ± SD." in html
    assert "CEA (µg/L)" in html
    assert CHINESE_LABEL in html


def test_tables_have_captions_right_aligned_numbers_and_notes(html: str) -> None:
    assert '<caption><span class="label">Table 2.</span> Participants behind the R0 rate</caption>' in html
    assert '<th scope="col" class="align-right">PCI</th>' in html
    assert ('<tr><td>P-200</td><td>Site 1</td><td class="align-right">0</td>'
            '<td class="align-right">100.0</td></tr>') in html
    assert '<td class="align-right"></td>' in html  # None is an empty cell
    assert '<p class="table-note">Empty CEA: not measured.</p>' in html
    assert "<thead>" in html


def test_metrics_and_cells_link_to_the_records_behind_them(html: str) -> None:
    assert '<div class="metric-value"><a href="#tbl-listing">9/31 = 29.0 %</a></div>' in html
    assert '<a href="#tbl-listing">Records: Table 2</a>' in html
    assert '<a href="#listing">Records: Appendix A</a>' in html
    assert '<td class="align-right"><a href="#tbl-listing" title="Table 2">0</a></td>' in html


def test_callouts_differ_by_class_icon_and_word(html: str) -> None:
    for kind, word in (("info", "INFO"), ("ok", "OK"), ("warning", "WARNING"), ("stop", "STOP")):
        assert f'<div class="callout callout-{kind}" role="note">' in html
        assert f'<span class="callout-word">{word}:</span>' in html
    for border in (".callout-info { border: 1px solid", ".callout-ok { border: 3px solid",
                   ".callout-warning { border: 3px dashed", ".callout-stop { border: 6px double"):
        assert border in html


def test_print_stylesheet_breaks_pages_and_repeats_table_headers(html: str) -> None:
    print_css = html[html.index("@media print"):]
    assert "section.depth-1, .appendix { break-before: page;" in print_css
    assert "thead { display: table-header-group; }" in print_css
    assert "@page { size: A4;" in html


def test_figure_is_inline_svg_without_prolog_and_with_prefixed_ids(html: str) -> None:
    figure = html[html.index('<figure id="fig-dlt">'):html.index("</figure>")]
    assert "<svg" in figure
    assert "<?xml" not in html
    assert "<!DOCTYPE svg" not in html
    assert "<metadata" not in figure
    assert 'id="fig-dlt--figure_1"' in figure
    assert not re.search(r"""\sid=["'](?!fig-dlt--)""", figure.split("<svg", 1)[1])
    assert '<span class="label">Figure 1.</span> DLTs by dose level</figcaption>' in figure


def test_figure_without_svg_is_a_png_data_uri() -> None:
    html = render_html(report=example_report(svg=False))
    match = re.search(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" width="240" height="150"', html)
    assert match is not None  # 4 x 2.5 in at 60 dpi
    assert base64.b64decode(match.group(1)).startswith(b"\x89PNG\r\n\x1a\n")
    assert "<svg" not in html


def test_inline_svg_prefixes_references() -> None:
    svg = (b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">\n<!-- made -->\n'
           b'<svg><defs><clipPath id="p1"/></defs><g clip-path="url(#p1)"><use xlink:href="#g"/></g></svg>\n')
    assert inline_svg(svg, prefix="f") == (
        '<svg><defs><clipPath id="f--p1"/></defs><g clip-path="url(#f--p1)"><use xlink:href="#f--g"/></g></svg>')


def test_same_report_gives_same_string(html: str) -> None:
    assert render_html(report=example_report()) == html


def test_minimal_report_has_no_appendix_part() -> None:
    report = make_report([Section(id="s", title="Only", blocks=(
        Table(caption="Serious adverse events", columns=(Column(name="Term"),), rows=()),))])
    html = render_html(report=report)
    assert "report--appendix" not in html
    assert '<p class="table-none">None.</p>' in html


def test_data_notice_is_a_banner_a_line_per_top_section_and_a_printed_page_margin(html: str) -> None:
    body = html[html.index("<body>"):]
    assert body.startswith(f'<body>\n<p class="data-notice" role="note">{DATA_NOTICE}</p>\n<header')
    # one line under each top-level heading: Summary, Safety and Listings (not 2.1 Laboratory)
    assert html.count(f'<p class="data-notice-inline" role="note">{DATA_NOTICE}</p>') == 3
    assert re.search(r'Summary</h2>\n<p class="data-notice-inline"', html)
    assert not re.search(r'Laboratory</h3>\n<p class="data-notice-inline"', html)
    # the printed pages: an @page margin box; "SIMULATED" kept, the space escaped as \000020
    assert '@page { @top-center { content: "SIMULATED\\000020DATA\\000020\\002014' in html


def test_report_without_notice_has_none() -> None:
    html = render_html(report=make_report([Section(id="s", title="Only")]))
    assert "data-notice" not in html.split("</style>")[1]
    assert "@top-center" not in html


def test_inline_listing_is_its_table_with_a_link_to_its_csv(html: str) -> None:
    assert '<div class="table-wrap listing">\n<table id="tbl-listing">' in html
    assert ('<p class="listing-file">The same 200 rows as CSV: '
            '<a href="listings/participants.csv">listings/participants.csv</a></p>') in html


def test_long_listing_is_its_summary_carrying_its_id_and_a_link_to_its_csv(html: str) -> None:
    start = html.index('<div class="table-wrap listing listing-summarised" id="tbl-ae">')
    block = html[start:html.index("</div>", start)]
    assert '<p class="listing-caption"><span class="label">Table 3.</span> Adverse events of grade ≥ 3</p>' in block
    assert "<caption>Summary: events by term and grade</caption>" in block
    assert ('<tr><td>Neutrophil count decreased</td><td class="align-right">75</td>'
            '<td class="align-right">75</td></tr>') in block
    assert ('<p class="listing-file">Full listing: 450 rows in '
            '<a href="listings/ae-severe.csv">listings/ae-severe.csv</a></p>') in block
    assert "SH01-001" not in html  # none of the 450 rows
    assert '<a href="#tbl-ae">Records: Table 3</a>' in html


def test_summarised_listing_with_a_paragraph_or_nothing() -> None:
    rows = tuple((f"P-{i}",) for i in range(3))
    table = Table(id="tbl-x", caption="Deaths", columns=(Column(name="Participant"),), rows=rows)
    report = make_report([Section(id="s", title="S", blocks=(
        Listing(table=table, name="deaths", summary=Paragraph(text="**3** deaths."), inline_limit=2),
        Listing(table=Table(caption="Other", columns=(Column(name="n"),), rows=rows), name="other",
                inline_limit=1)))])
    html = render_html(report=report)
    assert "<p><strong>3</strong> deaths.</p>" in html
    assert "Full listing: 3 rows in" in html
    assert '<div class="table-wrap listing listing-summarised">\n<p class="listing-caption"><span class="label">' \
           "Table 2.</span> Other</p>\n<p class=\"listing-file\">Full listing: 3 rows in " in html


def test_empty_table_says_none_in_place_of_its_rows_and_keeps_its_id_and_note() -> None:
    columns = (Column(name="Term"), Column(name="Participants", align="right"))
    empty = Table(id="tbl-sae", caption="Serious adverse events", columns=columns, rows=(),
                  note="Coded with MedDRA.")
    one = Table(caption="Deaths", columns=columns, rows=(("Sepsis", 1),))
    report = make_report([Section(id="s", title="S", blocks=(
        MetricGrid(metrics=(Metric(label="SAEs", value="0", link="tbl-sae"),)), empty, one))])
    html = render_html(report=report)
    assert ('<div class="table-wrap table-empty" id="tbl-sae">\n'
            '<p class="table-caption"><span class="label">Table 1.</span> Serious adverse events</p>\n'
            '<p class="table-none">None.</p>\n'
            '<p class="table-note">Coded with MedDRA.</p>\n</div>') in html
    assert '<a href="#tbl-sae">Records: Table 1</a>' in html  # the link still lands on it
    # no header row for nothing; a table of one row (the boundary) is a grid with its header
    assert html.count('<th scope="col">Term</th>') == 1
    assert "<caption><span class=\"label\">Table 2.</span> Deaths</caption>" in html
    assert "<tr><td>Sepsis</td><td class=\"align-right\">1</td></tr>" in html


def test_empty_inline_listing_says_none_with_the_link_to_its_csv() -> None:
    table = Table(id="tbl-deaths", caption="Deaths", columns=(Column(name="Participant"),), rows=())
    html = render_html(report=make_report([Section(id="s", title="S", blocks=(
        Listing(table=table, name="deaths"),))]))
    assert ('<div class="table-wrap listing listing-empty" id="tbl-deaths">\n'
            '<p class="listing-caption"><span class="label">Table 1.</span> Deaths</p>\n'
            '<p class="listing-file">None. <a href="listings/deaths.csv">listings/deaths.csv</a> '
            "holds the column names only.</p>\n</div>") in html
    assert "<table" not in html


def test_summarised_listing_with_an_empty_summary_table_says_none() -> None:
    rows = tuple((f"P-{i}",) for i in range(3))
    table = Table(id="tbl-x", caption="Deaths", columns=(Column(name="Participant"),), rows=rows)
    summary = Table(caption="deaths by cause", columns=(Column(name="Cause"),), rows=())
    html = render_html(report=make_report([Section(id="s", title="S", blocks=(
        Listing(table=table, name="deaths", summary=summary, inline_limit=2),))]))
    assert ('<p class="listing-caption"><span class="label">Table 1.</span> Deaths</p>\n'
            '<p class="table-caption">Summary: deaths by cause</p>\n<p class="table-none">None.</p>\n'
            '<p class="listing-file">Full listing: 3 rows in <a href="listings/deaths.csv">listings/deaths.csv</a>'
            "</p>") in html
    assert "<th" not in html
