"""Off treatment and off study: dates checked (not before consent or registration, not in
the future, off study not before off treatment), reasons from the protocol's code lists, an
audit note required; the schedule stops at off study."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.edc.participants.conftest import screen
from tests.edc.participants.screening import enter_screening

pytestmark = pytest.mark.django_db
REGISTERED = dt.date(2026, 3, 5)


def registered(cast):
    from hipectrial.edc.participants.registration import participant_register

    p = screen(cast.coordinator, cast.site_a)
    enter_screening(cast.coordinator, p)
    participant_register(actor=cast.coordinator, participant=p, as_of=REGISTERED, expected_version=p.version)
    p.refresh_from_db()
    return p


def end(client, p, stage: str, date: dt.date | str, code: str, note: str = "as recorded in the notes"):
    p.refresh_from_db()
    date = date.isoformat() if isinstance(date, dt.date) else date
    return client.post(f"/participants/{p.participant_id}/end/{stage}/", {
        f"{stage}-date": date, f"{stage}-reason_code": code, f"{stage}-reason": note,
        f"{stage}-version": p.version})


def test_off_treatment_is_recorded_with_its_reason_and_audit_note(cast, login):
    from hipectrial.edc.audit.models import AuditEntry

    p = registered(cast)
    client = login(cast.coordinator)
    answer = end(client, p, "off_treatment", dt.date(2026, 6, 1), "toxicity", "grade 4 neutropenia twice")
    assert answer.status_code == 302
    p.refresh_from_db()
    assert (p.off_treatment_date, p.off_treatment_reason) == (dt.date(2026, 6, 1), "toxicity")
    entry = AuditEntry.objects.filter(record_kind="participants").order_by("id").last()
    assert entry.reason == "grade 4 neutropenia twice"
    page = client.get("/participants/SH01-001/").content.decode()
    assert 'data-status="off_treatment"' in page
    assert "2026-06-01 · Unacceptable toxicity" in page


def test_off_treatment_before_registration_is_refused_next_to_the_date(cast, login):
    p = registered(cast)
    answer = end(login(cast.coordinator), p, "off_treatment", REGISTERED - dt.timedelta(days=1), "toxicity")
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'data-testid="error-off_treatment-date"' in html
    assert "off_treatment_date 2026-03-04 is before registration_date 2026-03-05" in html
    p.refresh_from_db()
    assert p.off_treatment_date is None


def test_off_treatment_of_a_participant_in_screening_is_refused(cast):
    from hipectrial.edc.participants.services import participant_end
    from hipectrial.errors import InputError

    p = screen(cast.coordinator, cast.site_a)
    with pytest.raises(InputError, match="never registered") as caught:
        participant_end(actor=cast.coordinator, participant=p, stage="off_treatment", date=dt.date(2026, 3, 9),
                        reason_code="other", reason="note", expected_version=p.version)
    assert caught.value.field == "off_treatment_date"


def test_a_date_in_the_future_is_refused(cast, login):
    p = registered(cast)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    answer = end(login(cast.coordinator), p, "off_study", tomorrow, "consent_withdrawn")
    assert answer.status_code == 400
    assert b"a date on or before today" in answer.content
    p.refresh_from_db()
    assert p.off_study_date is None


def test_off_study_before_off_treatment_is_refused(cast, login):
    p = registered(cast)
    client = login(cast.coordinator)
    assert end(client, p, "off_treatment", dt.date(2026, 6, 1), "progression").status_code == 302
    answer = end(client, p, "off_study", dt.date(2026, 5, 31), "death")
    assert answer.status_code == 400
    assert b"off_study_date 2026-05-31 is before off_treatment_date 2026-06-01" in answer.content


def test_a_reason_outside_the_code_list_is_refused(cast):
    from hipectrial.edc.participants.services import participant_end
    from hipectrial.errors import InputError

    p = registered(cast)
    with pytest.raises(InputError, match="one of completed_follow_up, death") as caught:
        participant_end(actor=cast.coordinator, participant=p, stage="off_study", date=dt.date(2026, 6, 1),
                        reason_code="bored", reason="note", expected_version=p.version)
    assert caught.value.field == "off_study_reason"


def test_the_audit_note_is_required(cast):
    from hipectrial.edc.participants.services import participant_end
    from hipectrial.errors import InputError

    p = registered(cast)
    with pytest.raises(InputError) as caught:
        participant_end(actor=cast.coordinator, participant=p, stage="off_study", date=dt.date(2026, 6, 1),
                        reason_code="death", reason="  ", expected_version=p.version)
    assert caught.value.field == "reason"


def test_screen_failure_ends_the_study_of_a_person_in_screening(cast, login):
    p = screen(cast.coordinator, cast.site_a)
    client = login(cast.coordinator)
    page = client.get("/participants/SH01-001/").content.decode()
    assert 'data-testid="off-treatment-form"' not in page  # not registered: no treatment to end
    assert end(client, p, "off_study", dt.date(2026, 3, 10), "screen_failure").status_code == 302
    p.refresh_from_db()
    assert (p.off_study_date, p.off_study_reason) == (dt.date(2026, 3, 10), "screen_failure")
    page = client.get("/participants/SH01-001/").content.decode()
    assert 'data-status="off_study"' in page
    assert 'data-testid="register-form"' not in page


def test_the_schedule_stops_at_off_study(cast, login):
    p = registered(cast)
    client = login(cast.coordinator)
    # off study on the registration day + 1: the day-0 window (to day 7) had not closed
    assert end(client, p, "off_study", dt.date(2026, 3, 6), "consent_withdrawn").status_code == 302
    page = client.get("/participants/SH01-001/").content.decode()
    assert 'data-testid="visit-day0-laparoscopy-hipec-1"' not in page
    assert 'data-testid="visit-registration-1"' in page
    assert 'data-testid="timeline-stopped"' in page
    assert "off study on 2026-03-06" in page


@pytest.mark.parametrize("role", ["monitor", "pharmacist", "data_manager"])
def test_roles_that_do_not_end_participation_are_refused(cast, login, role):
    p = registered(cast)
    client = login(getattr(cast, role))
    assert end(client, p, "off_study", dt.date(2026, 6, 1), "death").status_code == 403
    p.refresh_from_db()
    assert p.off_study_date is None


def test_another_sites_coordinator_is_refused(cast, login):
    p = registered(cast)
    assert end(login(cast.coordinator_b), p, "off_study", dt.date(2026, 6, 1), "death").status_code == 403
