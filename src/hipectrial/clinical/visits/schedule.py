"""Visit windows: when each visit of the protocol's schedule falls for one participant, and
whether it was done on time.

Every visit's timing counts from an anchor event (registration, HIPEC, a cycle start,
surgery, end of treatment, last dose). Targets come from the participant's *actual* dates,
so a delay shifts what follows:

* **Cycle starts.** Cycle 1 of a phase is due when the phase's ``start`` timing says
  (induction: day 21 after HIPEC, -7/+7); each later cycle is due one cycle length after the
  previous cycle's actual start. A cycle not yet started is projected from the last one that
  did (``projected``).
* **Per-cycle visits** on cycle day 1 judge the cycle start itself: their target is the
  cycle's due date (cycle 1: in the phase's start window; later cycles: in the visit's own
  window). A per-cycle visit on another cycle day counts from the cycle's actual start.
  When no visit date is given for a started cycle's day-1 visit, the cycle start is its date.
* **Repeats** every N days run from the first target until ``until_day`` (days from the
  anchor, in the timing's own day count) or until the ``until`` event (occurrences due on
  or after the event are dropped). While that event has not happened, occurrences are
  listed up to the first whose window has not opened by ``as_of``.
* **Who.** Visits restricted to cohorts apply only to them; visits and phases of a branch
  (``operated``/``not_operated``) apply once the branch is known. Event visits (adverse
  events, death…) have no schedule.
* **Stops: a visit is due only while the participant is on the schedule.** Every visit
  stops at the participant's death and at off-study; a visit whose protocol entry says
  ``ends_at: [progression]`` (the seed's tumour assessments and re-evaluation) stops at
  the first documented progression too. For one visit, the stop date ``S`` is the earliest
  of those dates that applies to it (``TreatmentDates.death``, ``off_study``,
  ``progression``). Then, for each occurrence of the visit:

  - done (a visit date, or the cycle start / event date standing for it): always kept and
    judged by its window as usual, whatever its date;
  - not done and its window closed before ``S`` (``latest < S``): kept; missed once its
    window closed before ``as_of``, as any other;
  - not done and its window had not closed before ``S`` (``latest >= S``: ``S`` before the
    window opens, inside it, or on its last day): **no longer due**, left out of the
    schedule.

  ``S`` thus plays the part of ``as_of`` for the visit: an occurrence is missed only when
  its whole window passed while the participant was on the schedule. Nothing is projected
  past a stop: a projected cycle or repeat not done with ``latest >= S`` is left out, and an
  open-ended repeat is listed only up to the first occurrence after the last one done
  whose window has not opened by ``S`` (rather than by ``as_of``).
  ``VisitSchedule.stopped`` lists what was left out and why, and ``steps`` say it
  (``follow-up-3-monthly #2-#8 not due: stopped at death and off-study 2028-03-01``;
  ``tumour-assessment-preop #3 onwards not due: stopped at progression 2028-01-05`` for an
  open-ended repeat).

Day counts follow :class:`hipectrial.protocol.regimen.Timing`: for ``cycle_start`` day 1 is
the cycle start and the day before is day -1; for other anchors the event is day 0. The
window is ``[target - window_before, target + window_after]``.

References
----------
shared/reference/protocol-decisions.md, "Treatment flow and timing" (§7: tumour assessment
every 6 weeks until surgery, then every 12 weeks; follow-up every 3 then 6 months);
clinical.md §9 (survival follow-up: status, subsequent therapy, recurrence).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hipectrial.clinical.visits.inputs import actual_by_key, branch_of, check_dates
from hipectrial.clinical.visits.targets import occurrence_days
from hipectrial.clinical.visits.types import (
    ActualVisit,
    Branch,
    StoppedVisit,
    TreatmentDates,
    VisitOccurrence,
    VisitSchedule,
    VisitStatus,
)
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import Anchor, Phase, Timing
from hipectrial.protocol.schedule import ScheduleEnd, Visit

__all__ = [
    "ActualVisit",
    "Branch",
    "StoppedVisit",
    "TreatmentDates",
    "VisitOccurrence",
    "VisitSchedule",
    "VisitStatus",
        "visit_schedule",
    ]


@dataclass(frozen=True, slots=True)
class _When:
    date: dt.date
    projected: bool
    basis: str


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


class _Anchors:
    """Resolves anchors and cycle starts for one participant."""

    def __init__(self, protocol: Protocol, dates: TreatmentDates, branch: Branch | None) -> None:
        self.protocol = protocol
        self.dates = dates
        self.branch = branch
        self.events: dict[Anchor, dt.date | None] = {
            a: dates.event(a) for a in Anchor if a not in (Anchor.CYCLE_START, Anchor.EVENT)}
        self.starts: dict[str, tuple[dt.date, ...]] = {
            k: tuple(v) for k, v in dates.cycle_starts.items()}
        self._cycle_cache: dict[tuple[str, int], _When | None] = {}

    def applies(self, phase: Phase) -> bool:
        return phase.branch == "all" or phase.branch == (self.branch.value if self.branch else None)

    def cycles(self, phase: Phase) -> int:
        """How many cycles of ``phase`` the schedule lists."""
        if not self.applies(phase):
            return 0
        done = len(self.starts.get(phase.id, ()))
        if self.dates.end_of_treatment is not None:
            return done
        if phase.cycles is not None:
            return phase.cycles
        return done + 1  # open-ended: the cycles given and the next one

    def due(self, phase: Phase, n: int) -> _When | None:
        """When cycle ``n`` of ``phase`` is due: cycle 1 by the phase's start timing, later
        cycles one cycle length after the previous cycle's (actual or projected) start."""
        if n == 1:
            return self.resolve(phase.start)
        previous = self.start(phase, n - 1)
        if previous is None:
            return None
        started = "projected start" if previous.projected else "start"
        return _When(previous.date + _days(phase.cycle_length_days), previous.projected,
                     f"cycle {n - 1} {started} {previous.date.isoformat()} + "
                     f"{phase.cycle_length_days} days")

    def start(self, phase: Phase, n: int) -> _When | None:
        """The actual start of cycle ``n`` of ``phase``, or its projection when not started."""
        key = (phase.id, n)
        if key not in self._cycle_cache:
            actual = self.starts.get(phase.id, ())
            if n <= len(actual):
                when: _When | None = _When(actual[n - 1], False, f"{phase.id} cycle {n} started")
            else:
                due = self.due(phase, n)
                when = None if due is None else _When(due.date, True, f"projected: {due.basis}")
            self._cycle_cache[key] = when
        return self._cycle_cache[key]

    def resolve(self, timing: Timing, day: int | None = None) -> _When | None:
        """The date of ``day`` (default: the timing's day) counted from its anchor."""
        day = timing.day if day is None else day
        if timing.anchor is Anchor.CYCLE_START:
            assert timing.phase is not None  # protocol checks: cycle_start names phase and cycle
            assert timing.cycle is not None
            phase = self.protocol.phase(timing.phase)
            start = self.start(phase, timing.cycle) if self.applies(phase) else None
            if start is None:
                return None
            return _When(start.date + _days(timing.offset_days(day)), start.projected,
                         f"{timing.phase} cycle {timing.cycle} day {day} ({start.basis})")
        event = self.events.get(timing.anchor)
        if event is None:
            return None
        return _When(event + _days(timing.offset_days(day)), False,
                     f"{timing.anchor.value} {event.isoformat()} day {day}")


