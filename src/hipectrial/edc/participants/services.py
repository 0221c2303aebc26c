"""Writers of participants: screening (a new participant and their number) and changes.

Registration and the end of participation change a participant through
:func:`participant_change`; every write has its audit entry in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hipectrial.clinical.refusals import ValueRefusal, refused
from hipectrial.data import Participant as DataParticipant
from hipectrial.data import Severity, Sex, TrialData, validate
from hipectrial.data import Site as DataSite
from hipectrial.data.findings import Finding
from hipectrial.data.vocab import RecordKind
from hipectrial.edc.accounts.permissions import check
from hipectrial.edc.accounts.roles import Action
from hipectrial.edc.audit.services import Change, append
from hipectrial.edc.participants.convert import FIELDS, plain, to_data
from hipectrial.edc.participants.labels import PARTICIPANT_CODELISTS
from hipectrial.edc.participants.models import Participant
from hipectrial.edc.protocol_source import current_protocol
from hipectrial.edc.refusals import Refusal, refuse
from hipectrial.edc.sites.models import Site
from hipectrial.errors import ConflictError
from hipectrial.phrases import ParamValue, Phrase

KIND = "participants"


def participant_number(site: Site, number: int) -> str:
    """The site-prefixed participant id: ``SH01-007``."""
    return f"{site.code}-{number:03d}"


def _sex(value: object) -> Sex:
    try:
        return Sex(value)
    except ValueError:
        raise refused("sex", value, ValueRefusal.ONE_OF, codes=tuple(s.value for s in Sex)) from None


def _identity_dates(birth_date: dt.date, consent_date: dt.date, today: dt.date) -> None:
    """Consent not in the future, birth before consent (screening and identity correction)."""
    if consent_date > today:
        raise refuse("consent_date", consent_date.isoformat(), Refusal.NOT_AFTER_TODAY,
                     today=today.isoformat())
    if birth_date >= consent_date:
        raise refuse("birth_date", birth_date.isoformat(), Refusal.BEFORE_CONSENT,
                     consent=consent_date.isoformat())


def participant_screen(
    *,
    actor: Any,
    site: Site,
    sex: object,
    birth_date: dt.date,
    consent_date: dt.date,
    protocol_version: str,
    now: dt.datetime | None = None,
) -> Participant:
    """Start screening: a new participant at ``site`` with the next participant number.

    Everyone screened is a participant with a site-prefixed id (docs/trialdata-conventions.md);
    registration later confirms the same number. The site row is locked while the number is
    chosen, so two coordinators at once never get the same one.
    """
    check(actor, Action.SCREEN, site)
    now = now or timezone.now()
    today = now.date()
    _identity_dates(birth_date, consent_date, today)
    with transaction.atomic():
        locked = Site.objects.select_for_update().get(pk=site.pk)
        number = (Participant.objects.filter(site=locked).aggregate(m=Max("number"))["m"] or 0) + 1
        return _insert(
            actor,
            locked,
            number,
            DataParticipant(
                id=participant_number(locked, number),
                site_id=locked.code,
                sex=_sex(sex),
                birth_date=birth_date,
                consent_date=consent_date,
            ),
            protocol_version,
            now,
        )


def _insert(
    actor: Any, site: Site, number: int, data: DataParticipant, protocol_version: str, now: dt.datetime
) -> Participant:
    row = Participant.objects.create(
        participant_id=data.id,
        site=site,
        number=number,
        protocol_version=protocol_version,
        created_by=actor.username,
        created_at=now,
        **{name: getattr(data, name).value if name == "sex" else getattr(data, name) for name in FIELDS},
    )
    append(
        actor=actor.username,
        at=now,
        changes=[
            Change(
                "create",
                KIND,
                data.id,
                {k: (None, v) for k, v in plain(data).items() if v is not None},
                site=site.code,
                participant=data.id,
                protocol_version=protocol_version,
            )
        ],
    )
    return row


def _check_data(site: Site, participant: DataParticipant, changed: set[str]) -> None:
    """The data layer's checks of a participant record (:func:`hipectrial.data.validate`:
    dates in order from birth to off study, codes of the reasons, cohort and dose level of
    the protocol, off treatment only after registration): an error on a changed field is
    an InputError naming it."""
    protocol = current_protocol()
    trial = TrialData(
        protocol_id=protocol.study.id,
        protocol_version=protocol.study.version,
        generated_at=timezone.now(),
        sites=(DataSite(id=site.code, name=site.name, country=site.country),),
        participants=(participant,),
    )
    for finding in validate(trial, protocol):
        if (
            finding.severity is Severity.ERROR
            and finding.kind is RecordKind.PARTICIPANT
            and finding.field in changed
        ):
            value = getattr(participant, finding.field)
            shown = value.isoformat() if isinstance(value, dt.date) else value
            said: ParamValue = finding.phrase if finding.phrase is not None else finding.message
            raise refuse(finding.field, shown, Refusal.DATA_CHECKS, hint=finding.message, finding=said)


def participant_import(
    *, actor: Any, site: Site, data: DataParticipant, protocol_version: str, now: dt.datetime
) -> Participant:
    """Store a participant exactly as given (importing a TrialData; the caller checked
    ``IMPORT_DATA``). The number is the id's part after the site code."""
    prefix = f"{site.code}-"
    tail = data.id[len(prefix) :]
    if not data.id.startswith(prefix) or not tail.isdigit():
        raise refuse("participant.id", data.id, Refusal.PARTICIPANT_ID, prefix=prefix)
    return _insert(actor, site, int(tail), data, protocol_version, now)


