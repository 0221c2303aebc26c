"""The permission table, role by role and action by action, at the user's own site, at a
site where they hold no role, and trial-wide (no site).

The expected table below is written out by hand from what the trial team agreed (issue 12:
clinical writes belong to the site team; a monitor reads across the sites they are assigned
to and never writes clinical data; the trial-wide roles work at every site). It is not
computed from ``roles.PERMISSIONS``: a change there that this table does not share fails here.
"""

from __future__ import annotations

import datetime as dt

import pytest

from hipectrial.edc.accounts.permissions import allowed, check, sites_for
from hipectrial.edc.accounts.roles import Action, Role
from hipectrial.errors import PermissionDenied

# Each cell is three letters: may the user do the action at their own site, at another site
# (where they hold no role), trial-wide (no site)?  Y = yes, N = no.
#
#                     investigator coordinator pharmacist monitor data_manager statistician administrator coordinator_b
EXPECTED_TABLE = """
view_participant      YNN          YNN         YNN        YNN     YYY          NNN          NNN           YNN
screen                YNN          YNN         NNN        NNN     NNN          NNN          NNN           YNN
register              YNN          YNN         NNN        NNN     NNN          NNN          NNN           YNN
enter_data            YNN          YNN         NNN        NNN     NNN          NNN          NNN           YNN
enter_dosing          YNN          NNN         YNN        NNN     NNN          NNN          NNN           NNN
delete_data           YNN          YNN         NNN        NNN     NNN          NNN          NNN           YNN
end_participation     YNN          YNN         NNN        NNN     NNN          NNN          NNN           YNN
view_audit            YNN          YNN         NNN        YNN     YYY          NNN          YYY           YNN
snapshot              NNN          NNN         NNN        NNN     YYY          YYY          NNN           NNN
import_data           NNN          NNN         NNN        NNN     NNN          NNN          YYY           NNN
manage_users          NNN          NNN         NNN        NNN     NNN          NNN          YYY           NNN
manage_sites          NNN          NNN         NNN        NNN     NNN          NNN          YYY           NNN
"""
USERS = ["investigator", "coordinator", "pharmacist", "monitor", "data_manager", "statistician",
         "administrator", "coordinator_b"]
# Where each user works ("own") and a site where they hold no role of their own ("other"):
# site C is added after the roles were given, so the every-site roles must reach it too, and
# the monitor (assigned to A and B) must not.
OWN_AND_OTHER = {
    "investigator": ("site_a", "site_b"),
    "coordinator": ("site_a", "site_b"),
    "pharmacist": ("site_a", "site_b"),
    "monitor": ("site_a", "site_c"),
    "data_manager": ("site_a", "site_c"),
    "statistician": ("site_a", "site_c"),
    "administrator": ("site_a", "site_c"),
    "coordinator_b": ("site_b", "site_a"),
}
CLINICAL_WRITES = [Action.ENTER_DATA, Action.SCREEN, Action.REGISTER, Action.DELETE_DATA,
                   Action.END_PARTICIPATION, Action.ENTER_DOSING]


def _cases() -> list[tuple[str, str, str, bool]]:
    cases = []
    for line in EXPECTED_TABLE.strip().splitlines():
        action, *cells = line.split()
        assert len(cells) == len(USERS), line
        for user, cell in zip(USERS, cells, strict=True):
            for where, letter in zip(("own site", "other site", "trial-wide"), cell, strict=True):
                cases.append((user, action, where, letter == "Y"))
    return cases


CASES = _cases()


def test_the_expected_table_covers_every_action_and_every_role() -> None:
    assert {action for _, action, _, _ in CASES} == {a.value for a in Action}
    # every role appears among the users of the table, each with all three places
    assert len(CASES) == len(Action) * len(USERS) * 3
    assert {r.value for r in Role} <= set(USERS)


