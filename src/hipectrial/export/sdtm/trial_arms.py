"""TE (Trial Elements) and TA (Trial Arms): the planned path of each arm.

Elements, from the protocol:

- ``SCRN`` Screening (EPOCH SCREENING): from informed consent to the first dose;
- ``HIPEC<level>`` the day-0 HIPEC at a dose level (the dose differs by level), up to the
  start of the first phase;
- ``P<n>`` (or ``P<n>C<m>`` when the phase's agents differ by cohort, e.g. trastuzumab in
  induction for HER2-positive) each treatment phase ``n`` of ``protocol.phases``: its agents
  and cycles;
- ``SURG<level>`` conversion surgery with HIPEC at the dose level, first element of the
  operated branch;
- ``FU`` Follow-up (EPOCH FOLLOW-UP): after the last dose.

Every treatment element is in the TREATMENT epoch, so TA's epochs are the three that
:mod:`.context` assigns to dated records. Each arm (cohort x dose level, :mod:`.arms`) runs:
screening, HIPEC, the phases for every branch, then the operated branch (surgery and its
phases), then the not-operated phases, then follow-up. The branch is decided at
re-evaluation by response, not assigned, so it is written as transitions (``TATRANS``): from
the last common phase to the first not-operated phase when the conversion-surgery criteria
are not met, and from the last operated phase to follow-up. ``TABRANCH`` is empty: nothing
assigns a participant to another arm after registration.

References
----------
SDTMIG 3.4 §7.2.1 (TA), §7.2.2 (TE).
"""

from __future__ import annotations

from dataclasses import dataclass

from hipectrial.data import TrialData
from hipectrial.export.sdtm.arms import Arm, arm_codelists, arms
from hipectrial.export.sdtm.context import FOLLOW_UP, SCREENING, TREATMENT, StudyContext
from hipectrial.export.sdtm.model import CodeList, Dataset, Origin, Value, Variable, VarType
from hipectrial.export.sdtm.trial_visits import describe_timing
from hipectrial.export.sdtm.variables import (
    EXP,
    PERM,
    REQ,
    RULE,
    SYNONYM,
    TIMING,
    TOPIC,
    build_dataset,
    domain_var,
    epoch,
    epoch_codelist,
    studyid,
)
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import Phase

CHAR, NUM = VarType.CHAR, VarType.NUM


@dataclass(frozen=True, slots=True)
class Element:
    etcd: str
    element: str
    start_rule: str
    end_rule: str | None
    duration: str | None
    epoch: str


def _phase_agents(protocol: Protocol, phase: Phase, cohort: str) -> list[str]:
    given = {a.id for a in protocol.agents_for(cohort)}
    return [protocol.agent(a).name for a in phase.agents if a in given]


def _phase_element(protocol: Protocol, position: int, phase: Phase, cohort: str,
                   by_cohort: bool) -> Element:
    cohort_position = [c.id for c in protocol.cohorts].index(cohort) + 1
    code = f"P{position}" + (f"C{cohort_position}" if by_cohort else "")
    agents = " + ".join(_phase_agents(protocol, phase, cohort))
    name = phase.id.replace("-", " ").capitalize()
    length = f"{phase.cycle_length_days}-day cycles"
    if phase.cycles is not None:
        text = f"{name}: {agents}, {phase.cycles} {length}"
        end = f"{phase.cycles} cycles of {phase.cycle_length_days} days after the element starts"
        duration: str | None = f"P{phase.cycles * phase.cycle_length_days}D"
    else:
        until = phase.until.label if phase.until is not None else "the phase ends"
        text = f"{name}: {agents}, {length} until {until}"
        end, duration = until[:1].upper() + until[1:], None
    if by_cohort:
        text = f"{text} ({protocol.cohorts[cohort_position - 1].label.en})"
    return Element(code, text, describe_timing(phase.start, cycle=1) + f" ({phase.id} cycle 1 day 1)",
                   end, duration, TREATMENT)


def _hipec_text(protocol: Protocol, level: str) -> str:
    found = next(lv for lv in protocol.dose_finding.levels if lv.id == level)
    doses = ", ".join(f"{protocol.agent(a).name} {d.normalize():f} {found.unit}"
                      for a, d in found.doses.items())
    return f"{doses} (dose level {level})"


def elements(protocol: Protocol) -> dict[str, Element]:
    """Every element of the design by ETCD, in the order TE lists them."""
    first = protocol.phases[0]
    found: dict[str, Element] = {"SCRN": Element(
        "SCRN", "Screening", "Informed consent", "First dose of study treatment (day-0 HIPEC)",
        None, SCREENING)}
    for level in protocol.dose_finding.levels:
        code = "HIPEC" + level.id.replace("-", "M")
        found[code] = Element(
            code, f"Day-0 HIPEC: {_hipec_text(protocol, level.id)}",
            "Day-0 diagnostic laparoscopy and HIPEC (first dose of study treatment)",
            f"Start of {first.id} cycle 1", f"P{first.start.day}D" if first.start.anchor.value == "hipec"
            else None, TREATMENT)
    for position, phase in enumerate(protocol.phases, start=1):
        cohorts = [c.id for c in protocol.cohorts]
        by_cohort = len({tuple(_phase_agents(protocol, phase, c)) for c in cohorts}) > 1
        for cohort in cohorts if by_cohort else cohorts[:1]:
            element = _phase_element(protocol, position, phase, cohort, by_cohort)
            found[element.etcd] = element
    for level in protocol.dose_finding.levels:
        code = "SURG" + level.id.replace("-", "M")
        found[code] = Element(
            code, f"Conversion surgery with HIPEC: {_hipec_text(protocol, level.id)}",
            "Conversion surgery (D2 gastrectomy, cytoreduction and HIPEC)",
            "Start of the first phase after surgery", None, TREATMENT)
    found["FU"] = Element("FU", "Follow-up", "Day after the last dose of study treatment",
                          "End of study", None, FOLLOW_UP)
    return found