def participant_change(
    *,
    actor: Any,
    participant: Participant,
    expected_version: int,
    reason: str | None,
    protocol_version: str,
    now: dt.datetime | None = None,
    action: Action,
    reason_required: bool = True,
    **changes: Any,
) -> Participant:
    """Change a participant's fields (``changes``) if still at ``expected_version``.

    ``action`` is the permission the change needs (``REGISTER``, ``END_PARTICIPATION``…).
    The new values go through the data layer's ``Participant`` (its checks apply).
    """
    check(actor, action, participant.site)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise refuse("changes", sorted(unknown), Refusal.PARTICIPANT_FIELDS, fields=FIELDS)
    now = now or timezone.now()
    with transaction.atomic():
        current = Participant.objects.select_for_update().get(pk=participant.pk)
        if current.version != expected_version:
            raise ConflictError(changed_meanwhile(current, expected_version))
        old = to_data(current, with_provenance=False)
        new = replace(old, **changes)
        before, after = plain(old), plain(new)
        diff = {k: (before[k], after[k]) for k in FIELDS if before[k] != after[k]}
        if not diff:
            return current
        _check_data(current.site, new, set(diff))
        why = (reason or "").strip()
        if reason_required and not why:
            raise refuse("reason", reason, Refusal.REASON_FOR_CHANGE)
        for name in diff:
            value = getattr(new, name)
            setattr(current, name, value.value if isinstance(value, Sex) else value)
        current.version += 1
        current.changed_by, current.changed_at = actor.username, now
        current.save()
        append(
            actor=actor.username,
            at=now,
            changes=[
                Change(
                    "change",
                    KIND,
                    current.participant_id,
                    diff,
                    site=current.site.code,
                    participant=current.participant_id,
                    reason=why,
                    protocol_version=protocol_version,
                )
            ],
        )
    return current


def data_errors(participant: Participant, protocol: Any) -> tuple[Finding, ...]:
    """The errors the data layer's ``validate`` finds in the participant's completed records
    (e.g. a demographics form that contradicts the participant's record); a page says each
    as ``key: message`` in its language (:func:`hipectrial.edc.refusal_wording.record_finding_text`)."""
    from hipectrial.data import Severity, validate
    from hipectrial.edc.participant_data import participant_trial

    found = validate(participant_trial(participant), protocol)
    return tuple(f for f in found if f.severity is Severity.ERROR)


def changed_meanwhile(current: Participant, expected_version: int) -> str:
    """Why a change of ``current`` made at ``expected_version`` was not saved (its conflict)."""
    who = current.changed_by or current.created_by
    return _("participant %(id)s was changed by %(user)s (version %(version)s) after version %(expected)s; "
             "nothing was saved") % {"id": current.participant_id, "user": who, "version": current.version,
                                     "expected": expected_version}


END_STAGES = {stage: PARTICIPANT_CODELISTS[f"{stage}_reason"] for stage in ("off_treatment", "off_study")}


def participant_end(
    *,
    actor: Any,
    participant: Participant,
    stage: str,
    date: dt.date,
    reason_code: str,
    reason: str | None,
    expected_version: int,
    now: dt.datetime | None = None,
) -> Participant:
    """Record the end of treatment (``stage`` ``off_treatment``: date and an ``eot-reason``
    code) or of the study (``off_study``: date and an ``eos-reason`` code).

    ``reason`` is the audit trail's text (required). The date may not be in the future; the
    data layer's checks (:func:`_check_data`) refuse it before consent or registration (off
    treatment needs a registration; off study comes on or after off treatment) and a code
    not in the protocol's list.
    """
    if stage not in END_STAGES:
        raise refuse("stage", stage, Refusal.END_STAGE)
    now = now or timezone.now()
    if date > now.date():
        raise refuse(f"{stage}_date", date.isoformat(), Refusal.NOT_AFTER_TODAY, today=now.date().isoformat())
    codes = current_protocol().codelist(END_STAGES[stage]).codes
    if reason_code not in codes:
        raise refused(f"{stage}_reason", reason_code, ValueRefusal.ONE_OF, codes=tuple(codes))
    return participant_change(
        actor=actor, participant=participant, expected_version=expected_version, reason=reason,
        protocol_version=current_protocol().study.version, now=now, action=Action.END_PARTICIPATION,
        **{f"{stage}_date": date, f"{stage}_reason": reason_code})


