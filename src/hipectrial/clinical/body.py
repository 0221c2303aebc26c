"""Body and kidney: body-surface area, the weight-change rule, creatinine clearance.

Every function validates its input (a height of 1.7 is metres, not centimetres; a weight of
650 kg is a typo), computes in :class:`~decimal.Decimal`, rounds as the protocol's
``dose_calculation`` section says, and returns the working as ``steps``.

References
----------
Mosteller RD. Simplified calculation of body-surface area. N Engl J Med 1987;317:1098.
Du Bois D, Du Bois EF. A formula to estimate the approximate surface area if height and
weight be known. Arch Intern Med 1916;17:863-71.
Cockcroft DW, Gault MH. Prediction of creatinine clearance from serum creatinine.
Nephron 1976;16:31-41.
shared/reference/protocol-decisions.md, "Dose calculation" (Mosteller, 2 decimals half up,
no cap; Cockcroft-Gault with actual weight, creatinine umol/L / 88.4, x 0.85 for women;
recalculate at a weight change >= 10 %).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum

from hipectrial.clinical.engine_cache import per_protocol
from hipectrial.clinical.numbers import to_decimal
from hipectrial.clinical.refusals import ValueRefusal
from hipectrial.errors import InputError
from hipectrial.phrases import Phrase
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import BsaSettings, CrclSettings, RoundingMode

AGE_YEARS = (18, 120)
CREATININE = {"umol/L": (Decimal(10), Decimal(3000)), "mg/dL": (Decimal("0.1"), Decimal(34))}

_ROUNDING = {
    RoundingMode.HALF_UP: ROUND_HALF_UP,
    RoundingMode.HALF_EVEN: ROUND_HALF_EVEN,
    RoundingMode.DOWN: ROUND_DOWN,
}


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


def _in_range(field: str, value: Decimal, bounds: tuple[Decimal, Decimal], unit: str,
              hint: str | None = None) -> None:
    low, high = bounds
    if not low <= value <= high:
        allowed = f"[{low}, {high}] {unit}"
        raise InputError(field, value, f"a number in {allowed}", hint,
                         phrase=Phrase(ValueRefusal.RANGE, (("range", allowed), ("check", ""))))


def round_to(value: Decimal, decimals: int, mode: RoundingMode) -> Decimal:
    """Round ``value`` to ``decimals`` places with the protocol's rounding mode.

    >>> x = Decimal("1.745")
    >>> round_to(x, 2, RoundingMode.HALF_UP), round_to(x, 2, RoundingMode.HALF_EVEN)
    (Decimal('1.75'), Decimal('1.74'))
    """
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=_ROUNDING[mode])


@dataclass(frozen=True, slots=True)
class BodyLimits:
    """Plausible height and weight (both ends included). Outside them a value is refused: it
    is a typo or the wrong unit, never a patient to dose. :func:`body_limits` reads them
    from the protocol's CRF, so the calculator and the form refuse the same values."""

    height_cm: tuple[Decimal, Decimal]
    weight_kg: tuple[Decimal, Decimal]


def _field_range(protocol: Protocol, field_id: str, unit: str) -> tuple[Decimal, Decimal]:
    try:
        field = protocol.field(field_id)[1]
    except KeyError:
        field = None
    if field is None or field.min is None or field.max is None or field.unit != unit:
        raise InputError(field_id, None, f"a range the protocol states ({protocol.study.id} has no CRF field "
                         f"{field_id!r} in {unit} with min and max)",
                         "plausibility limits come from the protocol's CRF field")
    return _exact_decimal(field.min), _exact_decimal(field.max)


def _exact_decimal(x: float) -> Decimal:
    """The number as written in the YAML (``250``, not ``250.0``)."""
    d = Decimal(repr(x))
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d


def body_limits(protocol: Protocol) -> BodyLimits:
    """The plausible height and weight of ``protocol``: the ``min``/``max`` of its CRF fields
    ``height_cm`` (cm) and ``weight_kg`` (kg), the one source of these limits.

    Raises
    ------
    InputError
        When the protocol has no such field, or it states no range.

    Examples
    --------
    >>> from hipectrial.protocol import load_protocol
    >>> body_limits(load_protocol()).weight_kg
    (Decimal('25'), Decimal('250'))
    """
    return per_protocol(protocol, "body_limits", lambda: BodyLimits(
        _field_range(protocol, "height_cm", "cm"), _field_range(protocol, "weight_kg", "kg")))


def check_height_cm(value: object, limits: BodyLimits) -> Decimal:
    height = to_decimal("height_cm", value)
    hint = None
    if Decimal(1) <= height <= Decimal("2.5"):
        hint = f"this looks like metres; give centimetres ({height * 100:f})"
    _in_range("height_cm", height, limits.height_cm, "cm", hint)
    return height


