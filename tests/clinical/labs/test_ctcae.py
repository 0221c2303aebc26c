"""CTCAE v5.0 lab grading against hand-worked examples at every grade boundary.

Reference: CTCAE v5.0 (NCI, 27 Nov 2017) as tabulated in shared/reference/clinical.md §3 and
the admiral ncictcaev5.json metadata. CTCAE's "<1.0 - 0.5" means 0.5 <= x < 1.0; ">3.0 - 5.0 x
ULN" means 3.0 x ULN < x <= 5.0 x ULN; a band without a sign ("1.5 - 3.0 x baseline")
includes its lower end. Each case is worked by hand in its comment: at the limit, just
beyond it and just inside it.
"""

from __future__ import annotations

import dataclasses
import itertools
import operator
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hipectrial.clinical.labs.ctcae import GradeFlag, LabGrade, ctcae_criteria, grade_lab
from hipectrial.clinical.labs.ctcae_tables import (
    LAB_CRITERIA,
    Comparison,
    CriteriaKind,
    CriteriaSet,
    CtcaeTerm,
    Direction,
    LabCriteria,
    LimitAnchor,
    Rule,
    Threshold,
    check_lab_criteria,
)
from hipectrial.clinical.labs.units import LabTest
from hipectrial.errors import InputError

D = Decimal


def grade(test: str, value: object, unit: str, **refs: object) -> int:
    return grade_lab(test=test, value=value, unit=unit, **refs).grade  # type: ignore[arg-type]


# --- "decreased" counts: grade 1 < LLN, grades 2-4 below absolute limits (10^9/L) -------

NEUT_LLN = "1.8"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.5", 0),  # above LLN
        ("1.8", 0),  # = LLN: not < LLN
        ("1.79", 1),  # < LLN 1.8, not < 1.5
        ("1.5", 1),  # grade 2 is "<1.5": 1.5 itself is grade 1
        ("1.49", 2),  # < 1.5, not < 1.0
        ("1.0", 2),  # grade 3 is "<1.0 - 0.5": 1.0 is still grade 2
        ("0.99", 3),  # < 1.0, not < 0.5
        ("0.5", 3),  # 0.5 <= x < 1.0
        ("0.49", 4),  # < 0.5
        ("0", 4),
    ],
)
def test_neutrophil_count_decreased_boundaries(value: str, expected: int) -> None:
    assert grade("NEUT", value, "10^9/L", lln=NEUT_LLN) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("150", 0),  # = LLN 150
        ("149", 1),  # < LLN, not < 75
        ("75", 1),  # grade 2 is "<75.0"
        ("74.9", 2),
        ("50", 2),  # grade 3 is "<50.0"
        ("49.9", 3),
        ("25", 3),  # grade 4 is "<25.0"
        ("24.9", 4),
    ],
)
def test_platelet_count_decreased_boundaries(value: str, expected: int) -> None:
    assert grade("PLAT", value, "10^9/L", lln="150") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4.0", 0),  # = LLN 4.0
        ("3.99", 1),
        ("3.0", 1),  # grade 2 is "<3.0"
        ("2.99", 2),
        ("2.0", 2),  # grade 3 is "<2.0"
        ("1.99", 3),
        ("1.0", 3),  # grade 4 is "<1.0"
        ("0.99", 4),
    ],
)
def test_white_blood_cell_decreased_boundaries(value: str, expected: int) -> None:
    assert grade("WBC", value, "10^9/L", lln="4.0") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.1", 0),  # = LLN 1.1
        ("1.09", 1),
        ("0.8", 1),  # grade 2 is "<0.8"
        ("0.79", 2),
        ("0.5", 2),  # grade 3 is "<0.5"
        ("0.49", 3),
        ("0.2", 3),  # grade 4 is "<0.2"
        ("0.19", 4),
    ],
)
def test_lymphocyte_count_decreased_boundaries(value: str, expected: int) -> None:
    assert grade("LYM", value, "10^9/L", lln="1.1") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("130", 0),
        ("120", 0),  # = LLN 120 g/L
        ("119", 1),
        ("100", 1),  # grade 2 is "<100 g/L"
        ("99.9", 2),
        ("80", 2),  # grade 3 is "<80 g/L"
        ("79.9", 3),
        ("20", 3),  # lowest plausible value: still 3 (grade 4 is clinical)
    ],
)
def test_anemia_boundaries(value: str, expected: int) -> None:
    assert grade("HGB", value, "g/L", lln="120") == expected


def test_anemia_from_g_dl_with_lln_in_g_l() -> None:
    # 9.5 g/dL x 10 = 95 g/L; 95 < LLN 120 and 95 < 100 and not < 80 -> grade 2
    result = grade_lab(test="haemoglobin", value="9.5", unit="g/dL", lln="120", reference_unit="g/L")
    assert result.value == D(95)
    assert result.lln == D(120)
    assert result.grade == 2
    assert result.steps[0] == "HGB 9.5 g/dL x 10 = 95 g/L"


def test_anemia_grade_1_from_g_dl() -> None:
    # 11.0 g/dL = 110 g/L: < LLN 120, not < 100 -> grade 1
    assert grade("hb", "11.0", "g/dL", lln="12.0") == 1  # LLN 12.0 g/dL = 120 g/L


def test_anemia_grade_4_is_not_lab_derivable() -> None:
    # 60 g/L < 80 -> grade 3, the highest a lab value can give
    result = grade_lab(test="HGB", value="60", unit="g/L", lln="120")
    assert result.grade == 3
    assert result.lab_derivable_max_grade == 3
    assert GradeFlag.CLINICAL_GRADE_POSSIBLE in result.flags
    assert any("grade 4" in note and "clinical judgement" in note for note in result.notes)


def test_anemia_grade_2_does_not_ask_for_clinical_grading() -> None:
    result = grade_lab(test="HGB", value="90", unit="g/L", lln="120")
    assert result.grade == 2
    assert GradeFlag.CLINICAL_GRADE_POSSIBLE not in result.flags


