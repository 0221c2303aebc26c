"""The Part B safety looks of a virtual trial (protocol ``statistics.safety_monitoring``).

**Who a look counts.** Look ``n`` (``every_n``, ``2 * every_n``, ... as
:func:`hipectrial.design.settings.toxicity_monitor_of` places them) counts the first ``n``
Part B participants of the safety population — registered and given a dose of any study
agent (``given > 0``), as the analysis's ``safety`` population — in registration order
(registration date, then participant id), as :mod:`hipectrial.analysis.monitoring` does at
the cut-off.

**When.** The look is taken on the day the last of them completes the protocol's toxicity
observation window, the DLT window (``dose_finding.dlt.window``: day-0 HIPEC to induction
cycle 1 day 21 in the seed protocol; :func:`hipectrial.clinical.course.dlt_window` from
their actual dates), or ends study treatment before it ends; and not before every Part B
registrant ordered before them who was never treated has left the study (until then nobody
knows they will not be treated). Why the window: on the day of a participant's first dose
almost nothing about their toxicity is known, so a look then would judge the rate on
participants who could not yet have had the event (the design's operating characteristics,
:meth:`hipectrial.design.monitor.ToxicityMonitor.operating_characteristics`, assume each
counted participant's outcome is known); the window is the protocol's own stated period of
toxicity observation, and Part A waits for it too. Events later than the window (e.g. a
complication of conversion surgery months later) count at later looks and at the cut-off.
Registration goes on while a look waits. Each counted participant's events are those known
on the look day: their course truncated at it (``Course.truncated``), so an event with onset
after the look, though in the data at the cut-off, did not count. The rule for one participant is
:func:`hipectrial.clinical.safety_event.severe_toxicity`; the posterior
``P(rate > threshold | x, n)`` under the Beta prior is compared with ``posterior_cutoff``.

**What a stop does** (:mod:`~hipectrial.simulate.trial.run`): Part B registration closes on
the look day; people who consented by then are screened and, if they register, kept (as for
the Simon look when registration does not pause).

A look after the data cut-off is not taken. The analysis at the cut-off finds the same
participants at each look and at least as many events (events known after the look day add
to them), so every look the simulator stopped at meets the rule there too; it may also find
the rule met at an earlier look where the simulator, knowing less, went on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from hipectrial.clinical.course import dlt_window
from hipectrial.clinical.safety_event import severe_toxicity
from hipectrial.clinical.visits.types import TreatmentDates
from hipectrial.design.settings import toxicity_monitor_of
from hipectrial.protocol import Protocol
from hipectrial.simulate.trial.result import CourseLike, SafetyLook


@dataclass(frozen=True, slots=True)
class PartBPerson:
    """A Part B registrant as the looks see them: id, registration date and course (as at the
    data cut-off)."""

    participant_id: str
    registration_date: dt.date
    course: CourseLike


def first_dose_date(course: CourseLike) -> dt.date | None:
    """The date of the first dose given (``given > 0``) of any study agent; ``None`` when
    none was given (not in the safety population)."""
    return min((d.date for d in course.doses if d.given > 0), default=None)


def observed_until(protocol: Protocol, course: CourseLike) -> dt.date | None:
    """When a treated participant's toxicity observation window is over (module docstring):
    the end of their DLT window, else (the window's end never came) the day they went off
    treatment or off study; ``None`` when none of these has happened."""
    hipec = min((d.date for d in course.doses if d.cycle is None and d.given > 0), default=None)
    day1: dict[str, dict[int, dt.date]] = {}
    for d in course.doses:
        if d.phase is not None and d.cycle is not None and d.day == 1:
            cycles = day1.setdefault(d.phase, {})
            cycles[d.cycle] = min(d.date, cycles.get(d.cycle, d.date))
    starts = {phase: [cycles[c] for c in range(1, len(cycles) + 1) if c in cycles]
              for phase, cycles in day1.items()}
    end = dlt_window(protocol=protocol, dates=TreatmentDates(hipec=hipec, cycle_starts=starts)).end
    participant = course.participant
    stops = [d for d in (participant.off_treatment_date, participant.off_study_date) if d is not None]
    if end is not None:
        return min([end, *stops])
    return min(stops, default=None)


def had_event(course: CourseLike) -> bool:
    """Whether the course (as truncated by the caller) shows the monitoring event. The death
    is the earliest death date of the follow-up contacts, its cause that of the first contact
    giving one (as :mod:`hipectrial.analysis.facts` reads them)."""
    deaths = sorted((f for f in course.follow_ups if f.death_date is not None), key=lambda f: f.date)
    cause = next((f.cause_of_death for f in deaths if f.cause_of_death is not None), None)
    return severe_toxicity(adverse_events=course.adverse_events, operations=course.surgeries,
                           died=bool(deaths), cause_of_death=cause).met


def safety_looks(protocol: Protocol, people: Sequence[PartBPerson],
                 cutoff: dt.date) -> tuple[SafetyLook, ...]:
    """The safety looks the trial takes by ``cutoff``, in order, up to the first that stops
    (module docstring); empty when the protocol has no safety monitoring.

    ``people`` are the Part B registrants with their courses as at the cut-off.
    """
    rule = protocol.statistics.safety_monitoring
    if rule is None:
        return ()
    monitor = toxicity_monitor_of(rule, enrol=protocol.statistics.primary.enrol)
    ordered = sorted(people, key=lambda p: (p.registration_date, p.participant_id))
    counted: list[tuple[PartBPerson, dt.date]] = []   # the safety population so far, first dose
    known = dt.date.min       # when everyone counted so far is known to be counted or not
    position = 0
    looks: list[SafetyLook] = []
    for look in monitor.looks:
        while len(counted) < look.n and position < len(ordered):
            person = ordered[position]
            position += 1
            first = first_dose_date(person.course)
            observed = observed_until(protocol, person.course) if first is not None else None
            if first is None:
                # never treated: known once they left the study (else not by the cut-off)
                off = person.course.participant.off_study_date
                known = max(known, off if off is not None else cutoff + dt.timedelta(days=1))
            else:
                counted.append((person, first))
                known = max(known, observed if observed is not None else cutoff + dt.timedelta(days=1))
        if len(counted) < look.n or known > cutoff:
            break
        when = known
        events = tuple(p.participant_id for p, _ in counted[:look.n] if had_event(p.course.truncated(when)))
        posterior = monitor.posterior_exceeds(events=len(events), n=look.n)
        stop = posterior > rule.posterior_cutoff
        looks.append(SafetyLook(n=look.n, events=len(events), stop_at=look.stop_at, posterior=posterior,
                                look_date=when, stopped=stop,
                                participant_ids=tuple(p.participant_id for p, _ in counted[:look.n]),
                                event_ids=events))
        if stop:
            break
    return tuple(looks)
