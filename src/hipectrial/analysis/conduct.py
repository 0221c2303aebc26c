"""Trial conduct: protocol deviations, data completeness and accrual.

* **Schedule** — for each registered participant,
  :func:`hipectrial.clinical.visits.schedule.visit_schedule` from their actual dates (registration,
  day-0 HIPEC, cycle starts = the first dose date of each (phase, cycle), conversion
  surgery, the ``end-of-treatment`` visit date, the last dose date), their stops (death
  date, ``Participant.off_study_date``, first progression date: ``Facts``) and the
  scheduled visits recorded, as of the cut-off (forms not judged: see ``schedule_of``). A
  visit is due only while the participant is on the schedule: the schedule leaves out the
  occurrences not done whose window had not closed before the death, the off-study date or,
  for visits that end at progression in the protocol (``ends_at``), the progression —
  that rule lives in ``visit_schedule`` alone. The branch is ``operated`` with a conversion
  surgery, ``not_operated`` with a dose in a not-operated phase, else undecided.
* **Deviations** — :func:`hipectrial.clinical.deviations` on that schedule and on every dose
  with a prescribed and a given amount in mg (``given > 0``; a withheld dose is not a dose
  deviation).
* **Completeness** — visit occurrences whose window closed before the cut-off (not
  projected) are expected; those with a date are recorded. At each cycle day-1 visit done,
  every required lab of the ``labs`` form (its CDISC-coded fields) must have a
  ``LabResult`` in time for it (:func:`hipectrial.clinical.course.day1_labs_in_time`: the
  seed's "labs within 72 hours before dosing" is the visit day or the 3 days before).
* **Accrual** — per site and per calendar month: screened (by consent date), registered
  (by registration date).

Participants whose schedule cannot be built (inconsistent dates) are listed with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hipectrial.analysis.facts import Facts
from hipectrial.analysis.results import ParticipantNote
from hipectrial.clinical import deviations
from hipectrial.clinical.course import day1_labs_in_time
from hipectrial.clinical.visits.deviations import DoseGiven
from hipectrial.clinical.visits.schedule import (
    ActualVisit,
    TreatmentDates,
    VisitSchedule,
    VisitStatus,
    visit_schedule,
)
from hipectrial.data import TrialData
from hipectrial.errors import HipectrialError
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import Anchor


@dataclass(frozen=True, slots=True)
class DeviationRow:
    participant_id: str
    kind: str
    subject: str
    date: dt.date | None
    detail: str


@dataclass(frozen=True, slots=True)
class Deviations:
    rows: tuple[DeviationRow, ...]
    by_kind: tuple[tuple[str, int], ...]
    notes: tuple[ParticipantNote, ...]


@dataclass(frozen=True, slots=True)
class ParticipantCompleteness:
    participant_id: str
    expected: int
    recorded: int
    missed: tuple[str, ...]
    lab_values_expected: int
    lab_values_missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Completeness:
    expected: int
    recorded: int
    lab_values_expected: int
    lab_values_missing: int
    participants: tuple[ParticipantCompleteness, ...]
    notes: tuple[ParticipantNote, ...]
    # The protocol's day-1 lab window (``retreatment.labs_within_hours``).
    lab_window_hours: int


@dataclass(frozen=True, slots=True)
class AccrualRow:
    key: str
    screened: int
    registered: int


@dataclass(frozen=True, slots=True)
class AccrualTables:
    by_site: tuple[AccrualRow, ...]
    by_month: tuple[AccrualRow, ...]


def treatment_dates(protocol: Protocol, f: Facts) -> TreatmentDates:
    """The participant's dates as the clinical rules take them. A cycle starts on the first
    dose date of its (phase, cycle); a phase's cycle starts are numbered from cycle 1 up to
    the first cycle with no dose record (a later cycle is not shifted into its place)."""
    starts: dict[str, list[dt.date]] = {}
    for phase in protocol.phases:
        by_cycle: dict[int, dt.date] = {}
        for d in f.doses:
            if d.phase == phase.id and d.cycle is not None:
                by_cycle[d.cycle] = min(by_cycle.get(d.cycle, d.date), d.date)
        contiguous: list[dt.date] = []
        while len(contiguous) + 1 in by_cycle:
            contiguous.append(by_cycle[len(contiguous) + 1])
        if contiguous:
            starts[phase.id] = contiguous
    eot = next((v.actual_date for v in f.visits if v.visit_id == "end-of-treatment"), None)
    last_dose = max((d.date for d in f.doses if d.given > 0), default=None)
    return TreatmentDates(registration=f.registration_date, hipec=f.hipec_date, cycle_starts=starts,
                          surgery=f.conversion_surgery.date if f.conversion_surgery else None,
                          end_of_treatment=eot,
                          last_dose=last_dose if f.participant.off_treatment_date is not None else None,
                          death=f.death_date, off_study=f.participant.off_study_date,
                          progression=f.progression_date)


def schedule_of(protocol: Protocol, f: Facts, cutoff: dt.date) -> VisitSchedule:
    """The participant's visit schedule as of ``cutoff`` (module docstring)."""
    branch = ("operated" if f.conversion_surgery is not None
              else "not_operated" if f.not_operated_start is not None else None)
    scheduled = {v.id for v in protocol.visits if v.timing.anchor is not Anchor.EVENT}
    # Forms are not reported (None): facts with a typed home (labs, doses, assessments) are
    # not CRF records, so a missing CRF is not a missing assessment; labs are checked apart.
    actual = [ActualVisit(v.visit_id, v.repeat, v.actual_date, None)
              for v in f.visits if v.visit_id in scheduled and v.actual_date is not None]
    return visit_schedule(protocol=protocol, cohort=f.participant.cohort or "", branch=branch,
                          dates=treatment_dates(protocol, f), actual=actual, as_of=cutoff)


