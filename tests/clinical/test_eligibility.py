"""Eligibility on the seed protocol (protocol-decisions.md "Eligibility").

Every threshold is tested at the limit and just beyond it. The reference numbers are worked
by hand in the comments: age in completed years from birth to consent; Cockcroft-Gault
CrCl = (140 - age) x weight / (72 x creatinine[mg/dL]), creatinine umol/L / 88.4, rounded to
0.1 mL/min (protocol dose_calculation.crcl).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hipectrial.clinical.eligibility import EligibilityStatus, evaluate_eligibility
from hipectrial.clinical.records.derived import CriterionStatus
from hipectrial.errors import InputError
from hipectrial.protocol import Truth, load_protocol

SEED = load_protocol()
CONSENT = dt.date(2026, 3, 2)
AS_OF = dt.date(2026, 3, 3)

# A fully eligible HER2-negative man: every field an eligibility criterion or cohort rule uses.
ELIGIBLE: dict[str, object] = {
    # demographics and consent
    "consent_obtained": True, "consent_date": CONSENT, "consent_version": "1.0",
    "birth_date": dt.date(1970, 5, 10),  # 55 completed years on 2026-03-02
    "sex": "male",
    # medical history and exclusion items
    "prior_systemic_advanced": False, "prior_adjuvant_therapy": False,
    "prior_checkpoint_inhibitor": False, "autoimmune_systemic_2y": False,
    "steroids_gt10mg_14d": False, "ild_pneumonitis": False, "hbv_serology_positive": False,
    "hcv_active": False, "hiv_positive": False, "baseline_neuropathy_grade": 0,
    "gastric_outlet_obstruction": False, "oral_intake_possible": True, "major_surgery_28d": False,
    "other_malignancy_5y": False, "life_expectancy_3m": True,
    # diagnosis
    "diagnosis_date": dt.date(2026, 2, 10), "primary_site": "stomach", "histology_confirmed": True,
    "histology": "tubular", "distant_metastasis_other": False,
    # biomarkers: IHC 1+ is HER2-negative without ISH
    "her2_specimen": "biopsy", "her2_ihc": "ihc1plus", "mmr_status": "pmmr",
    # vital signs and ECOG
    "vs_date": CONSENT, "height_cm": Decimal("170.0"), "weight_kg": Decimal("70.0"),
    "ecog_date": CONSENT, "ecog": "1",
    # labs (site reference ranges with them)
    "lab_date": CONSENT, "wbc": Decimal("6.0"), "anc": Decimal("3.5"), "haemoglobin": Decimal(120),
    "platelets": Decimal(220), "alt": Decimal(25), "alt_uln": Decimal(40), "ast": Decimal(22),
    "ast_uln": Decimal(40), "bilirubin": Decimal("12.0"), "bilirubin_uln": Decimal("21.0"),
    "creatinine": Decimal(80), "inr": Decimal("1.00"), "inr_uln": Decimal("1.20"),
    # diagnostic laparoscopy: P1, CY1, PCI 5
    "lap_date": dt.date(2026, 2, 20), "lap_context": "diagnostic", "p_status": "P1",
    "cytology": "CY1", **{f"pci_r{i}": (1 if i < 5 else 0) for i in range(13)},
}


def evaluate(**changes: object):
    values = {**ELIGIBLE, **changes}
    return evaluate_eligibility(protocol=SEED, values=values, as_of=AS_OF)


def status_of(result, criterion_id: str) -> CriterionStatus:
    return result.criterion(criterion_id).status


def born(years_before_consent: int, days_later: int = 0) -> dt.date:
    return CONSENT.replace(year=CONSENT.year - years_before_consent) + dt.timedelta(days=days_later)


# -- the eligible participant --------------------------------------------------------------


def test_fully_eligible_her2_negative_participant():
    result = evaluate()
    assert result.status is EligibilityStatus.ELIGIBLE
    assert result.cohort.cohort == "HER2-negative"
    assert result.failed == ()
    assert result.missing == ()
    assert status_of(result, "I17") is CriterionStatus.NOT_APPLICABLE
    others = [c.status for c in result.criteria if c.id != "I17"]
    assert others == [CriterionStatus.MET] * 30


def test_values_used_are_reported_with_each_criterion():
    result = evaluate()
    assert result.criterion("I01").values == {"age": 55}
    assert result.criterion("I12").values == {"bilirubin": Decimal("12.0"), "bilirubin_uln": Decimal("21.0")}
    # (140 - 55) x 70 / (72 x 80 / 88.4) = 5950 x 88.4 / 5760 = 91.316 -> 91.3 mL/min
    assert result.criterion("I15").values == {"crcl": Decimal("91.3")}
    assert result.criterion("I04").values == {"pci_total": 5}


def test_derivations_show_their_steps():
    crcl = next(d for d in evaluate().derived if d.variable == "crcl")
    assert crcl.value == Decimal("91.3")
    assert crcl.unit == "mL/min"
    assert any("80 umol/L / 88.4" in step for step in crcl.steps)


# -- inclusion thresholds at the limit and beyond --------------------------------------------


@pytest.mark.parametrize(
    ("birth", "age", "status"),
    [
        (born(18), 18, CriterionStatus.MET),  # 18th birthday on the consent day
        (born(18, 1), 17, CriterionStatus.NOT_MET),  # 18 tomorrow
        (born(75), 75, CriterionStatus.MET),
        (born(76, 1), 75, CriterionStatus.MET),  # 76 tomorrow: still 75 completed years
        (born(76), 76, CriterionStatus.NOT_MET),
    ],
)
def test_age_limits_18_to_75(birth, age, status):
    result = evaluate(birth_date=birth)
    assert result.criterion("I01").values == {"age": age}
    assert status_of(result, "I01") is status
    expected = EligibilityStatus.ELIGIBLE if status is CriterionStatus.MET else EligibilityStatus.INELIGIBLE
    assert result.status is expected


def test_age_17_is_ineligible_and_crcl_is_not_computed_for_a_minor():
    result = evaluate(birth_date=born(18, 1))
    assert result.failed == ("I01",)
    assert status_of(result, "I15") is CriterionStatus.UNKNOWN
    crcl = next(m for m in result.missing if m.variable == "crcl")
    assert "defined for adults" in (crcl.reason or "")


def test_born_on_29_february_completes_a_year_on_1_march():
    birth = dt.date(2008, 2, 29)
    on_28 = evaluate_eligibility(protocol=SEED, values={"birth_date": birth, "consent_date": dt.date(2026, 2, 28)},
                                 as_of=AS_OF)
    on_1 = evaluate_eligibility(protocol=SEED, values={"birth_date": birth, "consent_date": dt.date(2026, 3, 1)},
                                as_of=AS_OF)
    assert on_28.criterion("I01").values == {"age": 17}
    assert on_1.criterion("I01").values == {"age": 18}


@pytest.mark.parametrize(
    ("field", "value", "criterion", "status"),
    [
        ("anc", Decimal("1.5"), "I09", CriterionStatus.MET),
        ("anc", Decimal("1.49"), "I09", CriterionStatus.NOT_MET),
        ("anc", 1.5, "I09", CriterionStatus.MET),  # a float is accepted for a decimal field
        ("platelets", Decimal(100), "I10", CriterionStatus.MET),
        ("platelets", Decimal(99), "I10", CriterionStatus.NOT_MET),
        ("platelets", 100, "I10", CriterionStatus.MET),
        ("haemoglobin", Decimal(90), "I11", CriterionStatus.MET),
        ("haemoglobin", Decimal(89), "I11", CriterionStatus.NOT_MET),
    ],
)
def test_blood_count_limits(field, value, criterion, status):
    result = evaluate(**{field: value})
    assert status_of(result, criterion) is status
    assert result.criterion(criterion).values == {field: value}


@pytest.mark.parametrize(
    ("bilirubin", "uln", "status"),
    [
        ("25.5", "17.0", CriterionStatus.MET),  # 25.5 / 17 = 1.5 exactly
        ("25.6", "17.0", CriterionStatus.NOT_MET),
        ("31.5", "21.0", CriterionStatus.MET),  # 1.5 x 21 = 31.5
        ("31.6", "21.0", CriterionStatus.NOT_MET),
    ],
)
def test_bilirubin_limit_is_1_5_times_the_sites_uln(bilirubin, uln, status):
    result = evaluate(bilirubin=Decimal(bilirubin), bilirubin_uln=Decimal(uln))
    assert status_of(result, "I12") is status


def test_inr_exactly_1_5_times_uln_is_met_despite_binary_floating_point():
    # 1.5 x 1.2 is 1.7999999999999998 in binary; the protocol compares ratio(inr, inr_uln).
    assert status_of(evaluate(inr=Decimal("1.80"), inr_uln=Decimal("1.20")), "I16") is CriterionStatus.MET
    assert status_of(evaluate(inr=Decimal("1.81"), inr_uln=Decimal("1.20")), "I16") is CriterionStatus.NOT_MET


@pytest.mark.parametrize(("ast", "status"), [(100, CriterionStatus.MET), (101, CriterionStatus.NOT_MET)])
def test_ast_limit_is_2_5_times_uln(ast, status):
    # ULN 40 U/L: 2.5 x 40 = 100
    assert status_of(evaluate(ast=Decimal(ast)), "I13") is status


def test_crcl_exactly_60_from_age_weight_and_creatinine_is_met():
    # Man, 50 years, 120.0 kg, creatinine 221 umol/L = 221 / 88.4 = 2.5 mg/dL:
    # (140 - 50) x 120 / (72 x 2.5) = 10800 / 180 = 60.0 mL/min
    result = evaluate(birth_date=born(50), weight_kg=Decimal("120.0"), creatinine=Decimal(221))
    assert result.criterion("I15").values == {"crcl": Decimal("60.0")}
    assert status_of(result, "I15") is CriterionStatus.MET
    assert result.status is EligibilityStatus.ELIGIBLE


def test_crcl_59_9_is_not_met():
    # (140 - 50) x 119.8 / 180 = 10782 / 180 = 59.9 mL/min
    result = evaluate(birth_date=born(50), weight_kg=Decimal("119.8"), creatinine=Decimal(221))
    assert result.criterion("I15").values == {"crcl": Decimal("59.9")}
    assert status_of(result, "I15") is CriterionStatus.NOT_MET
    assert result.status is EligibilityStatus.INELIGIBLE
    assert result.failed == ("I15",)


def test_crcl_of_a_woman_is_multiplied_by_0_85():
    # Woman, 50 years, 120 kg, 221 umol/L: 60.0 x 0.85 = 51.0 mL/min -> not met
    result = evaluate(sex="female", pregnant_or_breastfeeding=False, birth_date=born(50),
                      weight_kg=Decimal("120.0"), creatinine=Decimal(221))
    assert result.criterion("I15").values == {"crcl": Decimal("51.0")}
    assert status_of(result, "I15") is CriterionStatus.NOT_MET


def test_pci_20_is_met_and_21_is_not():
    twenty = {f"pci_r{i}": s for i, s in enumerate([3, 3, 3, 3, 3, 3, 2] + [0] * 6)}
    assert status_of(evaluate(**twenty), "I04") is CriterionStatus.MET
    assert status_of(evaluate(**{**twenty, "pci_r12": 1}), "I04") is CriterionStatus.NOT_MET


@pytest.mark.parametrize(("ecog", "status"), [("0", CriterionStatus.MET), ("1", CriterionStatus.MET),
                                              ("2", CriterionStatus.NOT_MET)])
def test_ecog_0_or_1(ecog, status):
    assert status_of(evaluate(ecog=ecog), "I07") is status


def test_cytology_positive_without_p1_still_qualifies():
    result = evaluate(p_status="P0", **{f"pci_r{i}": 0 for i in range(13)})
    assert status_of(result, "I03") is CriterionStatus.MET


# -- exclusions ----------------------------------------------------------------------------


def test_one_exclusion_present_makes_the_participant_ineligible():
    result = evaluate(steroids_gt10mg_14d=True)
    assert result.status is EligibilityStatus.INELIGIBLE
    assert result.failed == ("E03",)
    e03 = result.criterion("E03")
    assert e03.truth is Truth.TRUE
    assert e03.status is CriterionStatus.NOT_MET
    assert "excluded" in e03.reason


@pytest.mark.parametrize(
    ("dna", "status"), [(Decimal(500), CriterionStatus.MET), (Decimal(501), CriterionStatus.NOT_MET)],
)
def test_active_hepatitis_b_is_hbv_dna_above_500(dna, status):
    assert status_of(evaluate(hbv_serology_positive=True, hbv_dna=dna), "E05") is status


def test_positive_hbv_serology_without_hbv_dna_is_incomplete():
    result = evaluate(hbv_serology_positive=True)
    assert result.status is EligibilityStatus.INCOMPLETE
    assert [m.variable for m in result.missing] == ["hbv_dna"]
    assert result.missing[0].needed_by == ("E05",)


def test_a_woman_must_state_pregnancy_or_breast_feeding():
    result = evaluate(sex="female")
    assert result.status is EligibilityStatus.INCOMPLETE
    assert [m.variable for m in result.missing] == ["pregnant_or_breastfeeding"]
    assert evaluate(sex="female", pregnant_or_breastfeeding=True).failed == ("E10",)
    assert evaluate(sex="female", pregnant_or_breastfeeding=False).status is EligibilityStatus.ELIGIBLE


# -- missing values ------------------------------------------------------------------------


def test_missing_anc_is_incomplete_and_names_anc():
    result = evaluate(anc=None)
    assert result.status is EligibilityStatus.INCOMPLETE
    assert status_of(result, "I09") is CriterionStatus.UNKNOWN
    assert [(m.variable, m.label, m.needed_by) for m in result.missing] == [
        ("anc", "Absolute neutrophil count", ("I09",))]
    assert result.missing[0].label_zh == "中性粒细胞绝对值"


def test_missing_creatinine_is_traced_from_crcl_to_the_field():
    result = evaluate(creatinine=None)
    assert [(m.variable, m.needed_by) for m in result.missing] == [("creatinine", ("I15",))]


def test_missing_pci_region_names_the_region():
    result = evaluate(pci_r11=None)
    assert [m.variable for m in result.missing] == ["pci_r11"]


def test_a_failed_criterion_makes_the_verdict_ineligible_even_with_data_missing():
    result = evaluate(anc=Decimal("1.0"), platelets=None)
    assert result.status is EligibilityStatus.INELIGIBLE
    assert result.failed == ("I09",)
    assert [m.variable for m in result.missing] == ["platelets"]


def test_an_empty_record_is_incomplete_not_eligible():
    result = evaluate_eligibility(protocol=SEED, values={}, as_of=AS_OF)
    assert result.status is EligibilityStatus.INCOMPLETE
    assert result.cohort.cohort is None
    assert "her2_ihc" in [m.variable for m in result.missing]
    assert not any(c.status is CriterionStatus.MET for c in result.criteria if c.kind == "inclusion")


# -- cohorts -------------------------------------------------------------------------------


def test_her2_ihc_2plus_without_ish_leaves_cohort_and_lvef_criterion_unknown():
    result = evaluate(her2_ihc="ihc2plus")
    assert result.status is EligibilityStatus.INCOMPLETE
    assert result.cohort.cohort is None
    assert result.cohort.missing == ("her2_ish_ratio",)
    assert status_of(result, "I17") is CriterionStatus.UNKNOWN
    assert {m.variable: m.needed_by for m in result.missing} == {
        "her2_ish_ratio": ("cohort", "I17"), "lvef": ("I17",)}


def test_cohort_unknown_keeps_the_lvef_criterion_unknown_even_when_lvef_is_given():
    result = evaluate(her2_ihc="ihc2plus", lvef=Decimal(60))
    assert status_of(result, "I17") is CriterionStatus.UNKNOWN
    assert result.status is EligibilityStatus.INCOMPLETE


@pytest.mark.parametrize(
    ("biomarkers", "cohort"),
    [
        ({"her2_ihc": "ihc0"}, "HER2-negative"),
        ({"her2_ihc": "ihc2plus", "her2_ish_ratio": Decimal("1.99")}, "HER2-negative"),
        ({"her2_ihc": "ihc2plus", "her2_ish_ratio": Decimal("2.0")}, "HER2-positive"),
        ({"her2_ihc": "ihc3plus"}, "HER2-positive"),
    ],
)
def test_her2_positive_is_ihc3plus_or_ihc2plus_with_ish_ratio_2(biomarkers, cohort):
    assert evaluate(lvef=Decimal(60), **biomarkers).cohort.cohort == cohort


def test_her2_positive_with_lvef_49_is_ineligible():
    result = evaluate(her2_ihc="ihc3plus", lvef=Decimal(49))
    assert result.cohort.cohort == "HER2-positive"
    assert result.status is EligibilityStatus.INELIGIBLE
    assert result.failed == ("I17",)


def test_her2_positive_with_lvef_50_is_eligible():
    result = evaluate(her2_ihc="ihc3plus", lvef=Decimal(50))
    assert result.status is EligibilityStatus.ELIGIBLE


def test_her2_positive_without_lvef_is_incomplete():
    result = evaluate(her2_ihc="ihc3plus")
    assert result.status is EligibilityStatus.INCOMPLETE
    assert [m.variable for m in result.missing] == ["lvef"]


def test_her2_negative_with_a_low_lvef_is_not_judged_on_it():
    result = evaluate(lvef=Decimal(40))
    assert status_of(result, "I17") is CriterionStatus.NOT_APPLICABLE
    assert result.status is EligibilityStatus.ELIGIBLE


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "phrase"),
    [
        ({"anc": "1.5"}, "anc", "must be a number in 10^9/L"),
        ({"anc": True}, "anc", "must be a number"),
        ({"anc": float("nan")}, "anc", "a finite number"),
        ({"anc": Decimal(150)}, "anc", "a number in [0, 100] 10^9/L"),
        ({"platelets": 150000}, "platelets", "check the unit"),
        ({"haemoglobin": Decimal("9.5")}, "haemoglobin", "a number in [20, 250] g/L"),
        ({"ecog": 1}, "ecog", "a code written as text"),
        ({"ecog": "5"}, "ecog", "one of 0, 1, 2, 3, 4"),
        ({"her2_ihc": "3+"}, "her2_ihc", "one of ihc0, ihc1plus, ihc2plus, ihc3plus"),
        ({"baseline_neuropathy_grade": 1.0}, "baseline_neuropathy_grade", "a whole number"),
        ({"baseline_neuropathy_grade": True}, "baseline_neuropathy_grade", "a whole number"),
        ({"prior_checkpoint_inhibitor": "no"}, "prior_checkpoint_inhibitor", "true or false"),
        ({"birth_date": "1970-05-10"}, "birth_date", "must be a date"),
        ({"birth_date": dt.datetime(1970, 5, 10)}, "birth_date", "must be a date"),
        ({"consent_date": dt.date(2026, 3, 4)}, "consent_date", "on or before 2026-03-03"),
        ({"birth_date": dt.date(2026, 3, 2)}, "birth_date", "a date before consent_date"),
        ({"neutrophils": Decimal(2)}, "neutrophils", "a variable the protocol declares"),
        ({"anx": Decimal(2)}, "anx", "did you mean 'anc'?"),
        ({"age": 50}, "age", "derived, not entered"),
        ({"crcl": Decimal(80)}, "crcl", "give its inputs: age, sex, weight_kg, creatinine"),
        ({"creatinine": Decimal(3500)}, "creatinine", "3000"),
        ({"weight_kg": Decimal(700)}, "weight_kg", "[25, 250] kg"),
    ],
)
def test_bad_values_are_refused_naming_the_field(changes, field, phrase):
    with pytest.raises(InputError) as info:
        evaluate(**changes)
    assert info.value.field == field
    assert phrase in str(info.value)


def test_as_of_must_be_a_date():
    with pytest.raises(InputError) as info:
        evaluate_eligibility(protocol=SEED, values=ELIGIBLE, as_of=dt.datetime(2026, 3, 3))  # type: ignore[arg-type]
    assert info.value.field == "as_of"
