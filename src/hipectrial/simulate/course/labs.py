"""Laboratory values of a simulated participant, consistent with the AE grades drawn.

Each graded test (neutrophils, platelets, haemoglobin, ALT, AST, bilirubin) gets a grid of
candidate values, multiples of the participant's reference limit, and every candidate is
graded once by :func:`hipectrial.clinical.grade_lab` (CTCAE v5.0): a value "of grade g" is a
candidate the clinical engine grades g, so no CTCAE threshold is written here. Values without
an ongoing AE are grade-0 candidates. Because values come from a small set, the same
dose-modification inputs recur and the clinical engine's pure results can be cached.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from hipectrial.clinical import grade_lab
from hipectrial.clinical.engine_cache import per_protocol
from hipectrial.data import LabResult
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol, ValueType
from hipectrial.simulate.types import LabValue

# Multiples of the LLN (tests graded for low values) or the ULN (high values) tried as
# candidate values; the clinical engine decides which grade each one is.
_LOW_FACTORS = (0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.05, 1.15, 1.3, 1.5, 1.8)
_HIGH_FACTORS = (0.3, 0.45, 0.6, 0.75, 0.9, 1.2, 1.4, 2.0, 2.5, 2.9, 3.5, 4.5, 7.0, 12.0, 25.0)
_GRADED_LOW = ("NEUT", "PLAT", "HGB")
_GRADED_HIGH = ("ALT", "AST", "BILI")
# Typical adult reference ranges (value, lower, upper), used only when the screening
# profile lacks the test or reports it in another unit than the protocol's.
_DEFAULTS = {
    "NEUT": ("3.5", "2.0", "7.5"), "PLAT": ("220", "100", "300"), "HGB": ("132", "120", "160"),
    "ALT": ("22", None, "40"), "AST": ("24", None, "40"), "BILI": ("10.5", "3.4", "20.5"),
    "CREAT": ("75", "44", "133"), "WBC": ("6.0", "3.5", "9.5"), "INR": ("1.00", "0.80", "1.20"),
}
# Recorded at every cycle visit (the protocol's labs form requires them) but not drawn as
# toxicities here: they vary a little around the screening value.
_UNGRADED = ("CREAT", "WBC", "INR")
TESTS = (*_GRADED_LOW, *_GRADED_HIGH, *_UNGRADED)


def _d(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


@dataclass(frozen=True, slots=True)
class ParticipantLab:
    """One test for one participant: unit, reference range, candidates by grade."""

    code: str
    variable: str | None          # the protocol's labs field id (``anc``), for dose modification
    unit: str
    quantum: Decimal              # the field's precision (``decimals`` in the protocol)
    lower: Decimal | None
    upper: Decimal | None
    baseline: Decimal
    by_grade: tuple[tuple[Decimal, ...], ...]   # index = CTCAE grade 0-4
    term: str | None


@dataclass(frozen=True, slots=True)
class _Field:
    variable: str
    unit: str
    quantum: Decimal


_Grid = tuple[tuple[tuple[Decimal, ...], ...], str | None]
_GRID_CACHE: dict[tuple[str, str, Decimal, Decimal | None, Decimal | None], _Grid] = {}


def _fields(protocol: Protocol) -> dict[str, _Field]:
    """The protocol's lab fields by CDISC code (the first form declaring each code), looked
    up once per protocol (engine_cache)."""
    return per_protocol(protocol, "simulate.lab_fields", lambda: _lab_fields(protocol))


def _lab_fields(protocol: Protocol) -> dict[str, _Field]:
    found: dict[str, _Field] = {}
    for form in protocol.forms:
        for f in form.fields:
            if f.cdisc and f.cdisc not in found and f.unit:
                if f.decimals is None and f.type is ValueType.DECIMAL:
                    raise InputError(f"forms.{form.id}.fields.{f.id}.decimals", None,
                                     "the number of decimals the lab reports",
                                     "the simulator rounds lab values to the field's precision")
                quantum = Decimal(1).scaleb(-(f.decimals or 0))
                found[f.cdisc] = _Field(f.id, f.unit, quantum)
    return found


def _quantize(quantum: Decimal, value: float) -> Decimal:
    """A value at the field's precision (half up, as a lab report rounds)."""
    return Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def _grid(code: str, unit: str, quantum: Decimal, lower: Decimal | None, upper: Decimal | None
          ) -> tuple[tuple[tuple[Decimal, ...], ...], str | None]:
    key = (code, unit, quantum, lower, upper)
    cached = _GRID_CACHE.get(key)
    if cached is not None:
        return cached
    low = code in _GRADED_LOW
    reference = lower if low else upper
    grades: list[list[Decimal]] = [[] for _ in range(5)]
    term: str | None = None
    if reference is not None:
        for factor in _LOW_FACTORS if low else _HIGH_FACTORS:
            value = _quantize(quantum, float(reference) * factor)
            if value <= 0:
                continue
            try:
                graded = grade_lab(test=code, value=value, unit=unit, lln=lower, uln=upper)
            except InputError:
                continue  # outside the plausible range of the test: not a candidate
            if graded.grade == graded.grade_range[0] and 0 <= graded.grade <= 4:
                grades[graded.grade].append(value)
            if graded.term is not None and graded.grade > 0:
                term = graded.term.value
    result = (tuple(tuple(g) for g in grades), term)
    _GRID_CACHE[key] = result
    return result


