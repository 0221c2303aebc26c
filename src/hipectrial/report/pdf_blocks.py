"""Flowables of the PDF report's composite blocks: tables, metric grids and callouts, and
the widths that keep every word, id, date and number of a table or tile on one line.

A *token* is text between the places reportlab may break a line: the white space of
:data:`BREAKABLE` (which has neither the no-break space U+00A0 nor, once
:func:`~hipectrial.report.pdf_styles.flatten` has turned it into one, U+202F). A column is
never narrower than its widest token (cells and header) plus the cell padding, so reportlab
never has to split a token; a tile's value is set at the size where its widest token fits.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from hipectrial.errors import InputError
from hipectrial.report.document import Callout, CalloutKind, MetricGrid, Table, cell_text
from hipectrial.report.pdf_styles import (
    CELL_LEADING,
    CELL_SIZE,
    INK,
    METRIC_TEXT_SIZE,
    METRIC_VALUE_SIZE,
    RULE,
    SANS,
    SHADE,
    STRIPE,
    Styles,
    TextSetter,
    flatten,
    link,
    text_width,
)

# reportlab.platypus.paragraph._wsc: the characters a paragraph breaks lines at
BREAKABLE = re.compile("[\t\n\x0b\x0c\r\x1c-\x1f \x85\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000]+")
CELL_PADDING = 4.0  # points left and right of a cell's text (table_style)
_SLACK = 0.5  # points added to a minimum width against rounding in reportlab's line filling
# A table too wide for a portrait page goes landscape at 8 pt, then shrinks in these steps;
# 6 pt is the smallest a DejaVu Sans table stays readable printed on A4.
FONT_STEPS = (CELL_SIZE, 7.5, 7.0, 6.5, 6.0)
_METRIC_PADDING = 7.0  # points left and right inside a tile
_METRIC_VALUE_FLOOR = 9.0  # points: below this a tile's value gets a wider tile instead

# Icon (a glyph DejaVu Sans has), word, and box of each callout kind. The boxes differ by
# line width, dash and count (single / double), so they stay distinct without colour.
CALLOUTS: dict[CalloutKind, tuple[str, str, list[tuple[Any, ...]], str]] = {
    CalloutKind.INFO: ("ℹ", "INFO", [("BOX", (0, 0), (-1, -1), 0.75, INK)], "#eef4fb"),
    CalloutKind.OK: ("✓", "OK", [("BOX", (0, 0), (-1, -1), 2, INK)], "#eef8f0"),
    CalloutKind.WARNING: ("⚠", "WARNING", [("BOX", (0, 0), (-1, -1), 1.8, INK, 0, (5, 3))], "#fff8e6"),
    CalloutKind.STOP: ("✖", "STOP", [("BOX", (0, 0), (-1, -1), 1.2, INK, 0, None, 0, 2, 2)], "#fdecec"),
}

_METRIC_GAP = 8.0


def callout_box(callout: Callout, *, styles: Styles, setter: TextSetter, width: float) -> Any:
    """A one-cell table: the icon, the kind word and the title in bold, then the text."""
    icon, word, box, background = CALLOUTS[callout.kind]
    head = RLParagraph(f"<b>{icon} {word}: {setter.plain(callout.title)}</b>", styles.body)
    content: list[Any] = [head]
    if callout.text:
        content.append(RLParagraph(setter.prose(callout.text), styles.body))
    return RLTable([[content]], colWidths=[width], hAlign="LEFT",
                   style=[*box, ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(background)),
                          ("LEFTPADDING", (0, 0), (-1, -1), 9), ("RIGHTPADDING", (0, 0), (-1, -1), 9),
                          ("TOPPADDING", (0, 0), (-1, -1), 7), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)])


def tokens(text: str) -> list[str]:
    r"""The pieces of ``text`` a line is never broken inside.

    >>> tokens("SH01-001  41.9\xa0%  2028-04-06")
    ['SH01-001', '41.9\xa0%', '2028-04-06']
    """
    return [token for token in BREAKABLE.split(flatten(text)) if token]


def widest_token(text: str, *, font: str, covered: frozenset[int]) -> float:
    """Width at 1 pt of the widest token of ``text`` (0 for blank text)."""
    return max((text_width(token, font=font, covered=covered) for token in tokens(text)), default=0.0)


@dataclass(frozen=True, slots=True)
class TableFit:
    """How a table is set: column widths (points), the font size, and the page orientation."""

    widths: tuple[float, ...]
    font_size: float
    landscape: bool


@dataclass(frozen=True, slots=True)
class _ColumnNeeds:
    """A column's widths at 1 pt: its widest token (minimum) and its widest cell or half its
    header (natural)."""

    minimum: float
    natural: float


def _column_needs(table: Table, covered: frozenset[int]) -> list[_ColumnNeeds]:
    needs = []
    for position, column in enumerate(table.columns):
        bold = f"{SANS}-Bold"
        minimum = widest_token(column.name, font=bold, covered=covered)
        # a header may take two lines before its column takes room from the others
        natural = max(minimum, text_width(" ".join(tokens(column.name)), font=bold, covered=covered) / 2)
        seen: set[str] = set()
        for row in table.rows:
            text = " ".join(tokens(cell_text(row[position])))
            if text in seen:
                continue
            seen.add(text)
            minimum = max(minimum, widest_token(text, font=SANS, covered=covered))
            natural = max(natural, text_width(text, font=SANS, covered=covered))
        needs.append(_ColumnNeeds(minimum=minimum, natural=natural))
    return needs


def column_widths(needs: Sequence[_ColumnNeeds], *, size: float, width: float) -> tuple[float, ...] | None:
    """Widths filling ``width``, each column at least its widest token; ``None`` if they cannot fit.

    Every column gets its minimum; what is left goes to the columns in proportion to what
    their widest cell wants beyond that minimum, or, when every cell fits on one line, in
    proportion to the widest cells.
    """
    pad = 2 * CELL_PADDING
    minimum = [need.minimum * size + pad + _SLACK for need in needs]
    natural = [max(need.natural * size + pad + _SLACK, low) for need, low in zip(needs, minimum, strict=True)]
    if sum(minimum) > width:
        return None
    if sum(natural) <= width:
        return tuple(n * width / sum(natural) for n in natural)
    spare = width - sum(minimum)
    wants = [n - m for n, m in zip(natural, minimum, strict=True)]
    return tuple(m + spare * w / sum(wants) for m, w in zip(minimum, wants, strict=True))


def fit_table(table: Table, *, covered: frozenset[int], portrait_width: float, landscape_width: float
              ) -> TableFit:
    """Where and how ``table`` is set so that no token is broken.

    Portrait at 8 pt when the columns' minimum widths fit the portrait frame; otherwise
    landscape, at 8 pt or the largest of :data:`FONT_STEPS` at which they fit.

    Raises
    ------
    InputError
        ``table``: when even landscape at 6 pt cannot hold the widest tokens side by side.
    """
    needs = _column_needs(table, covered)
    widths = column_widths(needs, size=CELL_SIZE, width=portrait_width)
    if widths is not None:
        return TableFit(widths=widths, font_size=CELL_SIZE, landscape=False)
    for size in FONT_STEPS:
        widths = column_widths(needs, size=size, width=landscape_width)
        if widths is not None:
            return TableFit(widths=widths, font_size=size, landscape=True)
    floor = FONT_STEPS[-1]
    needed = sum(need.minimum * floor + 2 * CELL_PADDING + _SLACK for need in needs)
    widest = ", ".join(f"{column.name!r} {need.minimum * floor:.0f} pt"
                       for column, need in zip(table.columns, needs, strict=True))
    raise InputError("table", table.id or table.caption,
                     f"a table whose longest words fit side by side across a landscape A4 page at "
                     f"{floor:g} pt ({landscape_width:.0f} pt)",
                     hint=f"its columns need {needed:.0f} pt (widest word per column: {widest}); split "
                          "the table or shorten the unbreakable texts")


@dataclass(frozen=True, slots=True)
class GridFit:
    """How a metric grid is set: tiles per row and each metric's value size in points."""

    per_row: int
    value_sizes: tuple[float, ...]


