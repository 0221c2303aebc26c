"""What the dose-finding and registration decisions say, as phrases (:mod:`hipectrial.phrases`).

:class:`~hipectrial.analysis.interim.BoinCohort` and
:class:`~hipectrial.analysis.assignment.Assignment` explain themselves in an English
sentence, and carry the same as a code and parameters so that a shell can word it in
another language. The English templates below are the one place those sentences are worded;
:func:`reason_english` fills them.

Parameters, by name: ``level`` and ``next_level`` are dose level ids (said in English with
the explored agent's dose, :func:`level_words`); ``cohort``, ``previous`` and ``stopped`` are
Part A cohort numbers; ``participant`` and ``participants`` participant ids; ``date`` an ISO
8601 date; ``action`` a BOIN action (``escalate``, ``stay``, ``de-escalate``); ``reason`` a
nested phrase (a cohort's :class:`CohortDecisionReason`) or, in
:attr:`CohortDecisionReason.DESIGN`, the design's own reason (a
:class:`~hipectrial.design.dose_finding.StopReason` or
:class:`~hipectrial.design.boin.BoinReason` value); every other parameter is a count.
Optional parts of a sentence are nested phrases of :class:`ReasonPart`, ``""`` when absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from hipectrial.phrases import Params, Phrase, english
from hipectrial.protocol import Protocol


class CohortDecisionReason(StrEnum):
    """Why a Part A cohort's BOIN decision is what it is, or why it has none."""

    AFTER_STOP = "boin_after_stop"
    INCOMPLETE = "boin_incomplete"
    MAX_COHORTS = "boin_max_cohorts"
    DESIGN = "boin_design"


class AssignmentReason(StrEnum):
    """Where the next registered participant goes, or why registration waits or is closed
    (:func:`hipectrial.analysis.assignment.next_assignment`)."""

    PART_A_FIRST = "part_a_first"
    PART_A_JOIN = "part_a_join"
    PART_A_NEXT = "part_a_next"
    WAIT_DLT = "wait_dlt"
    WAIT_DATA = "wait_data"
    CLOSED_OTHER_LEVEL = "closed_other_level"
    CLOSED_NO_DECISION = "closed_no_decision"
    CLOSED_NO_DOSE = "closed_no_dose"
    CLOSED_FUTILITY = "closed_futility"
    CLOSED_FULL = "closed_full"
    PART_B = "part_b"


class ReasonPart(StrEnum):
    """Parts of an assignment's sentence: list items, asides and optional clauses."""

    PENDING_IN_COHORT = "pending_in_cohort"
    LAST_WINDOW_CLOSES = "last_window_closes"
    WINDOWS_PARTLY_KNOWN = "windows_partly_known"
    WINDOWS_UNKNOWN = "windows_unknown"
    ASIDE = "aside"
    SAID_BOIN = "said_boin"
    SAID_NO_DECISION = "said_no_decision"
    NONE = "none"
    SHORT_COHORT = "short_cohort"
    NO_DECISION = "no_decision"
    LOOK_ON = "look_on"
    STAGE_2 = "stage_2"
    LOOK_AWAITED = "look_awaited"
    STAGE_2_CERTAIN = "stage_2_certain"
    FUTILITY_CERTAIN = "futility_certain"


_WINDOW_UNKNOWN = "DLT window of {participants} is not known yet (induction cycle 1 not started)."

