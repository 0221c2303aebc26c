"""Eligibility: the protocol's inclusion and exclusion criteria evaluated on a screening record.

Each criterion is a CEL expression of the protocol, evaluated in three-valued logic on the
record and its derived variables (age, BSA, CrCl, HER2 status…), so a criterion whose
deciding values are missing is *unknown*, never silently met. The verdict is

* **INELIGIBLE** when any criterion is not met (an inclusion criterion false, an exclusion
  criterion true), or no cohort takes the participant;
* else **INCOMPLETE** when any criterion, or the cohort, is unknown — with the fields to fill;
* else **ELIGIBLE**.

References
----------
shared/reference/protocol-decisions.md, "Eligibility"; the seed protocol's ``eligibility``,
``cohorts`` and ``variables`` sections.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from enum import StrEnum

from hipectrial.clinical.engine_cache import per_protocol
from hipectrial.clinical.records.derived import (
    CriterionStatus,
    Derived,
    DerivedValue,
    MissingValue,
    derive,
    missing_fields,
)
from hipectrial.clinical.records.values import check_values, label_of
from hipectrial.errors import ExpressionError, InputError
from hipectrial.phrases import Params, Phrase, english
from hipectrial.protocol import EligibilityCriterion, Protocol, Truth


class EligibilityStatus(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    INCOMPLETE = "incomplete"


class CriterionReason(StrEnum):
    """Why a criterion has its verdict (:attr:`CriterionOutcome.reason_code`); parameters:
    ``cohorts`` (cohort ids), ``cohort`` (a cohort id), ``missing`` (variable ids)."""

    NOT_APPLICABLE = "criterion_not_applicable"
    COHORT_UNKNOWN = "criterion_cohort_unknown"
    MISSING = "criterion_missing"
    INCLUSION_HOLDS = "inclusion_holds"
    INCLUSION_FAILS = "inclusion_fails"
    EXCLUSION_APPLIES = "exclusion_applies"
    EXCLUSION_DOES_NOT_APPLY = "exclusion_does_not_apply"


class CohortReason(StrEnum):
    """Why the cohort is what it is (:attr:`CohortAssignment.reason_code`); parameters:
    ``cohort`` (a cohort id), ``rules`` (cohort ids whose rule is unknown), ``missing``
    (variable ids)."""

    RULE_HOLDS = "cohort_rule_holds"
    RULE_UNKNOWN = "cohort_rule_unknown"
    NO_RULE_HOLDS = "no_cohort_rule_holds"


# The English of each reason: the one place it is worded (hipectrial.phrases).
ENGLISH: Mapping[str, str] = {
    CriterionReason.NOT_APPLICABLE: "applies to {cohorts} only; cohort is {cohort}",
    CriterionReason.COHORT_UNKNOWN: "applies to {cohorts} only; the cohort is unknown",
    CriterionReason.MISSING: "unknown: missing {missing}",
    CriterionReason.INCLUSION_HOLDS: "inclusion criterion holds",
    CriterionReason.INCLUSION_FAILS: "inclusion criterion does not hold",
    CriterionReason.EXCLUSION_APPLIES: "exclusion applies: excluded",
    CriterionReason.EXCLUSION_DOES_NOT_APPLY: "exclusion does not apply",
    CohortReason.RULE_HOLDS: "rule of {cohort} holds",
    CohortReason.RULE_UNKNOWN: "rule of {rules} unknown; missing {missing}",
    CohortReason.NO_RULE_HOLDS: "no cohort rule holds",
}


@dataclass(frozen=True, slots=True)
class CohortAssignment:
    """The cohort the cohort rules give (``None`` when unknown or when none holds).

    ``reason`` is the English sentence; ``reason_code`` and ``reason_params`` say the same
    for a shell wording it in another language (:mod:`hipectrial.phrases`; no part in
    equality).
    """

    cohort: str | None
    rules: Mapping[str, Truth]
    missing: tuple[str, ...]
    reason: str
    reason_code: CohortReason = dc_field(default=CohortReason.NO_RULE_HOLDS, compare=False)
    reason_params: Params = dc_field(default=(), compare=False)

    @property
    def phrase(self) -> Phrase:
        """The reason as a :class:`~hipectrial.phrases.Phrase`."""
        return Phrase(self.reason_code, self.reason_params)


@dataclass(frozen=True, slots=True)
class CriterionOutcome:
    """One criterion: its text, the truth of its expression, the verdict and the values used.

    ``truth`` is the expression's value (``UNKNOWN`` also when it was not evaluated because
    the cohort is unknown); ``status`` is the verdict: for an exclusion criterion a true
    expression means NOT_MET. ``reason`` is the English sentence; ``reason_code`` and
    ``reason_params`` say the same for a shell wording it in another language
    (:mod:`hipectrial.phrases`; no part in equality).
    """

    id: str
    kind: str
    text: str
    text_zh: str
    expression: str
    cohorts: tuple[str, ...] | None
    truth: Truth
    status: CriterionStatus
    values: Mapping[str, object]
    missing: tuple[str, ...]
    reason: str
    reason_code: CriterionReason = dc_field(default=CriterionReason.MISSING, compare=False)
    reason_params: Params = dc_field(default=(), compare=False)

    @property
    def phrase(self) -> Phrase:
        """The reason as a :class:`~hipectrial.phrases.Phrase`."""
        return Phrase(self.reason_code, self.reason_params)


def _cohort(cohort: str | None, rules: Mapping[str, Truth], missing: tuple[str, ...],
            code: CohortReason, params: Params = ()) -> CohortAssignment:
    return CohortAssignment(cohort, rules, missing, english(Phrase(code, params), ENGLISH), code, params)


@dataclass(frozen=True, slots=True)
class EligibilityResult:
    """The eligibility of one screened person as of a date."""

    as_of: dt.date
    status: EligibilityStatus
    cohort: CohortAssignment
    criteria: tuple[CriterionOutcome, ...]
    failed: tuple[str, ...]
    missing: tuple[MissingValue, ...]
    derived: tuple[DerivedValue, ...]
    steps: tuple[str, ...]

    def criterion(self, criterion_id: str) -> CriterionOutcome:
        """The outcome of criterion ``criterion_id``; ``KeyError`` if the protocol has none."""
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)


_STATUS = {Truth.TRUE: CriterionStatus.MET, Truth.FALSE: CriterionStatus.NOT_MET,
           Truth.UNKNOWN: CriterionStatus.UNKNOWN}


def evaluate_eligibility(*, protocol: Protocol, values: Mapping[str, object],
                         as_of: dt.date) -> EligibilityResult:
    """Evaluate every eligibility criterion of ``protocol`` on a screening record.

    Derived variables are computed first (age in completed years from ``birth_date`` to
    ``consent_date``; BSA and CrCl by :mod:`hipectrial.clinical.body` with the protocol's
    settings and the creatinine unit its labs form declares; HER2 status and other CEL
    variables through the protocol's scope). The cohort comes from the cohort rules; a
    criterion restricted to cohorts applies only to them, and is unknown while the cohort
    is. Limits relative to the upper limit of normal use the site's reference range recorded
    with the result (``bilirubin_uln``…), as the protocol's expressions say.

    Parameters
    ----------
    values
        The screening record: variable -> value, typed as the protocol declares (decimal
        as int, float or Decimal; dates as ``datetime.date``; choices as code strings).
        ``None`` or an absent key is a missing value.
    as_of
        The screening date the verdict is given for; no date in the record may be later.

    Raises
    ------
    InputError
        For a value of the wrong type, outside its field's range, not among its codes, dated
        after ``as_of``, not a variable of the protocol, or contradicting another (a birth
        date after the consent date); the error names the field.
    ExpressionError
        When more than one cohort rule holds (the protocol's rules must be exclusive).

    Examples
    --------
    >>> import datetime as dt
    >>> from hipectrial.protocol import load_protocol
    >>> r = evaluate_eligibility(protocol=load_protocol(), as_of=dt.date(2026, 3, 2),
    ...                          values={"anc": 1.2, "ecog": "1"})
    >>> r.status.value, r.failed
    ('ineligible', ('I09',))
    >>> r.criterion("I07").status.value, r.criterion("I09").values
    ('met', {'anc': 1.2})
    """
    if isinstance(as_of, dt.datetime) or not isinstance(as_of, dt.date):
        raise InputError("as_of", as_of, "a date")
    present = check_values(protocol=protocol, values=values, as_of=as_of)
    derived = derive(protocol=protocol, values=present)
    cohort = assign_cohort(protocol=protocol, derived=derived)
    sources = per_protocol(protocol, "eligibility.sources", lambda: _sources(protocol))
    outcomes = tuple(_outcome(protocol, c, source, derived, cohort)
                     for c, source in zip(protocol.eligibility, sources, strict=True))

    failed = [c.id for c in outcomes if c.status is CriterionStatus.NOT_MET]
    needed: dict[str, list[str]] = {}
    for c in outcomes:
        for m in c.missing:
            needed.setdefault(m, []).append(c.id)
    if cohort.cohort is None:
        for m in cohort.missing:
            needed.setdefault(m, []).insert(0, "cohort")
    why = {d.variable: d for d in derived.variables if d.reason}
    missing = tuple(MissingValue(m, *label_of(protocol, m), needed_by=tuple(by),
                                 reason=why[m].reason if m in why else None,
                                 reason_code=why[m].reason_code if m in why else None,
                                 reason_params=why[m].reason_params if m in why else ())
                    for m, by in needed.items())

    no_cohort = cohort.cohort is None and not cohort.missing
    if failed or no_cohort:
        status = EligibilityStatus.INELIGIBLE
    elif cohort.cohort is None or any(c.status is CriterionStatus.UNKNOWN for c in outcomes):
        status = EligibilityStatus.INCOMPLETE
    else:
        status = EligibilityStatus.ELIGIBLE
    steps = [f"cohort: {cohort.cohort or 'unknown'} ({cohort.reason})"]
    counts = {s: sum(c.status is s for c in outcomes) for s in CriterionStatus}
    steps.append(", ".join(f"{n} {s.value.replace('_', ' ')}" for s, n in counts.items() if n))
    if failed:
        steps.append("not met: " + ", ".join(failed))
    if missing:
        steps.append("missing: " + ", ".join(m.variable for m in missing))
    steps.append(f"verdict: {status.value}")
    used = per_protocol(protocol, "eligibility.derived_used", lambda: frozenset(_derived_used(protocol)))
    shown = tuple(d for d in derived.variables if d.variable in used)
    return EligibilityResult(as_of, status, cohort, outcomes, tuple(failed), missing, shown,
                             tuple(steps))


def _derived_used(protocol: Protocol) -> set[str]:
    """Derived variables the criteria and cohort rules use, with those they depend on."""
    defined = {d.id: d for d in protocol.variables}
    pending = [v for c in protocol.eligibility for v in c.expression.variables]
    pending += [v for c in protocol.cohorts for v in c.rule.variables]
    used: set[str] = set()
    while pending:
        name = pending.pop()
        if name in defined and name not in used:
            used.add(name)
            d = defined[name]
            pending.extend(d.expression.variables if d.expression is not None else d.inputs)
    return used


def assign_cohort(*, protocol: Protocol, derived: Derived) -> CohortAssignment:
    """The cohort whose rule holds, when exactly one holds and every other is false.

    While a rule is unknown the cohort is unknown (``missing`` says what decides it); when
    every rule is false no cohort takes the participant (``cohort`` None, nothing missing).

    Raises
    ------
    ExpressionError
        When two cohort rules hold at once: the protocol's rules must be exclusive.
    """
    truths = {c.id: protocol.scope.truth(c.rule, derived.values) for c in protocol.cohorts}
    rules = {k: v.truth for k, v in truths.items()}
    holding = [k for k, t in rules.items() if t is Truth.TRUE]
    unknown = [k for k, t in rules.items() if t is Truth.UNKNOWN]
    if len(holding) > 1:
        raise ExpressionError(f"cohort rules of {' and '.join(holding)} both hold; a protocol's "
                              "cohort rules must exclude each other")
    if holding and not unknown:
        return _cohort(holding[0], rules, (), CohortReason.RULE_HOLDS, (("cohort", holding[0]),))
    if unknown:
        names = tuple(sorted({m for k in unknown for m in truths[k].missing}))
        missing = missing_fields(protocol=protocol, derived=derived, names=names)
        return _cohort(None, rules, missing, CohortReason.RULE_UNKNOWN,
                       (("rules", tuple(unknown)), ("missing", missing or names)))
    return _cohort(None, rules, (), CohortReason.NO_RULE_HOLDS)


def _sources(protocol: Protocol) -> tuple[str, ...]:
    """Each criterion's expression on one line, in protocol order (once per protocol)."""
    return tuple(" ".join(c.expression.source.split()) for c in protocol.eligibility)


def _outcome(protocol: Protocol, criterion: EligibilityCriterion, source: str, derived: Derived,
             cohort: CohortAssignment) -> CriterionOutcome:
    text = criterion.text
    cohorts = tuple(criterion.cohorts) if criterion.cohorts is not None else None

    def outcome(truth: Truth, status: CriterionStatus, values: Mapping[str, object],
                missing: tuple[str, ...], code: CriterionReason, params: Params = ()) -> CriterionOutcome:
        reason = english(Phrase(code, params), ENGLISH)
        return CriterionOutcome(criterion.id, criterion.kind, text.en, text.zh, source, cohorts,
                                truth, status, dict(values), missing, reason, code, params)

    if cohorts is not None and cohort.cohort is not None and cohort.cohort not in cohorts:
        return outcome(Truth.UNKNOWN, CriterionStatus.NOT_APPLICABLE, {}, (), CriterionReason.NOT_APPLICABLE,
                       (("cohorts", cohorts), ("cohort", cohort.cohort)))
    verdict = protocol.scope.truth(criterion.expression, derived.values)
    if cohorts is not None and cohort.cohort is None:
        own = missing_fields(protocol=protocol, derived=derived, names=verdict.missing) \
            if verdict.truth is Truth.UNKNOWN else ()
        missing = tuple(dict.fromkeys((*cohort.missing, *own)))
        return outcome(verdict.truth, CriterionStatus.UNKNOWN, verdict.used, missing,
                       CriterionReason.COHORT_UNKNOWN, (("cohorts", cohorts),))
    if verdict.truth is Truth.UNKNOWN:
        missing = missing_fields(protocol=protocol, derived=derived, names=verdict.missing)
        return outcome(verdict.truth, CriterionStatus.UNKNOWN, verdict.used, missing,
                       CriterionReason.MISSING, (("missing", missing),))
    if criterion.kind == "inclusion":
        status = _STATUS[verdict.truth]
        code = CriterionReason.INCLUSION_HOLDS if status is CriterionStatus.MET else \
            CriterionReason.INCLUSION_FAILS
    else:
        status = CriterionStatus.NOT_MET if verdict.truth is Truth.TRUE else CriterionStatus.MET
        code = CriterionReason.EXCLUSION_APPLIES if verdict.truth is Truth.TRUE else \
            CriterionReason.EXCLUSION_DOES_NOT_APPLY
    return outcome(verdict.truth, status, verdict.used, (), code)