@pytest.mark.parametrize("unit_value", [("1500", "/mm3"), ("1.5", "10^3/uL"), ("1500", "cells/uL")])
def test_counts_per_mm3_are_converted_exactly(unit_value: tuple[str, str]) -> None:
    # 1500 /mm3 x 0.001 = 1.5 x 10^9/L: not < 1.5, < LLN 1.8 -> grade 1
    value, unit = unit_value
    result = grade_lab(test="anc", value=value, unit=unit, lln="1.8", reference_unit="10^9/L")
    assert result.value == D("1.5")
    assert result.grade == 1


def test_lln_in_per_mm3_with_the_value() -> None:
    # 999 /mm3 = 0.999; LLN 1800 /mm3 = 1.8; 0.999 < 1.0 -> grade 3
    assert grade("NEUT", "999", "/mm3", lln="1800") == 3


# --- a site's reference limit beyond a CTCAE limit ----------------------------------------

def test_lln_below_the_grade_2_limit_leaves_grade_1_empty() -> None:
    # LLN 1.4 < 1.5: 1.45 >= LLN but < 1.5 -> CTCAE's absolute limit gives grade 2 (as admiral)
    result = grade_lab(test="NEUT", value="1.45", unit="10^9/L", lln="1.4")
    assert result.grade == 2
    assert GradeFlag.REFERENCE_BEYOND_LIMIT in result.flags
    assert any("no value is grade 1" in note for note in result.notes)


def test_value_at_or_above_lln_above_grade_2_limit_is_grade_0() -> None:
    result = grade_lab(test="NEUT", value="1.6", unit="10^9/L", lln="1.4")
    assert result.grade == 0
    assert GradeFlag.REFERENCE_BEYOND_LIMIT in result.flags


def test_potassium_uln_above_5_5_leaves_hyperkalemia_grade_1_empty() -> None:
    # ULN 5.6: 5.55 <= ULN but > 5.5 -> grade 2
    result = grade_lab(test="K", value="5.55", unit="mmol/L", lln="3.5", uln="5.6")
    assert (result.term, result.grade) == (CtcaeTerm.HYPERKALEMIA, 2)
    assert GradeFlag.REFERENCE_BEYOND_LIMIT in result.flags


# --- ALT / AST: baseline normal (multiples of ULN 40 U/L) -------------------------------

@pytest.mark.parametrize("test", ["ALT", "AST"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("40", 0),  # = ULN: not > ULN
        ("40.1", 1),  # > ULN
        ("120", 1),  # 3.0 x 40 = 120: grade 2 is "> 3.0 x ULN"
        ("120.1", 2),
        ("200", 2),  # 5.0 x 40 = 200
        ("200.1", 3),
        ("800", 3),  # 20.0 x 40 = 800
        ("800.1", 4),
    ],
)
def test_transaminase_increased_baseline_normal_boundaries(test: str, value: str, expected: int) -> None:
    assert grade(test, value, "U/L", uln="40") == expected
    assert grade(test, value, "U/L", uln="40", baseline="35") == expected  # baseline 35 <= ULN


def test_alt_worked_example_with_steps() -> None:
    # 165 / 40 = 4.125 x ULN; > 3.0 x ULN (120) and <= 5.0 x ULN (200) -> grade 2
    result = grade_lab(test="ALT", value="165", unit="U/L", uln="40")
    assert result.grade == 2
    assert result.term is CtcaeTerm.ALT_INCREASED
    assert "ALT 165 U/L = 4.125 x ULN (ULN 40 U/L)" in result.steps
    assert any(s.startswith("165 U/L > 3.0 x ULN (120 U/L) and <= 5.0 x ULN (200 U/L) -> grade 2")
               for s in result.steps)
    assert result.steps[-1] == "CTCAE v5.0 Alanine aminotransferase increased: grade 2"
    assert GradeFlag.BASELINE_NOT_GIVEN in result.flags


def test_exactly_three_times_uln_is_grade_1_where_binary_floats_would_say_2() -> None:
    # 3.0 x 33.3 = 99.9 exactly; in binary floats 3.0 * 33.3 = 99.89999999999999 < 99.9
    assert 3.0 * 33.3 < 99.9  # the trap the Decimal arithmetic avoids
    assert grade("ALT", 99.9, "U/L", uln=33.3) == 1
    assert grade("ALT", "99.9", "U/L", uln="33.3") == 1
    assert grade("ALT", "99.91", "U/L", uln="33.3") == 2


def test_alt_in_ukat_l_against_uln_in_u_l() -> None:
    # 2 ukat/L x 60 = 120 U/L = exactly 3.0 x ULN 40 -> grade 1
    assert grade("ALT", "2", "ukat/L", uln="40", reference_unit="U/L") == 1


# --- ALT / AST: baseline abnormal (ULN 40, baseline 60 U/L) ------------------------------

@pytest.mark.parametrize("test", ["ALT", "AST"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30", 0),  # below baseline
        ("50", 0),  # > ULN but below baseline
        ("89", 0),  # 89 / 60 = 1.483 x baseline < 1.5: no grade-1 rise
        ("89.99", 0),
        ("90", 1),  # 1.5 x 60 = 90: "1.5 - 3.0 x baseline" includes 1.5
        ("180", 1),  # 3.0 x 60 = 180: grade 2 is "> 3.0 x baseline"
        ("180.1", 2),
        ("300", 2),  # 5.0 x 60 = 300
        ("300.1", 3),
        ("1200", 3),  # 20.0 x 60 = 1200
        ("1200.1", 4),
    ],
)
def test_transaminase_increased_baseline_abnormal_boundaries(test: str, value: str, expected: int) -> None:
    result = grade_lab(test=test, value=value, unit="U/L", uln="40", baseline="60")
    assert result.grade == expected
    assert result.criteria is CriteriaKind.BASELINE_ABNORMAL
    assert GradeFlag.BASELINE_ABNORMAL in result.flags
    assert "baseline abnormal: graded relative to baseline" in result.notes


