"""Reading the trail: a record's history, and the whole chain verified."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hipectrial.edc.audit.chain import FIELDS, Verification, verify
from hipectrial.edc.audit.models import AuditEntry, ChainHead
from hipectrial.edc.audit.services import signing_key


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: Any
    new: Any


def changes_of(entry: AuditEntry) -> list[FieldChange]:
    """The entry's field changes, in field order."""
    data = json.loads(entry.changes)
    return [FieldChange(name, old, new) for name, (old, new) in sorted(data.items())]


def history(*, record_key: str | None = None, participant: str | None = None) -> list[AuditEntry]:
    """The entries about one record, or about everything of one participant, oldest first."""
    entries = AuditEntry.objects.all()
    if record_key is not None:
        entries = entries.filter(record_key=record_key)
    if participant is not None:
        entries = entries.filter(participant=participant)
    return list(entries.order_by("id"))


def verify_chain(batch: int = 2000) -> Verification:
    """Recompute every seal in id order and compare with the chain head (``audit verify``).

    The head is read first: entries the running EDC appends meanwhile are verified too, and
    are no false alarm of a deleted entry.
    """
    heads = ChainHead.objects.filter(pk=1).values_list("last_id", "last_seal")
    head = heads.first()
    if head is None:
        if not AuditEntry.objects.exists():
            # The chain was empty when the verification began; entries the EDC writes from
            # now on are the next verification's (walking them against no head would be a
            # false alarm of a deleted head).
            return Verification(True, 0)
        # the first entries and the head are committed together: entries seen now mean
        # their head is visible now, unless it was deleted
        head = heads.first()

    def rows() -> Iterator[tuple[int, dict[str, Any], str]]:
        last = 0
        while True:
            after = AuditEntry.objects.filter(id__gt=last).order_by("id")
            chunk = list(after.values("seal", *FIELDS)[:batch])
            if not chunk:
                return
            for row in chunk:
                yield row["id"], row, row["seal"]
            last = chunk[-1]["id"]

    return verify(signing_key(), rows(), head)
