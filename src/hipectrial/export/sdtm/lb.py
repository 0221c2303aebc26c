"""LB: one record per lab result (``TrialData.lab_results``).

- LBTESTCD is the CDISC code the result carries (the protocol's lab fields declare it in
  ``cdisc``); LBTEST and LBCAT come from :data:`~hipectrial.export.sdtm.terms.LAB_TESTS`.
- LBORRES, LBORRESU, LBORNRLO, LBORNRHI: as recorded (the value, its unit, the reporting
  laboratory's range).
- Standard units: for the tests the clinical engine knows (:class:`hipectrial.clinical.labs.
  units.LabTest`: NEUT, PLAT, HGB, WBC, LYM, ALT, AST, ALP, BILI, CREAT, K, SODIUM) the
  standard unit is the engine's canonical SI unit and the value and range are converted
  exactly by its conversion table (:func:`~hipectrial.clinical.labs.units.unit_conversion`);
  the seed protocol records every one of them in that unit already, so the conversion factor
  is 1. Other tests (ALB, INR) are not converted: LBSTRES* copy the original.
- LBNRIND: LOW below LBORNRLO, HIGH above LBORNRHI, NORMAL otherwise; on the original units;
  empty without a range.
- LBTOXGR and LBTOX: the grade and term of :func:`hipectrial.clinical.grade_lab` (CTCAE v5.0)
  from the value, its unit and the site's range, as the EDC shows them beside the value: no
  baseline is passed (baseline-relative grading of ALT, AST, ALP, bilirubin and creatinine is
  an analysis derivation), and where CTCAE lets symptoms decide the worst case is written.
  Empty for a test CTCAE is not applied to here (ALB, INR) and for a result missing a limit
  its grade needs (an ALT without ULN): never guessed.
- LBLOBXFL: "Y" on each subject's last result of each test dated on or before RFXSTDTC
  (dates only are collected: a sample on the day of the first dose is taken as pre-dose).
- VISITNUM/VISIT: the subject's visit on the same date whose protocol visit collects the
  form the test is recorded on (:mod:`~hipectrial.export.sdtm.visit_match`); else empty.

LBSEQ numbers a subject's results in order of date, then the test's place on the protocol's
forms, then ``TrialData`` order.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hipectrial.clinical.labs.ctcae import grade_lab
from hipectrial.clinical.labs.ctcae_tables import CtcaeTerm
from hipectrial.clinical.labs.units import (
    LabTest,
    UnitConversion,
    exact_product,
    number_text,
    unit_conversion,
)
from hipectrial.data import LabResult, TrialData
from hipectrial.errors import InputError
from hipectrial.export.sdtm.context import StudyContext
from hipectrial.export.sdtm.kit import (
    EXP,
    PERM,
    REQ,
    C,
    Draft,
    N,
    decimal_text,
    flag,
    identifiers,
    numbered,
    ny_codelist,
    rows,
)
from hipectrial.export.sdtm.model import CodeList, Dataset, Origin, Variable
from hipectrial.export.sdtm.terms import LAB_TESTS, codelist_of, unit
from hipectrial.export.sdtm.variables import dtc, epoch, epoch_codelist, iso_date, study_day
from hipectrial.export.sdtm.visit_match import VisitIndex, visit_index, visit_values, visit_variables
from hipectrial.protocol import Protocol

_GRADABLE = frozenset(test.value for test in LabTest)
_REFERENCES = frozenset({"lln", "uln", "baseline"})
LOW, NORMAL, HIGH = "LOW", "NORMAL", "HIGH"


def lab_forms(protocol: Protocol) -> dict[str, tuple[str, ...]]:
    """Each lab code the protocol declares, with the forms that record it, in form order."""
    found: dict[str, list[str]] = {}
    for form in protocol.forms:
        for field in form.fields:
            if field.cdisc is not None and field.cdisc in LAB_TESTS:
                forms = found.setdefault(field.cdisc, [])
                if form.id not in forms:
                    forms.append(form.id)
    return {code: tuple(forms) for code, forms in found.items()}


def reference_indicator(value: Decimal, low: Decimal | None, high: Decimal | None) -> str | None:
    """LOW, NORMAL or HIGH against the laboratory's range; ``None`` without one.

    >>> reference_indicator(Decimal("1.4"), Decimal("1.5"), None)
    'LOW'
    >>> reference_indicator(Decimal("1.5"), Decimal("1.5"), Decimal("7.5"))
    'NORMAL'
    """
    if low is None and high is None:
        return None
    if low is not None and value < low:
        return LOW
    if high is not None and value > high:
        return HIGH
    return NORMAL


_Graded = tuple[str | None, str | None]


def _toxicity(lab: LabResult, where: str, memo: dict[tuple[object, ...], _Graded]) -> _Graded:
    """(LBTOX, LBTOXGR) by the clinical engine; (None, None) when it does not apply or a
    reference limit it needs is missing. ``memo`` keeps the engine's pure results for the
    build (results repeat: the same value, unit and range)."""
    if lab.test_code not in _GRADABLE:
        return None, None
    key = (lab.test_code, lab.value, lab.unit, lab.reference_lower, lab.reference_upper)
    if key not in memo:
        memo[key] = _grade(lab, where)
    return memo[key]


def _grade(lab: LabResult, where: str) -> _Graded:
    try:
        graded = grade_lab(test=lab.test_code, value=lab.value, unit=lab.unit,
                           lln=lab.reference_lower, uln=lab.reference_upper)
    except InputError as exc:
        if exc.field in _REFERENCES and exc.value is None:
            return None, None  # a limit the grade needs was not reported: not gradable
        raise InputError(exc.field, exc.value, exc.expected, f"{where}; {exc.hint}" if exc.hint
                         else where) from None
    term = graded.term.value if graded.term is not None else None
    return term, str(graded.grade)


def _standard(lab: LabResult, where: str, conversions: dict[tuple[str, str], UnitConversion]
              ) -> tuple[Decimal, Decimal | None, Decimal | None, str | None]:
    """Value, low and high limits and unit in standard units (``conversions``: the engine's
    rows looked up so far in this build)."""
    if lab.test_code not in _GRADABLE:
        return lab.value, lab.reference_lower, lab.reference_upper, lab.unit
    key = (lab.test_code, lab.unit)
    if key not in conversions:
        try:
            conversions[key] = unit_conversion(LabTest(lab.test_code), lab.unit)
        except InputError as exc:
            raise InputError("unit", lab.unit, exc.expected, where) from None
    conversion = conversions[key]

    def convert(x: Decimal | None) -> Decimal | None:
        return None if x is None else exact_product(x, conversion.factor)

    value = exact_product(lab.value, conversion.factor)
    return value, convert(lab.reference_lower), convert(lab.reference_upper), conversion.canonical_unit


def _before_exposure(trial: TrialData, study: StudyContext) -> set[int]:
    """Indexes of each subject's last result of each test on or before RFXSTDTC."""
    last: dict[tuple[str, str], tuple[dt.date, int]] = {}
    for i, lab in enumerate(trial.lab_results):
        start = study.subject(lab.participant_id).first_treatment
        if start is None or lab.date > start:
            continue
        key = (lab.participant_id, lab.test_code)
        if key not in last or (lab.date, i) > last[key]:
            last[key] = (lab.date, i)
    return {i for _, i in last.values()}


