"""Adding a site (audited, as every change of who may do what is)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hipectrial.edc.audit.services import Change, append
from hipectrial.edc.sites.models import Site
from hipectrial.errors import InputError


def site_add(
    *,
    actor: str,
    code: str,
    name: str,
    country: str,
    city: str | None = None,
    principal_investigator: str | None = None,
    activation_date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Site:
    """A new site. ``actor`` is the user name the audit trail records (a command line user
    acts as the operating-system account running it)."""
    now = now or timezone.now()
    site = Site(
        code=code,
        name=name.strip(),
        country=country,
        city=city,
        principal_investigator=principal_investigator,
        activation_date=activation_date,
        created_at=now,
        created_by=actor,
    )
    if len(country) != 2 or not country.isalpha() or not country.isupper():
        raise InputError("country", country, "an ISO 3166-1 alpha-2 code such as CN")
    try:
        site.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InputError(field, getattr(site, field, None), messages[0].rstrip(".")) from None
    with transaction.atomic():
        site.save(force_insert=True)
        fields: dict[str, Any] = {
            "code": code,
            "name": site.name,
            "country": country,
            "city": city,
            "principal_investigator": principal_investigator,
            "activation_date": activation_date.isoformat() if activation_date else None,
        }
        append(
            actor=actor,
            at=now,
            changes=[
                Change(
                    "create",
                    "sites",
                    code,
                    {k: (None, v) for k, v in fields.items() if v is not None},
                    site=code,
                )
            ],
        )
    return site
