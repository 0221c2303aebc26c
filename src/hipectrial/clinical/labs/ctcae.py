"""CTCAE v5.0 grading of lab values, with the working a clinician can check.

:func:`grade_lab` takes a value as the lab report prints it (any unit the test allows), the
site's reference range and, where CTCAE uses it, the participant's baseline; it converts
exactly to the canonical unit, applies the criteria of
:mod:`hipectrial.clinical.labs.ctcae_tables` and returns a :class:`LabGrade`. All comparisons
are exact :class:`~decimal.Decimal` comparisons: a value of exactly 3.0 x ULN is grade 1.

Decisions where CTCAE leaves room (each stated in the result's ``flags`` and ``notes``):

- **Symptoms decide** (hypokalaemia ``<LLN - 3.0``: grade 1, or 2 if symptomatic with
  intervention indicated; hyponatraemia ``125-129``: grade 2, or 3 if symptomatic). The lab
  value cannot tell them apart; ``grade`` is the *worst case* (2 and 3), as the admiral
  metadata does, ``grade_range`` gives both and the flag ``symptoms_decide`` asks the
  clinician. Under-calling a grade 3 would hide a possible DLT; over-calling is corrected
  by the clinician's review.
- **Abnormal baseline** (ALT, AST, ALP, bilirubin): baseline > ULN grades in multiples of the
  baseline. A value above the ULN but below the baseline grade-1 limit (1.5 x baseline for
  ALT/AST, 2.0 x for ALP, above baseline for bilirubin) is grade 0: CTCAE grades the rise.
  Without a baseline the value is graded against the ULN, which is never lower than the
  grade relative to an abnormal baseline.
- **Creatinine**: the higher of the ULN grade and the rise-from-baseline grade
  (> 1.5 x baseline grade 2, > 3.0 x grade 3).
- **Reference limit beyond a CTCAE limit** (an LLN of 1.4 for neutrophils, below the
  grade-2 limit 1.5): the grade-1 band is empty and CTCAE's absolute limits decide, as in
  admiral (1.45 is grade 2).
- **Hyponatraemia "125-129"** is read as 125 <= x < 130 (no gap before grade 1's ">= 130").
- Grades a lab value cannot give (anaemia grade 4) are named in ``lab_derivable_max_grade``
  and flagged when the value reaches that maximum.

References
----------
Common Terminology Criteria for Adverse Events (CTCAE) v5.0, NCI, 27 November 2017.
pharmaverse admiral, data-raw/adlb_grading/ncictcaev5.json (SI-unit grading metadata).
shared/reference/clinical.md §3 (grading table and automation notes).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from enum import StrEnum

from hipectrial.clinical.labs.ctcae_tables import (
    COMPARE,
    LAB_CRITERIA,
    NEGATION,
    TERMS,
    CriteriaKind,
    CriteriaSet,
    CtcaeTerm,
    Direction,
    LabCriteria,
    LimitAnchor,
    Rule,
    Threshold,
    UngradedCondition,
)
from hipectrial.clinical.labs.units import (
    LabQuantity,
    LabTest,
    convert_lab_value,
    exact_product,
    number_text,
    parse_lab_test,
)
from hipectrial.clinical.numbers import to_decimal
from hipectrial.clinical.refusals import ValueRefusal, refused
from hipectrial.errors import InputError
from hipectrial.phrases import Phrase

CTCAE_VERSION = "CTCAE v5.0"


class GradeFlag(StrEnum):
    """Things about a grade a screen must show or a clinician must decide."""

    BASELINE_ABNORMAL = "baseline_abnormal"                    # graded relative to baseline
    BASELINE_NOT_GIVEN = "baseline_not_given"                  # baseline criteria not applied
    BASELINE_NOT_USED = "baseline_not_used"                    # term has no baseline criteria
    BASELINE_CRITERION_DECIDED = "baseline_criterion_decided"  # creatinine rise gave the grade
    SYMPTOMS_DECIDE = "symptoms_decide"                        # worst case of two grades
    CLINICAL_GRADE_POSSIBLE = "clinical_grade_possible"        # a higher grade is clinical only
    REFERENCE_BEYOND_LIMIT = "reference_beyond_limit"          # a grade band is empty here
    UNGRADED_TERM_MET = "ungraded_term_met"                    # e.g. hypernatraemia, not graded


@dataclass(frozen=True, slots=True)
class LabGrade:
    """A lab value's CTCAE v5.0 grade, the values used and the working.

    ``value``, ``lln``, ``uln`` and ``baseline`` are in the canonical ``unit``;
    ``reported_value``/``reported_unit`` are as given. ``term`` is ``None`` only for a
    two-sided test (potassium) within its reference range. ``grade_range`` is ``(lowest,
    grade)``: the two differ only when symptoms decide (``GradeFlag.SYMPTOMS_DECIDE``).
    """

    test: LabTest
    term: CtcaeTerm | None
    grade: int
    grade_range: tuple[int, int]
    lab_derivable_max_grade: int
    criteria: CriteriaKind
    value: Decimal
    unit: str
    reported_value: Decimal
    reported_unit: str
    lln: Decimal | None
    uln: Decimal | None
    baseline: Decimal | None
    flags: tuple[GradeFlag, ...]
    notes: tuple[str, ...]
    steps: tuple[str, ...]
    source: str
    version: str = CTCAE_VERSION

    @property
    def headline(self) -> str:
        """``Neutrophil count decreased: grade 3`` (with the range when symptoms decide)."""
        name = self.term.value if self.term is not None else f"{self.test.value} within normal limits"
        low, high = self.grade_range
        extra = f" (grade {low} if asymptomatic: clinician decides)" if low != high else ""
        return f"{name}: grade {self.grade}{extra}"


def ctcae_criteria(test: str | LabTest) -> LabCriteria:
    """The CTCAE v5.0 criteria for a test (by code or common name), e.g. for a screen.

    >>> criteria = ctcae_criteria("platelets")
    >>> criteria.sets[0].term.value, criteria.unit, [r.band for r in criteria.rows()][3]
    ('Platelet count decreased', '10^9/L', '25 10^9/L <= x < 50 10^9/L')
    """
    return LAB_CRITERIA[parse_lab_test(test)]


@dataclass(frozen=True, slots=True)
class _Refs:
    lln: LabQuantity | None
    uln: LabQuantity | None
    baseline: LabQuantity | None

    def get(self, anchor: LimitAnchor) -> Decimal | None:
        ref = {LimitAnchor.LLN: self.lln, LimitAnchor.ULN: self.uln,
               LimitAnchor.BASELINE: self.baseline}[anchor]
        return None if ref is None else ref.value


class _Missing(Exception):
    """Internal: a threshold needs a reference value that was not given."""

    def __init__(self, threshold: Threshold, term: CtcaeTerm) -> None:
        super().__init__(threshold.anchor.value)
        self.threshold = threshold
        self.term = term


@dataclass(frozen=True, slots=True)
class _Outcome:
    cset: CriteriaSet
    met: Threshold | None
    steps: tuple[str, ...]
    empty_bands: tuple[str, ...]

    @property
    def grade(self) -> int:
        return 0 if self.met is None else self.met.grade

    @property
    def worst(self) -> int:
        if self.met is None:
            return 0
        return self.met.symptomatic_grade or self.met.grade


def _resolve(threshold: Threshold, refs: _Refs) -> Decimal | None:
    """The threshold's limit in the canonical unit, or None when its reference is missing."""
    if threshold.anchor is LimitAnchor.ABSOLUTE:
        return threshold.factor
    ref = refs.get(threshold.anchor)
    return None if ref is None else exact_product(threshold.factor, ref)


