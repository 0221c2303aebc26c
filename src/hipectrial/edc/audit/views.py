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
from django.utils.translation import gettext_lazy

from hipectrial.edc.accounts.permissions import check
from hipectrial.edc.accounts.roles import Action
from hipectrial.edc.audit.models import AuditEntry
from hipectrial.edc.audit.selectors import changes_of, history
from hipectrial.edc.participants.models import Participant
from hipectrial.edc.protocol_source import current_protocol
from hipectrial.errors import PermissionDenied

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


def _field_label(name: str, zh: bool) -> str:
    """``values.anc`` with the protocol's label of ``anc`` (the field id stays visible)."""
    if not name.startswith("values."):
        return name
    try:
        _, field = current_protocol().field(name.removeprefix("values."))
    except KeyError:
        return name
    return f"{field.label.zh if zh else field.label.en} ({name.removeprefix('values.')})"


def _rows(entries: list[AuditEntry], zh: bool) -> list[dict[str, Any]]:
    return [
        {
            "entry": e,
            # the trail's text (ISO 8601, UTC, microseconds) to the second, for reading
            "when": e.at[:19].replace("T", " "),
            "action": _ACTIONS.get(e.action, e.action),
            "changes": [
                {
                    "field": c.field,
                    "label": _field_label(c.field, zh),
                    "old": _shown(c.old),
                    "new": _shown(c.new),
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


def _zh(request: HttpRequest) -> bool:
    return str(getattr(request, "LANGUAGE_CODE", "en")).startswith("zh")


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
            "rows": _rows(entries, _zh(request)),
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
            "rows": _rows(entries, _zh(request)),
            "per_record": False,
            "participant_id": participant.participant_id,
        },
    )
