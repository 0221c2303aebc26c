"""Visits of a simulated participant: when the scheduled ones fall, which take place (on
time, late or missed), and their ``Visit`` records with the planned dates of
:func:`hipectrial.clinical.visit_schedule`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hipectrial.clinical import visit_schedule
from hipectrial.clinical.visits.schedule import ActualVisit, Branch, TreatmentDates
from hipectrial.clinical.visits.targets import visit_targets
from hipectrial.data import Visit
from hipectrial.protocol.schedule import Visit as VisitDef
from hipectrial.simulate.course.common import Context, days


@dataclass(frozen=True, slots=True)
class Done:
    """A visit that took place: which occurrence, planned and actual date."""

    visit_id: str
    occurrence: int
    planned: dt.date
    actual: dt.date


def visit_def(ctx: Context, visit_id: str) -> VisitDef:
    for v in ctx.protocol.visits:
        if v.id == visit_id:
            return v
    raise KeyError(visit_id)


def targets(ctx: Context, visit_id: str, anchor: dt.date, until: dt.date) -> list[tuple[int, dt.date]]:
    """(occurrence, target date) of a visit counted from its anchor date, up to ``until``
    (:func:`hipectrial.clinical.visits.schedule.visit_targets`)."""
    return visit_targets(visit=visit_def(ctx, visit_id), anchor=anchor, until=until)


def attend(ctx: Context, visit_id: str, occurrence: int, planned: dt.date, *,
           may_miss: bool = True) -> Done | None:
    """Whether and when a scheduled visit takes place: missed, late (after its window) or
    within a few days of its target; None when missed or not while followed alive."""
    rng, params = ctx.rng, ctx.params
    v = visit_def(ctx, visit_id)
    if may_miss and params.missed_visit_probability and float(rng.random()) < params.missed_visit_probability:
        return None
    if params.late_visit_probability and float(rng.random()) < params.late_visit_probability:
        low, high = params.late_visit_days
        actual = planned + days(v.timing.window_after + int(rng.integers(low, high + 1)))
    else:
        spread = min(3, v.timing.window_before, v.timing.window_after)
        actual = planned + days(int(rng.integers(-spread, spread + 1)))
    if not ctx.alive_and_followed(actual):
        return None
    return Done(visit_id, occurrence, planned, actual)


def visit_records(ctx: Context, done: list[Done], events: list[tuple[str, dt.date]],
                  end_of_treatment: dt.date | None, eot_visit: bool, as_of: dt.date) -> list[Visit]:
    """The participant's Visit records: planned dates from the clinical visit schedule, actual
    dates as simulated; event visits (progression, death…) with their date only."""
    dates = TreatmentDates(
        registration=ctx.enrolment.registration_date, hipec=ctx.hipec,
        cycle_starts={k: tuple(v) for k, v in ctx.cycle_starts.items() if v},
        surgery=ctx.surgery, end_of_treatment=end_of_treatment, last_dose=ctx.last_dose)
    branch = Branch(ctx.branch) if ctx.branch else None
    actual = [ActualVisit(d.visit_id, d.occurrence, d.actual) for d in done]
    schedule = visit_schedule(protocol=ctx.protocol, cohort=ctx.cohort, branch=branch, dates=dates,
                              actual=actual, as_of=as_of)
    visits: list[Visit] = []
    for o in schedule.occurrences:
        if o.actual is None:
            continue
        if o.visit_id == "end-of-treatment" and not eot_visit:
            continue
        visits.append(Visit(participant_id=ctx.pid, visit_id=o.visit_id, repeat=o.occurrence,
                            planned_date=o.target, actual_date=o.actual))
    counts: dict[str, int] = {}
    for visit_id, when in events:
        counts[visit_id] = counts.get(visit_id, 0) + 1
        visits.append(Visit(participant_id=ctx.pid, visit_id=visit_id, repeat=counts[visit_id],
                            planned_date=None, actual_date=when))
    visits.sort(key=lambda v: (v.actual_date or dt.date.min, v.visit_id, v.repeat))
    return visits