def lab_specs(protocol: Protocol, labs: dict[str, LabValue]) -> dict[str, ParticipantLab]:
    """The participant's lab tests, from the screening profile (or typical defaults)."""
    fields = _fields(protocol)
    specs: dict[str, ParticipantLab] = {}
    for code in TESTS:
        f = fields.get(code)
        if f is None:
            continue
        given = labs.get(code)
        if given is not None and given.unit == f.unit:
            value, lower, upper = given.value, given.lower, given.upper
        else:
            v, lo, hi = _DEFAULTS[code]
            value, lower, upper = Decimal(v), _d(lo), _d(hi)
        if code in _UNGRADED:
            specs[code] = ParticipantLab(code, f.variable, f.unit, f.quantum, lower, upper, value, (), None)
            continue
        by_grade, term = _grid(code, f.unit, f.quantum, lower, upper)
        specs[code] = ParticipantLab(code, f.variable, f.unit, f.quantum, lower, upper, value, by_grade,
                              term)
    return specs


def normal_sets(rng: np.random.Generator, specs: dict[str, ParticipantLab], count: int = 3
                ) -> tuple[dict[str, Decimal], ...]:
    """``count`` sets of grade-0 values: what the participant's labs read between toxicities.

    The first set keeps the screening values where they grade 0."""
    sets: list[dict[str, Decimal]] = []
    for k in range(count):
        values: dict[str, Decimal] = {}
        for code, spec in specs.items():
            if code in _UNGRADED:
                factor = (1.0, 0.95, 1.06)[k % 3]
                values[code] = _quantize(spec.quantum, float(spec.baseline) * factor)
                continue
            normal = spec.by_grade[0] if spec.by_grade else ()
            if k == 0 and spec.baseline in normal:
                values[code] = spec.baseline
            elif normal:
                # The grade-0 candidates nearest the reference limit are the likeliest.
                near = normal[:3] if code in _GRADED_LOW else normal[-3:]
                values[code] = near[int(rng.integers(len(near)))]
            else:
                values[code] = spec.baseline
        sets.append(values)
    return tuple(sets)


def value_of_grade(spec: ParticipantLab, grade: int, rng: np.random.Generator) -> Decimal | None:
    """A value the clinical engine grades ``grade`` for this test; None if the grid has none."""
    if not spec.by_grade:
        return None
    candidates = spec.by_grade[grade] if grade < len(spec.by_grade) else ()
    if not candidates:
        return None
    return candidates[int(rng.integers(len(candidates)))]


def lab_record(pid: str, spec: ParticipantLab, value: Decimal, when: dt.date) -> LabResult:
    return LabResult(participant_id=pid, test_code=spec.code, value=value, unit=spec.unit,
                     date=when, reference_lower=spec.lower, reference_upper=spec.upper)


def term_to_code(specs: dict[str, ParticipantLab]) -> dict[str, str]:
    """CTCAE term -> lab code, as the clinical engine names the terms of the graded tests."""
    return {spec.term: code for code, spec in specs.items() if spec.term is not None}
