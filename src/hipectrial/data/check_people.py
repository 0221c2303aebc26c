"""Checks of the trial header, sites, participants and visits against the protocol."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from hipectrial.data.findings import Checker, Finding, FindingCode, Severity, listing
from hipectrial.data.records import Participant, Visit
from hipectrial.data.trial import Record
from hipectrial.data.vocab import RecordKind
from hipectrial.protocol.regimen import Anchor
from hipectrial.protocol.schedule import Visit as VisitDef


def check_trial(c: Checker) -> None:
    study = c.protocol.study
    trial = c.trial
    if trial.protocol_id != study.id:
        c.findings.append(Finding(
            Severity.ERROR, RecordKind.TRIAL, None, trial.protocol_id, "protocol_id",
            f"the data were built under protocol {trial.protocol_id!r}; this protocol is {study.id!r}",
        ))
    elif trial.protocol_version != study.version:
        c.findings.append(Finding(
            Severity.WARNING, RecordKind.TRIAL, None, trial.protocol_id, "protocol_version",
            f"the data were built under protocol version {trial.protocol_version!r}; checking "
            f"against version {study.version!r}",
        ))


def check_duplicates(c: Checker, kind: RecordKind, records: Sequence[Record],
                     what: Callable[[Record], str]) -> None:
    """An error for each record whose key an earlier record of the same kind has."""
    first: dict[str, int] = {}
    for i, record in enumerate(records):
        if record.key in first:
            c.error(kind, i, record, None,
                    f"duplicate {what(record)}: the same as {kind.value}[{first[record.key]}]")
        else:
            first[record.key] = i


def check_sites(c: Checker) -> None:
    check_duplicates(c, RecordKind.SITE, c.trial.sites, lambda r: f"site id {r.key!r}")


def check_participants(c: Checker) -> None:
    kind = RecordKind.PARTICIPANT
    check_duplicates(c, kind, c.trial.participants, lambda r: f"participant id {r.key!r}")
    sites = {s.id for s in c.trial.sites}
    cohorts = [cohort.id for cohort in c.protocol.cohorts]
    levels = [level.id for level in c.protocol.dose_finding.levels]
    for i, p in enumerate(c.trial.participants):
        if p.site_id not in sites:
            c.error(kind, i, p, "site_id", f"unknown site {p.site_id!r}; sites: {listing(sites)}")
        if not p.id.startswith(f"{p.site_id}-"):
            c.error(kind, i, p, "id",
                    f"participant id {p.id!r} is not prefixed by its site id ({p.site_id}-)")
        if p.cohort is not None and p.cohort not in cohorts:
            c.error(kind, i, p, "cohort", f"unknown cohort {p.cohort!r}; known cohorts: {listing(cohorts)}")
        if p.dose_level is not None and p.dose_level not in levels:
            c.say(Severity.ERROR, kind, i, p, "dose_level", FindingCode.UNKNOWN_DOSE_LEVEL,
                  level=p.dose_level, levels=tuple(levels))
        if p.registration_date is not None and p.cohort is None:
            c.say(Severity.WARNING, kind, i, p, "cohort", FindingCode.REGISTERED_WITHOUT_COHORT)
        c.coded(kind, i, p, "off_treatment_reason", p.off_treatment_reason)
        c.coded(kind, i, p, "off_study_reason", p.off_study_reason)
        _participant_dates(c, i, p)


def _participant_dates(c: Checker, i: int, p: Participant) -> None:
    kind = RecordKind.PARTICIPANT
    # Each date given must not precede the last one given before it in this chain, so an
    # inversion is reported once, on the later date.
    chain = (("birth_date", p.birth_date), ("consent_date", p.consent_date),
             ("registration_date", p.registration_date), ("off_treatment_date", p.off_treatment_date),
             ("off_study_date", p.off_study_date))
    previous: tuple[str, dt.date | None] | None = None
    for name, when in chain:
        if when is None:
            continue
        if previous is not None:
            c.order(kind, i, p, previous, (name, when))
        previous = (name, when)
    if p.registration_date is None and p.off_treatment_date is not None:
        c.say(Severity.ERROR, kind, i, p, "off_treatment_date", FindingCode.NEVER_REGISTERED)
    for stage in ("off_treatment", "off_study"):
        date, reason = getattr(p, f"{stage}_date"), getattr(p, f"{stage}_reason")
        if date is not None and not reason:
            c.say(Severity.WARNING, kind, i, p, f"{stage}_reason", FindingCode.DATE_WITHOUT_REASON,
                  stage=stage)
        if date is None and reason:
            c.say(Severity.WARNING, kind, i, p, f"{stage}_date", FindingCode.REASON_WITHOUT_DATE,
                  stage=stage)


def before_registration_allowed(visit: VisitDef) -> bool:
    """Whether a visit may take place before registration (screening, unscheduled events)."""
    timing = visit.timing
    if timing.anchor is Anchor.EVENT:
        return True
    return timing.anchor is Anchor.REGISTRATION and timing.day - timing.window_before < 0


def _max_repeat(c: Checker, visit: VisitDef) -> int | None:
    """How many times the protocol schedules a visit; None when it is open-ended."""
    repeat = visit.repeat
    if repeat is None:
        return 1
    if repeat.per_cycle is not None:
        try:
            return c.protocol.phase(repeat.per_cycle).cycles
        except KeyError:
            return None
    if repeat.every_days is not None and repeat.until_day is not None:
        return (repeat.until_day - visit.timing.day) // repeat.every_days + 1
    return None


def check_visits(c: Checker) -> None:
    kind = RecordKind.VISIT
    check_duplicates(c, kind, c.trial.visits, lambda r: f"visit {r.key!r}")
    known = {v.id: v for v in c.protocol.visits}
    for i, v in enumerate(c.trial.visits):
        participant = c.participant_of(kind, i, v, v.participant_id)
        visit_def = known.get(v.visit_id)
        if visit_def is None:
            c.error(kind, i, v, "visit_id", f"unknown visit {v.visit_id!r}; the protocol's visits: "
                    f"{listing(known)}")
        else:
            most = _max_repeat(c, visit_def)
            if most is not None and v.repeat > most:
                if most == 1:
                    c.say(Severity.ERROR, kind, i, v, "repeat", FindingCode.VISIT_ONCE, repeat=str(v.repeat),
                          visit=v.visit_id)
                else:
                    c.say(Severity.ERROR, kind, i, v, "repeat", FindingCode.VISIT_AT_MOST,
                          repeat=str(v.repeat), visit=v.visit_id, most=str(most))
        if participant is None:
            continue
        if visit_def is not None:
            _visit_for_participant(c, i, v, visit_def, participant)
        c.in_lifetime(kind, i, v, participant, "actual_date", v.actual_date)


def _visit_for_participant(c: Checker, i: int, v: Visit, visit_def: VisitDef,
                           participant: Participant) -> None:
    kind = RecordKind.VISIT
    cohorts, cohort = visit_def.cohorts, c.cohort_of(participant)
    if cohorts is not None and cohort is not None and cohort not in cohorts:
        c.say(Severity.ERROR, kind, i, v, "visit_id", FindingCode.VISIT_COHORT, visit=v.visit_id,
              cohorts=tuple(sorted(cohorts)), cohort=cohort)
    if v.actual_date is None or before_registration_allowed(visit_def):
        return
    if participant.registration_date is None:
        c.say(Severity.ERROR, kind, i, v, "actual_date", FindingCode.VISIT_BEFORE_REGISTRATION,
              visit=v.visit_id, participant=participant.id)
    else:
        c.order(kind, i, v, ("registration_date", participant.registration_date),
                ("actual_date", v.actual_date))