def check_weight_kg(value: object, limits: BodyLimits) -> Decimal:
    weight = to_decimal("weight_kg", value)
    hint = "this looks like a typo" if weight > limits.weight_kg[1] else None
    _in_range("weight_kg", weight, limits.weight_kg, "kg", hint)
    return weight


@dataclass(frozen=True, slots=True)
class BsaResult:
    """Body-surface area: the inputs, the method, the unrounded and the used value."""

    height_cm: Decimal
    weight_kg: Decimal
    method: str
    unrounded_m2: Decimal
    bsa_m2: Decimal
    capped: bool
    steps: tuple[str, ...]


def body_surface_area(*, height_cm: object, weight_kg: object, settings: BsaSettings,
                      limits: BodyLimits) -> BsaResult:
    """Body-surface area in m2 by the protocol's method, rounded as the protocol says.

    Parameters
    ----------
    height_cm, weight_kg
        Measured at the same visit; centimetres and kilograms.
    settings
        The protocol's ``dose_calculation.bsa``.
    limits
        The plausible height and weight (:func:`body_limits` of the protocol).

    Raises
    ------
    InputError
        For a height or weight outside ``limits`` (naming the field), with a hint when the
        value looks like metres or a typo.

    Examples
    --------
    170 cm, 65 kg, Mosteller: sqrt(170 x 65 / 3600) = sqrt(3.069444) = 1.75198 -> 1.75 m2.

    >>> from hipectrial.protocol.regimen import BsaSettings, RoundingMode
    >>> s = BsaSettings(method="mosteller", decimals=2, rounding=RoundingMode.HALF_UP)
    >>> limits = BodyLimits(height_cm=(Decimal(100), Decimal(230)), weight_kg=(Decimal(25), Decimal(250)))
    >>> body_surface_area(height_cm=170, weight_kg=65, settings=s, limits=limits).bsa_m2
    Decimal('1.75')
    """
    height = check_height_cm(height_cm, limits)
    weight = check_weight_kg(weight_kg, limits)
    with localcontext() as ctx:
        ctx.prec = 28
        if settings.method == "mosteller":
            raw = (height * weight / Decimal(3600)).sqrt()
            formula = f"Mosteller: sqrt({height} cm x {weight} kg / 3600)"
        else:
            # Du Bois: 0.007184 x W^0.425 x H^0.725; Decimal has no real powers, so the
            # powers are taken in binary floating point (relative error ~1e-16).
            value = 0.007184 * math.pow(float(weight), 0.425) * math.pow(float(height), 0.725)
            raw = Decimal(repr(value))
            formula = f"Du Bois: 0.007184 x {weight}^0.425 x {height}^0.725"
    shown = round_to(raw, 6, RoundingMode.HALF_UP)
    rounded = round_to(raw, settings.decimals, settings.rounding)
    steps = [f"{formula} = {shown} m2",
             f"rounded to {settings.decimals} decimals ({settings.rounding.value}): {rounded} m2"]
    capped = settings.cap_m2 is not None and rounded > settings.cap_m2
    if capped and settings.cap_m2 is not None:
        steps.append(f"capped at {settings.cap_m2} m2 (protocol cap)")
        rounded = settings.cap_m2
    return BsaResult(height, weight, settings.method, raw, rounded, capped, tuple(steps))


@dataclass(frozen=True, slots=True)
class WeightChange:
    reference_weight_kg: Decimal
    current_weight_kg: Decimal
    change_percent: Decimal
    threshold_percent: Decimal
    recalculate: bool
    steps: tuple[str, ...]


def weight_change(*, reference_weight_kg: object, current_weight_kg: object,
                  threshold_percent: Decimal, limits: BodyLimits) -> WeightChange:
    """Whether doses must be recalculated: |current - reference| / reference >= threshold.

    ``reference_weight_kg`` is the weight the current doses were based on. The comparison
    is exact (a change of exactly 10 % with a 10 % threshold recalculates, per
    protocol-decisions.md "changed by >= 10 %"). Both weights must be within ``limits``.

    >>> limits = BodyLimits(height_cm=(Decimal(100), Decimal(230)), weight_kg=(Decimal(25), Decimal(250)))
    >>> weight_change(reference_weight_kg=70, current_weight_kg=63,
    ...               threshold_percent=Decimal(10), limits=limits).recalculate
    True
    >>> weight_change(reference_weight_kg=70, current_weight_kg="63.1",
    ...               threshold_percent=Decimal(10), limits=limits).recalculate
    False
    """
    reference = check_weight_kg(reference_weight_kg, limits)
    current = check_weight_kg(current_weight_kg, limits)
    change = (current - reference) / reference * 100
    recalc = abs(change) >= threshold_percent
    shown = round_to(change, 2, RoundingMode.HALF_UP)
    verdict = "recalculate doses" if recalc else "keep doses"
    steps = (
        f"({current} - {reference}) / {reference} kg = {shown} %",
        f"|{shown}| % {'>=' if recalc else '<'} {threshold_percent} % -> {verdict}",
    )
    return WeightChange(reference, current, change, threshold_percent, recalc, steps)


