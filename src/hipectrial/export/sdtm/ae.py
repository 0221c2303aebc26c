"""AE and SUPPAE: every adverse event, and every post-operative complication, of every subject.

Two sources, one record per event (SDTMIG 3.4 AE assumption 7e (ii): an event as reported):

- **Adverse events** (``TrialData.adverse_events``, the adverse-event CRF): AETERM and
  AEDECOD are the CTCAE v5.0 term the investigator chose. MedDRA coding is not performed in
  this study, so AEDECOD (Req, "must have a value") carries the CTCAE term: CTCAE v5.0 terms
  are MedDRA (v20.1) lowest-level terms, so the term is the closest dictionary-derived term
  the data hold. AEBODSYS (Exp) stays empty and the MedDRA hierarchy variables (AELLT ...
  AESOCCD) are left out, as assumption 12 allows "for non-MedDRA coding". AETOXGR is the
  CTCAE grade ("1" to "5"); AESEV is not used (assumption 7d: AETOXGR instead of AESEV).
- **Post-operative complications** (``Surgery.complications``, the complications CRF) are
  adverse events too ("any untoward medical occurrence", ICH E2A), recorded on their own
  form and graded by Clavien-Dindo, not CTCAE: AECAT = "POSTOPERATIVE COMPLICATION",
  AETERM = AEDECOD = the description as written (not coded), AETOXGR empty (one scale per
  variable), the grade in SUPPAE (AECDGR) with the operation it follows (AEOPER).

What each variable is derived from, and what is left empty because the data do not hold it:

- AESER: the CRF's "serious" answer; for a complication, "Y" for Clavien-Dindo IVa, IVb
  (life-threatening, intensive care) and V (death) - serious by ICH E2A - else empty.
- AESDTH: "Y" when the outcome is fatal (a Clavien-Dindo V complication); "N" for a serious
  event with a known non-fatal outcome; else empty. AESLIFE: "Y" for a Clavien-Dindo IVa/IVb
  complication. The CRF's other seriousness criteria are not in ``TrialData`` (an
  ``AdverseEvent`` carries ``serious`` only), so AESHOSP, AESDISAB, AESCONG and AESMIE are
  not written: a serious event's criterion other than death is not known.
- AEACN: "DRUG WITHDRAWN" when the event led to the discontinuation of a study drug; empty
  otherwise (whether a dose was reduced, delayed or unchanged is not in ``TrialData``).
- AEREL: "Y" when the event is at least possibly related (possible, probable or definite,
  :attr:`hipectrial.clinical.dosing.inputs.Attribution.related`) to any agent assessed, "N"
  when every attribution is unrelated or unlikely, empty without attributions. The
  attribution to each agent is in SUPPAE: QNAM "REL" + the first five letters and digits of
  the protocol's agent id in upper case (``oxaliplatin`` -> RELOXALI, ``s-1`` -> RELS1),
  QLABEL "Relationship to <agent name>", QVAL the attribution (NOT RELATED ... DEFINITELY
  RELATED), QORIG Collected. Two agents giving the same QNAM are refused.
- SUPPAE also carries the DLT flag (AEDLT) and the immune-related flag (AEIRAE), Y or N for
  every adverse-event CRF record (both are required CRF answers).

AESEQ numbers a subject's records in order of start date, adverse events before
complications on the same day, then in ``TrialData`` order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hipectrial.clinical.surgery.rules import ClavienDindo
from hipectrial.data import AdverseEvent, AeOutcome, Complication, Surgery, TrialData
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
    supplemental,
    text,
    yes_no,
)
from hipectrial.export.sdtm.model import CodeList, Dataset, Origin, Variable
from hipectrial.export.sdtm.supp import Qualifier
from hipectrial.export.sdtm.terms import AE_OUTCOME, ATTRIBUTION, code_text, codelist_of, submission_value
from hipectrial.export.sdtm.variables import dtc, epoch, epoch_codelist, iso_date, study_day
from hipectrial.protocol import Protocol

COMPLICATION = "POSTOPERATIVE COMPLICATION"
WITHDRAWN = "DRUG WITHDRAWN"
_KNOWN_ALIVE = frozenset({AeOutcome.RECOVERED, AeOutcome.RECOVERING, AeOutcome.NOT_RECOVERED,
                          AeOutcome.RECOVERED_WITH_SEQUELAE})
_CLAVIEN_DINDO = {grade.value: grade.value for grade in ClavienDindo}
_AGENT_LETTERS = re.compile(r"[^A-Z0-9]")

DLT = ("AEDLT", "Dose-Limiting Toxicity")
IRAE = ("AEIRAE", "Immune-Related Adverse Event")
CD_GRADE = ("AECDGR", "Clavien-Dindo Grade")
OPERATION = ("AEOPER", "Operation the Complication Follows")


def relationship_qnames(protocol: Protocol) -> dict[str, tuple[str, str]]:
    """Each protocol agent's SUPPAE QNAM and QLABEL for its attribution.

    >>> from hipectrial.protocol import load_protocol
    >>> relationship_qnames(load_protocol())["s-1"]
    ('RELS1', 'Relationship to S-1')
    """
    names: dict[str, tuple[str, str]] = {}
    owner: dict[str, str] = {}
    for agent in protocol.agents:
        qnam = "REL" + _AGENT_LETTERS.sub("", agent.id.upper())[:5]
        if qnam in owner:
            raise InputError("agents", agent.id, f"an agent id whose first five letters and digits "
                                                 f"differ from those of {owner[qnam]!r}",
                             f"both give the SUPPAE QNAM {qnam}")
        owner[qnam] = agent.id
        label = f"Relationship to {agent.name}"
        if len(label) > 40 or not label.isascii():
            label = f"Relationship to {agent.id}"
        if len(label) > 40:  # SDTMIG §8.4.1: QLABEL <= 40 characters
            raise InputError("agents", agent.id, "an agent id of at most 24 characters",
                             f"its SUPPAE QLABEL {label!r} would exceed 40 characters")
        names[agent.id] = (qnam, label)
    return names


def _attribution(protocol: Protocol, code: str) -> str:
    value = submission_value(protocol, "attribution", code, ATTRIBUTION, variable="attribution")
    return value or code.upper()


def _relationship(ae: AdverseEvent) -> str | None:
    if not ae.attribution:
        return None
    return "Y" if ae.related_agents else "N"


def _death(ae: AdverseEvent) -> str | None:
    if ae.outcome is AeOutcome.FATAL:
        return "Y"
    if ae.serious and ae.outcome in _KNOWN_ALIVE:
        return "N"
    return None


def _adverse_event(protocol: Protocol, study: StudyContext, ae: AdverseEvent, index: int,
                   rel: dict[str, tuple[str, str]]) -> Draft:
    pid = ae.participant_id
    where = f"adverse event {ae.key}"
    term = text(ae.term, variable="AETERM", where=where)
    supp: list[tuple[str, str]] = []
    for agent_id in rel:  # protocol order
        attribution = ae.attribution.get(agent_id)
        if attribution is not None:
            supp.append((rel[agent_id][0], _attribution(protocol, attribution.value)))
    unknown = sorted(set(ae.attribution) - set(rel))
    if unknown:
        raise InputError("attribution", unknown[0], "an agent of the protocol", where)
    supp.append((DLT[0], "Y" if ae.dlt else "N"))
    supp.append((IRAE[0], "Y" if ae.immune_related else "N"))
    outcome = None if ae.outcome is None else submission_value(
        protocol, "ae-outcome", ae.outcome.value, AE_OUTCOME, variable="AEOUT")
    values = {
        "AETERM": term, "AEDECOD": term, "AESER": yes_no(ae.serious),
        "AEACN": WITHDRAWN if ae.led_to_discontinuation else None, "AEREL": _relationship(ae),
        "AEOUT": outcome, "AESDTH": _death(ae), "AETOXGR": str(ae.grade),
        "EPOCH": study.epoch(pid, ae.onset_date), "AESTDTC": iso_date(ae.onset_date),
        "AEENDTC": iso_date(ae.resolution_date), "AESTDY": study.study_day(pid, ae.onset_date),
        "AEENDY": study.study_day(pid, ae.resolution_date),
    }
    return Draft(pid, (ae.onset_date, 0, index), values, tuple(supp))


def _grade_code(protocol: Protocol, code: str) -> str:
    return submission_value(protocol, "clavien-dindo", code, _CLAVIEN_DINDO, variable="grade") or code


def _complication(protocol: Protocol, study: StudyContext, surgery: Surgery, c: Complication,
                  index: int, position: int) -> Draft:
    pid = surgery.participant_id
    where = f"complication {position + 1} of surgery {surgery.key}"
    term = text(c.description, variable="AETERM", where=where)
    grade = c.grade
    serious = grade.at_least(ClavienDindo.IVA)  # IVa/IVb life-threatening (ICU), V death
    fatal = grade is ClavienDindo.V
    supp = ((CD_GRADE[0], _grade_code(protocol, grade.value)),
            (OPERATION[0], code_text(protocol, "operation", surgery.procedure, variable="procedure")))
    values = {
        "AETERM": term, "AEDECOD": term, "AECAT": COMPLICATION, "AESER": "Y" if serious else None,
        "AEOUT": submission_value(protocol, "ae-outcome", AeOutcome.FATAL.value, AE_OUTCOME,
                                  variable="AEOUT") if fatal else None,
        "AESDTH": "Y" if fatal else None, "AESLIFE": "Y" if serious and not fatal else None,
        "EPOCH": study.epoch(pid, c.onset_date), "AESTDTC": iso_date(c.onset_date),
        "AESTDY": study.study_day(pid, c.onset_date),
    }
    return Draft(pid, (c.onset_date, 1, index, position), values, supp)


def _variables(grades: CodeList, outcomes: CodeList) -> tuple[Variable, ...]:
    derived = Origin.DERIVED
    return (
        *identifiers("AE", seq_order="start date (AESTDTC), adverse events before post-operative "
                                     "complications on the same day, then the order of the records"),
        Variable("AETERM", "Reported Term for the Adverse Event", C, REQ, "Topic", Origin.COLLECTED),
        Variable("AEDECOD", "Dictionary-Derived Term", C, REQ, "Synonym Qualifier", derived, derivation=(
            "Adverse-event CRF: the CTCAE v5.0 term as chosen (CTCAE v5.0 terms are MedDRA 20.1 "
            "lowest-level terms; MedDRA coding not performed). Post-operative complications: the "
            "description as written (not coded)")),
        Variable("AECAT", "Category for Adverse Event", C, PERM, "Grouping Qualifier", Origin.ASSIGNED,
                 codelist="AECAT"),
        Variable("AEBODSYS", "Body System or Organ Class", C, EXP, "Record Qualifier", Origin.NOT_AVAILABLE,
                 comment="Not populated: MedDRA coding is not performed in this study (AEDECOD holds "
                         "the CTCAE v5.0 term)."),
        flag("AESER", "Serious Event", EXP, "Adverse-event CRF: as collected. Complications: Y for "
             "Clavien-Dindo IVa, IVb or V (life-threatening or fatal by definition), else null"),
        Variable("AEACN", "Action Taken with Study Treatment", C, EXP, "Record Qualifier", derived,
                 codelist="ACN", derivation=(
                     "DRUG WITHDRAWN when the event led to the discontinuation of a study drug; null "
                     "otherwise (other actions are not held in the data)")),
        flag("AEREL", "Causality", EXP, "Y if the attribution to any agent is possible, probable or "
             "definite; N if every attribution is unrelated or unlikely; null without attributions. "
             "Per agent: SUPPAE REL*"),
        Variable("AEOUT", "Outcome of Adverse Event", C, PERM, "Record Qualifier", derived,
                 codelist=outcomes.id, derivation=(
                     "Adverse-event CRF: the outcome collected. Complications: FATAL for "
                     "Clavien-Dindo V, else null")),
        flag("AESDTH", "Results in Death", PERM, "Y when the outcome is fatal; N for a serious event "
             "with a known non-fatal outcome; else null"),
        flag("AESLIFE", "Is Life Threatening", PERM, "Y for a Clavien-Dindo IVa or IVb complication; "
             "else null (not collected on the adverse-event CRF)"),
        Variable("AETOXGR", "Standard Toxicity Grade", C, PERM, "Record Qualifier", Origin.COLLECTED,
                 codelist=grades.id),
        epoch(),
        dtc("AESTDTC", "Start Date/Time of Adverse Event"),
        dtc("AEENDTC", "End Date/Time of Adverse Event"),
        study_day("AESTDY", "Study Day of Start of Adverse Event", "AESTDTC"),
        study_day("AEENDY", "Study Day of End of Adverse Event", "AEENDTC"),
    )


def _grades(protocol: Protocol) -> CodeList:
    """CTCAE v5.0 grades, decoded as the protocol's ``ctcae-grade`` code list labels them."""
    listed = {c.id: c for c in protocol.codelists}.get("ctcae-grade")
    items = (tuple((i.code, i.label.en) for i in listed.items) if listed is not None
             else tuple((str(g), None) for g in range(1, 6)))
    return CodeList("AETOXGR", "CTCAE v5.0 grade", C, items)


