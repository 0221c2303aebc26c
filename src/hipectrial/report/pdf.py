"""Render a :class:`~hipectrial.report.document.Report` as PDF with reportlab platypus.

A4 with a running header (trial id, protocol version, confidentiality) and footer (data
cut-off, generation time, "Page N of M") on every page; a title block and a table of
contents (reportlab's ``TableOfContents``, built in several passes); each top-level
section on a new page; a PDF outline entry and a named destination per section (its id),
table and figure; tables split across pages with their header row repeated; figures from
the PNG at ``width_in`` (shrunk to fit the frame, aspect kept); internal links from cells
and metrics to their targets. Fonts and non-Latin text: see
:mod:`hipectrial.report.pdf_styles`.

The PDF is built with ``invariant=1``: the same report gives the same bytes.
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import inch, mm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Spacer,
)
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable
from reportlab.platypus.doctemplate import IndexingFlowable
from reportlab.platypus.tableofcontents import TableOfContents

from hipectrial.report.document import (
    BulletList,
    Callout,
    Cell,
    Figure,
    MetricGrid,
    Paragraph,
    Report,
    Section,
    Table,
    cell_text,
)
from hipectrial.report.outline import Outline, generated_text, outline
from hipectrial.report.pdf_blocks import callout_box, metric_grid, table_column_widths, table_style
from hipectrial.report.pdf_styles import Styles, TextSetter, ensure_fonts, link, make_styles

MARGIN_X = 20 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 22 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN_X
FRAME_HEIGHT = A4[1] - MARGIN_TOP - MARGIN_BOTTOM
_HEADING_ROOM = 160  # points a subsection heading needs below it, or it starts a new page
_KEEP_TOGETHER_ROWS = 25  # tables this short never split from their caption nor across pages


class _PageTotal(IndexingFlowable):  # type: ignore[misc]  # reportlab has no type hints
    """Invisible indexing flowable: asks for another pass until the page count is stable.

    The footer prints ``previous`` (the page count of the last pass) as M of "Page N of M".
    """

    def __init__(self) -> None:
        super().__init__()
        self.previous: int | None = None
        self.current: int | None = None

    def beforeBuild(self) -> None:  # reportlab's name
        self.previous, self.current = self.current, None

    def isSatisfied(self) -> bool:
        return self.previous is not None and self.previous == self.current

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        return None


class _Anchor(Flowable):  # type: ignore[misc]
    """A zero-size named destination (for figures, whose caption sits below the image)."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        self.canv.bookmarkHorizontal(self.key, 0, 12)


class _ReportDoc(BaseDocTemplate):  # type: ignore[misc]
    """Registers TOC entries and outline entries for headings as they are laid out."""

    def afterFlowable(self, flowable: Any) -> None:  # reportlab's name
        entry = getattr(flowable, "hipectrial_heading", None)
        if entry is not None:
            level, toc_text, outline_text, key = entry
            self.notify("TOCEntry", (level, toc_text, self.page, key))
            self.canv.addOutlineEntry(outline_text, key, level=level, closed=level > 0)


def _heading(markup: str, style: Any, *, level: int, outline_text: str, key: str) -> Any:
    paragraph = RLParagraph(f'<a name="{key}"/>{markup}', style)
    paragraph.hipectrial_heading = (level, markup, outline_text, key)
    return paragraph


class _Builder:
    """Turns the report's blocks into flowables; holds the styles and the text setter."""

    def __init__(self, report: Report, index: Outline, styles: Styles, setter: TextSetter) -> None:
        self.report = report
        self.index = index
        self.styles = styles
        self.text = setter

    def section(self, section: Section) -> list[Any]:
        heading = self.index.heading(section.id)
        level = heading.depth - 1 + (1 if heading.appendix else 0)
        style = self.styles.headings[min(heading.depth, 3) - 1]
        title = self.text.plain(section.title)
        # a subsection starts on a new page unless its heading and some content fit here
        out: list[Any] = [] if heading.depth == 1 else [CondPageBreak(_HEADING_ROOM)]
        out.append(_heading(f"{heading.number}&nbsp;&nbsp;{title}", style, level=level,
                            outline_text=f"{heading.number} {section.title}", key=section.id))
        for block, label in zip(section.blocks, heading.block_labels, strict=True):
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
        return self.figure(block, label or "Figure")

    def table(self, table: Table, label: str) -> list[Any]:
        anchor = f'<a name="{table.id}"/>' if table.id else ""
        caption = RLParagraph(f"{anchor}<b>{label}.</b> {self.text.plain(table.caption)}",
                              self.styles.caption)
        aligns = [column.align.value for column in table.columns]
        data: list[list[Any]] = [[RLParagraph(self.text.plain(c.name), self.styles.header_cell[a])
                                  for c, a in zip(table.columns, aligns, strict=True)]]
        for row in table.rows:
            cells = []
            for value, align in zip(row, aligns, strict=True):
                markup = self.text.plain(cell_text(value))
                if isinstance(value, Cell) and value.link is not None:
                    markup = link(value.link, markup)
                cells.append(RLParagraph(markup, self.styles.cell[align]))
            data.append(cells)
        widths = table_column_widths(table, FRAME_WIDTH)
        flowable = RLTable(data, colWidths=widths, repeatRows=1, style=table_style(len(data)), hAlign="LEFT")
        out: list[Any] = [caption, flowable]
        if table.note is not None:
            out.append(RLParagraph(self.text.plain(table.note), self.styles.note))
        if len(table.rows) <= _KEEP_TOGETHER_ROWS:
            return [KeepTogether(out), Spacer(1, 8)]
        # a long table starts where its caption, header and a few rows fit, then splits
        return [CondPageBreak(100), *out, Spacer(1, 8)]

    def figure(self, figure: Figure, label: str) -> list[Any]:
        width = min(figure.width_in * inch, FRAME_WIDTH)
        height = width * figure.aspect
        max_height = FRAME_HEIGHT - 60  # leave room for the caption
        if height > max_height:
            width, height = width * max_height / height, max_height
        image = Image(io.BytesIO(figure.png), width=width, height=height, hAlign="CENTER")
        caption = RLParagraph(f"<b>{label}.</b> {self.text.plain(figure.caption)}", self.styles.caption)
        return [KeepTogether([_Anchor(figure.id), Spacer(1, 4), image, caption]), Spacer(1, 6)]


