"""CTCAE v5.0 lab grading criteria as typed data, checked when the module is imported.

Each test's criteria are one or more *criteria sets* (the ULN-based and the baseline-based
criteria of ALT, say). A set is a list of thresholds, one per grade it can reach; a value's
grade under a set is the highest grade whose threshold it meets (``value < 1.0 x 10^9/L``
for neutrophils grade 3). Because each threshold is a one-sided comparison and thresholds
are ordered, every value meets exactly one band and the grade moves one way with the value;
:func:`check_lab_criteria` verifies the ordering, the comparison directions and that the
grades 1 .. (lab-derivable maximum) are all reachable (no empty grade band).

Limits are either absolute (in the test's canonical unit, see
:mod:`hipectrial.clinical.labs.units`) or multiples of the site's LLN, ULN or the participant's
baseline. Comparison operators are :mod:`operator` functions, never text to evaluate.

References
----------
Common Terminology Criteria for Adverse Events (CTCAE) Version 5.0. U.S. Department of
Health and Human Services, NIH, NCI; published 27 November 2017.
pharmaverse/admiral, ``data-raw/adlb_grading/ncictcaev5.json``: NCI-CTCAE v5.0 lab grading
metadata in SI units (the grade texts below are quoted from it), cited in
shared/reference/clinical.md §3.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from hipectrial.clinical.labs.units import LAB_TESTS, LabTest

CTCAE_V5 = ("Common Terminology Criteria for Adverse Events (CTCAE) v5.0, NCI, 27 Nov 2017")
ADMIRAL_V5 = ("pharmaverse admiral NCI-CTCAE v5.0 lab grading metadata "
              "(data-raw/adlb_grading/ncictcaev5.json), cited in clinical.md §3")


class CtcaeTerm(StrEnum):
    """CTCAE v5.0 terms graded from lab values, spelt as CTCAE spells them."""

    NEUTROPHIL_COUNT_DECREASED = "Neutrophil count decreased"
    PLATELET_COUNT_DECREASED = "Platelet count decreased"
    ANEMIA = "Anemia"
    WHITE_BLOOD_CELL_DECREASED = "White blood cell decreased"
    LYMPHOCYTE_COUNT_DECREASED = "Lymphocyte count decreased"
    ALT_INCREASED = "Alanine aminotransferase increased"
    AST_INCREASED = "Aspartate aminotransferase increased"
    ALP_INCREASED = "Alkaline phosphatase increased"
    BILIRUBIN_INCREASED = "Blood bilirubin increased"
    CREATININE_INCREASED = "Creatinine increased"
    HYPOKALEMIA = "Hypokalemia"
    HYPERKALEMIA = "Hyperkalemia"
    HYPONATREMIA = "Hyponatremia"


class Direction(StrEnum):
    """Whether a set grades values below (``low``) or above (``high``) normal."""

    LOW = "low"
    HIGH = "high"


class LimitAnchor(StrEnum):
    """What a limit is a multiple of; ``absolute`` limits are in the canonical unit."""

    ABSOLUTE = "absolute"
    LLN = "LLN"
    ULN = "ULN"
    BASELINE = "baseline"


class Comparison(StrEnum):
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="


COMPARE: Mapping[Comparison, Callable[[Decimal, Decimal], bool]] = MappingProxyType({
    Comparison.LT: operator.lt, Comparison.LE: operator.le,
    Comparison.GT: operator.gt, Comparison.GE: operator.ge,
})
# The comparison that holds exactly when the given one fails.
NEGATION: Mapping[Comparison, Comparison] = MappingProxyType({
    Comparison.LT: Comparison.GE, Comparison.LE: Comparison.GT,
    Comparison.GT: Comparison.LE, Comparison.GE: Comparison.LT,
})
_DIRECTION_OF: Mapping[Comparison, Direction] = MappingProxyType({
    Comparison.LT: Direction.LOW, Comparison.LE: Direction.LOW,
    Comparison.GT: Direction.HIGH, Comparison.GE: Direction.HIGH,
})


class CriteriaKind(StrEnum):
    """Which of a term's criteria a set is."""

    STANDARD = "standard"                        # reference range (baseline normal or not used)
    BASELINE_ABNORMAL = "baseline abnormal"      # ALT/AST/ALP/bilirubin when baseline > ULN
    RISE_FROM_BASELINE = "rise from baseline"    # creatinine's "x baseline" criteria


