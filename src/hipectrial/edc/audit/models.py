"""The audit trail: one append-only, hash-chained entry per change of clinical data.

An entry says who (``actor``), when (``at``, ISO 8601 UTC with microseconds, stored as
text so that SQLite and PostgreSQL give back exactly what was sealed), where (``site``),
what (``action`` on the record ``record_kind`` / ``record_key``: ``changes`` maps each
field to ``[old, new]``) and why (``reason``). ``seal`` is an HMAC-SHA256 of the entry's
content (its number included) and the previous entry's seal (``prev_seal``), keyed by a
secret kept outside the database (:mod:`hipectrial.edc.audit.chain`). The database
refuses UPDATE and DELETE on the table (:mod:`hipectrial.edc.audit.seal`).
"""

from __future__ import annotations

from django.db import models


class AuditEntry(models.Model):
    # The entry's place in the chain (1, 2, 3… with no gap), given by `services.append` under
    # the chain head's lock and covered by the seal: a deleted entry is named by its number.
    id = models.BigIntegerField(primary_key=True)
    at = models.CharField(max_length=32)
    actor = models.CharField(max_length=150)
    site = models.CharField(max_length=16, blank=True)
    action = models.CharField(max_length=16)
    record_kind = models.CharField(max_length=32)
    record_key = models.CharField(max_length=250, db_index=True)
    participant = models.CharField(max_length=32, blank=True, db_index=True)
    changes = models.TextField()
    reason = models.TextField(blank=True)
    protocol_version = models.CharField(max_length=32, blank=True)
    prev_seal = models.CharField(max_length=64)
    seal = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.at} {self.actor} {self.action} {self.record_kind} {self.record_key}"


class ChainHead(models.Model):
    """The last entry's id and seal (one row): a deleted tail entry shows as a mismatch, and
    writers lock this row so that two saves never fork the chain."""

    last_id = models.BigIntegerField(default=0)
    last_seal = models.CharField(max_length=64, default="")
