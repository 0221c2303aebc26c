"""Page machinery of the PDF report: A4 portrait and landscape templates, the running header
and footer (with the data notice), the title block, page totals, the document's dates, and
the switch to landscape pages and back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Flowable, NextPageTemplate, PageBreak, Spacer
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable
from reportlab.platypus.doctemplate import IndexingFlowable

from hipectrial.report.document import Report
from hipectrial.report.outline import cutoff_text, generated_text
from hipectrial.report.pdf_styles import Styles, TextSetter

MARGIN_X = 20 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 22 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN_X
FRAME_HEIGHT = A4[1] - MARGIN_TOP - MARGIN_BOTTOM
LANDSCAPE = landscape(A4)
LANDSCAPE_FRAME_WIDTH = LANDSCAPE[0] - 2 * MARGIN_X
PORTRAIT_PAGE = "page"  # the page templates' ids
LANDSCAPE_PAGE = "landscape"

class PageTotal(IndexingFlowable):  # type: ignore[misc]  # reportlab has no type hints
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


class NamedDestination(Flowable):  # type: ignore[misc]
    """A zero-size named destination (for figures, whose caption sits below the image)."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        self.canv.bookmarkHorizontal(self.key, 0, 12)


@dataclass(frozen=True, slots=True)
class Want:
    """A story marker (not a flowable): what follows is set on pages of this template."""

    template: str


@dataclass(frozen=True, slots=True)
class Stamp:
    """The time stamp reportlab writes as CreationDate and ModDate (its ``TimeStamp``'s fields)."""

    t: float
    YMDhms: tuple[int, int, int, int, int, int]  # reportlab's name
    dhh: int
    dmm: int

    @classmethod
    def of(cls, moment: datetime) -> Stamp:
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


class ReportDoc(BaseDocTemplate):  # type: ignore[misc]
    """Registers TOC entries and outline entries for headings as they are laid out, and
    dates the document (every pass makes a new canvas, so every pass dates it)."""

    def __init__(self, *args: Any, stamp: Stamp, **kwargs: Any) -> None:
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


def heading_paragraph(markup: str, style: Any, *, level: int, outline_text: str, key: str) -> Any:
    paragraph = RLParagraph(f'<a name="{key}"/>{markup}', style)
    paragraph.hipectrial_heading = (level, markup, outline_text, key)
    return paragraph


def title_block(report: Report, styles: Styles, text: TextSetter) -> list[Any]:
    meta = [("Trial", report.trial_id), ("Protocol version", report.protocol_version),
            ("Data cut-off", cutoff_text(report)), ("Generated", generated_text(report))]
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


def running(report: Report, styles: Styles, text: TextSetter, total: PageTotal,
             pagesize: tuple[float, float]) -> Any:
    header_left = text.plain(f"{report.trial_id} · Protocol {report.protocol_version}")
    header_right = text.plain(report.confidentiality)
    footer_left = text.plain(f"Data cut-off {cutoff_text(report)} · generated "
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


def paginate(items: list[Any]) -> list[Any]:
    """The story with each change of page template made: a :class:`Want` of another template
    becomes ``NextPageTemplate`` + ``PageBreak`` (or just the template, before a page break
    that is there anyway); a :class:`Want` of the current template is dropped."""
    story: list[Any] = []
    current = PORTRAIT_PAGE
    for item in items:
        if not isinstance(item, Want):
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