ENGLISH: Mapping[str, str] = {
    CohortDecisionReason.AFTER_STOP: "registered after the design stopped (cohort {stopped})",
    CohortDecisionReason.INCOMPLETE: "incomplete: {registered} of {size} registered, no decision",
    CohortDecisionReason.MAX_COHORTS: "maximum number of cohorts ({max})",
    CohortDecisionReason.DESIGN: "{reason}",
    AssignmentReason.PART_A_FIRST:
        "Part A, cohort 1: the first participant starts at the protocol's starting {level}.",
    AssignmentReason.PART_A_JOIN:
        "Part A, cohort {cohort}: {registered} of {size} registered at {level}; the next joins this cohort.",
    AssignmentReason.PART_A_NEXT:
        "Part A, cohort {cohort}: BOIN {action} after cohort {previous} ({dlts} DLT in its {evaluable} "
        "DLT-evaluable at {level}; {level_dlts} DLT in {level_n} DLT-evaluable at this level so far): "
        "{next_level}{aside}.",
    AssignmentReason.WAIT_DLT:
        "Registration waits: cohort {cohort} at {level} is complete, and the next dose is decided only "
        "once every DLT outcome is known (the DLT windows closed). DLT outcome pending for {pending}."
        "{windows}",
    AssignmentReason.WAIT_DATA:
        "Registration waits: cohort {cohort} at {level} has its DLT windows closed, but nothing is "
        "recorded about {participants} on or after the last day of the DLT window (no visit, dose, lab, "
        "follow-up or DLT): enter their data to the end of the DLT window, then the next dose is decided.",
    AssignmentReason.CLOSED_OTHER_LEVEL:
        "Registration closed until the data are reviewed: cohort {cohort} was registered at {level}, but "
        "after cohort {previous} the design said {said}.",
    AssignmentReason.CLOSED_NO_DECISION:
        "Registration closed until the data are reviewed: no BOIN decision after cohort {cohort} ({why}).",
    AssignmentReason.CLOSED_NO_DOSE:
        "Registration closed: Part A stopped after cohort {cohort} ({reason}) without selecting a dose; "
        "Part B does not open.",
    AssignmentReason.CLOSED_FUTILITY:
        "Registration closed: the Simon stage-1 look{on} stopped Part B for futility ({responses} R0 "
        "resections among the first {n1} Part B ITT participants, not more than r1 = {r1}).",
    AssignmentReason.CLOSED_FULL:
        "Registration closed: Part B has {registered} registrations, the {enrol} the protocol enrols to "
        "obtain {evaluable} evaluable.",
    AssignmentReason.PART_B:
        "Part B at {level}: Part A selected {level} as the recommended phase II dose (the design stopped "
        "after cohort {cohort}: {reason}); {registered} of {enrol} registered.{look}",
    ReasonPart.PENDING_IN_COHORT: "{participant} (cohort {cohort})",
    ReasonPart.LAST_WINDOW_CLOSES: " The last DLT window closes on {date}.",
    ReasonPart.WINDOWS_PARTLY_KNOWN: " Known DLT windows close by {date}; the " + _WINDOW_UNKNOWN,
    ReasonPart.WINDOWS_UNKNOWN: " The " + _WINDOW_UNKNOWN,
    ReasonPart.ASIDE: " ({reason})",
    ReasonPart.SAID_BOIN: "BOIN {action}: {next_level}",
    ReasonPart.SAID_NO_DECISION: "no BOIN decision ({reason})",
    ReasonPart.NONE: "none",
    ReasonPart.SHORT_COHORT:
        "cohort {cohort} has {registered} of {size} participants yet later cohorts were registered",
    ReasonPart.NO_DECISION: "no decision",
    ReasonPart.LOOK_ON: " on {date}",
    ReasonPart.STAGE_2: " Stage 1 passed ({responses} R0 > r1 = {r1}): stage 2.",
    ReasonPart.LOOK_AWAITED:
        " The stage-1 look awaits: {missing} of the {n1} stage-1 outcomes missing: {missing} not yet known "
        "({participants}){certain}. The protocol states no pause of accrual for it: registration goes on.",
    ReasonPart.STAGE_2_CERTAIN: "; already {responses} R0 > r1 = {r1}: continuing to stage 2 is certain",
    ReasonPart.FUTILITY_CERTAIN:
        "; even if every missing outcome is R0, stage 1 ends with {at_most} <= r1 = {r1}: futility is "
        "certain",
}

LEVEL_PARAMS = frozenset({"level", "next_level"})


def level_words(protocol: Protocol, level_id: str) -> str:
    """A dose level in English with the explored agent's dose:
    ``dose level 1 (hipec-paclitaxel 75 mg/m2)``."""
    df = protocol.dose_finding
    agent = df.explored_agents[0]
    level = next(lv for lv in df.levels if lv.id == level_id)
    return f"dose level {level_id} ({agent} {level.doses.get(agent, '?')} {level.unit})"


def reason_english(protocol: Protocol, code: str, params: Params = ()) -> str:
    """The English sentence of a dose-finding or assignment reason (module docstring)."""

    def render(name: str, value: str) -> str:
        return level_words(protocol, value) if name in LEVEL_PARAMS else value

    return english(Phrase(code, params), ENGLISH, render)