def _qualifiers(protocol: Protocol, rel: dict[str, tuple[str, str]]) -> tuple[Qualifier, ...]:
    collected = Origin.COLLECTED
    return (
        *(Qualifier(qnam, qlabel, collected, codelist="AEREL") for qnam, qlabel in rel.values()),
        Qualifier(*DLT, collected, codelist="NY"),
        Qualifier(*IRAE, collected, codelist="NY"),
        Qualifier(*CD_GRADE, collected, codelist="CLAVDIND"),
        Qualifier(*OPERATION, collected, codelist="OPERATN"),
    )


def _supp_codelists(protocol: Protocol) -> tuple[CodeList, ...]:
    def codes(codelist_id: str, table: Iterable[str]) -> list[str]:
        listed = {c.id: c for c in protocol.codelists}.get(codelist_id)
        return list(listed.codes) if listed is not None else list(table)

    return (
        ny_codelist(),
        codelist_of("AEREL", "Relationship to an agent", (_attribution(protocol, c) for c in codes(
            "attribution", ATTRIBUTION)), nci_code=None, extensible=False),
        codelist_of("CLAVDIND", "Clavien-Dindo grade", (_grade_code(protocol, c) for c in codes(
            "clavien-dindo", _CLAVIEN_DINDO)), nci_code=None, extensible=False),
        codelist_of("OPERATN", "Operations of the protocol", (code_text(protocol, "operation", c,
                    variable="procedure") for c in codes("operation", ())), nci_code=None, extensible=False),
    )


