"""EX (Exposure) and EC (Exposure as Collected), from the dose records.

**EC** holds what the dosing CRF collects, one pair of records per ``DoseAdministration``:
``ECMOOD`` = SCHEDULED with the dose prescribed (when one was), and ``ECMOOD`` = PERFORMED
with the dose given (``ECOCCUR`` = Y) or the dose withheld (``ECOCCUR`` = N, ``ECDOSE``
empty, ``ECREASOC`` the reason). EC is built because it carries what EX cannot: withheld
doses (EX has no occurrence flag; SDTMIG 3.4 §6.1.4 EX/EC assumptions put doses not given
in EC) and the prescribed dose beside the dose given.

**EX** holds the doses given (``given`` > 0), one record per administration record, in the
unit collected (mg): ``EXADJ`` is the reason recorded when the dose given differs from the
dose prescribed. For an agent taken on several days of a cycle (S-1 twice daily on days
1-14) the record is the cycle's first day (``EXSTDTC``) and the amount of one intake; the
CRF does not collect the last day taken, so ``EXENDTC`` is derived from the protocol's
schedule (the cycle's first day + 13 days for days 1-14: ``context.exposure_end``, the
same rule RFXENDTC follows) and ``ECENDTC``, what was collected, is empty for it; both equal
the start for single-day administrations.

Both: ``EXTRT`` is the protocol agent's name in capitals, ``EXCAT`` the treatment phase (or
HIPEC for a HIPEC session), ``EXSCAT`` the cycle, ``EXROUTE`` the agent's route (CDISC
ROUTE), ``EXDOSFRM`` its dosage form (protocol ``dosage_form``, CDISC FRM), ``EXDOSFRQ``
from its schedule (ONCE, or BID/TID for intakes per day, CDISC FREQ).

References
----------
SDTMIG 3.4 §6.1.3 (EC), §6.1.4 (EX); CDISC CT ROUTE (C66729), FRM (C66726), FREQ
(C71113), UNIT (C71620), NY (C66742), BRDGMOOD (C125923).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from hipectrial.data import DoseAdministration, TrialData
from hipectrial.errors import InputError
from hipectrial.export.sdtm.context import StudyContext, exposure_end
from hipectrial.export.sdtm.model import CodeList, Dataset, Origin, Value, Variable
from hipectrial.export.sdtm.terminology import DECODES, terminology
from hipectrial.export.sdtm.variables import (
    CHAR,
    EXP,
    GROUPING,
    NUM,
    PERM,
    RECORD,
    REQ,
    TOPIC,
    VARIABLE_QUALIFIER,
    build_dataset,
    domain_var,
    dtc,
    epoch,
    epoch_codelist,
    iso_date,
    number,
    seq,
    study_day,
    studyid,
    usubjid,
)
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import Agent

ROUTES = {"IV": "INTRAVENOUS", "oral": "ORAL", "intraperitoneal": "INTRAPERITONEAL",
          "subcutaneous": "SUBCUTANEOUS"}
_PER_DAY = {2: "BID", 3: "TID"}
HIPEC_CATEGORY = "HIPEC"


def frequency(agent: Agent) -> str:
    """EXDOSFRQ of one administration record: ONCE, or BID/TID for an oral schedule taken
    several times a day."""
    if agent.schedule is None or agent.schedule.times_per_day == 1:
        return "ONCE"
    try:
        return _PER_DAY[agent.schedule.times_per_day]
    except KeyError:
        raise InputError(f"agents[{agent.id}].schedule.times_per_day", agent.schedule.times_per_day,
                         "1, 2 or 3 intakes a day (CDISC FREQ ONCE, BID, TID)") from None


def _common(protocol: Protocol, study: StudyContext, dose: DoseAdministration,
            prefix: str) -> dict[str, Value]:
    """The variables EX and EC share for one dose record."""
    try:
        agent = protocol.agent(dose.agent)
    except KeyError:
        raise InputError(f"doses[{dose.key}].agent", dose.agent, "an agent of the protocol") from None
    if dose.unit not in terminology("UNIT"):
        raise InputError(f"doses[{dose.key}].unit", dose.unit, "a CDISC UNIT (mg, mg/m2, mg/kg…)")
    pid = dose.participant_id
    multi_day = agent.schedule is not None and len(agent.schedule.days) > 1
    # EX (the exposure as it was given): a multi-day course to the last day of its schedule;
    # EC (as collected): the last day was not collected, so it stays empty.
    end = exposure_end(dose, protocol) if prefix == "EX" or not multi_day else None
    return {
        "STUDYID": study.studyid, "DOMAIN": prefix, "USUBJID": study.usubjid(pid),
        f"{prefix}TRT": agent.name.upper(),
        f"{prefix}CAT": dose.phase.upper() if dose.phase else HIPEC_CATEGORY,
        f"{prefix}SCAT": f"CYCLE {dose.cycle}" if dose.cycle is not None else None,
        f"{prefix}DOSU": dose.unit, f"{prefix}DOSFRM": agent.dosage_form,
        f"{prefix}DOSFRQ": frequency(agent), f"{prefix}ROUTE": ROUTES[agent.route],
        "EPOCH": study.epoch(pid, dose.date),
        f"{prefix}STDTC": iso_date(dose.date), f"{prefix}ENDTC": iso_date(end),
        f"{prefix}STDY": study.study_day(pid, dose.date),
        f"{prefix}ENDY": study.study_day(pid, end),
    }


def _variables(prefix: str, extra: Sequence[Variable]) -> tuple[Variable, ...]:
    p = prefix
    return (
        studyid(), domain_var(), usubjid(),
        seq(p, f"{p}STDTC, then the protocol's order of agents" + (", SCHEDULED before PERFORMED"
                                                                   if p == "EC" else "")),
        Variable(f"{p}TRT", "Name of Treatment", CHAR, REQ, TOPIC, Origin.PROTOCOL, codelist=f"{p}TRT"),
        Variable(f"{p}CAT", "Category of Treatment", CHAR, PERM,
                 GROUPING, Origin.DERIVED,
                 derivation="The protocol treatment phase of the dose in capitals; HIPEC for a "
                            "HIPEC session."),
        Variable(f"{p}SCAT", "Subcategory of Treatment", CHAR, PERM, GROUPING, Origin.DERIVED,
                 derivation="CYCLE and the cycle number within the phase."),
        *extra,
        Variable(f"{p}DOSU", "Dose Units", CHAR, EXP, VARIABLE_QUALIFIER, Origin.COLLECTED,
                 codelist="UNIT"),
        Variable(f"{p}DOSFRM", "Dose Form", CHAR, EXP, VARIABLE_QUALIFIER, Origin.PROTOCOL,
                 codelist="FRM"),
        Variable(f"{p}DOSFRQ", "Dosing Frequency per Interval", CHAR, PERM, VARIABLE_QUALIFIER,
                 Origin.PROTOCOL, codelist="FREQ"),
        Variable(f"{p}ROUTE", "Route of Administration", CHAR, PERM, VARIABLE_QUALIFIER,
                 Origin.PROTOCOL, codelist="ROUTE"),
        Variable(f"{p}ADJ", "Reason for Dose Adjustment", CHAR, PERM, RECORD, Origin.COLLECTED,
                 comment="The reason recorded when the dose given differs from the dose prescribed."),
        epoch(PERM),
        dtc(f"{p}STDTC", "Start Date/Time of Treatment", EXP, Origin.COLLECTED),
        dtc(f"{p}ENDTC", "End Date/Time of Treatment", EXP, Origin.DERIVED,
            f"{p}STDTC for a single-day administration; "
            + ("for a multi-day oral schedule the last day of its schedule in the cycle (the "
               "first day + 13 days for days 1-14), as the protocol gives it: the CRF records "
               "the first day only." if p == "EX" else
               "empty for a multi-day oral schedule (the CRF records its first day only).")),
        study_day(f"{p}STDY", "Study Day of Start of Treatment", f"{p}STDTC"),
        study_day(f"{p}ENDY", "Study Day of End of Treatment", f"{p}ENDTC"),
    )


def _codelists(protocol: Protocol, prefix: str, records: list[dict[str, Value]]) -> list[CodeList]:
    def used(name: str) -> list[str]:
        return sorted({str(r[name]) for r in records if r.get(name) is not None})

    return [
        CodeList(f"{prefix}TRT", "Name of Treatment", CHAR,
                 tuple((a.name.upper(), None) for a in protocol.agents)),
        terminology("UNIT").codelist(values=used(f"{prefix}DOSU")),
        terminology("FRM").codelist(values=used(f"{prefix}DOSFRM")),
        terminology("FREQ").codelist(values=used(f"{prefix}DOSFRQ")),
        terminology("ROUTE").codelist(values=used(f"{prefix}ROUTE")),
        epoch_codelist(),
    ]


def build(*, trial: TrialData, protocol: Protocol, study: StudyContext) -> tuple[Dataset, ...]:
    """EX and EC (module docstring)."""
    agent_order = {a.id: i for i, a in enumerate(protocol.agents)}
    ex: list[dict[str, Value]] = []
    ec: list[dict[str, Value]] = []
    order: dict[int, tuple[int, int]] = {}
    for dose in trial.doses:
        rank = agent_order.get(dose.agent, len(agent_order))
        changed = dose.prescribed is not None and dose.given != dose.prescribed
        if dose.given > 0:
            record = _common(protocol, study, dose, "EX")
            record.update({"EXDOSE": number(dose.given),
                           "EXADJ": dose.change_reason if changed else None})
            order[id(record)] = (rank, 0)
            ex.append(record)
        if dose.prescribed is not None:
            scheduled = _common(protocol, study, dose, "EC")
            scheduled.update({"ECMOOD": "SCHEDULED", "ECDOSE": number(dose.prescribed)})
            order[id(scheduled)] = (rank, 0)
            ec.append(scheduled)
        performed = _common(protocol, study, dose, "EC")
        given = dose.given > 0
        performed.update({
            "ECMOOD": "PERFORMED", "ECOCCUR": "Y" if given else "N",
            "ECREASOC": None if given else dose.change_reason,
            "ECDOSE": number(dose.given) if given else None,
            "ECDOSU": dose.unit if given else None,
            "ECADJ": dose.change_reason if given and changed else None})
        order[id(performed)] = (rank, 1)
        ec.append(performed)
    ex_extra = (Variable("EXDOSE", "Dose", NUM, EXP, "Record Qualifier", Origin.COLLECTED),)
    ec_extra = (
        Variable("ECMOOD", "Mood", CHAR, PERM, RECORD, Origin.ASSIGNED, codelist="BRDGMOOD"),
        Variable("ECOCCUR", "Occurrence", CHAR, PERM, RECORD, Origin.DERIVED, codelist="NY",
                 derivation="PERFORMED records: Y when the dose given is above 0, N when withheld."),
        Variable("ECREASOC", "Reason for Occur Value", CHAR, PERM, RECORD, Origin.COLLECTED),
        Variable("ECDOSE", "Dose", NUM, EXP, "Record Qualifier", Origin.COLLECTED,
                 comment="SCHEDULED: the dose prescribed; PERFORMED: the dose given."),
    )

    def key(prefix: str) -> Callable[[Mapping[str, Value]], tuple[object, ...]]:
        return lambda r: (r["USUBJID"], r[f"{prefix}STDTC"], order[id(r)])

    ex_dataset = build_dataset(
        domain="EX", label="Exposure", observation_class="INTERVENTIONS",
        structure="One record per constant dosing interval per subject",
        keys=("STUDYID", "USUBJID", "EXTRT", "EXSTDTC"), variables=_variables("EX", ex_extra),
        records=ex, codelists=_codelists(protocol, "EX", ex), sort_key=key("EX"))
    ec_lists = [*_codelists(protocol, "EC", ec),
        terminology("BRDGMOOD").codelist(),
        terminology("NY").codelist(values=sorted({str(r["ECOCCUR"]) for r in ec if r.get("ECOCCUR")}),
                                   decodes=DECODES["NY"])]
    ec_variables = _variables("EC", ec_extra)
    ec_dataset = build_dataset(
        domain="EC", label="Exposure as Collected", observation_class="INTERVENTIONS",
        structure="One record per protocol-specified study treatment, collected-dosing interval, "
                  "per subject, per mood",
        keys=("STUDYID", "USUBJID", "ECTRT", "ECSTDTC", "ECMOOD"), variables=ec_variables,
        records=ec, codelists=ec_lists, sort_key=key("EC"))
    return ex_dataset, ec_dataset
