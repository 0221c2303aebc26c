"""Security events are kept: log-ins, log-outs and failed log-ins (django-axes' logs), and the
creation of users and the granting of roles (the audit trail, with actor, action and record)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from tests.edc.conftest import PASSWORD

from hipectrial.edc.audit.models import AuditEntry
from hipectrial.edc.audit.selectors import changes_of, history, verify_chain

WHEN = dt.datetime(2026, 4, 1, 7, 30, tzinfo=dt.UTC)


def log_in(client: Client, username: str, password: str, address: str = "10.1.2.3"):
    return client.post("/accounts/login/", {"username": username, "password": password},
                       REMOTE_ADDR=address, headers={"User-Agent": "ward-pc-7"})


# --- log-ins (django-axes) ---------------------------------------------------------------------

def test_a_log_in_is_recorded_with_user_address_and_time_and_its_log_out_too(cast) -> None:
    from axes.models import AccessLog

    client = Client()
    log_in(client, "coord.a", PASSWORD)
    entry = AccessLog.objects.get(username="coord.a")
    assert (entry.ip_address, entry.user_agent, entry.path_info) == ("10.1.2.3", "ward-pc-7", "/accounts/login/")
    assert entry.attempt_time is not None
    assert entry.logout_time is None
    client.post("/accounts/logout/", REMOTE_ADDR="10.1.2.3", headers={"User-Agent": "ward-pc-7"})
    entry.refresh_from_db()
    assert entry.logout_time is not None
    assert entry.logout_time >= entry.attempt_time


def test_a_failed_log_in_is_recorded_without_the_password_typed(cast) -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    log_in(Client(), "coord.a", "Typed-Secret-Wrong-1")
    attempt = AccessAttempt.objects.get(username="coord.a")
    assert (attempt.ip_address, attempt.failures_since_start) == ("10.1.2.3", 1)
    assert "Typed-Secret-Wrong-1" not in attempt.post_data
    assert "password=" in attempt.post_data
    failure = AccessFailureLog.objects.get(username="coord.a")
    assert (failure.ip_address, failure.user_agent, failure.locked_out) == ("10.1.2.3", "ward-pc-7", False)
    assert not AccessLog.objects.filter(username="coord.a").exists()


def test_failed_log_ins_stay_on_record_after_a_success_resets_the_count(cast) -> None:
    from axes.models import AccessAttempt, AccessFailureLog

    client = Client()
    for _ in range(3):
        log_in(client, "coord.a", "wrong-password")
    log_in(client, "coord.a", PASSWORD)
    assert not AccessAttempt.objects.filter(username="coord.a").exists()  # the count was reset
    assert AccessFailureLog.objects.filter(username="coord.a").count() == 3


def test_the_failure_that_locks_is_recorded_as_locking(cast) -> None:
    from axes.models import AccessFailureLog

    client = Client()
    for _ in range(5):
        log_in(client, "coord.a", "wrong-password")
    flags = list(AccessFailureLog.objects.filter(username="coord.a").order_by("id")
                 .values_list("locked_out", flat=True))
    assert flags == [False, False, False, False, True]


def test_a_failed_log_in_with_an_unknown_name_is_recorded_under_that_name(cast) -> None:
    from axes.models import AccessFailureLog

    log_in(Client(), "admin2", "guess")
    assert AccessFailureLog.objects.filter(username="admin2", ip_address="10.1.2.3").count() == 1


# --- users and roles (the audit trail) ----------------------------------------------------------

@pytest.mark.django_db
def test_creating_a_user_writes_an_audit_entry_with_actor_action_and_record() -> None:
    from hipectrial.edc.accounts.services import user_create

    user_create(actor="cli:root", username="li.wei", password="long-enough-Passphrase-9",
                full_name="Li Wei", language="zh-hans", now=WHEN)
    [entry] = history(record_key="li.wei")
    assert (entry.actor, entry.action, entry.record_kind, entry.record_key) == (
        "cli:root", "create", "users", "li.wei")
    assert entry.at == "2026-04-01T07:30:00.000000+00:00"
    assert {(c.field, c.old, c.new) for c in changes_of(entry)} == {
        ("username", None, "li.wei"), ("full_name", None, "Li Wei"), ("language", None, "zh-hans")}
    assert "Passphrase" not in entry.changes
    assert verify_chain().ok


@pytest.mark.django_db
def test_a_refused_user_leaves_no_audit_entry() -> None:
    from hipectrial.edc.accounts.services import user_create
    from hipectrial.errors import InputError

    with pytest.raises(InputError):
        user_create(actor="cli:root", username="li.wei", password="short", now=WHEN)
    assert not AuditEntry.objects.exists()


def test_granting_a_role_at_a_site_writes_an_audit_entry_naming_user_role_and_site(cast) -> None:
    from hipectrial.edc.accounts.services import role_grant

    role_grant(actor="admin", user=cast.pharmacist, role="pharmacist", site=cast.site_b, now=WHEN)
    [entry] = history(record_key="pharm.a/pharmacist/BJ02")
    assert (entry.actor, entry.action, entry.record_kind, entry.site) == ("admin", "grant", "roles", "BJ02")
    assert {(c.field, c.old, c.new) for c in changes_of(entry)} == {
        ("role", None, "pharmacist"), ("site", None, "BJ02")}


def test_granting_a_role_at_every_site_is_recorded_as_every_site(cast) -> None:
    from hipectrial.edc.accounts.services import role_grant

    role_grant(actor="admin", user=cast.monitor, role="monitor", site=None, now=WHEN)
    [entry] = history(record_key="monitor.ab/monitor/*")
    assert entry.site == ""
    assert {(c.field, c.new) for c in changes_of(entry)} == {("role", "monitor"), ("site", "every site")}


def test_granting_a_role_already_held_writes_nothing(cast) -> None:
    from hipectrial.edc.accounts.services import role_grant

    before = AuditEntry.objects.count()
    role_grant(actor="admin", user=cast.coordinator, role="coordinator", site=cast.site_a, now=WHEN)
    assert AuditEntry.objects.count() == before


def test_a_refused_role_leaves_no_membership_and_no_audit_entry(cast) -> None:
    from hipectrial.edc.accounts.models import Membership
    from hipectrial.edc.accounts.services import role_grant
    from hipectrial.errors import InputError

    before = AuditEntry.objects.count()
    with pytest.raises(InputError) as refused:
        role_grant(actor="admin", user=cast.outsider, role="surgeon", site=cast.site_a, now=WHEN)
    assert refused.value.field == "role"
    with pytest.raises(InputError) as refused:
        role_grant(actor="admin", user=cast.outsider, role="coordinator", site=None, now=WHEN)
    assert refused.value.field == "site"
    assert not Membership.objects.filter(user=cast.outsider).exists()
    assert AuditEntry.objects.count() == before


def test_the_cast_has_one_entry_per_user_and_per_role_granted(cast) -> None:
    from hipectrial.edc.accounts.models import Membership, User

    created = AuditEntry.objects.filter(record_kind="users", action="create")
    assert sorted(created.values_list("record_key", flat=True)) == sorted(
        User.objects.values_list("username", flat=True))
    grants = sorted(AuditEntry.objects.filter(record_kind="roles", action="grant")
                    .values_list("record_key", flat=True))
    assert grants == sorted(f"{m.user.username}/{m.role}/{m.site.code if m.site else '*'}"
                            for m in Membership.objects.select_related("user", "site"))
    assert "monitor.ab/monitor/SH01" in grants
    assert "monitor.ab/monitor/BJ02" in grants
    assert set(AuditEntry.objects.filter(record_kind__in=["users", "roles"]).values_list("actor", flat=True)) == {
        "test"}
    assert verify_chain().ok
