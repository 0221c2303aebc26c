"""TV (Trial Visits): the planned visits of the protocol's schedule.

One record per planned occurrence of every scheduled visit (event visits — adverse event,
death, unscheduled… — are not planned and are left out): a visit that does not repeat once;
a per-cycle visit once per cycle when its phase has a fixed number of cycles; an every-N-days
visit once per occurrence up to its ``until_day``. A visit that repeats until an event (until
surgery, until the end of treatment, a maintenance phase until progression) has no fixed
number of occurrences: TV lists its first occurrence and ``TVSTRL`` states the repeat rule;
the later occurrences appear in SV with their own ``VISITNUM`` (:mod:`.visits`).

A visit for some cohorts only (HER2-positive LVEF checks) has one record per arm of those
cohorts (``ARMCD``); a visit for every arm has ``ARMCD`` empty (SDTMIG 3.4 §7.3.1).

References
----------
SDTMIG 3.4 §7.3.1 (TV: STUDYID, DOMAIN, VISITNUM, VISIT, VISITDY, ARMCD, ARM, TVSTRL, TVENRL).
"""

from __future__ import annotations

from hipectrial.clinical.visits.targets import occurrence_days
from hipectrial.data import TrialData
from hipectrial.export.sdtm.arms import Arm, arm_codelists, arms
from hipectrial.export.sdtm.context import StudyContext
from hipectrial.export.sdtm.model import Dataset, Origin, Value, Variable, VarType
from hipectrial.export.sdtm.variables import (
    EXP,
    IDENTIFIER,
    PERM,
    REQ,
    RULE,
    SYNONYM,
    TIMING,
    build_dataset,
    domain_var,
    studyid,
    visit,
    visitnum,
)
from hipectrial.export.sdtm.visits import planned_days, scheduled, visit_name, visit_number
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import Anchor, Timing
from hipectrial.protocol.schedule import Visit

CHAR, NUM = VarType.CHAR, VarType.NUM

_ANCHORS = {
    Anchor.REGISTRATION: "registration", Anchor.HIPEC: "the day-0 HIPEC",
    Anchor.SURGERY: "conversion surgery", Anchor.END_OF_TREATMENT: "the end of treatment",
    Anchor.LAST_DOSE: "the last dose",
}


def describe_timing(timing: Timing, cycle: int | None = None) -> str:
    """A timing in words: ``Day 30 from the day-0 HIPEC, window -3/+7 days``.

    >>> describe_timing(Timing(anchor="cycle_start", phase="induction", cycle=3, day=18,
    ...                        window_before=3, window_after=3))
    'Day 18 of induction cycle 3, window -3/+3 days'
    """
    if timing.anchor is Anchor.CYCLE_START:
        which = cycle if cycle is not None else timing.cycle
        text = f"Day {timing.day} of {timing.phase} cycle {which}" if which is not None \
            else f"Day {timing.day} of each {timing.phase} cycle"
    else:
        text = f"Day {timing.day} from {_ANCHORS.get(timing.anchor, timing.anchor.value)}"
    if timing.window_before or timing.window_after:
        text += f", window -{timing.window_before}/+{timing.window_after} days"
    return text


def _variables() -> tuple[Variable, ...]:
    return (
        studyid(), domain_var(), visitnum(REQ), visit(PERM),
        Variable("VISITDY", "Planned Study Day of Visit", NUM, PERM, TIMING, Origin.DERIVED,
                 derivation="The occurrence's target day in the protocol's schedule, counted as a "
                            "study day with the day-0 HIPEC (and registration) on day 1."),
        Variable("ARMCD", "Planned Arm Code", CHAR, EXP, IDENTIFIER, Origin.ASSIGNED, codelist="ARMCD"),
        Variable("ARM", "Description of Planned Arm", CHAR, PERM, SYNONYM, Origin.ASSIGNED, codelist="ARM"),
        Variable("TVSTRL", "Visit Start Rule", CHAR, REQ, RULE, Origin.PROTOCOL),
        Variable("TVENRL", "Visit End Rule", CHAR, PERM, RULE, Origin.PROTOCOL),
    )


def _occurrences(protocol: Protocol, v: Visit) -> tuple[tuple[int, str], ...]:
    """(occurrence, start rule) of each planned occurrence TV lists for visit ``v``."""
    timing, repeat = v.timing, v.repeat
    if repeat is None:
        return ((1, describe_timing(timing)),)
    if repeat.per_cycle is not None:
        phase = protocol.phase(repeat.per_cycle)
        if phase.cycles is not None:
            return tuple((c, describe_timing(timing, cycle=c)) for c in range(1, phase.cycles + 1))
        until = phase.until.label if phase.until is not None else "the phase ends"
        return ((1, describe_timing(timing) + f", until {until}"),)
    if repeat.until_day is not None:
        return tuple((k, describe_timing(timing.model_copy(update={"day": day})))
                     for k, day in occurrence_days(v))
    until = _ANCHORS.get(repeat.until, repeat.until.value) if repeat.until is not None else "the end"
    return ((1, describe_timing(timing) + f"; then every {repeat.every_days} days until {until}"),)


def build(*, trial: TrialData, protocol: Protocol, study: StudyContext) -> tuple[Dataset, ...]:
    """TV, sorted by VISITNUM and ARMCD."""
    days = planned_days(protocol)
    planned = arms(protocol)
    records: list[dict[str, Value]] = []
    for v in protocol.visits:
        if not scheduled(v):
            continue
        suffix = ""
        if v.branch != "all":
            suffix += f"; {v.branch.replace('_', '-')} branch only"
        if v.ends_at:
            suffix += "; not after " + ", ".join(e.value for e in v.ends_at)
        who: list[Arm | None] = [a for a in planned if v.cohorts is not None and a.cohort in v.cohorts]
        who = who or [None]
        for occurrence, rule in _occurrences(protocol, v):
            for arm in who:
                records.append({
                    "STUDYID": study.studyid, "DOMAIN": "TV",
                    "VISITNUM": visit_number(protocol, v.id, occurrence),
                    "VISIT": visit_name(protocol, v.id, occurrence),
                    "VISITDY": days.get((v.id, occurrence)),
                    "ARMCD": arm.armcd if arm else None, "ARM": arm.arm if arm else None,
                    "TVSTRL": rule + suffix,
                })
    return (build_dataset(
        domain="TV", label="Trial Visits", observation_class="TRIAL DESIGN",
        structure="One record per planned Visit per Arm", keys=("STUDYID", "VISITNUM", "ARMCD"),
        variables=_variables(), records=records, codelists=arm_codelists(protocol)),)
