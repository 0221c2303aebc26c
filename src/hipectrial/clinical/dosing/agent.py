"""The dose of one agent: basis, loading, reductions, renal rules, rounding, cap, capsules.

Internal to :mod:`hipectrial.clinical.prescribe`, which validates the participant and the
cycle and computes BSA and CrCl first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from hipectrial.clinical.dosing.conditions import lab_verdict
from hipectrial.clinical.dosing.inputs import AgentState, AgentStatus, DosingParticipant
from hipectrial.clinical.dosing.result import AgentDose, DoseStatus, days_text, times_per_day_text
from hipectrial.clinical.dosing.rules import (
    UnitCount,
    amount_text,
    band_text,
    reduced_rung,
    round_to_step,
    select_band,
    unit_combination,
)
from hipectrial.errors import InputError, Problem, ProtocolError
from hipectrial.protocol import Protocol, Truth
from hipectrial.protocol.regimen import ActionKind, Agent, DoseBasis, ModificationRule


@dataclass(frozen=True, slots=True)
class DoseContext:
    """What every agent's dose is computed from."""

    protocol: Protocol
    participant: DosingParticipant
    bsa_m2: Decimal
    dosing_weight_kg: Decimal
    # Values of the protocol variables this prescription computed (crcl, bsa, ...).
    values: Mapping[str, object]
    rules: tuple[ModificationRule, ...]
    # Loading-dose decision per agent: (give the loading dose, why).
    loading: Mapping[str, tuple[bool, str]]
    schedule_note: str | None = None


def calculation_rules(protocol: Protocol, values: Mapping[str, object]) -> tuple[ModificationRule, ...]:
    """The dose-modification rules a prescription decides by itself: lab rules whose
    expression uses only values computed here (the renal S-1 rules over ``crcl``) and
    that ask no clinician's qualifier."""
    return tuple(
        rule for rule in protocol.dose_modifications.rules
        if rule.when.expression is not None and rule.when.qualifier is None
        and rule.when.expression.variables <= values.keys()
    )


def _problem(agent: Agent, message: str) -> ProtocolError:
    return ProtocolError([Problem("protocol", f"agents[{agent.id}].dose", message)])


@dataclass(slots=True)
class _Work:
    """The mutable working of one agent's dose while it is built."""

    steps: list[str]
    rules: list[str]
    new_reductions: int = 0
    withheld: str | None = None
    stopped: str | None = None


def _apply_rules(ctx: DoseContext, agent: Agent, work: _Work) -> None:
    """Evaluate the calculation rules that act on ``agent``; record their effects."""
    history = ctx.participant.state.rule_history
    levels = 0
    for rule in ctx.rules:
        action = rule.actions.get(agent.id)
        if action is None:
            continue
        verdict = lab_verdict(ctx.protocol, rule, ctx.values, {}, history)
        if verdict.truth is Truth.FALSE:
            work.steps.append(f"rule {rule.id}: {verdict.because} -> not applied")
            continue
        if verdict.truth is Truth.UNKNOWN:  # cannot happen: every variable is computed here
            work.withheld = f"rule {rule.id} cannot be decided ({verdict.because})"
            work.steps.append(f"rule {rule.id}: {verdict.because} -> dose withheld until decided")
            continue
        what = action.action.value + (f" {action.levels} level(s)" if action.levels else "")
        work.steps.append(f"rule {rule.id}: {verdict.because} -> {what} ({rule.source})")
        work.rules.append(rule.id)
        if action.action is ActionKind.REDUCE and action.levels:
            levels = max(levels, action.levels)
        elif action.action is ActionKind.DISCONTINUE:
            work.stopped = f"rule {rule.id}"
        elif action.action in (ActionKind.HOLD, ActionKind.DELAY):
            work.withheld = f"rule {rule.id}: {rule.resume or action.action.value}"
    if levels:
        work.new_reductions = levels
        work.steps.append(f"{levels} new permanent reduction(s) taken now (record in the dose state)")