def _describe(threshold: Threshold, limit: Decimal, unit: str) -> str:
    """``1.0 10^9/L``, ``LLN (1.8 10^9/L)``, ``3.0 x ULN (120 U/L)``."""
    if threshold.anchor is LimitAnchor.ABSOLUTE:
        return f"{threshold.factor} {unit}"
    return f"{threshold.limit_text(unit)} ({number_text(limit)} {unit})"


def _ratio(value: Decimal, ref: Decimal) -> str:
    """``= 4.125`` when exact to 3 decimals, else ``= about 1.483``."""
    with localcontext() as ctx:
        ctx.prec = 40
        rounded = (value / ref).quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN)
        exact = rounded * ref == value
    return f"= {number_text(rounded)}" if exact else f"= about {number_text(rounded)}"


def _evaluate(cset: CriteriaSet, value: Decimal, unit: str, refs: _Refs, label: str) -> _Outcome:
    """The highest-grade threshold ``value`` meets, searching from the top grade down.

    A threshold whose reference value is missing raises :class:`_Missing` only when it is
    reached, so a neutrophil count of 0.3 is grade 4 without an LLN.
    """
    steps: list[str] = []
    for anchor in (LimitAnchor.ULN, LimitAnchor.BASELINE):
        ref = refs.get(anchor)
        if ref is not None and any(t.anchor is anchor for t in cset.thresholds):
            steps.append(f"{label} {number_text(value)} {unit} {_ratio(value, ref)} x {anchor.value} "
                         f"({anchor.value} {number_text(ref)} {unit})")
    met: Threshold | None = None
    above: tuple[Threshold, Decimal] | None = None  # the next grade up, already checked
    for threshold in reversed(cset.thresholds):
        limit = _resolve(threshold, refs)
        if limit is None:
            raise _Missing(threshold, cset.term)
        if COMPARE[threshold.compare](value, limit):
            met = threshold
            text = (f"{number_text(value)} {unit} {threshold.compare.value} "
                    f"{_describe(threshold, limit, unit)}")
            if above is not None:
                nxt, nxt_limit = above
                text += f" and {NEGATION[nxt.compare].value} {_describe(nxt, nxt_limit, unit)}"
            steps.append(f"{text} -> grade {threshold.grade} ({threshold.ctcae_text})")
            break
        above = (threshold, limit)
    if met is None and above is not None:
        first, first_limit = above
        steps.append(f"{number_text(value)} {unit} {NEGATION[first.compare].value} "
                     f"{_describe(first, first_limit, unit)} -> grade 0")
    return _Outcome(cset, met, tuple(steps), _empty_bands(cset, refs, unit))