class Rule(StrEnum):
    """How a test's criteria sets combine into one grade."""

    SINGLE = "single"                            # one set
    BASELINE_SWITCH = "baseline switch"          # baseline > ULN: baseline set, else standard
    HIGHER_OF = "higher of"                      # the higher grade of both sets (creatinine)
    LOW_OR_HIGH = "low or high"                  # a low and a high term (potassium)


@dataclass(frozen=True, slots=True)
class Threshold:
    """``value <compare> factor x anchor`` puts a value at ``grade`` (or higher).

    ``symptomatic_grade`` is set where CTCAE gives the same lab band two grades told apart only
    by symptoms or intervention (hypokalaemia 1/2, hyponatraemia 2/3); ``symptomatic_text``
    is CTCAE's text for that higher grade.
    """

    grade: int
    compare: Comparison
    anchor: LimitAnchor
    factor: Decimal
    ctcae_text: str
    symptomatic_grade: int | None = None
    symptomatic_text: str = ""

    def limit_text(self, unit: str) -> str:
        """The limit as CTCAE states it: ``1.5 10^9/L``, ``LLN``, ``3.0 x ULN``."""
        if self.anchor is LimitAnchor.ABSOLUTE:
            return f"{self.factor} {unit}"
        if self.factor == 1:
            return self.anchor.value
        return f"{self.factor} x {self.anchor.value}"


@dataclass(frozen=True, slots=True)
class CriteriaSet:
    term: CtcaeTerm
    kind: CriteriaKind
    direction: Direction
    thresholds: tuple[Threshold, ...]
    applies_when: str


@dataclass(frozen=True, slots=True)
class TermInfo:
    """A term's place in CTCAE and the grades a lab value alone can give."""

    term: CtcaeTerm
    soc: str
    lab_derivable_max_grade: int
    # CTCAE's (grade, text) for the grades above that maximum: clinical judgement only.
    clinical_only: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class UngradedCondition:
    """A CTCAE term this module does not grade, and the thresholds that show it may apply."""

    term: str
    thresholds: tuple[Threshold, ...]


@dataclass(frozen=True, slots=True)
class CriteriaRow:
    """One grade band of one criteria set, as a screen shows it."""

    term: CtcaeTerm
    kind: CriteriaKind
    grade: int
    band: str
    ctcae_text: str


