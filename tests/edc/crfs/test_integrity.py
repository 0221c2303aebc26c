"""Two users editing one form, repeating forms, and who may see and save a CRF."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from tests.edc.crfs.conftest import form_url
from tests.edc.crfs.test_entry import VITALS, _post, _stored


def test_second_edit_from_the_same_version_gets_the_conflict_page_and_overwrites_nothing(
        cast, participant, client_for) -> None:
    pid = participant.participant_id
    url = form_url(pid, "screening", 1, "vital_signs")
    first, second = client_for(cast.coordinator), client_for(cast.investigator)
    assert _post(first, url, VITALS, action="draft").status_code == 302
    # both open version 1; the coordinator saves first
    assert _post(first, url, {**VITALS, "weight_kg": "71.0"}, version=1, visit_date=None).status_code == 302
    response = _post(second, url, {**VITALS, "weight_kg": "69.0"}, version=1, visit_date=None)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-testid="conflict"' in html
    weight_row = html.split('data-testid="conflict-weight_kg"')[1].split("</tr>")[0]
    assert '<td class="theirs">71.0</td>' in weight_row
    assert '<td class="mine">69.0</td>' in weight_row
    assert "coord.a" in html
    assert f'href="{url}"' in html  # reload
    row, values = _stored(pid, "screening#1/vital_signs")
    assert values["weight_kg"] == Decimal("71.0")
    assert row.version == 2
    assert row.changed_by == "coord.a"


def test_two_users_adding_the_same_new_record_the_second_gets_the_conflict(cast, participant, client_for) -> None:
    pid = participant.participant_id
    url = form_url(pid, "screening", 1, "vital_signs")
    assert _post(client_for(cast.coordinator), url, VITALS).status_code == 302
    response = _post(client_for(cast.investigator), url, {**VITALS, "weight_kg": "60.0"}, visit_date=None)
    assert response.status_code == 409
    _, values = _stored(pid, "screening#1/vital_signs")
    assert values["weight_kg"] == Decimal("70.0")


def test_repeating_form_adds_repeat_two(cast, participant, client_for) -> None:
    client = client_for(cast.coordinator)
    pid = participant.participant_id
    listing = form_url(pid, "adverse-event", 1, "adverse_events")
    page = client.get(listing).content.decode()
    first = form_url(pid, "adverse-event", 1, "adverse_events", 1)
    assert f'href="{first}" data-testid="add-another"' in page
    ae = {"ae_term": "Nausea", "ae_onset_date": "2026-01-10"}
    assert _post(client, first, ae).status_code == 302
    page = client.get(listing).content.decode()
    second = form_url(pid, "adverse-event", 1, "adverse_events", 2)
    assert f'href="{second}" data-testid="add-another"' in page
    assert _post(client, second, {**ae, "ae_term": "Fatigue"}, visit_date=None).status_code == 302
    _, one = _stored(pid, "adverse-event#1/adverse_events#1")
    _, two = _stored(pid, "adverse-event#1/adverse_events#2")
    assert (one["ae_term"], two["ae_term"]) == ("Nausea", "Fatigue")
    page = client.get(listing).content.decode()
    assert "Nausea" in page  # the list shows each record's first fields
    assert 'data-testid="repeat-1"' in page
    assert 'data-testid="repeat-2"' in page
    # a number past the next one is no record
    assert client.get(form_url(pid, "adverse-event", 1, "adverse_events", 4)).status_code == 404


def test_coordinator_of_another_site_gets_403(cast, participant, client_for) -> None:
    client = client_for(cast.coordinator_b)
    url = form_url(participant.participant_id, "screening", 1, "vital_signs")
    assert client.get(url).status_code == 403
    assert _post(client, url, VITALS).status_code == 403


def test_monitor_sees_the_form_read_only_and_cannot_post(cast, participant, client_for) -> None:
    from hipectrial.edc.crfs.models import Record

    client = client_for(cast.monitor)
    url = form_url(participant.participant_id, "screening", 1, "vital_signs")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="read-only"' in html
    assert 'data-testid="save-complete"' not in html
    assert _post(client, url, VITALS).status_code == 403
    assert not Record.objects.filter(participant=participant).exists()


def test_dosing_form_needs_enter_dosing(cast, participant, client_for) -> None:
    pid = participant.participant_id
    url = form_url(pid, "unscheduled", 1, "dosing", 1)
    dose = {"dose_agent": "oxaliplatin", "dose_cycle": "1"}
    assert _post(client_for(cast.coordinator), url, dose).status_code == 403
    assert _post(client_for(cast.investigator), url, dose).status_code == 302


def test_unknown_visit_form_or_participant_is_404(cast, participant, client_for) -> None:
    client = client_for(cast.coordinator)
    pid = participant.participant_id
    assert client.get(form_url(pid, "no-such-visit", 1, "vital_signs")).status_code == 404
    assert client.get(form_url(pid, "screening", 1, "dosing")).status_code == 404  # not a screening form
    assert client.get(form_url("SH01-999", "screening", 1, "vital_signs")).status_code == 404


def test_history_needs_view_audit_at_the_participants_site(cast, participant, client_for) -> None:
    pid = participant.participant_id
    url = form_url(pid, "screening", 1, "vital_signs")
    assert _post(client_for(cast.coordinator), url, VITALS).status_code == 302
    record = reverse("audit:record", args=[f"{pid}/screening#1/vital_signs"])
    everything = reverse("audit:participant", args=[pid])
    for user in (cast.monitor, cast.data_manager, cast.coordinator):
        client = client_for(user)
        assert client.get(record).status_code == 200
        assert client.get(everything).status_code == 200
    for user in (cast.coordinator_b, cast.pharmacist, cast.outsider):
        client = client_for(user)
        assert client.get(record).status_code == 403
        assert client.get(everything).status_code == 403
    html = client_for(cast.monitor).get(everything).content.decode()
    assert f"{pid}/screening#1/vital_signs" in html
    assert f"{pid}/screening#1<" in html


def test_deleting_a_record_needs_a_reason_keeps_its_history_and_its_number(cast, participant, client_for) -> None:
    from hipectrial.edc.crfs.models import Record

    client = client_for(cast.coordinator)
    pid = participant.participant_id
    ae = {"ae_term": "Nausea", "ae_onset_date": "2026-01-10"}
    for n, term in ((1, "Nausea"), (2, "Entered for the wrong participant")):
        url = form_url(pid, "adverse-event", 1, "adverse_events", n)
        assert _post(client, url, {**ae, "ae_term": term}, visit_date="2026-01-10" if n == 1 else None).status_code == 302
    delete = reverse("crfs:form_repeat_delete", args=[pid, "adverse-event", 1, "adverse_events", 2])
    # the monitor may not; without a reason, refused
    assert client_for(cast.monitor).post(delete, {"__version": "1", "__delete_reason": "x"}).status_code == 403
    response = client.post(delete, {"__version": "1", "__delete_reason": ""})
    assert response.status_code == 400
    assert 'data-testid="error-delete"' in response.content.decode()
    key = f"{pid}/adverse-event#1/adverse_events#2"
    assert Record.objects.filter(key=key).exists()
    response = client.post(delete, {"__version": "1", "__delete_reason": "entered for the wrong participant"})
    assert response.status_code == 302
    assert not Record.objects.filter(key=key).exists()
    history = client.get(reverse("audit:record", args=[key])).content.decode()
    assert 'data-action="delete"' in history
    assert "entered for the wrong participant" in history
    # the number is not given again: the next record is 3, and 2 is no new record
    page = client.get(form_url(pid, "adverse-event", 1, "adverse_events")).content.decode()
    assert f'href="{form_url(pid, "adverse-event", 1, "adverse_events", 3)}" data-testid="add-another"' in page
    assert client.get(form_url(pid, "adverse-event", 1, "adverse_events", 2)).status_code == 404
