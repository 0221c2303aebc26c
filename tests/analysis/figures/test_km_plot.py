"""Kaplan-Meier figure (hipectrial.analysis.figures.km)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from matplotlib.collections import PolyCollection
from matplotlib.lines import Line2D

from hipectrial.analysis.figures import AtRisk, Figure, KmCurve, km_plot
from hipectrial.errors import InputError

# Two small hand-made curves (6 and 5 participants): S drops by 1/6 and 1/5 at each death.
NEG = KmCurve(label="HER2-negative", times=[0, 40, 95, 180], survival=[1.0, 5 / 6, 4 / 6, 2 / 6],
              lower=[None, 0.27, 0.19, 0.05], upper=[None, 0.97, 0.90, 0.72],
              censor_times=[120, 250], censor_survival=[4 / 6, 2 / 6], median=180)
POS = KmCurve(label="HER2-positive", times=[0, 30, 60], survival=[1.0, 0.8, 0.6],
              lower=[None, 0.2, 0.13], upper=[None, 0.97, 0.88],
              censor_times=[200, 210, 300], censor_survival=[0.6, 0.6, 0.6])
AT_RISK = [AtRisk(label="HER2-negative", times=[0, 100, 200, 300], counts=[6, 4, 1, 0]),
           AtRisk(label="HER2-positive", times=[0, 100, 200, 300], counts=[5, 3, 3, 1])]


def step_lines(figure: Figure) -> list[Line2D]:
    return [line for line in figure.figure.axes[0].get_lines() if line.get_drawstyle() == "steps-post"]


@pytest.fixture(scope="module")
def two_curves() -> Figure:
    return km_plot([NEG, POS], title="Overall survival", at_risk=AT_RISK)


def test_renders_png_and_svg_with_labels_and_at_risk_counts(
        two_curves: Figure, rendered: Callable[[Figure], tuple[bytes, str]]) -> None:
    _, svg = rendered(two_curves)
    for text in ("Overall survival", "Days since registration", "Survival probability", "Number at risk",
                 "HER2-negative (median 180)", "HER2-positive", "Censored"):
        assert text in svg
    table = two_curves.figure.axes[1]
    printed = [(t.get_position(), t.get_text()) for t in table.texts]
    assert printed == [((0.0, 0), "6"), ((100.0, 0), "4"), ((200.0, 0), "1"), ((300.0, 0), "0"),
                       ((0.0, 1), "5"), ((100.0, 1), "3"), ((200.0, 1), "3"), ((300.0, 1), "1")]
    for _, count in printed:
        assert f">{count}<" in svg


def test_at_risk_columns_sit_under_the_x_ticks(two_curves: Figure) -> None:
    assert list(two_curves.figure.axes[0].get_xticks()) == [0, 100, 200, 300]


def test_same_input_gives_identical_files(two_curves: Figure) -> None:
    again = km_plot([NEG, POS], title="Overall survival", at_risk=AT_RISK)
    assert again.png() == two_curves.png()
    assert again.svg() == two_curves.svg()


def test_curves_differ_in_line_style_and_bands_in_fill_or_hatch(two_curves: Figure) -> None:
    first, second = step_lines(two_curves)
    assert first.get_linestyle() != second.get_linestyle()
    bands = [c for c in two_curves.figure.axes[0].collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2
    assert not bands[0].get_hatch()
    assert bands[1].get_hatch()
    faces = bands[1].get_facecolor()
    assert len(faces) == 0 or faces[0][3] == 0, "the hatched band is not filled over the first"


def test_steps_follow_the_estimate_and_reach_the_last_censoring(two_curves: Figure) -> None:
    first, _ = step_lines(two_curves)
    assert list(first.get_xdata()) == [0, 40, 95, 180, 250]
    assert list(first.get_ydata()) == pytest.approx([1, 5 / 6, 4 / 6, 2 / 6, 2 / 6])


def test_censor_marks_are_drawn_at_the_censor_times(two_curves: Figure) -> None:
    marks = [line for line in two_curves.figure.axes[0].get_lines() if line.get_marker() == "+"]
    assert [list(m.get_xdata()) for m in marks] == [[120, 250], [200, 210, 300]]


def test_all_text_is_at_least_8_pt(two_curves: Figure, legible: Callable[[Figure], None]) -> None:
    legible(two_curves)


def test_renders_without_at_risk_table_and_clips_to_xmax() -> None:
    figure = km_plot([POS], title="PFS", xmax=250)
    assert len(figure.figure.axes) == 1
    assert figure.figure.axes[0].get_xlim() == (0, 250)
    marks = [line for line in figure.figure.axes[0].get_lines() if line.get_marker() == "+"]
    assert list(marks[0].get_xdata()) == [200, 210]


@pytest.mark.parametrize(("change", "field", "phrase"), [
    ({"survival": [1.0, 0.8, 0.9]}, "curves[0].survival", "non-increasing"),
    ({"survival": [1.0, 0.8, 1.2]}, "curves[0].survival", r"\[0, 1\]"),
    ({"survival": [1.0, 0.8]}, "curves[0].survival", "as many values as"),
    ({"times": [5, 30, 60]}, "curves[0].times", "starting at 0"),
    ({"times": [0, 60, 30]}, "curves[0].times", "strictly increasing"),
    ({"lower": [None, 0.9, 0.13]}, "curves[0].lower", "lower <= survival <= upper"),
    ({"upper": [None, 0.97, 0.5]}, "curves[0].lower", "lower <= survival <= upper"),
    ({"upper": [None, 0.97]}, "curves[0].upper", "as many values"),
    ({"censor_survival": [0.6]}, "curves[0].censor_survival", "as many values"),
    ({"times": [0, "30", 60]}, "curves[0].times[1]", "a finite number"),
    ({"label": " "}, "curves[0].label", "non-blank"),
])
def test_rejects_invalid_curves(change: dict[str, object], field: str, phrase: str) -> None:
    with pytest.raises(InputError, match=phrase) as caught:
        km_plot([replace(POS, **change)], title="PFS")  # type: ignore[arg-type]
    assert caught.value.field == field


def test_missing_limits_are_accepted_as_none_or_nan() -> None:
    curve = replace(POS, lower=[None, float("nan"), 0.13], upper=[None, None, 0.88])
    assert km_plot([curve], title="PFS").kind == "km"


def test_rejects_a_curve_that_is_not_a_km_curve() -> None:
    with pytest.raises(InputError, match="a KmCurve") as caught:
        km_plot([{"label": "x"}], title="PFS")  # type: ignore[list-item]
    assert caught.value.field == "curves[0]"


def test_rejects_duplicate_labels() -> None:
    with pytest.raises(InputError, match="distinct labels") as caught:
        km_plot([POS, POS], title="PFS")
    assert caught.value.field == "curves"


@pytest.mark.parametrize(("at_risk", "field", "phrase"), [
    ([AT_RISK[1], AT_RISK[0]], "at_risk", "one row per curve, in order"),
    ([AT_RISK[0]], "at_risk", "one row per curve"),
    ([AT_RISK[0], replace(AT_RISK[1], times=[0, 100, 200, 350])], "at_risk[1].times", "same times"),
    ([AT_RISK[0], replace(AT_RISK[1], counts=[5, 3, 4, 1])], "at_risk[1].counts", "non-increasing"),
    ([AT_RISK[0], replace(AT_RISK[1], counts=[5, 3, -1, 0])], "at_risk[1].counts[2]", "whole number >= 0"),
    ([AT_RISK[0], replace(AT_RISK[1], counts=[5, 3, 2.5, 0])], "at_risk[1].counts[2]", "whole number >= 0"),
    ([AT_RISK[0], replace(AT_RISK[1], counts=[5, 3, 2])], "at_risk[1].counts", "as many values"),
])
def test_rejects_at_risk_rows_that_do_not_match(at_risk: list[AtRisk], field: str, phrase: str) -> None:
    with pytest.raises(InputError, match=phrase) as caught:
        km_plot([NEG, POS], title="OS", at_risk=at_risk)
    assert caught.value.field == field


def test_rejects_at_risk_times_beyond_xmax() -> None:
    with pytest.raises(InputError, match="up to xmax") as caught:
        km_plot([NEG, POS], title="OS", at_risk=AT_RISK, xmax=250)
    assert caught.value.field == "at_risk"