def _empty_bands(cset: CriteriaSet, refs: _Refs, unit: str) -> tuple[str, ...]:
    """Grade bands this reference range leaves empty (a site LLN at or below a CTCAE limit)."""
    notes: list[str] = []
    for low, high in itertools.pairwise(cset.thresholds):
        if low.anchor is high.anchor:
            continue  # ordered when the table was loaded
        a, b = _resolve(low, refs), _resolve(high, refs)
        if a is None or b is None:
            continue
        ordered = a > b if cset.direction is Direction.LOW else a < b
        if not ordered:
            side = "above" if cset.direction is Direction.LOW else "below"
            notes.append(
                f"{cset.term.value}: the site's {_describe(low, a, unit)} is not {side} the grade-"
                f"{high.grade} limit {_describe(high, b, unit)}, so no value is grade {low.grade}; "
                f"CTCAE v5.0's limits decide (as admiral)")
    return tuple(notes)


def _missing_error(missing: _Missing, test: LabTest, ref_unit: str, label: str,
                   value: Decimal, unit: str) -> InputError:
    anchor = missing.threshold.anchor
    field = anchor.value.lower()
    what = {
        LimitAnchor.LLN: ValueRefusal.LLN,
        LimitAnchor.ULN: ValueRefusal.ULN,
        LimitAnchor.BASELINE: ValueRefusal.BASELINE,
    }[anchor]
    t = missing.threshold
    return refused(field, None, ValueRefusal.LAB_REFERENCE_MISSING, reference=Phrase(what), test=test.value,
                   unit=ref_unit, test_label=label, result=number_text(value), result_unit=unit,
                   version=CTCAE_VERSION, term=missing.term.value, grade=str(t.grade), text=t.ctcae_text)


def _reference(test: LabTest, field: str, raw: object, ref_unit: str, *, used: bool,
               limit: bool) -> LabQuantity | None:
    """A reference value in the canonical unit; ``None`` if not given or not used by the test.

    A value the test does not use (the LLN of ALT, often printed as 0) is only checked to be
    a non-negative number.
    """
    if raw is None:
        return None
    if not used:
        number = to_decimal(field, raw)
        if number < 0:
            raise refused(field, raw, ValueRefusal.LAB_NOT_NEGATIVE)
        return None
    quantity = convert_lab_value(test=test, value=raw, unit=ref_unit, field=field,
                                 unit_field="reference_unit", reference=limit,
                                 unit_hint="lln, uln and baseline are read in reference_unit, "
                                           "which defaults to the value's unit")
    if quantity.value <= 0:
        raise refused(field, raw, ValueRefusal.LAB_NOT_POSITIVE, reference=field, test=test.value,
                      unit=ref_unit)
    return quantity