def conduct(protocol: Protocol, registered: Sequence[str], facts: Mapping[str, Facts],
            cutoff: dt.date) -> tuple[Deviations, Completeness]:
    rows: list[DeviationRow] = []
    notes: list[ParticipantNote] = []
    people: list[ParticipantCompleteness] = []
    labs_form = protocol.form("labs")
    lab_codes = [fd.cdisc for fd in labs_form.fields if fd.required and fd.cdisc and fd.show_if is None]
    cycle_visits = {v.id for v in protocol.visits
                    if v.repeat is not None and v.repeat.per_cycle is not None and "labs" in v.forms}
    for pid in registered:
        f = facts[pid]
        try:
            schedule = schedule_of(protocol, f, cutoff)
            doses = [DoseGiven(d.agent, d.date, d.prescribed, d.given, d.phase, d.cycle) for d in f.doses
                     if d.unit == "mg" and d.prescribed is not None and d.prescribed > 0 and d.given > 0]
            report = deviations(protocol=protocol, schedule=schedule, doses=doses)
        except HipectrialError as exc:
            notes.append(ParticipantNote(pid, f"schedule not built: {exc}"))
            continue
        rows += [DeviationRow(pid, d.kind.value, d.subject, d.date, d.detail) for d in report.deviations]
        closed = [o for o in schedule.occurrences if o.latest < cutoff and not o.projected]
        missed = tuple(f"{o.visit_id} #{o.occurrence}" for o in closed if o.status is VisitStatus.MISSED)
        expected_labs, missing_labs = 0, []
        for o in schedule.occurrences:
            if o.visit_id not in cycle_visits or o.actual is None:
                continue
            day = o.actual
            for code in lab_codes:
                expected_labs += 1
                if not any(r.test_code == code and day1_labs_in_time(protocol=protocol, lab_date=r.date,
                                                                     dosing_date=day)
                           for r in f.labs):
                    missing_labs.append(f"{o.visit_id} #{o.occurrence} {code}")
        people.append(ParticipantCompleteness(pid, len(closed), len(closed) - len(missed), missed,
                                              expected_labs, tuple(missing_labs)))
    kinds = Counter(r.kind for r in rows)
    devs = Deviations(tuple(rows), tuple(sorted(kinds.items())), tuple(notes))
    comp = Completeness(sum(p.expected for p in people), sum(p.recorded for p in people),
                        sum(p.lab_values_expected for p in people),
                        sum(len(p.lab_values_missing) for p in people), tuple(people), tuple(notes),
                        protocol.dose_modifications.retreatment.labs_within_hours)
    return devs, comp


def accrual(trial: TrialData) -> AccrualTables:
    sites: dict[str, list[int]] = {s.id: [0, 0] for s in trial.sites}
    months: dict[str, list[int]] = {}
    for p in trial.participants:
        sites.setdefault(p.site_id, [0, 0])[0] += 1
        months.setdefault(p.consent_date.strftime("%Y-%m"), [0, 0])[0] += 1
        if p.registration_date is not None:
            sites[p.site_id][1] += 1
            months.setdefault(p.registration_date.strftime("%Y-%m"), [0, 0])[1] += 1
    return AccrualTables(tuple(AccrualRow(k, v[0], v[1]) for k, v in sites.items()),
                   tuple(AccrualRow(k, v[0], v[1]) for k, v in sorted(months.items())))
