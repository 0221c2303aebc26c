"""Waterfall plot (hipectrial.analysis.figures.waterfall)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from matplotlib.patches import Rectangle

from hipectrial.analysis.figures import Figure, WaterfallBar, waterfall_plot
from hipectrial.errors import InputError

BARS = [
    WaterfallBar(participant_id="P1", best_change_pct=-35.0, category="PR"),
    WaterfallBar(participant_id="P2", best_change_pct=25.0, category="PD"),
    WaterfallBar(participant_id="P3", best_change_pct=-100.0, category="CR"),
    WaterfallBar(participant_id="P4", best_change_pct=-10.0, category="SD"),
    WaterfallBar(participant_id="P5", best_change_pct=-50.0, category="PR"),
    WaterfallBar(participant_id="P6", best_change_pct=0.0, category="NE"),
]


def bars_of(figure: Figure) -> list[Rectangle]:
    return [p for p in figure.figure.axes[0].patches if isinstance(p, Rectangle)]


@pytest.fixture(scope="module")
def figure() -> Figure:
    return waterfall_plot(BARS, title="Best change")


def test_renders_with_thresholds_ids_and_counts(figure: Figure,
                                                rendered: Callable[[Figure], tuple[bytes, str]]) -> None:
    _, svg = rendered(figure)
    for text in ("Best change", "+20 % (PD threshold)", "\u221230 % (PR threshold)", "PR (n = 2)",
                 "CR (n = 1)", "NE (n = 1)", "Participants (n = 6)", "target lesion diameters (%)",
                 "P1", "P6"):
        assert text in svg


def test_bars_are_sorted_from_largest_increase_to_largest_decrease(figure: Figure) -> None:
    assert [b.get_height() for b in bars_of(figure)] == [25.0, 0.0, -10.0, -35.0, -50.0, -100.0]
    labels = [t.get_text() for t in figure.figure.axes[0].get_xticklabels()]
    assert labels == ["P2", "P6", "P4", "P1", "P5", "P3"]


def test_reference_lines_at_plus_20_and_minus_30(figure: Figure) -> None:
    levels = {line.get_ydata()[0] for line in figure.figure.axes[0].get_lines()}
    assert levels == {0, 20, -30}


def test_categories_get_different_hatches(figure: Figure) -> None:
    order = [b.category for b in sorted(BARS, key=lambda b: -b.best_change_pct)]
    hatches: dict[str, set[str | None]] = {}
    for bar, category in zip(bars_of(figure), order, strict=True):
        hatches.setdefault(category, set()).add(bar.get_hatch())
    assert all(len(h) == 1 for h in hatches.values()), "one look per category"
    assert len({h.pop() for h in hatches.values()}) == 5


def test_deterministic(figure: Figure) -> None:
    again = waterfall_plot(list(BARS), title="Best change")
    assert again.png() == figure.png()
    assert again.svg() == figure.svg()


def test_legible(figure: Figure, legible: Callable[[Figure], None]) -> None:
    legible(figure)


def test_many_bars_drop_the_ids() -> None:
    many = [WaterfallBar(participant_id=f"P{i}", best_change_pct=float(-i), category="SD") for i in range(60)]
    figure = waterfall_plot(many, title="Best change")
    assert list(figure.figure.axes[0].get_xticks()) == []


@pytest.mark.parametrize(("bar", "field", "phrase"), [
    (WaterfallBar("P1", -120.0, "PR"), "bars[0].best_change_pct", ">= -100"),
    (WaterfallBar("P1", float("nan"), "PR"), "bars[0].best_change_pct", "finite number"),
    (WaterfallBar("P1", -20.0, ""), "bars[0].category", "non-blank"),
    (WaterfallBar("", -20.0, "SD"), "bars[0].participant_id", "non-blank"),
])
def test_rejects_invalid_bars(bar: WaterfallBar, field: str, phrase: str) -> None:
    with pytest.raises(InputError, match=phrase) as caught:
        waterfall_plot([bar], title="Best change")
    assert caught.value.field == field


def test_rejects_duplicates_and_empty_input() -> None:
    with pytest.raises(InputError, match="one bar per participant") as caught:
        waterfall_plot([BARS[0], BARS[0]], title="Best change")
    assert caught.value.field == "bars"
    with pytest.raises(InputError, match="non-empty") as caught:
        waterfall_plot([], title="Best change")
    assert caught.value.field == "bars"