def test_alt_above_uln_below_1_5_baseline_is_grade_0_and_says_why() -> None:
    # 89 > ULN 40 but < 1.5 x 60 = 90 -> grade 0
    result = grade_lab(test="ALT", value="89", unit="U/L", uln="40", baseline="60")
    assert result.grade == 0
    assert "ALT 89 U/L = about 1.483 x baseline (baseline 60 U/L)" in result.steps
    assert "89 U/L < 1.5 x baseline (90 U/L) -> grade 0" in result.steps
    assert any("grades only the rise from an abnormal baseline" in note for note in result.notes)


def test_baseline_equal_to_uln_is_normal() -> None:
    # baseline 40 = ULN: not abnormal; 125 > 3.0 x 40 = 120 -> grade 2 against ULN
    result = grade_lab(test="ALT", value="125", unit="U/L", uln="40", baseline="40")
    assert result.grade == 2
    assert result.criteria is CriteriaKind.STANDARD
    assert any("baseline normal, graded against the ULN" in s for s in result.steps)


def test_without_baseline_the_uln_grade_is_never_lower_than_the_baseline_grade() -> None:
    # value 100, ULN 40: 2.5 x ULN -> grade 1; with baseline 80 (abnormal): 100 < 1.5 x 80 = 120 -> 0
    assert grade("ALT", "100", "U/L", uln="40") == 1
    assert grade("ALT", "100", "U/L", uln="40", baseline="80") == 0


# --- ALP: ULN 120 U/L; baseline abnormal 150 U/L ---------------------------------------

@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 0),  # = ULN
        ("121", 1),
        ("300", 1),  # 2.5 x 120 = 300
        ("301", 2),
        ("600", 2),  # 5.0 x 120 = 600
        ("601", 3),
        ("2400", 3),  # 20.0 x 120 = 2400
        ("2401", 4),
    ],
)
def test_alkaline_phosphatase_baseline_normal_boundaries(value: str, expected: int) -> None:
    assert grade("ALP", value, "U/L", uln="120") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("299", 0),  # 2.0 x 150 = 300: "2.0 - 2.5 x baseline" starts at 300
        ("300", 1),
        ("375", 1),  # 2.5 x 150 = 375: grade 2 is "> 2.5 x baseline"
        ("375.5", 2),
        ("750", 2),  # 5.0 x 150 = 750
        ("751", 3),
        ("3000", 3),  # 20.0 x 150 = 3000
        ("3001", 4),
    ],
)
def test_alkaline_phosphatase_baseline_abnormal_boundaries(value: str, expected: int) -> None:
    assert grade("ALP", value, "U/L", uln="120", baseline="150") == expected


# --- bilirubin: ULN 21 umol/L; baseline abnormal 30 umol/L ------------------------------

@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("21", 0),  # = ULN
        ("21.1", 1),
        ("31.5", 1),  # 1.5 x 21 = 31.5
        ("31.6", 2),
        ("63", 2),  # 3.0 x 21 = 63
        ("63.1", 3),
        ("210", 3),  # 10.0 x 21 = 210
        ("210.1", 4),
    ],
)
def test_blood_bilirubin_increased_baseline_normal_boundaries(value: str, expected: int) -> None:
    assert grade("BILI", value, "umol/L", uln="21") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("25", 0),  # below baseline
        ("30", 0),  # = baseline: "> 1.0 x baseline" not met
        ("30.1", 1),
        ("45", 1),  # 1.5 x 30 = 45
        ("45.1", 2),
        ("90", 2),  # 3.0 x 30 = 90
        ("90.1", 3),
        ("300", 3),  # 10.0 x 30 = 300
        ("300.1", 4),
    ],
)
def test_blood_bilirubin_increased_baseline_abnormal_boundaries(value: str, expected: int) -> None:
    assert grade("BILI", value, "umol/L", uln="21", baseline="30") == expected


def test_bilirubin_mg_dl_against_uln_in_umol_l() -> None:
    # 2.0 mg/dL x 17.1 = 34.2 umol/L; 34.2 / 21 = 1.629 x ULN; > 1.5 x 21 = 31.5, <= 63 -> grade 2
    result = grade_lab(test="bilirubin", value="2.0", unit="mg/dL", uln="21", reference_unit="umol/L")
    assert result.value == D("34.2")
    assert result.grade == 2
    assert "BILI 2.0 mg/dL x 17.1 = 34.2 umol/L" in result.steps
    assert "BILI 34.2 umol/L = about 1.629 x ULN (ULN 21 umol/L)" in result.steps


def test_bilirubin_exactly_1_5_uln_after_conversion_is_grade_1() -> None:
    # 1.8 mg/dL = 30.78 umol/L; ULN 1.2 mg/dL = 20.52; 1.5 x 20.52 = 30.78: not > -> grade 1
    assert grade("BILI", "1.8", "mg/dL", uln="1.2") == 1
    assert grade("BILI", "1.81", "mg/dL", uln="1.2") == 2


# --- creatinine: higher of ULN and rise-from-baseline grades (ULN 100 umol/L) -------------

@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("100", 0),  # = ULN
        ("101", 1),
        ("150", 1),  # 1.5 x 100
        ("151", 2),
        ("300", 2),  # 3.0 x 100
        ("301", 3),
        ("600", 3),  # 6.0 x 100
        ("601", 4),
    ],
)
def test_creatinine_increased_uln_boundaries(value: str, expected: int) -> None:
    result = grade_lab(test="CREAT", value=value, unit="umol/L", uln="100")
    assert result.grade == expected
    assert GradeFlag.BASELINE_NOT_GIVEN in result.flags


