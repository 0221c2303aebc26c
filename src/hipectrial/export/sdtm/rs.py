"""RS: RECIST 1.1 responses, as the clinical engine computes them from the TR measurements.

Per imaging assessment after baseline (every timepoint
:func:`hipectrial.analysis.response.evaluate_participant` evaluates, through
:mod:`hipectrial.clinical.recist`): TRGRESP (target response, when the subject has target
lesions), NTRGRESP (non-target response, when there is non-target disease) and OVRLRESP
(overall response, RSLNKGRP = the assessment's TRLNKGRP ``A<n>``, as in SDTMIG 3.4 RS
example 1). Per subject with a RECIST evaluation: BESTRSP, the best overall response with
the protocol's confirmation (``response_assessment``: confirmation interval, SD minimum,
assessments up to surgery or new therapy), dated by the assessment it comes from.

Responses are never stored in ``TrialData`` (docs/trialdata-conventions.md): every RS record
is derived, so RSDRVFL = "Y", and RSEVAL is not used (no person evaluated them). SDTMIG 3.4
RS assumption 3 keeps sponsor-derived responses, a best response above all, for ADaM; they
are here because the issue asks for them, marked derived so a reviewer can tell them from
an investigator's reading (which the tumour-assessment CRF's ``overall_response`` would be).

RSORRES/RSSTRESC: the ``recist-response`` code list's submission values when the protocol
gives them, else ONCRSR (``non-CR-non-PD`` -> NON-CR/NON-PD). RSCAT: RECIST 1.1.

RSSEQ numbers a subject's records in order of assessment date, TRGRESP, NTRGRESP, OVRLRESP
within a date, BESTRSP last.
"""

from __future__ import annotations

import datetime as dt

from hipectrial.analysis.facts import collect_facts
from hipectrial.analysis.response import ParticipantResponse, evaluate_participant
from hipectrial.clinical.recist import Response
from hipectrial.data import TrialData
from hipectrial.errors import InputError
from hipectrial.export.sdtm.context import StudyContext
from hipectrial.export.sdtm.kit import (
    EXP,
    PERM,
    REQ,
    C,
    Draft,
    flag,
    identifiers,
    numbered,
    ny_codelist,
    rows,
)
from hipectrial.export.sdtm.model import CodeList, Dataset, Origin, Variable
from hipectrial.export.sdtm.terms import RESPONSE, codelist_of, submission_value
from hipectrial.export.sdtm.tumour import Assessment, SubjectTumours
from hipectrial.export.sdtm.variables import dtc, epoch, epoch_codelist, iso_date, study_day
from hipectrial.export.sdtm.visit_match import VisitLabel, visit_values, visit_variables
from hipectrial.protocol import Protocol

TESTS = {"TRGRESP": "Target Response", "NTRGRESP": "Non-target Response", "OVRLRESP": "Overall Response",
         "BESTRSP": "Best Overall Response"}
_RANK = {code: i for i, code in enumerate(TESTS)}
CRITERIA = {"recist_1_1": "RECIST 1.1"}


def response_value(protocol: Protocol, response: Response) -> str:
    value = submission_value(protocol, "recist-response", response.value, RESPONSE, variable="RSORRES")
    return value or response.value


def _draft(pid: str, code: str, value: str, date: dt.date | None, *, category: str, group: str | None,
           visit: VisitLabel | None, study: StudyContext) -> Draft:
    values = {"RSLNKGRP": group if code == "OVRLRESP" else None, "RSTESTCD": code, "RSTEST": TESTS[code],
              "RSCAT": category, "RSORRES": value, "RSSTRESC": value, "RSDRVFL": "Y",
              **visit_values(visit), "EPOCH": study.epoch(pid, date), "RSDTC": iso_date(date),
              "RSDY": study.study_day(pid, date)}
    last = code == "BESTRSP"
    return Draft(pid, (last, date or dt.date.min, _RANK[code]), values)


