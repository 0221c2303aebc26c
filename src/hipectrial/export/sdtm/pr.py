"""PR and SUPPPR: one record per operation (``TrialData.surgeries``).

- PRTRT: the operation as the protocol's ``operation`` code list names it (its
  ``submission_value``, else its English label): the diagnostic laparoscopy with HIPEC on
  day 0, the second-look laparoscopy at re-evaluation, the conversion surgery with HIPEC.
  The HIPEC drug itself is study treatment (EX); the operation is the procedure.
- PRSTDTC: the date of the operation; VISITNUM/VISIT: the visit on that date that collects
  the surgery, laparoscopy or HIPEC CRF (:mod:`~hipectrial.export.sdtm.visit_match`).
- SUPPPR: the residual tumour classification (RSTATUS: R0, R1, R2, RX) and the completeness
  of cytoreduction (CCSCORE: CC-0 ... CC-3) when recorded. They describe the outcome of that
  operation, one value each, collected on its CRF: qualifiers of the PR record rather than
  tests of a findings domain (no repeated measurement, no reference range, nothing to link).
  Post-operative complications are adverse events (AE, AECAT POSTOPERATIVE COMPLICATION) with
  the operation in SUPPAE AEOPER.

Pathology of the resected specimen (ypT, ypN, regression grade, pCR) is a microscopic
finding, not a procedure: it is not written here.

PRSEQ numbers a subject's operations in order of date, then ``TrialData`` order.
"""

from __future__ import annotations

from hipectrial.clinical.surgery.peritoneum import CcScore, ResidualTumour
from hipectrial.data import Surgery, TrialData
from hipectrial.export.sdtm.context import StudyContext
from hipectrial.export.sdtm.kit import PERM, REQ, C, Draft, identifiers, numbered, rows, supplemental, text
from hipectrial.export.sdtm.model import Dataset, Origin, Variable
from hipectrial.export.sdtm.supp import Qualifier
from hipectrial.export.sdtm.terms import code_text, codelist_of, submission_value
from hipectrial.export.sdtm.variables import dtc, epoch, epoch_codelist, iso_date, study_day
from hipectrial.export.sdtm.visit_match import VisitIndex, visit_index, visit_values, visit_variables
from hipectrial.protocol import Protocol

# The CRFs an operation is recorded on (docs/trialdata-conventions.md, "Operations").
SURGERY_FORMS = ("surgery", "laparoscopy", "hipec_procedure")
R_STATUS = ("RSTATUS", "Residual Tumor (R) Classification")
CC_SCORE = ("CCSCORE", "Completeness of Cytoreduction Score")
_R = {r.value: r.value for r in ResidualTumour}
_CC = {c.value: c.value for c in CcScore}


def _code(protocol: Protocol, codelist_id: str, code: str, table: dict[str, str]) -> str:
    return submission_value(protocol, codelist_id, code, table, variable=codelist_id) or code


def _draft(protocol: Protocol, study: StudyContext, visits: VisitIndex, surgery: Surgery,
           index: int) -> Draft:
    pid = surgery.participant_id
    where = f"surgery {surgery.key}"
    name = text(code_text(protocol, "operation", surgery.procedure, variable="procedure"),
                variable="PRTRT", where=where)
    supp: list[tuple[str, str]] = []
    if surgery.r_status is not None:
        supp.append((R_STATUS[0], _code(protocol, "r-status", surgery.r_status.value, _R)))
    if surgery.cc_score is not None:
        supp.append((CC_SCORE[0], _code(protocol, "cc-score", surgery.cc_score.value, _CC)))
    values = {"PRTRT": name, **visit_values(visits.on_date(pid, surgery.date, SURGERY_FORMS)),
              "EPOCH": study.epoch(pid, surgery.date), "PRSTDTC": iso_date(surgery.date),
              "PRSTDY": study.study_day(pid, surgery.date)}
    return Draft(pid, (surgery.date, index), values, tuple(supp))


def build(*, trial: TrialData, protocol: Protocol, study: StudyContext) -> tuple[Dataset, ...]:
    """PR and SUPPPR (see the module's docstring)."""
    visits = visit_index(trial, protocol)
    drafts = [_draft(protocol, study, visits, s, i) for i, s in enumerate(trial.surgeries)]
    records = numbered(drafts, study)
    variables = (
        *identifiers("PR", seq_order="date (PRSTDTC), then the order of the records"),
        Variable("PRTRT", "Reported Name of Procedure", C, REQ, "Topic", Origin.COLLECTED, codelist="PRTRT"),
        *visit_variables(PERM),
        epoch(),
        dtc("PRSTDTC", "Start Date/Time of Procedure"),
        study_day("PRSTDY", "Study Day of Start of Procedure", "PRSTDTC"),
    )
    names = [code_text(protocol, "operation", code, variable="procedure")
             for code in _codes(protocol, "operation")]
    pr = Dataset(domain="PR", label="Procedures", observation_class="INTERVENTIONS",
                 structure="One record per recorded procedure per occurrence per subject",
                 keys=("STUDYID", "USUBJID", "PRSTDTC", "PRSEQ"), variables=variables,
                 rows=rows(records, domain="PR", variables=variables, study=study),
                 codelists=(epoch_codelist(), codelist_of("PRTRT", "Operations of the protocol", names,
                                                          nci_code=None, extensible=False)))
    qualifiers = (Qualifier(*R_STATUS, Origin.COLLECTED, codelist="RSTATUS"),
                  Qualifier(*CC_SCORE, Origin.COLLECTED, codelist="CCSCORE"))
    lists = (codelist_of("RSTATUS", "Residual tumour (R) classification",
                         (_code(protocol, "r-status", c, _R) for c in _codes(protocol, "r-status", _R)),
                         nci_code=None, extensible=False),
             codelist_of("CCSCORE", "Completeness of cytoreduction score",
                         (_code(protocol, "cc-score", c, _CC) for c in _codes(protocol, "cc-score", _CC)),
                         nci_code=None, extensible=False))
    supp = supplemental("PR", "procedure", records, study=study, qualifiers=qualifiers, codelists=lists)
    return pr, supp


def _codes(protocol: Protocol, codelist_id: str, table: dict[str, str] | None = None) -> list[str]:
    listed = {c.id: c for c in protocol.codelists}.get(codelist_id)
    return list(listed.codes) if listed is not None else list(table or ())
