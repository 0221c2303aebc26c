"""Spider plot (hipectrial.analysis.figures.spider)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hipectrial.analysis.figures import Figure, SpiderSeries, spider_plot
from hipectrial.errors import InputError

SERIES = [
    SpiderSeries(participant_id="P1", days=[0, 42, 84], change_pct=[0, -25, -45], category="PR"),
    SpiderSeries(participant_id="P2", days=[0, 42], change_pct=[0, 30], category="PD"),
    SpiderSeries(participant_id="P3", days=[0, 40, 85, 130], change_pct=[0, -5, -10, -12], category="SD"),
    SpiderSeries(participant_id="P4", days=[0, 43, 90], change_pct=[0, -40, -60], category="PR"),
]


@pytest.fixture(scope="module")
def figure() -> Figure:
    return spider_plot(SERIES, title="Target lesions over time")


def data_lines(figure: Figure) -> dict[str, tuple[object, str]]:
    """(line style, marker) of each participant's line, keyed by its first change after baseline."""
    lines = [line for line in figure.figure.axes[0].get_lines() if len(line.get_xdata()) > 1
             and line.get_marker() not in ("None", "", None)]
    return {str(line.get_ydata()[1]): (line.get_linestyle(), str(line.get_marker())) for line in lines}


def test_renders_with_thresholds_and_counts(figure: Figure, rendered: Callable[[Figure], tuple[bytes, str]]) -> None:
    _, svg = rendered(figure)
    for text in ("Target lesions over time", "+20 %", "(PD threshold)", "\u221230 %", "(PR threshold)",
                 "PR (n = 2)", "SD (n = 1)", "PD (n = 1)", "Days since registration"):
        assert text in svg


def test_one_line_per_participant_styled_by_category(figure: Figure) -> None:
    looks = data_lines(figure)
    assert len(looks) == 4
    assert looks["-25.0"] == looks["-40.0"], "both PR"
    assert len({looks["-25.0"], looks["30.0"], looks["-5.0"]}) == 3
    assert len({marker for _, marker in looks.values()}) == 3
    assert len({str(style) for style, _ in looks.values()}) >= 2


def test_reference_lines(figure: Figure) -> None:
    levels = {line.get_ydata()[0] for line in figure.figure.axes[0].get_lines() if len(line.get_ydata()) == 2
              and line.get_ydata()[0] == line.get_ydata()[1] and line.get_marker() in ("None", "", None)}
    assert {20, -30, 0} <= levels


def test_deterministic_whatever_the_order_within_a_category(figure: Figure) -> None:
    again = spider_plot([SERIES[3], SERIES[1], SERIES[2], SERIES[0]], title="Target lesions over time")
    assert again.svg() == figure.svg()
    assert again.png() == figure.png()


def test_legible(figure: Figure, legible: Callable[[Figure], None]) -> None:
    legible(figure)


@pytest.mark.parametrize(("series", "field", "phrase"), [
    (SpiderSeries("P1", [0, 42, 42], [0, -1, -2], "SD"), "series[0].days", "strictly increasing"),
    (SpiderSeries("P1", [0, 42], [0, -1, -2], "SD"), "series[0].change_pct", "as many values"),
    (SpiderSeries("P1", [0, 42], [0, -101], "PR"), "series[0].change_pct", ">= -100"),
    (SpiderSeries("P1", [], [], "PR"), "series[0].days", "non-empty"),
])
def test_rejects_invalid_series(series: SpiderSeries, field: str, phrase: str) -> None:
    with pytest.raises(InputError, match=phrase) as caught:
        spider_plot([series], title="Spider")
    assert caught.value.field == field


def test_rejects_duplicate_participants() -> None:
    with pytest.raises(InputError, match="one series per participant") as caught:
        spider_plot([SERIES[0], SERIES[0]], title="Spider")
    assert caught.value.field == "series"