@dataclass(frozen=True, slots=True)
class LabCriteria:
    """Everything needed to grade one lab test, with its source."""

    test: LabTest
    unit: str
    rule: Rule
    sets: tuple[CriteriaSet, ...]
    source: str
    ungraded: tuple[UngradedCondition, ...] = ()

    @property
    def references(self) -> frozenset[LimitAnchor]:
        """The reference values (LLN, ULN, baseline) grading this test can use.

        >>> sorted(LAB_CRITERIA[LabTest.ALT].references)
        [<LimitAnchor.ULN: 'ULN'>, <LimitAnchor.BASELINE: 'baseline'>]
        """
        anchors = {t.anchor for s in self.sets for t in s.thresholds}
        anchors |= {t.anchor for u in self.ungraded for t in u.thresholds}
        if self.rule is Rule.BASELINE_SWITCH:
            anchors.add(LimitAnchor.ULN)  # baseline > ULN decides which set applies
        return frozenset(anchors - {LimitAnchor.ABSOLUTE})

    def rows(self) -> tuple[CriteriaRow, ...]:
        """The bands of every set, grade 0 first, with CTCAE's text.

        >>> for row in LAB_CRITERIA[LabTest.NEUT].rows():
        ...     print(row.grade, row.band)
        0 x >= LLN
        1 1.5 10^9/L <= x < LLN
        2 1.0 10^9/L <= x < 1.5 10^9/L
        3 0.5 10^9/L <= x < 1.0 10^9/L
        4 x < 0.5 10^9/L
        """
        rows: list[CriteriaRow] = []
        for cset in self.sets:
            first = cset.thresholds[0]
            below = f"x {NEGATION[first.compare].value} {first.limit_text(self.unit)}"
            if cset.kind is not CriteriaKind.RISE_FROM_BASELINE:
                rows.append(CriteriaRow(cset.term, cset.kind, 0, below, "not graded (grade 0)"))
            for index, threshold in enumerate(cset.thresholds):
                nxt = cset.thresholds[index + 1] if index + 1 < len(cset.thresholds) else None
                band = band_text(threshold, nxt, self.unit)
                grades = str(threshold.grade)
                rows.append(CriteriaRow(cset.term, cset.kind, threshold.grade, band,
                                        threshold.ctcae_text))
                if threshold.symptomatic_grade is not None:
                    rows.append(CriteriaRow(cset.term, cset.kind, threshold.symptomatic_grade,
                                            band + f" (if symptomatic; else grade {grades})",
                                            threshold.symptomatic_text))
            if cset.kind is CriteriaKind.STANDARD:
                rows.extend(CriteriaRow(cset.term, cset.kind, grade, "not derivable from a lab value",
                                        text) for grade, text in TERMS[cset.term].clinical_only)
        return tuple(rows)


def band_text(threshold: Threshold, following: Threshold | None, unit: str) -> str:
    """The values a threshold's grade covers, up to the next grade's threshold.

    >>> t2 = Threshold(2, Comparison.GT, LimitAnchor.ULN, Decimal("3.0"), "")
    >>> t3 = Threshold(3, Comparison.GT, LimitAnchor.ULN, Decimal("5.0"), "")
    >>> band_text(t2, t3, "U/L")
    '3.0 x ULN < x <= 5.0 x ULN'
    """
    own = threshold.limit_text(unit)
    if following is None:
        return f"x {threshold.compare.value} {own}"
    other = following.limit_text(unit)
    near = NEGATION[following.compare].value  # the value must fail the next threshold
    if _DIRECTION_OF[threshold.compare] is Direction.LOW:
        # x < own and x >= other  ->  other <= x < own
        lower = "<=" if near == ">=" else "<"
        return f"{other} {lower} x {threshold.compare.value} {own}"
    upper_own = "<" if threshold.compare is Comparison.GT else "<="
    return f"{own} {upper_own} x {near} {other}"


def _t(grade: int, compare: Comparison, anchor: LimitAnchor, factor: str, text: str,
       symptomatic_grade: int | None = None, symptomatic_text: str = "") -> Threshold:
    return Threshold(grade, compare, anchor, Decimal(factor), text, symptomatic_grade,
                     symptomatic_text)


_LT, _GT, _GE = Comparison.LT, Comparison.GT, Comparison.GE
_ABS, _LLN, _ULN, _BASE = LimitAnchor.ABSOLUTE, LimitAnchor.LLN, LimitAnchor.ULN, LimitAnchor.BASELINE
_BLOOD = "Blood and lymphatic system disorders"
_INVESTIGATIONS = "Investigations"
_METABOLISM = "Metabolism and nutrition disorders"
_ANY = "always"
_BASELINE_NORMAL = "baseline <= ULN, or no baseline given"
_BASELINE_HIGH = "baseline > ULN"

