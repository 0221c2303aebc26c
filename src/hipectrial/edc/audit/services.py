"""Writing the audit trail: only services call :func:`append`, inside their transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import transaction

from hipectrial.edc.audit.chain import audit_key, canonical, seal_of
from hipectrial.edc.audit.models import AuditEntry, ChainHead


@cache
def _key() -> bytes:
    return audit_key(settings.DATA_DIR)


def utc_text(moment: dt.datetime) -> str:
    """``moment`` as the trail writes it: ISO 8601 in UTC with microseconds."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class Change:
    """One audited change: what record, which fields (``field -> (old, new)``), and why."""

    action: str
    record_kind: str
    record_key: str
    changes: Mapping[str, tuple[object, object]]
    site: str = ""
    participant: str = ""
    reason: str = ""
    protocol_version: str = ""


def append(*, actor: str, at: dt.datetime, changes: Sequence[Change]) -> list[AuditEntry]:
    """Seal and store ``changes`` after the chain's last entry; call inside ``transaction.atomic``.

    The chain head row is locked first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's
    IMMEDIATE transactions already serialise writers), so two saves never fork the chain.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.append must run inside the service's transaction")
    if not changes:
        return []
    head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
    key = _key()
    previous = head.last_seal
    when = utc_text(at)
    rows = []
    for change in changes:
        fields = {
            "at": when,
            "actor": actor,
            "site": change.site,
            "action": change.action,
            "record_kind": change.record_kind,
            "record_key": change.record_key,
            "participant": change.participant,
            "changes": canonical({k: [old, new] for k, (old, new) in change.changes.items()}),
            "reason": change.reason,
            "protocol_version": change.protocol_version,
            "prev_seal": previous,
        }
        seal = seal_of(key, fields)
        rows.append(AuditEntry(seal=seal, **fields))
        previous = seal
    if len(rows) == 1:
        rows[0].save(force_insert=True)
    else:
        AuditEntry.objects.bulk_create(rows, batch_size=500)
    last_id = AuditEntry.objects.filter(seal=previous).values_list("pk", flat=True).get()
    ChainHead.objects.filter(pk=1).update(last_id=last_id, last_seal=previous)
    return rows
