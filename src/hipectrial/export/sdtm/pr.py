"""PR and SUPPPR: one record per operation (``TrialData.surgeries``).

- PRTRT: the operation as the protocol's ``operation`` code list names it (its
  ``submission_value``, else its English label): the diagnostic laparoscopy with HIPEC on
  day 0, the second-look laparoscopy at re-evaluation, the conversion surgery with HIPEC.
  The HIPEC drug itself is study treatment (EX); the operation is the procedure.
- PRSTDTC: the date of the operation; VISITNUM/VISIT: the visit on that date that collects
  the surgery, laparoscopy or HIPEC CRF (:mod:`~hipectrial.export.sdtm.visits`).
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
from hipectrial.export.sdtm.kit import (
    PERM,
    REQ,
    C,
    Draft,
    Qualifier,
    dtc,
    epoch,
    identifiers,
    iso_date,
    numbered,
    participant_positions,
    rows,
    study_day,
    supp_dataset,
    supp_records,
    text,
)
from hipectrial.export.sdtm.model import Dataset, Origin, Variable
from hipectrial.export.sdtm.terms import EPOCH, code_text, codelist_of, submission_value
from hipectrial.export.sdtm.visits import VisitIndex, visit_index, visit_values, visit_variables
from hipectrial.protocol import Protocol

# The CRFs an operation is recorded on (docs/trialdata-conventions.md, "Operations").
SURGERY_FORMS = ("surgery", "laparoscopy", "hipec_procedure")
R_STATUS = ("RSTATUS", "Residual Tumor (R) Classification")
CC_SCORE = ("CCSCORE", "Completeness of Cytoreduction Score")
_R = {r.value: r.value for r in ResidualTumour}
_CC = {c.value: c.value for c in CcScore}


def _draft(protocol: Protocol, study: StudyContext, visits: VisitIndex, surgery: Surgery,
           index: int) -> Draft:
    pid = surgery.participant_id
    where = f"surgery {surgery.key}"
    name = text(code_text(protocol, "operation", surgery.procedure, variable="procedure"),
                variable="PRTRT", where=where)
    supp: list[Qualifier] = []
    if surgery.r_status is not None:
        value = submission_value(protocol, "r-status", surgery.r_status.value, _R, variable="r_status")
        supp.append(Qualifier(*R_STATUS, value or surgery.r_status.value, "CRF"))
    if surgery.cc_score is not None:
        value = submission_value(protocol, "cc-score", surgery.cc_score.value, _CC, variable="cc_score")
        supp.append(Qualifier(*CC_SCORE, value or surgery.cc_score.value, "CRF"))
    values = {"PRTRT": name, **visit_values(visits.on_date(pid, surgery.date, SURGERY_FORMS)),
              "EPOCH": study.epoch(pid, surgery.date), "PRSTDTC": iso_date(surgery.date),
              "PRSTDY": study.study_day(pid, surgery.date)}
    return Draft(pid, (surgery.date, index), values, tuple(supp))


def build(*, trial: TrialData, protocol: Protocol, study: StudyContext) -> tuple[Dataset, ...]:
    """PR and SUPPPR (see the module's docstring)."""
    visits = visit_index(trial, protocol)
    drafts = [_draft(protocol, study, visits, s, i) for i, s in enumerate(trial.surgeries)]
    order = participant_positions(p.id for p in trial.participants)
    records = numbered(drafts, order)
    variables = (
        *identifiers("PR", seq_order="date (PRSTDTC), then the order of the records"),
        Variable("PRTRT", "Reported Name of Procedure", C, REQ, "Topic", Origin.COLLECTED, codelist="PRTRT"),
        *visit_variables(PERM),
        epoch("PRSTDTC"),
        dtc("PRSTDTC", "Start Date/Time of Procedure"),
        study_day("PRSTDY", "Study Day of Start of Procedure", "PRSTDTC"),
    )
    operations = {c.id: c for c in protocol.codelists}.get("operation")
    names = [code_text(protocol, "operation", code, variable="procedure")
             for code in (operations.codes if operations is not None else ())]
    pr = Dataset(domain="PR", label="Procedures", observation_class="INTERVENTIONS",
                 structure="One record per recorded procedure per occurrence per subject",
                 keys=("STUDYID", "USUBJID", "PRTRT", "PRSTDTC", "PRSEQ"), variables=variables,
                 rows=rows(records, domain="PR", variables=variables, study=study),
                 codelists=(EPOCH, codelist_of("PRTRT", "Operations of the protocol", names, nci_code=None,
                                               extensible=False)))
    supp = supp_dataset("PR", supp_records(records, "PR"), study=study, participant_order=order,
                        qnam_order=(R_STATUS[0], CC_SCORE[0]))
    return pr, supp
