"""TU: one record per lesion or location of interest identified (see :mod:`.tumour`).

- TULNKID: the lesion id as recorded (``T1``, ``NT2``, ``N1``, stable for the whole study),
  ``PCI-R0`` ... ``PCI-R12`` for the PCI regions, ``CYTOLOGY`` for the peritoneal cavity
  sampled by lavage.
- TUTESTCD TUMIDENT, TUORRES/TUSTRESC TARGET, NON-TARGET or NEW (the lesion's role where it
  was first recorded), LOCATION OF INTEREST for the peritoneal locations.
- TULOC: the lesion's organ (``lesion-organ`` code list -> LOC); PERITONEAL CAVITY for
  cytology; ``PCI REGION n NAME`` for a PCI region (the CDISC LOC list has no PCI regions:
  a sponsor extension, flagged so in the code list).
- TUMETHOD: the method of the identifying assessment; TUEVAL INVESTIGATOR (site readings).
- TULOBXFL: "Y" on identifications dated on or before RFXSTDTC (each lesion has one
  identification record, so every pre-treatment one is the last before exposure).

TUSEQ numbers a subject's records in order of the identifying assessment's date, then of
identification (lesions as recorded, then PCI regions 0-12, then cytology).
"""

from __future__ import annotations

from collections.abc import Mapping

from hipectrial.clinical.surgery.peritoneum import PCI_REGION_NAMES
from hipectrial.data import AssessmentMethod, LesionRole
from hipectrial.export.sdtm.context import StudyContext
from hipectrial.export.sdtm.kit import (
    EXP,
    REQ,
    C,
    Draft,
    flag,
    identifiers,
    numbered,
    ny_codelist,
    optional_text,
    rows,
    text,
)
from hipectrial.export.sdtm.model import CodeList, Dataset, Origin, Variable
from hipectrial.export.sdtm.terms import (
    EVALUATOR,
    METHOD,
    ORGAN,
    PERITONEAL_CAVITY,
    codelist_of,
    submission_value,
)
from hipectrial.export.sdtm.tumour import Identification, SubjectTumours, region_location
from hipectrial.export.sdtm.variables import dtc, epoch, epoch_codelist, iso_date, study_day
from hipectrial.export.sdtm.visit_match import visit_values, visit_variables
from hipectrial.protocol import Protocol

LOCATION = "LOCATION OF INTEREST"
ROLE = {LesionRole.TARGET: "TARGET", LesionRole.NON_TARGET: "NON-TARGET", LesionRole.NEW: "NEW"}
INVESTIGATOR = "INVESTIGATOR"


def method_of(protocol: Protocol, method: str) -> str | None:
    return submission_value(protocol, "assessment-method", method, METHOD, variable="TUMETHOD")


def method_values(protocol: Protocol) -> list[str | None]:
    """Every method an assessment can have, as written (for the METHOD code list)."""
    return [method_of(protocol, m.value) for m in AssessmentMethod]


def _codes(protocol: Protocol, codelist_id: str, table: Mapping[str, str | None]) -> list[str]:
    """The codes of a protocol code list (the table's, without the list)."""
    listed = {c.id: c for c in protocol.codelists}.get(codelist_id)
    return list(listed.codes) if listed is not None else list(table)


def _location(protocol: Protocol, item: Identification, where: str) -> str | None:
    if item.lesion is not None:
        organ = submission_value(protocol, "lesion-organ", item.lesion.site, ORGAN, variable="TULOC")
        return optional_text(organ, variable="TULOC", where=where)
    if item.region is not None:
        return region_location(item.region)
    return PERITONEAL_CAVITY


def _draft(protocol: Protocol, study: StudyContext, pid: str, item: Identification, order: int) -> Draft:
    a = item.assessment
    where = f"lesion {item.link_id} of tumour assessment {a.record.key}"
    result = LOCATION if item.role is None else ROLE[item.role]
    start = study.subject(pid).first_treatment
    values = {
        "TULNKID": text(item.link_id, variable="TULNKID", where=where), "TUTESTCD": "TUMIDENT",
        "TUTEST": "Tumor Identification", "TUORRES": result, "TUSTRESC": result,
        "TULOC": _location(protocol, item, where), "TUMETHOD": method_of(protocol, a.record.method.value),
        "TULOBXFL": "Y" if start is not None and a.record.date <= start else None, "TUEVAL": INVESTIGATOR,
        **visit_values(a.visit), "EPOCH": study.epoch(pid, a.record.date), "TUDTC": iso_date(a.record.date),
        "TUDY": study.study_day(pid, a.record.date),
    }
    return Draft(pid, (a.record.date, a.index, order), values)


