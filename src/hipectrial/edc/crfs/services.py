"""The only writers of clinical records: each change and its audit entry in one transaction.

A change names the version it was based on; if the stored record moved on meanwhile the
change is refused with :class:`RecordConflict` (both versions shown), never applied over it.
Once a record was first completed, every change and every deletion needs a reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from hipectrial.clinical.refusals import ValueRefusal, refused
from hipectrial.data.records import FormRecord, Visit
from hipectrial.data.trial import Record as DataRecord
from hipectrial.edc.accounts.permissions import check
from hipectrial.edc.accounts.roles import Action
from hipectrial.edc.audit.services import Change, append
from hipectrial.edc.crfs.codec import flat_changes, from_payload, natural_key, plain, to_payload
from hipectrial.edc.crfs.guard import check_form_record
from hipectrial.edc.crfs.models import Kind, Record, Status
from hipectrial.edc.participants.models import Participant
from hipectrial.edc.refusals import TEMPLATES, Refusal, refuse
from hipectrial.errors import ConflictError
from hipectrial.phrases import Phrase, english


class RecordConflict(ConflictError):
    """Someone saved the record after the version this change was based on."""

    def __init__(self, record: Record, expected_version: int) -> None:
        self.record = record
        self.expected_version = expected_version
        phrase = Phrase(Refusal.RECORD_CHANGED, (
            ("key", record.key), ("user", record.changed_by or record.created_by),
            ("version", str(record.version)), ("expected", str(expected_version))))
        super().__init__(english(phrase, TEMPLATES), phrase=phrase)


def form_write_action(form_id: str) -> Action:
    """What saving a CRF of ``form_id`` needs: the dosing form is the pharmacy's (ENTER_DOSING)."""
    return Action.ENTER_DOSING if form_id == "dosing" else Action.ENTER_DATA


def _write_action(kind: str, record: DataRecord) -> Action:
    if kind == Kind.FORM and isinstance(record, FormRecord):
        return form_write_action(record.form_id)
    return Action.ENTER_DATA


def _reason(reason: str | None, needed: bool, code: Refusal) -> str:
    text = (reason or "").strip()
    if needed and not text:
        raise refuse("reason", reason, code)
    return text


def _check_status(status: str) -> None:
    if status not in Status.values:
        raise refused("status", status, ValueRefusal.ONE_OF, codes=tuple(Status.values))


def _columns(kind: str, record: DataRecord) -> dict[str, Any]:
    if isinstance(record, FormRecord):
        return {
            "visit_id": record.visit_id,
            "visit_repeat": record.visit_repeat,
            "form_id": record.form_id,
            "repeat": record.repeat,
        }
    if isinstance(record, Visit):
        return {"visit_id": record.visit_id, "visit_repeat": record.repeat, "form_id": "", "repeat": None}
    return {"visit_id": "", "visit_repeat": None, "form_id": "", "repeat": None}


def _check_owner(participant: Participant, record: DataRecord) -> None:
    owner = getattr(record, "participant_id", None)
    if owner != participant.participant_id:
        raise refuse("participant_id", owner, Refusal.RECORD_OWNER, participant=participant.participant_id)


def record_create(
    *,
    actor: Any,
    participant: Participant,
    kind: str,
    record: DataRecord,
    status: str = Status.COMPLETE,
    protocol_version: str,
    reason: str | None = None,
    now: dt.datetime | None = None,
) -> Record:
    """Store a new record of ``participant`` with its audit entry (``create``: every field
    new, and the status it was created with). A CRF record must pass the core's checks
    (:func:`.guard.check_form_record`)."""
    check(actor, _write_action(kind, record), participant.site)
    _check_owner(participant, record)
    _check_status(status)
    now = now or timezone.now()
    with transaction.atomic():
        if kind == Kind.FORM and isinstance(record, FormRecord):
            check_form_record(participant, record, status)
        key = natural_key(kind, record)
        if key is None:
            key = f"{participant.participant_id}/{kind}#{_next_number(participant, kind)}"
        elif Record.objects.filter(kind=kind, key=key).exists():
            raise refuse("key", key, Refusal.RECORD_EXISTS)
        row = Record.objects.create(
            participant=participant,
            kind=kind,
            key=key,
            status=status,
            completed_once=status == Status.COMPLETE,
            payload=to_payload(kind, record),
            protocol_version=protocol_version,
            created_by=actor.username,
            created_at=now,
            **_columns(kind, record),
        )
        append(
            actor=actor.username,
            at=now,
            changes=[
                Change(
                    "create",
                    kind,
                    key,
                    {**flat_changes(None, plain(kind, record)), "status": (None, status)},
                    site=participant.site.code,
                    participant=participant.participant_id,
                    reason=(reason or "").strip(),
                    protocol_version=protocol_version,
                )
            ],
        )
    return row


