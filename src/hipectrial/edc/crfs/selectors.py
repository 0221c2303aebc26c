"""Reading CRFs: a participant's visit and form records, and the protocol's visits and forms.

Every reader here takes a participant the caller already checked (``participant_for``);
the protocol lookups raise :class:`NotFound` for an id the protocol does not have, which
the views turn into 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.utils.translation import gettext as _

from hipectrial.clinical.records.derived import derive
from hipectrial.data import validate
from hipectrial.data.findings import Finding, Severity
from hipectrial.data.records import FormRecord, Visit
from hipectrial.data.vocab import RecordKind
from hipectrial.edc.audit.models import AuditEntry
from hipectrial.edc.crfs.codec import from_payload
from hipectrial.edc.crfs.models import Kind, Record
from hipectrial.edc.participant_data import participant_trial
from hipectrial.edc.participants.models import Participant
from hipectrial.edc.protocol_source import current_protocol
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol
from hipectrial.protocol.forms import FormDef
from hipectrial.protocol.schedule import Visit as VisitDef


class NotFound(LookupError):
    """No such visit, form or record: the page answers 404."""


def visit_def(protocol: Protocol, visit_id: str) -> VisitDef:
    try:
        return protocol.visit(visit_id)
    except KeyError:
        raise NotFound(f"the protocol has no visit {visit_id!r}") from None


def form_of_visit(protocol: Protocol, visit: VisitDef, form_id: str) -> FormDef:
    """The form ``form_id`` if the visit requires or offers it."""
    if form_id not in (*visit.forms, *visit.optional_forms):
        raise NotFound(f"visit {visit.id!r} has no form {form_id!r}")
    return protocol.form(form_id)


def visit_key(participant_id: str, visit_id: str, repeat: int) -> str:
    return Visit(participant_id=participant_id, visit_id=visit_id, repeat=repeat).key


def form_key(participant_id: str, visit_id: str, visit_repeat: int, form_id: str, repeat: int | None) -> str:
    return FormRecord(
        participant_id=participant_id,
        form_id=form_id,
        visit_id=visit_id,
        visit_repeat=visit_repeat,
        repeat=repeat,
    ).key


def visit_row(participant: Participant, visit_id: str, repeat: int) -> Record | None:
    return Record.objects.filter(
        participant=participant, kind=Kind.VISIT, key=visit_key(participant.participant_id, visit_id, repeat)
    ).first()


def visit_of(row: Record) -> Visit:
    record = from_payload(row.kind, row.payload)
    assert isinstance(record, Visit)  # rows of kind "visits" hold visits (codec)
    return record


def form_row(participant: Participant, key: str) -> Record | None:
    return Record.objects.filter(participant=participant, kind=Kind.FORM, key=key).first()


def form_of(row: Record) -> FormRecord:
    record = from_payload(row.kind, row.payload)
    assert isinstance(record, FormRecord)  # rows of kind "form_records" hold CRF records (codec)
    return record


def form_rows_of_visit(participant: Participant, visit_id: str, repeat: int) -> list[Record]:
    """The CRF records of one visit occurrence, by form and repeat."""
    return list(
        Record.objects.filter(
            participant=participant, kind=Kind.FORM, visit_id=visit_id, visit_repeat=repeat
        ).order_by("form_id", "repeat", "id")
    )


def repeats_of(participant: Participant, visit_id: str, repeat: int, form_id: str) -> list[Record]:
    """The records of a repeating form at one visit occurrence, in repeat order."""
    return [r for r in form_rows_of_visit(participant, visit_id, repeat) if r.form_id == form_id]


def next_repeat(participant: Participant, visit_id: str, repeat: int, form_id: str) -> int:
    """The repeat number "add another" gives: one more than the highest ever created (a
    deleted record's number is not given again: the audit trail still names it)."""
    prefix = f"{visit_key(participant.participant_id, visit_id, repeat)}/{form_id}#"
    created = AuditEntry.objects.filter(
        participant=participant.participant_id,
        record_kind=Kind.FORM,
        action="create",
        record_key__startswith=prefix,
    ).values_list("record_key", flat=True)
    numbers = [int(k[len(prefix) :]) for k in created if k[len(prefix) :].isdigit()]
    numbers += [r.repeat or 0 for r in repeats_of(participant, visit_id, repeat, form_id)]
    return max(numbers, default=0) + 1


@dataclass(frozen=True, slots=True)
class Context:
    """Values the derived variables of a CRF may need from outside the form itself."""

    values: Mapping[str, Any]
    sources: tuple[str, ...]


def context_values(participant: Participant, visit_id: str, repeat: int, exclude_key: str | None) -> Context:
    """The values a form's derived variables may use besides the form's own.

    Which records are used, and why:

    * the participant's own record (``birth_date``, ``consent_date``, ``sex``): the
      screening and consent data the participant was entered with;
    * the **other CRF records of the same visit occurrence** (``screening#1``: the vital
      signs and labs of that visit), later ones in form order overriding nothing — a field
      id belongs to one form only. Values of other visits are **not** used: the protocol's
      BSA is "from the height and weight measured at the same visit", and a weight from an
      earlier visit would give a stale BSA or CrCl. A value missing at this visit leaves
      the derived variable missing (shown as such), never filled from elsewhere.

    The participant's identity comes from the participant record only, never from a CRF
    (the demographics form repeats it and must agree: :func:`hipectrial.data.participant_contradictions`).
    The form's own values (stored or being typed) are laid over these by the caller.
    """
    values: dict[str, Any] = {}
    sources = [_("participant %(id)s") % {"id": participant.participant_id}]
    for row in form_rows_of_visit(participant, visit_id, repeat):
        if row.key == exclude_key:
            continue
        record = form_of(row)
        if record.repeat is not None:
            continue  # a repeating form's values (one AE of many) are no input of a derived variable
        values.update(record.values)
        sources.append(row.key)
    values.update(identity_of(participant))
    return Context(values, tuple(sources))


def identity_of(participant: Participant) -> dict[str, Any]:
    """The participant record's sex (its code), birth date and consent date: the one source
    of them (a CRF's copy never overrides them)."""
    return {
        "birth_date": participant.birth_date,
        "consent_date": participant.consent_date,
        "sex": participant.sex,
    }


def visit_problems(participant: Participant, visit: Visit) -> list[Finding]:
    """The core's errors about a visit occurrence about to be recorded: ``validate()`` run on
    the participant's records with the new visit added, its error findings on that visit
    (an occurrence beyond what the schedule allows, a visit after registration of a
    participant not registered or dated before it, a date outside the participant's life
    on the study…). The one validation path: nothing about visits is decided here."""
    trial = participant_trial(participant)
    trial = replace(trial, visits=(*trial.visits, visit))
    return [
        f
        for f in validate(trial, current_protocol())
        if f.severity is Severity.ERROR and f.kind is RecordKind.VISIT and f.key == visit.key
    ]


def condition_context(participant: Participant, exclude_key: str | None) -> dict[str, Any]:
    """What a form's ``show_if`` conditions may name from outside the form: the participant's
    ``sex``, ``birth_date`` and ``consent_date``, the **latest** value of each field on the
    participant's other (non-repeating) CRF records — latest by visit date, then by entry —
    and the protocol's derived variables on those (``her2_positive`` from the screening
    biomarkers). Drafts count: a value entered is a value known. Used only to decide which
    fields are shown (:func:`hipectrial.data.shown_fields` ``context``); derived values the
    page displays come from :func:`context_values` (same visit only). The identity values
    are the participant record's: a CRF's (the demographics form's copy) never overrides them.
    """
    dates = {
        row.key: when
        for row in Record.objects.filter(participant=participant, kind=Kind.VISIT)
        if (when := visit_of(row).actual_date) is not None
    }
    rows = [
        r
        for r in Record.objects.filter(participant=participant, kind=Kind.FORM, repeat__isnull=True)
        if r.key != exclude_key
    ]
    rows.sort(
        key=lambda r: (
            dates.get(visit_key(participant.participant_id, r.visit_id, r.visit_repeat or 1), dt.date.min),
            r.id,
        )
    )
    values: dict[str, Any] = {}
    for row in rows:
        values.update(form_of(row).values)
    values.update(identity_of(participant))
    try:
        return dict(derive(protocol=current_protocol(), values=values).values)
    except InputError:
        return values  # contradictory inputs (a birth date after consent): no derived variables


def outside_names(form: FormDef) -> set[str]:
    """The names the form's conditions and edit checks use that are not its own fields."""
    own = {f.id for f in form.fields}
    names: set[str] = set()
    for f in form.fields:
        if f.show_if is not None:
            names |= set(f.show_if.variables)
    for c in form.checks:
        names |= set(c.expression.variables)
    return names - own


def conditions_of(participant: Participant, form: FormDef, key: str) -> dict[str, Any] | None:
    """The context the core's checks of a record ``key`` of ``form`` take (:func:`condition_context`),
    read only when the form's conditions or edit checks name something outside it."""
    return condition_context(participant, key) if outside_names(form) else None
