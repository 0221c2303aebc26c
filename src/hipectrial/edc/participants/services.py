"""Writers of participants: screening (a new participant and their number) and changes.

Registration and the end of participation change a participant through
:func:`participant_change`; every write has its audit entry in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from hipectrial.data import Participant as DataParticipant
from hipectrial.data import Sex
from hipectrial.edc.accounts.permissions import check
from hipectrial.edc.accounts.roles import Action
from hipectrial.edc.audit.services import Change, append
from hipectrial.edc.participants.convert import FIELDS, plain, to_data
from hipectrial.edc.participants.models import Participant
from hipectrial.edc.sites.models import Site
from hipectrial.errors import ConflictError, InputError

KIND = "participants"


def participant_number(site: Site, number: int) -> str:
    """The site-prefixed participant id: ``SH01-007``."""
    return f"{site.code}-{number:03d}"


def _sex(value: object) -> Sex:
    try:
        return Sex(value)
    except ValueError:
        raise InputError("sex", value, "one of " + ", ".join(s.value for s in Sex)) from None


def participant_screen(
    *,
    actor: Any,
    site: Site,
    sex: object,
    birth_date: dt.date,
    consent_date: dt.date,
    protocol_version: str,
    now: dt.datetime | None = None,
) -> Participant:
    """Start screening: a new participant at ``site`` with the next participant number.

    Everyone screened is a participant with a site-prefixed id (docs/trialdata-conventions.md);
    registration later confirms the same number. The site row is locked while the number is
    chosen, so two coordinators at once never get the same one.
    """
    check(actor, Action.SCREEN, site)
    now = now or timezone.now()
    today = now.date()
    if consent_date > today:
        raise InputError("consent_date", consent_date.isoformat(), f"a date on or before today ({today})")
    if birth_date >= consent_date:
        raise InputError(
            "birth_date",
            birth_date.isoformat(),
            f"a date before the consent date ({consent_date.isoformat()})",
        )
    with transaction.atomic():
        locked = Site.objects.select_for_update().get(pk=site.pk)
        number = (Participant.objects.filter(site=locked).aggregate(m=Max("number"))["m"] or 0) + 1
        return _insert(
            actor,
            locked,
            number,
            DataParticipant(
                id=participant_number(locked, number),
                site_id=locked.code,
                sex=_sex(sex),
                birth_date=birth_date,
                consent_date=consent_date,
            ),
            protocol_version,
            now,
        )


def _insert(
    actor: Any, site: Site, number: int, data: DataParticipant, protocol_version: str, now: dt.datetime
) -> Participant:
    row = Participant.objects.create(
        participant_id=data.id,
        site=site,
        number=number,
        protocol_version=protocol_version,
        created_by=actor.username,
        created_at=now,
        **{name: getattr(data, name).value if name == "sex" else getattr(data, name) for name in FIELDS},
    )
    append(
        actor=actor.username,
        at=now,
        changes=[
            Change(
                "create",
                KIND,
                data.id,
                {k: (None, v) for k, v in plain(data).items() if v is not None},
                site=site.code,
                participant=data.id,
                protocol_version=protocol_version,
            )
        ],
    )
    return row


def participant_import(
    *, actor: Any, site: Site, data: DataParticipant, protocol_version: str, now: dt.datetime
) -> Participant:
    """Store a participant exactly as given (importing a TrialData; the caller checked
    ``IMPORT_DATA``). The number is the id's part after the site code."""
    prefix = f"{site.code}-"
    tail = data.id[len(prefix) :]
    if not data.id.startswith(prefix) or not tail.isdigit():
        raise InputError("participant.id", data.id, f"a participant id {prefix}<number>")
    return _insert(actor, site, int(tail), data, protocol_version, now)


def participant_change(
    *,
    actor: Any,
    participant: Participant,
    expected_version: int,
    reason: str | None,
    protocol_version: str,
    now: dt.datetime | None = None,
    action: Action,
    reason_required: bool = True,
    **changes: Any,
) -> Participant:
    """Change a participant's fields (``changes``) if still at ``expected_version``.

    ``action`` is the permission the change needs (``REGISTER``, ``END_PARTICIPATION``…).
    The new values go through the data layer's ``Participant`` (its checks apply).
    """
    check(actor, action, participant.site)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise InputError("changes", sorted(unknown), "participant fields: " + ", ".join(FIELDS))
    now = now or timezone.now()
    with transaction.atomic():
        current = Participant.objects.select_for_update().get(pk=participant.pk)
        if current.version != expected_version:
            raise ConflictError(
                f"participant {current.participant_id} was changed by {current.changed_by} "
                f"(version {current.version}) after version {expected_version}; nothing was saved"
            )
        old = to_data(current, with_provenance=False)
        new = replace(old, **changes)
        before, after = plain(old), plain(new)
        diff = {k: (before[k], after[k]) for k in FIELDS if before[k] != after[k]}
        if not diff:
            return current
        why = (reason or "").strip()
        if reason_required and not why:
            raise InputError("reason", reason, "a reason for the change")
        for name in diff:
            value = getattr(new, name)
            setattr(current, name, value.value if isinstance(value, Sex) else value)
        current.version += 1
        current.changed_by, current.changed_at = actor.username, now
        current.save()
        append(
            actor=actor.username,
            at=now,
            changes=[
                Change(
                    "change",
                    KIND,
                    current.participant_id,
                    diff,
                    site=current.site.code,
                    participant=current.participant_id,
                    reason=why,
                    protocol_version=protocol_version,
                )
            ],
        )
    return current
