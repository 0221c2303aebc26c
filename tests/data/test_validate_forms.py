"""validate(): CRF records and their values against the protocol's forms and fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hipectrial.data import FormRecord, Severity, TrialData, validate
from hipectrial.protocol import Protocol

from .edits import added, assert_finding, only_finding, replaced, with_values

ERROR, WARNING = Severity.ERROR, Severity.WARNING
# form_records[0] is SH01-001's baseline form, [3] SH01-002's (weight 38.2 kg, under the
# 40 kg at which the mini protocol shows the required 'pregnant' field).
BASELINE, LIGHT_BASELINE = 0, 3


def test_reports_unknown_form(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "form_records", 1, form_id="haematology")
    assert_finding(only_finding(changed, mini_protocol), ERROR, "form_records[1].form_id",
                   "unknown form 'haematology'", "ae, baseline, labs")


def test_reports_unknown_field(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = with_values(trial, BASELINE, height_cm=Decimal("160"))
    assert_finding(only_finding(changed, mini_protocol), ERROR, "form_records[0].values.height_cm",
                   "form 'baseline' has no field 'height_cm'", "ecog")


def test_reports_field_of_another_form(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = with_values(trial, BASELINE, anc=Decimal("2.0"))
    assert_finding(only_finding(changed, mini_protocol), ERROR, "form_records[0].values.anc",
                   "form 'baseline' has no field 'anc'")


def test_reports_value_of_the_wrong_type(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = with_values(trial, BASELINE, ecog=Decimal("1"))
    assert_finding(only_finding(changed, mini_protocol), ERROR, "form_records[0].values.ecog",
                   "ecog is a field of type int and takes an integer; got Decimal('1')")


def test_reports_integer_given_for_a_decimal_field(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = with_values(trial, BASELINE, weight_kg=61)
    assert_finding(only_finding(changed, mini_protocol), ERROR, "form_records[0].values.weight_kg",
                   "takes a Decimal; got 61")


def test_reports_datetime_given_for_a_date_field(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = with_values(trial, BASELINE, diagnosis_date=dt.datetime(2024, 12, 10, tzinfo=dt.UTC))
    assert_finding(only_finding(changed, mini_protocol), ERROR, "form_records[0].values.diagnosis_date",
                   "is a field of type date")


def test_reports_boolean_given_for_an_integer_field(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = with_values(trial, BASELINE, ecog=True)
    assert_finding(only_finding(changed, mini_protocol), ERROR, "form_records[0].values.ecog",
                   "takes an integer; got True")


def test_reports_code_not_in_the_code_list(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = with_values(trial, BASELINE, her2_status="equivocal")
    assert_finding(only_finding(changed, mini_protocol), ERROR, "form_records[0].values.her2_status",
                   "'equivocal' is not a code of code list 'her2' (negative, positive)")


def test_reports_multi_choice_code_not_in_the_code_list(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = with_values(trial, BASELINE, symptoms_present=("pain", "fever"))
    assert_finding(only_finding(changed, mini_protocol), ERROR,
                   "form_records[0].values.symptoms_present", "'fever' is not a code of code list 'symptoms'")


def test_reports_value_above_the_range_naming_field_value_range_and_unit(
    trial: TrialData, mini_protocol: Protocol
) -> None:
    changed = with_values(trial, BASELINE, weight_kg=Decimal("250.0"))
    finding = only_finding(changed, mini_protocol)
    assert_finding(finding, ERROR, "form_records[0].values.weight_kg",
                   "weight_kg = 250.0 kg is outside the range the protocol allows, [30, 200] kg")


def test_reports_value_below_the_range(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = with_values(trial, BASELINE, ecog=-1)
    assert_finding(only_finding(changed, mini_protocol), ERROR, "form_records[0].values.ecog",
                   "ecog = -1 is outside the range the protocol allows, [0, 4]")


def test_accepts_values_on_the_range_limits(trial: TrialData, mini_protocol: Protocol) -> None:
    # weight_kg min 30, max 200 in the mini protocol: both limits are allowed. (Under 40 kg
    # the required 'pregnant' field is shown, so it is answered.)
    for weight in ("30", "200.0"):
        changed = with_values(trial, BASELINE, weight_kg=Decimal(weight), pregnant=False)
        assert validate(trial=changed, protocol=mini_protocol) == []


def test_warns_value_with_more_decimals_than_recorded(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = with_values(trial, BASELINE, weight_kg=Decimal("61.55"))
    assert_finding(only_finding(changed, mini_protocol), WARNING, "form_records[0].values.weight_kg",
                   "has 2 decimals", "records it with 1")


def test_warns_required_field_left_blank(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = with_values(trial, BASELINE, her2_status=None)
    assert_finding(only_finding(changed, mini_protocol), WARNING, "form_records[0].values.her2_status",
                   "required field 'her2_status' is blank")


def test_warns_required_field_blank_where_show_if_shows_it(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = with_values(trial, LIGHT_BASELINE, pregnant=None)
    assert_finding(only_finding(changed, mini_protocol), WARNING, "form_records[3].values.pregnant",
                   "required field 'pregnant' is blank")


def test_required_field_hidden_by_show_if_may_stay_blank(trial: TrialData, mini_protocol: Protocol) -> None:
    assert "pregnant" not in trial.form_records[BASELINE].values  # weight 61.5 kg hides it
    assert validate(trial=trial, protocol=mini_protocol) == []


def test_reports_failing_edit_check_with_its_message(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = with_values(trial, BASELINE, ecog=3)
    finding = only_finding(changed, mini_protocol)
    assert_finding(finding, ERROR, "form_records[0]", "edit check 'ecog_low' fails",
                   "ECOG must be 2 or less")


def test_reports_repeating_form_without_repeat_number(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "form_records", 2, repeat=None)
    assert_finding(only_finding(changed, mini_protocol), ERROR, "form_records[2].repeat",
                   "form 'ae' repeats")


def test_reports_repeat_number_on_a_form_that_does_not_repeat(
    trial: TrialData, mini_protocol: Protocol
) -> None:
    changed = replaced(trial, "form_records", 1, repeat=2)
    assert_finding(only_finding(changed, mini_protocol), ERROR, "form_records[1].repeat",
                   "form 'labs' does not repeat")


def test_warns_form_not_of_its_visit(trial: TrialData, mini_protocol: Protocol) -> None:
    record = FormRecord(participant_id="SH01-001", form_id="labs", visit_id="adverse-event",
                        values={"anc": Decimal("1.9")})
    changed = added(trial, "form_records", record)
    assert_finding(only_finding(changed, mini_protocol), WARNING, "form_records[4].form_id",
                   "form 'labs' is not one of the forms of visit 'adverse-event' (ae)")


def test_warns_form_without_visit_record(trial: TrialData, mini_protocol: Protocol) -> None:
    record = FormRecord(participant_id="SH01-001", form_id="labs", visit_id="cycle", visit_repeat=3,
                        values={"anc": Decimal("1.9")})
    changed = added(trial, "form_records", record)
    assert_finding(only_finding(changed, mini_protocol), WARNING, "form_records[4].visit_id",
                   "no visit record for 'cycle' occurrence 3")


def test_reports_form_at_unknown_visit(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "form_records", 1, visit_id="week-6")
    assert_finding(only_finding(changed, mini_protocol), ERROR, "form_records[1].visit_id",
                   "unknown visit 'week-6'")


def test_reports_duplicate_form_record(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = added(trial, "form_records", trial.form_records[1])
    assert_finding(only_finding(changed, mini_protocol), ERROR, "form_records[4]",
                   "duplicate form record 'SH01-001/cycle#1/labs'")


def test_reports_form_of_participant_not_in_the_data(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "form_records", 1, participant_id="SH01-404")
    assert_finding(only_finding(changed, mini_protocol), ERROR, "form_records[1].participant_id",
                   "'SH01-404' is not registered")

