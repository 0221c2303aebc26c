"""Derived variables of a record, and what a rule still needs.

:func:`derive` computes the protocol's derived variables: CEL ones through the protocol's
scope, named derivations (age, BSA, CrCl) through :mod:`hipectrial.clinical.body`. A
derived variable whose inputs are missing stays missing, so rules using it are unknown.
:func:`missing_fields` traces what is missing back to the fields a user must fill.
"""

from __future__ import annotations

import datetime as dt
import functools
import graphlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import Decimal
from enum import StrEnum

from hipectrial.clinical.body import AGE_YEARS, body_limits, body_surface_area, creatinine_clearance
from hipectrial.clinical.engine_cache import per_protocol
from hipectrial.clinical.records.values import derived_variables, field_of
from hipectrial.clinical.refusals import ValueRefusal, refused
from hipectrial.errors import ExpressionError, InputError
from hipectrial.phrases import Params, Phrase, english
from hipectrial.protocol import FrozenValues, Protocol, Truth, ValueType
from hipectrial.protocol.forms import Derivation, DerivedVariable


class CriterionStatus(StrEnum):
    """What a rule says of a participant: met, not met, unknown, or not applicable (cohort)."""

    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"


class DerivedReason(StrEnum):
    """Why a derived variable with every input present has no value; parameters: ``low``
    and ``high`` (years), ``variable`` (the age variable's id), ``age`` (years)."""

    NEEDS_BASELINE = "needs_baseline"
    CRCL_ADULTS_ONLY = "crcl_adults_only"


# The English of each reason: the one place it is worded (hipectrial.phrases).
ENGLISH: Mapping[str, str] = {
    DerivedReason.NEEDS_BASELINE: "needs the baseline value, which a single record does not hold",
    DerivedReason.CRCL_ADULTS_ONLY:
        "Cockcroft-Gault is defined for adults aged {low}-{high} years; {variable} is {age}",
}


@dataclass(frozen=True, slots=True)
class DerivedValue:
    """One derived variable: its value (``None`` when it cannot be derived) and how.

    ``missing`` names the variables whose absence left it missing (recorded or derived);
    ``reason`` says why a variable with all inputs present still has no value, in English,
    and ``reason_code`` with ``reason_params`` say the same for a shell wording it in
    another language (:mod:`hipectrial.phrases`; no part in equality).
    """

    variable: str
    value: object | None
    unit: str | None
    method: str
    missing: tuple[str, ...]
    reason: str | None
    steps: tuple[str, ...]
    reason_code: DerivedReason | None = dc_field(default=None, compare=False)
    reason_params: Params = dc_field(default=(), compare=False)

    @property
    def phrase(self) -> Phrase | None:
        """The reason as a :class:`~hipectrial.phrases.Phrase` (``None`` when there is none)."""
        return None if self.reason_code is None else Phrase(self.reason_code, self.reason_params)


def _no_value(d: DerivedVariable, method: str, code: DerivedReason, params: Params = ()) -> DerivedValue:
    """A derived variable left missing with every input present, and why."""
    reason = english(Phrase(code, params), ENGLISH)
    return DerivedValue(d.id, None, d.unit, method, (), reason, (f"{d.id}: {reason}",), code, params)


@dataclass(frozen=True, slots=True)
class Derived:
    """A record with its derived variables: ``values`` holds both (missing ones omitted)."""

    values: Mapping[str, object]
    variables: tuple[DerivedValue, ...]

    def variable(self, name: str) -> DerivedValue:
        """The derivation of ``name``; ``KeyError`` when it is not a derived variable."""
        for d in self.variables:
            if d.variable == name:
                return d
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class MissingValue:
    """A value a rule needs and the record lacks, with its label from the protocol."""

    variable: str
    label: str
    label_zh: str
    needed_by: tuple[str, ...]
    reason: str | None = None
    # why a derived value is missing with its inputs present (DerivedValue.reason_code)
    reason_code: DerivedReason | None = dc_field(default=None, compare=False)
    reason_params: Params = dc_field(default=(), compare=False)

    @property
    def phrase(self) -> Phrase | None:
        """The reason as a :class:`~hipectrial.phrases.Phrase` (``None`` when there is none)."""
        return None if self.reason_code is None else Phrase(self.reason_code, self.reason_params)


