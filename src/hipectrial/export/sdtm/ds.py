"""DS (Disposition): milestones and the end of treatment and of study, per participant.

Records, in this order for a subject on the same day:

1. ``PROTOCOL MILESTONE`` / ``INFORMED CONSENT OBTAINED`` on the consent date;
2. ``PROTOCOL MILESTONE`` / ``ENTERED INTO TRIAL`` on the registration date (registration
   assigns cohort and dose level; the trial is not randomised);
3. ``DISPOSITION EVENT`` / ``STUDY TREATMENT``: the end of study treatment, on
   ``off_treatment_date`` (the last dose), with ``DSDECOD`` the protocol ``eot-reason``
   code's submission value (CDISC NCOMPLT) and ``DSTERM`` its English label;
4. ``DISPOSITION EVENT`` / ``STUDY PARTICIPATION``: the end of study (or screening) on
   ``off_study_date``, ``DSDECOD`` from ``eos-reason`` (``SCREEN FAILURE`` for a participant
   never registered, ``DEATH``…).

Participants still on treatment or in the study have no record of that kind. ``DSDECOD``
of milestones comes from CDISC PROTMLST, of disposition events from NCOMPLT (``OTHER`` is a
sponsor extension of NCOMPLT); the DSDECOD code list of the dataset lists both subsets.

References
----------
SDTMIG 3.4 §6.2.4 (DS), CDISC CT DSCAT (C74558), DSSCAT (C170443), NCOMPLT (C66727),
PROTMLST (C114118).
"""

from __future__ import annotations

import datetime as dt

from hipectrial.data import TrialData
from hipectrial.data.vocab import CODED_FIELDS
from hipectrial.errors import InputError
from hipectrial.export.sdtm.context import StudyContext
from hipectrial.export.sdtm.model import CodeList, Dataset, Origin, Value, Variable, VarType
from hipectrial.export.sdtm.terminology import CT_NAME, terminology
from hipectrial.export.sdtm.variables import (
    EXP,
    GROUPING,
    PERM,
    REQ,
    SYNONYM,
    TOPIC,
    build_dataset,
    domain_var,
    dtc,
    epoch,
    epoch_codelist,
    iso_date,
    seq,
    study_day,
    studyid,
    usubjid,
)
from hipectrial.protocol import Protocol

CHAR = VarType.CHAR
CONSENT, REGISTERED = "INFORMED CONSENT OBTAINED", "ENTERED INTO TRIAL"
MILESTONE, DISPOSITION = "PROTOCOL MILESTONE", "DISPOSITION EVENT"
TREATMENT_END, STUDY_END = "STUDY TREATMENT", "STUDY PARTICIPATION"
_ORDER = {CONSENT: 0, REGISTERED: 1, TREATMENT_END: 2, STUDY_END: 3}


def _reasons(protocol: Protocol, field: str) -> dict[str, tuple[str, str]]:
    """Reason code -> (DSDECOD, DSTERM) of the protocol code list that ``field`` holds."""
    codelist = protocol.codelist(CODED_FIELDS[field])
    found: dict[str, tuple[str, str]] = {}
    for item in codelist.items:
        if item.submission_value is None:
            continue
        found[item.code] = (item.submission_value, item.label.en)
    return found


def _reason(reasons: dict[str, tuple[str, str]], field: str, code: str, pid: str) -> tuple[str, str]:
    try:
        return reasons[code]
    except KeyError:
        raise InputError(f"participants[{pid}].{field}", code,
                         f"a code of the protocol's {CODED_FIELDS[field]} code list with a "
                         "submission value (CDISC NCOMPLT)") from None


