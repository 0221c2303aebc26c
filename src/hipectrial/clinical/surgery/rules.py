"""Surgery: the Clavien-Dindo grade of complications and the criteria for conversion surgery.

References
----------
Dindo D, Demartines N, Clavien PA. Classification of surgical complications. Ann Surg
2004;240:205-13.
shared/reference/clinical.md §5.5, §1.6; shared/reference/protocol-decisions.md, "Treatment
flow and timing" 5 (criteria for conversion surgery).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from hipectrial.clinical.engine_cache import per_protocol
from hipectrial.clinical.records.derived import (
    CriterionStatus,
    DerivedValue,
    MissingValue,
    derive,
    missing_fields,
)
from hipectrial.clinical.records.values import check_values, label_of
from hipectrial.errors import InputError
from hipectrial.protocol import Expression, Protocol, Truth


class ClavienDindo(StrEnum):
    """Clavien-Dindo grade of a complication, ordered from I (mildest) to V (death).

    Members compare by severity with :meth:`at_least` and :attr:`rank` (never by their
    text: ``"IIIa" < "II"`` as strings). The suffix "d" (complication persisting at
    discharge) is recorded separately, not as a grade.

    >>> ClavienDindo.IVA.at_least(ClavienDindo.IIIB), ClavienDindo.IIIA.at_least(ClavienDindo.IIIB)
    (True, False)
    """

    I = "I"  # noqa: E741 - the grade's own name
    II = "II"
    IIIA = "IIIa"
    IIIB = "IIIb"
    IVA = "IVa"
    IVB = "IVb"
    V = "V"

    @property
    def rank(self) -> int:
        """0 for grade I up to 6 for grade V."""
        return _ORDER.index(self)

    def at_least(self, other: ClavienDindo) -> bool:
        """Whether this grade is ``other`` or more severe."""
        return self.rank >= other.rank


_ORDER: tuple[ClavienDindo, ...] = tuple(ClavienDindo)


def clavien_dindo(value: object, *, field: str = "clavien_dindo") -> ClavienDindo:
    """A grade from its code (``"IIIb"``), or InputError naming ``field``.

    >>> clavien_dindo("IIIb")
    <ClavienDindo.IIIB: 'IIIb'>
    >>> clavien_dindo("3b")
    Traceback (most recent call last):
    ...
    hipectrial.errors.InputError: clavien_dindo must be one of I, II, IIIa, IIIb, IVa, IVb, V; got '3b'
    """
    if isinstance(value, ClavienDindo):
        return value
    if isinstance(value, str):
        try:
            return ClavienDindo(value)
        except ValueError:
            pass
    raise InputError(field, value, "one of " + ", ".join(g.value for g in ClavienDindo))


def at_least_iiib(grade: ClavienDindo | str) -> bool:
    """Whether a complication is Clavien-Dindo IIIb or worse (the DLT and safety-stopping
    threshold of the seed protocol).

    >>> at_least_iiib("IIIa"), at_least_iiib("IIIb"), at_least_iiib("V")
    (False, True, True)
    """
    return clavien_dindo(grade, field="grade").at_least(ClavienDindo.IIIB)


def worst_grade(grades: Iterable[ClavienDindo | str]) -> ClavienDindo | None:
    """The most severe of ``grades``; ``None`` when there are none.

    >>> worst_grade(["II", "IIIa", "I"])
    <ClavienDindo.IIIA: 'IIIa'>
    """
    checked = [clavien_dindo(g, field="grades") for g in grades]
    return max(checked, key=lambda g: g.rank, default=None)


# -- conversion surgery --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConversionCriterion:
    """One part of the protocol's conversion rule: its CEL text, verdict and values used."""

    expression: str
    variables: tuple[str, ...]
    labels: tuple[str, ...]
    status: CriterionStatus
    values: Mapping[str, object]
    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ConversionAssessment:
    """Whether the criteria for conversion surgery are met, criterion by criterion."""

    variable: str
    status: CriterionStatus
    criteria: tuple[ConversionCriterion, ...]
    missing: tuple[MissingValue, ...]
    derived: tuple[DerivedValue, ...]
    steps: tuple[str, ...]


