"""The demographics CRF and the participant record, the one source of sex, birth date and
consent date: the form starts from the record, a contradicting value is refused beside its
field, and no CRF value overrides the record's in the conditions and derived values."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from tests.edc.crfs.conftest import form_url
from tests.edc.crfs.test_entry import _input_value, _post, _stored

# the participant fixture: a woman born 1970-05-02, consented 2026-01-05
OTHERS = {"consent_obtained": "true", "consent_version": "1.0", "childbearing_potential": "false"}
IDENTITY = {"sex": "female", "birth_date": "1970-05-02", "consent_date": "2026-01-05"}


def _checked(html: str, name: str) -> str | None:
    match = re.search(rf'name="{name}" value="([^"]*)" checked', html)
    return match.group(1) if match else None


def _import_demographics(cast, participant, **values) -> None:
    """A demographics record stored as given (an import: validate() checks it as a whole)."""
    from hipectrial.data import FormRecord, Visit
    from hipectrial.edc.crfs.models import Kind
    from hipectrial.edc.crfs.services import records_import

    pid = participant.participant_id
    with transaction.atomic():
        records_import(actor=cast.data_manager, participant=participant, protocol_version="test",
                       now=dt.datetime(2026, 1, 7, tzinfo=dt.UTC), records=[
                           (Kind.VISIT, Visit(pid, "screening", 1, None, dt.date(2026, 1, 6))),
                           (Kind.FORM, FormRecord(pid, "demographics", "screening", values=values))])


def test_a_new_demographics_form_starts_with_the_participant_records_identity(
        cast, participant, client_for) -> None:
    html = client_for(cast.coordinator).get(
        form_url(participant.participant_id, "screening", 1, "demographics")).content.decode()
    assert _checked(html, "sex") == "female"
    assert _input_value(html, "birth_date") == "1970-05-02"
    assert _input_value(html, "consent_date") == "2026-01-05"
    # a woman: the childbearing potential is asked at once
    assert 'data-testid="field-childbearing_potential" data-shown="true"' in html
    assert "error-" not in html


def test_other_new_forms_start_blank(cast, participant, client_for) -> None:
    html = client_for(cast.coordinator).get(
        form_url(participant.participant_id, "screening", 1, "vital_signs")).content.decode()
    assert _input_value(html, "vs_date") == ""


def test_the_prefilled_form_is_saved_as_complete(cast, participant, client_for) -> None:
    pid = participant.participant_id
    response = _post(client_for(cast.coordinator), form_url(pid, "screening", 1, "demographics"),
                     {**IDENTITY, **OTHERS}, action="complete")
    assert response.status_code == 302
    row, values = _stored(pid, "screening#1/demographics")
    assert row.status == "complete"
    assert (values["sex"], values["birth_date"], values["consent_date"]) == (
        "female", dt.date(1970, 5, 2), dt.date(2026, 1, 5))


def test_a_birth_date_contradicting_the_record_is_refused_beside_the_field(
        cast, participant, client_for) -> None:
    from hipectrial.edc.crfs.models import Record

    pid = participant.participant_id
    # the reviewer's case: 36 years old on the form, 55 on the record
    for action in ("draft", "complete"):
        response = _post(client_for(cast.coordinator), form_url(pid, "screening", 1, "demographics"),
                         {**IDENTITY, **OTHERS, "birth_date": "1990-05-02"}, action=action)
        assert response.status_code == 400
        html = response.content.decode()
        beside = html.split('data-testid="error-birth_date">')[1].split("</p>")[0]
        assert "The participant record gives Date of birth as 1970-05-02" in beside
        assert "correct it on the participant&#x27;s page (Correct identity), with a reason" in beside
        assert _input_value(html, "birth_date") == "1990-05-02"  # what was typed is kept
        assert "Nothing was saved" in html
    assert not Record.objects.filter(participant=participant).exists()


def test_the_other_sex_is_refused_with_the_records_sex_in_the_pages_language(
        cast, participant, client_for) -> None:
    pid = participant.participant_id
    response = _post(client_for(cast.coordinator, "zh-hans"), form_url(pid, "screening", 1, "demographics"),
                     {**IDENTITY, **OTHERS, "sex": "male"})
    assert response.status_code == 400
    beside = response.content.decode().split('data-testid="error-sex">')[1].split("</p>")[0]
    # the protocol's Chinese labels of the field and of the recorded code
    assert "性别" in beside
    assert "女" in beside


def test_a_blank_identity_value_is_no_contradiction(cast, participant, client_for) -> None:
    pid = participant.participant_id
    response = _post(client_for(cast.coordinator), form_url(pid, "screening", 1, "demographics"),
                     {**OTHERS, "sex": "female"})
    assert response.status_code == 302


def test_the_services_refusal_is_shown_beside_the_field_when_the_page_missed_it(
        cast, participant, client_for, monkeypatch) -> None:
    """The save service is the guard: were the page's own check gone (a page that forgot it,
    another client), the record would still be refused, and the page shows why."""
    from hipectrial.edc.crfs import views
    from hipectrial.edc.crfs.models import Record

    monkeypatch.setattr(views, "contradiction_messages", lambda **_: {})
    pid = participant.participant_id
    response = _post(client_for(cast.coordinator), form_url(pid, "screening", 1, "demographics"),
                     {**IDENTITY, **OTHERS, "consent_date": "2026-01-04"})
    assert response.status_code == 400
    beside = response.content.decode().split('data-testid="error-consent_date">')[1].split("</p>")[0]
    assert "values.consent_date must be the participant record&#x27;s consent_date, &#x27;2026-01-05&#x27;" in beside
    assert not Record.objects.filter(participant=participant).exists()


def test_a_stored_record_that_contradicts_the_participant_shows_it(cast, participant, client_for) -> None:
    _import_demographics(cast, participant, sex="female", birth_date=dt.date(1990, 5, 2),
                         consent_date=dt.date(2026, 1, 5))
    html = client_for(cast.coordinator).get(
        form_url(participant.participant_id, "screening", 1, "demographics")).content.decode()
    assert 'data-testid="error-birth_date"' in html
    assert 'data-testid="error-sex"' not in html


def test_conditions_and_derived_values_take_the_identity_from_the_participant_record(cast, participant) -> None:
    from hipectrial.edc.crfs.selectors import condition_context, context_values

    _import_demographics(cast, participant, sex="male", birth_date=dt.date(1990, 5, 2),
                         consent_date=dt.date(2026, 1, 4))
    conditions = condition_context(participant, None)
    assert (conditions["sex"], conditions["birth_date"], conditions["consent_date"]) == (
        "female", dt.date(1970, 5, 2), dt.date(2026, 1, 5))
    # the derived age is the record's (55 completed years at consent), not the form's (35)
    assert conditions["age"] == 55
    derived = context_values(participant, "screening", 1, None).values
    assert (derived["sex"], derived["birth_date"], derived["consent_date"]) == (
        "female", dt.date(1970, 5, 2), dt.date(2026, 1, 5))


def test_the_womans_questions_are_asked_whatever_a_form_says_her_sex_is(cast, participant, client_for) -> None:
    _import_demographics(cast, participant, sex="male")
    html = client_for(cast.coordinator).get(
        form_url(participant.participant_id, "screening", 1, "medical_history")).content.decode()
    assert 'data-testid="field-pregnant_or_breastfeeding" data-shown="true"' in html