@pytest.mark.parametrize(
    ("value", "expected", "decided_by_baseline"),
    [
        ("120", 1, False),  # ULN: 120 in (100, 150] -> 1; 1.5 x 80 = 120, not > -> baseline 0
        ("121", 2, True),  # ULN 1; 121 > 120 -> baseline 2
        ("240", 2, False),  # ULN: 240 in (150, 300] -> 2; 3.0 x 80 = 240, not > -> baseline 2
        ("241", 3, True),  # ULN 2; 241 > 240 -> baseline 3
        ("601", 4, False),  # ULN: > 600 -> 4; baseline 3
    ],
)
def test_creatinine_takes_the_higher_of_uln_and_baseline_grades(value: str, expected: int,
                                                                decided_by_baseline: bool) -> None:
    result = grade_lab(test="CREAT", value=value, unit="umol/L", uln="100", baseline="80")
    assert result.grade == expected
    assert (GradeFlag.BASELINE_CRITERION_DECIDED in result.flags) is decided_by_baseline
    assert any(s.startswith("higher of the ULN grade") for s in result.steps)


def test_creatinine_rise_within_normal_range_is_grade_2() -> None:
    # 65 <= ULN 100 -> ULN grade 0; 65 / 40 = 1.625 x baseline > 1.5 -> grade 2 (CTCAE v5.0 text)
    result = grade_lab(test="creatinine", value="65", unit="umol/L", uln="100", baseline="40")
    assert result.grade == 2
    assert result.criteria is CriteriaKind.RISE_FROM_BASELINE


def test_creatinine_in_mg_dl() -> None:
    # 1.5 mg/dL = 132.6 umol/L; ULN 1.0 mg/dL = 88.4; 1.5 x 88.4 = 132.6: not > -> grade 1
    assert grade("CREAT", "1.5", "mg/dL", uln="1.0") == 1
    # 1.2 mg/dL x 88.4 = 106.08 umol/L against ULN 100 umol/L -> grade 1
    assert grade("CREAT", "1.2", "mg/dL", uln="100", reference_unit="umol/L") == 1


def test_creatinine_without_baseline_warns_the_grade_may_be_higher() -> None:
    result = grade_lab(test="CREAT", value="90", unit="umol/L", uln="100")
    assert result.grade == 0
    assert any("could give a higher grade" in note for note in result.notes)


# --- potassium: hypokalaemia and hyperkalaemia (LLN 3.5, ULN 5.1 mmol/L) -----------------

@pytest.mark.parametrize(
    ("value", "term", "expected", "lowest"),
    [
        ("4.2", None, 0, 0),
        ("3.5", None, 0, 0),  # = LLN
        ("3.49", CtcaeTerm.HYPOKALEMIA, 2, 1),  # <LLN - 3.0: grade 1, or 2 if symptomatic
        ("3.0", CtcaeTerm.HYPOKALEMIA, 2, 1),  # grade 3 is "<3.0"
        ("2.99", CtcaeTerm.HYPOKALEMIA, 3, 3),
        ("2.5", CtcaeTerm.HYPOKALEMIA, 3, 3),  # grade 4 is "<2.5"
        ("2.49", CtcaeTerm.HYPOKALEMIA, 4, 4),
        ("5.1", None, 0, 0),  # = ULN
        ("5.11", CtcaeTerm.HYPERKALEMIA, 1, 1),
        ("5.5", CtcaeTerm.HYPERKALEMIA, 1, 1),  # grade 2 is ">5.5"
        ("5.51", CtcaeTerm.HYPERKALEMIA, 2, 2),
        ("6.0", CtcaeTerm.HYPERKALEMIA, 2, 2),  # grade 3 is ">6.0"
        ("6.01", CtcaeTerm.HYPERKALEMIA, 3, 3),
        ("7.0", CtcaeTerm.HYPERKALEMIA, 3, 3),  # grade 4 is ">7.0"
        ("7.01", CtcaeTerm.HYPERKALEMIA, 4, 4),
    ],
)
def test_potassium_boundaries(value: str, term: CtcaeTerm | None, expected: int, lowest: int) -> None:
    result = grade_lab(test="K", value=value, unit="mmol/L", lln="3.5", uln="5.1")
    assert (result.term, result.grade, result.grade_range) == (term, expected, (lowest, expected))


def test_hypokalemia_grade_1_or_2_is_reported_worst_case_and_flagged() -> None:
    result = grade_lab(test="potassium", value="3.2", unit="mEq/L", lln="3.5", uln="5.1")
    assert result.grade == 2
    assert result.grade_range == (1, 2)
    assert GradeFlag.SYMPTOMS_DECIDE in result.flags
    assert any("worst case" in step for step in result.steps)
    assert any("clinician records grade 1" in note for note in result.notes)
    assert result.headline == "Hypokalemia: grade 2 (grade 1 if asymptomatic: clinician decides)"


def test_potassium_beyond_absolute_limits_needs_no_reference_range() -> None:
    assert grade("K", "2.4", "mmol/L") == 4  # < 2.5
    assert grade("K", "2.9", "mmol/L") == 3  # < 3.0
    assert grade("K", "5.8", "mmol/L") == 2  # > 5.5, <= 6.0
    assert grade("K", "7.1", "mmol/L") == 4  # > 7.0


# --- sodium: hyponatraemia (LLN 135 mmol/L) -----------------------------------------------

@pytest.mark.parametrize(
    ("value", "expected", "lowest"),
    [
        ("140", 0, 0),
        ("135", 0, 0),  # = LLN
        ("134", 1, 1),
        ("130", 1, 1),  # grade 1 is "<LLN - 130"
        ("129.9", 3, 2),  # read as inside "125-129": grade 2, or 3 if symptomatic
        ("129", 3, 2),
        ("125", 3, 2),
        ("124.9", 3, 3),  # "120-124 regardless of symptoms"
        ("120", 3, 3),
        ("119.9", 4, 4),  # "<120"
    ],
)
def test_hyponatremia_boundaries(value: str, expected: int, lowest: int) -> None:
    result = grade_lab(test="SODIUM", value=value, unit="mmol/L", lln="135")
    assert (result.grade, result.grade_range) == (expected, (lowest, expected))
    assert (GradeFlag.SYMPTOMS_DECIDE in result.flags) is (lowest != expected)


