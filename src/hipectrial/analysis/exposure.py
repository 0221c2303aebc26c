"""Exposure to each agent: who was treated, cycles, reductions, delays, dose intensity.

Definitions (per agent, over the safety population):

* **treated** — at least one administration with ``given > 0``.
* **cycles** — distinct (phase, cycle) pairs with ``given > 0``; for a HIPEC agent the
  number of sessions given.
* **reference dose** — the prescribed dose of the participant's first administration of the
  agent (the starting dose) for a reducible agent; for an agent the protocol does not reduce
  (``reducible: false``: tislelizumab, trastuzumab with its loading dose, HIPEC paclitaxel)
  each administration's own prescribed dose.
* **dose reduction** — an administration with ``0 < given <= 0.9 x reference`` (more than
  the ~5 % a BSA change below the protocol's 10 % weight rule can move a dose).
* **delay** — a systemic administration more than ``window_after`` of its per-cycle visit
  (3 days in the seed) after the previous one of the agent in the same phase plus the cycle
  length.
* **relative dose intensity (RDI)** — total dose given ÷ total reference dose over every
  administration record of the agent (withheld doses, ``given = 0``, included in the
  denominator), i.e. dose delivered relative to the dose planned at the starting dose for the
  cycles started; records without a prescribed dose are left out of both sums and listed.
  It is not divided by time.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from hipectrial.analysis.facts import Facts
from hipectrial.analysis.results import ContinuousSummary, ParticipantNote, summarise
from hipectrial.protocol import Protocol

REDUCTION_FRACTION = Decimal("0.9")


@dataclass(frozen=True, slots=True)
class ParticipantExposure:
    participant_id: str
    cycles: int
    reductions: int
    delays: int
    given_mg: float
    reference_mg: float
    rdi: float | None


@dataclass(frozen=True, slots=True)
class AgentExposure:
    agent: str
    treated: int
    cycles: ContinuousSummary
    participants_with_reduction: int
    reductions: int
    participants_with_delay: int
    delays: int
    rdi: ContinuousSummary
    participants: tuple[ParticipantExposure, ...]
    notes: tuple[ParticipantNote, ...]


def _cycle_window(protocol: Protocol, phase_id: str) -> int:
    for v in protocol.visits:
        if v.repeat is not None and v.repeat.per_cycle == phase_id:
            return v.timing.window_after
    return 0


def _participant(protocol: Protocol, f: Facts, agent_id: str, reducible: bool,
                 notes: list[ParticipantNote]) -> ParticipantExposure | None:
    doses = sorted((d for d in f.doses if d.agent == agent_id), key=lambda d: d.date)
    if not any(d.given > 0 for d in doses):
        return None
    hipec = agent_id in protocol.hipec.agents
    cycles = (sum(1 for d in doses if d.given > 0) if hipec
              else len({(d.phase, d.cycle) for d in doses if d.given > 0}))
    with_dose = [d for d in doses if d.prescribed is not None]
    if len(with_dose) < len(doses):
        notes.append(ParticipantNote(f.id, f"{agent_id}: {len(doses) - len(with_dose)} administration(s) "
                                           "without a prescribed dose left out of the RDI"))
    start = with_dose[0].prescribed if with_dose else None
    given = reference = Decimal(0)
    reductions = 0
    for d in with_dose:
        prescribed = d.prescribed if d.prescribed is not None else Decimal(0)
        ref = start if reducible and start is not None else prescribed
        given += d.given
        reference += ref
        if reducible and 0 < d.given <= REDUCTION_FRACTION * ref:
            reductions += 1
    delays = 0
    if not hipec:
        for phase in {d.phase for d in doses if d.phase is not None}:
            length = protocol.phase(phase).cycle_length_days
            window = _cycle_window(protocol, phase)
            days = sorted(d.date for d in doses if d.phase == phase)
            delays += sum(1 for a, b in itertools.pairwise(days) if (b - a).days > length + window)
    rdi = float(given / reference) if reference > 0 else None
    return ParticipantExposure(f.id, cycles, reductions, delays, float(given), float(reference), rdi)


def exposure(protocol: Protocol, safety: Sequence[str],
             facts: Mapping[str, Facts]) -> tuple[AgentExposure, ...]:
    """One :class:`AgentExposure` per agent of the protocol, in protocol order."""
    out = []
    for agent in protocol.agents:
        notes: list[ParticipantNote] = []
        rows = [row for pid in safety
                if (row := _participant(protocol, facts[pid], agent.id, agent.reducible, notes)) is not None]
        out.append(AgentExposure(
            agent.id, len(rows), summarise([r.cycles for r in rows]),
            sum(1 for r in rows if r.reductions), sum(r.reductions for r in rows),
            sum(1 for r in rows if r.delays), sum(r.delays for r in rows),
            summarise([r.rdi for r in rows if r.rdi is not None]), tuple(rows), tuple(notes)))
    return tuple(out)
