"""History pages: every entry about one record, or about one participant's records.

Reading the trail needs VIEW_AUDIT at the participant's site. A record's history outlives
the record: a deleted record's entries are still shown.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hipectrial.data.vocab import RecordKind
from hipectrial.edc.accounts.permissions import check
from hipectrial.edc.accounts.roles import Action
from hipectrial.edc.audit.models import AuditEntry
from hipectrial.edc.audit.selectors import changes_of, history
from hipectrial.edc.participants.labels import (
    PARTICIPANT_FIELDS,
    RECORD_FIELDS,
    language_of,
    list_separator,
    participant_codes,
    pick,
)
from hipectrial.edc.participants.models import Participant
from hipectrial.edc.participants.timeline import WORDS as FORM_STATUS
from hipectrial.edc.protocol_source import current_protocol
from hipectrial.errors import PermissionDenied
from hipectrial.protocol.common import Label
from hipectrial.protocol.forms import FieldDef

_ACTIONS = {
    "create": gettext_lazy("created"),
    "change": gettext_lazy("changed"),
    "delete": gettext_lazy("deleted"),
}


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _form_field(entry: AuditEntry, name: str) -> FieldDef | None:
    """The protocol field of ``values.<id>`` in a CRF record's entry: the record's form's
    (the key ends with the form id), else the protocol's first field of that id."""
    field_id = name.removeprefix("values.")
    protocol = current_protocol()
    if entry.record_kind == RecordKind.FORM:
        form_id = entry.record_key.rsplit("/", 1)[-1].split("#", 1)[0]
        try:
            return protocol.form(form_id).field(field_id)
        except KeyError:
            pass  # a form the protocol no longer has: look the field up by its id alone
    try:
        return protocol.field(field_id)[1]
    except KeyError:
        return None


def _codes(entry: AuditEntry, name: str) -> dict[str, Label] | None:
    """The codes the field ``name`` of ``entry``'s record takes, with their protocol labels
    (``None`` when it is not coded)."""
    if entry.record_kind == RecordKind.PARTICIPANT:
        return participant_codes(current_protocol(), name)
    if not name.startswith("values."):
        return None
    field = _form_field(entry, name)
    if field is None or field.codelist is None:
        return None
    return {item.code: item.label for item in current_protocol().codelist(field.codelist).items}


def _value(entry: AuditEntry, name: str, value: Any, language: str) -> str:
    """A stored value as the history shows it: a code with its protocol label in the page's
    language and the stored code beside it (``Male (male)``; a CRF record's status with its
    word), a yes/no in words, anything else as stored."""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if entry.record_kind == RecordKind.FORM and name == "status" and value in FORM_STATUS:
        return f"{FORM_STATUS[value]} ({value})"  # a CRF record's draft / complete
    codes = _codes(entry, name)
    if codes is None or value is None:
        return _shown(value)
    items = value if isinstance(value, list) else [value]
    said = [f"{pick(codes[str(v)], language)} ({v})" if str(v) in codes else _shown(v) for v in items]
    return list_separator(language).join(said)


def _field_label(entry: AuditEntry, name: str, language: str) -> str | None:
    """The changed field as the page names it, in its language: ``values.anc`` by the
    protocol's label of ``anc``, a participant's field and the other records' fields
    (``visit_id``, ``actual_date``, ``status``…) by the page's own name; ``None`` for a name
    it does not know (shown as it is). The page shows the stored identifier beside it."""
    if entry.record_kind == RecordKind.PARTICIPANT and name in PARTICIPANT_FIELDS:
        return str(PARTICIPANT_FIELDS[name])
    if not name.startswith("values."):
        return str(RECORD_FIELDS[name]) if name in RECORD_FIELDS else None
    field = _form_field(entry, name)
    return None if field is None else pick(field.label, language)


def _rows(entries: list[AuditEntry], language: str) -> list[dict[str, Any]]:
    return [
        {
            "entry": e,
            # the trail's text (ISO 8601, UTC, microseconds) to the second, for reading
            "when": e.at[:19].replace("T", " "),
            "action": _ACTIONS.get(e.action, e.action),
            "changes": [
                {
                    "field": c.field,
                    # the identifier monitors know it by, beside the label (values.anc: anc)
                    "id": c.field.removeprefix("values."),
                    "label": _field_label(e, c.field, language),
                    "old": _value(e, c.field, c.old, language),
                    "new": _value(e, c.field, c.new, language),
                }
                for c in changes_of(e)
            ],
        }
        for e in entries
    ]


def _allowed_for(request: HttpRequest, participant_id: str) -> Participant:
    try:
        participant = Participant.objects.select_related("site").get(participant_id=participant_id)
    except Participant.DoesNotExist:
        raise Http404(f"no participant {participant_id}") from None
    try:
        check(request.user, Action.VIEW_AUDIT, participant.site)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc)) from exc
    return participant


def _language(request: HttpRequest) -> str:
    return language_of(getattr(request, "LANGUAGE_CODE", None))


@login_required
def record_history(request: HttpRequest, key: str) -> HttpResponse:
    entries = history(record_key=key)
    if not entries:
        raise Http404(f"no history of {key}")
    owners = {e.participant for e in entries}
    for owner in owners:
        _allowed_for(request, owner)
    return render(
        request,
        "audit/history.html",
        {
            "title": key,
            "key": key,
            "rows": _rows(entries, _language(request)),
            "per_record": True,
            "participant_id": entries[0].participant,
        },
    )


@login_required
def participant_history(request: HttpRequest, pid: str) -> HttpResponse:
    participant = _allowed_for(request, pid)
    entries = history(participant=participant.participant_id)
    return render(
        request,
        "audit/history.html",
        {
            "title": participant.participant_id,
            "key": None,
            "rows": _rows(entries, _language(request)),
            "per_record": False,
            "participant_id": participant.participant_id,
        },
    )
