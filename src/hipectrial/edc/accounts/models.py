"""People and their roles: a role is held at one site, or at every site (``site`` empty)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from hipectrial.edc.accounts.roles import Role


class User(AbstractUser):
    """A person who logs in. Never deleted (21 CFR 11.100: ids are not reused): deactivate."""

    language = models.CharField(
        max_length=10, choices=[("en", "English"), ("zh-hans", "简体中文")], default="en"
    )
    password_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["username"]


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=[(r.value, r.label) for r in Role])
    # None: the role holds at every site (data manager, statistician, administrator).
    site = models.ForeignKey(
        "sites.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "site"], name="membership_once"),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(site__isnull=True),
                name="membership_all_sites_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.username}: {self.role} at {self.site.code if self.site else 'every site'}"
