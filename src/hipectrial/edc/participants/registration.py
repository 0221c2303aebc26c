"""Registration: an eligible participant's cohort, study part and dose level, under one lock.

A service (the only writer of a registration), split from ``services.py`` for size; callers
import it from there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hipectrial.edc.accounts.permissions import check
from hipectrial.edc.accounts.roles import Action
from hipectrial.edc.participants.labels import language_of, pick
from hipectrial.edc.participants.models import Participant, RegistrationLock
from hipectrial.edc.participants.services import changed_meanwhile, data_errors, participant_change
from hipectrial.edc.protocol_source import current_protocol
from hipectrial.edc.refusal_wording import record_finding_text
from hipectrial.edc.refusals import Refusal, refuse
from hipectrial.errors import ConflictError, HipectrialError


class RegistrationRefused(HipectrialError):
    """Registration is not possible now; ``reasons`` say why (criteria not met or unknown,
    values missing, or the design's reason to wait or to be closed)."""

    code = "registration_refused"

    def __init__(self, participant_id: str, reasons: tuple[str, ...]) -> None:
        self.participant_id = participant_id
        self.reasons = reasons
        super().__init__(f"{participant_id} cannot be registered: " + "; ".join(reasons))


def participant_register(
    *,
    actor: Any,
    participant: Participant,
    as_of: dt.date,
    expected_version: int,
    eligibility_confirmed: bool = True,
    now: dt.datetime | None = None,
) -> Participant:
    """Register an eligible participant on ``as_of``: cohort, study part and dose level.

    The participant number is the one given at screening: everyone screened already is a
    participant with the site-prefixed id (docs/trialdata-conventions.md), so registration
    confirms that number and never assigns another.

    Refused (:class:`RegistrationRefused`, with the reasons) unless the core's eligibility on
    the completed screening forms (:func:`hipectrial.analysis.screening.evaluate_screening`,
    the page's panel) is *eligible*, dated on or before ``as_of``, and the design takes a
    participant now (:func:`hipectrial.analysis.assignment.next_assignment` on the whole
    trial: Part A at the BOIN level for the next cohort, waiting while a cohort's DLT
    windows are open; Part B at the RP2D; closed when full). The cohort is the eligibility
    result's cohort assignment (HER2).

    The registration lock (one row, ``select_for_update``) is held from the eligibility and
    assignment decision to the writes, so two registrations at once never overfill a
    cohort. In one transaction, each with its audit entry: the participant's registration
    date, cohort and dose level; the ``registration`` visit; the ``registration`` form
    (study part, registration date, eligibility confirmed, dose level).
    """
    from hipectrial.analysis.assignment import next_assignment
    from hipectrial.data import FormRecord, Visit
    from hipectrial.edc.crfs.models import Kind, Record
    from hipectrial.edc.crfs.services import record_create
    from hipectrial.edc.participants.eligibility import not_eligible_reasons, screening_evaluation
    from hipectrial.edc.participants.wording import assignment_reason
    from hipectrial.edc.snapshot import build_snapshot

    check(actor, Action.REGISTER, participant.site)
    if eligibility_confirmed is not True:
        raise refuse("eligibility_confirmed", eligibility_confirmed, Refusal.ELIGIBILITY_CONFIRMED)
    now = now or timezone.now()
    if as_of > now.date():
        raise refuse("registration_date", as_of.isoformat(), Refusal.NOT_AFTER_TODAY,
                     today=now.date().isoformat())
    protocol = current_protocol()
    version = protocol.study.version
    RegistrationLock.objects.get_or_create(pk=1)
    with transaction.atomic():
        RegistrationLock.objects.select_for_update().get(pk=1)
        current = Participant.objects.select_related("site").get(pk=participant.pk)
        pid = current.participant_id
        if current.version != expected_version:
            raise ConflictError(changed_meanwhile(current, expected_version))
        if current.registration_date is not None:
            raise RegistrationRefused(pid, (_("registered on %(date)s") % {
                "date": current.registration_date.isoformat()},))
        if current.off_study_date is not None:
            raise RegistrationRefused(pid, (_("off study since %(date)s") % {
                "date": current.off_study_date.isoformat()},))
        entered = list(Record.objects.filter(participant=current, visit_id="registration")
                       .values_list("key", flat=True))
        if entered:
            raise RegistrationRefused(pid, (_(
                "records of the registration visit were entered by hand before registration (%(records)s): "
                "registration writes them; delete them first") % {"records": ", ".join(entered)},))
        evaluation = screening_evaluation(current, protocol)
        reasons = not_eligible_reasons(evaluation, protocol)
        if reasons:
            raise RegistrationRefused(pid, reasons)
        result = evaluation.result
        if result is None or result.cohort.cohort is None:  # not reached: eligible means both known
            raise RegistrationRefused(pid, (_("no cohort"),))
        missing = screening_forms_missing(current, protocol, result.cohort.cohort)
        contradictions = tuple(record_finding_text(f, protocol=protocol, language=language_of())
                               for f in data_errors(current, protocol))
        if missing or contradictions:
            raise RegistrationRefused(pid, (*missing, *contradictions))
        if result.as_of > as_of:
            raise RegistrationRefused(pid, (_(
                "the screening data are dated %(screening)s, after the registration date "
                "%(registration)s") % {"screening": result.as_of.isoformat(),
                                       "registration": as_of.isoformat()},))
        out_of_window = screening_outside_window(current, protocol, result.cohort.cohort, as_of)
        if out_of_window:
            raise RegistrationRefused(pid, out_of_window)
        # The design decides on the trial as of ``as_of``: a registration dated before one
        # already recorded would be decided without it (and could overfill its cohort).
        latest = Participant.objects.aggregate(m=Max("registration_date"))["m"]
        if latest is not None and as_of < latest:
            raise RegistrationRefused(pid, (_(
                "the registration date %(date)s is before the trial's latest registration (%(latest)s): "
                "registrations are entered in date order") % {
                "date": as_of.isoformat(), "latest": latest.isoformat()},))
        assignment = next_assignment(protocol=protocol, trial=build_snapshot(with_provenance=False),
                                     as_of=as_of)
        if not assignment.open or assignment.study_part is None or assignment.dose_level is None:
            raise RegistrationRefused(pid, (assignment_reason(assignment.reason, assignment.phrase, protocol,
                                                              language_of()),))
        row = participant_change(
            actor=actor, participant=current, expected_version=expected_version,
            reason=assignment.reason, protocol_version=version, now=now, action=Action.REGISTER,
            reason_required=False, registration_date=as_of, cohort=result.cohort.cohort,
            dose_level=assignment.dose_level)
        record_create(actor=actor, participant=row, kind=Kind.VISIT, protocol_version=version, now=now,
                      record=Visit(pid, "registration", 1, planned_date=as_of, actual_date=as_of))
        values = {"registration_date": as_of, "eligibility_confirmed": True,
                  "study_part": assignment.study_part, "dose_level": assignment.dose_level}
        record_create(actor=actor, participant=row, kind=Kind.FORM, protocol_version=version, now=now,
                      record=FormRecord(pid, "registration", "registration", values=values))
    return row


def screening_forms_missing(participant: Participant, protocol: Any, cohort: str) -> tuple[str, ...]:
    """The required forms of the screening visits (those of ``cohort``) not completed yet:
    a registration waits for the whole baseline, not only for what the criteria read (a
    missing baseline tumour assessment would leave the response endpoint unassessable).
    A repeating form (lesions) may hold no record; none of its records may be a draft."""
    from hipectrial.analysis.screening import SCREENING_VISITS
    from hipectrial.edc.crfs.models import Kind, Record, Status

    rows = Record.objects.filter(participant=participant, kind=Kind.FORM, visit_id__in=SCREENING_VISITS)
    status: dict[tuple[str, str], list[str]] = {}
    for visit_id, form_id, state in rows.values_list("visit_id", "form_id", "status"):
        status.setdefault((visit_id, form_id), []).append(state)
    missing = []
    for visit in protocol.visits:
        if visit.id not in SCREENING_VISITS or (visit.cohorts and cohort not in visit.cohorts):
            continue
        for form_id in visit.forms:
            form = protocol.form(form_id)
            states = status.get((visit.id, form_id), [])
            if Status.DRAFT in states or (not form.repeating and Status.COMPLETE not in states):
                label = f"{pick(form.label, language_of())} ({visit.id})"
                missing.append(_("required screening form not complete: %(form)s") % {"form": label})
    return tuple(missing)


def screening_outside_window(participant: Participant, protocol: Any, cohort: str,
                             as_of: dt.date) -> tuple[str, ...]:
    """The screening visits done outside the window the protocol gives them before a
    registration on ``as_of`` (seed: day -28 to day -1): eligibility values that old, or
    taken on the registration day itself, do not register anyone. The window is the core's
    (:func:`hipectrial.clinical.visits.schedule.visit_schedule` with the registration on
    ``as_of``); a visit not done is the missing-forms rule's concern."""
    from hipectrial.analysis.screening import SCREENING_VISITS
    from hipectrial.clinical.visits.schedule import ActualVisit, TreatmentDates, VisitStatus, visit_schedule
    from hipectrial.edc.crfs.codec import from_payload
    from hipectrial.edc.crfs.models import Kind, Record

    rows = Record.objects.filter(participant=participant, kind=Kind.VISIT, visit_id__in=SCREENING_VISITS)
    done = [from_payload(Kind.VISIT, payload) for payload in rows.values_list("payload", flat=True)]
    actual = [ActualVisit(v.visit_id, v.repeat, v.actual_date) for v in done  # type: ignore[union-attr]
              if v.actual_date is not None]  # type: ignore[union-attr]
    if not actual:
        return ()
    schedule = visit_schedule(protocol=protocol, cohort=cohort, branch=None,
                              dates=TreatmentDates(registration=as_of), actual=actual, as_of=as_of)
    return tuple(
        _("screening visit %(visit)s on %(date)s is outside the protocol's window for a registration on "
          "%(registration)s (%(earliest)s to %(latest)s)") % {
            "visit": o.visit_id, "date": o.actual.isoformat() if o.actual else "",
            "registration": as_of.isoformat(), "earliest": o.earliest.isoformat(),
            "latest": o.latest.isoformat()}
        for o in schedule.occurrences
        if o.visit_id in SCREENING_VISITS and o.actual is not None
        and o.status in (VisitStatus.EARLY, VisitStatus.LATE))