def arm_path(protocol: Protocol, arm: Arm) -> list[tuple[str, str | None]]:
    """(ETCD, TATRANS) of the arm's elements in order (module docstring)."""
    level = arm.dose_level.replace("-", "M")
    cohorts = [c.id for c in protocol.cohorts]

    def code(position: int, phase: Phase) -> str:
        by_cohort = len({tuple(_phase_agents(protocol, phase, c)) for c in cohorts}) > 1
        suffix = f"C{cohorts.index(arm.cohort) + 1}" if by_cohort else ""
        return f"P{position}{suffix}"

    numbered = list(enumerate(protocol.phases, start=1))
    common = [code(i, p) for i, p in numbered if p.branch == "all"]
    operated = [f"SURG{level}"] + [code(i, p) for i, p in numbered if p.branch == "operated"]
    not_operated = [code(i, p) for i, p in numbered if p.branch == "not_operated"]
    path = ["SCRN", f"HIPEC{level}", *common, *operated, *not_operated, "FU"]
    transitions: dict[int, str] = {}
    if not_operated and common:
        target = path.index(not_operated[0]) + 1
        transitions[path.index(common[-1])] = (
            f"If the conversion-surgery criteria are not met at re-evaluation, go to element "
            f"{target} ({not_operated[0]})")
    if not_operated and len(operated) > 0:
        transitions[path.index(operated[-1])] = f"Go to element {len(path)} (FU)"
    return [(etcd, transitions.get(i)) for i, etcd in enumerate(path)]


def build(*, trial: TrialData, protocol: Protocol, study: StudyContext) -> tuple[Dataset, ...]:
    """TA (sorted by ARMCD and TAETORD) and TE (sorted by ETCD)."""
    found = elements(protocol)
    ta: list[dict[str, Value]] = []
    for arm in arms(protocol):
        for order, (etcd, transition) in enumerate(arm_path(protocol, arm), start=1):
            ta.append({"STUDYID": study.studyid, "DOMAIN": "TA", "ARMCD": arm.armcd, "ARM": arm.arm,
                       "TAETORD": order, "ETCD": etcd, "ELEMENT": found[etcd].element,
                       "TABRANCH": None, "TATRANS": transition, "EPOCH": found[etcd].epoch})
    te = [{"STUDYID": study.studyid, "DOMAIN": "TE", "ETCD": e.etcd, "ELEMENT": e.element,
           "TESTRL": e.start_rule, "TEENRL": e.end_rule, "TEDUR": e.duration} for e in found.values()]
    element_list = CodeList("ETCD", "Element Code", CHAR, tuple((e.etcd, e.element) for e in found.values()))
    ta_vars = (
        studyid(), domain_var(),
        Variable("ARMCD", "Planned Arm Code", CHAR, REQ, TOPIC, Origin.ASSIGNED, codelist="ARMCD"),
        Variable("ARM", "Description of Planned Arm", CHAR, REQ, SYNONYM, Origin.ASSIGNED, codelist="ARM"),
        Variable("TAETORD", "Planned Order of Element within Arm", NUM, REQ, TIMING, Origin.ASSIGNED),
        Variable("ETCD", "Element Code", CHAR, REQ, "Record Qualifier", Origin.ASSIGNED, codelist="ETCD"),
        Variable("ELEMENT", "Description of Element", CHAR, PERM, SYNONYM, Origin.ASSIGNED),
        Variable("TABRANCH", "Branch", CHAR, EXP, RULE, Origin.PROTOCOL,
                 comment="No branch assigns another arm after registration."),
        Variable("TATRANS", "Transition Rule", CHAR, EXP, RULE, Origin.PROTOCOL),
        epoch(REQ),
    )
    te_vars = (
        studyid(), domain_var(),
        Variable("ETCD", "Element Code", CHAR, REQ, TOPIC, Origin.ASSIGNED, codelist="ETCD"),
        Variable("ELEMENT", "Description of Element", CHAR, REQ, SYNONYM, Origin.ASSIGNED),
        Variable("TESTRL", "Rule for Start of Element", CHAR, REQ, RULE, Origin.PROTOCOL),
        Variable("TEENRL", "Rule for End of Element", CHAR, PERM, RULE, Origin.PROTOCOL),
        Variable("TEDUR", "Planned Duration of Element", CHAR, PERM, TIMING, Origin.PROTOCOL),
    )
    listed = {etcd: i for i, etcd in enumerate(found)}
    return (
        build_dataset(domain="TA", label="Trial Arms", observation_class="TRIAL DESIGN",
                      structure="One record per planned Element per Arm",
                      keys=("STUDYID", "ARMCD", "TAETORD"), variables=ta_vars, records=ta,
                      codelists=(*arm_codelists(protocol), element_list, epoch_codelist())),
        build_dataset(domain="TE", label="Trial Elements", observation_class="TRIAL DESIGN",
                      structure="One record per planned Element", keys=("STUDYID", "ETCD"),
                      variables=te_vars, records=te, codelists=(element_list,),
                      sort_key=lambda r: (listed[str(r["ETCD"])],)),
    )
