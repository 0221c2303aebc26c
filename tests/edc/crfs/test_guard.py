"""The save services are the guard: every CRF record they store passes the core's checks
(whoever calls them: a page, a future API, a script), and the audit of a record's creation
says whether it began as a draft."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from hipectrial.errors import InputError

VITALS = {"vs_date": dt.date(2026, 1, 6), "height_cm": Decimal("170.0"), "weight_kg": Decimal("70.0"),
          "systolic_bp": 120, "diastolic_bp": 80, "heart_rate": 70}
# the participant fixture: a woman born 1970-05-02, consented 2026-01-05
DEMOGRAPHICS = {"consent_obtained": True, "consent_date": dt.date(2026, 1, 5), "consent_version": "1.0",
                "birth_date": dt.date(1970, 5, 2), "sex": "female", "childbearing_potential": False}


def _record(pid: str, form_id: str, values: dict[str, object]):
    from hipectrial.data import FormRecord

    return FormRecord(pid, form_id, "screening", values=values)  # type: ignore[arg-type]


def _create(actor, participant, form_id: str, values: dict[str, object], status: str = "complete"):
    from hipectrial.edc.crfs.models import Kind
    from hipectrial.edc.crfs.services import record_create

    return record_create(actor=actor, participant=participant, kind=Kind.FORM, status=status,
                         record=_record(participant.participant_id, form_id, values), protocol_version="test")


def _save(actor, participant, form_id: str, values: dict[str, object], *, status: str = "draft",
          version: int = 0, reason: str | None = None):
    from hipectrial.edc.crfs.services import form_save

    return form_save(actor=actor, participant=participant, record=_record(participant.participant_id, form_id, values),
                     status=status, expected_version=version, reason=reason, visit_date=dt.date(2026, 1, 6),
                     protocol_version="test")


def _nothing_stored(participant) -> None:
    from hipectrial.edc.audit.models import AuditEntry
    from hipectrial.edc.crfs.models import Record

    assert not Record.objects.filter(participant=participant).exists()
    assert not AuditEntry.objects.filter(participant=participant.participant_id).exclude(
        record_kind="participants").exists()


def test_create_refuses_a_number_above_the_protocols_maximum(cast, participant) -> None:
    with pytest.raises(InputError) as refused:
        _create(cast.coordinator, participant, "vital_signs", {**VITALS, "height_cm": Decimal("230.1")})
    assert refused.value.field == "values.height_cm"
    assert "height_cm = 230.1 cm is outside the range the protocol allows, [100, 230] cm" in str(refused.value)
    _nothing_stored(participant)


def test_create_accepts_the_maximum_itself(cast, participant) -> None:
    row = _create(cast.coordinator, participant, "vital_signs", {**VITALS, "height_cm": Decimal("230.0")})
    assert row.status == "complete"


def test_create_refuses_a_code_not_in_the_fields_list(cast, participant) -> None:
    with pytest.raises(InputError) as refused:
        _create(cast.coordinator, participant, "ecog_assessment", {"ecog_date": dt.date(2026, 1, 6), "ecog": "6"})
    assert refused.value.field == "values.ecog"
    assert "'6' is not a code of code list" in str(refused.value)


def test_create_refuses_a_value_of_the_wrong_type(cast, participant) -> None:
    with pytest.raises(InputError) as refused:
        _create(cast.coordinator, participant, "vital_signs", {**VITALS, "systolic_bp": Decimal("120.5")},
                status="draft")
    assert refused.value.field == "values.systolic_bp"
    assert "takes an integer" in str(refused.value)


def test_create_refuses_a_failing_edit_check_even_as_a_draft(cast, participant) -> None:
    with pytest.raises(InputError) as refused:
        _create(cast.coordinator, participant, "vital_signs", {**VITALS, "diastolic_bp": 120}, status="draft")
    assert refused.value.field == "values"
    assert "edit check 'diastolic-below-systolic' fails" in str(refused.value)
    _nothing_stored(participant)


def test_a_warning_does_not_refuse(cast, participant) -> None:
    # two decimals where the protocol records one: the core's warning, stored as given
    row = _create(cast.coordinator, participant, "vital_signs", {**VITALS, "height_cm": Decimal("170.25")})
    assert row.status == "complete"


def test_complete_needs_every_shown_required_field_a_draft_does_not(cast, participant) -> None:
    partial = {k: v for k, v in VITALS.items() if k not in ("heart_rate", "weight_kg")}
    with pytest.raises(InputError) as refused:
        _create(cast.coordinator, participant, "vital_signs", partial)
    assert refused.value.field == "values.weight_kg"  # the first blank in form order
    assert "blank: weight_kg, heart_rate" in str(refused.value)
    _nothing_stored(participant)
    assert _create(cast.coordinator, participant, "vital_signs", partial, status="draft").status == "draft"


def test_a_field_required_only_when_shown_is_not_needed_when_hidden(cast, participant) -> None:
    from hipectrial.edc.participants.services import participant_screen

    man = participant_screen(actor=cast.coordinator, site=cast.site_a, sex="male", birth_date=dt.date(1960, 1, 1),
                             consent_date=dt.date(2026, 1, 5), protocol_version="test",
                             now=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC))
    values = {**DEMOGRAPHICS, "sex": "male", "birth_date": dt.date(1960, 1, 1)}
    values.pop("childbearing_potential")
    assert _create(cast.coordinator, man, "demographics", values).status == "complete"
    # a woman's demographics need it (show_if: sex == 'female')
    with pytest.raises(InputError) as refused:
        _create(cast.coordinator, participant, "demographics",
                {k: v for k, v in DEMOGRAPHICS.items() if k != "childbearing_potential"})
    assert refused.value.field == "values.childbearing_potential"


def test_change_refuses_an_out_of_range_value_and_keeps_the_stored_one(cast, participant) -> None:
    from hipectrial.edc.crfs.selectors import form_of
    from hipectrial.edc.crfs.services import record_change

    row = _create(cast.coordinator, participant, "vital_signs", VITALS, status="draft")
    with pytest.raises(InputError) as refused:
        record_change(actor=cast.coordinator, record=row, expected_version=1, protocol_version="test",
                      new=_record(participant.participant_id, "vital_signs", {**VITALS, "weight_kg": Decimal("12.0")}))
    assert refused.value.field == "values.weight_kg"
    row.refresh_from_db()
    assert (row.version, form_of(row).values["weight_kg"]) == (1, Decimal("70.0"))


def test_change_refuses_to_complete_a_draft_with_a_required_field_blank(cast, participant) -> None:
    from hipectrial.edc.crfs.services import record_change

    partial = {k: v for k, v in VITALS.items() if k != "heart_rate"}
    row = _create(cast.coordinator, participant, "vital_signs", partial, status="draft")
    with pytest.raises(InputError) as refused:
        record_change(actor=cast.coordinator, record=row, expected_version=1, protocol_version="test",
                      status="complete", new=_record(participant.participant_id, "vital_signs", partial))
    assert refused.value.field == "values.heart_rate"
    row.refresh_from_db()
    assert (row.status, row.version) == ("draft", 1)


def test_form_save_refusing_the_form_stores_no_visit_either(cast, participant) -> None:
    with pytest.raises(InputError) as refused:
        _save(cast.coordinator, participant, "vital_signs", {**VITALS, "heart_rate": 400})
    assert refused.value.field == "values.heart_rate"
    _nothing_stored(participant)


def test_create_refuses_an_unknown_status(cast, participant) -> None:
    with pytest.raises(InputError) as refused:
        _create(cast.coordinator, participant, "vital_signs", VITALS, status="signed")
    assert refused.value.field == "status"


def test_the_import_stores_records_as_given(cast, participant) -> None:
    """An import is checked as a whole by validate(), not record by record here."""
    from hipectrial.edc.crfs.models import Kind, Record
    from hipectrial.edc.crfs.services import records_import

    with transaction.atomic():
        stored = records_import(actor=cast.data_manager, participant=participant, protocol_version="test",
                                now=dt.datetime(2026, 1, 7, tzinfo=dt.UTC),
                                records=[(Kind.FORM, _record(participant.participant_id, "vital_signs",
                                                             {**VITALS, "height_cm": Decimal("231.0")}))])
    assert stored == 1
    assert Record.objects.filter(participant=participant, form_id="vital_signs").exists()


# --- the audit of a record's creation records its status ---------------------------------


def _creation(participant, form_id: str):
    from hipectrial.edc.audit.selectors import changes_of, history

    entry = history(record_key=f"{participant.participant_id}/screening#1/{form_id}")[0]
    assert entry.action == "create"
    return {c.field: (c.old, c.new) for c in changes_of(entry)}


def test_creating_a_draft_is_audited_as_a_draft(cast, participant) -> None:
    _create(cast.coordinator, participant, "vital_signs", VITALS, status="draft")
    changes = _creation(participant, "vital_signs")
    assert changes["status"] == (None, "draft")
    assert changes["values.weight_kg"] == (None, "70.0")


def test_creating_a_complete_record_is_audited_as_complete(cast, participant) -> None:
    _create(cast.coordinator, participant, "vital_signs", VITALS)
    assert _creation(participant, "vital_signs")["status"] == (None, "complete")


def test_form_save_audits_the_status_the_record_began_with_and_each_change_of_it(cast, participant) -> None:
    from hipectrial.edc.audit.selectors import changes_of, history

    _save(cast.coordinator, participant, "vital_signs", VITALS, status="draft")
    _save(cast.coordinator, participant, "vital_signs", VITALS, status="complete", version=1)
    entries = history(record_key=f"{participant.participant_id}/screening#1/vital_signs")
    assert [e.action for e in entries] == ["create", "change"]
    assert {c.field: (c.old, c.new) for c in changes_of(entries[0])}["status"] == (None, "draft")
    assert [(c.field, c.old, c.new) for c in changes_of(entries[1])] == [("status", "draft", "complete")]
