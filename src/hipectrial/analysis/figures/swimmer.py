"""Swimmer plot: one lane per participant showing treatment phases, key events and who is ongoing.

Phases are told apart by gray level and hatch, events by marker shape and fill, so the
figure reads the same in black and white. The known phase and event kinds keep the same
look in every swimmer plot; other kinds get the next free look in order of appearance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TypeVar

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from hipectrial.analysis.figures import _checks as check
from hipectrial.analysis.figures.render import Figure, freeze_layout, new_figure, styled
from hipectrial.errors import InputError

Look = TypeVar("Look")

#: Known phases: (face gray, hatch). Follow-up is white, off treatment.
_SEGMENT_LOOKS: dict[str, tuple[str, str]] = {
    "induction": ("0.25", ""),
    "continuation": ("0.6", "\\\\\\\\"),
    "adjuvant": ("0.85", "////"),
    "maintenance": ("0.6", "...."),
    "maintenance-operated": ("0.85", "xxxx"),
    "maintenance-not-operated": ("1.0", "...."),
    "follow-up": ("1.0", ""),
}
_SPARE_SEGMENT_LOOKS: tuple[tuple[str, str], ...] = (
    ("0.45", ""), ("1.0", "////"), ("0.85", "----"), ("1.0", "xxxx"), ("0.7", "oo"),
)
#: Known events: (marker, face colour, marker size in points).
_EVENT_LOOKS: dict[str, tuple[str, str, float]] = {
    "hipec": ("D", "white", 5.0),
    "surgery": ("s", "black", 5.0),
    "response": ("o", "white", 5.5),
    "progression": ("v", "black", 6.0),
    "death": ("X", "black", 6.5),
}
_SPARE_EVENT_LOOKS: tuple[tuple[str, str, float], ...] = (
    ("^", "white", 6.0), ("P", "black", 6.0), ("h", "white", 6.0), ("*", "black", 7.5),
)


@dataclass(frozen=True, slots=True)
class SwimmerLane:
    """One participant's lane.

    Attributes
    ----------
    participant_id : str
        Printed at the start of the lane.
    segments : sequence of (start_day, end_day, kind)
        Treatment phases and follow-up, non-overlapping; ``start_day < end_day``. Known kinds:
        ``induction``, ``continuation``, ``adjuvant``, ``maintenance``,
        ``maintenance-operated``, ``maintenance-not-operated``, ``follow-up``.
    events : sequence of (day, kind)
        Known kinds: ``hipec``, ``surgery``, ``response``, ``progression``, ``death``.
    ongoing : bool
        Still on study: an arrow continues the lane.
    """

    participant_id: str
    segments: Sequence[tuple[float, float, str]]
    events: Sequence[tuple[float, str]] = ()
    ongoing: bool = False


@dataclass(frozen=True, slots=True)
class _Lane:
    participant_id: str
    segments: list[tuple[float, float, str]]
    events: list[tuple[float, str]]
    ongoing: bool

    @property
    def end(self) -> float:
        return max([e for _, e, _ in self.segments] + [d for d, _ in self.events])


def swimmer_plot(lanes: Sequence[SwimmerLane], *, title: str,
                 xlabel: str = "Days since registration") -> Figure:
    """Draw one horizontal lane per participant, longest on top.

    Parameters
    ----------
    lanes : sequence of SwimmerLane
        One per participant, distinct ids; readable up to about 70 lanes (the figure grows
        0.125 inch per lane past 20).
    title, xlabel : str
        Texts of the figure.

    Returns
    -------
    Figure
        ``kind="swimmer"``; 6.7 inches wide.

    Raises
    ------
    InputError
        Duplicate participant ids, a lane with neither segments nor events, a segment whose
        end is not after its start, overlapping segments, blank kinds, non-finite days, more
        kinds than can be told apart.

    Examples
    --------
    >>> lane = SwimmerLane(participant_id="SH-001",
    ...                    segments=[(0, 84, "induction"), (84, 200, "follow-up")],
    ...                    events=[(0, "hipec"), (95, "surgery")], ongoing=True)
    >>> swimmer_plot([lane], title="Treatment and events").kind
    'swimmer'
    """
    check.text("title", title)
    check.text("xlabel", xlabel)
    parsed = [_lane(f"lanes[{i}]", v) for i, v in enumerate(check.items("lanes", lanes))]
    ids = [lane.participant_id for lane in parsed]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise InputError("lanes", duplicates, "one lane per participant id")
    segment_looks = _looks("segment kinds", [k for lane in parsed for _, _, k in lane.segments],
                           _SEGMENT_LOOKS, _SPARE_SEGMENT_LOOKS)
    event_looks = _looks("event kinds", [k for lane in parsed for _, k in lane.events],
                         _EVENT_LOOKS, _SPARE_EVENT_LOOKS)
    ordered = sorted(parsed, key=lambda lane: (-lane.end, lane.participant_id))
    right = max(lane.end for lane in ordered)
    left = min(0.0, *(s for lane in ordered for s, _, _ in lane.segments),
               *(d for lane in ordered for d, _ in lane.events))
    arrow = 0.03 * (right - left)

    with styled():
        lane_in = 0.22 if len(ordered) <= 20 else 0.125
        figure = new_figure(height_in=1.9 + lane_in * len(ordered))
        ax = figure.add_subplot()
        for y, lane in enumerate(ordered):
            _draw_lane(ax, y, lane, segment_looks, event_looks, arrow)
        ax.set_ylim(len(ordered) - 0.4, -0.6)
        ax.set_yticks(range(len(ordered)), [lane.participant_id for lane in ordered])
        ax.tick_params(axis="y", length=0)
        ax.set_xlim(left - 0.5 * arrow, right + 2.5 * arrow)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Participant")
        ax.grid(axis="x", color="0.85", linewidth=0.5)
        ax.set_axisbelow(True)
        handles, labels = _legend(segment_looks, event_looks, any(lane.ongoing for lane in ordered))
        ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0, 1.01), ncols=4,
                  borderaxespad=0, handlelength=1.8)
        figure.suptitle(title, x=0.02, ha="left")
        freeze_layout(figure)
    return Figure(kind="swimmer", title=title, figure=figure)


def _lane(field: str, value: object) -> _Lane:
    lane = check.instance(field, value, SwimmerLane)
    participant_id = check.text(f"{field}.participant_id", lane.participant_id)
    segments = []
    for j, segment in enumerate(check.items(f"{field}.segments", lane.segments, non_empty=False)):
        where = f"{field}.segments[{j}]"
        if not isinstance(segment, tuple | list) or len(segment) != 3:
            raise InputError(where, segment, "a (start_day, end_day, kind) triple")
        start = check.number(f"{where}.start_day", segment[0])
        end = check.number(f"{where}.end_day", segment[1])
        if end <= start:
            raise InputError(f"{where}.end_day", segment[1], f"after start_day ({start:g})")
        segments.append((start, end, check.text(f"{where}.kind", segment[2])))
    events = []
    for j, event in enumerate(check.items(f"{field}.events", lane.events, non_empty=False)):
        where = f"{field}.events[{j}]"
        if not isinstance(event, tuple | list) or len(event) != 2:
            raise InputError(where, event, "a (day, kind) pair")
        events.append((check.number(f"{where}.day", event[0]), check.text(f"{where}.kind", event[1])))
    if not segments and not events:
        raise InputError(f"{field}.segments", lane.segments, "at least one segment or event")
    segments.sort()
    for (_, end, kind), (start, _, nxt) in pairwise(segments):
        if start < end:
            raise InputError(f"{field}.segments", lane.segments, "non-overlapping segments",
                             hint=f"{nxt} starts at {start:g} before {kind} ends at {end:g}")
    if not isinstance(lane.ongoing, bool):
        raise InputError(f"{field}.ongoing", lane.ongoing, "True or False")
    return _Lane(participant_id, segments, sorted(events), lane.ongoing)


def _looks(field: str, kinds: list[str], known: dict[str, Look],
           spare: tuple[Look, ...]) -> dict[str, Look]:
    present = list(dict.fromkeys(kinds))
    unknown = [k for k in present if k not in known]
    if len(unknown) > len(spare):
        raise InputError(field, unknown, f"at most {len(spare)} kinds besides {', '.join(known)}",
                         hint="merge kinds or use the known ones")
    looks = {k: known[k] for k in known if k in present}
    looks.update(zip(unknown, spare, strict=False))
    return looks


def _draw_lane(ax: Axes, y: int, lane: _Lane, segment_looks: dict[str, tuple[str, str]],
               event_looks: dict[str, tuple[str, str, float]], arrow: float) -> None:
    for start, end, kind in lane.segments:
        face, hatch = segment_looks[kind]
        ax.barh(y, end - start, left=start, height=0.62, color=face, hatch=hatch,
                edgecolor="black", linewidth=0.5, zorder=2)
    for day, kind in lane.events:
        marker, face, size = event_looks[kind]
        ax.plot(day, y, linestyle="none", marker=marker, markersize=size, markerfacecolor=face,
                markeredgecolor="black", markeredgewidth=0.8, zorder=4, clip_on=False)
    if lane.ongoing:
        ax.plot([lane.end, lane.end + arrow], [y, y], color="black", linewidth=1.0, zorder=3)
        ax.plot(lane.end + arrow, y, marker=">", markersize=4.5, color="black", zorder=3)


def _legend(segment_looks: dict[str, tuple[str, str]], event_looks: dict[str, tuple[str, str, float]],
            ongoing: bool) -> tuple[list[Artist], list[str]]:
    handles: list[Artist] = []
    labels: list[str] = []
    for kind, (face, hatch) in segment_looks.items():
        handles.append(Patch(facecolor=face, hatch=hatch, edgecolor="black", linewidth=0.5))
        labels.append(_label(kind))
    for kind, (marker, face, size) in event_looks.items():
        handles.append(Line2D([], [], linestyle="none", marker=marker, markersize=size,
                              markerfacecolor=face, markeredgecolor="black", markeredgewidth=0.8))
        labels.append(_label(kind))
    if ongoing:
        handles.append(Line2D([], [], color="black", linewidth=1.0, marker=">", markevery=[1],
                              markersize=4.5))
        labels.append("Ongoing")
    return handles, labels


_LABELS = {"hipec": "HIPEC", "maintenance-operated": "Maintenance (operated)",
           "maintenance-not-operated": "Maintenance (not operated)"}


def _label(kind: str) -> str:
    return _LABELS.get(kind, kind[:1].upper() + kind[1:])