def conversion_criteria(*, protocol: Protocol, values: Mapping[str, object],
                        variable: str = "conversion_criteria_met") -> ConversionAssessment:
    """Evaluate the protocol's conversion-surgery rule, each of its criteria separately.

    The rule is the protocol's boolean derived ``variable`` (in the seed protocol: no new
    lesion and no distant metastasis; RECIST CR, PR or SD; second-look PCI <= 6; CY0; CC-0
    judged achievable; ECOG 0-1). Its CEL expression is split at the top-level ``&&``
    into criteria, each evaluated in three-valued logic, so a clinician sees which one
    fails or lacks data. The overall verdict is the rule's own (met only when every
    criterion is). Derived inputs such as ``pci_total`` are computed from the record.

    Parameters
    ----------
    values
        The re-evaluation record: variable -> value, typed as the protocol declares
        (second-look PCI regions ``pci_r0`` … ``pci_r12``, ``cytology``, ``ecog``, …).

    Raises
    ------
    InputError
        For a bad value (naming its field) or a ``variable`` that is not a boolean CEL
        derived variable of the protocol.

    Examples
    --------
    >>> from hipectrial.protocol import load_protocol
    >>> record = {"reeval_new_lesion": False, "reeval_distant_metastasis": False,
    ...           "overall_response": "PR", "cytology": "CY0", "reeval_cc0_achievable": True,
    ...           "ecog": "2", **{f"pci_r{i}": 0 for i in range(13)}}
    >>> result = conversion_criteria(protocol=load_protocol(), values=record)
    >>> result.status.value
    'not_met'
    >>> [c.expression for c in result.criteria if c.status.value == "not_met"]
    ["(ecog == '0' || ecog == '1')"]
    """
    rule = next((d for d in protocol.variables if d.id == variable), None)
    if rule is None or rule.expression is None or rule.type.value != "boolean":
        raise InputError("variable", variable, "a boolean CEL derived variable of the protocol")
    present = check_values(protocol=protocol, values=values)
    derived = derive(protocol=protocol, values=present)
    scope = protocol.scope
    criteria = []
    all_missing: list[str] = []
    source = rule.expression.source
    # The criteria depend only on the rule's text: split and compiled once per protocol.
    parts = per_protocol(protocol, ("surgery.criteria", variable, source),
                         lambda: tuple((part, Expression(part)) for part in split_conjunction(source)))
    for part, expression in parts:
        verdict = scope.truth(expression, derived.values)
        status = {Truth.TRUE: CriterionStatus.MET, Truth.FALSE: CriterionStatus.NOT_MET,
                  Truth.UNKNOWN: CriterionStatus.UNKNOWN}[verdict.truth]
        missing: tuple[str, ...] = ()
        if status is CriterionStatus.UNKNOWN:
            missing = missing_fields(protocol=protocol, derived=derived, names=verdict.missing)
            all_missing.extend(m for m in missing if m not in all_missing)
        names = tuple(sorted(expression.variables))
        criteria.append(ConversionCriterion(
            part, names, tuple(label_of(protocol, n)[0] for n in names), status,
            dict(verdict.used), missing))
    overall = scope.truth_value(rule.expression, derived.values)
    status = {Truth.TRUE: CriterionStatus.MET, Truth.FALSE: CriterionStatus.NOT_MET,
              Truth.UNKNOWN: CriterionStatus.UNKNOWN}[overall]
    failed = [c.expression for c in criteria if c.status is CriterionStatus.NOT_MET]
    steps = [f"{variable}: {len(criteria)} criteria from the protocol's expression"]
    if failed:
        steps.append("not met: " + "; ".join(failed))
    if all_missing:
        steps.append("missing: " + ", ".join(all_missing))
    steps.append(f"overall: {status.value}")
    missing_values = tuple(
        MissingValue(m, *label_of(protocol, m),
                     needed_by=tuple(c.expression for c in criteria if m in c.missing))
        for m in all_missing)
    return ConversionAssessment(variable, status, tuple(criteria), missing_values,
                                derived.variables, tuple(steps))


def split_conjunction(source: str) -> tuple[str, ...]:
    """The parts of a CEL expression joined by top-level ``&&``; the whole when it is not a
    plain conjunction (a top-level ``||`` or ``?:`` binds more loosely than ``&&``).

    >>> split_conjunction("a && (b || c) && d == 'x && y'")
    ('a', '(b || c)', "d == 'x && y'")
    >>> split_conjunction("a && b || c")
    ('a && b || c',)
    """
    parts: list[str] = []
    depth, start, i, quote = 0, 0, 0, ""
    loose = False
    while i < len(source):
        ch = source[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if source.startswith(quote, i):
                i += len(quote)
                quote = ""
                continue
        elif ch in "'\"":
            quote = source[i:i + 3] if source[i:i + 3] in ("'''", '"""') else ch
            i += len(quote)
            continue
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and source.startswith("&&", i):
            parts.append(source[start:i])
            start = i + 2
            i += 2
            continue
        elif depth == 0 and (source.startswith("||", i) or ch == "?"):
            loose = True
        i += 1
    parts.append(source[start:])
    if loose:
        return (" ".join(source.split()),)
    return tuple(" ".join(p.split()) for p in parts)