def _draft(lab: LabResult, index: int, *, study: StudyContext, visits: VisitIndex,
           forms: dict[str, tuple[str, ...]], rank: dict[str, int], flagged: set[int],
           memo: dict[tuple[object, ...], _Graded],
           conversions: dict[tuple[str, str], UnitConversion]) -> Draft:
    pid = lab.participant_id
    where = f"lab result {lab.key}"
    if lab.test_code not in LAB_TESTS:
        raise InputError("test_code", lab.test_code, f"an LBTESTCD with an LBTEST ({', '.join(LAB_TESTS)})",
                         f"{where}; add it to hipectrial/export/sdtm/terms.py")
    name, category = LAB_TESTS[lab.test_code]
    std_value, std_low, std_high, std_unit = _standard(lab, where, conversions)
    tox, grade = _toxicity(lab, where, memo)
    visit = visits.on_date(pid, lab.date, forms.get(lab.test_code, ()))

    def limit(x: Decimal | None) -> float | None:
        return None if x is None else float(x)

    values = {
        "LBTESTCD": lab.test_code, "LBTEST": name, "LBCAT": category,
        "LBORRES": decimal_text(lab.value), "LBORRESU": unit(lab.unit, variable="LBORRESU", where=where),
        "LBORNRLO": None if lab.reference_lower is None else decimal_text(lab.reference_lower),
        "LBORNRHI": None if lab.reference_upper is None else decimal_text(lab.reference_upper),
        "LBSTRESC": number_text(std_value), "LBSTRESN": float(std_value),
        "LBSTRESU": unit(std_unit, variable="LBSTRESU", where=where),
        "LBSTNRLO": limit(std_low), "LBSTNRHI": limit(std_high),
        "LBNRIND": reference_indicator(lab.value, lab.reference_lower, lab.reference_upper),
        "LBLOBXFL": "Y" if index in flagged else None, "LBTOX": tox, "LBTOXGR": grade,
        **visit_values(visit),
        "EPOCH": study.epoch(pid, lab.date), "LBDTC": iso_date(lab.date),
        "LBDY": study.study_day(pid, lab.date),
    }
    return Draft(pid, (lab.date, rank.get(lab.test_code, len(rank)), index), values)


