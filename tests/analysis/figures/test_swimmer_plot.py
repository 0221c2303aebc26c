"""Swimmer plot (hipectrial.analysis.figures.swimmer)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from hipectrial.analysis.figures import Figure, SwimmerLane, swimmer_plot
from hipectrial.errors import InputError

SHORT = SwimmerLane(participant_id="SH-003", segments=[(0, 60, "induction"), (60, 90, "follow-up")],
                    events=[(0, "hipec"), (80, "progression"), (90, "death")])
LONG = SwimmerLane(participant_id="SH-001",
                   segments=[(0, 84, "induction"), (100, 180, "adjuvant"), (180, 400, "maintenance"),
                             (400, 450, "follow-up")],
                   events=[(0, "hipec"), (70, "response"), (92, "surgery")], ongoing=True)
MIDDLE = SwimmerLane(participant_id="SH-002",
                     segments=[(0, 84, "induction"), (84, 200, "continuation")], events=[(0, "hipec")])


@pytest.fixture(scope="module")
def figure() -> Figure:
    return swimmer_plot([SHORT, LONG, MIDDLE], title="Treatment course")


def test_renders_with_ids_and_legend(figure: Figure, rendered: Callable[[Figure], tuple[bytes, str]]) -> None:
    _, svg = rendered(figure)
    for text in ("Treatment course", "SH-001", "SH-002", "SH-003", "Induction", "Adjuvant", "Maintenance",
                 "Continuation", "Follow-up", "HIPEC", "Surgery", "Response", "Progression", "Death",
                 "Ongoing", "Days since registration"):
        assert text in svg


def test_lanes_are_sorted_longest_first(figure: Figure) -> None:
    ax = figure.figure.axes[0]
    by_row = sorted((tick.get_position()[1], tick.get_text()) for tick in ax.get_yticklabels())
    assert [text for _, text in by_row] == ["SH-001", "SH-002", "SH-003"]
    assert ax.yaxis_inverted(), "row 0 is drawn on top"


def test_phases_differ_in_fill_or_hatch(figure: Figure) -> None:
    bars = [p for p in figure.figure.axes[0].patches if isinstance(p, Rectangle)]
    looks = {(p.get_facecolor(), p.get_hatch()) for p in bars}
    assert len(bars) == 8
    assert len(looks) == 5, "induction, adjuvant, maintenance, follow-up, continuation"


def test_events_differ_in_marker_shape(figure: Figure) -> None:
    legend = figure.figure.axes[0].get_legend()
    assert legend is not None
    markers = {text.get_text(): handle.get_marker() for handle, text in
               zip(legend.legend_handles, legend.get_texts(), strict=True) if isinstance(handle, Line2D)}
    events = {k: v for k, v in markers.items() if k != "Ongoing"}
    assert set(events) == {"HIPEC", "Surgery", "Response", "Progression", "Death"}
    assert len(set(events.values())) == 5


def test_ongoing_lane_ends_in_an_arrow(figure: Figure) -> None:
    heads = [line for line in figure.figure.axes[0].get_lines() if line.get_marker() == ">"]
    assert len(heads) == 1
    assert heads[0].get_ydata()[0] == 0, "on SH-001's lane"
    assert heads[0].get_xdata()[0] > 450


def test_deterministic(figure: Figure) -> None:
    again = swimmer_plot([SHORT, LONG, MIDDLE], title="Treatment course")
    assert again.png() == figure.png()
    assert again.svg() == figure.svg()


def test_seventy_lanes_stay_legible_and_fit_a_page(legible: Callable[[Figure], None]) -> None:
    lanes = [replace(MIDDLE, participant_id=f"SH-{i:03d}", segments=[(0, 84 + i, "induction")])
             for i in range(70)]
    figure = swimmer_plot(lanes, title="All participants")
    legible(figure)
    width_in, height_in = figure.size_in
    assert width_in <= 7.0
    assert height_in <= 11.0, "fits an A4 page"
    assert height_in / 70 >= 8 / 72, "a lane is at least as tall as an 8 pt label"


@pytest.mark.parametrize(("lane", "field", "phrase"), [
    (replace(SHORT, segments=[(0, 60, "induction"), (50, 90, "follow-up")]), "lanes[0].segments", "non-overlapping"),
    (replace(SHORT, segments=[(60, 60, "induction")]), "lanes[0].segments[0].end_day", "after start_day"),
    (replace(SHORT, segments=[(0, 60)]), "lanes[0].segments[0]", "triple"),
    (replace(SHORT, segments=[(0, 60, "")]), "lanes[0].segments[0].kind", "non-blank"),
    (replace(SHORT, events=[(float("inf"), "death")]), "lanes[0].events[0].day", "finite number"),
    (replace(SHORT, segments=[], events=[]), "lanes[0].segments", "at least one segment or event"),
    (replace(SHORT, ongoing="yes"), "lanes[0].ongoing", "True or False"),
])
def test_rejects_invalid_lanes(lane: SwimmerLane, field: str, phrase: str) -> None:
    with pytest.raises(InputError, match=phrase) as caught:
        swimmer_plot([lane], title="Lanes")
    assert caught.value.field == field


def test_rejects_duplicate_participants() -> None:
    with pytest.raises(InputError, match="one lane per participant") as caught:
        swimmer_plot([SHORT, SHORT], title="Lanes")
    assert caught.value.field == "lanes"


def test_unknown_kinds_get_their_own_look_until_they_run_out() -> None:
    few = replace(SHORT, segments=[(0, 10, "radiotherapy"), (10, 20, "induction")])
    figure = swimmer_plot([few], title="Lanes")
    looks = {(p.get_facecolor(), p.get_hatch()) for p in figure.figure.axes[0].patches}
    assert len(looks) == 2
    many = replace(SHORT, segments=[(i, i + 1, f"kind {i}") for i in range(6)])
    with pytest.raises(InputError, match="at most 5 kinds") as caught:
        swimmer_plot([many], title="Lanes")
    assert caught.value.field == "segment kinds"
