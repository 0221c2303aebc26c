"""The primary endpoint as designed: the Simon final analysis and the R0 rate by population.

Rules (protocol ``statistics.primary``; PD §Study; protocol-decisions.md §Endpoints):

* **Final analysis** (:func:`simon_final`) — the first ``n`` Part B ITT participants in
  registration order (registration date, then id, as the stage-1 look), all with a
  settled R0 outcome (:func:`~hipectrial.analysis.surgical.outcome_known`); ``x`` = R0
  resections (:func:`~hipectrial.analysis.surgical.r0_status`) among them; H0 (``p <=
  p0``) is rejected when ``x > r``. A trial stopped for futility at the stage-1 look
  (:func:`~hipectrial.analysis.interim.simon_stage1`) is complete with the stage-1 count.
  Taking the first ``n`` registered (not the first ``n`` whose outcome happens to be known)
  keeps the speed at which an outcome becomes known out of the count; while one of them is
  open the analysis is not complete and ``missing`` says how many outcomes are lacking.
  A complete trial gets the Simon-adjusted estimate of
  :func:`hipectrial.design.simon_estimate` (UMVUE, Jung & Kim 2004; the stage-wise exact
  interval and one-sided p-value for ``H0: p <= p0``, Koyama & Chen 2008) and the naive
  proportion with its Clopper-Pearson interval, which does not have its nominal coverage
  after a two-stage design and is shown for comparison.
* **The designed population** (:func:`primary_endpoint`) — the Simon design is powered on
  Part B ITT participants at the RP2D: the dose level Part A selected
  (:class:`~hipectrial.analysis.interim.DoseFindingStatus` ``selected_level``); when none is
  selected, the level the Part B ITT participants were registered at (the most frequent,
  lowest first on a tie), and the rule says so. Part B ITT participants at another level are
  listed and left out. R0 among them with its exact interval
  (:func:`~hipectrial.analysis.surgical.r0_value`), Part A ITT participants by dose level
  separately, and all ITT participants as a secondary population.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from hipectrial.analysis.facts import Facts
from hipectrial.analysis.interim import (
    NOT_YET,
    DoseFindingStatus,
    SimonStage1,
    missing_outcomes,
    registration_order,
)
from hipectrial.analysis.labels import PART_A_LEVEL, SIMON_POPULATION, Labels
from hipectrial.analysis.populations import Populations
from hipectrial.analysis.results import BinaryEstimate, BinaryValue, ParticipantNote, binary_estimate
from hipectrial.analysis.surgical import outcome_known, r0_status, r0_value
from hipectrial.design import simon_decide, simon_estimate
from hipectrial.design.dose_finding import Action
from hipectrial.design.settings import simon_design_of
from hipectrial.design.simon_inference import SimonAction
from hipectrial.protocol import Protocol
from hipectrial.protocol.endpoints import Population

STOPPED_AT_STAGE_1 = "stopped for futility at stage 1: H0 not rejected"


@dataclass(frozen=True, slots=True)
class SimonFinalEstimate:
    """The estimate of a completed Simon trial: ``responses`` among ``enrolled`` at the end
    of ``stage`` (1: stopped after stage 1, 2: ran to ``n``)."""

    stage: int
    responses: int
    enrolled: int
    umvue: float
    ci_lower: float
    ci_upper: float
    conf_level: float
    ci_method: str
    p0: float
    p_value: float
    naive: BinaryEstimate


@dataclass(frozen=True, slots=True)
class SimonFinal:
    """The Simon final analysis (module docstring).

    ``participant_ids`` are the participants the analysis counts (the first ``n`` Part B
    ITT, or the ``n1`` of stage 1 after a futility stop); ``r0_ids`` those with an R0
    resection and ``pending_ids`` those whose outcome is not known yet; ``missing`` =
    ``more_needed`` (not yet in the Part B ITT population) + pending. ``responses`` is the
    R0 count among the settled. ``decision`` is ``reject H0``, ``do not reject H0``,
    :data:`STOPPED_AT_STAGE_1` or ``not yet``; ``estimate`` is set once complete.
    """

    n: int
    r: int
    rule: str
    participant_ids: tuple[str, ...]
    r0_ids: tuple[str, ...]
    pending_ids: tuple[str, ...]
    more_needed: int
    missing: int
    complete: bool
    stage: int | None
    responses: int
    reject_h0: bool | None
    decision: str
    reasons: tuple[str, ...]
    estimate: SimonFinalEstimate | None


@dataclass(frozen=True, slots=True)
class LevelR0:
    """R0 resections among Part A ITT participants at one dose level."""

    level: str
    dose: str
    value: BinaryValue


@dataclass(frozen=True, slots=True)
class PrimaryEndpoint:
    """The primary endpoint as designed (module docstring): ``designed`` is R0 among Part B
    ITT participants at ``rp2d`` (chosen by ``rp2d_rule``), ``part_a_by_level`` R0 among
    Part A ITT participants per dose level (protocol order), ``all_itt`` R0 among all ITT
    participants (secondary), ``final`` the Simon final analysis."""

    endpoint_id: str
    rp2d: str | None
    rp2d_rule: str
    designed: BinaryValue
    part_b_closed: str | None
    part_a_by_level: tuple[LevelR0, ...]
    all_itt: BinaryValue
    final: SimonFinal


def _estimate(protocol: Protocol, stage: int, responses: int, conf_level: float) -> SimonFinalEstimate:
    s = protocol.statistics.primary
    d = simon_design_of(s)
    est = simon_estimate(r1=d.r1, n1=d.n1, r=d.r, n=d.n, responses=responses, stage=stage)
    ci = est.confidence_interval(conf_level)
    return SimonFinalEstimate(stage, responses, est.enrolled, est.umvue, ci.low, ci.high, ci.confidence_level,
                              ci.method, s.p0, est.pvalue(s.p0),
                              binary_estimate(events=responses, n=est.enrolled, conf_level=conf_level))


def simon_final(*, protocol: Protocol, part_b_itt: Sequence[str], facts: Mapping[str, Facts],
                stage1: SimonStage1, conf_level: float = 0.95) -> SimonFinal:
    """The Simon final analysis (module docstring).

    Parameters
    ----------
    protocol
        Its ``statistics.primary`` gives the design and ``p0``.
    part_b_itt
        The Part B ITT participants (any order).
    facts
        Every participant's facts at the cut-off.
    stage1
        The stage-1 look (:func:`~hipectrial.analysis.interim.simon_stage1`).
    conf_level
        Of the intervals.
    """
    s = protocol.statistics.primary
    n, r = s.total.n, s.total.r
    rule = (f"reject H0 (R0 rate ≤ {round(100 * s.p0, 6):g} %) if more than {r} R0 resections among the "
            f"first {n} Part B ITT participants, after more than {s.stage1.r} among the first {s.stage1.n}")
    if stage1.decision == SimonAction.STOP_FUTILITY.value:
        return SimonFinal(n, r, rule, stage1.participant_ids, stage1.r0_ids, (), 0, 0, True, 1,
                          stage1.responses, False, STOPPED_AT_STAGE_1, stage1.reasons,
                          _estimate(protocol, 1, stage1.responses, conf_level))
    first = registration_order(part_b_itt, facts)[:n]
    pending = tuple(pid for pid in first if outcome_known(facts[pid]) is None)
    r0 = tuple(pid for pid in first if pid not in pending and r0_status(facts[pid])[0])
    more = n - len(first)
    missing = more + len(pending)
    if missing:
        reasons = [missing_outcomes(str(n), pending, more)]
        reject: bool | None = None
        if len(r0) > r:
            reasons.append(f"already {len(r0)} R0 > r = {r}: rejecting H0 is certain")
            reject = True
        elif len(r0) + missing <= r:
            reasons.append(f"even if every missing outcome is R0 the count is {len(r0) + missing} "
                           f"<= r = {r}: H0 cannot be rejected")
            reject = False
        return SimonFinal(n, r, rule, tuple(first), r0, pending, more, missing, False, None, len(r0), reject,
                          NOT_YET, tuple(reasons), None)
    design = simon_design_of(s)
    decision = simon_decide(r1=design.r1, n1=design.n1, r=design.r, n=design.n, responses=len(r0),
                            enrolled=n)
    return SimonFinal(n, r, rule, tuple(first), r0, (), 0, 0, True, 2, len(r0), decision.reject_h0,
                      decision.action.value, decision.reasons, _estimate(protocol, 2, len(r0), conf_level))


def _rp2d(levels: Sequence[str], selected: str | None,
          part_b_levels: Sequence[str]) -> tuple[str | None, str]:
    if selected is not None:
        return selected, f"dose level {selected}, selected by Part A (BOIN)"
    counts = Counter(part_b_levels)
    if not counts:
        return None, "no dose level selected by Part A and no Part B ITT participant: no RP2D"
    most = max(counts.values())
    level = next(lv for lv in levels if counts.get(lv) == most)
    shown = ", ".join(f"level {lv} ({counts[lv]})" for lv in levels if lv in counts)
    return level, (f"no dose level selected by Part A: dose level {level}, the level the Part B ITT "
                   f"participants were registered at ({shown}"
                   + ("; the most frequent, lowest first on a tie)" if len(counts) > 1 else ")"))


@dataclass(frozen=True, slots=True)
class SimonPopulation:
    """The population the Simon design is powered on: Part B ITT participants at the RP2D
    (``participant_ids``, any order), the RP2D and how it was chosen, and the Part B ITT
    participants at another level (``left_out``), who are not in it."""

    rp2d: str | None
    rp2d_rule: str
    participant_ids: tuple[str, ...]
    left_out: tuple[tuple[str, str], ...]


def simon_population(*, protocol: Protocol, populations: Populations, facts: Mapping[str, Facts],
                     dose_finding: DoseFindingStatus) -> SimonPopulation:
    """The one definition of who the Simon stage-1 look, the final analysis and the primary
    endpoint as designed count: Part B ITT at the RP2D (the level Part A selected; without a
    selection, the level Part B was registered at, stated in ``rp2d_rule``)."""
    in_itt = set(populations[Population.ITT])
    part_b = [pid for pid in populations.part_b if pid in in_itt]
    levels = [level.id for level in protocol.dose_finding.levels]
    level_of = {pid: str(facts[pid].participant.dose_level) for pid in part_b}
    rp2d, rule = _rp2d(levels, dose_finding.selected_level, [level_of[pid] for pid in part_b])
    return SimonPopulation(rp2d, rule, tuple(pid for pid in part_b if level_of[pid] == rp2d),
                           tuple((pid, level_of[pid]) for pid in part_b if level_of[pid] != rp2d))


def part_b_closed(dose_finding: DoseFindingStatus, simon: SimonPopulation) -> str | None:
    """Why Part B will not open (Part A stopped without selecting a dose and nobody is in
    Part B), or ``None``."""
    if dose_finding.action == Action.STOP.value and dose_finding.selected_level is None \
            and not simon.participant_ids:
        return f"Part A stopped without selecting a dose ({dose_finding.reason}): Part B does not open."
    return None


def primary_endpoint(*, protocol: Protocol, populations: Populations, facts: Mapping[str, Facts],
                     dose_finding: DoseFindingStatus, simon: SimonPopulation, stage1: SimonStage1,
                     labels: Labels, conf_level: float = 0.95) -> PrimaryEndpoint:
    """The primary endpoint as designed (module docstring).

    Parameters
    ----------
    protocol
        The protocol (its ``statistics.primary`` and dose levels).
    populations
        The analysis populations (ITT, study parts).
    facts
        Every participant's facts at the cut-off.
    dose_finding
        The BOIN status (:func:`~hipectrial.analysis.interim.dose_finding_status`).
    simon
        The Simon design's population (:func:`simon_population`).
    stage1
        The Simon stage-1 look (:func:`~hipectrial.analysis.interim.simon_stage1`).
    labels
        The protocol's labels (for the reason each participant is or is not counted).
    conf_level
        Of the intervals.
    """
    itt = populations[Population.ITT]
    in_itt = set(itt)
    level_of = {pid: str(facts[pid].participant.dose_level) for pid in itt}
    designed = r0_value(SIMON_POPULATION, simon.participant_ids, facts, conf_level, labels)
    others = [ParticipantNote(pid, f"Part B ITT at dose level {level}, not the RP2D: left out")
              for pid, level in simon.left_out]
    if others:
        designed = replace(designed, notes=(*designed.notes, *others))
    agent = protocol.dose_finding.explored_agents[0]
    part_a = [pid for pid in populations.part_a if pid in in_itt]
    by_level = tuple(
        LevelR0(level.id, f"{level.doses.get(agent, '')} {level.unit}",
                r0_value(f"{PART_A_LEVEL}{level.id}", [pid for pid in part_a if level_of[pid] == level.id],
                         facts, conf_level, labels))
        for level in protocol.dose_finding.levels)
    final = simon_final(protocol=protocol, part_b_itt=simon.participant_ids, facts=facts, stage1=stage1,
                        conf_level=conf_level)
    closed = part_b_closed(dose_finding, simon)
    if closed is not None:
        final = replace(final, reasons=(*final.reasons, closed))
    return PrimaryEndpoint(
        endpoint_id=protocol.statistics.primary.endpoint, rp2d=simon.rp2d, rp2d_rule=simon.rp2d_rule,
        designed=designed, part_b_closed=closed,
        part_a_by_level=by_level, all_itt=r0_value(Population.ITT.value, itt, facts, conf_level, labels),
        final=final)