TERMS: Mapping[CtcaeTerm, TermInfo] = MappingProxyType({info.term: info for info in (
    TermInfo(CtcaeTerm.NEUTROPHIL_COUNT_DECREASED, _INVESTIGATIONS, 4),
    TermInfo(CtcaeTerm.PLATELET_COUNT_DECREASED, _INVESTIGATIONS, 4),
    TermInfo(CtcaeTerm.ANEMIA, _BLOOD, 3,
             ((4, "Life-threatening consequences; urgent intervention indicated"),)),
    TermInfo(CtcaeTerm.WHITE_BLOOD_CELL_DECREASED, _INVESTIGATIONS, 4),
    TermInfo(CtcaeTerm.LYMPHOCYTE_COUNT_DECREASED, _INVESTIGATIONS, 4),
    TermInfo(CtcaeTerm.ALT_INCREASED, _INVESTIGATIONS, 4),
    TermInfo(CtcaeTerm.AST_INCREASED, _INVESTIGATIONS, 4),
    TermInfo(CtcaeTerm.ALP_INCREASED, _INVESTIGATIONS, 4),
    TermInfo(CtcaeTerm.BILIRUBIN_INCREASED, _INVESTIGATIONS, 4),
    TermInfo(CtcaeTerm.CREATININE_INCREASED, _INVESTIGATIONS, 4),
    TermInfo(CtcaeTerm.HYPOKALEMIA, _METABOLISM, 4),
    TermInfo(CtcaeTerm.HYPERKALEMIA, _METABOLISM, 4),
    TermInfo(CtcaeTerm.HYPONATREMIA, _METABOLISM, 4),
)})


def _count(term: CtcaeTerm, limits: tuple[str, str, str], texts: tuple[str, str, str, str]
           ) -> CriteriaSet:
    """A "count decreased" set: grade 1 below LLN, grades 2-4 below absolute limits."""
    g2, g3, g4 = limits
    return CriteriaSet(term, CriteriaKind.STANDARD, Direction.LOW, (
        _t(1, _LT, _LLN, "1", texts[0]),
        _t(2, _LT, _ABS, g2, texts[1]),
        _t(3, _LT, _ABS, g3, texts[2]),
        _t(4, _LT, _ABS, g4, texts[3]),
    ), _ANY)


def _liver(term: CtcaeTerm, uln: tuple[str, str, str], base: tuple[str, str, str, str],
           base_first: Comparison, texts: tuple[str, str, str, str]) -> tuple[CriteriaSet, ...]:
    """ALT/AST/ALP/bilirubin: multiples of ULN (baseline normal) or of baseline (abnormal).

    ``texts`` are CTCAE's grade texts, which state both variants.
    """
    standard = CriteriaSet(term, CriteriaKind.STANDARD, Direction.HIGH, (
        _t(1, _GT, _ULN, "1", texts[0]),
        _t(2, _GT, _ULN, uln[0], texts[1]),
        _t(3, _GT, _ULN, uln[1], texts[2]),
        _t(4, _GT, _ULN, uln[2], texts[3]),
    ), _BASELINE_NORMAL)
    abnormal = CriteriaSet(term, CriteriaKind.BASELINE_ABNORMAL, Direction.HIGH, (
        _t(1, base_first, _BASE, base[0], texts[0]),
        _t(2, _GT, _BASE, base[1], texts[1]),
        _t(3, _GT, _BASE, base[2], texts[2]),
        _t(4, _GT, _BASE, base[3], texts[3]),
    ), _BASELINE_HIGH)
    return standard, abnormal


def _source(*terms: CtcaeTerm, note: str = "") -> str:
    soc = TERMS[terms[0]].soc
    names = " and ".join(t.value for t in terms)
    return f"{CTCAE_V5}, {soc}, {names}; {ADMIRAL_V5}" + (f"; {note}" if note else "")


_TRANSAMINASE_TEXTS = (
    ">ULN - 3.0 x ULN if baseline was normal; 1.5 - 3.0 x baseline if baseline was abnormal",
    ">3.0 - 5.0 x ULN if baseline was normal; >3.0 - 5.0 x baseline if baseline was abnormal",
    ">5.0 - 20.0 x ULN if baseline was normal; >5.0 - 20.0 x baseline if baseline was abnormal",
    ">20.0 x ULN if baseline was normal; >20.0 x baseline if baseline was abnormal",
)
_HYPOK_G2 = "Symptomatic with <LLN - 3.0 mmol/L; intervention indicated"
_HYPONA_G3 = "125-129 mmol/L symptomatic; 120-124 mmol/L regardless of symptoms"