def _variables() -> tuple[Variable, ...]:
    derived, collected, assigned = Origin.DERIVED, Origin.COLLECTED, Origin.ASSIGNED
    std = ("the original value converted exactly to the clinical engine's canonical SI unit for "
           "NEUT, PLAT, HGB, WBC, LYM, ALT, AST, ALP, BILI, CREAT, K and SODIUM; a copy of the "
           "original for other tests")
    return (
        *identifiers("LB", seq_order="date (LBDTC), then the test's place on the protocol's forms, "
                                     "then the order of the records"),
        Variable("LBTESTCD", "Lab Test or Examination Short Name", C, REQ, "Topic", assigned,
                 codelist="LBTESTCD"),
        Variable("LBTEST", "Lab Test or Examination Name", C, REQ, "Synonym Qualifier", assigned,
                 codelist="LBTEST"),
        Variable("LBCAT", "Category for Lab Test", C, EXP, "Grouping Qualifier", assigned, codelist="LBCAT"),
        Variable("LBORRES", "Result or Finding in Original Units", C, EXP, "Result Qualifier", collected),
        Variable("LBORRESU", "Original Units", C, EXP, "Variable Qualifier", collected, codelist="LBUNIT"),
        Variable("LBORNRLO", "Reference Range Lower Limit in Orig Unit", C, EXP, "Variable Qualifier",
                 collected),
        Variable("LBORNRHI", "Reference Range Upper Limit in Orig Unit", C, EXP, "Variable Qualifier",
                 collected),
        Variable("LBSTRESC", "Character Result/Finding in Std Format", C, EXP, "Result Qualifier", derived,
                 derivation=f"LBORRES in standard units: {std}"),
        Variable("LBSTRESN", "Numeric Result/Finding in Standard Units", N, EXP, "Result Qualifier", derived,
                 derivation="LBSTRESC as a number"),
        Variable("LBSTRESU", "Standard Units", C, EXP, "Variable Qualifier", derived, codelist="LBUNIT",
                 derivation="The canonical unit of the test (see LBSTRESC); LBORRESU for other tests"),
        Variable("LBSTNRLO", "Reference Range Lower Limit-Std Units", N, EXP, "Variable Qualifier", derived,
                 derivation=f"LBORNRLO in standard units: {std}"),
        Variable("LBSTNRHI", "Reference Range Upper Limit-Std Units", N, EXP, "Variable Qualifier", derived,
                 derivation=f"LBORNRHI in standard units: {std}"),
        Variable("LBNRIND", "Reference Range Indicator", C, EXP, "Variable Qualifier", derived,
                 codelist="NRIND", derivation=(
                     "On the original units: LOW if LBORRES < LBORNRLO, HIGH if LBORRES > LBORNRHI, "
                     "NORMAL otherwise; null without a reference range")),
        flag("LBLOBXFL", "Last Observation Before Exposure Flag", EXP,
             "Y on the subject's last result of the test dated on or before RFXSTDTC"),
        Variable("LBTOX", "Toxicity", C, PERM, "Variable Qualifier", derived, codelist="LBTOX", derivation=(
            "The CTCAE v5.0 term hipectrial.clinical.grade_lab grades the value by (see LBTOXGR)")),
        Variable("LBTOXGR", "Standard Toxicity Grade", C, PERM, "Record Qualifier", derived,
                 codelist="LBTOXGR", derivation=(
                     "CTCAE v5.0 grade by hipectrial.clinical.grade_lab from LBORRES, LBORRESU and the "
                     "site's LBORNRLO/LBORNRHI, without baseline (as the EDC shows it); the worst case "
                     "where CTCAE lets symptoms decide; null for a test CTCAE is not applied to (ALB, "
                     "INR) or when a limit the grade needs is missing")),
        *visit_variables(EXP),
        epoch(),
        dtc("LBDTC", "Date/Time of Specimen Collection"),
        study_day("LBDY", "Study Day of Specimen Collection", "LBDTC"),
    )