@dataclass(frozen=True, slots=True)
class CrclResult:
    age_years: int
    sex: Sex
    weight_kg: Decimal
    creatinine: Decimal
    creatinine_unit: str
    creatinine_mg_dl: Decimal
    crcl_ml_min: Decimal
    steps: tuple[str, ...]


def creatinine_clearance(*, age_years: object, sex: object, weight_kg: object, creatinine: object,
                         unit: str, settings: CrclSettings, limits: BodyLimits) -> CrclResult:
    """Creatinine clearance (mL/min) by Cockcroft-Gault with actual body weight.

    CrCl = (140 - age) x weight / (72 x SCr[mg/dL]), x female_factor for women; SCr in
    umol/L is divided by ``settings.creatinine_umol_per_mg_dl``. The result is rounded
    (half up) to ``settings.decimals`` places, and that value is the one compared with
    limits, so what a clinician reads is what the rules use. The weight must be within
    ``limits`` (:func:`body_limits`).

    Examples
    --------
    Man, 60 y, 70 kg, creatinine 88.4 umol/L = 1.0 mg/dL: (140 - 60) x 70 / 72 = 77.777...
    -> 77.8 mL/min.

    >>> from hipectrial.protocol.regimen import CrclSettings
    >>> s = CrclSettings(formula="cockcroft_gault", weight="actual", female_factor=Decimal("0.85"),
    ...                  creatinine_umol_per_mg_dl=Decimal("88.4"), decimals=1)
    >>> limits = BodyLimits(height_cm=(Decimal(100), Decimal(230)), weight_kg=(Decimal(25), Decimal(250)))
    >>> creatinine_clearance(age_years=60, sex="male", weight_kg=70, creatinine=88.4,
    ...                      unit="umol/L", settings=s, limits=limits).crcl_ml_min
    Decimal('77.8')
    """
    if isinstance(age_years, bool) or not isinstance(age_years, int):
        raise InputError("age_years", age_years, "a whole number of years")
    if not AGE_YEARS[0] <= age_years <= AGE_YEARS[1]:
        raise InputError("age_years", age_years, f"in [{AGE_YEARS[0]}, {AGE_YEARS[1]}] years",
                         "Cockcroft-Gault is defined for adults")
    if sex not in tuple(Sex):
        raise InputError("sex", sex, "male or female")
    sex_value = Sex(str(sex))
    weight = check_weight_kg(weight_kg, limits)
    if unit not in CREATININE:
        raise InputError("unit", unit, "umol/L or mg/dL")
    value = to_decimal("creatinine", creatinine)
    low, high = CREATININE[unit]
    hint = None
    if unit == "mg/dL" and value > high:
        hint = "this looks like umol/L"
    elif unit == "umol/L" and value < low:
        hint = "this looks like mg/dL"
    _in_range("creatinine", value, (low, high), unit, hint)
    factor = settings.creatinine_umol_per_mg_dl
    steps = []
    with localcontext() as ctx:
        ctx.prec = 28
        if unit == "umol/L":
            scr = value / factor
            shown = round_to(scr, 4, RoundingMode.HALF_UP)
            steps.append(f"creatinine {value} umol/L / {factor} = {shown} mg/dL")
        else:
            scr = value
        raw = (140 - age_years) * weight / (72 * scr)
        steps.append(
            f"(140 - {age_years}) x {weight} kg / (72 x {round_to(scr, 4, RoundingMode.HALF_UP)} mg/dL)"
            f" = {round_to(raw, 3, RoundingMode.HALF_UP)} mL/min"
        )
        if sex_value is Sex.FEMALE:
            raw = raw * settings.female_factor
            shown = round_to(raw, 3, RoundingMode.HALF_UP)
            steps.append(f"x {settings.female_factor} (female) = {shown} mL/min")
    crcl = round_to(raw, settings.decimals, RoundingMode.HALF_UP)
    steps.append(f"rounded to {settings.decimals} decimal(s), half up: {crcl} mL/min")
    return CrclResult(age_years, sex_value, weight, value, unit, scr, crcl, tuple(steps))
