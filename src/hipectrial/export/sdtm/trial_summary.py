"""TS (Trial Summary): the trial's parameters, from the protocol (and a few from the data).

Each parameter says where its value comes from; a parameter the protocol does not state
has ``TSVAL`` empty and ``TSVALNF`` = ``NI`` (no information, ISO 21090 null flavour), so a
reviewer sees it was considered. Values from CDISC code lists carry their C-code
(``TSVALCD``), ``TSVCDREF`` = ``CDISC CT`` and ``TSVCDVER`` = the CT version; dates and
durations are ISO 8601; countries ISO 3166-1 alpha-3. A value longer than 200 characters
(the full title) continues in ``TSVAL1``, ``TSVAL2``… split between words (SDTMIG 3.4
§7.6.1, assumption on TSVAL length).

References
----------
SDTMIG 3.4 §7.6.1 (TS); FDA Study Data Technical Conformance Guide, TS parameters FDA
expects (SSTDTC, SDTIGVER, TITLE, TPHASE, STYPE, ADDON, AGEMIN, AGEMAX, SEXPOP, PLANSUB,
RANDOM, TBLIND, TCNTRL, INDIC, TRT, PCLAS, REGID, SPONSOR…).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hipectrial.data import TrialData
from hipectrial.export.sdtm.arms import arms
from hipectrial.export.sdtm.context import StudyContext
from hipectrial.export.sdtm.model import CodeList, Dataset, Origin, Value, Variable, VarType
from hipectrial.export.sdtm.terminology import (
    CT_VERSION,
    TSPARM,
    country_alpha3,
    terminology,
)
from hipectrial.export.sdtm.variables import (
    EXP,
    IDENTIFIER,
    PERM,
    REQ,
    RESULT,
    SYNONYM,
    TOPIC,
    build_dataset,
    domain_var,
    studyid,
)
from hipectrial.protocol import Protocol

CHAR, NUM = VarType.CHAR, VarType.NUM
VALUE_MAX = 200
SDTMIG_VERSION = "3.4"
SDTM_VERSION = "2.0"  # the SDTM model version SDTMIG 3.4 implements

_PHASES = {"1": "PHASE I TRIAL", "1/2": "PHASE I/II TRIAL", "2": "PHASE II TRIAL",
           "2/3": "PHASE II/III TRIAL", "3": "PHASE III TRIAL"}
_MASKING = {"open_label": "OPEN LABEL", "single_blind": "SINGLE BLIND", "double_blind": "DOUBLE BLIND"}
# Parameters coded by a CDISC list: TSPARMCD -> the list's short name.
_CODED = {"TPHASE": "TPHASE", "STYPE": "STYPE", "TBLIND": "TBLIND", "TCNTRL": "TCNTRL",
          "RANDOM": "NY", "INTMODEL": "INTMODEL", "INTTYPE": "INTTYPE", "TTYPE": "TTYPE",
          "TINDTP": "TINDTP", "ADAPT": "NY", "HLTSUBJI": "NY", "SEXPOP": "SEXPOP"}
_ISO8601 = {"AGEMIN", "AGEMAX", "SSTDTC", "DCUTDTC"}
NO_INFORMATION = "NI"

Param = tuple[str, str | None, str | None]  # TSPARMCD, TSVAL, TSVALNF


def _age_limit(protocol: Protocol, operator: str) -> str | None:
    """The bound on ``age`` an inclusion criterion states (``age >= 18`` -> ``P18Y``)."""
    for criterion in protocol.eligibility:
        if criterion.kind != "inclusion":
            continue
        match = re.search(rf"\bage\s*{re.escape(operator)}\s*(\d+)\b", criterion.expression.source)
        if match:
            return f"P{int(match.group(1))}Y"
    return None


def _sex_population(protocol: Protocol) -> str:
    """BOTH unless an inclusion criterion is exactly ``sex == '<code>'``."""
    submission = {i.code: i.submission_value for c in protocol.codelists if c.id == "sex" for i in c.items}
    for criterion in protocol.eligibility:
        match = re.fullmatch(r"\s*sex\s*==\s*'([^']+)'\s*", criterion.expression.source)
        if criterion.kind == "inclusion" and match and submission.get(match.group(1)) in ("M", "F"):
            return str(submission[match.group(1)])
    return "BOTH"


def _parameters(trial: TrialData, protocol: Protocol) -> Iterator[Param]:
    study, stats = protocol.study, protocol.statistics
    yield "TITLE", study.full_title, None
    yield "TPHASE", _PHASES[study.phase], None
    yield "STYPE", "INTERVENTIONAL", None  # the protocol assigns study treatments (agents)
    yield "INTMODEL", "SINGLE GROUP", None  # every arm gets the same regimen (cohort/dose level)
    yield "INTTYPE", "DRUG", None
    if protocol.hipec.sessions:
        yield "INTTYPE", "PROCEDURE", None  # HIPEC sessions and conversion surgery
    yield "TTYPE", "EFFICACY", None  # the primary endpoint
    if any(e.population.value == "safety" for e in protocol.endpoints):
        yield "TTYPE", "SAFETY", None
    if len(protocol.dose_finding.levels) > 1:
        yield "TTYPE", "DOSE FINDING", None
    yield "TINDTP", "TREATMENT", None
    yield "TBLIND", _MASKING[study.masking], None
    yield "TCNTRL", "NONE", None  # no comparator: every arm receives the study regimen
    yield "RANDOM", "N", None  # cohorts by HER2 status, dose levels by the BOIN design
    yield "ADAPT", "Y" if protocol.dose_finding.levels or stats.primary.stage1 else "N", None
    yield "ADDON", None, NO_INFORMATION
    age_min, age_max = _age_limit(protocol, ">="), _age_limit(protocol, "<=")
    yield "AGEMIN", age_min, None if age_min else NO_INFORMATION
    yield "AGEMAX", age_max, None if age_max else NO_INFORMATION
    yield "SEXPOP", _sex_population(protocol), None
    yield "HLTSUBJI", "N", None  # participants have the conditions of INDIC
    yield "PLANSUB", str(protocol.dose_finding.design.max_n + stats.primary.enrol), None
    registered = sum(1 for p in trial.participants if p.registered)
    yield "ACTSUB", str(registered), None
    yield "NARMS", str(len(arms(protocol))), None
    for condition in study.conditions:
        yield "INDIC", condition, None
    for agent in protocol.agents:
        yield "TRT", agent.name, None
    for agent_class in dict.fromkeys(a.agent_class for a in protocol.agents):
        yield "PCLAS", agent_class, None
    primary = [e for e in protocol.endpoints if e.role == "primary"]
    for endpoint in primary:
        yield "OUTMSPRI", endpoint.name.en, None
    for endpoint in protocol.endpoints:
        if endpoint.role != "primary":
            yield "OUTMSSEC", endpoint.name.en, None
    s1 = stats.primary.stage1
    yield "STOPRULE", (f"Simon two-stage ({stats.primary.variant}) design: stop after stage 1 if "
                       f"{s1.r} or fewer of the first {s1.n} participants have the primary "
                       "endpoint"), None
    consent = min((p.consent_date for p in trial.participants), default=None)
    yield "SSTDTC", consent.isoformat() if consent else None, None if consent else NO_INFORMATION
    yield "DCUTDTC", trial.generated_at.date().isoformat(), None
    for alpha3 in dict.fromkeys(country_alpha3(s.country, where=f"sites[{s.id}].country")
                                for s in trial.sites):
        yield "FCNTRY", alpha3, None
    yield "REGID", study.registry_id, None if study.registry_id else NO_INFORMATION
    yield "SPONSOR", None, NO_INFORMATION
    yield "SDTIGVER", SDTMIG_VERSION, None
    yield "SDTMVER", SDTM_VERSION, None


def split_value(text: str) -> list[str]:
    """``text`` in pieces of at most 200 characters, cut between words.

    >>> [len(p) for p in split_value("word " * 50 + "end")]
    [199, 54]
    """
    pieces: list[str] = []
    rest = text
    while len(rest) > VALUE_MAX:
        cut = rest.rfind(" ", 0, VALUE_MAX + 1)
        cut = VALUE_MAX if cut <= 0 else cut
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    return pieces


def build(*, trial: TrialData, protocol: Protocol, study: StudyContext) -> tuple[Dataset, ...]:
    """TS, parameters in the order above, TSSEQ 1..n within each parameter."""
    records: list[dict[str, Value]] = []
    order: dict[str, int] = {}
    for position, (code, value, null_flavour) in enumerate(_parameters(trial, protocol)):
        order.setdefault(code, position)
        pieces = split_value(value) if value is not None else [None]
        record: dict[str, Value] = {
            "STUDYID": study.studyid, "DOMAIN": "TS", "TSPARMCD": code, "TSPARM": TSPARM[code],
            "TSVAL": pieces[0], "TSVALNF": null_flavour}
        for n, piece in enumerate(pieces[1:], start=1):
            record[f"TSVAL{n}"] = piece
        if code in _CODED and value is not None:
            record["TSVALCD"] = terminology(_CODED[code]).code(value)
            record["TSVCDREF"], record["TSVCDVER"] = "CDISC CT", CT_VERSION
        elif code in _ISO8601 and value is not None:
            record["TSVCDREF"] = "ISO 8601"
        elif code == "FCNTRY":
            record["TSVALCD"], record["TSVCDREF"] = value, "ISO 3166-1 alpha-3"
        records.append(record)
    extra = max((len([k for k in r if k.startswith("TSVAL") and k[5:].isdigit()]) for r in records),
                default=0)
    variables = (
        studyid(), domain_var(),
        Variable("TSSEQ", "Sequence Number", NUM, REQ, IDENTIFIER, Origin.DERIVED,
                 derivation="1..n within each TSPARMCD, in the order the protocol lists the values."),
        Variable("TSGRPID", "Group ID", CHAR, PERM, IDENTIFIER, Origin.ASSIGNED),
        Variable("TSPARMCD", "Trial Summary Parameter Short Name", CHAR, REQ, TOPIC, Origin.ASSIGNED,
                 codelist="TSPARMCD"),
        Variable("TSPARM", "Trial Summary Parameter", CHAR, REQ, SYNONYM, Origin.ASSIGNED,
                 codelist="TSPARM"),
        Variable("TSVAL", "Parameter Value", CHAR, EXP, RESULT, Origin.PROTOCOL),
        *(Variable(f"TSVAL{n}", f"Parameter Value {n}", CHAR, PERM, RESULT, Origin.PROTOCOL,
                   comment="Continuation of TSVAL beyond 200 characters.")
          for n in range(1, extra + 1)),
        Variable("TSVALNF", "Parameter Null Flavor", CHAR, PERM, RESULT, Origin.ASSIGNED,
                 codelist="NULLFLAVOR",
                 comment="NI: the protocol does not state this parameter."),
        Variable("TSVALCD", "Parameter Value Code", CHAR, EXP, RESULT, Origin.ASSIGNED),
        Variable("TSVCDREF", "Name of the Reference Terminology", CHAR, EXP, RESULT, Origin.ASSIGNED),
        Variable("TSVCDVER", "Version of the Reference Terminology", CHAR, EXP, RESULT, Origin.ASSIGNED),
    )
    used = tuple(dict.fromkeys(str(r["TSPARMCD"]) for r in records))
    codelists = (
        terminology("TSPARMCD").codelist(values=used, decodes=TSPARM),
        CodeList("TSPARM", "Trial Summary Parameter Test Name", CHAR,
                 tuple((TSPARM[c], None) for c in used), extensible=True, nci_code="C67152",
                 item_codes=tuple((TSPARM[c], terminology("TSPARMCD").code(c)) for c in used)),
        CodeList("NULLFLAVOR", "ISO 21090 Null Flavor", CHAR, ((NO_INFORMATION, "No information"),)),
    )
    return (build_dataset(
        domain="TS", label="Trial Summary", observation_class="TRIAL DESIGN",
        structure="One record per trial summary parameter value", keys=("STUDYID", "TSPARMCD", "TSSEQ"),
        variables=variables, records=records, codelists=codelists, seq_by="TSPARMCD",
        # sorted() is stable: values of one parameter keep the order they were listed in
        sort_key=lambda r: (order[str(r["TSPARMCD"])],)),)
