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
FIELDS = (
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


def seal_of(key: bytes, entry: Mapping[str, str]) -> str:
    """The seal of an entry: HMAC-SHA256 over its fields (``FIELDS``) in canonical form."""
    message = canonical([entry[name] for name in FIELDS]).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of :func:`verify`: ``ok``, how many entries were checked, and the first
    problem (``entry_id`` names the entry at fault, ``problem`` says what)."""

    ok: bool
    checked: int
    entry_id: int | None = None
    problem: str | None = None
    head_seal: str = GENESIS


def verify(
    key: bytes, entries: Iterable[tuple[int, Mapping[str, str], str]], head: tuple[int, str] | None
) -> Verification:
    """Walk the chain in id order: ``(id, fields, seal)`` per entry, then the head row.

    * an entry whose seal does not match its fields was **edited**, or **inserted** behind
      the application's back (a forged entry cannot be sealed without the key);
    * an entry whose ``prev_seal`` is not the previous entry's seal follows a **deleted**
      entry (or was moved);
    * a head naming another last entry than the last one found: entries at the end were
      **deleted** (or one was appended behind the application's back).
    """
    previous, previous_id, count = GENESIS, 0, 0
    for entry_id, fields, seal in entries:
        count += 1
        if fields["prev_seal"] != previous:
            where = f"after entry #{previous_id}" if previous_id else "at the start"
            return Verification(
                False,
                count,
                entry_id,
                f"entry #{entry_id} does not follow the entry before it: an entry {where} "
                "was deleted, or this one was inserted behind the application's back",
            )
        if not hmac.compare_digest(seal_of(key, fields), seal):
            return Verification(
                False,
                count,
                entry_id,
                f"entry #{entry_id} does not match its seal: it was edited, or inserted "
                "behind the application's back",
            )
        previous, previous_id = seal, entry_id
    last_id, last_seal = head if head is not None else (0, GENESIS)
    if (last_id, last_seal) != (previous_id, previous):
        if last_id > previous_id:
            return Verification(
                False,
                count,
                last_id,
                f"entry #{last_id}, the last one written, is missing: entries after "
                f"#{previous_id} were deleted",
            )
        return Verification(
            False,
            count,
            previous_id,
            f"entry #{previous_id} is not the last entry the application wrote "
            f"(#{last_id}): it was inserted behind the application's back",
        )
    return Verification(True, count, head_seal=previous)