def _variables() -> tuple[Variable, ...]:
    assigned = Origin.ASSIGNED
    return (
        *identifiers("TU", seq_order="the identifying assessment's date, then identification order "
                                     "(lesions as recorded, PCI regions 0-12, cytology)"),
        Variable("TULNKID", "Link ID", C, EXP, "Identifier", Origin.COLLECTED),
        Variable("TUTESTCD", "Tumor/Lesion ID Short Name", C, REQ, "Topic", assigned, codelist="TUTESTCD"),
        Variable("TUTEST", "Tumor/Lesion ID Test Name", C, REQ, "Synonym Qualifier", assigned,
                 codelist="TUTEST"),
        Variable("TUORRES", "Tumor/Lesion ID Result", C, EXP, "Result Qualifier", Origin.COLLECTED),
        Variable("TUSTRESC", "Tumor/Lesion ID Result Std. Format", C, EXP, "Result Qualifier",
                 Origin.DERIVED, codelist="TUIDRS", derivation="TUORRES"),
        Variable("TULOC", "Location of the Tumor/Lesion", C, EXP, "Record Qualifier", Origin.COLLECTED,
                 codelist="TULOC"),
        Variable("TUMETHOD", "Method of Identification", C, EXP, "Record Qualifier", Origin.COLLECTED,
                 codelist="TUMETHOD"),
        flag("TULOBXFL", "Last Observation Before Exposure Flag", EXP,
             "Y on identifications dated on or before RFXSTDTC"),
        Variable("TUEVAL", "Evaluator", C, EXP, "Record Qualifier", assigned, codelist="EVAL"),
        *visit_variables(EXP),
        epoch(),
        dtc("TUDTC", "Date/Time of Tumor/Lesion Identification"),
        study_day("TUDY", "Study Day of Tumor/Lesion Identification", "TUDTC"),
    )


def build_tu(protocol: Protocol, study: StudyContext, subjects: list[SubjectTumours]) -> Dataset:
    drafts = [_draft(protocol, study, s.participant_id, item, k)
              for s in subjects for k, item in enumerate(s.identified)]
    variables = _variables()
    table = rows(numbered(drafts, study), domain="TU", variables=variables, study=study)
    regions = [region_location(r) for r in range(len(PCI_REGION_NAMES))]
    organs = [submission_value(protocol, "lesion-organ", code, ORGAN, variable="TULOC")
              for code in _codes(protocol, "lesion-organ", ORGAN)]
    codelists = (
        ny_codelist(), epoch_codelist(), EVALUATOR,
        CodeList("TUTESTCD", "Tumor or Lesion Identification Test Code", C, (("TUMIDENT", None),),
                 extensible=True, nci_code="C96784"),
        CodeList("TUTEST", "Tumor or Lesion Identification Test Name", C, (("Tumor Identification", None),),
                 extensible=True, nci_code="C96783"),
        CodeList("TUIDRS", "Tumor or Lesion Identification Result", C,
                 tuple((r, None) for r in (*ROLE.values(), LOCATION)), extensible=True, nci_code="C123650"),
        codelist_of("TULOC", "Anatomical Location (the PCI regions: sponsor terms)",
                    (*organs, PERITONEAL_CAVITY, *regions), nci_code="C74456", extensible=True,
                    extended=regions),
        codelist_of("TUMETHOD", "Method", method_values(protocol), nci_code="C85492", extensible=True),
    )
    return Dataset(domain="TU", label="Tumor/Lesion Identification", observation_class="FINDINGS",
                   structure="One record per identified tumor per subject per assessor",
                   keys=("STUDYID", "USUBJID", "TUDTC", "TUSEQ"), variables=variables, rows=table,
                   codelists=codelists)