def derive(*, protocol: Protocol, values: Mapping[str, object]) -> Derived:
    """Compute every derived variable of the protocol that the record allows.

    ``values`` must have passed :func:`check_values`. Variables are computed in dependency
    order (``crcl`` after ``age``). A CEL variable whose missing inputs decide its value,
    and a named derivation with an input missing, stay missing. ``age_in_years`` is the
    number of completed years from the first input (birth date) to the second (reference
    date); someone born on 29 February completes a year on 1 March in other years.
    ``creatinine_clearance`` takes the creatinine unit the protocol's field declares and is
    left missing (with a reason) outside the adult ages Cockcroft-Gault is defined for.
    ``change_from_baseline`` needs a baseline, which one record does not hold: it stays
    missing here.

    Raises
    ------
    InputError
        When inputs contradict each other (a birth date after the reference date) or a
        derivation refuses a value; the field is the protocol's variable name.

    Examples
    --------
    Born 2 March 1976, consent 1 March 2026: 49 completed years (the 50th birthday is a day
    later). Man, 70 kg, creatinine 88.4 umol/L = 1.0 mg/dL: (140 - 49) x 70 / 72 = 6370 / 72
    = 88.47 -> 88.5 mL/min. No height: no BSA.

    >>> import datetime as dt
    >>> from hipectrial.protocol import load_protocol
    >>> d = derive(protocol=load_protocol(), values={
    ...     "birth_date": dt.date(1976, 3, 2), "consent_date": dt.date(2026, 3, 1),
    ...     "sex": "male", "weight_kg": 70, "creatinine": 88.4})
    >>> d.values["age"], d.values["crcl"]
    (49, Decimal('88.5'))
    >>> d.variable("bsa").missing
    ('height_cm',)
    """
    order, by_protocol_order = per_protocol(protocol, "derived.order", lambda: _order(protocol))
    known: dict[str, object] = {k: v for k, v in values.items() if v is not None}
    results: list[DerivedValue] = []
    for d in order:
        result = _derive_one(protocol, d, known)
        if result.value is not None:
            known[d.id] = result.value
        results.append(result)
    results.sort(key=lambda r: by_protocol_order[r.variable])
    # FrozenValues: every rule evaluated on this record shares one binding (protocol.frozen).
    return Derived(FrozenValues(known), tuple(results))


def _order(protocol: Protocol) -> tuple[tuple[DerivedVariable, ...], Mapping[str, int]]:
    """The derived variables in dependency order, and each one's place in the protocol.
    Depends only on the protocol's variables, so it is computed once per protocol."""
    defined = derived_variables(protocol)
    order = graphlib.TopologicalSorter(
        {d.id: _dependencies(d) & defined.keys() for d in protocol.variables}).static_order()
    return tuple(defined[name] for name in order), {d.id: i for i, d in enumerate(protocol.variables)}


def _dependencies(d: DerivedVariable) -> set[str]:
    return set(d.expression.variables) if d.expression is not None else set(d.inputs)


def _derive_one(protocol: Protocol, d: DerivedVariable, known: Mapping[str, object]) -> DerivedValue:
    if d.expression is not None:
        return _derive_cel(protocol, d, known)
    assert d.derivation is not None  # the model guarantees one of the two
    method = d.derivation.value
    missing = tuple(i for i in d.inputs if i not in known)
    if missing:
        return DerivedValue(d.id, None, d.unit, method, missing, None,
                            (f"{d.id}: missing {', '.join(missing)}",))
    args = [known[i] for i in d.inputs]
    if d.derivation is Derivation.AGE_YEARS:
        return _age(d, args)
    if d.derivation is Derivation.BSA:
        return _bsa(protocol, d, args)
    if d.derivation is Derivation.CRCL:
        return _crcl(protocol, d, args)
    return _no_value(d, method, DerivedReason.NEEDS_BASELINE)


