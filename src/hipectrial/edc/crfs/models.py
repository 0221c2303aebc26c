"""A participant's clinical records: visits, CRF records and the typed records of TrialData.

Each row holds one record of :class:`hipectrial.data.TrialData` (a ``Visit``, a
``FormRecord``, a ``DoseAdministration``…) as the canonical JSON of its codec
(:mod:`hipectrial.data.jsonio`) without provenance, which the row's own columns give. The
row's ``key`` is the record's key in the data (``SH01-001/screening#1/labs``; for records
without a natural key, ``SH01-001/lab_results#7``). Visit and form columns are copied out
of the payload to find records; they are written only with it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hipectrial.data.vocab import RecordKind

# The TrialData collections a row may hold: every record kind but the trial, its sites and
# its participants (which have their own tables); names and values are RecordKind's.
_OWN_TABLES = (RecordKind.TRIAL, RecordKind.SITE, RecordKind.PARTICIPANT)
Kind = models.TextChoices("Kind", [(k.name, k.value) for k in RecordKind if k not in _OWN_TABLES])


class Status(models.TextChoices):
    DRAFT = "draft"
    COMPLETE = "complete"


class Record(models.Model):
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="records"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    key = models.CharField(max_length=250)
    visit_id = models.CharField(max_length=64, blank=True)
    visit_repeat = models.PositiveIntegerField(null=True, blank=True)
    form_id = models.CharField(max_length=64, blank=True)
    repeat = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.COMPLETE)
    # Once a record was first completed, every later change needs a reason.
    completed_once = models.BooleanField(default=False)
    payload = models.TextField()
    version = models.PositiveIntegerField(default=1)
    protocol_version = models.CharField(max_length=32)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    changed_by = models.CharField(max_length=150, null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("record")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="record_key_once")]
        indexes = [
            models.Index(fields=["participant", "kind"]),
            models.Index(fields=["participant", "visit_id", "visit_repeat"]),
        ]

    def __str__(self) -> str:
        return self.key


class TrialInfo(models.Model):
    """One row: where the database's data came from (a demo seeded from a simulation says
    so on every page and in every snapshot)."""

    source_kind = models.CharField(max_length=16, default="edc")
    source_description = models.CharField(max_length=300, default="hipectrial EDC")
