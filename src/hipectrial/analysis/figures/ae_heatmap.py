"""Adverse-event heat map: CTCAE terms by grade, each cell shaded and its count printed.

Shading is gray (darker = more), and every count is printed in black or white, whichever
contrasts with the cell, so the figure needs no colour and no colour bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral

from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from hipectrial.analysis.figures import _checks as check
from hipectrial.analysis.figures.render import Figure, freeze_layout, new_figure, styled
from hipectrial.analysis.figures.style import SMALL_PT, contrasting_text
from hipectrial.errors import InputError

GRADES: tuple[int, ...] = (1, 2, 3, 4, 5)
#: Gray level (relative luminance) of the darkest cell; an empty cell is white (1.0).
_DARKEST = 0.15


@dataclass(frozen=True, slots=True)
class AeCell:
    """How many events (or participants) had ``term`` at ``grade``.

    Attributes
    ----------
    term : str
        CTCAE v5.0 term, e.g. ``"Neutrophil count decreased"``.
    grade : int
        CTCAE grade, 1 to 5.
    count : int
        >= 0.
    """

    term: str
    grade: int
    count: int


@dataclass(frozen=True, slots=True)
class HeatCell:
    """One drawn cell: its shade (relative luminance, 1 = white) and the text colour on it."""

    term: str
    column: str
    count: int
    luminance: float
    text_color: str


def ae_heatmap(cells: Sequence[AeCell], *, title: str, terms: Sequence[str] | None = None) -> Figure:
    """Draw terms (rows) by grade 1-5 (columns) plus a total column, counts printed in the cells.

    Parameters
    ----------
    cells : sequence of AeCell
        At most one per (term, grade); missing cells count 0.
    title : str
        The title.
    terms : sequence of str, optional
        Row order; must include every term in ``cells`` (terms without cells show zeros).
        Default: by total count, largest first, ties alphabetically.

    Returns
    -------
    Figure
        ``kind="ae-heatmap"``; 6.7 inches wide, 0.26 inch per term.

    Raises
    ------
    InputError
        A grade outside 1-5, a count that is not a whole number >= 0, two cells for the same
        term and grade, ``terms`` that repeat or miss a term, no term at all.

    Examples
    --------
    >>> cells = [AeCell(term="Nausea", grade=1, count=7), AeCell(term="Nausea", grade=3, count=1),
    ...          AeCell(term="Anemia", grade=2, count=3)]
    >>> [cell.count for cell in heat_cells(cells)[:6]]
    [7, 0, 1, 0, 0, 8]
    """
    check.text("title", title)
    table = _table(cells, terms)
    shaded = heat_cells(cells, terms=terms)
    with styled():
        figure = new_figure(height_in=1.35 + 0.26 * len(table))
        ax = figure.add_subplot()
        _draw(ax, list(table), shaded)
        figure.suptitle(title, x=0.02, ha="left")
        freeze_layout(figure)
    return Figure(kind="ae-heatmap", title=title, figure=figure)


def heat_cells(cells: Sequence[AeCell], *, terms: Sequence[str] | None = None) -> list[HeatCell]:
    """The cells as drawn, row by row: grades 1-5 then ``Total`` for each term.

    Grade cells are shaded in proportion to the largest grade count; the total column is
    white. Exposed so the shading and text contrast can be checked without reading pixels.
    """
    table = _table(cells, terms)
    largest = max([1, *(n for row in table.values() for n in row)])
    out = []
    for term, row in table.items():
        for grade, n in zip(GRADES, row, strict=True):
            luminance = 1.0 - (1.0 - _DARKEST) * n / largest
            out.append(HeatCell(term, str(grade), n, luminance, contrasting_text(luminance=luminance)))
        out.append(HeatCell(term, "Total", sum(row), 1.0, "black"))
    return out


def _table(cells: object, terms: object) -> dict[str, list[int]]:
    counts: dict[str, list[int]] = {}
    seen: set[tuple[str, int]] = set()
    for i, value in enumerate(check.items("cells", cells, non_empty=False)):
        field = f"cells[{i}]"
        cell = check.instance(field, value, AeCell)
        term = check.text(f"{field}.term", cell.term)
        grade = cell.grade
        if isinstance(grade, bool) or not isinstance(grade, Integral) or int(grade) not in GRADES:
            raise InputError(f"{field}.grade", grade, "a CTCAE grade 1 to 5")
        n = check.count(f"{field}.count", cell.count)
        if (term, int(grade)) in seen:
            raise InputError(field, (term, int(grade)), "one cell per term and grade",
                             hint="add the counts up before drawing")
        seen.add((term, int(grade)))
        counts.setdefault(term, [0] * len(GRADES))[int(grade) - 1] = n
    if terms is None:
        if not counts:
            raise InputError("cells", cells, "at least one cell (or give terms)")
        order = sorted(counts, key=lambda t: (-sum(counts[t]), t))
    else:
        order = [check.text(f"terms[{i}]", t) for i, t in enumerate(check.items("terms", terms))]
        repeated = sorted({t for t in order if order.count(t) > 1})
        if repeated:
            raise InputError("terms", repeated, "each term once")
        missing = [t for t in counts if t not in order]
        if missing:
            raise InputError("terms", order, "every term that has cells",
                             hint=f"missing {missing}")
    return {term: counts.get(term, [0] * len(GRADES)) for term in order}


def _draw(ax: Axes, terms: list[str], shaded: list[HeatCell]) -> None:
    columns = [str(g) for g in GRADES] + ["Total"]
    for k, cell in enumerate(shaded):
        row, col = divmod(k, len(columns))
        x = col + (0.25 if cell.column == "Total" else 0.0)
        ax.add_patch(Rectangle((x - 0.5, row - 0.5), 1, 1, facecolor=str(round(cell.luminance, 4)),
                               edgecolor="0.6", linewidth=0.5))
        ax.text(x, row, str(cell.count), ha="center", va="center", fontsize=SMALL_PT + 1,
                color=cell.text_color, fontweight="bold" if cell.column == "Total" else "normal")
    ax.set_xlim(-0.52, len(columns) - 0.23)
    ax.set_ylim(len(terms) - 0.48, -0.52)
    ax.set_xticks([*range(len(GRADES)), len(GRADES) + 0.25], [f"Grade {c}" for c in columns[:-1]] + ["Total"])
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(terms)), terms)
    ax.tick_params(axis="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    # Header of the term column, level with the grade headers.
    ax.annotate("CTCAE v5.0 term", xy=(0, 1), xycoords="axes fraction", xytext=(-4, 3.5),
                textcoords="offset points", ha="right", va="bottom", fontsize=SMALL_PT,
                fontweight="bold")