def visit_schedule(*, protocol: Protocol, cohort: str, branch: Branch | str | None,
                   dates: TreatmentDates, actual: Sequence[ActualVisit] = (),
                   as_of: dt.date) -> VisitSchedule:
    """Each scheduled visit occurrence for one participant, with its window and status.

    Parameters
    ----------
    cohort
        The participant's cohort id (visits restricted to other cohorts are left out).
    branch
        ``operated``, ``not_operated``, or ``None`` while re-evaluation has not decided;
        branch-specific visits and phases apply once it is known.
    dates
        The actual anchor dates (registration, HIPEC, cycle starts per phase, surgery, end
        of treatment, last dose) and the stops (death, off-study, first progression): an
        occurrence not done whose window had not closed before its visit's stop is left
        out (module docstring, "Stops").
    actual
        The visits done. A started cycle's day-1 visit defaults to the cycle start date.
    as_of
        The date the schedule is judged on: a visit not done is missed when its window
        closed before it.

    Raises
    ------
    InputError
        For an unknown cohort, branch, phase, visit or form; cycle starts out of order or
        more than a phase has; a surgery date with branch ``not_operated``; a date after
        ``as_of``; a visit occurrence the schedule does not have, or given twice.

    Examples
    --------
    HIPEC on 1 March 2026: induction cycle 1 day 1 is due on day 21, 22 March (-7/+7).

    >>> import datetime as dt
    >>> from hipectrial.protocol import load_protocol
    >>> s = visit_schedule(protocol=load_protocol(), cohort="HER2-negative", branch=None,
    ...                    dates=TreatmentDates(registration=dt.date(2026, 2, 27),
    ...                                         hipec=dt.date(2026, 3, 1),
    ...                                         cycle_starts={"induction": [dt.date(2026, 3, 14)]}),
    ...                    as_of=dt.date(2026, 3, 14))
    >>> c1 = s.occurrence("induction-cycle", 1)
    >>> c1.target, c1.earliest, c1.status.value, c1.days_from_target
    (datetime.date(2026, 3, 22), datetime.date(2026, 3, 15), 'early', -8)

    The same participant died on 25 March. Cycle 2 was due on 4 April (14 March + 21 days,
    window 1 to 7 April): its window had not closed before the death, so it is not due, nor
    is anything later; the screening visit's window closed before (26 February), so it
    stays, missed:

    >>> s = visit_schedule(protocol=load_protocol(), cohort="HER2-negative", branch=None,
    ...                    dates=TreatmentDates(registration=dt.date(2026, 2, 27),
    ...                                         hipec=dt.date(2026, 3, 1),
    ...                                         cycle_starts={"induction": [dt.date(2026, 3, 14)]},
    ...                                         death=dt.date(2026, 3, 25)),
    ...                    as_of=dt.date(2026, 4, 30))
    >>> [(o.visit_id, o.status.value) for o in s.occurrences]  # doctest: +NORMALIZE_WHITESPACE
    [('screening', 'missed'), ('day0-laparoscopy-hipec', 'on_time'),
     ('registration', 'on_time'), ('induction-cycle', 'early')]
    >>> s.steps[1]
    'induction-cycle #2-#3 not due: stopped at death 2026-03-25'
    """
    if isinstance(as_of, dt.datetime) or not isinstance(as_of, dt.date):
        raise InputError("as_of", as_of, "a date")
    cohort_ids = [c.id for c in protocol.cohorts]
    if cohort not in cohort_ids:
        raise InputError("cohort", cohort, "one of " + ", ".join(cohort_ids))
    chosen = branch_of(branch)
    check_dates(protocol, dates, chosen, as_of)
    anchors = _Anchors(protocol, dates, chosen)
    done = actual_by_key(protocol, actual, as_of)
    occurrences: list[VisitOccurrence] = []
    steps: list[str] = []
    stopped: list[StoppedVisit] = []
    for visit in protocol.visits:
        if visit.timing.anchor is Anchor.EVENT:
            continue
        if visit.cohorts is not None and cohort not in visit.cohorts:
            continue
        if visit.branch != "all" and (chosen is None or visit.branch != chosen.value):
            continue
        event_date = anchors.events.get(visit.records_event) if visit.records_event else None
        stop = _stop(visit, dates)
        horizon, last_done = as_of, 0
        if stop is not None:  # list an open-ended repeat to the stop, and to the last one done
            horizon = min(as_of, stop[0])
            last_done = max((n for v, n in done if v == visit.id), default=0)
        left_out: list[int] = []
        for plan in _plans(protocol, anchors, visit, horizon, last_done):
            o = _occurrence(visit, plan, done, as_of, event_date)
            if stop is not None and o.actual is None and o.latest >= stop[0]:
                left_out.append(o.occurrence)  # no longer due (module docstring, "Stops")
                continue
            occurrences.append(o)
        if stop is not None and left_out:
            onwards = _open_ended(visit, anchors) and left_out[-1] > last_done
            stopped.append(StoppedVisit(visit.id, tuple(left_out), stop[0], stop[1], onwards))
            steps.append(f"{visit.id} {_numbers(left_out, onwards)} not due: stopped at "
                         f"{' and '.join(e.value.replace('_', '-') for e in stop[1])} "
                         f"{stop[0].isoformat()}")
    listed = {(o.visit_id, o.occurrence) for o in occurrences}
    for key in done:
        if key not in listed:
            have = sorted(n for v, n in listed if v == key[0])
            raise InputError("occurrence", key[1],
                             f"an occurrence of visit {key[0]!r} the schedule has "
                             f"({', '.join(map(str, have)) or 'none for this participant'})",
                             "the visit does not apply or its anchor date is not known yet"
                             if not have else None)
    occurrences.sort(key=lambda o: (o.target, o.visit_id, o.occurrence))
    counts = {s: sum(o.status is s for o in occurrences) for s in VisitStatus}
    steps.append(", ".join(f"{n} {s.value.replace('_', ' ')}" for s, n in counts.items() if n)
                 or "no visit can be scheduled yet")
    return VisitSchedule(as_of, cohort, chosen, tuple(occurrences), tuple(steps), tuple(stopped))


