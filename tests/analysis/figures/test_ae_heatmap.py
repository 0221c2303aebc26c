"""Adverse-event heat map (hipectrial.analysis.figures.ae_heatmap)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from matplotlib.colors import to_rgb
from matplotlib.patches import Rectangle

from hipectrial.analysis.figures import AeCell, Figure, ae_heatmap, heat_cells
from hipectrial.errors import InputError

CELLS = [
    AeCell(term="Nausea", grade=1, count=18), AeCell(term="Nausea", grade=2, count=6),
    AeCell(term="Neutrophil count decreased", grade=3, count=8), AeCell(term="Neutrophil count decreased", grade=4, count=2),
    AeCell(term="Neutrophil count decreased", grade=2, count=9),
    AeCell(term="Anemia", grade=1, count=3), AeCell(term="Pneumonitis", grade=5, count=1),
    AeCell(term="Fatigue", grade=1, count=3),
]


def luminance(color: object) -> float:
    """Relative luminance (ITU-R BT.709 weights) of a Matplotlib colour; grays give their level."""
    r, g, b = to_rgb(color)  # type: ignore[arg-type]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.fixture(scope="module")
def figure() -> Figure:
    return ae_heatmap(CELLS, title="Adverse events by grade")


def test_renders_terms_grades_and_every_count(figure: Figure, rendered: Callable[[Figure], tuple[bytes, str]]) -> None:
    _, svg = rendered(figure)
    for text in ("Adverse events by grade", "Nausea", "Neutrophil count decreased", "Pneumonitis",
                 "Grade 1", "Grade 5", "Total", "CTCAE v5.0 term"):
        assert text in svg
    for count in ("18", "6", "24", "8", "9", "19"):
        assert f">{count}<" in svg


def test_rows_by_total_count_then_alphabetically(figure: Figure) -> None:
    rows = [t.get_text() for t in figure.figure.axes[0].get_yticklabels()]
    assert rows == ["Nausea", "Neutrophil count decreased", "Anemia", "Fatigue", "Pneumonitis"]


def test_rows_follow_given_terms_with_zeros_for_terms_without_cells() -> None:
    terms = ["Pneumonitis", "Anemia", "Fatigue", "Nausea", "Neutrophil count decreased", "Diarrhea"]
    cells = heat_cells(CELLS, terms=terms)
    assert [c.term for c in cells[::6]] == terms
    assert [c.count for c in cells if c.term == "Diarrhea"] == [0, 0, 0, 0, 0, 0]
    assert [c.count for c in cells if c.term == "Neutrophil count decreased"] == [0, 9, 8, 2, 0, 19]


def test_darker_cells_for_larger_counts(figure: Figure) -> None:
    cells = [c for c in heat_cells(CELLS) if c.column != "Total"]
    by_count = sorted(cells, key=lambda c: c.count)
    assert [c.luminance for c in by_count] == sorted((c.luminance for c in by_count), reverse=True)
    assert by_count[0].luminance == 1.0


def test_cell_text_contrasts_with_its_drawn_background(figure: Figure) -> None:
    ax = figure.figure.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, Rectangle)]
    texts = [t for t in ax.texts if t.get_text().isdigit()]
    assert len(boxes) == len(texts) == 5 * 6
    colors = set()
    for box, text in zip(boxes, texts, strict=True):
        x, y = text.get_position()
        assert box.contains_point(ax.transData.transform((x, y)))
        background, foreground = luminance(box.get_facecolor()), luminance(text.get_color())
        assert abs(background - foreground) >= 0.5, text.get_text()
        colors.add(text.get_color())
    assert colors == {"black", "white"}, "the darkest cells carry white text"


def test_deterministic(figure: Figure) -> None:
    again = ae_heatmap(list(reversed(CELLS)), title="Adverse events by grade")
    assert again.svg() == figure.svg()
    assert again.png() == figure.png()


def test_legible(figure: Figure, legible: Callable[[Figure], None]) -> None:
    legible(figure)


@pytest.mark.parametrize(("cell", "field", "phrase"), [
    (AeCell("Nausea", 0, 1), "cells[0].grade", "grade 1 to 5"),
    (AeCell("Nausea", 6, 1), "cells[0].grade", "grade 1 to 5"),
    (AeCell("Nausea", True, 1), "cells[0].grade", "grade 1 to 5"),  # type: ignore[arg-type]
    (AeCell("Nausea", 2, -1), "cells[0].count", "whole number >= 0"),
    (AeCell("Nausea", 2, 1.5), "cells[0].count", "whole number >= 0"),  # type: ignore[arg-type]
    (AeCell("", 2, 1), "cells[0].term", "non-blank"),
])
def test_rejects_invalid_cells(cell: AeCell, field: str, phrase: str) -> None:
    with pytest.raises(InputError, match=phrase) as caught:
        ae_heatmap([cell], title="AEs")
    assert caught.value.field == field


def test_rejects_two_cells_for_one_term_and_grade() -> None:
    with pytest.raises(InputError, match="one cell per term and grade") as caught:
        ae_heatmap([AeCell("Nausea", 2, 1), AeCell("Nausea", 2, 3)], title="AEs")
    assert caught.value.field == "cells[1]"


def test_rejects_terms_that_miss_or_repeat_a_term() -> None:
    with pytest.raises(InputError, match="every term that has cells") as caught:
        ae_heatmap(CELLS, title="AEs", terms=["Nausea"])
    assert caught.value.field == "terms"
    with pytest.raises(InputError, match="each term once") as caught:
        ae_heatmap(CELLS, title="AEs", terms=["Nausea", "Nausea"])
    assert caught.value.field == "terms"


def test_rejects_no_terms_at_all() -> None:
    with pytest.raises(InputError, match="at least one cell") as caught:
        ae_heatmap([], title="AEs")
    assert caught.value.field == "cells"
