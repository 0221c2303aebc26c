"""A participating hospital. ``code`` is the site id participants' numbers start with."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Site(models.Model):
    code = models.CharField(
        max_length=16,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Z][A-Z0-9]{1,15}$", "a site code is capitals and digits, e.g. SH01")
        ],
    )
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2)
    city = models.CharField(max_length=100, null=True, blank=True)
    principal_investigator = models.CharField(max_length=200, null=True, blank=True)
    activation_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["id"]
        verbose_name = _("site")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