def _stop(visit: Visit, dates: TreatmentDates) -> tuple[dt.date, tuple[ScheduleEnd, ...]] | None:
    """The earliest stop that applies to ``visit`` and the events on that date (death and
    off-study end every visit; progression those whose ``ends_at`` names it)."""
    if dates.death is None and dates.off_study is None and dates.progression is None:
        return None
    known = [(when, end) for end, when in ((ScheduleEnd.DEATH, dates.death),
                                           (ScheduleEnd.OFF_STUDY, dates.off_study),
                                           (ScheduleEnd.PROGRESSION, dates.progression))
             if when is not None and (end is not ScheduleEnd.PROGRESSION or end in visit.ends_at)]
    if not known:
        return None
    first = min(when for when, _ in known)
    return first, tuple(end for when, end in known if when == first)


def _numbers(occurrences: Sequence[int], onwards: bool) -> str:
    """``#3-#5, #7``: occurrence numbers, consecutive runs joined; ``#7 onwards`` when the
    last run goes on."""
    runs: list[list[int]] = []
    for n in occurrences:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    text = [f"#{r[0]}" if len(r) == 1 else f"#{r[0]}-#{r[-1]}" for r in runs]
    if onwards:
        text[-1] = f"#{runs[-1][0]} onwards"
    return ", ".join(text)


