"""Two coordinators at once: screenings never share a number, registrations never overfill a
cohort. Real threads, each with its own database connection, on committed data
(``transaction=True``); the suite runs on SQLite and, with DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from tests.edc.participants.conftest import screen
from tests.edc.participants.screening import SCREENING_DAY, enter_screening

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` in threads released together; each result, or the exception raised."""
    from django.db import connection

    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - the test looks at what each thread got
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_screenings_at_once_get_different_numbers(cast):
    from hipectrial.edc.participants.models import Participant

    results = at_once([lambda: screen(cast.coordinator, cast.site_a),
                       lambda: screen(cast.investigator, cast.site_a),
                       lambda: screen(cast.coordinator, cast.site_a)])
    assert all(isinstance(r, Participant) for r in results), results
    assert sorted(r.participant_id for r in results) == ["SH01-001", "SH01-002", "SH01-003"]


def test_two_registrations_at_once_never_overfill_cohort_1(cast):
    from hipectrial.edc.participants.models import Participant
    from hipectrial.edc.participants.registration import RegistrationRefused, participant_register

    on = SCREENING_DAY + dt.timedelta(days=2)  # in the screening window (day -28 to day -1)
    people = []
    for _ in range(4):
        p = screen(cast.coordinator, cast.site_a)
        enter_screening(cast.coordinator, p)
        people.append(p)
    for p in people[:2]:
        participant_register(actor=cast.coordinator, participant=p, as_of=on, expected_version=p.version)

    def register(p: Any, actor: Any) -> Any:
        return lambda: participant_register(actor=actor, participant=p, as_of=on, expected_version=p.version)

    results = at_once([register(people[2], cast.coordinator), register(people[3], cast.investigator)])
    registered = [r for r in results if isinstance(r, Participant)]
    refused = [r for r in results if isinstance(r, RegistrationRefused)]
    assert (len(registered), len(refused)) == (1, 1), results
    assert "Registration waits: cohort 1" in str(refused[0])
    cohort_1 = Participant.objects.filter(registration_date__isnull=False)
    assert cohort_1.count() == 3
    assert set(cohort_1.values_list("dose_level", flat=True)) == {"1"}