def build(*, trial: TrialData, protocol: Protocol, study: StudyContext) -> tuple[Dataset, ...]:
    """LB (see the module's docstring for every derivation)."""
    forms = lab_forms(protocol)
    rank = {code: i for i, code in enumerate(forms)}
    visits = visit_index(trial, protocol)
    flagged = _before_exposure(trial, study)
    memo: dict[tuple[object, ...], _Graded] = {}
    conversions: dict[tuple[str, str], UnitConversion] = {}
    drafts = [_draft(lab, i, study=study, visits=visits, forms=forms, rank=rank, flagged=flagged, memo=memo,
                     conversions=conversions)
              for i, lab in enumerate(trial.lab_results)]
    records = numbered(drafts, study)
    variables = _variables()
    codes = [*forms, *(lab.test_code for lab in trial.lab_results)]
    table = rows(records, domain="LB", variables=variables, study=study)
    names = [v.name for v in variables]
    units = [row[names.index(name)] for name in ("LBORRESU", "LBSTRESU") for row in table]
    codelists = (
        ny_codelist(), epoch_codelist(),
        codelist_of("LBTESTCD", "Laboratory Test Code", codes, nci_code="C65047", extensible=True),
        codelist_of("LBTEST", "Laboratory Test Name", (LAB_TESTS[c][0] for c in codes if c in LAB_TESTS),
                    nci_code="C67154", extensible=True),
        codelist_of("LBCAT", "Category for Lab Test", (LAB_TESTS[c][1] for c in codes if c in LAB_TESTS),
                    nci_code=None, extensible=True),
        codelist_of("LBUNIT", "Unit", (u for u in units if isinstance(u, str)), nci_code="C71620",
                    extensible=True),
        CodeList("NRIND", "Reference Range Indicator", C, ((LOW, "Low"), (NORMAL, "Normal"), (HIGH, "High")),
                 extensible=True, nci_code="C78736"),
        CodeList("LBTOX", "CTCAE v5.0 term", C, tuple((t.value, None) for t in CtcaeTerm)),
        CodeList("LBTOXGR", "CTCAE v5.0 grade of a lab value", C, tuple((str(g), None) for g in range(5))),
    )
    dataset = Dataset(domain="LB", label="Laboratory Test Results", observation_class="FINDINGS",
                      structure="One record per lab test per time point per visit per subject",
                      keys=("STUDYID", "USUBJID", "LBDTC", "LBSEQ"), variables=variables,
                      rows=table, codelists=codelists)
    return (dataset,)
