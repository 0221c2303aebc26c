"""Screening and registration in the browser: a coordinator starts screening on the page, the
screening forms are entered through the services, and the participant page shows the
eligibility from the clinical engine; an eligible participant is registered (cohort and dose
level from the design), an ineligible one is refused with the reasons; the visit timeline;
another site's participant is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from tests.edc.participants.screening import BIRTH, CONSENT, SCREENING_DAY, enter_screening

REGISTER_ON = SCREENING_DAY + dt.timedelta(days=2)  # 2026-03-05


def screen_on_the_page(page, shot) -> str:
    page.goto("/")
    page.get_by_test_id("start-screening").click()
    form = page.get_by_test_id("screen-form")
    form.locator("[name=consent_date]").fill(CONSENT.isoformat())
    form.locator("[name=sex]").select_option("male")
    form.locator("[name=birth_date]").fill(BIRTH.isoformat())
    shot("screening-form")
    page.get_by_test_id("screen-submit").click()
    expect(page.get_by_test_id("participant-id")).to_have_text("SH01-001")
    expect(page.get_by_test_id("participant-status")).to_have_attribute("data-status", "screening")
    return "SH01-001"


def register_on_the_page(page) -> None:
    form = page.get_by_test_id("register-form")
    form.locator("[name=registration_date]").fill(REGISTER_ON.isoformat())
    form.locator("[name=eligibility_confirmed]").check()
    page.get_by_test_id("register-submit").click()


def participant(pid: str):
    from hipectrial.edc.participants.models import Participant

    return Participant.objects.get(participant_id=pid)


def test_an_eligible_participant_is_screened_and_registered(page, cast, login, shot):
    login(cast.coordinator)
    pid = screen_on_the_page(page, shot)
    enter_screening(cast.coordinator, participant(pid))
    page.reload()
    expect(page.get_by_test_id("eligibility-panel")).to_have_attribute("data-status", "eligible")
    expect(page.get_by_test_id("criterion-I07")).to_have_attribute("data-status", "met")  # ECOG 0-1
    expect(page.get_by_test_id("criterion-I17")).to_have_attribute("data-status", "not_applicable")
    shot("eligible")
    register_on_the_page(page)
    expect(page.get_by_test_id("participant-status")).to_have_attribute("data-status", "registered")
    expect(page.get_by_test_id("participant-id")).to_have_text("SH01-001")
    expect(page.get_by_test_id("registration-date")).to_have_text("2026-03-05")
    expect(page.get_by_test_id("cohort")).to_contain_text("HER2-negative")
    expect(page.get_by_test_id("dose-level")).to_contain_text("1")
    expect(page.get_by_test_id("eligibility-panel")).to_have_count(0)
    shot("registered")


def test_an_ineligible_participant_is_refused_with_the_reasons(page, cast, login, shot):
    login(cast.coordinator)
    pid = screen_on_the_page(page, shot)
    # ECOG 3: the protocol takes ECOG 0-1 only
    enter_screening(cast.coordinator, participant(pid), changes={"ecog_assessment": {"ecog": "3"}})
    page.reload()
    panel = page.get_by_test_id("eligibility-panel")
    expect(panel).to_have_attribute("data-status", "ineligible")
    not_met = panel.locator("[data-testid^=criterion-][data-status=not_met]")
    expect(not_met).to_have_count(1)
    expect(not_met).to_have_attribute("data-testid", "criterion-I07")
    expect(not_met).to_contain_text("ECOG performance status 0 or 1")
    register_on_the_page(page)
    refused = page.get_by_test_id("registration-refused")
    expect(refused).to_be_visible()
    expect(refused).to_contain_text("Inclusion criterion I07 not met: ECOG performance status 0 or 1")
    expect(page.get_by_test_id("participant-status")).to_have_attribute("data-status", "screening")
    shot("refused")
    assert participant(pid).registration_date is None


@pytest.fixture
def registered(cast):
    """SH01-001, eligible and registered on 2026-03-05, through the services."""
    from hipectrial.edc.participants.registration import participant_register
    from hipectrial.edc.participants.services import participant_screen
    from hipectrial.edc.protocol_source import protocol_version

    p = participant_screen(actor=cast.coordinator, site=cast.site_a, sex="male", birth_date=BIRTH,
                           consent_date=CONSENT, protocol_version=protocol_version(),
                           now=dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    enter_screening(cast.coordinator, p)
    p.refresh_from_db()
    return participant_register(actor=cast.investigator, participant=p, as_of=REGISTER_ON,
                                expected_version=p.version)


def test_the_participant_page_shows_the_visit_timeline(page, cast, registered, login, shot):
    login(cast.coordinator)
    page.goto("/")
    page.get_by_test_id("participant-link").filter(has_text="SH01-001").click()
    timeline = page.get_by_test_id("timeline")
    screening = timeline.get_by_test_id("visit-screening-1")
    expect(screening).to_have_attribute("data-state", "done")
    expect(screening.get_by_test_id("target")).to_have_text("2026-02-19")  # registration day -14
    expect(screening).to_contain_text("2026-03-03")
    expect(screening.get_by_test_id("form-vital_signs")).to_have_attribute("data-status", "complete")
    expect(timeline.get_by_test_id("visit-registration-1")).to_have_attribute("data-state", "done")
    # day 0 (window 2026-03-05 to 03-12) has passed with no HIPEC recorded
    day0 = timeline.get_by_test_id("visit-day0-laparoscopy-hipec-1")
    expect(day0.get_by_test_id("target")).to_have_text("2026-03-05")
    expect(day0).to_have_attribute("data-state", "missed")
    expect(day0.get_by_test_id("form-hipec_procedure")).to_have_attribute("data-status", "not_started")
    shot("timeline")

    page.get_by_test_id("switch-language").click()
    expect(timeline.get_by_test_id("visit-registration-1")).to_contain_text("入组登记")
    expect(day0.get_by_test_id("state")).to_have_text("已错过")
    shot("timeline-zh")

    day0.get_by_test_id("form-hipec_procedure").get_by_role("link").click()
    expect(page.get_by_test_id("participant-id")).to_have_text("SH01-001")
    expect(page.get_by_test_id("record-status")).to_contain_text("尚未录入")
