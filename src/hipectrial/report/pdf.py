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
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import inch, mm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    NextPageTemplate,
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
    Listing,
    MetricGrid,
    Paragraph,
    Report,
    Section,
    Table,
    cell_text,
)
from hipectrial.report.outline import Outline, generated_text, outline
from hipectrial.report.pdf_blocks import (
    CELL_PADDING,
    TableFit,
    callout_box,
    fit_table,
    metric_grid,
    string_cell_style,
    table_style,
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

MARGIN_X = 20 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 22 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN_X
FRAME_HEIGHT = A4[1] - MARGIN_TOP - MARGIN_BOTTOM
LANDSCAPE = landscape(A4)
LANDSCAPE_FRAME_WIDTH = LANDSCAPE[0] - 2 * MARGIN_X
PORTRAIT_PAGE = "page"  # the page templates' ids
LANDSCAPE_PAGE = "landscape"
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


@dataclass(frozen=True, slots=True)
class _Want:
    """A story marker (not a flowable): what follows is set on pages of this template."""

    template: str


@dataclass(frozen=True, slots=True)
class _Stamp:
    """The time stamp reportlab writes as CreationDate and ModDate (its ``TimeStamp``'s fields)."""

    t: float
    YMDhms: tuple[int, int, int, int, int, int]  # reportlab's name
    dhh: int
    dmm: int

    @classmethod
    def of(cls, moment: datetime) -> _Stamp:
        """``moment`` (timezone-aware) in its own offset, e.g. ``D:20250701093000+08'00'``.

        reportlab prints ``%+03d'%02d'`` of (dhh, dmm); for a negative offset such as
        -03:30 that is ``-03'30'`` from dhh = -3, dmm = 30.
        """
        offset = moment.utcoffset()
        minutes = round(offset.total_seconds() / 60) if offset is not None else 0
        hours, rest = divmod(abs(minutes), 60)
        return cls(t=moment.timestamp(), YMDhms=(moment.year, moment.month, moment.day, moment.hour,
                                                  moment.minute, moment.second),
                   dhh=hours if minutes >= 0 else -hours, dmm=rest)


class _ReportDoc(BaseDocTemplate):  # type: ignore[misc]
    """Registers TOC entries and outline entries for headings as they are laid out, and
    dates the document (every pass makes a new canvas, so every pass dates it)."""

    def __init__(self, *args: Any, stamp: _Stamp, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stamp = stamp

    def beforeDocument(self) -> None:  # reportlab's name
        self.canv._doc._timeStamp = self.stamp

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
        if isinstance(block, Table) and self.fit(block).landscape:
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
        out: list[Any] = [_Want(self.first_template(section))]
        # a subsection starts on a new page unless its heading and some content fit here
        if heading.depth > 1:
            out.append(CondPageBreak(_HEADING_ROOM))
        out.append(_heading(f"{heading.number}&nbsp;&nbsp;{title}", style, level=level,
                            outline_text=f"{heading.number} {section.title}", key=section.id))
        if heading.depth == 1 and self.report.data_notice is not None:
            out.append(RLParagraph(self.text.plain(self.report.data_notice), self.styles.notice_inline))
        for block, label in zip(section.blocks, heading.block_labels, strict=True):
            out.append(_Want(self.template(block)))
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
        out: list[Any] = [self._caption(label, table.caption, table.id), self._grid(table)]
        if table.note is not None:
            out.append(self._note(table.note))
        return self._arrange(out, len(table.rows))

    def listing(self, listing: Listing, label: str) -> list[Any]:
        table = listing.table
        out: list[Any] = [self._caption(label, table.caption, table.id)]
        if listing.inline:
            out.append(self._grid(table))
            rows = len(table.rows)
        else:
            summary = listing.summary
            if isinstance(summary, Table):
                out.append(RLParagraph(self.text.plain(f"Summary: {summary.caption}"), self.styles.body))
                out.append(self._grid(summary))
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
        return [KeepTogether([_Anchor(figure.id), Spacer(1, 4), image, caption]), Spacer(1, 6)]


def listing_line(listing: Listing) -> str:
    """The line under a listing that names its CSV file.

    >>> from hipectrial.report.document import Column
    >>> rows = tuple((str(i),) for i in range(1234))
    >>> table = Table(columns=(Column(name="n"),), rows=rows, caption="c")
    >>> listing_line(Listing(table=table, name="ae-severe"))
    'Full listing: 1,234 rows in listings/ae-severe.csv'
    >>> listing_line(Listing(table=table, name="ae-severe", inline_limit=2000))
    'The same 1,234 rows as CSV: listings/ae-severe.csv'
    """
    count = len(listing.table.rows)
    rows = f"{count:,} row{'' if count == 1 else 's'}"
    if listing.inline:
        return f"The same {rows} as CSV: {listing.csv_path}"
    return f"Full listing: {rows} in {listing.csv_path}"


def _file_link(href: str, markup: str) -> str:
    """A link to a file beside the report: a relative URI (``listings/x.csv``), which reportlab
    writes as a URI action because it is neither ``#name`` nor ``document:name``."""
    return f'<a href="{href}" color="{LINK}"><u>{markup}</u></a>'


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
    out: list[Any] = [banner]
    if report.data_notice is not None:
        out.extend([Spacer(1, 6), RLTable(
            [[RLParagraph(text.plain(report.data_notice), styles.banner)]], colWidths=[FRAME_WIDTH],
            style=[("BOX", (0, 0), (-1, -1), 1.5, styles.body.textColor, 0, (4, 2)),
                   ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)])])
    out.extend([Spacer(1, 18), RLParagraph(text.plain(report.title), styles.title)])
    if report.subtitle:
        out.append(RLParagraph(text.plain(report.subtitle), styles.subtitle))
    out.extend([facts, Spacer(1, 22)])
    return out


def _running(report: Report, styles: Styles, text: TextSetter, total: _PageTotal,
             pagesize: tuple[float, float]) -> Any:
    header_left = text.plain(f"{report.trial_id} · Protocol {report.protocol_version}")
    header_right = text.plain(report.confidentiality)
    footer_left = text.plain(f"Data cut-off {report.data_cutoff.isoformat()} · generated "
                             f"{generated_text(report)}")
    notice = text.plain(report.data_notice) if report.data_notice is not None else None
    frame_width = pagesize[0] - 2 * MARGIN_X

    def draw(canvas: Any, doc: Any) -> None:
        total.current = doc.page
        of = str(total.previous) if total.previous is not None else "?"
        canvas.saveState()
        half = frame_width / 2
        top = pagesize[1] - MARGIN_TOP + 8
        bottom = MARGIN_BOTTOM - 14
        if notice is not None:  # above the header line, centred, bold: the first thing read
            paragraph = RLParagraph(notice, styles.notice)
            paragraph.wrap(frame_width, 40)
            paragraph.drawOn(canvas, MARGIN_X, top + 12)
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
        canvas.line(MARGIN_X, top - 3, MARGIN_X + frame_width, top - 3)
        canvas.line(MARGIN_X, bottom + 12, MARGIN_X + frame_width, bottom + 12)
        canvas.restoreState()

    return draw


def _paginate(items: list[Any]) -> list[Any]:
    """The story with each change of page template made: a :class:`_Want` of another template
    becomes ``NextPageTemplate`` + ``PageBreak`` (or just the template, before a page break
    that is there anyway); a :class:`_Want` of the current template is dropped."""
    story: list[Any] = []
    current = PORTRAIT_PAGE
    for item in items:
        if not isinstance(item, _Want):
            story.append(item)
            continue
        if item.template == current:
            continue
        current = item.template
        if story and isinstance(story[-1], PageBreak):
            story.insert(len(story) - 1, NextPageTemplate(current))
        else:
            story.extend([NextPageTemplate(current), PageBreak()])
    return story


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
    total = _PageTotal()
    toc = TableOfContents(levelStyles=list(styles.toc_levels), dotsMinLevel=0)
    items: list[Any] = [total, *_title_block(report, styles, text),
                        RLParagraph("Contents", styles.headings[0]), toc]
    for section in report.sections:
        items.append(PageBreak())
        items.extend(builder.section(section))
    if report.appendix:
        items.append(PageBreak())
        items.append(_Want(builder.first_template(report.appendix[0])))
        items.append(_heading("Appendix", styles.headings[0], level=0, outline_text="Appendix",
                              key="report--appendix"))
        for position, section in enumerate(report.appendix):
            if position:
                items.append(PageBreak())
            items.extend(builder.section(section))
    buffer = io.BytesIO()
    doc = _ReportDoc(buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
                     bottomMargin=MARGIN_BOTTOM, title=report.title, subject=report.subtitle,
                     author=report.trial_id, creator="hipectrial", producer="hipectrial (reportlab)",
                     invariant=1, stamp=_Stamp.of(report.generated_at))
    templates = []
    for template_id, pagesize in ((PORTRAIT_PAGE, A4), (LANDSCAPE_PAGE, LANDSCAPE)):
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, pagesize[0] - 2 * MARGIN_X,
                      pagesize[1] - MARGIN_TOP - MARGIN_BOTTOM, id=f"body-{template_id}",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        templates.append(PageTemplate(id=template_id, frames=[frame], pagesize=pagesize,
                                      onPage=_running(report, styles, text, total, pagesize)))
    doc.addPageTemplates(templates)
    doc.multiBuild(_paginate(items), maxPasses=10)
    return buffer.getvalue()
