"""Render a :class:`~hipectrial.report.document.Report` as PDF with reportlab platypus.

A4 with a running header (trial id, protocol version, confidentiality, and the report's data
notice when it has one) and footer (data cut-off, generation time, "Page N of M") on every
page, landscape pages included; a title block and a table of
contents (reportlab's ``TableOfContents``, built in several passes); each top-level
section on a new page; a PDF outline entry and a named destination per section (its id),
table and figure; tables split across pages with their header row repeated; figures from
the PNG at ``width_in`` (shrunk to fit the frame, aspect kept); internal links from cells
and metrics to their targets. Fonts and non-Latin text: see
:mod:`hipectrial.report.pdf_styles`.

Tables never break a word, an id, a date or a number (:func:`~hipectrial.report.pdf_blocks.fit_table`):
a table whose widest tokens do not fit side by side on a portrait page is set on landscape
A4 pages (at a smaller size if need be), and the pages after it return to portrait. A
listing longer than its ``inline_limit`` shows its summary and a link (a relative URI) to
``listings/<name>.csv``, which :func:`~hipectrial.report.write.write_report` writes.

The PDF is built with ``invariant=1`` (no random file id, no clock), and its CreationDate
and ModDate are the report's ``generated_at``: the same report gives the same bytes.
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import inch
from reportlab.platypus import CondPageBreak, Frame, Image, KeepTogether, PageBreak, PageTemplate, Spacer
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable
from reportlab.platypus.tableofcontents import TableOfContents

from hipectrial.report.document import (
    NO_ROWS,
    BulletList,
    Callout,
    Cell,
    Figure,
    Listing,
    MetricGrid,
    Paragraph,
    Report,
    Section,
    Table,
    cell_text,
    listing_line,
)
from hipectrial.report.outline import Outline, outline
from hipectrial.report.pdf_blocks import (
    CELL_PADDING,
    TableFit,
    callout_box,
    fit_table,
    metric_grid,
    string_cell_style,
    table_style,
)
from hipectrial.report.pdf_pages import (
    FRAME_HEIGHT,
    FRAME_WIDTH,
    LANDSCAPE,
    LANDSCAPE_FRAME_WIDTH,
    LANDSCAPE_PAGE,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PORTRAIT_PAGE,
    NamedDestination,
    PageTotal,
    ReportDoc,
    Stamp,
    Want,
    heading_paragraph,
    paginate,
    running,
    title_block,
)
from hipectrial.report.pdf_styles import (
    LINK,
    SANS,
    Styles,
    TextSetter,
    ensure_fonts,
    flatten,
    link,
    make_styles,
    text_width,
)

_HEADING_ROOM = 160  # points a subsection heading needs below it, or it starts a new page
_KEEP_TOGETHER_ROWS = 25  # tables this short never split from their caption nor across pages


class _Builder:
    """Turns the report's blocks into flowables; holds the styles and the text setter."""

    def __init__(self, report: Report, index: Outline, styles: Styles, setter: TextSetter) -> None:
        self.report = report
        self.index = index
        self.styles = styles
        self.text = setter
        self.fits: dict[int, TableFit] = {}

    def fit(self, table: Table) -> TableFit:
        """The table's widths, size and orientation (computed once per table)."""
        key = id(table)
        if key not in self.fits:
            self.fits[key] = fit_table(table, covered=self.text.covered, portrait_width=FRAME_WIDTH,
                                       landscape_width=LANDSCAPE_FRAME_WIDTH)
        return self.fits[key]

    def template(self, block: Any) -> str:
        """The page template a block is set on: landscape for a table too wide for portrait."""
        if isinstance(block, Listing):
            block = block.table if block.inline else block.summary
        if isinstance(block, Table) and block.rows and self.fit(block).landscape:
            return LANDSCAPE_PAGE
        return PORTRAIT_PAGE

    def first_template(self, section: Section) -> str:
        """The template of a section's first block: its heading goes on the same page."""
        if section.blocks:
            return self.template(section.blocks[0])
        if section.subsections:
            return self.first_template(section.subsections[0])
        return PORTRAIT_PAGE

    def section(self, section: Section) -> list[Any]:
        heading = self.index.heading(section.id)
        level = heading.depth - 1 + (1 if heading.appendix else 0)
        style = self.styles.headings[min(heading.depth, 3) - 1]
        title = self.text.plain(section.title)
        out: list[Any] = [Want(self.first_template(section))]
        # a subsection starts on a new page unless its heading and some content fit here
        if heading.depth > 1:
            out.append(CondPageBreak(_HEADING_ROOM))
        out.append(heading_paragraph(f"{heading.number}&nbsp;&nbsp;{title}", style, level=level,
                            outline_text=f"{heading.number} {section.title}", key=section.id))
        if heading.depth == 1 and self.report.data_notice is not None:
            out.append(RLParagraph(self.text.plain(self.report.data_notice), self.styles.notice_inline))
        for block, label in zip(section.blocks, heading.block_labels, strict=True):
            out.append(Want(self.template(block)))
            out.extend(self.block(block, label))
        for sub in section.subsections:
            out.extend(self.section(sub))
        return out

    def block(self, block: Any, label: str | None) -> list[Any]:
        styles = self.styles
        if isinstance(block, Paragraph):
            return [RLParagraph(self.text.prose(block.text), styles.body)]
        if isinstance(block, BulletList):
            bullet = styles.bullet
            return [*(RLParagraph(self.text.prose(item), bullet, bulletText="•") for item in block.items),
                    Spacer(1, 4)]
        if isinstance(block, Callout):
            return [callout_box(block, styles=styles, setter=self.text, width=FRAME_WIDTH), Spacer(1, 6)]
        if isinstance(block, MetricGrid):
            return [metric_grid(block, styles=styles, setter=self.text, labels=self.index.labels,
                                width=FRAME_WIDTH), Spacer(1, 8)]
        if isinstance(block, Table):
            return self.table(block, label or "Table")
        if isinstance(block, Listing):
            return self.listing(block, label or "Table")
        return self.figure(block, label or "Figure")

    def _caption(self, label: str, caption: str, target: str | None) -> Any:
        anchor = f'<a name="{target}"/>' if target else ""
        return RLParagraph(f"{anchor}<b>{label}.</b> {self.text.plain(caption)}", self.styles.caption)

    def _grid(self, table: Table) -> Any:
        fit = self.fit(table)
        cell_styles, header_styles = self.styles.table_cells(fit.font_size)
        aligns = [column.align.value for column in table.columns]
        data: list[list[Any]] = [[RLParagraph(self.text.plain(c.name), header_styles[a])
                                  for c, a in zip(table.columns, aligns, strict=True)]]
        # room for one line of text in each column, in points at 1 pt
        room = [(width - 2 * CELL_PADDING) / fit.font_size for width in fit.widths]
        covered = self.text.covered
        for row in table.rows:
            cells: list[Any] = []
            for value, align, space in zip(row, aligns, room, strict=True):
                text = flatten(cell_text(value))
                linked = isinstance(value, Cell) and value.link is not None
                # a plain string is drawn as one line, several times faster than a paragraph:
                # used where the text surely fits one line (and needs no link or second font)
                if not linked and all(ord(char) in covered for char in text) \
                        and text_width(text, font=SANS, covered=covered) <= space:
                    cells.append(text)
                    continue
                markup = self.text.plain(text)
                if isinstance(value, Cell) and value.link is not None:
                    markup = link(value.link, markup)
                cells.append(RLParagraph(markup, cell_styles[align]))
            data.append(cells)
        style = [*table_style(len(data)), *string_cell_style(aligns, fit.font_size)]
        return RLTable(data, colWidths=list(fit.widths), repeatRows=1, style=style, hAlign="LEFT")

    def _note(self, text: str, *, href: str | None = None) -> Any:
        markup = self.text.plain(text)
        return RLParagraph(_file_link(href, markup) if href else markup, self.styles.note)

    def _arrange(self, out: list[Any], rows: int) -> list[Any]:
        if rows <= _KEEP_TOGETHER_ROWS:
            return [KeepTogether(out), Spacer(1, 8)]
        # a long table starts where its caption, header and a few rows fit, then splits
        return [CondPageBreak(100), *out, Spacer(1, 8)]

    def table(self, table: Table, label: str) -> list[Any]:
        """The caption, then the grid, or "None." for a table without rows, then the note."""
        out: list[Any] = [self._caption(label, table.caption, table.id)]
        out.append(self._grid(table) if table.rows else self._note(NO_ROWS))
        if table.note is not None:
            out.append(self._note(table.note))
        return self._arrange(out, len(table.rows))

    def listing(self, listing: Listing, label: str) -> list[Any]:
        table = listing.table
        out: list[Any] = [self._caption(label, table.caption, table.id)]
        if listing.inline and not table.rows:
            rows = 0  # the caption, then the line saying there is none
        elif listing.inline:
            out.append(self._grid(table))
            rows = len(table.rows)
        else:
            summary = listing.summary
            if isinstance(summary, Table):
                out.append(RLParagraph(self.text.plain(f"Summary: {summary.caption}"), self.styles.body))
                out.append(self._grid(summary) if summary.rows else self._note(NO_ROWS))
                if summary.note is not None:
                    out.append(self._note(summary.note))
            elif isinstance(summary, Paragraph):
                out.append(RLParagraph(self.text.prose(summary.text), self.styles.body))
            rows = len(summary.rows) if isinstance(summary, Table) else 0
        out.append(self._note(listing_line(listing), href=listing.csv_path))
        if table.note is not None:
            out.append(self._note(table.note))
        return self._arrange(out, rows)

    def figure(self, figure: Figure, label: str) -> list[Any]:
        width = min(figure.width_in * inch, FRAME_WIDTH)
        height = width * figure.aspect
        max_height = FRAME_HEIGHT - 60  # leave room for the caption
        if height > max_height:
            width, height = width * max_height / height, max_height
        image = Image(io.BytesIO(figure.png), width=width, height=height, hAlign="CENTER")
        caption = RLParagraph(f"<b>{label}.</b> {self.text.plain(figure.caption)}", self.styles.caption)
        return [KeepTogether([NamedDestination(figure.id), Spacer(1, 4), image, caption]), Spacer(1, 6)]


