"""Starting screening: a consented person becomes a participant with the site's next number."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.edc.participants.conftest import screen

pytestmark = pytest.mark.django_db


def test_coordinator_screens_a_consented_person_and_gets_the_sites_first_number(cast, login):
    client = login(cast.coordinator)
    page = client.get("/participants/screen/")
    assert page.status_code == 200
    assert b'data-testid="screen-form"' in page.content
    # one site where this coordinator may screen: no choice to make
    assert b'type="hidden" name="site" value="SH01"' in page.content
    answer = client.post("/participants/screen/", {"site": "SH01", "consent_date": "2026-03-02",
                                                     "sex": "female", "birth_date": "1961-07-30"})
    assert answer.status_code == 302
    assert answer["Location"] == "/participants/SH01-001/"
    from hipectrial.edc.participants.models import Participant

    row = Participant.objects.get(participant_id="SH01-001")
    assert (row.number, row.sex, row.birth_date, row.consent_date) == (
        1, "female", dt.date(1961, 7, 30), dt.date(2026, 3, 2))
    assert row.registration_date is None


def test_numbers_run_per_site(cast):
    assert screen(cast.coordinator, cast.site_a).participant_id == "SH01-001"
    assert screen(cast.coordinator, cast.site_a).participant_id == "SH01-002"
    assert screen(cast.coordinator_b, cast.site_b).participant_id == "BJ02-001"


def test_a_coordinator_of_two_sites_chooses_the_site(cast, login):
    from hipectrial.edc.accounts.services import role_grant

    role_grant(actor="test", user=cast.coordinator, role="coordinator", site=cast.site_b)
    client = login(cast.coordinator)
    page = client.get("/participants/screen/")
    assert b'<select name="site"' in page.content
    assert b"SH01" in page.content
    assert b"BJ02" in page.content
    answer = client.post("/participants/screen/", {"site": "BJ02", "consent_date": "2026-03-02",
                                                     "sex": "male", "birth_date": "1970-05-10"})
    assert answer["Location"] == "/participants/BJ02-001/"


def test_screening_at_a_site_the_user_may_not_screen_at_is_not_offered(cast, login):
    client = login(cast.coordinator)
    answer = client.post("/participants/screen/", {"site": "BJ02", "consent_date": "2026-03-02",
                                                     "sex": "male", "birth_date": "1970-05-10"})
    assert answer.status_code == 400
    assert b"BJ02 is not one of the available choices" in answer.content


@pytest.mark.parametrize("role", ["monitor", "data_manager", "pharmacist", "statistician"])
def test_roles_without_screening_are_refused(cast, login, role):
    client = login(getattr(cast, role))
    assert client.get("/participants/screen/").status_code == 403


def test_consent_in_the_future_is_refused_next_to_the_field_keeping_what_was_typed(cast, login):
    client = login(cast.coordinator)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    answer = client.post("/participants/screen/", {"site": "SH01", "consent_date": tomorrow,
                                                     "sex": "male", "birth_date": "1970-05-10"})
    assert answer.status_code == 400
    assert b'data-testid="error-consent_date"' in answer.content
    assert b"a date on or before today" in answer.content
    assert f'value="{tomorrow}"'.encode() in answer.content
    assert b'value="1970-05-10"' in answer.content
    from hipectrial.edc.participants.models import Participant

    assert not Participant.objects.exists()


def test_birth_on_or_after_consent_is_refused(cast, login):
    client = login(cast.coordinator)
    answer = client.post("/participants/screen/", {"site": "SH01", "consent_date": "2026-03-02",
                                                     "sex": "male", "birth_date": "2026-03-02"})
    assert answer.status_code == 400
    assert b'data-testid="error-birth_date"' in answer.content
    assert b"a date before the consent date" in answer.content


def test_the_list_offers_screening_and_links_each_participant(cast, login):
    screen(cast.coordinator, cast.site_a)
    page = login(cast.coordinator).get("/")
    assert b'href="/participants/screen/"' in page.content
    assert b'href="/participants/SH01-001/"' in page.content
