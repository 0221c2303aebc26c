"""Helpers of the participant tests: a participant screened at site A (SH01) through the
service, and a logged-in Django client per user of the cast."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.edc.participants.screening import BIRTH, CONSENT


def screen(actor: Any, site: Any, *, sex: str = "male", birth: dt.date = BIRTH,
           consent: dt.date = CONSENT) -> Any:
    from hipectrial.edc.participants.services import participant_screen
    from hipectrial.edc.protocol_source import protocol_version

    return participant_screen(actor=actor, site=site, sex=sex, birth_date=birth, consent_date=consent,
                              protocol_version=protocol_version())


@pytest.fixture
def login(client: Any) -> Any:
    def as_user(user: Any) -> Any:
        client.force_login(user)  # django-axes wants a request to log in with a password
        return client

    return as_user