def grade_lab(*, test: str | LabTest, value: Decimal | float | int | str, unit: str,
              lln: Decimal | float | int | str | None = None,
              uln: Decimal | float | int | str | None = None,
              baseline: Decimal | float | int | str | None = None,
              reference_unit: str | None = None) -> LabGrade:
    """Grade a lab value by CTCAE v5.0.

    Parameters
    ----------
    test
        CDISC LBTESTCD code (``NEUT``, ``PLAT``, ``HGB``, ``WBC``, ``LYM``, ``ALT``, ``AST``,
        ``ALP``, ``BILI``, ``CREAT``, ``K``, ``SODIUM``) or a common name (``anc``, ``hb``,
        ``potassium``...), case-insensitive.
    value
        The result as reported, in ``unit`` (Decimal, int, float or numeric string).
    unit
        As written on the report (``10^9/L``, ``/mm3``, ``g/dL``, ``U/L``, ``umol/L``,
        ``mg/dL``, ``mmol/L``, ``mEq/L``...); must fit the test.
    lln, uln
        The site's reference limits. Needed where the grade depends on them: LLN for grade 1
        of the "decreased" terms, ULN for every ALT/AST/ALP/bilirubin/creatinine grade, both
        for a potassium between 3.0 and 5.5 mmol/L.
    baseline
        The participant's baseline value: ALT/AST/ALP/bilirubin (baseline > ULN grades
        relative to baseline) and creatinine (rise from baseline). Ignored, with a flag,
        for other tests.
    reference_unit
        Unit of ``lln``, ``uln`` and ``baseline``; defaults to ``unit``.

    Returns
    -------
    LabGrade
        Grade, term, the values in the canonical unit, flags, notes and steps.

    Raises
    ------
    InputError
        ``test`` unknown; ``unit``/``reference_unit`` not allowed for the test; ``value``,
        ``lln``, ``uln`` or ``baseline`` not a finite number in the plausible range (or a
        reference not positive); ``lln`` not below ``uln``; a reference value the grade needs
        is missing (field ``lln``, ``uln`` or ``baseline``).

    References
    ----------
    CTCAE v5.0 (NCI, 27 Nov 2017), Investigations; Blood and lymphatic system disorders;
    Metabolism and nutrition disorders. admiral ncictcaev5.json. clinical.md §3.

    Examples
    --------
    ALT 165 U/L, ULN 40: 165 / 40 = 4.125 x ULN, > 3.0 and <= 5.0 x ULN -> grade 2.

    >>> result = grade_lab(test="ALT", value=165, unit="U/L", uln=40)
    >>> result.term.value, result.grade
    ('Alanine aminotransferase increased', 2)
    >>> result.steps[-3]
    'ALT 165 U/L = 4.125 x ULN (ULN 40 U/L)'
    >>> result.steps[-2].split(" -> ")[0]
    '165 U/L > 3.0 x ULN (120 U/L) and <= 5.0 x ULN (200 U/L)'

    Haemoglobin 9.5 g/dL x 10 = 95 g/L, LLN 120 g/L: 95 < 100 and >= 80 -> grade 2.

    >>> grade_lab(test="hb", value="9.5", unit="g/dL", lln=120, reference_unit="g/L").grade
    2
    """
    criteria = ctcae_criteria(test)
    lab = criteria.test
    label = lab.value
    quantity = convert_lab_value(test=lab, value=value, unit=unit)
    ref_unit = unit if reference_unit is None else reference_unit
    used = criteria.references
    refs = _Refs(
        _reference(lab, "lln", lln, ref_unit, used=LimitAnchor.LLN in used, limit=True),
        _reference(lab, "uln", uln, ref_unit, used=LimitAnchor.ULN in used, limit=True),
        _reference(lab, "baseline", baseline, ref_unit, used=LimitAnchor.BASELINE in used, limit=False),
    )
    if refs.lln is not None and refs.uln is not None and refs.lln.value >= refs.uln.value:
        raise refused("lln", lln, ValueRefusal.LAB_LLN_NOT_BELOW_ULN, uln=str(uln), unit=ref_unit)
    steps = [quantity.step(label)]
    for name, ref in (("LLN", refs.lln), ("ULN", refs.uln), ("baseline", refs.baseline)):
        if ref is not None:
            steps.append(ref.step(name))
    flags: list[GradeFlag] = []
    notes: list[str] = []
    v, u = quantity.value, quantity.unit
    try:
        outcome = _apply_rule(criteria, v, u, refs, label, steps, flags, notes,
                              baseline_given=baseline is not None)
    except _Missing as missing:
        raise _missing_error(missing, lab, ref_unit, label, quantity.reported_value,
                             quantity.reported_unit) from None
    return _assemble(criteria, quantity, refs, outcome, steps, flags, notes)


