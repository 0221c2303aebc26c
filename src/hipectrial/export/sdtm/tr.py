"""TR: the results of every assessment on every lesion or location of interest of TU.

RECIST lesions (by the role TU identified them with):

- measured (a measurement recorded): TRTESTCD LDIAM (Longest Diameter), or SAXIS (Short
  Axis) for a lymph node, TRORRES the measurement in mm as recorded;
- a target too small to measure: TRORRES "TOO SMALL TO MEASURE", TRSTRESC/TRSTRESN 5 (mm,
  the RECIST 1.1 default, :data:`hipectrial.clinical.recist.TOO_SMALL_TO_MEASURE_MM`; SDTMIG
  3.4 TR assumption 4); a target disappeared: "0" (mm);
- a non-target or new lesion without measurement: TRTESTCD TUMSTATE, PRESENT, ABSENT
  (disappeared) or UNEQUIVOCAL PROGRESSION;
- not evaluated (or a target recorded without a measurement): TRSTAT NOT DONE, TRREASND NOT
  EVALUATED (or NOT MEASURED), TRORRES empty.

Peritoneal locations: TRTESTCD LSSCORE (a sponsor test: the PCI lesion-size score 0-3 of the
region, Jacquet & Sugarbaker 1996), one per region scored at each exploration (a region left
unscored while others are scored: NOT DONE); cytology: TRTESTCD TUMSTATE on CYTOLOGY, TRORRES
the JGCA result as recorded (CY0, CY1), TRSTRESC ABSENT (CY0) or PRESENT (CY1, cancer cells
in the lavage), CYX (not done) as NOT DONE; TRMETHOD CYTOLOGY.

TRGRPID is TARGET, NON-TARGET or NEW (TU's role), or PCI / CYTOLOGY; TRLNKGRP the assessment's
link group (imaging: ``A<n>``, RS's RSLNKGRP); TREVAL INVESTIGATOR. No sum of diameters or
change is written: they are derived, not collected (TR assumption 3); RS holds the response.

TRSEQ numbers a subject's records in order of assessment date, then the order of the
assessments, then lesions as recorded, PCI regions 0-12, cytology.
"""

from __future__ import annotations

from decimal import Decimal

from hipectrial.clinical.recist import TOO_SMALL_TO_MEASURE_MM
from hipectrial.clinical.recist.vocab import DISAPPEARED_MM
from hipectrial.data import Cytology, Lesion, LesionRole, LesionStatus
from hipectrial.export.sdtm.context import StudyContext
from hipectrial.export.sdtm.kit import (
    EXP,
    PERM,
    REQ,
    C,
    Draft,
    N,
    decimal_text,
    identifiers,
    numbered,
    rows,
    text,
)
from hipectrial.export.sdtm.model import CodeList, Dataset, Origin, Value, Variable
from hipectrial.export.sdtm.terms import CYTOLOGY_METHOD, EVALUATOR, NOT_DONE, codelist_of, unit
from hipectrial.export.sdtm.tu import INVESTIGATOR, ROLE, method_of, method_values
from hipectrial.export.sdtm.tumour import CYTOLOGY_ID, Assessment, SubjectTumours, region_id
from hipectrial.export.sdtm.variables import dtc, epoch, epoch_codelist, iso_date, study_day
from hipectrial.export.sdtm.visit_match import visit_values, visit_variables
from hipectrial.protocol import Protocol

TESTS = {"LDIAM": "Longest Diameter", "SAXIS": "Short Axis", "TUMSTATE": "Tumor State",
         "LSSCORE": "PCI Lesion Size Score"}
PRESENT, ABSENT, PROGRESSION = "PRESENT", "ABSENT", "UNEQUIVOCAL PROGRESSION"
_STATE = {None: PRESENT, LesionStatus.PRESENT: PRESENT, LesionStatus.TOO_SMALL: PRESENT,
          LesionStatus.DISAPPEARED: ABSENT, LesionStatus.UNEQUIVOCAL_PROGRESSION: PROGRESSION}
_CYTOLOGY = {Cytology.CY0: ABSENT, Cytology.CY1: PRESENT}
NOT_DONE_VALUE = "NOT DONE"


