"""Each user reads the pages in the language they chose (English or Simplified Chinese),
on every page and in every later session."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.edc.conftest import PASSWORD


def html_lang(response) -> str:
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


def logged_in(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def switch(client: Client, language: str, next_page: str = "/"):
    return client.post("/accounts/language/", {"language": language, "next": next_page})


def test_pages_are_in_english_by_default(cast) -> None:
    response = logged_in("coord.a").get("/")
    assert html_lang(response) == "en"
    assert response["Content-Language"] == "en"


def test_switching_to_chinese_keeps_the_choice_and_goes_back_to_the_page(cast) -> None:
    from hipectrial.edc.accounts.models import User

    client = logged_in("coord.a")
    response = switch(client, "zh-hans", "/?page=2")
    assert (response.status_code, response["Location"]) == (302, "/?page=2")
    assert User.objects.get(username="coord.a").language == "zh-hans"
    page = client.get("/?page=2")
    assert html_lang(page) == "zh-hans"
    assert page["Content-Language"] == "zh-hans"
    # and the page after that too
    assert html_lang(client.get("/")) == "zh-hans"


def test_the_choice_holds_in_a_new_session_on_another_browser(cast) -> None:
    switch(logged_in("coord.a"), "zh-hans")
    assert html_lang(logged_in("coord.a").get("/")) == "zh-hans"


def test_the_choice_is_the_users_own_not_their_colleagues(cast) -> None:
    switch(logged_in("coord.a"), "zh-hans")
    assert html_lang(logged_in("inv.a").get("/")) == "en"


def test_the_users_choice_wins_over_the_browsers_language(cast) -> None:
    client = logged_in("coord.a")
    assert html_lang(client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})) == "en"


def test_a_visitor_not_logged_in_gets_the_browsers_language(cast) -> None:
    response = Client().get("/accounts/login/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert html_lang(response) == "zh-hans"


def test_switching_back_to_english(cast) -> None:
    client = logged_in("coord.a")
    switch(client, "zh-hans")
    switch(client, "en")
    assert html_lang(client.get("/")) == "en"


def test_the_login_page_after_logging_out_stays_in_the_chosen_language(cast) -> None:
    client = logged_in("coord.a")
    switch(client, "zh-hans")
    client.post("/accounts/logout/")
    assert html_lang(client.get("/accounts/login/")) == "zh-hans"


@pytest.mark.parametrize("elsewhere", [
    "//evil.example",
    "//evil.example/participants/",
    "https://evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http://testserver.evil.example/",
])
def test_next_naming_another_site_is_refused(cast, elsewhere) -> None:
    client = logged_in("coord.a")
    response = switch(client, "zh-hans", elsewhere)
    assert (response.status_code, response["Location"]) == (302, "/")


def test_an_unknown_language_is_refused_with_a_400_naming_the_field(cast) -> None:
    from hipectrial.edc.accounts.models import User

    client = logged_in("coord.a")
    response = switch(client, "fr")
    assert response.status_code == 400
    assert "language must be en or zh-hans; got &#x27;fr&#x27;" in response.content.decode()
    assert User.objects.get(username="coord.a").language == "en"


def test_the_language_is_changed_only_by_post(cast) -> None:
    response = logged_in("coord.a").get("/accounts/language/?language=zh-hans")
    assert response.status_code == 405


def test_a_visitor_not_logged_in_cannot_set_a_language(cast) -> None:
    response = Client().post("/accounts/language/", {"language": "zh-hans"})
    assert response["Location"].startswith("/accounts/login/")


def test_the_switch_on_every_page_offers_the_other_language_and_returns_to_this_page(cast) -> None:
    client = logged_in("coord.a")
    page = client.get("/?site=SH01").content.decode()
    assert 'data-testid="switch-language">简体中文<' in page
    assert 'name="next" value="/?site=SH01"' in page
    switch(client, "zh-hans")
    assert 'data-testid="switch-language">English<' in client.get("/").content.decode()


def test_middleware_order_lets_the_users_language_override_the_browsers() -> None:
    from django.conf import settings

    order = settings.MIDDLEWARE.index
    assert order("django.contrib.sessions.middleware.SessionMiddleware") < order(
        "django.middleware.locale.LocaleMiddleware")
    assert order("django.middleware.locale.LocaleMiddleware") < order(
        "hipectrial.edc.accounts.middleware.UserLanguageMiddleware")
    assert order("django.contrib.auth.middleware.AuthenticationMiddleware") < order(
        "hipectrial.edc.accounts.middleware.UserLanguageMiddleware")
    assert order("django_htmx.middleware.HtmxMiddleware") < order(
        "hipectrial.edc.accounts.middleware.HtmxLoginRedirectMiddleware")
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
