"""Exposure to each agent: who was treated, cycles, reductions, delays, dose intensity.

Definitions (per agent, over the safety population). A *record* is one
``DoseAdministration`` of the agent; records are taken in date order.

* **treated** — at least one record with ``given > 0``.
* **cycles** — distinct (phase, cycle) pairs with ``given > 0``; for a HIPEC agent the
  number of sessions given.
* **starting dose** — the prescribed dose of the participant's first record of the agent
  that has one.
* **reduced** — ``given <= REDUCTION_FRACTION x reference`` (:func:`is_reduced`), with
  ``REDUCTION_FRACTION`` = 0.9. Why 10 %: doses are recalculated only when the weight has
  changed by >= 10 % (protocol-decisions.md "Dose calculation"), and a 10 % weight change
  moves a Mosteller BSA, which grows with the square root of the weight, by about 5 %
  (``sqrt(0.9)`` = 0.949, ``sqrt(1.1)`` = 1.049), plus at most 2.5 mg of rounding to the
  nearest 5 mg. The protocol's smallest step down a level is 15 % (oxaliplatin 100 → 85
  mg/m2; S-1 60 → 50 mg is 17 %; protocol-decisions.md "Dose levels"). A fall to 90 % or
  less therefore marks a change of level, not a recalculation. The rule cannot tell a level
  change from a dose rule that moves as far: an S-1 BSA band change (60 → 50 mg when the BSA
  falls below 1.50 m2), the renal S-1 rule (CrCl 30 to < 60 mL/min: one level lower), or a
  weight loss of 19 % or more (BSA −10 %) count as reductions too.
* **reduction event** (agents the protocol lets reduce, ``Agent.reducible``, only) — a
  record given (``> 0``) reduced relative to the dose given at the participant's previous
  record of the agent with ``given > 0`` — a new, lower level; each step down counts
  once, later doses at the same level do not. The first dose given is compared with the
  starting dose (a first cycle already given a level down is a step down). A partial dose
  (given well below prescribed) is a step down too, and the next full dose is not a step.
  A step of two levels at once (S-1 60 → 40 mg) is one event: events count steps, not levels.
  The protocol allows at most ``reduction.max_reductions`` (2 in the seed) per agent;
  participants with more events are listed (:attr:`AgentExposure.beyond_max_reductions`).
* **dose at a reduced level** (reducible agents only) — a record given (``> 0``) reduced
  relative to the starting dose.
* **delay** — a systemic record more than ``window_after`` of its per-cycle visit (3 days
  in the seed) after the previous record of the agent in the same phase plus the cycle length.
* **reduction without a reason** — a record given (``> 0``) reduced relative to its own
  prescribed dose, or a reduction event, whose ``change_reason`` is empty: a protocol
  deviation (:class:`ReductionWithoutReason`; :func:`reductions_without_reason`).

Planned dose and time on treatment. The *cycles started* are the records with a prescribed
dose or ``given > 0`` (a dose withheld, ``given = 0``, is a cycle started; a record with
neither — an agent no longer prescribed, e.g. the day it is discontinued — is not, and is
noted). The **planned dose of a cycle** is the starting dose for a reducible agent (a
reduction lowers the intensity), and the record's own prescribed dose for an agent the
protocol does not reduce (``reducible: false``: tislelizumab, trastuzumab with its 8 then
6 mg/kg, HIPEC paclitaxel), so that its loading dose is planned, not an excess.

* **relative total dose** — ``G / P``: total dose given ÷ total planned dose of the cycles
  started. Withheld doses lower it; delays do not.
* **relative dose intensity (RDI)** — dose intensity per unit time, actual ÷ planned:
  ``RDI = (G / T) / (P / S)`` where, summed over the phases of the agent's records (each
  with its ``cycle_length_days`` L),

  - ``T`` (time on treatment, days) = Σ (last record's date − first record's date + L):
    a phase lasts from its first cycle started to the end of its last cycle; the planned
    gaps between phases (surgery, re-evaluation) are not time on treatment;
  - ``S`` (planned time, days) = Σ (cycles started in the phase × L).

  For a constant planned dose D per cycle and one cycle length, ``P / S`` = D / L, the
  planned dose per cycle ÷ the cycle length; ``RDI = G / P x S / T`` = relative total dose ×
  the fraction of the time the cycles took that they were planned to take. Withheld doses
  lower ``G``; delays lengthen ``T``; both lower the RDI; a cycle given early (within the
  day-1 window) raises it above 1. Doses are in mg as recorded, so a dose recalculated for a
  >= 10 % weight change moves the RDI by about 5 %.

  Worked example: oxaliplatin, starting dose 200 mg, 21-day cycles; C1 on day 0, C2 on day
  28 (a week late), C3 on day 49, 200 mg each. T = 49 − 0 + 21 = 70 days, S = 3 × 21 = 63
  days; actual 600 mg / 70 days = 60 mg/week, planned 200 mg / 21 days = 66.7 mg/week;
  RDI = 60 / 66.7 = 0.90 (= 63 / 70); relative total dose 600 / 600 = 1.00. Had C3 been
  withheld (given 0): RDI = (400 / 70) / (200 / 21) = 0.60, relative total dose 0.67.

  HIPEC is given in sessions (day 0, conversion surgery), not in cycles with a length:
  there is no time axis, so the RDI does not apply (``None``, with the reason in
  :attr:`AgentExposure.dose_intensity_not_applicable`); its relative total dose does.

References: protocol-decisions.md "Dose calculation", "Dose levels", "Treatment flow and
timing"; docs/trialdata-conventions.md "Treatment".
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from hipectrial.analysis.facts import Facts
from hipectrial.analysis.results import ContinuousSummary, ParticipantNote, summarise
from hipectrial.data import DoseAdministration
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import Agent

# A dose at or below 90 % of its reference is reduced: the protocol's 10 % weight rule moves
# a BSA dose by about 5 %, its smallest level step is 15 % (module docstring).
REDUCTION_FRACTION = Decimal("0.9")
# The same rule in words: "at most 90 % of" / "reduced by 10 % or more".
REDUCED_AT_PERCENT = int(REDUCTION_FRACTION * 100)
REDUCED_BY_PERCENT = 100 - REDUCED_AT_PERCENT

HIPEC_NOT_APPLICABLE = ("not applicable: HIPEC is given in sessions (day 0 and conversion surgery), "
                        "not in cycles with a length, so there is no time axis")


def is_reduced(*, given: Decimal, reference: Decimal) -> bool:
    """Whether a dose given (> 0) is reduced: ``0 < given <= REDUCTION_FRACTION x reference``.

    >>> is_reduced(given=Decimal("180"), reference=Decimal("200"))     # 90 %: reduced
    True
    >>> is_reduced(given=Decimal("180.2"), reference=Decimal("200"))   # 90.1 %: not
    False
    >>> is_reduced(given=Decimal("0"), reference=Decimal("200"))       # withheld, not reduced
    False
    """
    return 0 < given <= REDUCTION_FRACTION * reference


class ReducedDoseKind(StrEnum):
    """Why a dose given counts as reduced."""

    BELOW_PRESCRIBED = "below_prescribed"   # given <= 90 % of its own prescribed dose
    NEW_LOWER_LEVEL = "new_lower_level"     # a reduction event: <= 90 % of the previous dose given

    @property
    def label(self) -> str:
        at = REDUCED_AT_PERCENT
        return {ReducedDoseKind.BELOW_PRESCRIBED: f"given ≤ {at} % of the dose prescribed",
                ReducedDoseKind.NEW_LOWER_LEVEL: f"new lower level (≤ {at} % of the previous dose given)",
                }[self]


@dataclass(frozen=True, slots=True)
class ReductionWithoutReason:
    """A dose reduced by >= 10 % with no ``change_reason`` recorded: a protocol deviation.

    ``previous_given`` is the dose given at the previous record with ``given > 0`` (``None``
    for the first dose given, which is compared with the starting dose). Amounts in ``unit``.
    """

    participant_id: str
    agent: str
    date: dt.date
    phase: str | None
    cycle: int | None
    prescribed: Decimal | None
    given: Decimal
    previous_given: Decimal | None
    unit: str
    kinds: tuple[ReducedDoseKind, ...]


@dataclass(frozen=True, slots=True)
class ParticipantExposure:
    """One participant's exposure to one agent (amounts in mg as recorded, times in days).

    ``None`` where a value cannot be computed (the reason is in the agent's ``notes``), and
    for HIPEC the time-based values.
    """

    participant_id: str
    cycles: int
    starting_dose: Decimal | None
    reduction_events: int
    doses_at_reduced_level: int
    delays: int
    cycles_started: int
    given_total: Decimal
    planned_total: Decimal | None
    days_on_treatment: int | None
    planned_days: int | None
    relative_total_dose: float | None
    actual_dose_per_week: float | None
    planned_dose_per_week: float | None
    relative_dose_intensity: float | None


@dataclass(frozen=True, slots=True)
class AgentExposure:
    """Exposure to one agent over the safety population (definitions: module docstring)."""

    agent: str
    reducible: bool
    treated: int
    cycles: ContinuousSummary
    participants_with_reduction: int
    reduction_events: int
    participants_with_dose_at_reduced_level: int
    doses_at_reduced_level: int
    max_reductions: int | None
    beyond_max_reductions: tuple[str, ...]
    participants_with_delay: int
    delays: int
    relative_dose_intensity: ContinuousSummary | None
    dose_intensity_not_applicable: str | None
    relative_total_dose: ContinuousSummary
    reductions_without_reason: tuple[ReductionWithoutReason, ...]
    participants: tuple[ParticipantExposure, ...]
    notes: tuple[ParticipantNote, ...]


def _cycle_window(protocol: Protocol, phase_id: str) -> int:
    for v in protocol.visits:
        if v.repeat is not None and v.repeat.per_cycle == phase_id:
            return v.timing.window_after
    return 0


@dataclass(slots=True)
class _Reductions:
    events: int = 0
    at_reduced_level: int = 0
    unexplained: list[ReductionWithoutReason] = field(default_factory=list)


def _reductions(f: Facts, agent: Agent, records: Sequence[DoseAdministration],
                start: Decimal | None) -> _Reductions:
    out = _Reductions()
    previous: Decimal | None = None
    for d in records:
        if d.given <= 0:
            continue
        kinds: list[ReducedDoseKind] = []
        if d.prescribed is not None and is_reduced(given=d.given, reference=d.prescribed):
            kinds.append(ReducedDoseKind.BELOW_PRESCRIBED)
        if agent.reducible:
            level = previous if previous is not None else start
            if level is not None and is_reduced(given=d.given, reference=level):
                out.events += 1
                kinds.append(ReducedDoseKind.NEW_LOWER_LEVEL)
            if start is not None and is_reduced(given=d.given, reference=start):
                out.at_reduced_level += 1
        if kinds and not (d.change_reason or "").strip():
            out.unexplained.append(ReductionWithoutReason(
                f.id, agent.id, d.date, d.phase, d.cycle, d.prescribed, d.given, previous, d.unit,
                tuple(kinds)))
        previous = d.given
    return out


def _time_on_treatment(protocol: Protocol, f: Facts, agent_id: str, started: Sequence[DoseAdministration],
                       notes: list[ParticipantNote]) -> tuple[int, int] | None:
    """(days on treatment, planned days) over the phases of the cycles started."""
    dates: dict[str, list[dt.date]] = defaultdict(list)
    for d in started:
        if d.phase is None:
            name = protocol.agent(agent_id).name
            notes.append(ParticipantNote(f.id, f"{name}: a record on {d.date} has no phase; relative dose "
                                               "intensity not computed"))
            return None
        dates[d.phase].append(d.date)
    known = {p.id: p.cycle_length_days for p in protocol.phases}
    unknown = sorted(set(dates) - set(known))
    if unknown:
        name = protocol.agent(agent_id).name
        notes.append(ParticipantNote(f.id, f"{name}: phase {', '.join(unknown)} not in the protocol; "
                                           "relative dose intensity not computed"))
        return None
    days = sum((max(ds) - min(ds)).days + known[p] for p, ds in dates.items())
    planned = sum(len(ds) * known[p] for p, ds in dates.items())
    return days, planned


def _delays(protocol: Protocol, records: Sequence[DoseAdministration]) -> int:
    delays = 0
    for phase in {d.phase for d in records if d.phase is not None}:
        if phase not in {p.id for p in protocol.phases}:
            continue
        length = protocol.phase(phase).cycle_length_days
        window = _cycle_window(protocol, phase)
        days = sorted(d.date for d in records if d.phase == phase)
        delays += sum(1 for a, b in itertools.pairwise(days) if (b - a).days > length + window)
    return delays


def _participant(protocol: Protocol, f: Facts, agent: Agent, notes: list[ParticipantNote],
                 ) -> tuple[ParticipantExposure, list[ReductionWithoutReason]] | None:
    records = sorted((d for d in f.doses if d.agent == agent.id), key=lambda d: (d.date, d.cycle or 0))
    if not any(d.given > 0 for d in records):
        return None
    hipec = agent.id in protocol.hipec.agents
    cycles = (sum(1 for d in records if d.given > 0) if hipec
              else len({(d.phase, d.cycle) for d in records if d.given > 0}))
    start = next((d.prescribed for d in records if d.prescribed is not None), None)
    red = _reductions(f, agent, records, start)

    started = [d for d in records if d.prescribed is not None or d.given > 0]
    if len(started) < len(records):
        empty = len(records) - len(started)
        notes.append(ParticipantNote(f.id, f"{agent.name}: {empty} record{'' if empty == 1 else 's'} with "
                                           "neither a prescribed nor a given dose (agent not prescribed) "
                                           "not counted as cycles started"))
    given = sum((d.given for d in records), Decimal(0))
    planned: Decimal | None
    if agent.reducible:
        planned = start * len(started) if start is not None else None
        if start is None:
            notes.append(ParticipantNote(f.id, f"{agent.name}: no prescribed dose recorded, no starting "
                                               "dose; relative dose not computed"))
    elif any(d.prescribed is None for d in started):
        planned = None
        notes.append(ParticipantNote(f.id, f"{agent.name}: a dose given without a prescribed dose; "
                                           "relative dose not computed"))
    else:
        planned = sum((d.prescribed for d in started if d.prescribed is not None), Decimal(0))
    rtd = float(given / planned) if planned else None

    times = None if hipec else _time_on_treatment(protocol, f, agent.id, started, notes)
    days, planned_days = times if times is not None else (None, None)
    actual_week = planned_week = rdi = None
    if days and planned_days and planned:
        actual_week = float(given) / days * 7
        planned_week = float(planned) / planned_days * 7
        rdi = actual_week / planned_week
    row = ParticipantExposure(
        f.id, cycles, start, red.events, red.at_reduced_level, 0 if hipec else _delays(protocol, records),
        len(started), given, planned, days, planned_days, rtd, actual_week, planned_week, rdi)
    return row, red.unexplained


def exposure(protocol: Protocol, safety: Sequence[str],
             facts: Mapping[str, Facts]) -> tuple[AgentExposure, ...]:
    """One :class:`AgentExposure` per agent of the protocol, in protocol order.

    Parameters
    ----------
    protocol
        The protocol: agents (``reducible``, ``reduction.max_reductions``), phases (cycle
        lengths) and per-cycle visits (the delay window).
    safety
        The safety population's participant ids, in the order rows are listed.
    facts
        Every participant's facts (:func:`~hipectrial.analysis.facts.collect_facts`).
    """
    out = []
    for agent in protocol.agents:
        notes: list[ParticipantNote] = []
        rows: list[ParticipantExposure] = []
        unexplained: list[ReductionWithoutReason] = []
        for pid in safety:
            found = _participant(protocol, facts[pid], agent, notes)
            if found is not None:
                rows.append(found[0])
                unexplained += found[1]
        limit = agent.reduction.max_reductions if agent.reduction is not None else None
        hipec = agent.id in protocol.hipec.agents
        out.append(AgentExposure(
            agent=agent.id, reducible=agent.reducible, treated=len(rows),
            cycles=summarise([r.cycles for r in rows]),
            participants_with_reduction=sum(1 for r in rows if r.reduction_events),
            reduction_events=sum(r.reduction_events for r in rows),
            participants_with_dose_at_reduced_level=sum(1 for r in rows if r.doses_at_reduced_level),
            doses_at_reduced_level=sum(r.doses_at_reduced_level for r in rows),
            max_reductions=limit,
            beyond_max_reductions=tuple(r.participant_id for r in rows
                                        if limit is not None and r.reduction_events > limit),
            participants_with_delay=sum(1 for r in rows if r.delays), delays=sum(r.delays for r in rows),
            relative_dose_intensity=None if hipec else summarise(
                [r.relative_dose_intensity for r in rows if r.relative_dose_intensity is not None]),
            dose_intensity_not_applicable=HIPEC_NOT_APPLICABLE if hipec else None,
            relative_total_dose=summarise(
                [r.relative_total_dose for r in rows if r.relative_total_dose is not None]),
            reductions_without_reason=tuple(unexplained), participants=tuple(rows), notes=tuple(notes)))
    return tuple(out)


def reductions_without_reason(agents: Sequence[AgentExposure]) -> tuple[ReductionWithoutReason, ...]:
    """Every dose reduced by >= 10 % with no reason recorded, by participant, date and agent
    (agents in protocol order): the rows of the deviations listing."""
    order = {a.agent: i for i, a in enumerate(agents)}
    rows = [r for a in agents for r in a.reductions_without_reason]
    return tuple(sorted(rows, key=lambda r: (r.participant_id, r.date, order[r.agent])))
