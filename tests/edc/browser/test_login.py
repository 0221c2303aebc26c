"""Logging in, and the lock after repeated failures (5 per user and address, stack.md §4)."""

from __future__ import annotations

from playwright.sync_api import expect
from tests.edc.conftest import PASSWORD


def type_login(page, username: str, password: str) -> None:
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").click()


def test_a_coordinator_logs_in_and_sees_the_participant_list(page, cast, shot):
    page.goto("/")
    expect(page).to_have_url("/accounts/login/?next=/")
    shot("login-page")
    type_login(page, "coord.a", PASSWORD)
    expect(page.get_by_test_id("username")).to_have_text("coord.a")
    expect(page.get_by_test_id("participant-list")).to_be_visible()


def test_a_wrong_password_is_refused_and_the_name_kept(page, cast, shot):
    page.goto("/accounts/login/")
    type_login(page, "coord.a", "not-the-password")
    expect(page.get_by_test_id("login-error")).to_be_visible()
    expect(page.locator("input[name=username]")).to_have_value("coord.a")
    expect(page.get_by_test_id("username")).to_have_count(0)


def test_five_failed_logins_lock_the_account_even_for_the_right_password(page, cast, shot):
    page.goto("/accounts/login/")
    for _ in range(4):
        type_login(page, "coord.a", "not-the-password")
        expect(page.get_by_test_id("login-error")).to_be_visible()
    type_login(page, "coord.a", "not-the-password")
    expect(page.get_by_test_id("locked-out")).to_be_visible()
    expect(page.get_by_test_id("locked-out-message")).to_contain_text("Try again in 30 minutes.")
    shot("locked-after-five")
    page.goto("/accounts/login/")
    type_login(page, "coord.a", PASSWORD)
    expect(page.get_by_test_id("locked-out")).to_be_visible()
    expect(page.get_by_test_id("username")).to_have_count(0)
