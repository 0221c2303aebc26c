"""Safety: adverse events by CTCAE term and worst grade, by study group and by agent; SAEs,
irAEs and DLTs described; DLT rates by dose level.

Rules (clinical.md §6 "Safety", protocol-decisions.md §DLT):

* Every adverse event of a safety-population participant counts (onset on or before the
  cut-off). A participant is counted once per term, at the worst grade of that term.
* **Treatment-related** = at least possibly related (possible, probable, definite) to any
  agent (:attr:`~hipectrial.data.AdverseEvent.related_agents`).
* **Fatal** = grade 5, or outcome ``fatal`` (CTCAE v5.0: grade 5 is death related to the
  event; the conventions write outcome ``fatal`` with grade 5, and a record that has one
  without the other is listed).
* Summary categories: any AE; grade >= 3; treatment-related; grade >= 3 treatment-related;
  serious; immune-related; leading to discontinuation; fatal (grade 5). By study group
  (:func:`~hipectrial.analysis.populations.study_groups`) the denominator is the group's
  safety-population participants.
* **Attribution by agent**: for each term and each agent of the protocol (protocol order),
  participants with an event of the term at least possibly related to that agent, any grade
  and grade >= 3 (worst grade of the related events). Terms with no related event are left
  out; an attribution to an agent the protocol does not have is listed.
* **SAEs by term**: participants and events with ``serious`` set, and their worst grade.
  **irAEs by term**: participants by worst grade among ``immune_related`` events.
* **DLTs described**: every event with the investigator's ``dlt`` flag, with its day
  counted from the day-0 HIPEC (day 0), in dose-level (protocol) then participant order.
* **DLT rate** per dose level: DLT-evaluable Part A participants at the level (their
  registered ``dose_level``) with an investigator-flagged DLT (``AdverseEvent.dlt``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from hipectrial.analysis.facts import Facts
from hipectrial.analysis.populations import StudyGroup
from hipectrial.analysis.results import (
    AdverseEventValue,
    AeCount,
    AeTermRow,
    DltLevel,
    DltValue,
    ParticipantNote,
    binary_value,
)
from hipectrial.clinical.safety_event import fatal_event
from hipectrial.data import AdverseEvent, AeOutcome, Attribution
from hipectrial.protocol import Protocol

_Rule = Callable[[AdverseEvent], bool]


# Attribution.related decides; the set only makes the test cheap for thousands of events.
_RELATED = frozenset(a for a in Attribution if a.related)


def related(ae: AdverseEvent) -> bool:
    """At least possibly related to any agent (:attr:`~hipectrial.data.Attribution.related`)."""
    return any(a in _RELATED for a in ae.attribution.values())


def fatal(ae: AdverseEvent) -> bool:
    """Grade 5 or outcome fatal (:func:`hipectrial.clinical.safety_event.fatal_event`)."""
    return fatal_event(ae)


# The categories' names are what a reader sees (the report shows them as they are).
SEVERE_RELATED = "Grade ≥ 3 treatment-related"
CATEGORIES: tuple[tuple[str, _Rule], ...] = (
    ("Any adverse event", lambda ae: True),
    ("Grade ≥ 3", lambda ae: ae.grade >= 3),
    ("Treatment-related", related),
    (SEVERE_RELATED, lambda ae: ae.grade >= 3 and related(ae)),
    ("Serious", lambda ae: ae.serious),
    ("Immune-related", lambda ae: ae.immune_related),
    ("Leading to discontinuation", lambda ae: ae.led_to_discontinuation),
    ("Fatal (grade 5)", fatal),
)


def _grades(worst: Mapping[str, int]) -> tuple[int, int, int, int, int]:
    counts = [sum(1 for g in worst.values() if g == grade) for grade in range(1, 6)]
    return counts[0], counts[1], counts[2], counts[3], counts[4]


def _summary(ids: Sequence[str], events: Sequence[AdverseEvent]) -> tuple[AeCount, ...]:
    summary = []
    for name, rule in CATEGORIES:
        chosen = [ae for ae in events if rule(ae)]
        who = {ae.participant_id for ae in chosen}
        summary.append(AeCount(name, len(who), len(chosen), tuple(p for p in ids if p in who)))
    return tuple(summary)


def _term_rows(ids: Sequence[str], events: Sequence[AdverseEvent]) -> tuple[AeTermRow, ...]:
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
            participants=tuple((p, worst[p]) for p in ids if p in worst)))
    rows.sort(key=lambda r: (-r.any_grade, r.term.casefold()))
    return tuple(rows)


def _events(safety: Sequence[str], facts: Mapping[str, Facts]) -> list[AdverseEvent]:
    return [ae for pid in safety for ae in facts[pid].adverse_events]


def ae_terms(*, safety: Sequence[str], facts: Mapping[str, Facts],
             rule: _Rule | None = None) -> tuple[AeTermRow, ...]:
    """Participants by CTCAE term and worst grade (all grades, 1-5), most frequent term first
    (then alphabetical); only the events ``rule`` accepts when given (e.g. immune-related)."""
    events = _events(safety, facts)
    return _term_rows(safety, [ae for ae in events if rule(ae)] if rule is not None else events)


def adverse_event_value(safety: Sequence[str], facts: Mapping[str, Facts]) -> AdverseEventValue:
    events = _events(safety, facts)
    return AdverseEventValue("safety", len(safety), _summary(safety, events), _term_rows(safety, events))


def dlt_value(protocol: Protocol, part_a: Sequence[str], evaluable: Sequence[str],
              facts: Mapping[str, Facts], conf_level: float) -> DltValue:
    """DLT rate by dose level among DLT-evaluable Part A participants."""
    chosen = set(evaluable)
    agent = protocol.dose_finding.explored_agents[0]
    levels, notes = [], []
    for level in protocol.dose_finding.levels:
        ids = [pid for pid in part_a if pid in chosen and facts[pid].participant.dose_level == level.id]
        dlts = [pid for pid in ids if any(ae.dlt for ae in facts[pid].adverse_events)]
        reasons = {pid: "; ".join(f"DLT: {ae.term} grade {ae.grade} on {ae.onset_date.isoformat()}"
                                  for ae in facts[pid].adverse_events if ae.dlt) or "no DLT"
                   for pid in ids}
        dose = level.doses.get(agent)
        levels.append(DltLevel(level.id, f"{dose} {level.unit}" if dose is not None else "",
                               binary_value(population=f"dlt_evaluable, level {level.id}", numerator=dlts,
                                            denominator=ids, conf_level=conf_level, reasons=reasons)))
    known = {level.id for level in protocol.dose_finding.levels}
    for pid in part_a:
        if facts[pid].participant.dose_level not in known:
            notes.append(ParticipantNote(pid, f"Part A dose level {facts[pid].participant.dose_level!r} "
                                              "is not a level of the protocol"))
    return DltValue("dlt_evaluable", tuple(levels), tuple(notes))


@dataclass(frozen=True, slots=True)
class GroupAeSummary:
    """The summary categories in one study group; ``n`` its safety-population participants."""

    group_id: str
    label: str
    n: int
    participant_ids: tuple[str, ...]
    summary: tuple[AeCount, ...]


@dataclass(frozen=True, slots=True)
class AgentAttribution:
    """Participants with an event of one term at least possibly related to ``agent``."""

    agent: str
    any_grade: int
    grade_3_plus: int
    any_grade_ids: tuple[str, ...]
    grade_3_plus_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AttributionRow:
    """One term: attribution to each protocol agent (protocol order); ``related_any_grade``
    counts participants with the term related to any of them."""

    term: str
    related_any_grade: int
    by_agent: tuple[AgentAttribution, ...]


@dataclass(frozen=True, slots=True)
class SaeTermRow:
    """Serious events of one term: participants, events and the worst grade among them."""

    term: str
    participants: int
    events: int
    worst_grade: int
    participant_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DltRow:
    """A DLT as the listing shows it; ``day`` counts from the day-0 HIPEC (day 0), ``None``
    when HIPEC was not given."""

    participant_id: str
    study_part: str | None
    dose_level: str | None
    term: str
    grade: int
    onset_date: dt.date
    day: int | None
    serious: bool


@dataclass(frozen=True, slots=True)
class SafetyTables:
    """The safety tables of the DSMB report over the safety population (rules: module docstring)."""

    population: str
    n: int
    agents: tuple[str, ...]
    by_group: tuple[GroupAeSummary, ...]
    by_term: tuple[AeTermRow, ...]
    attribution: tuple[AttributionRow, ...]
    sae_by_term: tuple[SaeTermRow, ...]
    irae_by_term: tuple[AeTermRow, ...]
    dlts: tuple[DltRow, ...]
    notes: tuple[ParticipantNote, ...]


def ae_summary_by_group(*, groups: Sequence[StudyGroup], safety: Sequence[str],
                        facts: Mapping[str, Facts]) -> tuple[GroupAeSummary, ...]:
    """The summary categories per study group over the group's safety-population participants."""
    chosen = set(safety)
    result = []
    for g in groups:
        ids = tuple(pid for pid in g.participant_ids if pid in chosen)
        result.append(GroupAeSummary(g.id, g.label, len(ids), ids, _summary(ids, _events(ids, facts))))
    return tuple(result)