_ALL: tuple[LabCriteria, ...] = (
    LabCriteria(LabTest.NEUT, "10^9/L", Rule.SINGLE, (_count(
        CtcaeTerm.NEUTROPHIL_COUNT_DECREASED, ("1.5", "1.0", "0.5"),
        ("<LLN - 1500/mm3; <LLN - 1.5 x 10e9 /L", "<1500 - 1000/mm3; <1.5 - 1.0 x 10e9 /L",
         "<1000 - 500/mm3; <1.0 - 0.5 x 10e9 /L", "<500/mm3; <0.5 x 10e9 /L")),),
        _source(CtcaeTerm.NEUTROPHIL_COUNT_DECREASED)),
    LabCriteria(LabTest.PLAT, "10^9/L", Rule.SINGLE, (_count(
        CtcaeTerm.PLATELET_COUNT_DECREASED, ("75", "50", "25"),
        ("<LLN - 75,000/mm3; <LLN - 75.0 x 10e9 /L",
         "<75,000 - 50,000/mm3; <75.0 - 50.0 x 10e9 /L",
         "<50,000 - 25,000/mm3; <50.0 - 25.0 x 10e9 /L", "<25,000/mm3; <25.0 x 10e9 /L")),),
        _source(CtcaeTerm.PLATELET_COUNT_DECREASED)),
    LabCriteria(LabTest.HGB, "g/L", Rule.SINGLE, (CriteriaSet(
        CtcaeTerm.ANEMIA, CriteriaKind.STANDARD, Direction.LOW, (
            _t(1, _LT, _LLN, "1", "Hemoglobin (Hgb) <LLN - 10.0 g/dL; <LLN - 6.2 mmol/L; "
                                  "<LLN - 100 g/L"),
            _t(2, _LT, _ABS, "100", "Hgb <10.0 - 8.0 g/dL; <6.2 - 4.9 mmol/L; <100 - 80g/L"),
            # Grade 3's "transfusion indicated" and grade 4 are clinical (clinical.md §3).
            _t(3, _LT, _ABS, "80", "Hgb <8.0 g/dL; <4.9 mmol/L; <80 g/L; transfusion indicated"),
        ), _ANY),), _source(CtcaeTerm.ANEMIA)),
    LabCriteria(LabTest.WBC, "10^9/L", Rule.SINGLE, (_count(
        CtcaeTerm.WHITE_BLOOD_CELL_DECREASED, ("3.0", "2.0", "1.0"),
        ("<LLN - 3000/mm3; <LLN - 3.0 x 10e9 /L", "<3000 - 2000/mm3; <3.0 - 2.0 x 10e9 /L",
         "<2000 - 1000/mm3; <2.0 - 1.0 x 10e9 /L", "<1000/mm3; <1.0 x 10e9 /L")),),
        _source(CtcaeTerm.WHITE_BLOOD_CELL_DECREASED)),
    LabCriteria(LabTest.LYM, "10^9/L", Rule.SINGLE, (_count(
        CtcaeTerm.LYMPHOCYTE_COUNT_DECREASED, ("0.8", "0.5", "0.2"),
        ("<LLN - 800/mm3; <LLN - 0.8 x 10e9/L", "<800 - 500/mm3; <0.8 - 0.5 x 10e9 /L",
         "<500 - 200/mm3; <0.5 - 0.2 x 10e9 /L", "<200/mm3; <0.2 x 10e9 /L")),),
        _source(CtcaeTerm.LYMPHOCYTE_COUNT_DECREASED)),
    # Baseline abnormal, grade 1 "1.5 - 3.0 x baseline": no ">" sign, so 1.5 x baseline is
    # included (admiral: AVAL >= 1.5*BASE).
    LabCriteria(LabTest.ALT, "U/L", Rule.BASELINE_SWITCH, _liver(
        CtcaeTerm.ALT_INCREASED, ("3.0", "5.0", "20.0"), ("1.5", "3.0", "5.0", "20.0"), _GE,
        _TRANSAMINASE_TEXTS), _source(CtcaeTerm.ALT_INCREASED)),
    LabCriteria(LabTest.AST, "U/L", Rule.BASELINE_SWITCH, _liver(
        CtcaeTerm.AST_INCREASED, ("3.0", "5.0", "20.0"), ("1.5", "3.0", "5.0", "20.0"), _GE,
        _TRANSAMINASE_TEXTS), _source(CtcaeTerm.AST_INCREASED)),
    # Baseline abnormal, grade 1 "2.0 - 2.5 x baseline": 2.0 x baseline included.
    LabCriteria(LabTest.ALP, "U/L", Rule.BASELINE_SWITCH, _liver(
        CtcaeTerm.ALP_INCREASED, ("2.5", "5.0", "20.0"), ("2.0", "2.5", "5.0", "20.0"), _GE, (
            ">ULN - 2.5 x ULN if baseline was normal; 2.0 - 2.5 x baseline if baseline was "
            "abnormal",
            ">2.5 - 5.0 x ULN if baseline was normal; >2.5 - 5.0 x baseline if baseline was "
            "abnormal",
            ">5.0 - 20.0 x ULN if baseline was normal; >5.0 - 20.0 x baseline if baseline was "
            "abnormal",
            ">20.0 x ULN if baseline was normal; >20.0 x baseline if baseline was abnormal")),
        _source(CtcaeTerm.ALP_INCREASED)),
    # Baseline abnormal, grade 1 "> 1.0 - 1.5 x baseline": any rise above baseline.
    LabCriteria(LabTest.BILI, "umol/L", Rule.BASELINE_SWITCH, _liver(
        CtcaeTerm.BILIRUBIN_INCREASED, ("1.5", "3.0", "10.0"), ("1.0", "1.5", "3.0", "10.0"), _GT, (
            ">ULN - 1.5 x ULN if baseline was normal; > 1.0 - 1.5 x baseline if baseline was "
            "abnormal",
            ">1.5 - 3.0 x ULN if baseline was normal; >1.5 - 3.0 x baseline if baseline was "
            "abnormal",
            ">3.0 - 10.0 x ULN if baseline was normal; >3.0 - 10.0 x baseline if baseline was "
            "abnormal",
            ">10.0 x ULN if baseline was normal; >10.0 x baseline if baseline was abnormal")),
        _source(CtcaeTerm.BILIRUBIN_INCREASED)),
    LabCriteria(LabTest.CREAT, "umol/L", Rule.HIGHER_OF, (
        CriteriaSet(CtcaeTerm.CREATININE_INCREASED, CriteriaKind.STANDARD, Direction.HIGH, (
            _t(1, _GT, _ULN, "1", ">ULN - 1.5 x ULN"),
            _t(2, _GT, _ULN, "1.5", ">1.5 - 3.0 x baseline; >1.5 - 3.0 x ULN"),
            _t(3, _GT, _ULN, "3.0", ">3.0 baseline; >3.0 - 6.0 x ULN"),
            _t(4, _GT, _ULN, "6.0", ">6.0 x ULN"),
        ), _ANY),
        CriteriaSet(CtcaeTerm.CREATININE_INCREASED, CriteriaKind.RISE_FROM_BASELINE,
                    Direction.HIGH, (
            _t(2, _GT, _BASE, "1.5", ">1.5 - 3.0 x baseline; >1.5 - 3.0 x ULN"),
            _t(3, _GT, _BASE, "3.0", ">3.0 baseline; >3.0 - 6.0 x ULN"),
        ), "a baseline is given"),
    ), _source(CtcaeTerm.CREATININE_INCREASED, note="clinical.md §3: take the higher grade of "
                                                       "the ULN-based and baseline-based criteria")),
    LabCriteria(LabTest.K, "mmol/L", Rule.LOW_OR_HIGH, (
        CriteriaSet(CtcaeTerm.HYPOKALEMIA, CriteriaKind.STANDARD, Direction.LOW, (
            _t(1, _LT, _LLN, "1", "<LLN - 3.0 mmol/L", 2, _HYPOK_G2),
            _t(3, _LT, _ABS, "3.0", "<3.0 - 2.5 mmol/L; hospitalization indicated"),
            _t(4, _LT, _ABS, "2.5", "<2.5 mmol/L; life-threatening consequences"),
        ), "value below LLN"),
        CriteriaSet(CtcaeTerm.HYPERKALEMIA, CriteriaKind.STANDARD, Direction.HIGH, (
            _t(1, _GT, _ULN, "1", ">ULN - 5.5 mmol/L"),
            _t(2, _GT, _ABS, "5.5", ">5.5 - 6.0 mmol/L; intervention initiated"),
            _t(3, _GT, _ABS, "6.0", ">6.0 - 7.0 mmol/L; hospitalization indicated"),
            _t(4, _GT, _ABS, "7.0", ">7.0 mmol/L; life-threatening consequences"),
        ), "value above ULN"),
    ), _source(CtcaeTerm.HYPOKALEMIA, CtcaeTerm.HYPERKALEMIA)),
    # "125-129 mmol/L" is read as 125 <= x < 130 so that it meets grade 1 ("<LLN - 130",
    # i.e. >= 130) without a gap; admiral's "<= 129" would grade 129.5 as 1.
    LabCriteria(LabTest.SODIUM, "mmol/L", Rule.SINGLE, (
        CriteriaSet(CtcaeTerm.HYPONATREMIA, CriteriaKind.STANDARD, Direction.LOW, (
            _t(1, _LT, _LLN, "1", "<LLN - 130 mmol/L"),
            _t(2, _LT, _ABS, "130", "125-129 mmol/L and asymptomatic", 3, _HYPONA_G3),
            _t(3, _LT, _ABS, "125", _HYPONA_G3),
            _t(4, _LT, _ABS, "120", "<120 mmol/L; life-threatening consequences"),
        ), _ANY),
    ), _source(CtcaeTerm.HYPONATREMIA), (
        UngradedCondition("Hypernatremia", (
            _t(1, _GT, _ULN, "1", ">ULN - 150 mmol/L"),
            _t(2, _GT, _ABS, "150", ">150 - 155 mmol/L; intervention initiated"),
        )),
    )),
)