def test_high_sodium_is_flagged_as_not_graded_here() -> None:
    # 152 > 150: CTCAE Hypernatremia grade 2 territory; this module grades hyponatraemia only
    result = grade_lab(test="sodium", value="152", unit="mmol/L", lln="135")
    assert result.grade == 0
    assert GradeFlag.UNGRADED_TERM_MET in result.flags
    assert any("Hypernatremia" in note and "grade it by hand" in note for note in result.notes)
    # 146 > ULN 145 (given): grade 1 territory
    assert GradeFlag.UNGRADED_TERM_MET in grade_lab(test="sodium", value="146", unit="mmol/L",
                                                    lln="135", uln="145").flags
    assert GradeFlag.UNGRADED_TERM_MET not in grade_lab(test="sodium", value="145", unit="mmol/L",
                                                        lln="135", uln="145").flags


# --- missing reference values ---------------------------------------------------------------

@pytest.mark.parametrize(
    ("test", "value", "unit", "refs", "field"),
    [
        ("NEUT", "1.6", "10^9/L", {}, "lln"),  # not < 1.5: grade 1 or 0 depends on LLN
        ("PLAT", "100", "10^9/L", {}, "lln"),
        ("HGB", "105", "g/L", {}, "lln"),
        ("WBC", "3.5", "10^9/L", {}, "lln"),
        ("LYM", "0.9", "10^9/L", {}, "lln"),
        ("ALT", "30", "U/L", {}, "uln"),
        ("AST", "3000", "U/L", {}, "uln"),  # even a huge value: grades are multiples of ULN
        ("ALT", "100", "U/L", {"baseline": "60"}, "uln"),  # cannot tell if baseline abnormal
        ("ALP", "100", "U/L", {}, "uln"),
        ("BILI", "40", "umol/L", {}, "uln"),
        ("CREAT", "500", "umol/L", {"baseline": "80"}, "uln"),
        ("K", "4.0", "mmol/L", {}, "lln"),
        ("K", "4.0", "mmol/L", {"lln": "3.5"}, "uln"),
        ("K", "3.2", "mmol/L", {"uln": "5.1"}, "lln"),
        ("SODIUM", "134", "mmol/L", {}, "lln"),
    ],
)
def test_missing_reference_value_the_grade_needs(test: str, value: str, unit: str,
                                                 refs: dict[str, str], field: str) -> None:
    with pytest.raises(InputError) as info:
        grade_lab(test=test, value=value, unit=unit, **refs)  # type: ignore[arg-type]
    assert info.value.field == field
    assert "limit of normal" in str(info.value)
    assert info.value.value is None


def test_missing_lln_message_names_the_test_unit_and_criterion() -> None:
    with pytest.raises(InputError) as info:
        grade_lab(test="NEUT", value="1.6", unit="10^9/L")
    message = str(info.value)
    assert message.startswith("lln must be the site's lower limit of normal (LLN) for NEUT, in 10^9/L")
    assert "Neutrophil count decreased grade 1" in message