@dataclass(frozen=True, slots=True)
class IdentityCorrected:
    """What :func:`participant_correct_identity` changed: the participant row, its fields
    that changed (none: nothing was saved), the demographics records corrected with it, and
    the required fields those now lack (a record that was complete and lacks one is back to
    draft: sex corrected to female asks for the childbearing potential)."""

    participant: Participant
    changed: tuple[str, ...]
    records: tuple[Any, ...]
    reopened: tuple[str, ...]


def participant_correct_identity(
    *,
    actor: Any,
    participant: Participant,
    expected_version: int,
    sex: object,
    birth_date: dt.date,
    consent_date: dt.date,
    reason: str | None,
    now: dt.datetime | None = None,
) -> IdentityCorrected:
    """Correct the participant's sex, birth date or consent date (ENTER_DATA at the site;
    a reason is required): the participant record (the one source of them, see
    :mod:`hipectrial.data.identity`) and the demographics form records that repeat them,
    in one transaction, each with its audit entry under the same reason.

    Each identity value the demographics record holds is replaced by the corrected one (a
    blank stays blank); values of fields no longer shown are dropped (the CRF page's rule),
    and a complete record that now lacks a shown required field goes back to draft. Refused
    (nothing saved) when the dates are out of order (birth before consent, consent not in
    the future) or when the correction makes the participant's other completed records
    contradict the data layer (a visit before the corrected consent date): the errors of
    :func:`data_errors` that were not there before, on the first corrected field.

    Allowed after registration: the registration records are not rewritten, and the
    eligibility the pages show is recomputed from the corrected data.
    """
    from hipectrial.data import IDENTITY_FORM, recorded_identity
    from hipectrial.edc.crfs.entry import judge, raw_of
    from hipectrial.edc.crfs.models import Kind, Record, Status
    from hipectrial.edc.crfs.selectors import conditions_of, form_of
    from hipectrial.edc.crfs.services import record_change

    check(actor, Action.ENTER_DATA, participant.site)
    why = (reason or "").strip()
    if not why:
        raise refuse("reason", reason, Refusal.REASON_FOR_CORRECTION)
    now = now or timezone.now()
    _identity_dates(birth_date, consent_date, now.date())
    protocol = current_protocol()
    version = protocol.study.version
    corrected = {"sex": _sex(sex), "birth_date": birth_date, "consent_date": consent_date}
    with transaction.atomic():
        current = Participant.objects.select_for_update().select_related("site").get(pk=participant.pk)
        was = to_data(current, with_provenance=False)
        changed = [name for name, value in corrected.items() if getattr(was, name) != value]
        before = set(data_errors(current, protocol))
        row = participant_change(actor=actor, participant=current, expected_version=expected_version,
                                 reason=why, protocol_version=version, now=now, action=Action.ENTER_DATA,
                                 **corrected)
        if not changed:  # nothing differs from the record: nothing saved
            return IdentityCorrected(row, (), (), ())
        identity = recorded_identity(to_data(row, with_provenance=False))
        form = protocol.form(IDENTITY_FORM)
        records, reopened = [], []
        for record_row in Record.objects.select_for_update().filter(participant=row, kind=Kind.FORM,
                                                                     form_id=IDENTITY_FORM).order_by("id"):
            old = form_of(record_row)
            values = {**old.values, **{k: v for k, v in identity.items() if k in old.values}}
            judged = judge(protocol=protocol, form=form, raw=raw_of(values),
                           context=conditions_of(row, form, record_row.key))
            status = record_row.status
            if status == Status.COMPLETE and judged.missing:
                status = Status.DRAFT
                reopened.extend(judged.missing)
            new = replace(old, values=judged.values)
            records.append(record_change(actor=actor, record=record_row, new=new, status=status, reason=why,
                                         expected_version=record_row.version, protocol_version=version,
                                         now=now))
        new_errors = [e for e in data_errors(row, protocol) if e not in before]
        if new_errors:
            first = changed[0]
            value = corrected[first]
            findings = tuple(
                Phrase(Refusal.RECORD_FINDING, (("key", e.key), ("finding", e.phrase or e.message)))
                for e in new_errors)
            raise refuse(first, value.isoformat() if isinstance(value, dt.date) else str(value),
                         Refusal.RECORDS_AGREE, hint="; ".join(f"{e.key}: {e.message}" for e in new_errors),
                         findings=findings)
    return IdentityCorrected(row, tuple(changed), tuple(records), tuple(dict.fromkeys(reopened)))