def check_lab_criteria(criteria: LabCriteria) -> None:
    """Raise ValueError unless the criteria are well formed.

    Checks: the unit is the test's canonical unit; the sets fit the rule; in each set the
    grades rise, every comparison points the set's way, limits with one anchor are strictly
    ordered (so no band is empty), reference-anchored limits come before absolute ones, and a
    symptomatic grade lies between its own grade and the next; every grade from 1 to the
    term's lab-derivable maximum is reachable; every text and the source are non-empty.
    """
    name = criteria.test.value
    if criteria.unit != LAB_TESTS[criteria.test].canonical_unit:
        raise ValueError(f"{name}: unit {criteria.unit} is not the canonical unit")
    if not criteria.source.strip():
        raise ValueError(f"{name}: no source")
    kinds = [s.kind for s in criteria.sets]
    expected_shape = {
        Rule.SINGLE: [CriteriaKind.STANDARD],
        Rule.BASELINE_SWITCH: [CriteriaKind.STANDARD, CriteriaKind.BASELINE_ABNORMAL],
        Rule.HIGHER_OF: [CriteriaKind.STANDARD, CriteriaKind.RISE_FROM_BASELINE],
        Rule.LOW_OR_HIGH: [CriteriaKind.STANDARD, CriteriaKind.STANDARD],
    }[criteria.rule]
    if kinds != expected_shape:
        raise ValueError(f"{name}: rule {criteria.rule} needs sets {expected_shape}; got {kinds}")
    if criteria.rule is Rule.LOW_OR_HIGH and [s.direction for s in criteria.sets] != [
            Direction.LOW, Direction.HIGH]:
        raise ValueError(f"{name}: a low-or-high rule needs a low set then a high set")
    if criteria.rule is not Rule.LOW_OR_HIGH and len({s.term for s in criteria.sets}) != 1:
        raise ValueError(f"{name}: all sets must grade one term")
    for cset in criteria.sets:
        _check_set(name, cset)
    for cset in criteria.sets:
        if cset.kind is CriteriaKind.RISE_FROM_BASELINE:
            continue  # only raises the standard set's grade (creatinine)
        reach = set()
        for t in cset.thresholds:
            reach.add(t.grade)
            if t.symptomatic_grade is not None:
                reach.add(t.symptomatic_grade)
        info = TERMS[cset.term]
        top = info.lab_derivable_max_grade
        for clinical_grade, text in info.clinical_only:
            if not top < clinical_grade <= 4 or not text.strip():
                raise ValueError(f"{name} {cset.term}: clinical-only grade {clinical_grade} must be "
                                 f"in ({top}, 4] with text")
        if reach != set(range(1, top + 1)):
            raise ValueError(f"{name} {cset.term} ({cset.kind}): grades reachable {sorted(reach)}; "
                             f"need every grade 1 to {top}")
    for ungraded in criteria.ungraded:
        _check_thresholds(f"{name} {ungraded.term}", ungraded.thresholds, Direction.HIGH)