def fit_metric_grid(grid: MetricGrid, *, covered: frozenset[int], labels: dict[str, str], width: float
                    ) -> GridFit:
    """Tiles per row (3 at most) and value sizes such that no tile breaks a token.

    A value is set at 12.5 pt, or smaller down to 9 pt where its widest token needs it;
    when a value would need less than 9 pt, or a label, detail or source line has a token
    wider than the tile at 8 pt, the grid has fewer tiles per row.

    Raises
    ------
    InputError
        ``metrics[i]``: a token too wide even for a tile as wide as the page.
    """
    bold = f"{SANS}-Bold"
    value_tokens = [widest_token(m.value, font=bold, covered=covered) for m in grid.metrics]
    text_tokens = [max(widest_token(text, font=SANS, covered=covered)
                       for text in (m.label, m.detail or "", f"Records: {labels[m.link]}" if m.link else ""))
                   for m in grid.metrics]
    for per_row in range(min(3, len(grid.metrics)), 0, -1):
        inner = (width - _METRIC_GAP * (per_row - 1)) / per_row - 2 * _METRIC_PADDING - _SLACK
        sizes = tuple(METRIC_VALUE_SIZE if token == 0 else min(METRIC_VALUE_SIZE, inner / token)
                      for token in value_tokens)
        if min(sizes) >= _METRIC_VALUE_FLOOR and max(text_tokens) * METRIC_TEXT_SIZE <= inner:
            # rounded down to 0.01 pt, so that a rounded size still fits
            return GridFit(per_row=per_row, value_sizes=tuple(math.floor(size * 100) / 100 for size in sizes))
    worst = max(range(len(grid.metrics)),
                key=lambda i: max(value_tokens[i] * _METRIC_VALUE_FLOOR, text_tokens[i] * METRIC_TEXT_SIZE))
    raise InputError(f"metrics[{worst}]", grid.metrics[worst].value,
                     f"a metric whose words fit a tile as wide as the page ({width:.0f} pt)",
                     hint="shorten the unbreakable text (a long id or number without spaces)")