def _derive_cel(protocol: Protocol, d: DerivedVariable, known: Mapping[str, object]) -> DerivedValue:
    assert d.expression is not None
    method = f"CEL: {' '.join(d.expression.source.split())}"
    scope = protocol.scope
    # Only the expression's own inputs are bound: an expression reads nothing else, so its
    # value is the same, and the record passed check_values (derive's precondition), so no
    # other value could fail to bind. Binding a few values instead of the whole record,
    # which grows by one derived value per step, is what makes this cheap.
    known = {k: known[k] for k in d.expression.ordered_variables if k in known}
    if d.type is ValueType.BOOLEAN:
        verdict = scope.truth(d.expression, known)
        if verdict.truth is Truth.UNKNOWN:
            return DerivedValue(d.id, None, d.unit, method, verdict.missing, None,
                                (f"{d.id}: unknown; missing {', '.join(verdict.missing)}",))
        value: object = verdict.truth is Truth.TRUE
    else:
        result = scope.evaluate(d.expression, known)
        missing = tuple(sorted(v for v in d.expression.variables if v not in known))
        if result is Truth.UNKNOWN:
            return DerivedValue(d.id, None, d.unit, method, missing, None,
                                (f"{d.id}: unknown; missing {', '.join(missing)}",))
        value = _typed_result(d, result)
    used = ", ".join(f"{k}={_shown(known[k])}" for k in _natural_order(d.expression.variables)
                     if k in known)
    return DerivedValue(d.id, value, d.unit, method, (), None, (f"{d.id} = {_shown(value)} from {used}",))


def _typed_result(d: DerivedVariable, result: object) -> object:
    if d.type is ValueType.INT and isinstance(result, int) and not isinstance(result, bool):
        return result
    if d.type is ValueType.DECIMAL and isinstance(result, int | float) and not isinstance(result, bool):
        return Decimal(repr(result))
    if d.type in (ValueType.TEXT, ValueType.CHOICE) and isinstance(result, str):
        return result
    raise ExpressionError(f"derived variable {d.id!r} is declared {d.type.value}; "
                          f"its expression gave {result!r}")


@functools.lru_cache(maxsize=256)
def _natural_order(names: frozenset[str]) -> tuple[str, ...]:
    """``names`` sorted by :func:`_natural`; a pure function of its argument, so caching it
    (bounded) cannot give a stale answer."""
    return tuple(sorted(names, key=_natural))


def _natural(name: str) -> tuple[str, int]:
    """Sort key putting ``pci_r2`` before ``pci_r10``."""
    match = re.fullmatch(r"(.*?)(\d+)", name)
    return (match.group(1), int(match.group(2))) if match else (name, -1)


