"""Entering a CRF: the core's checks refuse a save and keep what was typed; drafts, completion,
reasons for change, the visit date, show_if branching and derived values."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

import pytest
from tests.edc.crfs.conftest import form_url, live_url

VITALS = {"vs_date": "2026-01-06", "height_cm": "170.0", "weight_kg": "70.0", "systolic_bp": "120",
          "diastolic_bp": "80", "heart_rate": "70"}


def _post(client, url, values, *, action="draft", version=0, visit_date="2026-01-06", reason=None):
    data = {**values, "__action": action, "__version": str(version)}
    if visit_date is not None:
        data["__visit_date"] = visit_date
    if reason is not None:
        data["__reason"] = reason
    return client.post(url, data)


def _stored(pid, key_tail):
    from hipectrial.edc.crfs.models import Record
    from hipectrial.edc.crfs.selectors import form_of

    row = Record.objects.get(key=f"{pid}/{key_tail}")
    return row, dict(form_of(row).values)


def _input_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match is not None, name
    return match.group(1)


def test_decimal_at_the_protocol_maximum_is_saved(cast, participant, client_for) -> None:
    client = client_for(cast.coordinator)
    pid = participant.participant_id
    response = _post(client, form_url(pid, "screening", 1, "vital_signs"), {**VITALS, "height_cm": "230.0"})
    assert response.status_code == 302
    _, values = _stored(pid, "screening#1/vital_signs")
    assert values["height_cm"] == Decimal("230.0")


def test_decimal_just_above_the_maximum_is_refused_with_the_core_message_and_kept(
        cast, participant, client_for) -> None:
    from hipectrial.edc.crfs.models import Record

    client = client_for(cast.coordinator)
    pid = participant.participant_id
    response = _post(client, form_url(pid, "screening", 1, "vital_signs"), {**VITALS, "height_cm": "230.1"})
    assert response.status_code == 400
    html = response.content.decode()
    # the core's message (hipectrial.data.form_check.range_problem), beside the field
    assert 'data-testid="error-height_cm"' in html
    assert "height_cm = 230.1 cm is outside the range the protocol allows, [100, 230] cm" in html
    assert _input_value(html, "height_cm") == "230.1"
    assert _input_value(html, "weight_kg") == "70.0"  # everything typed is kept
    assert _input_value(html, "__visit_date") == "2026-01-06"
    assert not Record.objects.filter(participant=participant).exists()  # nor the visit


def test_a_value_that_is_not_a_number_is_refused_and_kept(cast, participant, client_for) -> None:
    from hipectrial.edc.crfs.models import Record

    client = client_for(cast.coordinator)
    pid = participant.participant_id
    response = _post(client, form_url(pid, "screening", 1, "vital_signs"), {**VITALS, "weight_kg": "70,5"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "weight_kg must be a number in kg" in html
    assert "use a point for decimals" in html
    assert _input_value(html, "weight_kg") == "70,5"
    assert not Record.objects.filter(participant=participant).exists()


def test_edit_check_message_is_shown_at_the_top_and_beside_its_fields(cast, participant, client_for) -> None:
    client = client_for(cast.coordinator)
    pid = participant.participant_id
    response = _post(client, form_url(pid, "screening", 1, "vital_signs"),
                     {**VITALS, "systolic_bp": "90", "diastolic_bp": "95"})
    assert response.status_code == 400
    html = response.content.decode()
    top = html.split('data-testid="form-messages"')[1].split("</ul>")[0]
    assert "Diastolic pressure must be lower than systolic pressure." in top
    assert 'data-testid="error-systolic_bp"' in html
    assert 'data-testid="error-diastolic_bp"' in html


def test_first_form_of_a_visit_needs_the_visit_date_and_creates_the_visit_with_it(
        cast, participant, client_for) -> None:
    from hipectrial.edc.crfs.models import Record

    client = client_for(cast.coordinator)
    pid = participant.participant_id
    url = form_url(pid, "screening", 1, "vital_signs")
    response = _post(client, url, VITALS, visit_date="")
    assert response.status_code == 400
    assert 'data-testid="error-visit_date"' in response.content.decode()
    assert not Record.objects.filter(participant=participant).exists()
    assert _post(client, url, VITALS, visit_date="2026-01-06").status_code == 302
    from hipectrial.edc.crfs.selectors import visit_of

    visit = visit_of(Record.objects.get(key=f"{pid}/screening#1"))
    assert visit.actual_date == dt.date(2026, 1, 6)
    # the second form of the visit asks no date
    page = client.get(form_url(pid, "screening", 1, "ecog_assessment")).content.decode()
    assert "__visit_date" not in page


def test_form_and_new_visit_are_saved_together_or_not_at_all(cast, participant) -> None:
    from hipectrial.data.records import FormRecord
    from hipectrial.edc.audit.models import AuditEntry
    from hipectrial.edc.crfs.models import Record
    from hipectrial.edc.crfs.services import form_save
    from hipectrial.errors import PermissionDenied

    before = AuditEntry.objects.count()
    record = FormRecord(participant_id=participant.participant_id, form_id="dosing", visit_id="induction-cycle",
                        visit_repeat=1, repeat=1, values={"dose_cycle": 1})
    # a coordinator may create the visit but not the dosing record: neither is kept
    with pytest.raises(PermissionDenied, match="enter dosing"):
        form_save(actor=cast.coordinator, participant=participant, record=record, status="draft",
                  expected_version=0, reason=None, visit_date=dt.date(2026, 1, 20), protocol_version="test")
    assert not Record.objects.filter(participant=participant).exists()
    assert AuditEntry.objects.count() == before
    form_save(actor=cast.investigator, participant=participant, record=record, status="draft",
              expected_version=0, reason=None, visit_date=dt.date(2026, 1, 20), protocol_version="test")
    assert sorted(Record.objects.values_list("kind", flat=True)) == ["form_records", "visits"]
    assert AuditEntry.objects.count() == before + 2


def test_show_if_hides_a_field_and_its_required_rule(cast, participant, client_for) -> None:
    client = client_for(cast.coordinator)
    pid = participant.participant_id
    url = form_url(pid, "screening", 1, "biomarkers")
    base = {"her2_specimen": "biopsy", "mmr_status": "pmmr"}
    # IHC 2+: the ISH ratio is shown and required; completing without it is refused
    response = _post(client, url, {**base, "her2_ihc": "ihc2plus", "her2_ish_ratio": ""}, action="complete")
    assert response.status_code == 400
    assert 'data-testid="error-her2_ish_ratio"' in response.content.decode()
    # IHC 3+: hidden, not required, and a value typed into it is not saved
    response = _post(client, url, {**base, "her2_ihc": "ihc3plus", "her2_ish_ratio": "2.50"}, action="complete")
    assert response.status_code == 302
    row, values = _stored(pid, "screening#1/biomarkers")
    assert row.status == "complete"
    assert "her2_ish_ratio" not in values
    assert values["her2_ihc"] == "ihc3plus"


def test_live_branching_answers_which_fields_are_hidden(cast, participant, client_for) -> None:
    client = client_for(cast.coordinator)
    url = live_url(participant.participant_id, "screening", 1, "biomarkers")

    def hidden(values):
        html = client.post(url, values, HTTP_HX_REQUEST="true").content.decode()
        assert "<html" not in html  # a partial, not the page
        block = html.split('data-testid="hidden-fields">')[1].split("</ul>")[0]
        return set(re.findall(r"<li>([a-z0-9_]+)</li>", block))

    assert "her2_ish_ratio" in hidden({"her2_ihc": "ihc3plus"})
    assert "her2_ish_ratio" in hidden({})  # unanswered: unknown, not shown yet
    assert "her2_ish_ratio" not in hidden({"her2_ihc": "ihc2plus"})


def test_save_draft_then_complete(cast, participant, client_for) -> None:
    client = client_for(cast.coordinator)
    pid = participant.participant_id
    url = form_url(pid, "screening", 1, "vital_signs")
    partial = {"vs_date": "2026-01-06", "height_cm": "170.0"}
    response = _post(client, url, partial, action="complete")
    assert response.status_code == 400  # required fields blank: not complete
    assert 'data-testid="error-weight_kg"' in response.content.decode()
    assert _post(client, url, partial, action="draft").status_code == 302  # a draft may be incomplete
    row, values = _stored(pid, "screening#1/vital_signs")
    assert (row.status, row.version, row.completed_once) == ("draft", 1, False)
    assert _post(client, url, VITALS, action="complete", version=1, visit_date=None).status_code == 302
    row, values = _stored(pid, "screening#1/vital_signs")
    assert (row.status, row.version, row.completed_once) == ("complete", 2, True)
    assert values["weight_kg"] == Decimal("70.0")


def test_change_after_completion_needs_a_reason_and_the_history_shows_it(cast, participant, client_for) -> None:
    client = client_for(cast.coordinator)
    pid = participant.participant_id
    url = form_url(pid, "screening", 1, "vital_signs")
    assert _post(client, url, VITALS, action="complete").status_code == 302
    page = client.get(url).content.decode()
    assert 'data-testid="reason"' in page
    changed = {**VITALS, "weight_kg": "72.5"}
    response = _post(client, url, changed, action="complete", version=1, visit_date=None, reason="")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-reason"' in html
    assert _input_value(html, "weight_kg") == "72.5"
    row, values = _stored(pid, "screening#1/vital_signs")
    assert values["weight_kg"] == Decimal("70.0")
    assert row.version == 1
    response = _post(client, url, changed, action="complete", version=1, visit_date=None,
                     reason="transcription error, source document says 72.5")
    assert response.status_code == 302
    row, values = _stored(pid, "screening#1/vital_signs")
    assert values["weight_kg"] == Decimal("72.5")
    assert row.version == 2
    from django.urls import reverse

    history = client.get(reverse("audit:record", args=[row.key]))
    assert history.status_code == 200
    html = history.content.decode()
    rows = re.findall(r'data-field="values\.weight_kg">(.*?)</tr>', html, re.S)
    assert len(rows) == 2  # created, then changed
    last = rows[-1]
    assert '<td class="old">70.0</td><td class="new">72.5</td>' in last
    assert "transcription error, source document says 72.5" in last
    assert "coord.a" in last
    assert 'data-action="change">changed<' in last


def test_derived_bsa_is_computed_from_the_stored_values_each_time(cast, participant, client_for) -> None:
    from hipectrial.clinical import body_surface_area
    from hipectrial.clinical.body import body_limits
    from hipectrial.edc.protocol_source import current_protocol

    client = client_for(cast.coordinator)
    pid = participant.participant_id
    url = form_url(pid, "screening", 1, "vital_signs")

    def bsa_shown():
        html = client.get(url).content.decode()
        match = re.search(r'data-testid="derived-value-bsa">([^<]+)<', html)
        assert match is not None
        return match.group(1)

    # Mosteller by hand: sqrt(180 x 80 / 3600) = sqrt(4) = 2.00 m2
    assert _post(client, url, {**VITALS, "height_cm": "180.0", "weight_kg": "80.0"}).status_code == 302
    assert math.sqrt(180 * 80 / 3600) == 2.0
    assert bsa_shown() == "2.00"
    protocol = current_protocol()
    core = body_surface_area(height_cm=Decimal(180), weight_kg=Decimal(80), settings=protocol.dose_calculation.bsa,
                             limits=body_limits(protocol))
    assert core.bsa_m2 == Decimal("2.00")
    # the weight changes: sqrt(180 x 45 / 3600) = sqrt(2.25) = 1.50 m2, not the stale 2.00
    assert _post(client, url, {**VITALS, "height_cm": "180.0", "weight_kg": "45.0"}, version=1,
                 visit_date=None).status_code == 302
    assert bsa_shown() == "1.50"


def test_live_endpoint_shows_the_derived_value_of_what_is_typed(cast, participant, client_for) -> None:
    client = client_for(cast.coordinator)
    url = live_url(participant.participant_id, "screening", 1, "vital_signs")
    html = client.post(url, {"height_cm": "180.0", "weight_kg": "80.0"}).content.decode()
    assert 'data-testid="derived-value-bsa">2.00<' in html
    html = client.post(url, {"height_cm": "180.0"}).content.decode()
    assert 'data-testid="derived-value-bsa"' not in html
    assert "missing: weight_kg" in html
    # a height above the protocol's 230 cm is refused by the core: no BSA computed from it
    html = client.post(url, {"height_cm": "231.0", "weight_kg": "80.0"}).content.decode()
    assert 'data-testid="derived-value-bsa"' not in html
    assert "missing: height_cm" in html


def test_lab_grade_is_shown_from_the_core(cast, participant, client_for) -> None:
    client = client_for(cast.coordinator)
    url = live_url(participant.participant_id, "screening", 1, "labs")
    # ALT 165 U/L, ULN 40: 4.125 x ULN, > 3.0 and <= 5.0 x ULN -> CTCAE v5.0 grade 2
    html = client.post(url, {"alt": "165", "alt_uln": "40"}).content.decode()
    assert "Alanine aminotransferase increased: grade 2" in html


def test_a_visit_the_core_refuses_is_not_created(cast, participant, client_for) -> None:
    from hipectrial.edc.crfs.models import Record

    client = client_for(cast.coordinator)
    pid = participant.participant_id
    # the protocol schedules screening once: occurrence 2 is validate()'s error
    response = _post(client, form_url(pid, "screening", 2, "vital_signs"), VITALS)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-visit_date"' in html
    assert "the protocol schedules it once" in html
    # a cycle visit follows registration, and the participant is not registered
    response = _post(client, form_url(pid, "induction-cycle", 1, "vital_signs"), VITALS)
    assert response.status_code == 400
    assert "is not registered" in response.content.decode()
    assert not Record.objects.filter(participant=participant).exists()


def test_conditions_on_another_forms_values_use_the_participants_other_records(
        cast, participant, client_for) -> None:
    client = client_for(cast.coordinator)
    pid = participant.participant_id
    history = form_url(pid, "screening", 1, "medical_history")

    def shown(url, name):
        html = client.get(url).content.decode()
        return f'data-testid="field-{name}" data-shown="true"' in html

    # the participant is a woman (participant record): pregnant_or_breastfeeding is asked
    assert shown(history, "pregnant_or_breastfeeding")
    # childbearing potential is answered on demographics (shown there once its own sex is female)
    assert not shown(history, "pregnancy_test")
    assert _post(client, form_url(pid, "screening", 1, "demographics"),
                 {"sex": "female", "childbearing_potential": "true"}).status_code == 302
    assert shown(history, "pregnancy_test")
    # and then it is required to complete the medical history
    response = _post(client, history, {}, action="complete", visit_date=None)
    assert 'data-testid="error-pregnancy_test"' in response.content.decode()
    # HER2-positive (IHC 3+ at screening, the derived her2_positive): trastuzumab attribution asked
    ae = form_url(pid, "adverse-event", 1, "adverse_events", 1)
    assert not shown(ae, "ae_attr_trastuzumab")
    assert _post(client, form_url(pid, "screening", 1, "biomarkers"), {"her2_ihc": "ihc3plus"},
                 visit_date=None).status_code == 302
    assert shown(ae, "ae_attr_trastuzumab")


def test_a_warning_does_not_block_a_draft_and_is_shown(cast, participant, client_for) -> None:
    client = client_for(cast.coordinator)
    pid = participant.participant_id
    url = form_url(pid, "screening", 1, "vital_signs")
    # 170.25 cm has two decimals; the protocol records height with one: a warning, not an error
    assert _post(client, url, {**VITALS, "height_cm": "170.25"}).status_code == 302
    html = client.get(url).content.decode()
    assert 'data-testid="warning-height_cm"' in html
    assert "height_cm = 170.25 has 2 decimals; the protocol records it with 1" in html
    _, values = _stored(pid, "screening#1/vital_signs")
    assert values["height_cm"] == Decimal("170.25")


def test_on_a_chinese_page_the_cores_refusals_are_worded_in_chinese(cast, participant, client_for) -> None:
    """The core decides (range, what cannot be read, a required blank); a Chinese page words
    its finding from the code with the field's Chinese label, not the English message."""
    client = client_for(cast.coordinator, language="zh-hans")
    pid = participant.participant_id
    html = _post(client, form_url(pid, "screening", 1, "vital_signs"),
                 {**VITALS, "height_cm": "230.1", "weight_kg": "70,5", "heart_rate": ""},
                 action="complete").content.decode()
    height = html.split('data-testid="error-height_cm"', 1)[1].split("</p>", 1)[0]
    assert "身高 = 230.1 cm 超出方案允许的范围 [100, 230] cm" in height
    weight = html.split('data-testid="error-weight_kg"', 1)[1].split("</p>", 1)[0]
    assert "体重：请输入数字（小数用半角小数点） (kg)，例如 1.25" in weight
    rate = html.split('data-testid="error-heart_rate"', 1)[1].split("</p>", 1)[0]
    assert "为必填项" in rate
    for english in ("outside the range", "must be a number", "is blank"):
        assert english not in html
    assert _input_value(html, "height_cm") == "230.1"  # still kept