def _next_number(participant: Participant, kind: str) -> int:
    """One more than the highest number of the participant's records of ``kind`` (never
    reused after a deletion: the audit trail still names the deleted one)."""
    from hipectrial.edc.audit.models import AuditEntry

    prefix = f"{participant.participant_id}/{kind}#"
    keys = AuditEntry.objects.filter(
        participant=participant.participant_id, record_kind=kind, action="create"
    ).values_list("record_key", flat=True)
    numbers = [int(k[len(prefix) :]) for k in keys if k.startswith(prefix) and k[len(prefix) :].isdigit()]
    return max(numbers, default=0) + 1


def _locked(record: Record, expected_version: int) -> Record:
    current = Record.objects.select_for_update().get(pk=record.pk)
    if current.version != expected_version:
        raise RecordConflict(current, expected_version)
    return current


def record_change(
    *,
    actor: Any,
    record: Record,
    new: DataRecord,
    expected_version: int,
    status: str | None = None,
    reason: str | None = None,
    protocol_version: str,
    now: dt.datetime | None = None,
) -> Record:
    """Replace a record's content (and status) if it is still at ``expected_version``; a CRF
    record must pass the core's checks at its new status (:func:`.guard.check_form_record`)."""
    participant = record.participant
    check(actor, _write_action(record.kind, new), participant.site)
    _check_owner(participant, new)
    if status is not None:
        _check_status(status)
    now = now or timezone.now()
    with transaction.atomic():
        current = _locked(record, expected_version)
        if natural_key(current.kind, new) not in (None, current.key):
            raise refuse("key", natural_key(current.kind, new), Refusal.RECORD_OWN_KEY, key=current.key)
        old_plain = plain(current.kind, from_payload(current.kind, current.payload))
        changes = flat_changes(old_plain, plain(current.kind, new))
        new_status = status or current.status
        if new_status != current.status:
            changes["status"] = (current.status, new_status)
        if not changes:
            return current
        if current.kind == Kind.FORM and isinstance(new, FormRecord):
            check_form_record(participant, new, new_status)
        why = _reason(reason, current.completed_once, Refusal.RECORD_REASON_FOR_CHANGE)
        current.payload = to_payload(current.kind, new)
        current.status = new_status
        current.completed_once = current.completed_once or new_status == Status.COMPLETE
        current.version += 1
        current.changed_by, current.changed_at = actor.username, now
        current.protocol_version = protocol_version
        for name, value in _columns(current.kind, new).items():
            setattr(current, name, value)
        current.save()
        append(
            actor=actor.username,
            at=now,
            changes=[
                Change(
                    "change",
                    current.kind,
                    current.key,
                    changes,
                    site=participant.site.code,
                    participant=participant.participant_id,
                    reason=why,
                    protocol_version=protocol_version,
                )
            ],
        )
    return current


def record_delete(
    *,
    actor: Any,
    record: Record,
    expected_version: int,
    reason: str | None,
    protocol_version: str,
    now: dt.datetime | None = None,
) -> None:
    """Delete a record (its content stays in the audit trail); a reason is always needed."""
    participant = record.participant
    check(actor, Action.DELETE_DATA, participant.site)
    now = now or timezone.now()
    with transaction.atomic():
        current = _locked(record, expected_version)
        why = _reason(reason, True, Refusal.RECORD_REASON_FOR_DELETION)
        old_plain = plain(current.kind, from_payload(current.kind, current.payload))
        key, kind = current.key, current.kind
        current.delete()
        append(
            actor=actor.username,
            at=now,
            changes=[
                Change(
                    "delete",
                    kind,
                    key,
                    flat_changes(old_plain, None),
                    site=participant.site.code,
                    participant=participant.participant_id,
                    reason=why,
                    protocol_version=protocol_version,
                )
            ],
        )


