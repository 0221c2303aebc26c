"""Participants are read through selectors that show a user only the sites they may see."""

from __future__ import annotations

import datetime as dt

import pytest

from hipectrial.edc.participants.models import Participant
from hipectrial.edc.participants.selectors import participant_for, participants_for
from hipectrial.edc.participants.services import participant_screen
from hipectrial.errors import PermissionDenied

WHEN = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def screened(cast):
    """Two participants at site A (screened by its coordinator), one at site B."""

    def screen(actor, site, sex):
        return participant_screen(actor=actor, site=site, sex=sex, birth_date=dt.date(1961, 4, 9),
                                  consent_date=dt.date(2026, 3, 1), protocol_version="1.0", now=WHEN)

    a1 = screen(cast.coordinator, cast.site_a, "female")
    a2 = screen(cast.investigator, cast.site_a, "male")
    b1 = screen(cast.coordinator_b, cast.site_b, "male")
    return cast, (a1, a2, b1)


def ids(rows) -> list[str]:
    return [p.participant_id for p in rows]


def test_screened_participants_get_site_prefixed_numbers(screened) -> None:
    _, (a1, a2, b1) = screened
    assert ids([a1, a2, b1]) == ["SH01-001", "SH01-002", "BJ02-001"]


def test_coordinator_lists_only_their_sites_participants(screened) -> None:
    cast, _ = screened
    assert ids(participants_for(cast.coordinator)) == ["SH01-001", "SH01-002"]
    assert ids(participants_for(cast.coordinator_b)) == ["BJ02-001"]


def test_monitor_of_both_sites_lists_both_in_site_and_number_order(screened) -> None:
    cast, _ = screened
    assert ids(participants_for(cast.monitor)) == ["BJ02-001", "SH01-001", "SH01-002"]


def test_data_manager_lists_every_site(screened) -> None:
    cast, _ = screened
    assert ids(participants_for(cast.data_manager)) == ["BJ02-001", "SH01-001", "SH01-002"]


@pytest.mark.parametrize("who", ["statistician", "administrator", "outsider"])
def test_roles_without_view_participant_list_nobody(screened, who) -> None:
    cast, _ = screened
    assert ids(participants_for(getattr(cast, who))) == []


def test_inactive_coordinator_lists_nobody(screened) -> None:
    cast, _ = screened
    cast.coordinator.is_active = False
    assert ids(participants_for(cast.coordinator)) == []


def test_coordinator_opens_a_participant_of_their_site(screened) -> None:
    cast, _ = screened
    found = participant_for(cast.coordinator, "SH01-002")
    assert (found.participant_id, found.site.code, found.sex) == ("SH01-002", "SH01", "male")


def test_coordinator_of_site_b_is_refused_a_site_a_participant(screened) -> None:
    cast, _ = screened
    with pytest.raises(PermissionDenied, match=r"coord\.b may not view participant at site SH01"):
        participant_for(cast.coordinator_b, "SH01-001")


def test_monitor_opens_participants_of_both_sites(screened) -> None:
    cast, _ = screened
    assert participant_for(cast.monitor, "SH01-001").site.code == "SH01"
    assert participant_for(cast.monitor, "BJ02-001").site.code == "BJ02"


def test_an_unknown_participant_is_does_not_exist_not_a_refusal(screened) -> None:
    cast, _ = screened
    with pytest.raises(Participant.DoesNotExist):
        participant_for(cast.coordinator, "SH01-999")


def test_screening_at_another_site_is_refused(cast) -> None:
    with pytest.raises(PermissionDenied, match=r"coord\.a may not screen at site BJ02"):
        participant_screen(actor=cast.coordinator, site=cast.site_b, sex="male",
                           birth_date=dt.date(1961, 4, 9), consent_date=dt.date(2026, 3, 1),
                           protocol_version="1.0", now=WHEN)
    assert not Participant.objects.exists()
