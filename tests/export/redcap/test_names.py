"""REDCap's naming rules as this export applies them. Expected names come from REDCap's own
source (REDCap 15.7.6, ``xOops4/redcap``: ``Classes/Project.php`` getUniqueEventNames and
getExtendedCheckboxCodeFormatted, ``Classes/MetaData.php`` error_checking) and from unique
event names REDCap produced in published projects."""

from __future__ import annotations

import pytest

from hipectrial.errors import InputError
from hipectrial.export.redcap.names import (
    check_code,
    check_instrument,
    check_variable,
    checkbox_column,
    event_stem,
    unique_event_names,
)


@pytest.mark.parametrize(("name", "arm", "expected"), [
    # REDCapTidieR issue #120 shows a project's "screening__enrollm_arm_1"; "&" is dropped, the
    # spaces around it become "__", and the stem is cut at 18 characters.
    ("Screening & Enrollment", 1, "screening__enrollm_arm_1"),
    # REDCapR test data (2-arms-retrieve-only-arm-2): "deadline_to_opt_ou_arm_2".
    ("Deadline to opt out", 2, "deadline_to_opt_ou_arm_2"),
    # REDCap KB RC-IMP-09: hyphens are removed, not turned into "_".
    ("3 Month Follow-up", 1, "3_month_followup_arm_1"),
    # Leading and trailing "_" are stripped after the cut.
    ("_Baseline_", 1, "baseline_arm_1"),
])
def test_unique_event_names_follow_redcaps_rule(name: str, arm: int, expected: str) -> None:
    assert unique_event_names([(name, arm)]) == (expected,)


def test_events_with_one_stem_get_b_c_appended_in_event_order() -> None:
    # Project::getUniqueEventNames appends chr(97 + count): the second is "b", the third "c".
    names = [("After 1 month from dose 1", 1), ("After 1 month from dose 2", 1), ("After 1 month from dose 3", 1)]
    assert unique_event_names(names) == (
        "after_1_month_from_arm_1", "after_1_month_from_arm_1b", "after_1_month_from_arm_1c")


def test_an_event_name_with_no_letter_or_digit_is_refused() -> None:
    with pytest.raises(InputError, match="event_name"):
        unique_event_names([("随访", 1)])


@pytest.mark.parametrize(("code", "expected"), [
    ("greater_omentectomy", "crs___greater_omentectomy"),
    ("CC-0", "crs___cc_0"),     # "-" -> "_", lower case
    ("-1", "crs____1"),         # a negative code: REDCap's "___" then "_1"
    ("1.5", "crs___1_5"),       # "." -> "_"
])
def test_checkbox_export_columns(code: str, expected: str) -> None:
    assert checkbox_column("crs", code) == expected


@pytest.mark.parametrize("name", ["2nd_visit", "_hidden", "ae__grade", "ae_grade_", "AE_grade", "ae-grade",
                                  "redcap_event_name", "instance", "a" * 101])
def test_variable_names_redcap_refuses_are_refused(name: str) -> None:
    with pytest.raises(InputError, match="REDCap variable name") as caught:
        check_variable(name, source="forms.x.fields.y")
    assert caught.value.field == "forms.x.fields.y"


def test_a_long_but_legal_variable_name_is_kept_whole() -> None:
    name = "a" * 100
    assert check_variable(name, source="x") == name


@pytest.mark.parametrize("name", ["Labs", "labs-2", "2labs", "a" * 65])
def test_instrument_names_redcap_refuses_are_refused(name: str) -> None:
    with pytest.raises(InputError, match="REDCap instrument name"):
        check_instrument(name, source="form x")


@pytest.mark.parametrize("code", ["CC-0", "non-CR-non-PD", "s-1", "1.5", "-1", "ypT1a", "P1"])
def test_protocol_style_codes_are_redcap_codes(code: str) -> None:
    assert check_code(code, source="x") == code


@pytest.mark.parametrize("code", ["a b", "a,b", "a|b", "x/y"])
def test_codes_with_other_characters_are_refused(code: str) -> None:
    with pytest.raises(InputError, match="REDCap choice code"):
        check_code(code, source="x")


@pytest.mark.parametrize(("visit_id", "stem"), [
    ("screening", "screening"),
    ("screening-cardiac", "screening_cardiac"),  # 17 characters: kept
    # tumour(6) assessment(10) preop(5) + 2 = 23: five letters go, from the longest of the first
    # two words, the leftmost on a tie: assessment -> assess (4), then tumour and assess tie
    # at 6 and tumour loses one.
    ("tumour-assessment-preop", "tumou_assess_preop"),
    # postop is one letter longer: one more letter goes, from assess.
    ("tumour-assessment-postop", "tumou_asses_postop"),
    # 30 characters: maintenance and operated alternate down to 3 and 4 letters; cycle is kept.
    ("maintenance-not-operated-cycle", "mai_not_oper_cycle"),
])
def test_event_stems_fit_18_characters_and_keep_the_last_word(visit_id: str, stem: str) -> None:
    assert event_stem(visit_id) == stem
    assert unique_event_names([(stem, 1)]) == (f"{stem}_arm_1",)