def _shown(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _age(d: DerivedVariable, args: list[object]) -> DerivedValue:
    born, reference = args[0], args[1]
    if not isinstance(born, dt.date) or not isinstance(reference, dt.date):
        raise refused(d.inputs[0], born, ValueRefusal.AGE_DATES)
    if born >= reference:
        raise refused(d.inputs[0], born, ValueRefusal.AGE_BEFORE, reference=d.inputs[1],
                      date=reference.isoformat())
    # Completed years: one fewer when the birthday has not yet come in the reference year.
    years = reference.year - born.year - ((reference.month, reference.day) < (born.month, born.day))
    step = (f"{d.id} = {years} completed years from {d.inputs[0]} {born.isoformat()} "
            f"to {d.inputs[1]} {reference.isoformat()}")
    return DerivedValue(d.id, years, d.unit, d.derivation.value if d.derivation else "", (), None, (step,))


def _renamed(exc: InputError, names: Mapping[str, str]) -> InputError:
    """Body's error with its parameter name replaced by the protocol's variable name."""
    return InputError(names.get(exc.field, exc.field), exc.value, exc.expected, exc.hint, phrase=exc.phrase)


def _bsa(protocol: Protocol, d: DerivedVariable, args: list[object]) -> DerivedValue:
    try:
        result = body_surface_area(height_cm=args[0], weight_kg=args[1],
                                   settings=protocol.dose_calculation.bsa, limits=body_limits(protocol))
    except InputError as exc:
        raise _renamed(exc, {"height_cm": d.inputs[0], "weight_kg": d.inputs[1]}) from None
    return DerivedValue(d.id, result.bsa_m2, d.unit, Derivation.BSA.value, (), None, result.steps)


def _crcl(protocol: Protocol, d: DerivedVariable, args: list[object]) -> DerivedValue:
    age, sex, weight, creatinine = args
    method = Derivation.CRCL.value
    if isinstance(age, int) and not isinstance(age, bool) and not AGE_YEARS[0] <= age <= AGE_YEARS[1]:
        return _no_value(d, method, DerivedReason.CRCL_ADULTS_ONLY,
                         (("low", str(AGE_YEARS[0])), ("high", str(AGE_YEARS[1])), ("variable", d.inputs[0]),
                          ("age", str(age))))
    unit_field = field_of(protocol, d.inputs[3])
    unit = unit_field.unit if unit_field is not None and unit_field.unit else ""
    names = {"age_years": d.inputs[0], "sex": d.inputs[1], "weight_kg": d.inputs[2],
             "creatinine": d.inputs[3], "unit": d.inputs[3]}
    try:
        result = creatinine_clearance(age_years=age, sex=sex, weight_kg=weight, creatinine=creatinine,
                                      unit=unit, settings=protocol.dose_calculation.crcl,
                                      limits=body_limits(protocol))
    except InputError as exc:
        raise _renamed(exc, names) from None
    return DerivedValue(d.id, result.crcl_ml_min, d.unit, method, (), None, result.steps)


# -- what is missing -----------------------------------------------------------------------


def missing_fields(*, protocol: Protocol, derived: Derived, names: tuple[str, ...]) -> tuple[str, ...]:
    """The variables a user must fill so that ``names`` (recorded or derived) get values.

    A missing derived variable is traced to its missing inputs; one with every input present
    that still has no value (CrCl at age 17) is itself listed. A missing field whose
    ``show_if`` is false is not asked for; one whose ``show_if`` is unknown is replaced by
    what that condition needs (fill the HER2 IHC score before the ISH ratio is asked).

    >>> import datetime as dt
    >>> from hipectrial.protocol import load_protocol
    >>> p = load_protocol()
    >>> d = derive(protocol=p, values={"her2_ihc": "ihc2plus"})
    >>> missing_fields(protocol=p, derived=d, names=("her2_positive",))
    ('her2_ish_ratio',)
    """
    found: list[str] = []
    seen: set[str] = set()
    defined = derived_variables(protocol)

    def visit(name: str) -> None:
        if name in seen or name in derived.values:
            return
        seen.add(name)
        if name in defined:
            info = derived.variable(name)
            if info.missing:
                for m in info.missing:
                    visit(m)
            elif name not in found:
                found.append(name)
            return
        field = field_of(protocol, name)
        if field is not None and field.show_if is not None:
            verdict = protocol.scope.truth(field.show_if, derived.values)
            if verdict.truth is Truth.FALSE:
                return
            if verdict.truth is Truth.UNKNOWN:
                for m in verdict.missing:
                    visit(m)
                return
        if name not in found:
            found.append(name)

    for n in names:
        visit(n)
    return tuple(found)
