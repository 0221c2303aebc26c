"""The one permission check every page and API endpoint calls (the table: ``roles.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hipectrial.edc.accounts.roles import PERMISSIONS, TRIAL_WIDE, Action, Role
from hipectrial.errors import PermissionDenied

# What each action is called in a refusal ("coord.b may not view participant at site SH01"),
# in the user's language.
ACTION_WORDS = {
    Action.VIEW_PARTICIPANT: gettext_lazy("view participant"),
    Action.SCREEN: gettext_lazy("screen"),
    Action.REGISTER: gettext_lazy("register"),
    Action.ENTER_DATA: gettext_lazy("enter data"),
    Action.ENTER_DOSING: gettext_lazy("enter dosing"),
    Action.DELETE_DATA: gettext_lazy("delete data"),
    Action.END_PARTICIPATION: gettext_lazy("end participation"),
    Action.VIEW_AUDIT: gettext_lazy("view audit"),
    Action.SNAPSHOT: gettext_lazy("snapshot"),
    Action.IMPORT_DATA: gettext_lazy("import data"),
    Action.MANAGE_USERS: gettext_lazy("manage users"),
    Action.MANAGE_SITES: gettext_lazy("manage sites"),
}


def _memberships(user: Any) -> list[tuple[Role, int | None]]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_hipectrial_memberships", None)
    if cached is None:
        cached = [(Role(m.role), m.site_id) for m in user.memberships.all()]
        user._hipectrial_memberships = cached
    return list(cached)


def allowed(user: Any, action: Action, site: Any = None) -> bool:
    """Whether ``user`` may do ``action`` at ``site`` (a Site, or None for a trial-wide action).

    A site action needs a role allowing it held at that site or at every site; a trial-wide
    action (``TRIAL_WIDE``) needs the role anywhere. An inactive or anonymous user may do nothing.
    """
    site_id = getattr(site, "pk", site)
    for role, member_site in _memberships(user):
        if action not in PERMISSIONS[role]:
            continue
        if action in TRIAL_WIDE or member_site is None or member_site == site_id:
            return True
    return False


def check(user: Any, action: Action, site: Any = None) -> None:
    """Raise PermissionDenied unless :func:`allowed`; the message names the user, action and
    site, in the active language (the user's, on a page)."""
    if not allowed(user, action, site):
        who = getattr(user, "username", None) or _("an anonymous user")
        words = {"user": who, "action": ACTION_WORDS[action]}
        if site is None:
            raise PermissionDenied(_("%(user)s may not %(action)s") % words)
        words["site"] = getattr(site, "code", site)
        raise PermissionDenied(_("%(user)s may not %(action)s at site %(site)s") % words)


def sites_for(user: Any, action: Action, all_sites: Iterable[Any]) -> list[Any]:
    """The sites (of ``all_sites``) at which ``user`` may do ``action``."""
    return [s for s in all_sites if allowed(user, action, s)]
