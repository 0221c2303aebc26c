"""The treatment timeline of a simulated participant as the protocol states it: the dates
that phases, cycles and visits count from, their targets and windows, and the dates the
clinical rules of the course (the DLT window) take.

Nothing here re-types a day or a window: each is read from the protocol's timings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from hipectrial.clinical.course import DltWindowDates, dlt_window
from hipectrial.clinical.visits.schedule import TreatmentDates
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import Anchor, Phase, Timing
from hipectrial.protocol.schedule import Visit as VisitDef
from hipectrial.simulate.course.common import Context, days


def follow_up_days(protocol: Protocol) -> int:
    """How long the protocol follows a participant, in days: the last day of its schedule,
    the largest ``repeat.until_day`` of its visits (seed: 1826, the 6-monthly follow-up to
    5 years, PD §Treatment flow 7).

    Raises
    ------
    InputError
        The protocol has no visit repeating until a day.
    """
    last = [v.repeat.until_day for v in protocol.visits
            if v.repeat is not None and v.repeat.until_day is not None]
    if not last:
        raise InputError("protocol.visits", None, "a visit repeating until a day (repeat.until_day)",
                         "the follow-up length is the schedule's last day")
    return max(last)


def anchor_date(ctx: Context, timing: Timing) -> dt.date | None:
    """The date a timing counts from, from the participant's :class:`TreatmentDates`
    (:func:`treatment_dates`); None while that event has not happened (a cycle not given, no
    surgery, treatment not ended).

    Raises
    ------
    InputError
        A ``cycle_start`` timing without its phase and cycle, or an anchor that is not one
        date (``event``).
    """
    dates = treatment_dates(ctx)
    if timing.anchor is Anchor.CYCLE_START:
        if timing.phase is None or timing.cycle is None:
            raise InputError("timing", timing, "a cycle_start timing naming its phase and cycle")
        starts = dates.cycle_starts.get(timing.phase, ())
        return starts[timing.cycle - 1] if len(starts) >= timing.cycle else None
    try:
        return dates.event(timing.anchor)
    except KeyError:
        raise InputError("timing.anchor", timing.anchor.value, "an event with one date or cycle_start",
                         "an 'event' timing has no date to count from") from None


def target_date(ctx: Context, timing: Timing) -> dt.date | None:
    """A timing's target date for this participant, or None while its anchor is unknown."""
    anchor = anchor_date(ctx, timing)
    return None if anchor is None else anchor + days(timing.offset_days())


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



def treatment_dates(ctx: Context,
                    cycle_starts: Mapping[str, Sequence[dt.date]] | None = None) -> TreatmentDates:
    """The participant's dates as the clinical rules take them (``cycle_starts`` replaces the
    actual cycle starts, e.g. by planned ones). The last dose is known once treatment has
    stopped; the end of treatment is decided after the timeline (``followup``), so it is
    ``None`` here."""
    starts = ctx.cycle_starts if cycle_starts is None else cycle_starts
    last_dose = ctx.last_dose if ctx.off_treatment_reason is not None else None
    return TreatmentDates(registration=ctx.enrolment.registration_date, hipec=ctx.hipec,
                          cycle_starts={k: tuple(v) for k, v in starts.items() if v},
                          surgery=ctx.surgery, last_dose=last_dose, death=ctx.death)


def dlt_window_dates(ctx: Context) -> DltWindowDates:
    """The participant's DLT window by :func:`hipectrial.clinical.course.dlt_window`: from the
    actual cycle starts, or, while the cycle the window ends in has not been given, from the
    planned ones (the phase's start target, then one cycle length after the previous start)."""
    window = dlt_window(protocol=ctx.protocol, dates=treatment_dates(ctx))
    end = ctx.protocol.dose_finding.dlt.window.end
    if window.end is not None or end.phase is None or end.cycle is None:
        if window.end is None:
            raise InputError("protocol", ctx.protocol.study.id, "a DLT window ending on a cycle day "
                             "or an event the participant has had by then")
        return window
    phase = ctx.protocol.phase(end.phase)
    starts = list(ctx.cycle_starts.get(phase.id, []))
    if not starts:
        first = target_date(ctx, phase.start)
        if first is None:
            raise InputError("protocol", ctx.protocol.study.id, "a DLT window ending on a cycle day "
                             "of a phase that starts from HIPEC or registration")
        starts = [first]
    while len(starts) < end.cycle:
        starts.append(starts[-1] + days(phase.cycle_length_days))
    planned = treatment_dates(ctx, {**ctx.cycle_starts, phase.id: starts})
    return dlt_window(protocol=ctx.protocol, dates=planned)


def agents_given_in(ctx: Context, phase: str, cycle: int) -> tuple[str, ...]:
    """The agents given (amount > 0) in one cycle of a phase."""
    return tuple(sorted({d.agent for d in ctx.records.doses
                         if d.phase == phase and d.cycle == cycle and d.given > 0}))