def _result(orres: str | None, stres: Decimal | str | None, mm: bool) -> dict[str, Value]:
    """TRORRES/TRORRESU/TRSTRESC/TRSTRESN/TRSTRESU of one result (``stres`` a number: numeric)."""
    if isinstance(stres, Decimal):
        return {"TRORRES": orres, "TRORRESU": "mm" if mm else None, "TRSTRESC": decimal_text(stres),
                "TRSTRESN": float(stres), "TRSTRESU": "mm" if mm else None}
    return {"TRORRES": orres, "TRSTRESC": stres}


def _not_done(reason: str | None) -> dict[str, Value]:
    return {"TRSTAT": NOT_DONE_VALUE, "TRREASND": reason}


def lesion_result(lesion: Lesion, role: LesionRole) -> tuple[str, dict[str, Value]]:
    """TRTESTCD and the result variables of one lesion at one assessment (see module)."""
    axis = "SAXIS" if lesion.nodal else "LDIAM"
    mm, status = lesion.measurement_mm, lesion.status
    if mm is not None:
        return axis, _result(decimal_text(mm), mm, True)
    if status is LesionStatus.NOT_EVALUATED:
        return (axis if role is LesionRole.TARGET else "TUMSTATE"), _not_done("NOT EVALUATED")
    if role is LesionRole.TARGET:
        if status is LesionStatus.TOO_SMALL:
            return axis, _result("TOO SMALL TO MEASURE", TOO_SMALL_TO_MEASURE_MM, True)
        if status is LesionStatus.DISAPPEARED:
            return axis, _result(decimal_text(DISAPPEARED_MM), DISAPPEARED_MM, True)
        return axis, _not_done("NOT MEASURED")
    state = _STATE.get(status)
    if state is None:  # split or coalesced without a measurement cannot occur (Lesion checks it)
        return "TUMSTATE", _not_done("NOT MEASURED")
    return "TUMSTATE", _result(state, state, False)


def _common(study: StudyContext, pid: str, a: Assessment, method: str | None) -> dict[str, Value]:
    date = a.record.date
    return {"TRLNKGRP": a.group, "TRMETHOD": method, "TREVAL": INVESTIGATOR,
            **visit_values(a.visit), "EPOCH": study.epoch(pid, date),
            "TRDTC": iso_date(date), "TRDY": study.study_day(pid, date)}


def _drafts(protocol: Protocol, study: StudyContext, subject: SubjectTumours) -> list[Draft]:
    pid = subject.participant_id
    drafts: list[Draft] = []
    for a in subject.assessments:
        method = method_of(protocol, a.record.method.value)
        base = _common(study, pid, a, method)
        order = 0
        for lesion in a.record.lesions:
            role = subject.identification(lesion.id).role or lesion.role
            code, result = lesion_result(lesion, role)
            where = f"lesion {lesion.id} of tumour assessment {a.record.key}"
            values = {**base, **result, "TRGRPID": ROLE[role],
                      "TRLNKID": text(lesion.id, variable="TRLNKID", where=where),
                      "TRTESTCD": code, "TRTEST": TESTS[code]}
            drafts.append(Draft(pid, (a.record.date, a.index, order), values))
            order += 1
        if a.surgical and any(score is not None for score in a.record.pci):
            for region, score in enumerate(a.record.pci):
                result = (_not_done("NOT SCORED") if score is None
                          else _result(str(score), Decimal(score), False))
                values = {**base, **result, "TRGRPID": "PCI", "TRLNKID": region_id(region),
                          "TRTESTCD": "LSSCORE", "TRTEST": TESTS["LSSCORE"]}
                drafts.append(Draft(pid, (a.record.date, a.index, order), values))
                order += 1
        cytology = a.record.cytology
        if a.surgical and cytology is not None:
            state = _CYTOLOGY.get(cytology)
            result = _not_done(None) if state is None else _result(cytology.value, state, False)
            values = {**base, **result, "TRMETHOD": CYTOLOGY_METHOD, "TRGRPID": "CYTOLOGY",
                      "TRLNKID": CYTOLOGY_ID, "TRTESTCD": "TUMSTATE", "TRTEST": TESTS["TUMSTATE"]}
            drafts.append(Draft(pid, (a.record.date, a.index, order), values))
    return drafts


