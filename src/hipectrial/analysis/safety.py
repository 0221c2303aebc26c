"""Safety: adverse events by CTCAE term and worst grade, and DLTs by dose level.

Rules (clinical.md §6 "Safety", protocol-decisions.md §DLT):

* Every adverse event of a safety-population participant counts (onset on or before the
  cut-off). A participant is counted once per term, at the worst grade of that term.
* **Treatment-related** = at least possibly related (possible, probable, definite) to any
  agent (:attr:`~hipectrial.data.AdverseEvent.related_agents`).
* Summary categories: any AE; grade >= 3; treatment-related; grade >= 3 treatment-related;
  serious; immune-related; leading to discontinuation; fatal (grade 5).
* **DLT rate** per dose level: DLT-evaluable Part A participants at the level (their
  registered ``dose_level``) with an investigator-flagged DLT (``AdverseEvent.dlt``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from hipectrial.analysis.facts import Facts
from hipectrial.analysis.results import (
    AdverseEventValue,
    AeCount,
    AeTermRow,
    DltLevel,
    DltValue,
    ParticipantNote,
    binary_value,
)
from hipectrial.data import AdverseEvent
from hipectrial.protocol import Protocol

_Rule = Callable[[AdverseEvent], bool]


def related(ae: AdverseEvent) -> bool:
    """At least possibly related to any agent."""
    return bool(ae.related_agents)


CATEGORIES: tuple[tuple[str, _Rule], ...] = (
    ("any adverse event", lambda ae: True),
    ("grade >= 3", lambda ae: ae.grade >= 3),
    ("treatment-related", related),
    ("grade >= 3 treatment-related", lambda ae: ae.grade >= 3 and related(ae)),
    ("serious", lambda ae: ae.serious),
    ("immune-related", lambda ae: ae.immune_related),
    ("leading to discontinuation", lambda ae: ae.led_to_discontinuation),
    ("fatal (grade 5)", lambda ae: ae.grade == 5),
)


def _grades(worst: Mapping[str, int]) -> tuple[int, int, int, int, int]:
    counts = [sum(1 for g in worst.values() if g == grade) for grade in range(1, 6)]
    return counts[0], counts[1], counts[2], counts[3], counts[4]


def adverse_event_value(safety: Sequence[str], facts: Mapping[str, Facts]) -> AdverseEventValue:
    events = [ae for pid in safety for ae in facts[pid].adverse_events]
    summary = []
    for name, rule in CATEGORIES:
        chosen = [ae for ae in events if rule(ae)]
        who = {ae.participant_id for ae in chosen}
        summary.append(AeCount(name, len(who), len(chosen), tuple(p for p in safety if p in who)))
    rows = []
    for term in sorted({ae.term for ae in events}, key=str.casefold):
        worst: dict[str, int] = {}
        worst_related: dict[str, int] = {}
        for ae in events:
            if ae.term != term:
                continue
            worst[ae.participant_id] = max(worst.get(ae.participant_id, 0), ae.grade)
            if related(ae):
                worst_related[ae.participant_id] = max(worst_related.get(ae.participant_id, 0), ae.grade)
        rows.append(AeTermRow(
            term=term, any_grade=len(worst), worst_grade=_grades(worst),
            grade_3_plus=sum(g >= 3 for g in worst.values()),
            related_any_grade=len(worst_related), related_worst_grade=_grades(worst_related),
            related_grade_3_plus=sum(g >= 3 for g in worst_related.values()),
            participants=tuple((p, worst[p]) for p in safety if p in worst)))
    rows.sort(key=lambda r: (-r.any_grade, r.term.casefold()))
    return AdverseEventValue("safety", len(safety), tuple(summary), tuple(rows))


def dlt_value(protocol: Protocol, part_a: Sequence[str], evaluable: Sequence[str],
              facts: Mapping[str, Facts], conf_level: float) -> DltValue:
    """DLT rate by dose level among DLT-evaluable Part A participants."""
    chosen = set(evaluable)
    agent = protocol.dose_finding.explored_agents[0]
    levels, notes = [], []
    for level in protocol.dose_finding.levels:
        ids = [pid for pid in part_a if pid in chosen and facts[pid].participant.dose_level == level.id]
        dlts = [pid for pid in ids if any(ae.dlt for ae in facts[pid].adverse_events)]
        dose = level.doses.get(agent)
        levels.append(DltLevel(level.id, f"{dose} {level.unit}" if dose is not None else "",
                               binary_value(population=f"dlt_evaluable, level {level.id}", numerator=dlts,
                                            denominator=ids, conf_level=conf_level)))
    known = {level.id for level in protocol.dose_finding.levels}
    for pid in part_a:
        if facts[pid].participant.dose_level not in known:
            notes.append(ParticipantNote(pid, f"Part A dose level {facts[pid].participant.dose_level!r} "
                                              "is not a level of the protocol"))
    return DltValue("dlt_evaluable", tuple(levels), tuple(notes))
