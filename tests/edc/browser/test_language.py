"""Switching the pages to Simplified Chinese, and back; the choice is the user's."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect


def test_a_coordinator_switches_to_chinese_and_the_choice_is_kept(page, cast, login, shot):
    login(cast.coordinator)
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Participants")
    page.get_by_test_id("switch-language").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("受试者")
    expect(page.get_by_test_id("participant-list")).to_contain_text("剂量水平")
    shot("chinese")
    cast.coordinator.refresh_from_db()
    assert cast.coordinator.language == "zh-hans"
    page.goto("/")  # a new page, still Chinese: the language is stored with the user
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.get_by_test_id("switch-language").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Participants")


@pytest.mark.browser_context_args(locale="zh-CN")
def test_a_browser_asking_for_chinese_gets_the_log_in_page_in_chinese(page, shot):
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("登录")
    shot("log-in-zh-CN")