def attribution_by_agent(*, agents: Sequence[str], safety: Sequence[str],
                         facts: Mapping[str, Facts]) -> tuple[AttributionRow, ...]:
    """Per term and agent, participants with a related event of the term (any grade, grade >= 3);
    the term most often related to any agent first, then alphabetical."""
    # (term, agent) -> participant -> worst grade of the events related to the agent
    worst: dict[tuple[str, str], dict[str, int]] = {}
    for ae in _events(safety, facts):
        for agent, attribution in ae.attribution.items():
            if attribution in _RELATED and agent in agents:
                by = worst.setdefault((ae.term, agent), {})
                by[ae.participant_id] = max(by.get(ae.participant_id, 0), ae.grade)
    rows = []
    for term in sorted({t for t, _ in worst}, key=str.casefold):
        cells, anyone = [], set()
        for agent in agents:
            by = worst.get((term, agent), {})
            anyone |= set(by)
            ids = tuple(p for p in safety if p in by)
            severe = tuple(p for p in ids if by[p] >= 3)
            cells.append(AgentAttribution(agent, len(ids), len(severe), ids, severe))
        rows.append(AttributionRow(term, len(anyone), tuple(cells)))
    rows.sort(key=lambda r: (-r.related_any_grade, r.term.casefold()))
    return tuple(rows)