def _variables() -> tuple[Variable, ...]:
    derived, assigned, collected = Origin.DERIVED, Origin.ASSIGNED, Origin.COLLECTED
    return (
        *identifiers("TR", seq_order="assessment date, then the order of the assessments, then lesions "
                                     "as recorded, PCI regions 0-12, cytology"),
        Variable("TRGRPID", "Group ID", C, PERM, "Identifier", derived,
                 derivation="The role TU identified the lesion with (TARGET, NON-TARGET, NEW), or PCI, "
                            "CYTOLOGY for the peritoneal locations"),
        Variable("TRLNKGRP", "Link Group ID", C, PERM, "Identifier", derived, derivation=(
            "A<n>: the subject's n-th imaging assessment (CT, MRI, PET-CT) in date order; RSLNKGRP "
            "of the response computed from it")),
        Variable("TRLNKID", "Link ID", C, EXP, "Identifier", collected),
        Variable("TRTESTCD", "Tumor/Lesion Assessment Short Name", C, REQ, "Topic", assigned,
                 codelist="TRTESTCD"),
        Variable("TRTEST", "Tumor/Lesion Assessment Test Name", C, REQ, "Synonym Qualifier", assigned,
                 codelist="TRTEST"),
        Variable("TRORRES", "Result or Finding in Original Units", C, EXP, "Result Qualifier", collected),
        Variable("TRORRESU", "Original Units", C, EXP, "Variable Qualifier", collected, codelist="TRUNIT"),
        Variable("TRSTRESC", "Character Result/Finding in Std Format", C, EXP, "Result Qualifier", derived,
                 derivation="TRORRES; 5 for TOO SMALL TO MEASURE (RECIST 1.1); ABSENT for CY0, PRESENT "
                            "for CY1"),
        Variable("TRSTRESN", "Numeric Result/Finding in Standard Units", N, EXP, "Result Qualifier", derived,
                 derivation="TRSTRESC as a number, for numeric results"),
        Variable("TRSTRESU", "Standard Units", C, EXP, "Variable Qualifier", derived, codelist="TRUNIT",
                 derivation="mm for diameters"),
        Variable("TRSTAT", "Completion Status", C, PERM, "Record Qualifier", collected, codelist="ND"),
        Variable("TRREASND", "Reason Not Done", C, PERM, "Record Qualifier", derived, derivation=(
            "NOT EVALUATED (recorded so), NOT MEASURED (a target without a measurement), NOT SCORED "
            "(a PCI region left unscored)")),
        Variable("TRMETHOD", "Method Used to Identify the Tumor/Lesion", C, EXP, "Record Qualifier",
                 collected, codelist="TRMETHOD"),
        Variable("TREVAL", "Evaluator", C, EXP, "Record Qualifier", assigned, codelist="EVAL"),
        *visit_variables(EXP),
        epoch(),
        dtc("TRDTC", "Date/Time of Tumor/Lesion Measurement"),
        study_day("TRDY", "Study Day of Tumor/Lesion Measurement", "TRDTC"),
    )


def build_tr(protocol: Protocol, study: StudyContext, subjects: list[SubjectTumours]) -> Dataset:
    drafts = [d for s in subjects for d in _drafts(protocol, study, s)]
    variables = _variables()
    table = rows(numbered(drafts, study), domain="TR", variables=variables, study=study)
    codelists = (
        epoch_codelist(), EVALUATOR, NOT_DONE,
        CodeList("TRTESTCD", "Tumor or Lesion Assessment Test Code (LSSCORE: sponsor)", C,
                 tuple((code, None) for code in TESTS), extensible=True),
        CodeList("TRTEST", "Tumor or Lesion Assessment Test Name (PCI test: sponsor)", C,
                 tuple((name, None) for name in TESTS.values()), extensible=True),
        CodeList("TRUNIT", "Unit", C, ((unit("mm", variable="TRORRESU", where="TR") or "mm", None),),
                 extensible=True, nci_code="C71620"),
        codelist_of("TRMETHOD", "Method", (*method_values(protocol), CYTOLOGY_METHOD), nci_code="C85492",
                    extensible=True),
    )
    return Dataset(domain="TR", label="Tumor/Lesion Results", observation_class="FINDINGS",
                   structure="One record per tumor measurement/assessment per visit per subject per assessor",
                   keys=("STUDYID", "USUBJID", "TRDTC", "TRSEQ"),
                   variables=variables, rows=table, codelists=codelists)
