"""BSA, weight change and creatinine clearance against hand-worked examples.

Reference: protocol-decisions.md "Dose calculation"; Mosteller BSA = sqrt(H x W / 3600);
Du Bois BSA = 0.007184 x W^0.425 x H^0.725; Cockcroft-Gault CrCl = (140 - age) x W /
(72 x SCr mg/dL) x 0.85 if female, SCr umol/L / 88.4. Square roots below were worked with
a 30-digit calculator; the arithmetic is in each comment.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hipectrial.clinical.body import (
    BodyLimits,
    body_limits,
    body_surface_area,
    creatinine_clearance,
    weight_change,
)
from hipectrial.errors import InputError
from hipectrial.protocol import load_protocol
from hipectrial.protocol.regimen import BsaSettings, RoundingMode

SEED = load_protocol()
CALC = SEED.dose_calculation
LIMITS = body_limits(SEED)
BSA = CALC.bsa
CRCL = CALC.crcl


@pytest.mark.parametrize(
    ("height", "weight", "unrounded_prefix", "bsa"),
    [
        (170, 65, "1.751983", "1.75"),  # 170 x 65 / 3600 = 3.069444; sqrt = 1.751983
        (150, "37.5", "1.25", "1.25"),  # 5625 / 3600 = 1.5625; sqrt = 1.25 exactly (S-1 band edge)
        (162, 50, "1.5", "1.50"),  # 8100 / 3600 = 2.25; sqrt = 1.5 exactly (S-1 band edge)
        (150, "37.2", "1.244989", "1.24"),  # 5580 / 3600 = 1.55; sqrt = 1.244990: just below x.xx5
        (150, "37.21", "1.245157", "1.25"),  # 5581.5 / 3600 = 1.550417; sqrt = 1.245157: rounds up
    ],
)
def test_mosteller_worked_examples(height: object, weight: object, unrounded_prefix: str, bsa: str) -> None:
    result = body_surface_area(height_cm=height, weight_kg=weight, settings=BSA, limits=LIMITS)
    assert str(result.unrounded_m2).startswith(unrounded_prefix)
    assert result.bsa_m2 == Decimal(bsa)
    assert result.method == "mosteller"
    assert result.steps[-1] == f"rounded to 2 decimals (half_up): {bsa} m2"


def test_dubois_worked_example() -> None:
    # 0.007184 x 65^0.425 x 170^0.725 = 0.007184 x 5.89521 x 41.41717 = 1.753598 -> 1.75
    settings = BSA.model_copy(update={"method": "dubois"})
    result = body_surface_area(height_cm=170, weight_kg=65, settings=settings, limits=LIMITS)
    assert abs(result.unrounded_m2 - Decimal("1.753598")) < Decimal("0.000001")
    assert result.bsa_m2 == Decimal("1.75")


def test_cap_applies_when_the_protocol_sets_one() -> None:
    settings = BsaSettings(method="mosteller", decimals=2, rounding=RoundingMode.HALF_UP, cap_m2=Decimal("2.0"))
    # 190 x 100 / 3600 = 5.277778; sqrt = 2.297341 -> 2.30, capped at 2.0
    result = body_surface_area(height_cm=190, weight_kg=100, settings=settings, limits=LIMITS)
    assert (result.bsa_m2, result.capped) == (Decimal("2.0"), True)
    uncapped = body_surface_area(height_cm=190, weight_kg=100, settings=BSA, limits=LIMITS)
    assert (uncapped.bsa_m2, uncapped.capped) == (Decimal("2.30"), False)


def test_height_in_metres_is_refused_with_a_hint() -> None:
    with pytest.raises(InputError) as info:
        body_surface_area(height_cm=1.7, weight_kg=65, settings=BSA, limits=LIMITS)
    assert info.value.field == "height_cm"
    assert "got 1.7 (this looks like metres; give centimetres (170.0))" in str(info.value)


@pytest.mark.parametrize(
    ("weight", "phrase"),
    [(650, "weight_kg must be a number in [25, 250] kg; got 650 (this looks like a typo)"),
     (-3, "weight_kg must be a number in [25, 250] kg; got -3"),
     ("abc", "weight_kg must be a number; got 'abc'"),
     (True, "weight_kg must be a number; got True"),
     (float("nan"), "weight_kg must be a finite number")],
)
def test_implausible_weight_is_refused(weight: object, phrase: str) -> None:
    with pytest.raises(InputError) as info:
        body_surface_area(height_cm=170, weight_kg=weight, settings=BSA, limits=LIMITS)
    assert info.value.field == "weight_kg"
    assert phrase in str(info.value)


@pytest.mark.parametrize(
    ("reference", "current", "recalculate"),
    [(70, 63, True),  # -7/70 = -10.00 %: exactly at the threshold -> recalculate (">= 10 %")
     (70, "63.1", False),  # -6.9/70 = -9.857 %
     (70, 77, True),  # +10.00 %
     (70, "76.9", False)],  # +9.857 %
)
def test_weight_change_rule_at_the_threshold(reference: object, current: object, recalculate: bool) -> None:
    result = weight_change(reference_weight_kg=reference, current_weight_kg=current,
                           threshold_percent=CALC.recalculate_weight_change_percent, limits=LIMITS)
    assert result.recalculate is recalculate


@pytest.mark.parametrize(
    ("age", "sex", "weight", "creatinine", "unit", "crcl"),
    [
        (60, "male", 70, "88.4", "umol/L", "77.8"),  # 88.4/88.4 = 1.0; 80 x 70 / 72 = 77.777
        (60, "female", 70, "88.4", "umol/L", "66.1"),  # 77.777 x 0.85 = 66.111
        (50, "female", 55, "1.2", "mg/dL", "48.7"),  # 90 x 55 / 86.4 = 57.2917; x 0.85 = 48.698
        (68, "male", 60, "88.4", "umol/L", "60.0"),  # 72 x 60 / 72 = 60 exactly: the eligibility limit
        (68, "male", 60, "88.5", "umol/L", "59.9"),  # 88.5/88.4 = 1.001131; 4320 / 72.0814 = 59.932
        (68, "male", 60, "1.0", "mg/dL", "60.0"),
    ],
)
def test_cockcroft_gault_worked_examples(age: int, sex: str, weight: object, creatinine: str,
                                         unit: str, crcl: str) -> None:
    result = creatinine_clearance(age_years=age, sex=sex, weight_kg=weight, creatinine=creatinine,
                                  unit=unit, settings=CRCL, limits=LIMITS)
    assert result.crcl_ml_min == Decimal(crcl)


def test_crcl_steps_show_the_conversion() -> None:
    result = creatinine_clearance(age_years=60, sex="female", weight_kg=70, creatinine="88.4",
                                  unit="umol/L", settings=CRCL, limits=LIMITS)
    assert result.steps == (
        "creatinine 88.4 umol/L / 88.4 = 1.0000 mg/dL",
        "(140 - 60) x 70 kg / (72 x 1.0000 mg/dL) = 77.778 mL/min",
        "x 0.85 (female) = 66.111 mL/min",
        "rounded to 1 decimal(s), half up: 66.1 mL/min",
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "phrase"),
    [
        ({"age_years": 17}, "age_years", "Cockcroft-Gault is defined for adults"),
        ({"age_years": 60.5}, "age_years", "a whole number of years"),
        ({"sex": "M"}, "sex", "male or female"),
        ({"unit": "mmol/L"}, "unit", "umol/L or mg/dL"),
        ({"creatinine": "80", "unit": "mg/dL"}, "creatinine", "this looks like umol/L"),
        ({"creatinine": "0.9", "unit": "umol/L"}, "creatinine", "this looks like mg/dL"),
        ({"creatinine": "-1"}, "creatinine", "a number in [10, 3000] umol/L"),
    ],
)
def test_bad_crcl_input_is_named(kwargs: dict[str, object], field: str, phrase: str) -> None:
    args: dict[str, object] = {"age_years": 60, "sex": "male", "weight_kg": 70, "creatinine": "88.4",
                               "unit": "umol/L"}
    args.update(kwargs)
    with pytest.raises(InputError) as info:
        creatinine_clearance(settings=CRCL, limits=LIMITS, **args)  # type: ignore[arg-type]
    assert info.value.field == field
    assert phrase in str(info.value)


def test_limits_are_the_crf_fields_ranges() -> None:
    # The seed's vital_signs form: height_cm 100-230 cm, weight_kg 25-250 kg (plausibility).
    assert BodyLimits(height_cm=(Decimal(100), Decimal(230)), weight_kg=(Decimal(25), Decimal(250))) == LIMITS


@pytest.mark.parametrize(("weight", "accepted"), [
    ("25", True), ("24.9", False), ("250", True), ("250.1", False), ("280", False)])
def test_weight_at_the_crf_limits(weight: str, accepted: bool) -> None:
    if accepted:
        assert body_surface_area(height_cm=170, weight_kg=weight, settings=BSA, limits=LIMITS).weight_kg == Decimal(weight)
    else:
        with pytest.raises(InputError, match=r"weight_kg must be a number in \[25, 250\] kg"):
            body_surface_area(height_cm=170, weight_kg=weight, settings=BSA, limits=LIMITS)


@pytest.mark.parametrize(("height", "accepted"), [("100", True), ("99.9", False), ("230", True), ("230.1", False)])
def test_height_at_the_crf_limits(height: str, accepted: bool) -> None:
    if accepted:
        assert body_surface_area(height_cm=height, weight_kg=70, settings=BSA, limits=LIMITS).height_cm == Decimal(height)
    else:
        with pytest.raises(InputError, match=r"height_cm must be a number in \[100, 230\] cm"):
            body_surface_area(height_cm=height, weight_kg=70, settings=BSA, limits=LIMITS)


def test_limits_follow_the_protocols_crf() -> None:
    forms = []
    for form in SEED.forms:
        fields = [f.model_copy(update={"max": 280.0}) if f.id == "weight_kg" else f for f in form.fields]
        forms.append(form.model_copy(update={"fields": fields}))
    heavier = SEED.model_copy(update={"forms": forms})
    assert body_limits(heavier).weight_kg == (Decimal(25), Decimal(280))
    weight_change(reference_weight_kg=270, current_weight_kg=280, threshold_percent=Decimal(10),
                  limits=body_limits(heavier))


def test_a_protocol_without_a_weight_range_is_refused() -> None:
    forms = []
    for form in SEED.forms:
        fields = [f.model_copy(update={"max": None}) if f.id == "weight_kg" else f for f in form.fields]
        forms.append(form.model_copy(update={"fields": fields}))
    with pytest.raises(InputError, match="weight_kg"):
        body_limits(SEED.model_copy(update={"forms": forms}))


heights = st.decimals(min_value=100, max_value=230, places=1)
weights = st.decimals(min_value=25, max_value=250, places=1)


@given(heights, heights, weights)
def test_bsa_never_decreases_with_height(h1: Decimal, h2: Decimal, w: Decimal) -> None:
    low, high = sorted((h1, h2))
    assert (body_surface_area(height_cm=low, weight_kg=w, settings=BSA, limits=LIMITS).bsa_m2
            <= body_surface_area(height_cm=high, weight_kg=w, settings=BSA, limits=LIMITS).bsa_m2)


@given(heights, weights, weights)
def test_bsa_never_decreases_with_weight(h: Decimal, w1: Decimal, w2: Decimal) -> None:
    low, high = sorted((w1, w2))
    assert (body_surface_area(height_cm=h, weight_kg=low, settings=BSA, limits=LIMITS).bsa_m2
            <= body_surface_area(height_cm=h, weight_kg=high, settings=BSA, limits=LIMITS).bsa_m2)
