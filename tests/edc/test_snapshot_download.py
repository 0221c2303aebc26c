"""The statistician's download (``/snapshot.json``): the trial's data as a TrialData file,
for the trial-wide SNAPSHOT permission only, audited as an export."""

from __future__ import annotations

import datetime as dt
import json

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def screened(cast):
    from hipectrial.edc.participants.services import participant_screen

    for site in (cast.site_a, cast.site_b):
        participant_screen(actor=cast.investigator if site == cast.site_a else cast.coordinator_b, site=site,
                           sex="male", birth_date=dt.date(1958, 3, 3), consent_date=dt.date(2026, 1, 5),
                           protocol_version="1.0")
    return cast


def _get(client, user):
    client.force_login(user)
    return client.get("/snapshot.json")


def test_the_statistician_downloads_every_sites_data_as_a_file(client, screened) -> None:
    from hipectrial.data import TrialData

    response = _get(client, screened.statistician)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="HIPEC-PD1-SOX-')
    assert disposition.endswith('.json"')
    trial = TrialData.from_json(response.content.decode("utf-8"))
    assert [p.id for p in trial.participants] == ["SH01-001", "BJ02-001"]
    assert [s.id for s in trial.sites] == ["SH01", "BJ02"]


def test_a_download_is_audited_as_an_export(client, screened) -> None:
    from hipectrial.edc.audit.models import AuditEntry
    from hipectrial.edc.audit.selectors import verify_chain

    _get(client, screened.statistician)
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == "stat"
    changes = json.loads(entry.changes)
    assert changes["participants"] == [None, 2]
    assert changes["file"][1].startswith("download HIPEC-PD1-SOX-")
    assert verify_chain().ok


def test_the_data_manager_may_download_too(client, screened) -> None:
    assert _get(client, screened.data_manager).status_code == 200


@pytest.mark.parametrize("who", ["coordinator", "investigator", "monitor", "administrator", "outsider"])
def test_others_are_refused_and_nothing_is_audited(client, screened, who) -> None:
    from hipectrial.edc.audit.models import AuditEntry

    response = _get(client, getattr(screened, who))
    assert response.status_code == 403
    assert "Content-Disposition" not in response
    assert b'"participants"' not in response.content
    assert b"may not snapshot" in response.content  # the 403 page names what was refused
    assert not AuditEntry.objects.filter(action="export").exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, screened) -> None:
    response = client.get("/snapshot.json")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
