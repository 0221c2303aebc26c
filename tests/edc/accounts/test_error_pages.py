"""Errors reach the user as pages that say what happened, in their language, never a traceback."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from hipectrial.edc.participants.services import participant_screen

pytestmark = pytest.mark.urls("tests.edc.accounts.error_urls")

# A few words of the Simplified Chinese catalogue (the real one is made from the templates
# and code by makemessages): enough to see that each string goes through gettext.
CHINESE = {
    "Not allowed": "无权操作",
    "%(user)s may not %(action)s at site %(site)s": "%(user)s 无权在中心 %(site)s %(action)s",
    "view participant": "查看受试者",
    "This cannot be accepted": "无法接受",
    "%(field)s must be %(expected)s; got %(value)s": "%(field)s 应为 %(expected)s；实际为 %(value)s",
    "Changed by someone else": "已被他人修改",
    "Not found": "未找到",
    "There is no such %(thing)s.": "没有此%(thing)s。",
    "There is no page at this address.": "此地址没有页面。",
}


@pytest.fixture
def chinese(monkeypatch):
    from django.utils.translation import trans_real

    zh = trans_real.translation("zh-hans")
    real = zh.gettext
    monkeypatch.setattr(zh, "gettext", lambda message: CHINESE.get(message) or real(message))
    return CHINESE


@pytest.fixture
def site_b_participant(cast):
    return participant_screen(actor=cast.coordinator_b, site=cast.site_b, sex="female",
                              birth_date=dt.date(1958, 6, 1), consent_date=dt.date(2026, 3, 1),
                              protocol_version="1.0", now=dt.datetime(2026, 3, 2, tzinfo=dt.UTC))


def client_of(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def html_lang(page: str) -> str:
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def assert_no_traceback(page: str) -> None:
    assert "Traceback" not in page
    assert 'File "' not in page


def test_coordinator_refused_another_sites_participant_sees_a_403_naming_what_was_refused(
        cast, site_b_participant) -> None:
    response = client_of(cast.coordinator).get("/t/participant/BJ02-001/")
    page = response.content.decode()
    assert response.status_code == 403
    assert 'data-testid="error-heading">Not allowed<' in page
    assert "coord.a may not view participant at site BJ02" in page
    assert 'data-testid="username">coord.a<' in page  # a whole page, with the header
    assert_no_traceback(page)


def test_the_sites_own_coordinator_opens_the_same_participant(cast, site_b_participant) -> None:
    response = client_of(cast.coordinator_b).get("/t/participant/BJ02-001/")
    assert (response.status_code, response.content) == (200, b"BJ02-001")


def test_refusal_page_is_in_chinese_for_a_user_who_chose_chinese(cast, site_b_participant, chinese) -> None:
    cast.coordinator.language = "zh-hans"
    cast.coordinator.save()
    response = client_of(cast.coordinator).get("/t/participant/BJ02-001/")
    page = response.content.decode()
    assert response.status_code == 403
    assert html_lang(page) == "zh-hans"
    assert 'data-testid="error-heading">无权操作<' in page
    assert "coord.a 无权在中心 BJ02 查看受试者" in page


def test_a_django_permission_denied_is_the_same_403_page(cast) -> None:
    response = client_of(cast.coordinator).get("/t/django-refusal/")
    page = response.content.decode()
    assert response.status_code == 403
    assert 'data-testid="error-heading">Not allowed<' in page
    assert "You may not do this." in page


def test_input_error_is_a_400_naming_field_value_and_what_was_expected(cast) -> None:
    response = client_of(cast.coordinator).get("/t/bad-weight/")
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-heading">This cannot be accepted<' in page
    assert "weight_kg must be a number in (0, 400]; got -3.0" in page
    assert 'data-testid="error-hint">the weight in kilograms<' in page
    assert_no_traceback(page)


def test_an_input_error_without_a_phrase_is_said_in_chinese_by_a_general_sentence(cast, chinese) -> None:
    """An InputError without a phrase is not one a page should meet (a bug): a general
    Chinese sentence naming the field by its protocol label, the value, and the English of
    what was expected."""
    cast.coordinator.language = "zh-hans"
    cast.coordinator.save()
    page = client_of(cast.coordinator).get("/t/bad-weight/").content.decode()
    assert html_lang(page) == "zh-hans"
    assert ">无法接受<" in page
    assert "体重的值 -3.0 不被接受：a number in (0, 400]" in page
    assert "must be" not in page


def test_an_input_error_with_a_phrase_is_worded_in_chinese_from_its_code(cast) -> None:
    cast.coordinator.language = "zh-hans"
    cast.coordinator.save()
    response = client_of(cast.coordinator).get("/t/consent-in-the-future/")
    page = response.content.decode()
    assert response.status_code == 400
    assert "知情同意日期不能晚于今天（2026-03-02）；填写的是 2030-01-01" in page
    assert "must be" not in page
    assert 'data-testid="error-hint"' not in page  # its hint, if any, is in the sentence


def test_conflict_is_a_409_that_says_nothing_was_saved(cast) -> None:
    response = client_of(cast.coordinator).get("/t/conflict/")
    page = response.content.decode()
    assert response.status_code == 409
    assert 'data-testid="error-heading">Changed by someone else<' in page
    assert "was changed by coord.a (version 3) after version 2; nothing was saved" in page


def test_conflict_page_in_chinese(cast, chinese) -> None:
    cast.coordinator.language = "zh-hans"
    cast.coordinator.save()
    page = client_of(cast.coordinator).get("/t/conflict/").content.decode()
    assert 'data-testid="error-heading">已被他人修改<' in page


def test_a_participant_that_does_not_exist_is_a_404_naming_what_is_missing(cast) -> None:
    response = client_of(cast.coordinator).get("/t/participant/SH01-999/")
    page = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="error-heading">Not found<' in page
    assert "There is no such participant." in page
    assert_no_traceback(page)


def test_missing_participant_page_in_chinese(cast, chinese) -> None:
    cast.coordinator.language = "zh-hans"
    cast.coordinator.save()
    page = client_of(cast.coordinator).get("/t/participant/SH01-999/").content.decode()
    assert ">未找到<" in page
    assert "没有此受试者。" in page  # the model's name from the real catalogue (zh_Hans django.po)


def test_an_address_no_page_has_is_a_404_page(cast) -> None:
    response = client_of(cast.coordinator).get("/no/such/page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="error-heading">Not found<' in page
    assert "There is no page at this address." in page


def test_an_address_no_page_has_in_chinese(cast, chinese) -> None:
    cast.coordinator.language = "zh-hans"
    cast.coordinator.save()
    page = client_of(cast.coordinator).get("/no/such/page/").content.decode()
    assert html_lang(page) == "zh-hans"
    assert "此地址没有页面。" in page


def test_a_bug_is_a_plain_500_page_without_its_details(cast) -> None:
    response = client_of(cast.coordinator).get("/t/bug/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in page
    assert "internal detail" not in page
    assert_no_traceback(page)


def test_htmx_request_refused_gets_only_the_error_block_aimed_at_the_error_area(
        cast, site_b_participant) -> None:
    response = client_of(cast.coordinator).get(
        "/t/participant/BJ02-001/", headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/"})
    page = response.content.decode()
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#edc-error"
    assert response["HX-Reswap"] == "innerHTML"
    assert "<html" not in page
    assert page.lstrip().startswith('<section class="card error-page"')
    assert "coord.a may not view participant at site BJ02" in page


def test_every_page_has_the_area_htmx_errors_go_to_and_swaps_error_answers(cast) -> None:
    page = client_of(cast.coordinator).get("/").content.decode()
    assert '<div id="edc-error"' in page
    assert '{"code": "[45]..", "swap": true, "error": true}' in page


def test_a_refusal_is_logged(cast, site_b_participant, caplog) -> None:
    with caplog.at_level("WARNING", logger="hipectrial.edc.errors"):
        client_of(cast.coordinator).get("/t/participant/BJ02-001/")
    assert "refused GET /t/participant/BJ02-001/: coord.a may not view participant at site BJ02" in caplog.text