def records_import(
    *,
    actor: Any,
    participant: Participant,
    records: list[tuple[str, DataRecord]],
    protocol_version: str,
    now: dt.datetime,
) -> int:
    """Store a new participant's records as completed, each with its audit entry, in one go
    (importing a TrialData; the caller checked ``IMPORT_DATA`` and holds the transaction)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("records_import must run inside the import's transaction")
    rows, changes, numbers = [], [], dict[str, int]()
    for kind, record in records:
        _check_owner(participant, record)
        key = natural_key(kind, record)
        if key is None:
            numbers[kind] = numbers.get(kind, 0) + 1
            key = f"{participant.participant_id}/{kind}#{numbers[kind]}"
        rows.append(
            Record(
                participant=participant,
                kind=kind,
                key=key,
                status=Status.COMPLETE,
                completed_once=True,
                payload=to_payload(kind, record),
                protocol_version=protocol_version,
                created_by=actor.username,
                created_at=now,
                **_columns(kind, record),
            )
        )
        changes.append(
            Change(
                "create",
                kind,
                key,
                flat_changes(None, plain(kind, record)),
                site=participant.site.code,
                participant=participant.participant_id,
                protocol_version=protocol_version,
            )
        )
    Record.objects.bulk_create(rows, batch_size=500)
    append(actor=actor.username, at=now, changes=changes)
    return len(rows)


def form_save(
    *,
    actor: Any,
    participant: Participant,
    record: FormRecord,
    status: str,
    expected_version: int,
    reason: str | None,
    visit_date: dt.date | None,
    protocol_version: str,
    now: dt.datetime | None = None,
) -> Record:
    """Save one CRF record, and its visit occurrence if the participant has none yet, in one
    transaction (both with their audit entries, or neither).

    ``expected_version`` is the version the page was built on: 0 for a record not entered
    yet. A record someone else created or changed meanwhile raises :class:`RecordConflict`;
    a new visit needs ``visit_date`` (InputError on ``visit_date`` otherwise).
    """
    now = now or timezone.now()
    with transaction.atomic():
        # One save per participant at a time (PostgreSQL; SQLite's IMMEDIATE transactions
        # already serialise writers): of two users entering the first form of a visit, or the
        # same new repeat, the second finds the first's record and gets the conflict.
        Participant.objects.select_for_update().filter(pk=participant.pk).first()
        visit = Visit(
            participant_id=record.participant_id, visit_id=record.visit_id, repeat=record.visit_repeat
        )
        if not Record.objects.filter(kind=Kind.VISIT, key=visit.key).exists():
            if visit_date is None:
                raise refuse("visit_date", None, Refusal.VISIT_NOT_RECORDED)
            record_create(
                actor=actor,
                participant=participant,
                kind=Kind.VISIT,
                record=Visit(
                    participant_id=visit.participant_id,
                    visit_id=visit.visit_id,
                    repeat=visit.repeat,
                    actual_date=visit_date,
                ),
                protocol_version=protocol_version,
                now=now,
            )
        row = Record.objects.select_for_update().filter(kind=Kind.FORM, key=record.key).first()
        if row is None:
            if expected_version != 0:
                raise refuse("version", expected_version, Refusal.RECORD_DELETED, key=record.key)
            return record_create(
                actor=actor,
                participant=participant,
                kind=Kind.FORM,
                record=record,
                status=status,
                protocol_version=protocol_version,
                reason=reason,
                now=now,
            )
        if expected_version == 0:
            raise RecordConflict(row, 0)
        return record_change(
            actor=actor,
            record=row,
            new=record,
            expected_version=expected_version,
            status=status,
            reason=reason,
            protocol_version=protocol_version,
            now=now,
        )
