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
def signing_key() -> bytes:
    """The HMAC key of this EDC's trail (``HIPECTRIAL_AUDIT_KEY`` or the data directory's file)."""
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
    IMMEDIATE transactions already serialise writers), so two saves never fork the chain:
    the entries take the numbers after the head's (no gap, whatever the database's
    sequences do), and the head moves to the last of them in the same transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.append must run inside the service's transaction")
    if not changes:
        return []
    head, created = ChainHead.objects.select_for_update().get_or_create(pk=1)
    if created and AuditEntry.objects.exists():
        # Numbering from 1 again would collide; refuse, and let `audit verify` say why.
        raise RuntimeError(
            "the audit chain head is missing although entries exist: run `hipectrial audit verify`"
        )
    key = signing_key()
    previous = head.last_seal
    when = utc_text(at)
    rows = []
    for number, change in enumerate(changes, start=head.last_id + 1):
        fields = {
            "id": number,
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
    AuditEntry.objects.bulk_create(rows, batch_size=500)
    head.last_id, head.last_seal = rows[-1].id, previous
    head.save(update_fields=["last_id", "last_seal"])
    return rows