def _file_link(href: str, markup: str) -> str:
    """A link to a file beside the report: a relative URI (``listings/x.csv``), which reportlab
    writes as a URI action because it is neither ``#name`` nor ``document:name``."""
    return f'<a href="{href}" color="{LINK}"><u>{markup}</u></a>'


def render_pdf(*, report: Report) -> bytes:
    """The report as a deterministic A4 PDF.

    Parameters
    ----------
    report : Report
        A validated report.

    Returns
    -------
    bytes
        The PDF file: equal reports give equal bytes; CreationDate and ModDate are
        ``report.generated_at`` in its own UTC offset.

    Raises
    ------
    InputError
        ``table``: a table whose longest words do not fit side by side even on a landscape
        page at 6 pt; ``metrics[i]``: a summary tile whose words do not fit a page-wide tile.
    """
    covered = ensure_fonts()
    styles = make_styles()
    text = TextSetter(covered=covered)
    index = outline(report)
    builder = _Builder(report, index, styles, text)
    total = PageTotal()
    toc = TableOfContents(levelStyles=list(styles.toc_levels), dotsMinLevel=0)
    items: list[Any] = [total, *title_block(report, styles, text),
                        RLParagraph("Contents", styles.headings[0]), toc]
    for section in report.sections:
        items.append(PageBreak())
        items.extend(builder.section(section))
    if report.appendix:
        items.append(PageBreak())
        items.append(Want(builder.first_template(report.appendix[0])))
        items.append(heading_paragraph("Appendix", styles.headings[0], level=0, outline_text="Appendix",
                              key="report--appendix"))
        for position, section in enumerate(report.appendix):
            if position:
                items.append(PageBreak())
            items.extend(builder.section(section))
    buffer = io.BytesIO()
    doc = ReportDoc(buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
                     bottomMargin=MARGIN_BOTTOM, title=report.title, subject=report.subtitle,
                     author=report.trial_id, creator="hipectrial", producer="hipectrial (reportlab)",
                     invariant=1, stamp=Stamp.of(report.generated_at))
    templates = []
    for template_id, pagesize in ((PORTRAIT_PAGE, A4), (LANDSCAPE_PAGE, LANDSCAPE)):
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, pagesize[0] - 2 * MARGIN_X,
                      pagesize[1] - MARGIN_TOP - MARGIN_BOTTOM, id=f"body-{template_id}",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        templates.append(PageTemplate(id=template_id, frames=[frame], pagesize=pagesize,
                                      onPage=running(report, styles, text, total, pagesize)))
    doc.addPageTemplates(templates)
    doc.multiBuild(paginate(items), maxPasses=10)
    return buffer.getvalue()
