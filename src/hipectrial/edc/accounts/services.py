"""Creating users and giving roles (audited: ICH E6(R3) asks for user and role changes)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hipectrial.edc.accounts.models import Membership, User
from hipectrial.edc.accounts.roles import Role
from hipectrial.edc.audit.services import Change, append
from hipectrial.edc.sites.models import Site
from hipectrial.errors import InputError

ALL_SITE_ROLES = frozenset({Role.DATA_MANAGER, Role.STATISTICIAN, Role.ADMINISTRATOR})


def user_create(
    *,
    actor: str,
    username: str,
    password: str,
    full_name: str = "",
    email: str = "",
    language: str = "en",
    check_password: bool = True,
    now: dt.datetime | None = None,
) -> User:
    """A new user with an Argon2-hashed password (checked against the password rules)."""
    now = now or timezone.now()
    if not username or not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
        raise InputError("username", username, "letters, digits, '.', '_' or '-'")
    if User.objects.filter(username=username).exists():
        raise InputError("username", username, "a user name not yet taken (users are never deleted)")
    if language not in ("en", "zh-hans"):
        raise InputError("language", language, "en or zh-hans")
    first, _, last = full_name.partition(" ")
    user = User(
        username=username,
        first_name=first,
        last_name=last,
        email=email,
        language=language,
        password_changed_at=now,
    )
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise InputError("password", "(hidden)", "a stronger password", " ".join(exc.messages)) from None
    user.set_password(password)
    with transaction.atomic():
        user.save()
        append(
            actor=actor,
            at=now,
            changes=[
                Change(
                    "create",
                    "users",
                    username,
                    {
                        "username": (None, username),
                        "full_name": (None, full_name or None),
                        "language": (None, language),
                    },
                )
            ],
        )
    return user


def role_grant(
    *, actor: str, user: User, role: Role | str, site: Site | None, now: dt.datetime | None = None
) -> Membership:
    """Give ``user`` ``role`` at ``site`` (None: at every site, for trial-wide roles and
    monitors of every site)."""
    now = now or timezone.now()
    try:
        role = Role(role)
    except ValueError:
        raise InputError("role", role, "one of " + ", ".join(r.value for r in Role)) from None
    if site is None and role not in ALL_SITE_ROLES | {Role.MONITOR}:
        raise InputError("site", None, f"a site: a {role.value} works at a site")
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(user=user, role=role.value, site=site)
        if created:
            append(
                actor=actor,
                at=now,
                changes=[
                    Change(
                        "grant",
                        "roles",
                        f"{user.username}/{role.value}/{site.code if site else '*'}",
                        {"role": (None, role.value), "site": (None, site.code if site else "every site")},
                        site=site.code if site else "",
                    )
                ],
            )
    return membership


def user_create_with_roles(
    *,
    actor: str,
    username: str,
    password: str,
    role: Role | str,
    sites: list[Site | None],
    full_name: str = "",
    email: str = "",
    language: str = "en",
) -> User:
    """A new user and their role at ``sites`` (None: every site), all or nothing."""
    with transaction.atomic():
        user = user_create(
            actor=actor,
            username=username,
            password=password,
            full_name=full_name,
            email=email,
            language=language,
        )
        for site in sites:
            role_grant(actor=actor, user=user, role=role, site=site)
    return user