def _start_rate(ctx: DoseContext, agent: Agent, work: _Work, loading: bool) -> tuple[Decimal, str]:
    """The amount the calculation starts from, before reductions, and its unit."""
    dose = agent.dose
    if dose.basis is DoseBasis.BSA_BANDS:
        bsa = _agent_bsa(ctx, agent, work)
        index, band = select_band(dose.bands, bsa)
        inclusive = ", lower bound inclusive" if band.min_m2 is not None else ""
        work.steps.append(f"BSA {bsa} m2 is in band {index + 1} ({band_text(band)}{inclusive}): "
                          f"{amount_text(band.amount)} {dose.unit}")
        return band.amount, dose.unit
    if dose.basis is DoseBasis.DOSE_LEVEL:
        level = next(lv for lv in ctx.protocol.dose_finding.levels if lv.id == ctx.participant.dose_level)
        if agent.id not in level.doses:
            raise _problem(agent, f"dose level {level.id} gives no dose of {agent.id}")
        work.steps.append(f"dose level {level.id}: {amount_text(level.doses[agent.id])} {level.unit}")
        return level.doses[agent.id], level.unit
    if dose.amount is None:  # the protocol model forbids this
        raise _problem(agent, "the dose rule has no amount")
    if loading and dose.loading is not None:
        return dose.loading.amount, dose.unit
    if dose.basis is DoseBasis.FIXED:
        work.steps.append(f"fixed dose {amount_text(dose.amount)} {dose.unit}")
    return dose.amount, dose.unit


def _agent_bsa(ctx: DoseContext, agent: Agent, work: _Work) -> Decimal:
    cap = agent.dose.cap
    if cap is not None and cap.unit == "m2" and ctx.bsa_m2 > cap.amount:
        work.steps.append(f"BSA {ctx.bsa_m2} m2 capped at {amount_text(cap.amount)} m2 for {agent.id} "
                          "(protocol cap)")
        return cap.amount
    return ctx.bsa_m2


def _multiply(ctx: DoseContext, agent: Agent, rate: Decimal, unit: str, work: _Work) -> Decimal:
    basis = agent.dose.basis
    if basis in (DoseBasis.PER_BSA, DoseBasis.DOSE_LEVEL):
        bsa = _agent_bsa(ctx, agent, work)
        raw = rate * bsa
        work.steps.append(f"{amount_text(rate)} {unit} x {bsa} m2 = {amount_text(raw)} mg")
        return raw
    if basis is DoseBasis.PER_WEIGHT:
        raw = rate * ctx.dosing_weight_kg
        weight = amount_text(ctx.dosing_weight_kg)
        work.steps.append(f"{amount_text(rate)} {unit} x {weight} kg = {amount_text(raw)} mg")
        return raw
    return rate


def _finish(agent: Agent, raw: Decimal, work: _Work) -> tuple[Decimal, tuple[UnitCount, ...]]:
    """Round, cap and make the amount of units; never silently change a dose."""
    dose = agent.dose
    amount = raw
    if dose.rounding is not None:
        amount = round_to_step(raw, step=dose.rounding.step, mode=dose.rounding.mode)
        work.steps.append(f"rounded to the nearest {amount_text(dose.rounding.step)} mg "
                          f"({dose.rounding.mode.value}): {amount_text(raw)} -> {amount_text(amount)} mg")
    cap = dose.cap
    if cap is not None and cap.unit == "mg" and amount > cap.amount:
        work.steps.append(f"capped at {amount_text(cap.amount)} mg (protocol cap): {amount_text(amount)} -> "
                          f"{amount_text(cap.amount)} mg")
        amount = cap.amount
    units: tuple[UnitCount, ...] = ()
    if dose.strengths_mg:
        found = unit_combination(amount, dose.strengths_mg)
        strengths = ", ".join(amount_text(s) for s in dose.strengths_mg)
        if found is None:
            raise _problem(agent, f"{amount_text(amount)} mg cannot be made exactly from the "
                                  f"strengths {strengths} mg; the dose is not rounded silently")
        units = found
        work.steps.append(f"{amount_text(amount)} mg = " + " + ".join(str(u) for u in units)
                          + f" (fewest units of {strengths} mg)")
    return amount, units