def _check_set(name: str, cset: CriteriaSet) -> None:
    where = f"{name} {cset.term} ({cset.kind})"
    if not cset.thresholds:
        raise ValueError(f"{where}: no thresholds")
    _check_thresholds(where, cset.thresholds, cset.direction)
    top = TERMS[cset.term].lab_derivable_max_grade
    if cset.thresholds[-1].grade > top:
        raise ValueError(f"{where}: grade {cset.thresholds[-1].grade} above the lab-derivable "
                         f"maximum {top}")


def _check_thresholds(where: str, thresholds: tuple[Threshold, ...], direction: Direction) -> None:
    seen_absolute = False
    last_by_anchor: dict[LimitAnchor, Decimal] = {}
    for index, t in enumerate(thresholds):
        if not 1 <= t.grade <= 4:
            raise ValueError(f"{where}: grade {t.grade} is not 1-4")
        if index and t.grade <= thresholds[index - 1].grade:
            raise ValueError(f"{where}: grades must rise; {t.grade} follows "
                             f"{thresholds[index - 1].grade}")
        if _DIRECTION_OF[t.compare] is not direction:
            raise ValueError(f"{where} grade {t.grade}: '{t.compare}' does not grade {direction} values")
        if not (t.factor.is_finite() and t.factor > 0):
            raise ValueError(f"{where} grade {t.grade}: factor must be positive; got {t.factor}")
        if not t.ctcae_text.strip():
            raise ValueError(f"{where} grade {t.grade}: no CTCAE text")
        if t.anchor is LimitAnchor.ABSOLUTE:
            seen_absolute = True
        elif seen_absolute:
            raise ValueError(f"{where} grade {t.grade}: a {t.anchor} limit after an absolute one")
        previous = last_by_anchor.get(t.anchor)
        if previous is not None:
            ordered = t.factor < previous if direction is Direction.LOW else t.factor > previous
            if not ordered:
                raise ValueError(f"{where} grade {t.grade}: limit {t.factor} x {t.anchor} does not "
                                 f"lie beyond the previous grade's {previous} (empty band)")
        last_by_anchor[t.anchor] = t.factor
        if t.symptomatic_grade is not None:
            ceiling = thresholds[index + 1].grade if index + 1 < len(thresholds) else 4
            if not t.grade < t.symptomatic_grade <= ceiling or not t.symptomatic_text.strip():
                raise ValueError(f"{where} grade {t.grade}: symptomatic grade "
                                 f"{t.symptomatic_grade} must be in ({t.grade}, {ceiling}] with text")


for _criteria in _ALL:
    check_lab_criteria(_criteria)

LAB_CRITERIA: Mapping[LabTest, LabCriteria] = MappingProxyType({c.test: c for c in _ALL})
if set(LAB_CRITERIA) != set(LabTest):
    raise ValueError(f"CTCAE criteria missing for {sorted(set(LabTest) - set(LAB_CRITERIA))}")
