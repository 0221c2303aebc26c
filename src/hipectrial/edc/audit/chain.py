"""Sealing entries and verifying the chain (pure functions over the stored text)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

GENESIS = ""
# What a seal covers. ``id`` is the entry's place in the chain (1, 2, 3… with no gap, given
# by :func:`hipectrial.edc.audit.services.append` under the chain head's lock), so a deleted
# entry is named by its number and an entry cannot be moved without breaking its seal.
FIELDS = (
    "id",
    "at",
    "actor",
    "site",
    "action",
    "record_kind",
    "record_key",
    "participant",
    "changes",
    "reason",
    "protocol_version",
    "prev_seal",
)


def canonical(value: object) -> str:
    """The one text form of a value in the trail: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def audit_key(data_dir: Path) -> bytes:
    """The HMAC key: ``HIPECTRIAL_AUDIT_KEY``, else a file beside the data (made once).

    Kept out of the database, so that someone who can write to the database cannot re-seal
    a rewritten chain (a bare hash chain could simply be recomputed).
    """
    given = os.environ.get("HIPECTRIAL_AUDIT_KEY")
    if given:
        return given.encode("utf-8")
    path = data_dir / "audit_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes().strip()
        with os.fdopen(fd, "wb") as f:
            f.write(os.urandom(32).hex().encode("ascii") + b"\n")
    return path.read_bytes().strip()


def seal_of(key: bytes, entry: Mapping[str, object]) -> str:
    """The seal of an entry: HMAC-SHA256 over its fields (``FIELDS``) in canonical form."""
    message = canonical([entry[name] for name in FIELDS]).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of :func:`verify`: ``ok``, how many entries were checked, and the first
    problem (``entry_id`` names the entry at fault — edited, inserted or deleted — and
    ``problem`` says what)."""

    ok: bool
    checked: int
    entry_id: int | None = None
    problem: str | None = None
    head_seal: str = GENESIS


def _fail(checked: int, entry_id: int, problem: str) -> Verification:
    return Verification(False, checked, entry_id, problem)


def verify(
    key: bytes, entries: Iterable[tuple[int, Mapping[str, object], str]], head: tuple[int, str] | None
) -> Verification:
    """Walk the chain in id order (``(id, fields, seal)`` per entry) and compare the head.

    ``head`` is the chain head **as read before the entries** (``(last_id, last_seal)``, None
    if there is no head row), so that entries appended by the running EDC while the walk
    goes on are checked like the others and are no false alarm. The first problem found is
    reported, in chain order:

    * an entry whose seal does not match its fields (its id included) was **edited**, or
      **inserted** behind the application's back (a forged entry cannot be sealed without
      the key);
    * a gap in the ids (entry #5 follows #3): entry #4 was **deleted**;
    * an entry whose ``prev_seal`` is not the previous entry's seal: the entry before it was
      replaced;
    * fewer entries than the head names: the entries at the **end** were deleted; the
      head's seal not that of the entry it names: the head was edited.

    Entries after the head's with good seals were written after the head was read.
    Deleting the last entries *and* setting the head back to match cannot be seen from
    inside the database: keep the ``head_seal`` of a verification elsewhere to compare.
    """
    previous, expected, count = GENESIS, 1, 0
    last_id, last_seal = head if head is not None else (0, GENESIS)
    seal_at_head = GENESIS
    for entry_id, fields, seal in entries:
        count += 1
        if not hmac.compare_digest(seal_of(key, fields), seal):
            return _fail(
                count,
                entry_id,
                f"entry #{entry_id} does not match its seal: it was edited, or inserted behind "
                "the application's back",
            )
        if entry_id != expected:
            missing = f"#{expected}" if entry_id == expected + 1 else f"#{expected}–#{entry_id - 1}"
            return _fail(
                count,
                expected,
                f"entry {missing} is missing (entry #{entry_id} follows #{expected - 1}): deleted",
            )
        if fields["prev_seal"] != previous:
            return _fail(
                count,
                entry_id,
                f"entry #{entry_id} does not follow entry #{expected - 1}: the entry before it was "
                "replaced behind the application's back",
            )
        if entry_id == last_id:
            seal_at_head = seal
        previous, expected = seal, expected + 1
    last_found = expected - 1
    if head is None:
        if count:
            return _fail(count, 1, "the chain head is missing: it was deleted behind the application's back")
        return Verification(True, 0)
    if last_id > last_found:
        missing = f"#{last_id}" if last_id == last_found + 1 else f"#{last_found + 1}–#{last_id}"
        return _fail(
            count,
            last_found + 1,
            f"entry {missing}, the last the application wrote, is missing: deleted",
        )
    if not hmac.compare_digest(last_seal, seal_at_head):
        return _fail(
            count,
            last_id,
            f"the chain head's seal is not entry #{last_id}'s: the head was edited behind the "
            "application's back",
        )
    return Verification(True, count, head_seal=previous)
