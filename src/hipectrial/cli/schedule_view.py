"""The schedule of assessments as rows: when each visit falls, its window, who has it, and
which forms it requires or offers.

Pure functions of a :class:`~hipectrial.protocol.Protocol`. Visits are numbered ``V1``,
``V2``… in protocol order over the whole protocol, so a visit keeps its number when the
schedule is shown for one cohort only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hipectrial.cli.text import ANCHOR_TEXT, offset_text, window_text
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import Anchor, Timing
from hipectrial.protocol.schedule import Visit


@dataclass(frozen=True, slots=True)
class VisitRow:
    """One visit of the schedule of assessments."""

    number: str
    id: str
    name: dict[str, str]
    anchor: str
    phase: str | None
    cycle: int | None
    day: int
    window_before: int
    window_after: int
    when: str
    window: str
    repeat: dict[str, Any] | None
    repeats: str
    cohorts: tuple[str, ...] | None
    branch: str
    who: str
    forms_required: tuple[str, ...]
    forms_optional: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FormRow:
    """One form of the schedule and the visits (by id) that require or offer it."""

    id: str
    label: dict[str, str]
    visits_required: tuple[str, ...]
    visits_optional: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScheduleView:
    visits: tuple[VisitRow, ...]
    forms: tuple[FormRow, ...]
    # Forms no shown visit lists (filled outside the schedule, or not at all).
    unscheduled_forms: tuple[str, ...]


def _cycle_one_offset(protocol: Protocol, phase_id: str, timing: Timing) -> str | None:
    """The timing's day of cycle 1 of a phase, counted from the event the phase starts from
    (:meth:`Timing.offset_days` counts the days)."""
    try:
        start = protocol.phase(phase_id).start
    except KeyError:
        return None
    if start.anchor in (Anchor.CYCLE_START, Anchor.EVENT):
        return None
    return offset_text(start.anchor, start.offset_days() + timing.offset_days())


def timing_text(protocol: Protocol, timing: Timing, *, per_cycle: bool = False) -> str:
    """When a visit (or a phase) falls, e.g. ``induction C1D1 = HIPEC + 21 d``.

    Cycle days are nominal: cycle 1 is resolved to the phase's start event; later cycles
    move with delays, so they are given as cycle and day only.
    """
    if timing.anchor is Anchor.EVENT:
        return "when it occurs"
    if timing.anchor is Anchor.CYCLE_START and timing.phase is not None:
        first = _cycle_one_offset(protocol, timing.phase, timing)
        if per_cycle:
            text = f"{timing.phase} D{timing.day}"
            return text + (f" (C1D{timing.day} = {first})" if first else "")
        cycle = timing.cycle if timing.cycle is not None else 1
        text = f"{timing.phase} C{cycle}D{timing.day}"
        return text + (f" = {first}" if first and cycle == 1 else "")
    if timing.day == 0:
        return f"{ANCHOR_TEXT[timing.anchor]} (day 0)"
    return offset_text(timing.anchor, timing.day)


def repeat_text(protocol: Protocol, visit: Visit) -> str:
    """How a visit repeats, e.g. ``every 42 d until surgery``."""
    r = visit.repeat
    if r is None:
        return "as needed" if visit.timing.anchor is Anchor.EVENT else "once"
    if r.per_cycle is not None:
        try:
            phase = protocol.phase(r.per_cycle)
        except KeyError:
            return "each cycle"
        if phase.cycles is not None:
            return f"each cycle ({phase.cycles} × {phase.cycle_length_days} d)"
        return f"each {phase.cycle_length_days}-d cycle until {phase.until}"
    stops = []
    if r.until_day is not None:
        stops.append(f"day {r.until_day}")
    if r.until is not None:
        stops.append(ANCHOR_TEXT[r.until])
    return f"every {r.every_days} d until " + " or ".join(stops)


def who_text(cohorts: list[str] | None, branch: str) -> str:
    """Who has a visit: its cohorts and branch, ``all`` when unrestricted.

    >>> who_text(None, "all"), who_text(["HER2-positive"], "all"), who_text(None, "not_operated")
    ('all', 'HER2-positive', 'not operated')
    """
    parts = [", ".join(cohorts)] if cohorts else []
    if branch != "all":
        parts.append(branch.replace("_", " "))
    return "; ".join(parts) or "all"


def visit_row(protocol: Protocol, visit: Visit, number: int) -> VisitRow:
    t = visit.timing
    per_cycle = visit.repeat is not None and visit.repeat.per_cycle is not None
    event = t.anchor is Anchor.EVENT
    return VisitRow(
        number=f"V{number}",
        id=visit.id,
        name={"en": visit.name.en, "zh": visit.name.zh},
        anchor=t.anchor.value,
        phase=t.phase,
        cycle=t.cycle,
        day=t.day,
        window_before=t.window_before,
        window_after=t.window_after,
        when=timing_text(protocol, t, per_cycle=per_cycle),
        window="—" if event else window_text(t.window_before, t.window_after),
        repeat=visit.repeat.model_dump(mode="json", exclude_none=True) if visit.repeat else None,
        repeats=repeat_text(protocol, visit),
        cohorts=tuple(visit.cohorts) if visit.cohorts is not None else None,
        branch=visit.branch,
        who=who_text(visit.cohorts, visit.branch),
        forms_required=tuple(visit.forms),
        forms_optional=tuple(visit.optional_forms),
    )


def schedule_view(protocol: Protocol, cohort: str | None = None) -> ScheduleView:
    """The schedule of assessments, for every cohort or for ``cohort`` only."""
    rows = tuple(
        visit_row(protocol, v, i)
        for i, v in enumerate(protocol.visits, start=1)
        if cohort is None or v.cohorts is None or cohort in v.cohorts
    )
    forms: list[FormRow] = []
    unscheduled: list[str] = []
    for form in protocol.forms:
        required = tuple(r.id for r in rows if form.id in r.forms_required)
        optional = tuple(r.id for r in rows if form.id in r.forms_optional)
        if required or optional:
            forms.append(FormRow(form.id, {"en": form.label.en, "zh": form.label.zh},
                                 required, optional))
        else:
            unscheduled.append(form.id)
    return ScheduleView(rows, tuple(forms), tuple(unscheduled))
