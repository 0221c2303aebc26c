"""Analysis populations and study parts, each by a stated rule.

Rules (protocol ``Population``; protocol-decisions.md §Endpoints; clinical.md §6;
docs/trialdata-conventions.md):

* **itt** — registered (``registration_date``) and received HIPEC (the day-0
  ``hipec-paclitaxel`` dose has ``given > 0``).
* **safety** — registered and given any study treatment (a dose of any agent, ``given > 0``).
* **per_protocol** — ITT participants whose eligibility, recomputed from the screening
  forms, is not ``ineligible`` and whose day-0 HIPEC dose was given within the protocol's
  ``dose_tolerance_percent`` of the prescribed dose. (The protocol defines no list of major
  deviations; this is the rule used until it does.)
* **operated** — registered with a ``conversion_surgery_hipec`` operation.
* **measurable** — ITT participants whose baseline CT (the last CT/MRI on or before
  registration) passes :func:`~hipectrial.clinical.recist.check_baseline` with at least
  one target lesion.
* **dlt_evaluable** — Part A participants DLT-evaluable by
  :func:`hipectrial.clinical.course.dlt_evaluable` (the seed: received HIPEC and every
  induction cycle-1 agent of their cohort, ``given > 0``, and were followed to cycle 1 day
  21 — a record about them alive on or after that day —, or had a DLT,
  ``AdverseEvent.dlt``). Cycle starts are the first dose date of each (phase, cycle)
  (:func:`hipectrial.analysis.conduct.treatment_dates`).
* **cy1_baseline** — ITT participants with cytology CY1 at the day-0 laparoscopy.

Study parts come from the ``registration`` form's ``study_part`` (``part_a``/``part_b``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from hipectrial.analysis.conduct import treatment_dates
from hipectrial.analysis.facts import Facts
from hipectrial.analysis.response import ParticipantResponse
from hipectrial.analysis.results import ParticipantNote
from hipectrial.analysis.screening import EligibilityOutcome
from hipectrial.clinical.course import DltEvaluability, DltReason, dlt_evaluable
from hipectrial.data import Cytology
from hipectrial.protocol import Protocol
from hipectrial.protocol.endpoints import Population
from hipectrial.protocol.regimen import Anchor

RULES: Mapping[Population, str] = {
    Population.ITT: "registered and received HIPEC (the day-0 HIPEC paclitaxel dose given)",
    Population.SAFETY: "registered and given any study treatment",
    Population.PER_PROTOCOL: ("ITT, eligible when eligibility is recomputed from the screening forms, and "
                              "the day-0 HIPEC dose within the protocol's dose tolerance"),
    Population.OPERATED: "registered and had conversion surgery with HIPEC",
    Population.MEASURABLE: ("ITT with measurable disease at the baseline CT (at least one target lesion, a "
                            "baseline valid by RECIST 1.1)"),
    Population.DLT_EVALUABLE: ("Part A, received HIPEC and every induction cycle-1 agent and followed to the "
                               "end of the DLT window, or had a DLT"),
    Population.CY1_BASELINE: "ITT with CY1 (positive cytology) at the day-0 laparoscopy",
}
PART_A, PART_B = "part_a", "part_b"


@dataclass(frozen=True, slots=True)
class Populations:
    """Participant ids of each population (in participant order) and of each study part."""

    sets: Mapping[Population, tuple[str, ...]]
    rules: Mapping[Population, str]
    registered: tuple[str, ...]
    part_a: tuple[str, ...]
    part_b: tuple[str, ...]
    notes: tuple[ParticipantNote, ...]

    def __getitem__(self, population: Population) -> tuple[str, ...]:
        return self.sets[population]


@dataclass(frozen=True, slots=True)
class StudyGroup:
    """Registered participants of one study part at one dose level, or all of them.

    ``id`` is ``part_a-1``, ``part_b-2``… or ``all``; ``label`` is what a reader sees
    ("Part A, level 1 (75 mg/m2)"); ``participant_ids`` are in participant order.
    """

    id: str
    label: str
    part: str | None
    dose_level: str | None
    participant_ids: tuple[str, ...]


PART_LABELS: Mapping[str, str] = {PART_A: "Part A", PART_B: "Part B"}
ALL_GROUP = "all"


def study_groups(protocol: Protocol, populations: Populations,
                 facts: Mapping[str, Facts]) -> tuple[StudyGroup, ...]:
    """The registered participants by study part and dose level, then all of them.

    Groups come in protocol order (Part A then Part B; levels lowest first) and only when
    someone is in them; registered participants whose part or level is unknown are only in
    the last group, ``all`` (every registered participant).
    """
    df = protocol.dose_finding
    agent = df.explored_agents[0]
    groups: list[StudyGroup] = []
    for part, ids in ((PART_A, populations.part_a), (PART_B, populations.part_b)):
        for level in df.levels:
            members = tuple(pid for pid in ids if facts[pid].participant.dose_level == level.id)
            if not members:
                continue
            dose = level.doses.get(agent)
            amount = f" ({dose} {level.unit})" if dose is not None else ""
            groups.append(StudyGroup(f"{part}-{level.id}", f"{PART_LABELS[part]}, level {level.id}{amount}",
                                     part, level.id, members))
    groups.append(StudyGroup(ALL_GROUP, "All registered", None, None, populations.registered))
    return tuple(groups)


PENDING_WINDOW = "DLT window still open at the cut-off"


def dlt_status(protocol: Protocol, f: Facts, as_of: dt.date | None = None) -> tuple[DltEvaluability, str]:
    """Whether a Part A participant is DLT-evaluable
    (:func:`hipectrial.clinical.course.dlt_evaluable`, from their dose dates, DLTs and last
    date known alive), and why in words; with ``as_of`` (the cut-off), a participant whose
    window ends after it is not evaluable *yet* and the words begin with
    :data:`PENDING_WINDOW`."""
    end = protocol.dose_finding.dlt.window.end
    given = {d.agent for d in f.doses
             if d.phase == end.phase and d.cycle == end.cycle and d.given > 0}
    dates = treatment_dates(protocol, f)
    result = dlt_evaluable(protocol=protocol, cohort=f.participant.cohort, dates=dates,
                           agents_given=given, had_dlt=any(ae.dlt for ae in f.adverse_events),
                           known_alive=f.last_known_alive, as_of=as_of)
    return result, _dlt_words(protocol, result)


def _dlt_words(protocol: Protocol, result: DltEvaluability) -> str:
    end = protocol.dose_finding.dlt.window.end
    in_cycle = end.anchor is Anchor.CYCLE_START
    cycle = f"{end.phase} cycle {end.cycle}" if in_cycle else "treatment"
    end_day = f"cycle {end.cycle} day {end.day}" if in_cycle else result.window.end_day
    window_end = result.window.end.isoformat() if result.window.end is not None else "not yet known"
    return {
        DltReason.HAD_DLT: "had a DLT",
        DltReason.NO_HIPEC: "did not receive HIPEC",
        DltReason.CYCLE_NOT_STARTED: f"{cycle} not started",
        DltReason.CYCLE_INCOMPLETE: f"not every {end.phase} cycle-{end.cycle} agent given",
        DltReason.WINDOW_OPEN: f"{PENDING_WINDOW} (it ends on {end_day}, {window_end})",
        DltReason.NOT_FOLLOWED: f"not followed to {end_day} ({window_end}) without a DLT",
        DltReason.COMPLETED_WINDOW: f"received HIPEC and cycle {end.cycle}, followed to {end_day}"
        if in_cycle else f"received HIPEC, followed to {end_day}",
    }[result.reason]


def _hipec_within_tolerance(protocol: Protocol, f: Facts) -> bool:
    dose = f.hipec_dose
    if dose is None or dose.prescribed is None or dose.prescribed == 0:
        return False
    tolerance = Decimal(protocol.dose_calculation.dose_tolerance_percent)
    return abs(dose.given - dose.prescribed) * 100 <= tolerance * dose.prescribed


#: The rule shown for a population :func:`build_populations` was asked not to derive.
NOT_DERIVED = "not derived in this analysis"
#: Populations that need the recomputed eligibility or the RECIST evaluation.
NEEDS_SCREENING_OR_RECIST = frozenset({Population.PER_PROTOCOL, Population.MEASURABLE})


def build_populations(*, protocol: Protocol, facts: Mapping[str, Facts],
                      responses: Mapping[str, ParticipantResponse],
                      eligibility: Mapping[str, EligibilityOutcome],
                      as_of: dt.date | None = None,
                      skip: frozenset[Population] = frozenset()) -> Populations:
    """Every population by the rules of the module docstring, as of the cut-off ``as_of``.

    ``skip`` names populations not to derive (at most :data:`NEEDS_SCREENING_OR_RECIST`, the
    two that need every ITT participant's recomputed eligibility or RECIST evaluation): they
    are empty and their rule reads :data:`NOT_DERIVED`. The operating characteristics, which
    read a thousand trials and use neither, skip them.
    """
    if not skip <= NEEDS_SCREENING_OR_RECIST:
        raise ValueError(f"only {sorted(NEEDS_SCREENING_OR_RECIST)} can be skipped; got {sorted(skip)}")
    registered = [f for f in facts.values() if f.registration_date is not None]
    itt = [f.id for f in registered if f.received_hipec]
    notes: list[ParticipantNote] = []
    per_protocol = []
    for pid in itt if Population.PER_PROTOCOL not in skip else ():
        outcome = eligibility.get(pid)
        ok = outcome is None or outcome.status != "ineligible"
        if not ok and outcome is not None:
            notes.append(ParticipantNote(pid, "Per protocol: excluded, recomputed eligibility failed "
                                              + ", ".join(outcome.failed)))
        if not _hipec_within_tolerance(protocol, facts[pid]):
            ok = False
            notes.append(ParticipantNote(pid, "Per protocol: excluded, day-0 HIPEC dose outside the "
                                              "dose tolerance or without a prescribed dose"))
        if ok:
            per_protocol.append(pid)
    part_a = tuple(f.id for f in registered if f.study_part == PART_A)
    part_b = tuple(f.id for f in registered if f.study_part == PART_B)
    notes += [ParticipantNote(f.id, "registered without a study part on the registration form")
              for f in registered if f.study_part not in (PART_A, PART_B)]
    evaluable = []
    for pid in part_a:
        result, why = dlt_status(protocol, facts[pid], as_of)
        if result.evaluable:
            evaluable.append(pid)
        elif result.reason is not DltReason.WINDOW_OPEN:  # not evaluable yet is no data question
            notes.append(ParticipantNote(pid, f"DLT-evaluable: not evaluable, {why}"))
    sets = {
        Population.ITT: tuple(itt),
        Population.SAFETY: tuple(f.id for f in registered if f.treated),
        Population.PER_PROTOCOL: tuple(per_protocol),
        Population.OPERATED: tuple(f.id for f in registered if f.conversion_surgery is not None),
        Population.MEASURABLE: () if Population.MEASURABLE in skip else tuple(
            pid for pid in itt if pid in responses and responses[pid].measurable),
        Population.DLT_EVALUABLE: tuple(evaluable),
        Population.CY1_BASELINE: tuple(
            pid for pid in itt if (look := facts[pid].first_look) is not None
            and look.cytology is Cytology.CY1),
    }
    for pid in itt:
        if facts[pid].first_look is None:
            notes.append(ParticipantNote(pid, "CY1 at baseline: no day-0 laparoscopy assessment"))
    rules = {p: NOT_DERIVED if p in skip else rule for p, rule in RULES.items()}
    return Populations(sets, rules, tuple(f.id for f in registered), part_a, part_b, tuple(notes))
