"""A consented participant: in screening, registered, off treatment, off study.

The columns are those of :class:`hipectrial.data.Participant` (the snapshot's record),
plus the site's running ``number`` and the optimistic-lock ``version``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Participant(models.Model):
    participant_id = models.CharField(max_length=32, unique=True)
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="participants")
    number = models.PositiveIntegerField()
    sex = models.CharField(max_length=16)
    birth_date = models.DateField()
    consent_date = models.DateField()
    registration_date = models.DateField(null=True, blank=True)
    cohort = models.CharField(max_length=64, null=True, blank=True)
    dose_level = models.CharField(max_length=32, null=True, blank=True)
    off_treatment_date = models.DateField(null=True, blank=True)
    off_treatment_reason = models.CharField(max_length=64, null=True, blank=True)
    off_study_date = models.DateField(null=True, blank=True)
    off_study_reason = models.CharField(max_length=64, null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    protocol_version = models.CharField(max_length=32)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    changed_by = models.CharField(max_length=150, null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("participant")
        constraints = [models.UniqueConstraint(fields=["site", "number"], name="participant_number_once")]

    def __str__(self) -> str:
        return self.participant_id


class RegistrationLock(models.Model):
    """One row that registrations lock, so that two at once never overfill a cohort."""
