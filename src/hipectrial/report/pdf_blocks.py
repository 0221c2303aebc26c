"""Flowables of the PDF report's composite blocks: tables, metric grids and callouts."""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from hipectrial.report.document import Callout, CalloutKind, MetricGrid, Table, cell_text
from hipectrial.report.pdf_styles import INK, RULE, SHADE, STRIPE, Styles, TextSetter, link

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


def metric_grid(grid: MetricGrid, *, styles: Styles, setter: TextSetter, labels: dict[str, str],
                width: float) -> Any:
    """Boxes of headline numbers, up to three a row, with links to the records behind them."""
    per_row = min(3, len(grid.metrics))
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
            content = [RLParagraph(setter.plain(metric.label), styles.metric_label),
                       RLParagraph(link(metric.link, value) if metric.link else value, styles.metric_value)]
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


def table_column_widths(table: Table, width: float) -> list[float]:
    """Column widths proportional to each column's longest text, clamped to 4–40 characters."""
    weights = []
    for position, column in enumerate(table.columns):
        longest = max([min(len(column.name), 14), *(len(cell_text(row[position])) for row in table.rows)])
        weights.append(min(max(longest, 4), 40))
    total = sum(weights)
    return [width * weight / total for weight in weights]


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
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
