"""Audit tests: real service writes, and tampering behind the application's back (raw SQL)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

import pytest

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
VERSION = "1.0"
WHEN = dt.datetime(2026, 2, 2, 9, 30, tzinfo=dt.UTC)


@dataclass
class Written:
    participant: Any
    kept: Any  # a visit record created and changed
    deleted_key: str


def write_clinical_data(cast: Any) -> Written:
    """Screen a participant and create, change and delete visit records through the services."""
    from hipectrial.data.records import Visit
    from hipectrial.edc.crfs.services import record_change, record_create, record_delete
    from hipectrial.edc.participants.services import participant_screen

    who = cast.coordinator
    person = participant_screen(
        actor=who, site=cast.site_a, sex="female", birth_date=dt.date(1960, 5, 1),
        consent_date=dt.date(2026, 2, 1), protocol_version=VERSION, now=WHEN,
    )
    pid = person.participant_id
    kept = record_create(
        actor=who, participant=person, kind="visits",
        record=Visit(participant_id=pid, visit_id="screening", actual_date=dt.date(2026, 2, 1)),
        protocol_version=VERSION, now=WHEN,
    )
    kept = record_change(
        actor=who, record=kept,
        new=Visit(participant_id=pid, visit_id="screening", actual_date=dt.date(2026, 2, 2)),
        expected_version=kept.version, reason="date typed wrong", protocol_version=VERSION, now=WHEN,
    )
    gone = record_create(
        actor=who, participant=person, kind="visits",
        record=Visit(participant_id=pid, visit_id="baseline", actual_date=dt.date(2026, 2, 3)),
        protocol_version=VERSION, now=WHEN,
    )
    record_delete(actor=who, record=gone, expected_version=gone.version, reason="entered for the wrong visit",
                  protocol_version=VERSION, now=WHEN)
    return Written(person, kept, gone.key)


@pytest.fixture
def written(cast: Any) -> Written:
    return write_clinical_data(cast)


def raw(sql: str, params: tuple[Any, ...] = ()) -> None:
    """Run ``sql`` on the test database, behind the services' back."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
