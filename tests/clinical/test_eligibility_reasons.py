"""Each eligibility reason carries a code and parameters that say what its English says
(for a shell wording it in another language); the English is the one it always was."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import yaml

from hipectrial.clinical.eligibility import ENGLISH, CohortReason, CriterionReason, evaluate_eligibility
from hipectrial.phrases import english
from hipectrial.protocol import parse_protocol, seed_protocol_path

from .test_eligibility import AS_OF, ELIGIBLE, evaluate


def test_a_her2_only_criterion_while_the_cohort_is_unknown():
    # IHC 2+ without ISH: HER2 status, so the cohort, unknown; I17 (LVEF) is for HER2-positive only
    result = evaluate(her2_ihc="ihc2plus")
    i17 = result.criterion("I17")
    assert (i17.reason_code, i17.reason_params) == (CriterionReason.COHORT_UNKNOWN, (("cohorts", ("HER2-positive",)),))
    assert i17.reason == "applies to HER2-positive only; the cohort is unknown"
    cohort = result.cohort
    assert cohort.reason_code is CohortReason.RULE_UNKNOWN
    assert dict(cohort.reason_params) == {"rules": ("HER2-negative", "HER2-positive"), "missing": ("her2_ish_ratio",)}
    assert cohort.reason == "rule of HER2-negative, HER2-positive unknown; missing her2_ish_ratio"


def test_a_her2_only_criterion_for_a_her2_negative_participant():
    i17 = evaluate().criterion("I17")
    assert (i17.reason_code, dict(i17.reason_params)) == (
        CriterionReason.NOT_APPLICABLE, {"cohorts": ("HER2-positive",), "cohort": "HER2-negative"})
    assert i17.reason == "applies to HER2-positive only; cohort is HER2-negative"


def test_a_criterion_with_a_value_missing_names_it():
    i09 = evaluate(anc=None).criterion("I09")  # seed I09: ANC >= 1.5 x 10^9/L
    assert (i09.reason_code, i09.reason_params) == (CriterionReason.MISSING, (("missing", ("anc",)),))
    assert i09.reason == "unknown: missing anc"


def _no_cohort_protocol() -> Any:
    """The seed protocol amended so that HER2-negative takes only ECOG 0: an ECOG 1
    HER2-negative man has no cohort."""
    data = yaml.safe_load(seed_protocol_path().read_text(encoding="utf-8"))
    negative = next(c for c in data["cohorts"] if c["id"] == "HER2-negative")
    negative["rule"] = "!her2_positive && ecog == '0'"
    return parse_protocol(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "amended.yaml")


def test_every_reason_is_its_code_and_parameters_said_in_english():
    results = [
        evaluate(),  # every criterion met, I17 not applicable
        evaluate(ecog="3"),  # I07 not met
        evaluate(prior_checkpoint_inhibitor=True),  # E01 applies
        evaluate(anc=None),  # I09 missing a value
        evaluate(her2_ihc="ihc2plus"),  # cohort unknown
        evaluate(her2_ihc="ihc3plus", lvef=Decimal(60)),  # HER2-positive: I17 applies and holds
        evaluate_eligibility(protocol=_no_cohort_protocol(), values=ELIGIBLE, as_of=AS_OF),
    ]
    seen = set()
    for result in results:
        for outcome in (result.cohort, *result.criteria):
            assert outcome.reason == english(outcome.phrase, ENGLISH)
            seen.add(outcome.reason_code)
    assert results[-1].cohort.reason == "no cohort rule holds"
    assert seen == set(CriterionReason) | set(CohortReason)


def test_the_reason_code_and_parameters_take_no_part_in_equality():
    i17 = evaluate().criterion("I17")
    assert dataclasses.replace(i17, reason_params=()) == i17
    cohort = evaluate().cohort
    assert dataclasses.replace(cohort, reason_code=CohortReason.NO_RULE_HOLDS) == cohort


def test_a_derived_value_missing_for_a_minor_says_why_as_a_code_and_parameters():
    from hipectrial.clinical.records.derived import ENGLISH as DERIVED_ENGLISH
    from hipectrial.clinical.records.derived import DerivedReason

    from .test_eligibility import born

    crcl = next(m for m in evaluate(birth_date=born(18, 1)).missing if m.variable == "crcl")  # 17 years old
    # Cockcroft-Gault is used for adults: clinical.body AGE_YEARS (18, 120)
    assert (crcl.reason_code, dict(crcl.reason_params)) == (
        DerivedReason.CRCL_ADULTS_ONLY, {"low": "18", "high": "120", "variable": "age", "age": "17"})
    assert crcl.reason == "Cockcroft-Gault is defined for adults aged 18-120 years; age is 17"
    assert crcl.phrase is not None
    assert crcl.reason == english(crcl.phrase, DERIVED_ENGLISH)