def sae_by_term(*, safety: Sequence[str], facts: Mapping[str, Facts]) -> tuple[SaeTermRow, ...]:
    """Serious events by term, most participants first (then alphabetical)."""
    events = [ae for ae in _events(safety, facts) if ae.serious]
    rows = []
    for term in sorted({ae.term for ae in events}, key=str.casefold):
        mine = [ae for ae in events if ae.term == term]
        who = {ae.participant_id for ae in mine}
        rows.append(SaeTermRow(term, len(who), len(mine), max(ae.grade for ae in mine),
                               tuple(p for p in safety if p in who)))
    rows.sort(key=lambda r: (-r.participants, r.term.casefold()))
    return tuple(rows)


def dlt_listing(*, protocol: Protocol, safety: Sequence[str],
                facts: Mapping[str, Facts]) -> tuple[DltRow, ...]:
    """Every investigator-flagged DLT of the safety population, by dose level (protocol order,
    unknown levels last), participant and onset."""
    order = {lv.id: k for k, lv in enumerate(protocol.dose_finding.levels)}
    rows = []
    for k, pid in enumerate(safety):
        f = facts[pid]
        level = f.participant.dose_level
        for ae in sorted(f.adverse_events, key=lambda a: a.onset_date):
            if ae.dlt:
                day = (ae.onset_date - f.hipec_date).days if f.hipec_date is not None else None
                row = DltRow(pid, f.study_part, level, ae.term, ae.grade, ae.onset_date, day, ae.serious)
                rows.append(((order.get(level or "", len(order)), k, ae.onset_date), row))
    rows.sort(key=lambda r: r[0])
    return tuple(row for _, row in rows)


def _notes(agents: Sequence[str], safety: Sequence[str], facts: Mapping[str, Facts]) -> list[ParticipantNote]:
    notes = []
    for ae in _events(safety, facts):
        where = f"{ae.term} (onset {ae.onset_date.isoformat()})"
        if ae.outcome is AeOutcome.FATAL and ae.grade != 5:
            notes.append(ParticipantNote(ae.participant_id, f"{where}: outcome fatal at grade {ae.grade}; "
                                                            "counted as fatal"))
        for agent in sorted(set(ae.attribution) - set(agents)):
            notes.append(ParticipantNote(ae.participant_id, f"{where}: attributed to {agent!r}, not an "
                                                            "agent of the protocol"))
    return notes


def safety_tables(*, protocol: Protocol, groups: Sequence[StudyGroup], safety: Sequence[str],
                  facts: Mapping[str, Facts]) -> SafetyTables:
    """The DSMB report's safety tables over the safety population ``safety``.

    Parameters
    ----------
    protocol
        Gives the agents (attribution columns) and the dose levels (DLT order).
    groups
        Study groups (:func:`~hipectrial.analysis.populations.study_groups`).
    safety
        The safety population's participant ids, in participant order.
    facts
        Every participant's facts as of the cut-off.
    """
    agents = tuple(a.id for a in protocol.agents)
    return SafetyTables(
        population="safety", n=len(safety), agents=agents,
        by_group=ae_summary_by_group(groups=groups, safety=safety, facts=facts),
        by_term=ae_terms(safety=safety, facts=facts),
        attribution=attribution_by_agent(agents=agents, safety=safety, facts=facts),
        sae_by_term=sae_by_term(safety=safety, facts=facts),
        irae_by_term=ae_terms(safety=safety, facts=facts, rule=lambda ae: ae.immune_related),
        dlts=dlt_listing(protocol=protocol, safety=safety, facts=facts),
        notes=tuple(_notes(agents, safety, facts)))