def _open_ended(visit: Visit, anchors: _Anchors) -> bool:
    """An every-N-days repeat with no last day whose ``until`` event has not happened: its
    occurrences are listed up to a horizon, not to an end the protocol gives."""
    repeat = visit.repeat
    return (repeat is not None and repeat.every_days is not None and repeat.until_day is None
            and (repeat.until is None or anchors.events.get(repeat.until) is None))


@dataclass(frozen=True, slots=True)
class _Plan:
    occurrence: int
    phase: str | None
    cycle: int | None
    target: _When
    window_before: int
    window_after: int
    cycle_started: dt.date | None = None


def _plans(protocol: Protocol, anchors: _Anchors, visit: Visit, horizon: dt.date,
           last_done: int) -> list[_Plan]:
    """The occurrences of ``visit`` the protocol schedules. An open-ended repeat is listed up
    to the first occurrence after number ``last_done`` whose window has not opened by
    ``horizon`` (``as_of``, or the visit's stop when earlier)."""
    timing, repeat = visit.timing, visit.repeat
    before, after = timing.window_before, timing.window_after
    if repeat is not None and repeat.per_cycle is not None:
        phase = protocol.phase(repeat.per_cycle)
        plans = []
        for n in range(1, anchors.cycles(phase) + 1):
            actual = anchors.starts.get(phase.id, ())
            started = actual[n - 1] if n <= len(actual) else None
            if timing.day <= 1:
                # A day-1 visit judges the cycle start: target = when the cycle was due.
                due = anchors.due(phase, n)
                if due is None:
                    break
                when = _When(due.date + _days(timing.offset_days()), due.projected,
                             f"{phase.id} cycle {n} due: {due.basis}")
                b, a = ((phase.start.window_before, phase.start.window_after)
                        if n == 1 and timing.day == 1 else (before, after))
            else:
                start = anchors.start(phase, n)
                if start is None:
                    break
                when = _When(start.date + _days(timing.offset_days()), start.projected,
                             f"{phase.id} cycle {n} day {timing.day} ({start.basis})")
                b, a = before, after
            plans.append(_Plan(n, phase.id, n, when, b, a, started if timing.day == 1 else None))
        return plans
    first = anchors.resolve(timing)
    if first is None:
        return []
    phase_id = timing.phase
    if repeat is None or repeat.every_days is None:
        return [_Plan(1, phase_id, timing.cycle, first, before, after)]
    until_event = anchors.events.get(repeat.until) if repeat.until is not None else None
    open_ended = _open_ended(visit, anchors)
    plans = []
    for occurrence, day in occurrence_days(visit):
        later = first if occurrence == 1 else anchors.resolve(timing, day)
        assert later is not None  # the anchor resolved for the first occurrence
        when = later
        if until_event is not None and when.date >= until_event:
            break
        plans.append(_Plan(occurrence, phase_id, timing.cycle, when, before, after))
        if open_ended and when.date - _days(before) > horizon and occurrence > last_done:
            break  # open-ended: list up to the first occurrence whose window has not opened
    return plans