def _subject_drafts(protocol: Protocol, study: StudyContext, pid: str, assessments: tuple[Assessment, ...],
                    evaluation: ParticipantResponse, category: str) -> list[Draft]:
    drafts: list[Draft] = []
    unused = [a for a in assessments if a.group is not None]
    for t in evaluation.timepoints:
        match = next((a for a in unused if a.record.date == t.date), None)
        if match is not None:
            unused.remove(match)
        group = None if match is None else match.group
        visit = None if match is None else match.visit
        found = (("TRGRESP", t.target_response), ("NTRGRESP", t.non_target_response),
                 ("OVRLRESP", t.overall_response))
        drafts.extend(_draft(pid, code, response_value(protocol, r), t.date, category=category, group=group,
                             visit=visit, study=study)
                      for code, r in found if r is not None)
    if evaluation.bor is not None:
        drafts.append(_draft(pid, "BESTRSP", response_value(protocol, evaluation.bor.response),
                             evaluation.bor.date, category=category, group=None, visit=None, study=study))
    return drafts


def _variables() -> tuple[Variable, ...]:
    derived = Origin.DERIVED
    engine = ("by hipectrial.clinical.recist (RECIST 1.1) from the TR measurements, through "
              "hipectrial.analysis.response.evaluate_participant")
    return (
        *identifiers("RS", seq_order="assessment date, then TRGRESP, NTRGRESP, OVRLRESP; BESTRSP last"),
        Variable("RSLNKGRP", "Link Group ID", C, PERM, "Identifier", derived,
                 derivation="On OVRLRESP: the TRLNKGRP (A<n>) of the assessment the response is "
                            "computed from"),
        Variable("RSTESTCD", "Assessment Short Name", C, REQ, "Topic", Origin.ASSIGNED,
                 codelist="RSTESTCD"),
        Variable("RSTEST", "Assessment Name", C, REQ, "Synonym Qualifier", Origin.ASSIGNED,
                 codelist="RSTEST"),
        Variable("RSCAT", "Category for Assessment", C, EXP, "Grouping Qualifier", Origin.PROTOCOL,
                 codelist="RSCAT"),
        Variable("RSORRES", "Result or Finding in Original Units", C, EXP, "Result Qualifier", derived,
                 derivation=(f"TRGRESP, NTRGRESP and OVRLRESP at each post-baseline imaging assessment "
                             f"{engine}; BESTRSP: the best overall response with confirmation (the "
                             "protocol's confirmation interval and SD minimum, assessments up to "
                             "surgery or new anticancer therapy)")),
        Variable("RSSTRESC", "Character Result/Finding in Std Format", C, EXP, "Result Qualifier", derived,
                 codelist="ONCRSR", derivation="RSORRES"),
        flag("RSDRVFL", "Derived Flag", PERM, "Y: every response is computed, none collected"),
        *visit_variables(EXP),
        epoch(),
        dtc("RSDTC", "Date/Time of Assessment"),
        study_day("RSDY", "Study Day of Assessment", "RSDTC"),
    )


def build_rs(trial: TrialData, protocol: Protocol, study: StudyContext,
             subjects: dict[str, SubjectTumours]) -> Dataset:
    criteria = protocol.response_assessment.criteria
    if criteria not in CRITERIA:
        raise InputError("response_assessment.criteria", criteria, f"one of {', '.join(CRITERIA)}")
    category = CRITERIA[criteria]
    facts = collect_facts(trial=trial, protocol=protocol)
    drafts: list[Draft] = []
    for p in trial.participants:
        evaluation = evaluate_participant(protocol=protocol, facts=facts[p.id])
        assessments = subjects[p.id].assessments if p.id in subjects else ()
        drafts.extend(_subject_drafts(protocol, study, p.id, assessments, evaluation, category))
    variables = _variables()
    codelists = (
        ny_codelist(), epoch_codelist(),
        CodeList("RSTESTCD", "Oncology Response Assessment Test Code", C, tuple((c, None) for c in TESTS),
                 extensible=True, nci_code="C96782"),
        CodeList("RSTEST", "Oncology Response Assessment Test Name", C,
                 tuple((n, None) for n in TESTS.values()), extensible=True, nci_code="C96781"),
        CodeList("RSCAT", "Category of Oncology Response Assessment", C, ((category, None),),
                 extensible=True),
        codelist_of("ONCRSR", "Oncology Response Assessment Result",
                    (response_value(protocol, r) for r in Response), nci_code="C96785", extensible=True),
    )
    return Dataset(domain="RS", label="Disease Response and Clin Classification",
                   observation_class="FINDINGS",
                   structure="One record per response assessment per time point per visit per subject "
                             "per assessor per medical evaluator",
                   keys=("STUDYID", "USUBJID", "RSSEQ"), variables=variables,
                   rows=rows(numbered(drafts, study), domain="RS", variables=variables, study=study),
                   codelists=codelists)
