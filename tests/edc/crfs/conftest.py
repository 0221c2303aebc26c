"""CRF page tests: a participant at site A (SH01-001) and a logged-in client per user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse


@pytest.fixture
def participant(cast: Any) -> Any:
    from hipectrial.edc.participants.services import participant_screen

    return participant_screen(
        actor=cast.coordinator,
        site=cast.site_a,
        sex="female",
        birth_date=dt.date(1970, 5, 2),
        consent_date=dt.date(2026, 1, 5),
        protocol_version="test",
        now=dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC),
    )


@pytest.fixture
def client_for() -> Callable[..., Client]:
    def make(user: Any, language: str = "en") -> Client:
        user.language = language
        user.save(update_fields=["language"])
        client = Client()
        client.force_login(user)
        return client

    return make


def form_url(pid: str, visit: str, repeat: int, form: str, form_repeat: int | None = None) -> str:
    if form_repeat is None:
        return reverse("crfs:form", args=[pid, visit, repeat, form])
    return reverse("crfs:form_repeat", args=[pid, visit, repeat, form, form_repeat])


def live_url(pid: str, visit: str, repeat: int, form: str, form_repeat: int | None = None) -> str:
    if form_repeat is None:
        return reverse("crfs:form_live", args=[pid, visit, repeat, form])
    return reverse("crfs:form_repeat_live", args=[pid, visit, repeat, form, form_repeat])
