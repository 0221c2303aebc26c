"""Fonts, paragraph styles and text-to-markup conversion of the PDF report.

Fonts. The PDF is set in DejaVu Sans, the TrueType family matplotlib installs with
itself (``matplotlib/mpl-data/fonts/ttf``): pure pip, no system fonts, embedded as
subsets, and it covers Latin, Greek, Cyrillic and the symbols of trial reports (``≥``,
``±``, ``µ``, ``–``, ``→``, ``✓``, ``⚠``). DejaVu has no Chinese, Japanese or Korean
glyphs: runs of such characters are set in reportlab's built-in CID font
``STSong-Light`` (Adobe-GB1, simplified Chinese). A CID font is *not embedded*: the
viewer supplies the glyphs (Acrobat with its Asian font pack, poppler/pdf.js with their
fallback fonts), so Chinese may look different between viewers. Any other character
neither font can draw (e.g. emoji) is replaced by ``?`` so the report never shows an
empty box or fails to build.

Fonts are registered once per process in reportlab's font registry (a cache of files
that never change, so the output does not depend on it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

from hipectrial.report.markup import Style, parse_inline

SANS = "HipectrialSans"
CJK = "STSong-Light"
_FACES = {SANS: "DejaVuSans.ttf", f"{SANS}-Bold": "DejaVuSans-Bold.ttf",
          f"{SANS}-Italic": "DejaVuSans-Oblique.ttf", f"{SANS}-BoldItalic": "DejaVuSans-BoldOblique.ttf"}

INK = colors.HexColor("#1b1f24")
MUTED = colors.HexColor("#57606a")
RULE = colors.HexColor("#c9ced4")
SHADE = colors.HexColor("#eceef1")
STRIPE = colors.HexColor("#f7f8fa")
LINK = "#0b4f9c"

CELL_SIZE = 8.0  # points: table cells and their headers
CELL_LEADING = 10.0
METRIC_VALUE_SIZE = 12.5  # points: a summary tile's value, before it is shrunk to fit
METRIC_TEXT_SIZE = 8.0  # points: a tile's label, detail and source line


def _font_dir() -> Path:
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def ensure_fonts() -> frozenset[int]:
    """Register the report fonts (once) and return the code points DejaVu Sans can draw."""
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, filename in _FACES.items():
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(_font_dir() / filename)))
    if CJK not in registered:
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))
    pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=f"{SANS}-Bold", italic=f"{SANS}-Italic",
                                  boldItalic=f"{SANS}-BoldItalic")
    # a character counts as drawable only if all four faces have it (bold lacks a few)
    covered: set[int] | None = None
    for name in _FACES:
        font: Any = pdfmetrics.getFont(name)
        codes = set(font.face.charToGlyph)
        covered = codes if covered is None else covered & codes
    return frozenset(covered or ())


def is_cjk(char: str) -> bool:
    """Whether ``char`` is a CJK ideograph, kana, hangul or CJK/full-width punctuation."""
    code = ord(char)
    return (0x2E80 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF
            or 0xFE30 <= code <= 0xFE4F or 0xFF00 <= code <= 0xFFEF or 0x20000 <= code <= 0x3FFFF)


def flatten(text: str) -> str:
    r"""Text as the PDF sets it: tabs and newlines as spaces, the narrow no-break space
    (U+202F) as a no-break space (U+00A0).

    reportlab breaks lines at U+202F (it is in its list of white space) but never at
    U+00A0, so a number and its unit joined by either stay on one line.

    >>> flatten("41.9\u202f%\tn = 3\n")
    '41.9\xa0% n = 3 '
    """
    return text.replace("\t", " ").replace("\n", " ").replace("\u202f", "\xa0")


def text_width(text: str, *, font: str, covered: frozenset[int]) -> float:
    """Width in points at 1 pt of ``text`` as :class:`TextSetter` sets it in ``font``.

    CJK characters the font lacks are measured in the CID font, other missing characters
    as the ``?`` that replaces them. Widths scale with the font size.
    """
    if all(ord(char) in covered for char in text):
        return float(pdfmetrics.stringWidth(text, font, 1))
    total = 0.0
    for char in text:
        if ord(char) in covered:
            total += pdfmetrics.stringWidth(char, font, 1)
        elif is_cjk(char):
            total += pdfmetrics.stringWidth(char, CJK, 1)
        else:
            total += pdfmetrics.stringWidth("?", font, 1)
    return total


@dataclass(frozen=True, slots=True)
class TextSetter:
    """Turns report strings into reportlab paragraph markup, escaped and font-switched."""

    covered: frozenset[int]

    def plain(self, text: str) -> str:
        """``text`` escaped (``&``, ``<``, ``>``), CJK runs in the CID font, the rest DejaVu."""
        out: list[str] = []
        cjk_run: list[str] = []
        for char in flatten(text):
            if ord(char) not in self.covered and is_cjk(char):
                cjk_run.append(char)
                continue
            if cjk_run:
                out.append(f'<font name="{CJK}">{escape("".join(cjk_run))}</font>')
                cjk_run = []
            out.append(escape(char) if ord(char) in self.covered else "?")
        if cjk_run:
            out.append(f'<font name="{CJK}">{escape("".join(cjk_run))}</font>')
        return "".join(out)

    def prose(self, text: str) -> str:
        """Like :meth:`plain`, with the inline markup as ``<b>`` and ``<i>``."""
        parts: list[str] = []
        for run in parse_inline(text):
            inner = self.plain(run.text)
            if run.style is Style.BOLD:
                inner = f"<b>{inner}</b>"
            elif run.style is Style.ITALIC:
                inner = f"<i>{inner}</i>"
            parts.append(inner)
        return "".join(parts)


def link(target: str, markup: str) -> str:
    """Markup as an internal link to the bookmark ``target`` (a slug, so safe unescaped)."""
    return f'<a href="#{target}" color="{LINK}"><u>{markup}</u></a>'


def _style(name: str, **values: Any) -> Any:
    base: dict[str, Any] = {"fontName": SANS, "fontSize": 9.5, "leading": 13.5, "textColor": INK}
    base.update(values)
    return ParagraphStyle(name, **base)


@dataclass(frozen=True, slots=True)
class Styles:
    """Every paragraph style the PDF uses."""

    body: Any
    bullet: Any
    title: Any
    subtitle: Any
    banner: Any
    headings: tuple[Any, Any, Any]
    toc_levels: tuple[Any, Any, Any, Any]
    caption: Any
    note: Any
    cell: dict[str, Any]
    header_cell: dict[str, Any]
    metric_label: Any
    metric_value: Any
    metric_detail: Any
    running: Any
    running_right: Any
    notice: Any
    notice_inline: Any
    meta_key: Any

    def table_cells(self, size: float) -> tuple[dict[str, Any], dict[str, Any]]:
        """Cell and header-cell styles by alignment at ``size`` points (8 pt: the usual ones)."""
        if size == CELL_SIZE:
            return self.cell, self.header_cell
        leading = size * CELL_LEADING / CELL_SIZE
        cell = {key: ParagraphStyle(f"{style.name}-{size:g}", parent=style, fontSize=size, leading=leading)
                for key, style in self.cell.items()}
        header = {key: ParagraphStyle(f"{style.name}-{size:g}", parent=style, fontSize=size, leading=leading)
                  for key, style in self.header_cell.items()}
        return cell, header


def make_styles() -> Styles:
    """The paragraph styles of the PDF report (fonts must be registered first)."""
    aligns = {"left": TA_LEFT, "right": TA_RIGHT, "center": TA_CENTER}
    return Styles(
        body=_style("body", spaceAfter=5),
        bullet=_style("bullet", leftIndent=14, bulletIndent=3, spaceAfter=2),
        title=_style("title", fontName=f"{SANS}-Bold", fontSize=22, leading=27, spaceAfter=6),
        subtitle=_style("subtitle", fontSize=13, leading=17, textColor=MUTED, spaceAfter=14),
        banner=_style("banner", fontName=f"{SANS}-Bold", fontSize=10, leading=13, alignment=TA_CENTER),
        headings=(
            _style("h1", fontName=f"{SANS}-Bold", fontSize=15, leading=19, spaceBefore=4, spaceAfter=8,
                   keepWithNext=True),
            _style("h2", fontName=f"{SANS}-Bold", fontSize=12, leading=15, spaceBefore=10, spaceAfter=5,
                   keepWithNext=True),
            _style("h3", fontName=f"{SANS}-Bold", fontSize=10.5, leading=13.5, spaceBefore=8,
                   spaceAfter=4, keepWithNext=True),
        ),
        toc_levels=(
            _style("toc0", fontName=f"{SANS}-Bold", fontSize=10, leading=14, leftIndent=0,
                   firstLineIndent=0, spaceBefore=4),
            _style("toc1", fontSize=9.5, leading=12.5, leftIndent=16, firstLineIndent=0),
            _style("toc2", fontSize=9, leading=12, leftIndent=32, firstLineIndent=0),
            _style("toc3", fontSize=9, leading=12, leftIndent=48, firstLineIndent=0),
        ),
        caption=_style("caption", fontSize=9, leading=12, spaceBefore=6, spaceAfter=4),
        note=_style("note", fontSize=7.5, leading=10, textColor=MUTED, spaceBefore=3, spaceAfter=8),
        cell={key: _style(f"cell-{key}", fontSize=CELL_SIZE, leading=CELL_LEADING, alignment=value)
              for key, value in aligns.items()},
        header_cell={key: _style(f"head-{key}", fontName=f"{SANS}-Bold", fontSize=CELL_SIZE,
                                 leading=CELL_LEADING, alignment=value) for key, value in aligns.items()},
        metric_label=_style("metric-label", fontSize=METRIC_TEXT_SIZE, leading=10, textColor=MUTED),
        metric_value=_style("metric-value", fontName=f"{SANS}-Bold", fontSize=METRIC_VALUE_SIZE, leading=16),
        metric_detail=_style("metric-detail", fontSize=METRIC_TEXT_SIZE, leading=10.5),
        running=_style("running", fontSize=7.5, leading=9, textColor=MUTED),
        running_right=_style("running-right", fontSize=7.5, leading=9, textColor=MUTED, alignment=TA_RIGHT),
        notice=_style("notice", fontName=f"{SANS}-Bold", fontSize=8.5, leading=10.5, alignment=TA_CENTER),
        notice_inline=_style("notice-inline", fontName=f"{SANS}-Bold", fontSize=9, leading=12, borderWidth=1,
                             borderColor=INK, borderPadding=(3, 4, 4), spaceBefore=2, spaceAfter=10),
        meta_key=_style("meta-key", fontName=f"{SANS}-Bold", fontSize=9.5, leading=13.5),
    )