def _title_block(report: Report, styles: Styles, text: TextSetter) -> list[Any]:
    meta = [("Trial", report.trial_id), ("Protocol version", report.protocol_version),
            ("Data cut-off", report.data_cutoff.isoformat()), ("Generated", generated_text(report))]
    rows = [[RLParagraph(key, styles.meta_key), RLParagraph(text.plain(value), styles.body)]
            for key, value in meta]
    banner = RLTable([[RLParagraph(text.plain(report.confidentiality.upper()), styles.banner)]],
                     colWidths=[FRAME_WIDTH],
                     style=[("BOX", (0, 0), (-1, -1), 1.5, styles.body.textColor),
                            ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)])
    facts = RLTable(rows, colWidths=[38 * mm, FRAME_WIDTH - 38 * mm], hAlign="LEFT",
                    style=[("LINEBEFORE", (0, 0), (0, -1), 3, styles.body.textColor),
                           ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                           ("LEFTPADDING", (0, 0), (0, -1), 8)])
    out: list[Any] = [banner, Spacer(1, 18), RLParagraph(text.plain(report.title), styles.title)]
    if report.subtitle:
        out.append(RLParagraph(text.plain(report.subtitle), styles.subtitle))
    out.extend([facts, Spacer(1, 22)])
    return out


def _running(report: Report, styles: Styles, text: TextSetter, total: _PageTotal) -> Any:
    header_left = text.plain(f"{report.trial_id} · Protocol {report.protocol_version}")
    header_right = text.plain(report.confidentiality)
    footer_left = text.plain(f"Data cut-off {report.data_cutoff.isoformat()} · generated "
                             f"{generated_text(report)}")

    def draw(canvas: Any, doc: Any) -> None:
        total.current = doc.page
        of = str(total.previous) if total.previous is not None else "?"
        canvas.saveState()
        half = FRAME_WIDTH / 2
        top = A4[1] - MARGIN_TOP + 8
        bottom = MARGIN_BOTTOM - 14
        for markup, style, x, y, width in (
                (header_left, styles.running, MARGIN_X, top, half * 0.8),
                (header_right, styles.running_right, MARGIN_X + half * 0.8, top, half * 1.2),
                (footer_left, styles.running, MARGIN_X, bottom, half * 1.4),
                (f"Page {doc.page} of {of}", styles.running_right, MARGIN_X + half * 1.4, bottom,
                 half * 0.6)):
            paragraph = RLParagraph(markup, style)
            paragraph.wrap(width, 40)
            paragraph.drawOn(canvas, x, y)  # lines beyond the first grow up, into the margin
        canvas.setStrokeColor(styles.note.textColor)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN_X, top - 3, MARGIN_X + FRAME_WIDTH, top - 3)
        canvas.line(MARGIN_X, bottom + 12, MARGIN_X + FRAME_WIDTH, bottom + 12)
        canvas.restoreState()

    return draw


def render_pdf(*, report: Report) -> bytes:
    """The report as a deterministic A4 PDF.

    Parameters
    ----------
    report : Report
        A validated report.

    Returns
    -------
    bytes
        The PDF file (``invariant=1``, so equal reports give equal bytes).
    """
    covered = ensure_fonts()
    styles = make_styles()
    text = TextSetter(covered=covered)
    index = outline(report)
    builder = _Builder(report, index, styles, text)
    total = _PageTotal()
    toc = TableOfContents(levelStyles=list(styles.toc_levels), dotsMinLevel=0)
    story: list[Any] = [total, *_title_block(report, styles, text),
                        RLParagraph("Contents", styles.headings[0]), toc]
    for section in report.sections:
        story.append(PageBreak())
        story.extend(builder.section(section))
    if report.appendix:
        story.append(PageBreak())
        story.append(_heading("Appendix", styles.headings[0], level=0, outline_text="Appendix",
                              key="report--appendix"))
        for position, section in enumerate(report.appendix):
            if position:
                story.append(PageBreak())
            story.extend(builder.section(section))
    buffer = io.BytesIO()
    doc = _ReportDoc(buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
                     bottomMargin=MARGIN_BOTTOM, title=report.title, subject=report.subtitle,
                     author=report.trial_id, creator="hipectrial", producer="hipectrial (reportlab)",
                     invariant=1)
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, FRAME_WIDTH, FRAME_HEIGHT, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame],
                                       onPage=_running(report, styles, text, total))])
    doc.multiBuild(story, maxPasses=10)
    return buffer.getvalue()
