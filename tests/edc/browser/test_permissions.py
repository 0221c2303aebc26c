"""A coordinator of another site is refused a participant: not in their list, and every page
of the participant answers 403 with the error page."""

from __future__ import annotations

from playwright.sync_api import expect


def test_a_coordinator_of_another_site_is_refused_the_participant(page, cast, participant, login, shot):
    pid = participant.participant_id  # SH01-001, at site A
    login(cast.coordinator_b)  # coordinator at site B only
    page.goto("/")
    expect(page.get_by_test_id("participant-list")).not_to_contain_text(pid)
    for url in (f"/participants/{pid}/", f"/participants/{pid}/visits/screening/1/",
                f"/participants/{pid}/visits/screening/1/vital_signs/", f"/audit/participant/{pid}/"):
        response = page.goto(url)
        assert response is not None
        assert response.status == 403, url
        expect(page.locator("[data-testid=error-page][data-status='403']")).to_be_visible()
        expect(page.get_by_test_id("error-message")).to_contain_text("coord.b")
        expect(page.locator("main")).not_to_contain_text("Vital signs")
    shot("refused")


def test_the_own_site_coordinator_opens_the_same_page(page, cast, participant, login, shot):
    login(cast.coordinator)
    response = page.goto(f"/participants/{participant.participant_id}/")
    assert response is not None
    assert response.status == 200
    expect(page.get_by_test_id("participant-id")).to_have_text(participant.participant_id)