def _schedule(ctx: DoseContext, agent: Agent) -> tuple[int, tuple[int, ...], int | None, str]:
    s = agent.schedule
    if s is None:
        return 1, (), None, ctx.schedule_note or "single administration"
    parts = [days_text(tuple(s.days))]
    if s.times_per_day > 1:
        parts.insert(0, times_per_day_text(s.times_per_day))
    if s.infusion_minutes is not None:
        parts.append(f"over {s.infusion_minutes} min")
    return s.times_per_day, tuple(s.days), s.infusion_minutes, ", ".join(parts)


def agent_dose(ctx: DoseContext, agent: Agent) -> AgentDose:
    """The dose of ``agent`` for this cycle (or session), with every step spelled out."""
    state: AgentState = ctx.participant.state.agent(agent.id)
    times, days, minutes, schedule = _schedule(ctx, agent)
    work = _Work(steps=[], rules=[])
    loading, loading_why = ctx.loading.get(agent.id, (False, ""))

    def result(status: DoseStatus, amount: Decimal | None, rate: Decimal | None, rate_unit: str,
               start: Decimal | None, reductions: int, units: Sequence[UnitCount] = (),
               reason: str | None = None) -> AgentDose:
        return AgentDose(agent.id, agent.name, agent.route, status, amount, agent.dose.basis, rate,
                         rate_unit, start, reductions, work.new_reductions, loading and amount is not None,
                         tuple(units), times, days, minutes, schedule, tuple(work.rules), reason,
                         tuple(work.steps))

    if state.status is AgentStatus.DISCONTINUED:
        work.steps.append(f"{agent.id} was discontinued before this cycle (dose state)")
        return result(DoseStatus.DISCONTINUED, None, None, agent.dose.unit, None, state.reductions,
                      reason="discontinued before this cycle")
    if loading_why:
        work.steps.append(loading_why)
    start, unit = _start_rate(ctx, agent, work, loading)
    _apply_rules(ctx, agent, work)
    reductions = state.reductions + work.new_reductions
    rate: Decimal | None = start
    if reductions and agent.reduction is None:
        raise _problem(agent, f"{reductions} reduction(s) asked for an agent with no dose-reduction ladder")
    if loading and reductions:
        raise _problem(agent, "the protocol does not say how a reduction applies to a loading dose")
    if agent.reduction is not None and not loading:
        _check_recorded_start(agent, state, start, unit, work)
        rung = reduced_rung(agent_id=agent.id, reduction=agent.reduction, start=start, reductions=reductions)
        work.steps.extend(rung.steps)
        rate = rung.amount
    if work.stopped is not None or rate is None:
        reason = work.stopped or f"{reductions} reductions: no dose level left"
        return result(DoseStatus.DISCONTINUED, None, None, unit, start, reductions, reason=reason)
    if state.status is AgentStatus.HELD or work.withheld is not None:
        reason = work.withheld or "held this cycle (dose state)"
        work.steps.append(f"{agent.id} is not given this cycle: {reason}")
        return result(DoseStatus.HOLD, None, rate, unit, start, reductions, reason=reason)
    raw = _multiply(ctx, agent, rate, unit, work)
    amount, units = _finish(agent, raw, work)
    return result(DoseStatus.GIVE, amount, rate, unit, start, reductions, units)


def _check_recorded_start(agent: Agent, state: AgentState, start: Decimal, unit: str, work: _Work) -> None:
    recorded = state.start_dose
    if recorded is None or recorded == start:
        return
    if agent.dose.basis is DoseBasis.BSA_BANDS:
        work.steps.append(
            f"the recorded start dose {amount_text(recorded)} {unit} differs from the band dose "
            f"{amount_text(start)} {unit} at this BSA: reductions count from the band dose "
            "(update the recorded start dose)")
        return
    raise InputError(f"state.agents[{agent.id!r}].start_dose", recorded,
                     f"the protocol's start dose of {agent.id}, {amount_text(start)} {unit}")