@pytest.fixture
def people(cast):
    from hipectrial.edc.sites.services import site_add

    site_c = site_add(actor="test", code="GZ03", name="Guangzhou Hospital", country="CN",
                      now=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    places = {"site_a": cast.site_a, "site_b": cast.site_b, "site_c": site_c}
    return cast, places


@pytest.mark.parametrize("user", USERS)
def test_each_role_may_do_each_action_only_where_the_table_says(people, user) -> None:
    cast, places = people
    own, other = OWN_AND_OTHER[user]
    person = getattr(cast, user)
    sites = {"own site": places[own], "other site": places[other], "trial-wide": None}
    expected = {(action, where): ok for u, action, where, ok in CASES if u == user}
    actual = {(action, where): allowed(person, Action(action), sites[where]) for action, where in expected}
    assert actual == expected
    for (action, where), ok in expected.items():
        if ok:
            check(person, Action(action), sites[where])
        else:
            with pytest.raises(PermissionDenied, match=f"{person.username} may not"):
                check(person, Action(action), sites[where])


@pytest.mark.parametrize("action", list(Action))
def test_an_inactive_user_may_do_nothing_even_where_their_role_holds(cast, action) -> None:
    cast.investigator.is_active = False
    cast.investigator.save()
    cast.data_manager.is_active = False
    cast.data_manager.save()
    cast.administrator.is_active = False
    cast.administrator.save()
    for person in (cast.investigator, cast.data_manager, cast.administrator):
        for site in (cast.site_a, cast.site_b, None):
            assert not allowed(person, action, site)


def test_an_inactive_user_loaded_afresh_may_do_nothing(cast) -> None:
    from hipectrial.edc.accounts.models import User

    User.objects.filter(pk=cast.coordinator.pk).update(is_active=False)
    fresh = User.objects.get(pk=cast.coordinator.pk)
    assert not allowed(fresh, Action.VIEW_PARTICIPANT, cast.site_a)
    with pytest.raises(PermissionDenied, match=r"coord\.a may not view participant at site SH01"):
        check(fresh, Action.VIEW_PARTICIPANT, cast.site_a)


@pytest.mark.parametrize("action", list(Action))
def test_an_outsider_with_no_role_may_do_nothing_anywhere(cast, action) -> None:
    for site in (cast.site_a, cast.site_b, None):
        assert not allowed(cast.outsider, action, site)


@pytest.mark.parametrize("action", list(Action))
def test_an_anonymous_visitor_may_do_nothing(cast, action) -> None:
    from django.contrib.auth.models import AnonymousUser

    for who in (AnonymousUser(), None):
        assert not allowed(who, action, cast.site_a)
        assert not allowed(who, action, None)
    with pytest.raises(PermissionDenied, match="an anonymous user may not"):
        check(AnonymousUser(), action, cast.site_a)


def test_monitor_of_two_sites_reads_both(cast) -> None:
    for site in (cast.site_a, cast.site_b):
        assert allowed(cast.monitor, Action.VIEW_PARTICIPANT, site)
        assert allowed(cast.monitor, Action.VIEW_AUDIT, site)
    assert sites_for(cast.monitor, Action.VIEW_PARTICIPANT, [cast.site_a, cast.site_b]) == [
        cast.site_a, cast.site_b]


@pytest.mark.parametrize("action", CLINICAL_WRITES)
def test_monitor_never_writes_clinical_data_at_any_site(cast, action) -> None:
    for site in (cast.site_a, cast.site_b, None):
        assert not allowed(cast.monitor, action, site)
        with pytest.raises(PermissionDenied, match=r"monitor\.ab may not"):
            check(cast.monitor, action, site)


def test_coordinator_of_site_b_cannot_see_site_a(cast) -> None:
    assert not allowed(cast.coordinator_b, Action.VIEW_PARTICIPANT, cast.site_a)
    assert sites_for(cast.coordinator_b, Action.VIEW_PARTICIPANT, [cast.site_a, cast.site_b]) == [cast.site_b]
    with pytest.raises(PermissionDenied, match=r"coord\.b may not view participant at site SH01"):
        check(cast.coordinator_b, Action.VIEW_PARTICIPANT, cast.site_a)


def test_a_site_may_be_named_by_its_primary_key(cast) -> None:
    assert allowed(cast.coordinator, Action.ENTER_DATA, cast.site_a.pk)
    assert not allowed(cast.coordinator, Action.ENTER_DATA, cast.site_b.pk)


def test_every_action_has_words_for_a_refusal(cast) -> None:
    from hipectrial.edc.accounts.permissions import ACTION_WORDS

    assert set(ACTION_WORDS) == set(Action)
    assert str(ACTION_WORDS[Action.VIEW_PARTICIPANT]) == "view participant"


def test_a_trial_wide_refusal_names_no_site(cast) -> None:
    with pytest.raises(PermissionDenied, match=r"^stat may not import data$"):
        check(cast.statistician, Action.IMPORT_DATA)