def metric_grid(grid: MetricGrid, *, styles: Styles, setter: TextSetter, labels: dict[str, str],
                width: float) -> Any:
    """Boxes of headline numbers, up to three a row, with links to the records behind them."""
    fit = fit_metric_grid(grid, covered=setter.covered, labels=labels, width=width)
    per_row = fit.per_row
    box_width = (width - _METRIC_GAP * (per_row - 1)) / per_row
    rows: list[list[Any]] = []
    commands: list[tuple[Any, ...]] = [("VALIGN", (0, 0), (-1, -1), "TOP"),
                                       ("LEFTPADDING", (0, 0), (-1, -1), 7),
                                       ("RIGHTPADDING", (0, 0), (-1, -1), 7)]
    for start in range(0, len(grid.metrics), per_row):
        if rows:
            rows.append([""] * (2 * per_row - 1))  # a gap row between rows of boxes
        row: list[Any] = []
        for position in range(per_row):
            if position:
                row.append("")
            if start + position >= len(grid.metrics):
                row.append("")
                continue
            metric = grid.metrics[start + position]
            value = setter.plain(metric.value)
            size = fit.value_sizes[start + position]
            value_style = styles.metric_value
            if size != METRIC_VALUE_SIZE:
                value_style = ParagraphStyle(f"metric-value-{size:g}", parent=value_style, fontSize=size,
                                             leading=value_style.leading * size / METRIC_VALUE_SIZE)
            content = [RLParagraph(setter.plain(metric.label), styles.metric_label),
                       RLParagraph(link(metric.link, value) if metric.link else value, value_style)]
            if metric.detail is not None:
                content.append(RLParagraph(setter.plain(metric.detail), styles.metric_detail))
            if metric.link is not None:
                label = setter.plain(f"Records: {labels[metric.link]}")
                content.append(RLParagraph(link(metric.link, label), styles.metric_detail))
            column = 2 * position
            commands.append(("BOX", (column, len(rows)), (column, len(rows)), 0.9, INK))
            row.append(content)
        rows.append(row)
    column_widths = [box_width if index % 2 == 0 else _METRIC_GAP for index in range(2 * per_row - 1)]
    row_heights = [_METRIC_GAP if index % 2 else None for index in range(len(rows))]
    return RLTable(rows, colWidths=column_widths, rowHeights=row_heights, style=commands, hAlign="LEFT")


def table_style(row_count: int) -> list[tuple[Any, ...]]:
    """Shaded header with a rule under it, zebra rows, a closing rule; cells top-aligned."""
    return [
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("LINEBELOW", (0, row_count - 1), (-1, row_count - 1), 0.8, INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]


def string_cell_style(aligns: Sequence[str], size: float) -> list[tuple[Any, ...]]:
    """Font, size, leading, colour and alignment of the body cells given as plain strings
    (paragraph cells carry their own style and ignore these)."""
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 1), (-1, -1), SANS),
        ("FONTSIZE", (0, 1), (-1, -1), size),
        ("LEADING", (0, 1), (-1, -1), size * CELL_LEADING / CELL_SIZE),
        ("TEXTCOLOR", (0, 1), (-1, -1), INK),
    ]
    for position, align in enumerate(aligns):
        if align != "left":
            commands.append(("ALIGN", (position, 1), (position, -1), align.upper()))
    return commands
