"""The treatment timeline of a simulated participant as the protocol states it: the dates
that phases, cycles and visits count from, their targets and windows, and the DLT window.

Nothing here re-types a day or a window: each is read from the protocol's timings.
"""

from __future__ import annotations

import datetime as dt

from hipectrial.errors import InputError
from hipectrial.protocol.regimen import Anchor, Phase, Timing
from hipectrial.protocol.schedule import Visit as VisitDef
from hipectrial.simulate.course_common import Context, days


def offset_days(timing: Timing) -> int:
    """Days from a timing's anchor date to its day: cycle day ``d >= 1`` is ``d - 1`` days
    after day 1 (there is no day 0); for any other anchor day ``d`` is ``d`` days after it.
    The simulator's one copy of the convention, until the protocol's timing states it."""
    return timing.day - 1 if timing.anchor is Anchor.CYCLE_START and timing.day > 0 else timing.day


def anchor_date(ctx: Context, timing: Timing) -> dt.date | None:
    """The date a timing counts from, or None while that event has not happened (a cycle
    not given, no surgery)."""
    if timing.anchor is Anchor.CYCLE_START:
        starts = ctx.cycle_starts.get(timing.phase or "", [])
        cycle = timing.cycle or 1
        return starts[cycle - 1] if len(starts) >= cycle else None
    dates = {Anchor.REGISTRATION: ctx.enrolment.registration_date, Anchor.HIPEC: ctx.hipec,
             Anchor.SURGERY: ctx.surgery}
    return dates.get(timing.anchor)


def target_date(ctx: Context, timing: Timing) -> dt.date | None:
    """A timing's target date for this participant, or None while its anchor is unknown."""
    anchor = anchor_date(ctx, timing)
    return None if anchor is None else anchor + days(offset_days(timing))


def event_visit(ctx: Context, event: Anchor) -> VisitDef:
    """The scheduled visit whose date is the date of ``event`` (HIPEC, surgery)."""
    for v in ctx.protocol.visits:
        if v.records_event is event:
            return v
    raise KeyError(event)


def phases_of(ctx: Context, branch: str) -> list[Phase]:
    """The treatment phases of a branch ("all" before re-evaluation), in protocol order."""
    return [ph for ph in ctx.protocol.phases if ph.branch == branch]


def in_window(ctx: Context, planned: dt.date, timing: Timing) -> dt.date:
    """A date drawn uniformly within a timing's window around ``planned``."""
    return planned + days(int(ctx.rng.integers(-timing.window_before, timing.window_after + 1)))



def dlt_window_end(ctx: Context) -> dt.date:
    """Last day of the DLT window (the protocol's ``dose_finding.dlt.window.end``), counted from
    the actual cycle start when it was given, else from its planned date (the phase's start
    target plus whole cycles). The simulator's copy until clinical/ gives the rule."""
    end = ctx.protocol.dose_finding.dlt.window.end
    anchor = target_date(ctx, end)
    if anchor is not None:
        return anchor
    phase = ctx.protocol.phase(end.phase) if end.phase is not None else None
    first = None if phase is None else target_date(ctx, phase.start)
    if phase is None or first is None:
        raise InputError("protocol", ctx.protocol.study.id, "a DLT window ending on a cycle day "
                         "of a phase that starts from HIPEC or registration")
    return first + days((end.cycle or 1) - 1) * phase.cycle_length_days + days(offset_days(end))