def build(*, trial: TrialData, protocol: Protocol, study: StudyContext) -> tuple[Dataset, ...]:
    """DS sorted by USUBJID, DSSTDTC and the record kinds' order (module docstring)."""
    eot = _reasons(protocol, "off_treatment_reason")
    eos = _reasons(protocol, "off_study_reason")
    records: list[dict[str, Value]] = []

    def add(pid: str, day: dt.date, term: str, decod: str, category: str, sub: str | None,
            kind: str) -> None:
        records.append({
            "STUDYID": study.studyid, "DOMAIN": "DS", "USUBJID": study.usubjid(pid),
            "DSTERM": term, "DSDECOD": decod, "DSCAT": category, "DSSCAT": sub,
            "EPOCH": study.epoch(pid, day), "DSSTDTC": iso_date(day),
            "DSSTDY": study.study_day(pid, day), "_kind": _ORDER[kind]})

    for p in trial.participants:
        add(p.id, p.consent_date, "Informed consent obtained", CONSENT, MILESTONE, None, CONSENT)
        if p.registration_date is not None:
            add(p.id, p.registration_date, "Registered", REGISTERED, MILESTONE, None, REGISTERED)
        if p.off_treatment_date is not None and p.off_treatment_reason is not None:
            decod, term = _reason(eot, "off_treatment_reason", p.off_treatment_reason, p.id)
            add(p.id, p.off_treatment_date, term, decod, DISPOSITION, TREATMENT_END, TREATMENT_END)
        if p.off_study_date is not None and p.off_study_reason is not None:
            decod, term = _reason(eos, "off_study_reason", p.off_study_reason, p.id)
            add(p.id, p.off_study_date, term, decod, DISPOSITION, STUDY_END, STUDY_END)
    kinds = {id(r): int(str(r.pop("_kind"))) for r in records}
    variables = (
        studyid(), domain_var(), usubjid(),
        seq("DS", "DSSTDTC, then consent, registration, end of treatment, end of study"),
        Variable("DSTERM", "Reported Term for the Disposition Event", CHAR, REQ, TOPIC,
                 Origin.COLLECTED,
                 comment="The English label of the protocol's eot-reason / eos-reason code."),
        Variable("DSDECOD", "Standardized Disposition Term", CHAR, REQ, SYNONYM, Origin.ASSIGNED,
                 codelist="DSDECOD",
                 comment="The submission value the protocol's code list gives (NCOMPLT), or a "
                         "PROTMLST milestone."),
        Variable("DSCAT", "Category for Disposition Event", CHAR, EXP, GROUPING, Origin.ASSIGNED,
                 codelist="DSCAT"),
        Variable("DSSCAT", "Subcategory for Disposition Event", CHAR, PERM, GROUPING, Origin.ASSIGNED,
                 codelist="DSSCAT"),
        epoch(PERM),
        dtc("DSSTDTC", "Start Date/Time of Disposition Event", EXP, Origin.COLLECTED),
        study_day("DSSTDY", "Study Day of Start of Disposition Event", "DSSTDTC"),
    )
    return (build_dataset(
        domain="DS", label="Disposition", observation_class="EVENTS",
        structure="One record per disposition status or protocol milestone per subject",
        keys=("STUDYID", "USUBJID", "DSCAT", "DSSCAT", "DSDECOD", "DSSTDTC"),
        variables=variables, records=records,
        codelists=(_decod_list(records), terminology("DSCAT").codelist(values=(MILESTONE, DISPOSITION)),
                   terminology("DSSCAT").codelist(), epoch_codelist()),
        sort_key=lambda r: (r["USUBJID"], r["DSSTDTC"], kinds[id(r)])),)


def _decod_list(records: list[dict[str, Value]]) -> CodeList:
    """DSDECOD: the PROTMLST milestones and the NCOMPLT terms used (NCOMPLT is extensible:
    a term it lacks, such as OTHER, is a sponsor extension)."""
    milestones = terminology("PROTMLST")
    reasons = terminology("NCOMPLT")
    used = sorted({str(r["DSDECOD"]) for r in records if r["DSCAT"] == DISPOSITION})
    known = [u for u in used if u in reasons]
    extra = [u for u in used if u not in reasons]
    ncomplt = reasons.codelist(values=known, extended=extra)
    protmlst = milestones.codelist(values=(CONSENT, REGISTERED))
    return CodeList(
        "DSDECOD", f"Standardized Disposition Term (PROTMLST and NCOMPLT subsets, {CT_NAME})", CHAR,
        protmlst.items + ncomplt.items, extensible=True,
        item_codes=protmlst.item_codes + ncomplt.item_codes, extended=ncomplt.extended)