def _apply_rule(criteria: LabCriteria, v: Decimal, u: str, refs: _Refs, label: str,
                steps: list[str], flags: list[GradeFlag], notes: list[str], *,
                baseline_given: bool) -> _Outcome | None:
    """Evaluate the test's sets by its rule; ``None`` is grade 0 of a two-sided test."""
    if LimitAnchor.BASELINE not in criteria.references and baseline_given:
        flags.append(GradeFlag.BASELINE_NOT_USED)
        notes.append(f"baseline not used: {CTCAE_VERSION} does not grade {label} relative to baseline")
    if criteria.rule is Rule.SINGLE:
        outcome = _evaluate(criteria.sets[0], v, u, refs, label)
        steps.extend(outcome.steps)
        return outcome
    if criteria.rule is Rule.BASELINE_SWITCH:
        return _baseline_switch(criteria.sets, v, u, refs, label, steps, flags, notes)
    if criteria.rule is Rule.HIGHER_OF:
        return _higher_of(criteria.sets, v, u, refs, label, steps, flags, notes)
    return _low_or_high(criteria.sets, v, u, refs, label, steps)


def _baseline_switch(sets: tuple[CriteriaSet, ...], v: Decimal, u: str, refs: _Refs, label: str,
                     steps: list[str], flags: list[GradeFlag], notes: list[str]) -> _Outcome:
    """ALT/AST/ALP/bilirubin: relative to baseline when baseline > ULN, else to the ULN."""
    standard, abnormal = sets
    baseline, uln = refs.get(LimitAnchor.BASELINE), refs.get(LimitAnchor.ULN)
    if uln is None:
        raise _Missing(standard.thresholds[0], standard.term)
    chosen = standard
    if baseline is None:
        flags.append(GradeFlag.BASELINE_NOT_GIVEN)
        notes.append("no baseline given: graded against the ULN as for a normal baseline (if the "
                     "baseline was above the ULN, the grade relative to it is never higher)")
    elif baseline > uln:
        chosen = abnormal
        flags.append(GradeFlag.BASELINE_ABNORMAL)
        notes.append("baseline abnormal: graded relative to baseline")
        steps.append(f"baseline {number_text(baseline)} {u} > ULN {number_text(uln)} {u}: "
                     "baseline abnormal, graded relative to baseline")
    else:
        steps.append(f"baseline {number_text(baseline)} {u} <= ULN {number_text(uln)} {u}: "
                     "baseline normal, graded against the ULN")
    outcome = _evaluate(chosen, v, u, refs, label)
    steps.extend(outcome.steps)
    if chosen is abnormal and outcome.met is None and v > uln:
        notes.append(f"above the ULN but below the grade-1 limit relative to the abnormal baseline "
                     f"({chosen.thresholds[0].limit_text(u)}): grade 0, as {CTCAE_VERSION} grades "
                     "only the rise from an abnormal baseline")
    return outcome


def _higher_of(sets: tuple[CriteriaSet, ...], v: Decimal, u: str, refs: _Refs, label: str,
               steps: list[str], flags: list[GradeFlag], notes: list[str]) -> _Outcome:
    """Creatinine: the higher grade of the ULN criteria and the rise-from-baseline criteria."""
    standard, rise_set = sets
    outcome = _evaluate(standard, v, u, refs, label)
    steps.extend(outcome.steps)
    if refs.baseline is None:
        flags.append(GradeFlag.BASELINE_NOT_GIVEN)
        limits = " and ".join(f"{t.compare.value} {t.limit_text(u)} grade {t.grade}"
                              for t in rise_set.thresholds)
        notes.append(f"no baseline given: only the ULN criteria were applied; the rise from "
                     f"baseline ({limits}) could give a higher grade")
        return outcome
    rise = _evaluate(rise_set, v, u, refs, label)
    steps.extend(rise.steps)
    steps.append(f"higher of the ULN grade {outcome.worst} and the baseline grade {rise.worst} "
                 f"-> grade {max(outcome.worst, rise.worst)}")
    if rise.worst > outcome.worst:
        flags.append(GradeFlag.BASELINE_CRITERION_DECIDED)
        return rise
    return outcome


