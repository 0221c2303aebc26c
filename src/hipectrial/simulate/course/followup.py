"""After the timeline is drawn: end of treatment, CT records, reviews after operations,
safety and survival follow-up, progression and death contacts, LVEF, registration."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hipectrial.data import ClavienDindo, FollowUp, VitalStatus
from hipectrial.simulate.course.common import days
from hipectrial.simulate.course.disease import ct
from hipectrial.simulate.course.flow import Flow
from hipectrial.simulate.course.timeline import anchor_date
from hipectrial.simulate.course.visits import attend, targets, visit_def


def _end_of_treatment(flow: Flow) -> tuple[dt.date | None, bool]:
    """Sets the off-treatment reason when the timeline left it open; returns the end of
    treatment date (None: still on treatment) and whether an end-of-treatment visit is held."""
    ctx = flow.ctx
    end = ctx.end()
    if ctx.off_treatment_reason is None:
        if ctx.death is not None and ctx.death <= ctx.horizon:
            ctx.off_treatment_reason, flow.stop_decided = "death", ctx.death
        elif ctx.dropout is not None:
            ctx.off_treatment_reason = ("lost_to_follow_up" if ctx.dropout_reason == "lost_to_follow_up"
                                        else "participant_withdrawal")
            flow.stop_decided = ctx.dropout
        elif ctx.progression is not None:
            ctx.off_treatment_reason, flow.stop_decided = "progression", ctx.progression
    if ctx.off_treatment_reason is None:
        return None, False
    eot = flow.stop_decided or end
    if ctx.last_dose is not None and eot < ctx.last_dose:
        eot = ctx.last_dose
    if eot > end:
        return None, False
    held = ctx.off_treatment_reason not in ("death", "lost_to_follow_up") and ctx.alive_and_followed(eot)
    if held:
        ctx.records.form("end_of_treatment", "end-of-treatment", 1, {
            "eot_date": eot, "last_dose_date": ctx.last_dose or eot,
            "eot_reason": ctx.off_treatment_reason}, ctx.pid)
    return eot, held


def follow_up(flow: Flow) -> tuple[dt.date | None, bool]:
    """Write the records that follow from the timeline; returns (end of treatment, held)."""
    ctx = flow.ctx
    records = ctx.records
    pid = ctx.pid
    enrolment = ctx.enrolment
    records.form("registration", "registration", 1, {
        "registration_date": enrolment.registration_date, "eligibility_confirmed": True,
        "study_part": enrolment.study_part, "dose_level": enrolment.dose_level}, pid)
    eot, held = _end_of_treatment(flow)
    end = ctx.end()
    _cts(flow)
    if ctx.hipec is not None:
        _review(flow, "post-hipec-review", ctx.hipec, 0)
    if ctx.surgery is not None:
        for visit_id in ("pathology", "post-surgery-30", "post-surgery-90"):
            for n, planned in targets(ctx, visit_id, ctx.surgery, end):
                done = attend(ctx, visit_id, n, planned)
                if done is not None:
                    flow.done.append(done)
                    if visit_id != "pathology":
                        _postop_form(flow, visit_id, done.actual, 1)
    if eot is not None and ctx.last_dose is not None:
        for visit_id in ("safety-follow-up-30", "safety-follow-up-90"):
            for n, planned in targets(ctx, visit_id, ctx.last_dose, end):
                done = attend(ctx, visit_id, n, planned)
                # A safety follow-up is a visit after the end of treatment: one that would fall
                # while treatment is still held (the end decided later) does not take place.
                if done is not None and done.actual >= eot:
                    flow.done.append(done)
                    records.form("safety_follow_up", visit_id, n, {
                        "sfu_date": done.actual, "sfu_contact": "clinic_visit", "sfu_new_ae": False,
                        "sfu_ongoing_irae": any(e.immune_related and e.ongoing(done.actual)
                                                for e in flow.tx.episodes)}, pid)
    therapy = _subsequent_therapy(flow, eot)
    if eot is not None:
        for visit_id in ("follow-up-3-monthly", "follow-up-6-monthly"):
            for n, planned in targets(ctx, visit_id, eot, end):
                done = attend(ctx, visit_id, n, planned)
                if done is None:
                    continue
                flow.done.append(done)
                _contact(flow, visit_id, n, done.actual, therapy)
    if ctx.progression is not None and ctx.progression <= end:
        records.follow_ups.append(FollowUp(participant_id=pid, date=ctx.progression,
                                           vital_status=VitalStatus.ALIVE,
                                           progression_date=ctx.progression))
        flow.events.append(("progression", ctx.progression))
        _contact(flow, "progression", 1, ctx.progression, None)
    if ctx.death is not None and ctx.death <= ctx.horizon:
        records.follow_ups.append(FollowUp(participant_id=pid, date=ctx.death, vital_status=VitalStatus.DEAD,
                                           death_date=ctx.death, cause_of_death=ctx.death_cause))
        flow.events.append(("death", ctx.death))
        records.form("death", "death", 1, {"death_date": ctx.death,
                                           "death_cause": ctx.death_cause or "unknown",
                                           "death_info_date": ctx.death}, pid)
    _end_of_study(flow)
    _lvef(flow, eot)
    return eot, held


def _cts(flow: Flow) -> None:
    ctx = flow.ctx
    end = ctx.end()
    for done in flow.ct_plan:
        if done.actual > end or (ctx.progression is not None and done.actual > ctx.progression):
            continue
        if ctx.progression == done.actual:
            stage = "recurrence" if ctx.surgery is not None else "progression"
        elif ctx.surgery is not None and done.actual > ctx.surgery:
            stage = "resected"
        else:
            stage = "response"
        flow.done.append(done)
        ctx.records.assessments.append(ct(ctx, flow.disease, done.actual, stage=stage))


def _review(flow: Flow, visit_id: str, anchor: dt.date, surgery_index: int) -> None:
    ctx = flow.ctx
    for n, planned in targets(ctx, visit_id, anchor, ctx.end()):
        done = attend(ctx, visit_id, n, planned)
        if done is not None:
            flow.done.append(done)
            _postop_form(flow, visit_id, done.actual, surgery_index)


def _postop_form(flow: Flow, visit_id: str, when: dt.date, surgery_index: int) -> None:
    ctx = flow.ctx
    procedure = "conversion_surgery_hipec" if surgery_index else "diagnostic_laparoscopy_hipec"
    found = [c for s in ctx.records.surgeries if s.procedure == procedure for c in s.complications
             if c.onset_date <= when]
    ctx.records.form("postop_review", visit_id, 1, {
        "postop_review_date": when, "postop_any_complication": bool(found),
        "postop_reoperation": any(c.grade.at_least(ClavienDindo.IIIB) for c in found),
        "postop_readmission": False}, ctx.pid)


def _subsequent_therapy(flow: Flow, eot: dt.date | None) -> dt.date | None:
    ctx, rng, params = flow.ctx, flow.ctx.rng, flow.ctx.params
    if eot is None:
        return None
    when: dt.date | None = None
    if ctx.progression is not None:
        if float(rng.random()) < params.subsequent_therapy_after_progression_probability:
            when = max(ctx.progression, eot) + days(int(rng.integers(7, 43)))
    elif float(rng.random()) < params.new_therapy_before_progression_probability:
        when = eot + days(int(rng.integers(14, 121)))
    if when is not None and not ctx.alive_and_followed(when):
        return None
    return when


def _contact(flow: Flow, visit_id: str, n: int, when: dt.date, therapy: dt.date | None) -> None:
    ctx = flow.ctx
    if visit_id != "progression":
        ctx.records.follow_ups.append(FollowUp(participant_id=ctx.pid, date=when,
                                               vital_status=VitalStatus.ALIVE))
    progressed = ctx.progression is not None and ctx.progression <= when
    values: dict[str, object] = {
        "fu_date": when, "fu_contact": "clinic_visit" if visit_id == "progression" else "telephone",
        "vital_status": "alive", "last_known_alive_date": when, "progressed": progressed,
        "subsequent_therapy": therapy is not None and therapy <= when}
    if progressed:
        values["progression_date"] = ctx.progression
        values["progression_method"] = "recurrence_after_r0" if ctx.r0 else "recist"
    if therapy is not None and therapy <= when:
        values["subsequent_therapy_date"] = therapy
    ctx.records.form("follow_up", visit_id, n, values, ctx.pid)  # type: ignore[arg-type]


def _end_of_study(flow: Flow) -> None:
    ctx = flow.ctx
    if ctx.death is not None and ctx.death <= ctx.horizon:
        when, reason = ctx.death, "death"
    elif ctx.dropout is not None and ctx.dropout_reason == "consent_withdrawn":
        when, reason = ctx.dropout, "consent_withdrawn"
    else:
        return
    flow.events.append(("end-of-study", when))
    ctx.records.form("end_of_study", "end-of-study", 1, {
        "eos_date": when, "eos_reason": reason, "eos_last_contact_date": when}, ctx.pid)


def _lvef(flow: Flow, eot: dt.date | None) -> None:
    """The ``lvef-monitoring`` visits: for the cohorts the protocol names, counted from the
    visit's own anchor (seed: induction cycle 1 day 1, every 84 days until the end of
    treatment)."""
    ctx = flow.ctx
    visit = visit_def(ctx, "lvef-monitoring")
    lvef = ctx.enrolment.profile.lvef_percent
    if visit.cohorts is not None and ctx.cohort not in visit.cohorts:
        return
    anchor = anchor_date(ctx, visit.timing)
    if lvef is None or anchor is None:
        return
    until = min(ctx.end(), (eot or ctx.end()) - days(1))
    for n, planned in targets(ctx, visit.id, anchor, until):
        done = attend(ctx, "lvef-monitoring", n, planned)
        if done is None or done.actual > until:
            continue
        flow.done.append(done)
        value = lvef + Decimal(int(ctx.rng.integers(-3, 3)))
        ctx.records.form("echocardiography", "lvef-monitoring", n, {
            "echo_date": done.actual, "echo_method": "echo", "lvef": value,
            "lvef_lln": Decimal(50)}, ctx.pid)
