"""The protocol's checks of one CRF record (hipectrial.data.form_check) on the seed protocol's
real forms: ranges at and just outside their bounds, code lists, decimals, edit checks
failing and passing, show_if hiding a required field; and the proof that validate() runs the
very same code (its findings on every form record of a simulated trial, with faults
injected, equal check_form_values on that record's values)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

import pytest

from hipectrial.data import (
    FieldValue,
    FormFinding,
    FrozenMap,
    RecordKind,
    Severity,
    check_form_values,
    missing_required,
    shown_fields,
    validate,
)
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol, load_protocol
from hipectrial.simulate import load_scenario, simulate


@pytest.fixture(scope="module")
def protocol() -> Protocol:
    return load_protocol()


def _labs(**changes: FieldValue | None) -> dict[str, FieldValue | None]:
    """A complete, unremarkable labs record (seed units: 10^9/L, g/L, U/L, umol/L)."""
    values: dict[str, FieldValue | None] = {
        "lab_date": dt.date(2025, 3, 1), "wbc": Decimal("6.00"), "anc": Decimal("3.50"),
        "haemoglobin": Decimal("130"), "platelets": Decimal("220"), "alt": Decimal("25"),
        "alt_uln": Decimal("40"), "ast": Decimal("24"), "ast_uln": Decimal("40"),
        "bilirubin": Decimal("10.0"), "bilirubin_uln": Decimal("21.0"), "creatinine": Decimal("70"),
        "creatinine_uln": Decimal("104"), "inr": Decimal("1.00"), "inr_uln": Decimal("1.20"),
    }
    return values | changes


def _findings(protocol: Protocol, form_id: str, values: Mapping[str, FieldValue | None]) -> list[tuple[str, str | None, str]]:
    return [(f.severity.value, f.field, f.message)
            for f in check_form_values(protocol=protocol, form_id=form_id, values=values)]


def test_a_complete_unremarkable_labs_record_has_no_finding(protocol: Protocol) -> None:
    assert _findings(protocol, "labs", _labs()) == []


# anc: decimal, 10^9/L, min 0, max 100, 2 decimals. anc <= wbc is an edit check, so wbc is
# raised to its max (500) to test anc's own range alone.
@pytest.mark.parametrize("anc", ["0", "0.00", "100", "100.00"])
def test_a_value_exactly_at_min_or_max_is_in_range(protocol: Protocol, anc: str) -> None:
    assert _findings(protocol, "labs", _labs(anc=Decimal(anc), wbc=Decimal("500"))) == []


@pytest.mark.parametrize(("anc", "shown"), [("100.01", "100.01"), ("-0.01", "-0.01")])
def test_a_value_just_outside_the_range_is_an_error_naming_range_and_unit(protocol: Protocol, anc: str,
                                                                          shown: str) -> None:
    assert _findings(protocol, "labs", _labs(anc=Decimal(anc), wbc=Decimal("500"))) == [
        ("error", "anc", f"anc = {shown} 10^9/L is outside the range the protocol allows, [0, 100] 10^9/L")]


def test_an_int_field_range_at_and_outside_its_bounds(protocol: Protocol) -> None:
    # medical_history baseline_neuropathy_grade: int 0-4 (CTCAE grades).
    def grade_findings(grade: int) -> list[tuple[str, str | None, str]]:
        return [f for f in _findings(protocol, "medical_history", {"baseline_neuropathy_grade": grade})
                if f[1] == "baseline_neuropathy_grade"]
    assert grade_findings(0) == []
    assert grade_findings(4) == []
    assert grade_findings(5) == [("error", "baseline_neuropathy_grade", "baseline_neuropathy_grade = 5 is "
                                  "outside the range the protocol allows, [0, 4]")]
    assert grade_findings(-1)[0][0] == "error"


def test_more_decimals_than_the_protocol_records_is_a_warning(protocol: Protocol) -> None:
    assert _findings(protocol, "labs", _labs(anc=Decimal("3.505"))) == [
        ("warning", "anc", "anc = 3.505 has 3 decimals; the protocol records it with 2")]


def test_a_code_not_in_the_list_is_an_error(protocol: Protocol) -> None:
    findings = _findings(protocol, "biomarkers", {"her2_specimen": "biopsy", "her2_ihc": "2+", "mmr_status": "pmmr"})
    assert ("error", "her2_ihc", "'2+' is not a code of code list 'her2-ihc' (ihc0, ihc1plus, ihc2plus, "
            "ihc3plus)") in findings


def test_a_wrong_type_and_an_unknown_field_are_errors(protocol: Protocol) -> None:
    findings = _findings(protocol, "labs", _labs(anc=3.5, neutrophils=Decimal("3.5")))  # type: ignore[arg-type]
    assert findings[0] == ("error", "anc", "anc is a field of type decimal and takes a Decimal; got 3.5")
    assert findings[1][:2] == ("error", "neutrophils")
    assert "form 'labs' has no field 'neutrophils'" in findings[1][2]


# Edit checks of labs: anc-within-wbc (error) and neutrophils-within-wbc (warning) both say
# anc <= wbc; haemoglobin-in-g-per-l (warning) says haemoglobin >= 30.0.
def test_edit_check_passes_at_its_boundary_and_fails_just_beyond(protocol: Protocol) -> None:
    assert _findings(protocol, "labs", _labs(anc=Decimal("6.00"), wbc=Decimal("6.00"))) == []
    failing = _findings(protocol, "labs", _labs(anc=Decimal("6.01"), wbc=Decimal("6.00")))
    assert [(sev, field, msg.split(":")[0]) for sev, field, msg in failing] == [
        ("error", None, "edit check 'anc-within-wbc' fails"),
        ("warning", None, "edit check 'neutrophils-within-wbc' fails")]
    assert "check units (10^9/L)" in failing[0][2]


def test_haemoglobin_below_30_g_per_l_is_a_warning_at_30_none(protocol: Protocol) -> None:
    assert _findings(protocol, "labs", _labs(haemoglobin=Decimal("30"))) == []
    assert _findings(protocol, "labs", _labs(haemoglobin=Decimal("29"))) == [
        ("warning", None, "edit check 'haemoglobin-in-g-per-l' fails: Haemoglobin below 30 g/L: was it entered "
         "in g/dL? This form records g/L.")]


def test_vital_signs_diastolic_equal_to_systolic_fails(protocol: Protocol) -> None:
    base: dict[str, FieldValue | None] = {"vs_date": dt.date(2025, 3, 1), "height_cm": Decimal("170.0"),
                                          "weight_kg": Decimal("60.0"), "systolic_bp": 120, "heart_rate": 70}
    assert _findings(protocol, "vital_signs", base | {"diastolic_bp": 119}) == []
    assert [f[2].split(":")[0] for f in _findings(protocol, "vital_signs", base | {"diastolic_bp": 120})] == [
        "edit check 'diastolic-below-systolic' fails"]


def test_an_edit_check_with_a_blank_input_is_not_run(protocol: Protocol) -> None:
    # lymphocytes-within-wbc with lymphocytes blank (not required): UNKNOWN, no finding.
    assert _findings(protocol, "labs", _labs(lymphocytes=None)) == []


def test_an_edit_check_does_not_run_on_a_value_that_failed_its_own_checks(protocol: Protocol) -> None:
    # haemoglobin 12 g/dL typed as a wrong type: the type error only, the check sees no value.
    findings = _findings(protocol, "labs", _labs(haemoglobin="12"))
    assert [(sev, field) for sev, field, _ in findings] == [("error", "haemoglobin")]


# biomarkers: her2_ish_ratio is required and shown only when her2_ihc == 'ihc2plus'.
BIOMARKERS: dict[str, FieldValue | None] = {"her2_specimen": "biopsy", "mmr_status": "pmmr"}


def test_show_if_false_hides_a_required_field(protocol: Protocol) -> None:
    values = BIOMARKERS | {"her2_ihc": "ihc3plus"}
    assert _findings(protocol, "biomarkers", values) == []
    assert "her2_ish_ratio" not in shown_fields(protocol=protocol, form_id="biomarkers", values=values)
    assert missing_required(protocol=protocol, form_id="biomarkers", values=values) == ()


def test_show_if_true_makes_the_blank_required_field_a_warning(protocol: Protocol) -> None:
    values = BIOMARKERS | {"her2_ihc": "ihc2plus"}
    assert _findings(protocol, "biomarkers", values) == [
        ("warning", "her2_ish_ratio", "required field 'her2_ish_ratio' is blank")]
    assert "her2_ish_ratio" in shown_fields(protocol=protocol, form_id="biomarkers", values=values)
    assert missing_required(protocol=protocol, form_id="biomarkers", values=values) == ("her2_ish_ratio",)
    assert _findings(protocol, "biomarkers", values | {"her2_ish_ratio": Decimal("2.10")}) == []


@pytest.mark.parametrize("her2_ihc", [None, "2+"])
def test_an_unanswered_or_invalid_condition_input_hides_the_field(protocol: Protocol, her2_ihc: str | None) -> None:
    # UNKNOWN is not TRUE: her2_ish_ratio is not shown, so not required yet; her2_ihc is
    # reported itself (blank, or not a code).
    values = BIOMARKERS | {"her2_ihc": her2_ihc}
    assert "her2_ish_ratio" not in shown_fields(protocol=protocol, form_id="biomarkers", values=values)
    assert "her2_ish_ratio" not in missing_required(protocol=protocol, form_id="biomarkers", values=values)
    assert [f for f in _findings(protocol, "biomarkers", values) if f[1] == "her2_ish_ratio"] == []


def test_adverse_event_seriousness_criteria_required_only_for_a_serious_event(protocol: Protocol) -> None:
    serious = {"ae_serious": True}
    assert "ae_sae_criteria" in missing_required(protocol=protocol, form_id="adverse_events", values=serious)
    assert "ae_sae_criteria" not in missing_required(protocol=protocol, form_id="adverse_events",
                                                     values={"ae_serious": False})
    # Trastuzumab attribution: show_if her2_positive, a variable not on this form -> not
    # decided here (UNKNOWN), so not listed as missing.
    assert "ae_attr_trastuzumab" not in missing_required(protocol=protocol, form_id="adverse_events", values=serious)
    assert "ae_term" in missing_required(protocol=protocol, form_id="adverse_events", values=serious)


def test_shown_fields_are_every_field_without_show_if_plus_those_true(protocol: Protocol) -> None:
    form = protocol.form("demographics")
    plain = {f.id for f in form.fields if f.show_if is None}
    assert shown_fields(protocol=protocol, form_id="demographics", values={"sex": "male"}) == plain
    assert shown_fields(protocol=protocol, form_id="demographics", values={"sex": "female"}) == (
        plain | {"childbearing_potential"})


def test_an_unknown_form_is_an_input_error(protocol: Protocol) -> None:
    with pytest.raises(InputError) as caught:
        check_form_values(protocol=protocol, form_id="lab", values={})
    assert caught.value.field == "form_id"
    assert "labs" in str(caught.value)


def test_none_is_a_blank_field(protocol: Protocol) -> None:
    assert check_form_values(protocol=protocol, form_id="labs", values=_labs(lymphocytes=None)) == \
        check_form_values(protocol=protocol, form_id="labs", values=_labs())


# -- context: conditions on another form's values -----------------------------------------------


def test_context_answers_a_condition_on_another_forms_value(protocol: Protocol) -> None:
    # medical_history.pregnancy_test: show_if childbearing_potential (a demographics field)
    alone = shown_fields(protocol=protocol, form_id="medical_history", values={})
    assert "pregnancy_test" not in alone
    woman = shown_fields(protocol=protocol, form_id="medical_history", values={},
                         context={"childbearing_potential": True, "sex": "female"})
    assert {"pregnancy_test", "pregnant_or_breastfeeding"} <= woman
    man = shown_fields(protocol=protocol, form_id="medical_history", values={},
                       context={"childbearing_potential": False, "sex": "male"})
    assert not {"pregnancy_test", "pregnant_or_breastfeeding"} & man
    # shown, so required where blank
    assert "pregnancy_test" in missing_required(protocol=protocol, form_id="medical_history", values={},
                                                context={"childbearing_potential": True})
    blank = [f.field for f in check_form_values(protocol=protocol, form_id="medical_history", values={},
                                                context={"childbearing_potential": True})]
    assert "pregnancy_test" in blank


def test_context_never_fills_a_field_of_the_form_itself(protocol: Protocol) -> None:
    # her2_ish_ratio shows on the record's own her2_ihc; a her2_ihc in the context is ignored
    shown = shown_fields(protocol=protocol, form_id="biomarkers", values={}, context={"her2_ihc": "ihc2plus"})
    assert "her2_ish_ratio" not in shown
    findings = check_form_values(protocol=protocol, form_id="biomarkers", values={}, context={"her2_ihc": "x"})
    assert not any(f.severity is Severity.ERROR for f in findings)  # context values are not checked


# -- validate() runs the very same code ---------------------------------------------------------


def test_validate_reports_on_each_form_record_exactly_what_check_form_values_does(protocol: Protocol) -> None:
    trial = simulate(protocol, load_scenario("default"), seed=1)
    records = list(trial.form_records)
    labs = [i for i, r in enumerate(records) if r.form_id == "labs"]
    vitals = [i for i, r in enumerate(records) if r.form_id == "vital_signs"]
    bio = [i for i, r in enumerate(records) if r.form_id == "biomarkers"]
    faults: list[tuple[int, dict[str, FieldValue | None]]] = [
        (labs[0], {"anc": Decimal("100.01")}), (labs[1], {"anc": Decimal("900"), "haemoglobin": Decimal("12")}),
        (labs[2], {"wbc": None}), (labs[3], {"anc": "3.5"}),
        (vitals[0], {"diastolic_bp": 300, "height_cm": Decimal("170.25")}),
        (bio[0], {"her2_ihc": "ihc2plus", "her2_ish_ratio": None}), (bio[1], {"her2_ihc": "2+"}),
    ]
    for index, changes in faults:
        values = {k: v for k, v in (dict(records[index].values) | changes).items() if v is not None}
        records[index] = dataclasses.replace(records[index], values=FrozenMap(values))
    trial = dataclasses.replace(trial, form_records=tuple(records))
    by_record: dict[int, list[FormFinding]] = {}
    for f in validate(trial, protocol):
        if f.kind is RecordKind.FORM and f.index is not None and (f.field is None or f.field.startswith("values.")):
            field = None if f.field is None else f.field.removeprefix("values.")
            by_record.setdefault(f.index, []).append(FormFinding(f.severity, field, f.message))
    for i, r in enumerate(trial.form_records):
        assert by_record.get(i, []) == list(check_form_values(protocol=protocol, form_id=r.form_id, values=r.values))
    # The faults were found (the comparison is not between two empty lists).
    assert all(by_record.get(index) for index, _ in faults)
    assert any(f.severity is Severity.ERROR for f in by_record[labs[0]])


def test_findings_say_what_they_are_for_a_shell_wording_them_in_another_language() -> None:
    """code and params carry what the English message says (seed labs: anc in [0, 100] 10^9/L)."""
    from decimal import Decimal

    from hipectrial.data import check_form_values
    from hipectrial.protocol import load_protocol

    findings = check_form_values(protocol=load_protocol(), form_id="labs",
                                 values={"anc": Decimal("100.01"), "lab_date": None})
    anc = [f for f in findings if f.field == "anc"]
    assert [(f.code, dict(f.params)) for f in anc] == [
        ("out_of_range", {"value": "100.01", "allowed": "[0, 100]", "unit": "10^9/L"})]
    blank = [f for f in findings if f.code == "required_blank"]
    assert blank
    assert all(f.severity.value == "warning" for f in blank)