def _occurrence(visit: Visit, plan: _Plan, done: Mapping[tuple[str, int], ActualVisit],
                as_of: dt.date, event_date: dt.date | None = None) -> VisitOccurrence:
    target = plan.target.date
    earliest, latest = target - _days(plan.window_before), target + _days(plan.window_after)
    record = done.get((visit.id, plan.occurrence))
    # Without a recorded visit date, a cycle's day-1 visit took place when the cycle started,
    # and a visit that records an event (registration, HIPEC, surgery) on the event's date.
    actual = record.date if record is not None else (plan.cycle_started or event_date)
    missing_forms: tuple[str, ...] = ()
    if record is not None and record.forms is not None:
        missing_forms = tuple(f for f in visit.forms if f not in record.forms)
    if actual is not None:
        days: int | None = (actual - target).days
        status = (VisitStatus.EARLY if actual < earliest else
                  VisitStatus.LATE if actual > latest else VisitStatus.ON_TIME)
    else:
        days = None
        status = (VisitStatus.MISSED if latest < as_of else
                  VisitStatus.DUE if earliest <= as_of else VisitStatus.UPCOMING)
    return VisitOccurrence(visit.id, visit.name.en, plan.occurrence, plan.phase, plan.cycle,
                           target, earliest, latest, plan.target.projected, actual, status, days,
                           tuple(visit.forms), missing_forms, plan.target.basis)
