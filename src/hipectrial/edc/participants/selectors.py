"""Reading participants: only those at the sites where the user may see them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from hipectrial.edc.accounts.permissions import check, sites_for
from hipectrial.edc.accounts.roles import Action
from hipectrial.edc.participants.models import Participant
from hipectrial.edc.sites.models import Site


def visible_sites(user: Any, action: Action = Action.VIEW_PARTICIPANT) -> list[Site]:
    return sites_for(user, action, Site.objects.all())


def participants_for(user: Any) -> QuerySet[Participant]:
    """The participants ``user`` may see, in site and number order."""
    return (
        Participant.objects.filter(site__in=visible_sites(user))
        .select_related("site")
        .order_by("site__code", "number")
    )


def participant_for(user: Any, participant_id: str) -> Participant:
    """One participant, if ``user`` may see them (PermissionDenied otherwise; DoesNotExist
    when there is no such participant)."""
    participant = Participant.objects.select_related("site").get(participant_id=participant_id)
    check(user, Action.VIEW_PARTICIPANT, participant.site)
    return participant
