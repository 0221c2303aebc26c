"""Logging in: Argon2 passwords, lockout per user name and address after 5 failures for 30
minutes (django-axes), and a sliding 30-minute idle session."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from tests.edc.conftest import PASSWORD

LOGIN = "/accounts/login/"
ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"


def log_in(client: Client, username: str, password: str, address: str = "10.1.2.3"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in_as(client: Client) -> str | None:
    from hipectrial.edc.accounts.models import User

    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).username if user_id else None


def age_attempts(minutes: float) -> None:
    """Move every recorded failure ``minutes`` into the past (as if that much time had gone by)."""
    from axes.models import AccessAttempt

    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= dt.timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])


# --- passwords -------------------------------------------------------------------------------

def test_production_settings_hash_passwords_with_argon2_first() -> None:
    import hipectrial.edc.settings as production

    assert production.PASSWORD_HASHERS[0] == ARGON2


def test_test_settings_use_a_fast_hasher_instead() -> None:
    from django.conf import settings

    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db
def test_user_create_stores_an_argon2id_hash_when_argon2_is_the_hasher() -> None:
    from hipectrial.edc.accounts.services import user_create

    with override_settings(PASSWORD_HASHERS=[ARGON2]):
        user = user_create(actor="test", username="new.user", password="a-long-Passphrase-2026")
        assert user.password.startswith("argon2$argon2id$")
        assert "a-long-Passphrase-2026" not in user.password
        assert user.check_password("a-long-Passphrase-2026")
        assert not user.check_password("a-long-Passphrase-2025")


@pytest.mark.django_db
@pytest.mark.parametrize(("password", "phrase"), [
    ("short1!", "too short"),
    ("password123", "too common"),
    ("4815162342", "entirely numeric"),
    ("new.user.account", "too similar"),
])
def test_user_create_refuses_a_weak_password_naming_the_field(password, phrase) -> None:
    from hipectrial.edc.accounts.models import User
    from hipectrial.edc.accounts.services import user_create
    from hipectrial.errors import InputError

    with pytest.raises(InputError) as refused:
        user_create(actor="test", username="new.user.account", password=password)
    assert refused.value.field == "password"
    assert phrase in str(refused.value)
    assert password not in str(refused.value)
    assert not User.objects.filter(username="new.user.account").exists()


# --- the login page --------------------------------------------------------------------------

def test_the_right_password_logs_in_and_goes_to_the_participants(cast) -> None:
    client = Client()
    response = log_in(client, "coord.a", PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert logged_in_as(client) == "coord.a"


def test_log_in_goes_back_to_the_page_asked_for_but_not_to_another_site(cast) -> None:
    client = Client()
    response = client.post(LOGIN, {"username": "coord.a", "password": PASSWORD, "next": "/audit/"})
    assert response["Location"] == "/audit/"
    client = Client()
    response = client.post(LOGIN, {"username": "coord.a", "password": PASSWORD, "next": "//evil.example/"})
    assert response["Location"] == "/"


def test_a_wrong_password_shows_the_form_again_with_an_error_and_the_name_kept(cast) -> None:
    client = Client()
    response = log_in(client, "coord.a", "not-the-password")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="login-error"' in page
    assert 'value="coord.a"' in page
    assert logged_in_as(client) is None


def test_an_inactive_user_cannot_log_in(cast) -> None:
    cast.coordinator.is_active = False
    cast.coordinator.save()
    client = Client()
    response = log_in(client, "coord.a", PASSWORD)
    assert response.status_code == 200
    assert logged_in_as(client) is None


def test_logging_out_ends_the_session(cast) -> None:
    client = Client()
    log_in(client, "coord.a", PASSWORD)
    response = client.post("/accounts/logout/")
    assert response["Location"] == LOGIN
    assert logged_in_as(client) is None
    assert client.get("/")["Location"] == "/accounts/login/?next=/"


# --- lockout ---------------------------------------------------------------------------------

def test_lockout_settings_suit_a_hospital() -> None:
    from django.conf import settings

    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_COOLOFF_TIME == 0.5
    assert settings.AXES_RESET_ON_SUCCESS is True
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_four_wrong_passwords_do_not_lock(cast) -> None:
    client = Client()
    for _ in range(4):
        assert log_in(client, "coord.a", "wrong-password").status_code == 200
    assert log_in(client, "coord.a", PASSWORD).status_code == 302
    assert logged_in_as(client) == "coord.a"


def test_the_fifth_wrong_password_locks_and_the_sixth_attempt_is_refused_even_with_the_right_password(
        cast) -> None:
    client = Client()
    for _ in range(4):
        assert log_in(client, "coord.a", "wrong-password").status_code == 200
    fifth = log_in(client, "coord.a", "wrong-password")
    assert fifth.status_code == 429
    assert 'data-testid="locked-out"' in fifth.content.decode()
    sixth = log_in(client, "coord.a", PASSWORD)
    page = sixth.content.decode()
    assert sixth.status_code == 429
    assert 'data-testid="locked-out"' in page
    assert "Try again in 30 minutes." in page
    assert logged_in_as(client) is None


def lock(username: str, address: str = "10.1.2.3") -> None:
    client = Client()
    for _ in range(5):
        log_in(client, username, "wrong-password", address)


def test_another_user_from_the_same_address_is_not_locked(cast) -> None:
    lock("coord.a")
    client = Client()
    assert log_in(client, "inv.a", PASSWORD).status_code == 302
    assert logged_in_as(client) == "inv.a"


def test_the_same_user_from_another_address_is_not_locked(cast) -> None:
    lock("coord.a", "10.1.2.3")
    client = Client()
    assert log_in(client, "coord.a", PASSWORD, "10.9.9.9").status_code == 302
    assert logged_in_as(client) == "coord.a"
    assert log_in(Client(), "coord.a", PASSWORD, "10.1.2.3").status_code == 429


def test_a_name_nobody_has_is_locked_too_so_lockout_does_not_reveal_who_exists(cast) -> None:
    lock("no.such.user")
    assert log_in(Client(), "no.such.user", "anything-at-all").status_code == 429


def test_still_locked_29_minutes_after_the_last_attempt(cast) -> None:
    lock("coord.a")
    age_attempts(29)
    client = Client()
    assert log_in(client, "coord.a", PASSWORD).status_code == 429
    assert logged_in_as(client) is None


def test_the_lock_lifts_30_minutes_after_the_last_attempt(cast) -> None:
    lock("coord.a")
    age_attempts(30.5)
    client = Client()
    assert log_in(client, "coord.a", PASSWORD).status_code == 302
    assert logged_in_as(client) == "coord.a"


@override_settings(AXES_COOLOFF_TIME=dt.timedelta(seconds=0))
def test_with_no_cool_off_left_the_user_logs_in(cast) -> None:
    lock("coord.a")
    client = Client()
    assert log_in(client, "coord.a", PASSWORD).status_code == 302


def test_a_successful_log_in_resets_the_count_of_failures(cast) -> None:
    from axes.models import AccessAttempt

    client = Client()
    for _ in range(4):
        log_in(client, "coord.a", "wrong-password")
    assert log_in(client, "coord.a", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="coord.a").exists()
    client = Client()
    for _ in range(4):
        assert log_in(client, "coord.a", "wrong-password").status_code == 200
    # 8 failures in all, but only 4 since the success: not locked
    assert log_in(client, "coord.a", PASSWORD).status_code == 302


def test_the_login_view_passes_the_request_to_authenticate(cast) -> None:
    """axes refuses authenticate() without a request (AxesBackendRequestParameterRequired)."""
    from axes.exceptions import AxesBackendRequestParameterRequired
    from django.contrib.auth import authenticate

    with pytest.raises(AxesBackendRequestParameterRequired):
        authenticate(username="coord.a", password=PASSWORD)
    assert log_in(Client(), "coord.a", PASSWORD).status_code == 302


# --- sessions --------------------------------------------------------------------------------

def test_session_settings_give_a_sliding_30_minute_idle_timeout() -> None:
    from django.conf import settings

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def session_row(client: Client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key)


def test_each_request_moves_the_session_end_30_minutes_ahead(cast) -> None:
    client = Client()
    log_in(client, "coord.a", PASSWORD)
    row = session_row(client)
    row.expire_date = timezone.now() + dt.timedelta(minutes=1)  # idle for 29 minutes
    row.save()
    assert client.get("/").status_code == 200
    left = session_row(client).expire_date - timezone.now()
    assert dt.timedelta(minutes=29) < left <= dt.timedelta(minutes=30)


def test_a_session_idle_for_30_minutes_sends_the_user_to_log_in(cast) -> None:
    client = Client()
    log_in(client, "coord.a", PASSWORD)
    row = session_row(client)
    row.expire_date = timezone.now() - dt.timedelta(seconds=1)
    row.save()
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/")


def test_an_htmx_request_with_an_expired_session_is_sent_to_the_login_page_as_a_whole_page(cast) -> None:
    client = Client()
    log_in(client, "coord.a", PASSWORD)
    row = session_row(client)
    row.expire_date = timezone.now() - dt.timedelta(seconds=1)
    row.save()
    response = client.get("/", headers={"HX-Request": "true",
                                        "HX-Current-URL": "http://testserver/participants/SH01-001/"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fparticipants%2FSH01-001%2F"
    assert "Location" not in response
    assert b"<form" not in response.content  # no login form to be swapped into a fragment


def test_an_htmx_request_from_a_page_of_another_host_goes_back_to_the_start(cast) -> None:
    response = Client().get("/", headers={"HX-Request": "true", "HX-Current-URL": "http://evil.example/x"})
    assert response["HX-Redirect"] == "/accounts/login/?next=%2F"


def test_an_htmx_request_with_a_live_session_is_answered_normally(cast) -> None:
    client = Client()
    log_in(client, "coord.a", PASSWORD)
    response = client.get("/", headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/"})
    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert b'data-testid="participant-list"' in response.content


def test_an_ordinary_request_with_an_expired_session_is_an_ordinary_redirect(cast) -> None:
    response = Client().get("/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/")
    assert "HX-Redirect" not in response