def _low_or_high(sets: tuple[CriteriaSet, ...], v: Decimal, u: str, refs: _Refs, label: str,
                 steps: list[str]) -> _Outcome | None:
    """Potassium: the low term if the value meets it, else the high term, else grade 0.

    A value below the LLN (or 3.0 mmol/L) cannot also be above the ULN (the LLN is checked
    to be below the ULN), so the high side is looked at only when the low side is grade 0.
    """
    low_set, high_set = sets
    missing: list[_Missing] = []
    low: _Outcome | None = None
    try:
        low = _evaluate(low_set, v, u, refs, label)
    except _Missing as exc:
        missing.append(exc)
    if low is not None and low.met is not None:
        steps.extend(low.steps)
        return low
    high: _Outcome | None = None
    try:
        high = _evaluate(high_set, v, u, refs, label)
    except _Missing as exc:
        missing.append(exc)
    if high is not None and high.met is not None:
        steps.extend(high.steps)
        return high
    if missing:
        raise missing[0]
    for side in (low, high):
        if side is not None:
            steps.extend(side.steps)
    return None


def _assemble(criteria: LabCriteria, quantity: LabQuantity, refs: _Refs, outcome: _Outcome | None,
              steps: list[str], flags: list[GradeFlag], notes: list[str]) -> LabGrade:
    term = None if outcome is None else outcome.cset.term
    lab_max = max(TERMS[s.term].lab_derivable_max_grade for s in criteria.sets)
    grade, lowest = 0, 0
    kind = CriteriaKind.STANDARD
    if outcome is not None:
        grade, lowest, kind = outcome.worst, outcome.grade, outcome.cset.kind
        lab_max = TERMS[outcome.cset.term].lab_derivable_max_grade
        if outcome.empty_bands:
            flags.append(GradeFlag.REFERENCE_BEYOND_LIMIT)
            notes.extend(outcome.empty_bands)
        met = outcome.met
        if met is not None and met.symptomatic_grade is not None:
            flags.append(GradeFlag.SYMPTOMS_DECIDE)
            steps.append(f"grade {met.grade} (\"{met.ctcae_text}\") or grade {met.symptomatic_grade}"
                         f" (\"{met.symptomatic_text}\"): symptoms decide; worst case -> grade "
                         f"{met.symptomatic_grade}")
            notes.append(f"the lab value cannot tell grade {met.grade} from grade "
                         f"{met.symptomatic_grade}: reported as grade {met.symptomatic_grade} (worst "
                         f"case, as admiral); the clinician records grade {met.grade} if the "
                         f"participant has no symptoms and no intervention is indicated")
        info = TERMS[outcome.cset.term]
        if grade == info.lab_derivable_max_grade and info.clinical_only:
            flags.append(GradeFlag.CLINICAL_GRADE_POSSIBLE)
            for clinical_grade, text in info.clinical_only:
                notes.append(f"grade {clinical_grade} (\"{text}\") is a clinical judgement, not "
                             "derivable from the lab value")
    for ungraded in criteria.ungraded:
        _check_ungraded(ungraded, quantity.value, quantity.unit, refs, flags, notes)
    name = term.value if term is not None else f"{criteria.test.value} within normal limits"
    steps.append(f"{CTCAE_VERSION} {name}: grade {grade}")
    return LabGrade(
        test=criteria.test, term=term, grade=grade, grade_range=(lowest, grade),
        lab_derivable_max_grade=lab_max, criteria=kind, value=quantity.value, unit=quantity.unit,
        reported_value=quantity.reported_value, reported_unit=quantity.reported_unit,
        lln=refs.get(LimitAnchor.LLN), uln=refs.get(LimitAnchor.ULN), baseline=refs.get(LimitAnchor.BASELINE),
        flags=tuple(flags), notes=tuple(notes), steps=tuple(steps), source=criteria.source)


def _check_ungraded(ungraded: UngradedCondition, value: Decimal, unit: str, refs: _Refs,
                    flags: list[GradeFlag], notes: list[str]) -> None:
    """Flag a value meeting a term this module does not grade (sodium above the ULN)."""
    for threshold in reversed(ungraded.thresholds):
        limit = _resolve(threshold, refs)
        if limit is not None and COMPARE[threshold.compare](value, limit):
            flags.append(GradeFlag.UNGRADED_TERM_MET)
            notes.append(f"{number_text(value)} {unit} {threshold.compare.value} "
                         f"{_describe(threshold, limit, unit)}: {CTCAE_VERSION} {ungraded.term} "
                         f"(grade {threshold.grade}: \"{threshold.ctcae_text}\") may apply; it is "
                         "not graded here: grade it by hand")
            return
