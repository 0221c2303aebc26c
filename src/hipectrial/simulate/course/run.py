"""One registered participant's course, from registration to death, dropout or the horizon.

:func:`simulate_course` follows the protocol (day-0 laparoscopy + HIPEC, induction, the
re-evaluation and MDT, conversion surgery + adjuvant + maintenance or continuation +
maintenance, CT and follow-up schedules) and returns a :class:`Course`: the participant's
records written as ``docs/trialdata-conventions.md`` says, and the outcome facts the
designs need (DLT, R0, and when each became known). :meth:`Course.truncated` gives the
course as known at a data cut-off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from hipectrial.data import (
    AdverseEvent,
    DoseAdministration,
    FollowUp,
    FormRecord,
    LabResult,
    Participant,
    Surgery,
    TumourAssessment,
    Visit,
)
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol
from hipectrial.simulate.course.common import Context, days
from hipectrial.simulate.course.deaths import fatal_episode
from hipectrial.simulate.course.flow import Flow
from hipectrial.simulate.course.followup import follow_up
from hipectrial.simulate.course.timeline import follow_up_days
from hipectrial.simulate.course.truncate import truncate
from hipectrial.simulate.course.visits import visit_records
from hipectrial.simulate.scenario.course import CourseParameters
from hipectrial.simulate.types import Enrolment


@dataclass(frozen=True, slots=True)
class Course:
    """A simulated participant's records and outcome facts.

    ``dlt``: a DLT-qualifying event inside the DLT window (flagged ``dlt`` on the AE in
    Part A); ``dlt_evaluable``: received HIPEC and induction cycle 1 and was followed to
    the end of the protocol's DLT window (seed: cycle 1 day 21), or had a DLT;
    ``dlt_known_on``: the DLT's onset, else the end of the window or the earlier
    death/dropout. ``r0``: R0 resection (R0, CC-0, CY0 at surgery);
    ``r0_known_on``: the surgery date, or when it became certain there would be no R0 (MDT
    decision not to operate, progression, death, dropout, stop of treatment).
    """

    participant: Participant
    visits: tuple[Visit, ...]
    form_records: tuple[FormRecord, ...]
    doses: tuple[DoseAdministration, ...]
    adverse_events: tuple[AdverseEvent, ...]
    lab_results: tuple[LabResult, ...]
    tumour_assessments: tuple[TumourAssessment, ...]
    surgeries: tuple[Surgery, ...]
    follow_ups: tuple[FollowUp, ...]
    dlt: bool
    dlt_evaluable: bool
    dlt_known_on: dt.date
    r0: bool
    r0_known_on: dt.date

    def truncated(self, cutoff: dt.date) -> Course:
        """The course as known at ``cutoff``: nothing dated after it.

        A death, progression, end of treatment or end of study after the cut-off
        disappears; an AE ongoing at the cut-off keeps no resolution date; the outcome
        facts become unknown-yet (``dlt``/``r0`` False) when they were known after it.
        """
        return truncate(self, cutoff)


def simulate_course(*, protocol: Protocol, params: CourseParameters, enrolment: Enrolment,
                    dlt_probability: float, rng: np.random.Generator,
                    horizon_days: int | None = None) -> Course:
    """Simulate one registered participant's course.

    Parameters
    ----------
    protocol
        The loaded protocol: regimen, dose rules, modification rules, visits, code lists.
    params
        The scenario's per-participant parameters.
    enrolment
        The screening profile, registration date, cohort, dose level and study part.
    dlt_probability
        Probability of one DLT-qualifying event in the DLT window (flagged in Part A).
    rng
        The random generator; the same state and inputs give the same course.
    horizon_days
        Follow the participant at most this many days after registration; None: the
        protocol's follow-up length (:func:`~hipectrial.simulate.course.timeline.follow_up_days`).

    Returns
    -------
    Course

    Raises
    ------
    InputError
        A probability outside [0, 1] or a horizon below 1 day.
    """
    if not 0.0 <= dlt_probability <= 1.0:
        raise InputError("dlt_probability", dlt_probability, "a probability in [0, 1]")
    if horizon_days is None:
        horizon_days = follow_up_days(protocol)
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, int) or horizon_days < 1:
        raise InputError("horizon_days", horizon_days, "a whole number of days >= 1")
    horizon = enrolment.registration_date + days(horizon_days)
    ctx = Context(protocol=protocol, params=params, enrolment=enrolment, rng=rng, horizon=horizon)
    flow = Flow(ctx, dlt_probability)
    flow.run()
    if ctx.death is not None and ctx.dropout is not None and ctx.death > ctx.dropout:
        ctx.death, ctx.death_cause = None, None   # not known: the participant had left the study
    fatal = fatal_episode(ctx, flow.fatal_operation)
    if fatal is not None:
        flow.tx.episodes.append(fatal)
    eot, eot_visit = follow_up(flow)
    end = min(ctx.end(), horizon)
    records = ctx.records
    last = max([end, *(f.date for f in records.follow_ups)])
    as_of = max([last, *(a.date for a in records.assessments)])
    visits = visit_records(ctx, flow.done, flow.events, eot, eot_visit, as_of)
    participant = _participant(ctx, flow)
    for e in flow.tx.episodes:
        if e.resolution is not None and e.resolution > end:
            e.resolution = None      # ongoing at death, dropout or the horizon
    adverse = [e.record(ctx.pid) for e in flow.tx.episodes if e.onset <= end]
    records.labs[:] = [r for r in records.labs if r.date <= end]
    registration = enrolment.registration_date
    return Course(
        participant=participant,
        visits=tuple(visits),
        form_records=tuple(sorted(records.forms, key=lambda f: (_form_date(f, registration),
                                                                 f.visit_id, f.visit_repeat, f.form_id))),
        doses=tuple(sorted(records.doses, key=lambda d: (d.date, d.agent))),
        adverse_events=tuple(_unique_aes(adverse)),
        lab_results=tuple(_unique_labs(records.labs)),
        tumour_assessments=tuple(sorted(records.assessments, key=lambda a: (a.date, a.method.value))),
        surgeries=tuple(sorted(records.surgeries, key=lambda s: s.date)),
        follow_ups=tuple(sorted(records.follow_ups, key=lambda f: f.date)),
        dlt=ctx.dlt,
        dlt_evaluable=flow.dlt_evaluable,
        dlt_known_on=flow.dlt_known_on or end,
        r0=ctx.r0,
        r0_known_on=flow.r0_known_on or end,
    )


def _form_date(form: FormRecord, default: dt.date) -> dt.date:
    for value in form.values.values():
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
    return default


def _unique_aes(events: list[AdverseEvent]) -> list[AdverseEvent]:
    """One AE per term and onset day (the record key): the higher grade wins."""
    kept: dict[str, AdverseEvent] = {}
    for e in events:
        if e.key not in kept or e.grade > kept[e.key].grade:
            kept[e.key] = e
    return sorted(kept.values(), key=lambda a: (a.onset_date, a.term))


def _unique_labs(labs: list[LabResult]) -> list[LabResult]:
    """One result per test and day (the record key): the last one written wins."""
    kept: dict[str, LabResult] = {}
    for lab in labs:
        kept[lab.key] = lab
    return sorted(kept.values(), key=lambda r: (r.date, r.test_code))


def _participant(ctx: Context, flow: Flow) -> Participant:
    profile = ctx.enrolment.profile
    off_study, off_study_reason = None, None
    if ctx.death is not None:
        off_study, off_study_reason = ctx.death, "death"
    elif ctx.dropout is not None:
        off_study, off_study_reason = ctx.dropout, ctx.dropout_reason
    elif (ctx.horizon - ctx.enrolment.registration_date).days >= follow_up_days(ctx.protocol):
        off_study, off_study_reason = ctx.horizon, "completed_follow_up"
    off_treatment = ctx.last_dose if ctx.off_treatment_reason is not None else None
    return Participant(
        id=ctx.pid, site_id=profile.site_id, sex=profile.sex, birth_date=profile.birth_date,
        consent_date=profile.consent_date, registration_date=ctx.enrolment.registration_date,
        cohort=ctx.cohort, dose_level=ctx.enrolment.dose_level,
        off_treatment_date=off_treatment,
        off_treatment_reason=ctx.off_treatment_reason if off_treatment else None,
        off_study_date=off_study, off_study_reason=off_study_reason)


__all__ = ["Course", "simulate_course"]