def build(*, trial: TrialData, protocol: Protocol, study: StudyContext) -> tuple[Dataset, ...]:
    """AE and SUPPAE (see the module's docstring for every derivation)."""
    rel = relationship_qnames(protocol)
    drafts = [_adverse_event(protocol, study, ae, i, rel) for i, ae in enumerate(trial.adverse_events)]
    for i, surgery in enumerate(trial.surgeries):
        drafts.extend(_complication(protocol, study, surgery, c, i, k)
                      for k, c in enumerate(surgery.complications))
    records = numbered(drafts, study)
    outcomes = codelist_of("OUT", "Outcome of Event", (
        submission_value(protocol, "ae-outcome", o.value, AE_OUTCOME, variable="AEOUT") for o in AeOutcome),
        nci_code="C66768", extensible=False)
    grades = _grades(protocol)
    variables = _variables(grades, outcomes)
    codelists = (ny_codelist(), epoch_codelist(), outcomes, grades,
                 CodeList("ACN", "Action Taken with Study Treatment", C, ((WITHDRAWN, None),),
                          nci_code="C66767"),
                 CodeList("AECAT", "Category for Adverse Event", C, ((COMPLICATION, None),)))
    ae = Dataset(domain="AE", label="Adverse Events", observation_class="EVENTS",
                 structure="One record per adverse event per subject",
                 keys=("STUDYID", "USUBJID", "AESTDTC", "AESEQ"), variables=variables,
                 rows=rows(records, domain="AE", variables=variables, study=study), codelists=codelists)
    supp = supplemental("AE", "adverse event", records, study=study, qualifiers=_qualifiers(protocol, rel),
                        codelists=_supp_codelists(protocol))
    return ae, supp