@pytest.mark.parametrize(
    ("test", "value", "unit", "expected"),
    [
        ("NEUT", "1.4", "10^9/L", 2),  # < 1.5: LLN not needed
        ("NEUT", "0.3", "10^9/L", 4),
        ("PLAT", "60", "10^9/L", 2),
        ("HGB", "95", "g/L", 2),
        ("LYM", "0.1", "10^9/L", 4),
        ("SODIUM", "118", "mmol/L", 4),
    ],
)
def test_reference_values_are_needed_only_where_the_grade_depends_on_them(
        test: str, value: str, unit: str, expected: int) -> None:
    assert grade(test, value, unit) == expected


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("kwargs", "field", "phrase"),
    [
        ({"test": "PLAT", "value": "100", "unit": "g/L", "lln": "150"}, "unit", "one of 10^9/L"),
        ({"test": "ALT", "value": "100", "unit": "mmol/L", "uln": "40"}, "unit", "one of U/L"),
        ({"test": "HGB", "value": "9", "unit": "mg/dL", "lln": "12"}, "unit", "one of g/L, g/dL"),
        ({"test": "NEUT", "value": "1", "unit": "10^9/L", "lln": "1.8", "reference_unit": "g/L"},
         "reference_unit", "one of 10^9/L"),
        ({"test": "NEUT", "value": "-3.0", "unit": "10^9/L", "lln": "1.8"}, "value",
         "value must be a number in [0, 200] 10^9/L for NEUT; got '-3.0'"),
        ({"test": "NEUT", "value": float("nan"), "unit": "10^9/L"}, "value", "a finite number"),
        ({"test": "NEUT", "value": "inf", "unit": "10^9/L"}, "value", "a finite number"),
        ({"test": "NEUT", "value": "abc", "unit": "10^9/L"}, "value", "a number"),
        ({"test": "NEUT", "value": "1", "unit": "10^9/L", "lln": "-1"}, "lln", "a number in [0.5, 10]"),
        ({"test": "NEUT", "value": "1", "unit": "10^9/L", "lln": "inf"}, "lln", "a finite number"),
        ({"test": "ALT", "value": "50", "unit": "U/L", "uln": "0"}, "uln", "a number in [5, 500]"),
        ({"test": "ALT", "value": "50", "unit": "U/L", "uln": "40", "baseline": "0"}, "baseline",
         "a positive number"),
        ({"test": "ALT", "value": "50", "unit": "U/L", "uln": "40", "baseline": "-5"}, "baseline",
         "a number in [0, 50000]"),
        ({"test": "ALT", "value": "50", "unit": "U/L", "uln": "40", "lln": "-1"}, "lln",
         "a non-negative number"),
        ({"test": "K", "value": "4", "unit": "mmol/L", "lln": "5.1", "uln": "3.5"}, "lln",
         "below the ULN"),
        ({"test": "K", "value": "4", "unit": "mmol/L", "lln": "5.1", "uln": "5.1"}, "lln",
         "below the ULN"),
        # LLN 1.8 read in /mm3 (the value's unit) = 0.0018 x 10^9/L: a unit error, refused
        ({"test": "NEUT", "value": "1500", "unit": "/mm3", "lln": "1.8"}, "lln", "reference_unit"),
        # Hb LLN 12 given as g/L (meant g/dL): below any Hb reference limit
        ({"test": "HGB", "value": "95", "unit": "g/L", "lln": "12"}, "lln", "a number in [80, 250] g/L"),
        ({"test": "troponin", "value": "1", "unit": "ng/mL"}, "test", "CDISC LBTESTCD code"),
    ],
)
def test_bad_input_is_refused_with_its_field(kwargs: dict[str, object], field: str, phrase: str) -> None:
    with pytest.raises(InputError) as info:
        grade_lab(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field
    assert phrase in str(info.value)


def test_an_unused_reference_value_is_only_checked_to_be_a_number() -> None:
    # ALT reports print "0 - 40": the LLN 0 is not used for ALT and is accepted
    result = grade_lab(test="ALT", value="50", unit="U/L", lln="0", uln="40")
    assert result.grade == 1
    assert result.lln is None


def test_baseline_is_flagged_unused_where_ctcae_has_no_baseline_rule() -> None:
    result = grade_lab(test="NEUT", value="1.2", unit="10^9/L", lln="1.8", baseline="3.0")
    assert result.grade == 2
    assert GradeFlag.BASELINE_NOT_USED in result.flags


# --- the result and the criteria table --------------------------------------------------------

def test_result_is_frozen_and_carries_inputs_source_and_version() -> None:
    result = grade_lab(test="PLAT", value=60, unit="10^9/L", lln=150)
    assert isinstance(result, LabGrade)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.grade = 0  # type: ignore[misc]
    assert (result.test, result.term, result.grade) == (LabTest.PLAT, CtcaeTerm.PLATELET_COUNT_DECREASED, 2)
    assert result.version == "CTCAE v5.0"
    for phrase in ("CTCAE) v5.0", "Nov 2017", "admiral", "Platelet count decreased"):
        assert phrase in result.source


@pytest.mark.parametrize("test", list(LabTest))
def test_every_test_has_criteria_naming_their_source(test: LabTest) -> None:
    criteria = ctcae_criteria(test.value.lower())
    assert criteria.test is test
    assert "CTCAE) v5.0" in criteria.source
    assert "ncictcaev5" in criteria.source
    rows = criteria.rows()
    grades = {row.grade for row in rows}
    assert {0, 1, 2, 3} <= grades
    assert all(row.ctcae_text and row.band for row in rows)


def test_criteria_rows_for_a_screen() -> None:
    rows = ctcae_criteria("ALT").rows()
    abnormal = [(r.grade, r.band) for r in rows if r.kind is CriteriaKind.BASELINE_ABNORMAL]
    assert abnormal == [
        (0, "x < 1.5 x baseline"),
        (1, "1.5 x baseline <= x <= 3.0 x baseline"),
        (2, "3.0 x baseline < x <= 5.0 x baseline"),
        (3, "5.0 x baseline < x <= 20.0 x baseline"),
        (4, "x > 20.0 x baseline"),
    ]
    anemia = [(r.grade, r.band) for r in ctcae_criteria("HGB").rows()]
    assert (4, "not derivable from a lab value") in anemia


# --- the table checks refuse broken criteria (one defect each) -----------------------------

def _t(grade: int, compare: Comparison, anchor: LimitAnchor, factor: str, symptomatic: int | None = None,
       text: str = "text") -> Threshold:
    return Threshold(grade, compare, anchor, D(factor), text, symptomatic, "sym" if symptomatic else "")


_LT, _GT, _ABS, _LLN = Comparison.LT, Comparison.GT, LimitAnchor.ABSOLUTE, LimitAnchor.LLN
_GOOD = (_t(1, _LT, _LLN, "1"), _t(2, _LT, _ABS, "1.5"), _t(3, _LT, _ABS, "1.0"), _t(4, _LT, _ABS, "0.5"))


def _neut(thresholds: tuple[Threshold, ...], *, unit: str = "10^9/L", source: str = "src",
          direction: Direction = Direction.LOW, rule: Rule = Rule.SINGLE) -> LabCriteria:
    cset = CriteriaSet(CtcaeTerm.NEUTROPHIL_COUNT_DECREASED, CriteriaKind.STANDARD, direction, thresholds, "always")
    return LabCriteria(LabTest.NEUT, unit, rule, (cset,), source)


def test_the_good_fixture_passes() -> None:
    check_lab_criteria(_neut(_GOOD))
    for criteria in LAB_CRITERIA.values():
        check_lab_criteria(criteria)


@pytest.mark.parametrize(
    ("criteria", "phrase"),
    [
        (_neut(()), "no thresholds"),
        (_neut(_GOOD, unit="/mm3"), "not the canonical unit"),
        (_neut(_GOOD, source=" "), "no source"),
        (_neut(_GOOD, rule=Rule.HIGHER_OF), "needs sets"),
        (_neut(_GOOD, direction=Direction.HIGH), "does not grade high values"),
        (_neut((_GOOD[0], _GOOD[2], _GOOD[1], _GOOD[3])), "grades must rise"),
        # grade 3 limit 1.5 = grade 2 limit 1.5: the grade-2 band would be empty
        (_neut((_GOOD[0], _GOOD[1], _t(3, _LT, _ABS, "1.5"), _GOOD[3])), "empty band"),
        (_neut((_t(1, _LT, _ABS, "2.0"), _t(2, _LT, _LLN, "1"), _GOOD[2], _GOOD[3])), "after an absolute"),
        # grade 2 missing from the table: the defect of clinicedc's table
        (_neut((_GOOD[0], _GOOD[2], _GOOD[3])), "need every grade 1 to 4"),
        (_neut((_t(1, _LT, _LLN, "1", symptomatic=3), _GOOD[1], _GOOD[2], _GOOD[3])), "symptomatic grade"),
        (_neut((_GOOD[0], _t(2, _LT, _ABS, "1.5", text=" "), _GOOD[2], _GOOD[3])), "no CTCAE text"),
        (_neut((_GOOD[0], _GOOD[1], _GOOD[2], _t(5, _LT, _ABS, "0.5"))), "not 1-4"),
        (_neut((_GOOD[0], _GOOD[1], _GOOD[2], _t(4, _LT, _ABS, "0"))), "factor must be positive"),
    ],
)
def test_a_broken_criteria_table_is_refused(criteria: LabCriteria, phrase: str) -> None:
    with pytest.raises(ValueError, match=phrase):
        check_lab_criteria(criteria)


# --- properties -----------------------------------------------------------------------------

ULN_MULTIPLES = {"ALT": ("3.0", "5.0", "20.0"), "AST": ("3.0", "5.0", "20.0"), "ALP": ("2.5", "5.0", "20.0"),
                 "BILI": ("1.5", "3.0", "10.0")}
BASELINE_MULTIPLES = {"ALT": ("1.5", "3.0", "5.0", "20.0"), "AST": ("1.5", "3.0", "5.0", "20.0"),
                      "ALP": ("2.0", "2.5", "5.0", "20.0"), "BILI": ("1.0", "1.5", "3.0", "10.0")}
COUNT_LIMITS = {"NEUT": ("1.5", "1.0", "0.5"), "PLAT": ("75", "50", "25"), "WBC": ("3.0", "2.0", "1.0"),
                "LYM": ("0.8", "0.5", "0.2")}


def reference_range(test: str, v: D, lln: D, uln: D, base: D | None) -> tuple[int, int]:
    """(lowest, worst) grade: they differ where symptoms decide (hypokalaemia 1-2, hyponatraemia 2-3)."""
    if test == "K" and D(3) <= v < lln:
        return 1, 2
    if test == "SODIUM" and D(125) <= v < 130:
        return 2, 3
    g = reference_grade(test, v, lln, uln, base)
    return g, g


def reference_grade(test: str, v: D, lln: D, uln: D, base: D | None) -> int:
    """Slow, obviously correct CTCAE v5.0 grading written from the text, not from the table.

    Worst case where symptoms decide (hypokalaemia <LLN - 3.0 -> 2; hyponatraemia 125-129 -> 3).
    """
    if test in COUNT_LIMITS:
        g2, g3, g4 = (D(x) for x in COUNT_LIMITS[test])
        return 4 if v < g4 else 3 if v < g3 else 2 if v < g2 else 1 if v < lln else 0
    if test == "HGB":
        return 3 if v < 80 else 2 if v < 100 else 1 if v < lln else 0
    if test in ULN_MULTIPLES:
        if base is not None and base > uln:
            m1, m2, m3, m4 = (D(x) * base for x in BASELINE_MULTIPLES[test])
            g1 = v > m1 if test == "BILI" else v >= m1  # "> 1.0 - 1.5" vs "1.5 - 3.0" (inclusive)
            return 4 if v > m4 else 3 if v > m3 else 2 if v > m2 else 1 if g1 else 0
        m2, m3, m4 = (D(x) * uln for x in ULN_MULTIPLES[test])
        return 4 if v > m4 else 3 if v > m3 else 2 if v > m2 else 1 if v > uln else 0
    if test == "CREAT":
        by_uln = 4 if v > 6 * uln else 3 if v > 3 * uln else 2 if v > D("1.5") * uln else 1 if v > uln else 0
        by_base = 0 if base is None else 3 if v > 3 * base else 2 if v > D("1.5") * base else 0
        return max(by_uln, by_base)
    if test == "K":
        if v < D("2.5"):
            return 4
        if v < 3:
            return 3
        if v < lln:
            return 2
        return 4 if v > 7 else 3 if v > 6 else 2 if v > D("5.5") else 1 if v > uln else 0
    assert test == "SODIUM"
    return 4 if v < 120 else 3 if v < 130 else 1 if v < lln else 0


# Per test, canonical units: value, LLN, ULN and baseline ranges (LLN always below ULN).
RANGES: dict[str, tuple[tuple[object, object], ...]] = {
    "NEUT": ((0, 10), ("0.5", 3), (4, 10), (0, 10)),
    "PLAT": ((0, 500), (50, 200), (300, 500), (0, 500)),
    "WBC": ((0, 15), (1, 5), (8, 15), (0, 15)),
    "LYM": ((0, 5), ("0.2", "1.5"), (3, 5), (0, 5)),
    "HGB": ((20, 200), (80, 140), (150, 200), (20, 200)),
    "ALT": ((0, 2000), (5, 10), (20, 100), (5, 200)),
    "AST": ((0, 2000), (5, 10), (20, 100), (5, 200)),
    "ALP": ((0, 3000), (20, 40), (80, 200), (20, 600)),
    "BILI": ((0, 500), (2, 5), (10, 30), (2, 60)),
    "CREAT": ((0, 1500), (20, 50), (60, 150), (20, 300)),
    "K": ((1, 10), ("2.5", 4), ("4.5", 7), (1, 10)),
    "SODIUM": ((90, 200), (115, 137), (140, 160), (90, 200)),
}


def _dec(low: object, high: object) -> st.SearchStrategy[D]:
    return st.decimals(min_value=D(str(low)), max_value=D(str(high)), places=2,
                       allow_nan=False, allow_infinity=False)


@st.composite
def lab_cases(draw: st.DrawFn, test: str | None = None) -> tuple[str, D, D, D, D | None]:
    test = test or draw(st.sampled_from(sorted(RANGES)))
    value_range, lln_range, uln_range, base_range = RANGES[test]
    return (test, draw(_dec(*value_range)), draw(_dec(*lln_range)), draw(_dec(*uln_range)),
            draw(st.none() | _dec(*base_range)))


def _grade(test: str, value: D, lln: D, uln: D, base: D | None) -> LabGrade:
    unit = ctcae_criteria(test).unit
    return grade_lab(test=test, value=value, unit=unit, lln=lln, uln=uln, baseline=base)


def boundaries(test: str, lln: D, uln: D, base: D | None) -> list[D]:
    """Every limit of the test's CTCAE v5.0 criteria for these reference values (from the text)."""
    if test in COUNT_LIMITS:
        return [lln, *(D(x) for x in COUNT_LIMITS[test])]
    points = {"HGB": [lln, D(100), D(80)], "K": [lln, D(3), D("2.5"), uln, D("5.5"), D(6), D(7)],
              "SODIUM": [lln, D(130), D(125), D(120), uln, D(150)]}.get(test)
    if points is not None:
        return points
    multiples = {**ULN_MULTIPLES, "CREAT": ("1.5", "3.0", "6.0")}[test]
    points = [uln, *(D(x) * uln for x in multiples)]
    if base is not None:
        points += [D(x) * base for x in BASELINE_MULTIPLES.get(test, ("1.5", "3.0"))]
    return points


@st.composite
def boundary_cases(draw: st.DrawFn, test: str) -> tuple[str, D, D, D, D | None]:
    """A value exactly at a grade limit, or 0.01 either side of it."""
    test, _, lln, uln, base = draw(lab_cases(test))
    (low, high) = (D(str(x)) for x in RANGES[test][0])
    limit = draw(st.sampled_from(boundaries(test, lln, uln, base)))
    value = limit + draw(st.sampled_from([D("-0.01"), D(0), D("0.01")]))
    assume(low <= value <= high)
    return test, value, lln, uln, base


@pytest.mark.parametrize("test", sorted(RANGES))
@settings(max_examples=200)
@given(data=st.data())
def test_one_grade_per_value_matching_the_slow_reference(test: str, data: st.DataObject) -> None:
    case = data.draw(lab_cases(test) | boundary_cases(test))
    _, value, lln, uln, base = case
    result = _grade(*case)
    assert result.grade in range(5)
    low, high = result.grade_range
    assert low <= high == result.grade
    assert result.grade == reference_grade(test, value, lln, uln, base)
    assert result.grade_range == reference_range(test, value, lln, uln, base)


_OPS = {Comparison.LT: operator.lt, Comparison.LE: operator.le, Comparison.GT: operator.gt,
        Comparison.GE: operator.ge}


@given(lab_cases())
def test_exactly_one_band_contains_the_value(case: tuple[str, D, D, D, D | None]) -> None:
    """Where the site's reference limits lie inside CTCAE's, the bands partition the values."""
    test, value, lln, uln, base = case
    result = _grade(*case)
    refs = {LimitAnchor.LLN: lln, LimitAnchor.ULN: uln, LimitAnchor.BASELINE: base}
    for cset in ctcae_criteria(test).sets:
        if cset.kind is not result.criteria or (result.term is not None and cset.term is not result.term):
            continue
        limits = [t.factor if t.anchor is LimitAnchor.ABSOLUTE else t.factor * refs[t.anchor]  # type: ignore[operator]
                  for t in cset.thresholds]
        pairs = itertools.pairwise(limits)
        assume(all(a > b if cset.direction is Direction.LOW else a < b for a, b in pairs))
        meets = [_OPS[t.compare](value, limit) for t, limit in zip(cset.thresholds, limits, strict=True)]
        bands = [not meets[0]] + [meets[i] and not (i + 1 < len(meets) and meets[i + 1]) for i in range(len(meets))]
        assert sum(bands) == 1
        band_grades = [0] + [t.grade for t in cset.thresholds]
        assert band_grades[bands.index(True)] == result.grade_range[0]


def _side(result: LabGrade, term: CtcaeTerm) -> int:
    return result.grade if result.term is term else 0


@given(lab_cases(), st.data())
def test_grade_is_monotone_in_the_value(case: tuple[str, D, D, D, D | None], data: st.DataObject) -> None:
    test, value, lln, uln, base = case
    other = data.draw(_dec(*RANGES[test][0]))
    a, b = sorted((value, other))
    ga, gb = _grade(test, a, lln, uln, base), _grade(test, b, lln, uln, base)
    directions = {s.direction for s in ctcae_criteria(test).sets}
    if directions == {Direction.LOW}:
        assert ga.grade >= gb.grade  # "decreased" terms: a lower value never has a lower grade
    elif directions == {Direction.HIGH}:
        assert ga.grade <= gb.grade  # "increased" terms
    else:  # potassium: each term is monotone on its own side
        assert _side(ga, CtcaeTerm.HYPOKALEMIA) >= _side(gb, CtcaeTerm.HYPOKALEMIA)
        assert _side(ga, CtcaeTerm.HYPERKALEMIA) <= _side(gb, CtcaeTerm.HYPERKALEMIA)


@given(st.sampled_from(["BILI", "CREAT"]), _dec("0.1", "20"), _dec("0.5", "1.5"))
def test_grade_does_not_depend_on_the_unit(test: str, mg_dl: D, uln_mg_dl: D) -> None:
    factor = {"BILI": D("17.1"), "CREAT": D("88.4")}[test]
    in_mg = grade_lab(test=test, value=mg_dl, unit="mg/dL", uln=uln_mg_dl)
    in_si = grade_lab(test=test, value=mg_dl * factor, unit="umol/L", uln=uln_mg_dl * factor)
    assert in_mg.grade == in_si.grade
    assert in_mg.value == in_si.value


@given(_dec("2", "25"))
def test_hb_g_dl_and_g_l_agree(g_dl: D) -> None:
    assert grade("HGB", g_dl, "g/dL", lln="12") == grade("HGB", g_dl * 10, "g/L", lln="120")


@given(st.floats(min_value=0, max_value=200, allow_nan=False))
def test_float_values_are_graded_as_their_decimal_text(value: float) -> None:
    assert grade("NEUT", value, "10^9/L", lln=1.8) == grade("NEUT", repr(value), "10^9/L", lln="1.8")
