"""A protocol summarised for people: the study header, the regimen per cohort, the
treatment phases, HIPEC, the dose levels and the schedule of assessments.

Pure functions from a :class:`~hipectrial.protocol.Protocol` to frozen rows holding both the
protocol's values and their text (``130 mg/m2``, ``S-1 by BSA: <1.25 m2 40 mg; …``), so
the CLI, its ``--json`` output and later the web EDC show the same words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hipectrial.cli.schedule_view import ScheduleView, schedule_view, timing_text
from hipectrial.cli.text import (
    ANCHOR_TEXT,
    amount_text,
    bsa_text,
    days_text,
    ladder_text,
    level_name,
    times_per_day_text,
    window_text,
)
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import Agent, BsaBand, DoseBasis, DoseRule

Bilingual = dict[str, str]


@dataclass(frozen=True, slots=True)
class StudyView:
    id: str
    short_title: str
    full_title: str
    phase: str
    version: str
    date: dt.date
    registry_id: str | None
    multicenter: bool
    masking: str


@dataclass(frozen=True, slots=True)
class AgentView:
    """One agent as a cohort receives it."""

    id: str
    name: str
    agent_class: str
    route: str
    cohorts: tuple[str, ...] | None
    dose: dict[str, Any]
    dose_levels: dict[str, Decimal]
    dose_text: str
    dose_notes: tuple[str, ...]
    schedule: dict[str, Any] | None
    schedule_text: str
    reduction: dict[str, Any] | None
    reduction_text: str
    # One line: name, dose and schedule ("S-1 by BSA: …, twice daily, days 1-14").
    summary: str


@dataclass(frozen=True, slots=True)
class CohortView:
    id: str
    label: Bilingual
    rule: str
    regimen: tuple[AgentView, ...]


@dataclass(frozen=True, slots=True)
class PhaseView:
    id: str
    label: Bilingual
    agents: tuple[str, ...]
    agent_names: tuple[str, ...]
    # Names, each agent given to some of the shown cohorts only followed by those cohorts.
    agents_text: str
    cycles: int | None
    cycle_length_days: int
    until: str | None
    cycles_text: str
    start_text: str
    window: str
    branch: str


@dataclass(frozen=True, slots=True)
class HipecView:
    agents: tuple[str, ...]
    agent_texts: tuple[str, ...]
    perfusion: dict[str, Any]
    perfusion_text: str
    sessions: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class DoseFindingView:
    explored_agents: tuple[str, ...]
    levels: tuple[dict[str, Any], ...]
    start_level: str
    design_text: str
    dlt_window_text: str


@dataclass(frozen=True, slots=True)
class ProtocolView:
    cohort: str | None
    study: StudyView
    cohorts: tuple[CohortView, ...]
    phases: tuple[PhaseView, ...]
    hipec: HipecView
    dose_finding: DoseFindingView
    schedule: ScheduleView


# -- dose texts ------------------------------------------------------------------------------


def band_text(band: BsaBand) -> str:
    """One BSA band, lower bound inclusive: ``1.25-<1.50 m2 50 mg``."""
    amount = f"{amount_text(band.amount)} mg"
    if band.min_m2 is None and band.max_m2 is not None:
        return f"<{bsa_text(band.max_m2)} m2 {amount}"
    if band.max_m2 is None and band.min_m2 is not None:
        return f">={bsa_text(band.min_m2)} m2 {amount}"
    if band.min_m2 is not None and band.max_m2 is not None:
        return f"{bsa_text(band.min_m2)}-<{bsa_text(band.max_m2)} m2 {amount}"
    return f"any BSA {amount}"


def level_doses(protocol: Protocol, agent_id: str) -> dict[str, Decimal]:
    """The agent's dose at each dose level that gives one, lowest level first."""
    return {lv.id: lv.doses[agent_id] for lv in protocol.dose_finding.levels if agent_id in lv.doses}


def dose_text(protocol: Protocol, agent_id: str, dose: DoseRule) -> str:
    """The dose rule in words, e.g. ``8 mg/kg loading then 6 mg/kg``."""
    if dose.basis is DoseBasis.DOSE_LEVEL:
        levels = [lv for lv in protocol.dose_finding.levels if agent_id in lv.doses]
        if not levels:
            return "per dose level (no level gives a dose)"
        units = {lv.unit for lv in levels}
        if len(units) == 1:
            parts = [f"{level_name(lv.id)} {amount_text(lv.doses[agent_id])}" for lv in levels]
            return "per dose level: " + ", ".join(parts) + f" {units.pop()}"
        parts = [f"{level_name(lv.id)} {amount_text(lv.doses[agent_id])} {lv.unit}" for lv in levels]
        return "per dose level: " + ", ".join(parts)
    if dose.basis is DoseBasis.BSA_BANDS:
        return "by BSA: " + "; ".join(band_text(b) for b in dose.bands)
    amount = f"{amount_text(dose.amount)} {dose.unit}" if dose.amount is not None else dose.unit
    if dose.loading is None:
        return amount
    text = f"{amount_text(dose.loading.amount)} {dose.unit} loading then {amount}"
    if dose.loading.reload_if_late_days is not None:
        text += (f" (reload {amount_text(dose.loading.amount)} {dose.unit} if a dose is more "
                 f"than {dose.loading.reload_if_late_days} d late)")
    return text


def dose_notes(dose: DoseRule) -> tuple[str, ...]:
    """Rounding, available strengths and cap of a dose rule."""
    notes = []
    if dose.rounding is not None:
        mode = dose.rounding.mode.value.replace("_", " ")
        notes.append(f"rounded to {amount_text(dose.rounding.step)} {dose.rounding.unit} ({mode})")
    if dose.strengths_mg:
        notes.append("strengths " + ", ".join(amount_text(s) for s in dose.strengths_mg) + " mg")
    if dose.cap is not None:
        notes.append(f"capped at {amount_text(dose.cap.amount)} {dose.cap.unit}")
    return tuple(notes)


def schedule_text(protocol: Protocol, agent: Agent) -> str:
    """When in a cycle the agent is given, e.g. ``twice daily, days 1-14``."""
    s = agent.schedule
    if s is None:
        if agent.id in protocol.hipec.agents:
            sessions = ", ".join(x.label.en for x in protocol.hipec.sessions)
            return f"during HIPEC ({sessions})"
        return "not given in cycles"
    parts = [days_text(s.days)]
    if s.times_per_day > 1:
        parts.insert(0, times_per_day_text(s.times_per_day))
    if s.infusion_minutes is not None:
        parts.append(f"over {s.infusion_minutes} min")
    return ", ".join(parts)


def reduction_text(agent: Agent) -> str:
    if not agent.reducible:
        return "no reduction: hold or discontinue only"
    if agent.reduction is None:
        return "no reduction ladder"
    r = agent.reduction
    plural = "s" if r.max_reductions != 1 else ""
    return f"{ladder_text(r.ladder, r.unit)}, at most {r.max_reductions} reduction{plural}"


def agent_view(protocol: Protocol, agent: Agent) -> AgentView:
    dose = dose_text(protocol, agent.id, agent.dose)
    when = schedule_text(protocol, agent)
    return AgentView(
        id=agent.id,
        name=agent.name,
        agent_class=agent.agent_class,
        route=agent.route,
        cohorts=tuple(agent.cohorts) if agent.cohorts is not None else None,
        dose=agent.dose.model_dump(exclude_none=True),
        dose_levels=(level_doses(protocol, agent.id)
                     if agent.dose.basis is DoseBasis.DOSE_LEVEL else {}),
        dose_text=dose,
        dose_notes=dose_notes(agent.dose),
        schedule=agent.schedule.model_dump(exclude_none=True) if agent.schedule else None,
        schedule_text=when,
        reduction=agent.reduction.model_dump() if agent.reduction else None,
        reduction_text=reduction_text(agent),
        summary=f"{agent.name} {dose}, {when}",
    )


# -- sections --------------------------------------------------------------------------------


def phase_view(protocol: Protocol, phase_id: str, agents: list[str],
               shown_cohorts: list[str]) -> PhaseView:
    """A phase with the agents (of ``agents``) the shown cohorts receive in it."""
    ph = protocol.phase(phase_id)
    names = []
    for agent_id in agents:
        agent = protocol.agent(agent_id)
        only = [c for c in shown_cohorts if agent.cohorts is None or c in agent.cohorts]
        names.append(agent.name if only == shown_cohorts else f"{agent.name} ({', '.join(only)} only)")
    if ph.cycles is not None:
        cycles = f"{ph.cycles} × {ph.cycle_length_days} d"
    else:
        cycles = f"{ph.cycle_length_days}-d cycles until {ph.until}"
    start = timing_text(protocol, ph.start)
    if not start.startswith("when"):
        start = f"C1D1 = {start.removesuffix(' (day 0)')}"
    return PhaseView(
        id=ph.id,
        label={"en": ph.label.en, "zh": ph.label.zh},
        agents=tuple(agents),
        agent_names=tuple(protocol.agent(a).name for a in agents),
        agents_text=", ".join(names),
        cycles=ph.cycles,
        cycle_length_days=ph.cycle_length_days,
        until=None if ph.until is None else ph.until.label,
        cycles_text=cycles,
        start_text=start,
        window=window_text(ph.start.window_before, ph.start.window_after),
        branch=ph.branch,
    )


def hipec_view(protocol: Protocol) -> HipecView:
    h = protocol.hipec
    p = h.perfusion
    perfusion = (
        f"{p.volume_ml} mL {p.carrier}, inflow {amount_text(p.inflow_temperature_c)} "
        f"± {amount_text(p.temperature_tolerance_c)} °C, {p.duration_min} min, "
        f"flow {p.flow_ml_min_min}-{p.flow_ml_min_max} mL/min"
    )
    texts = tuple(
        f"{protocol.agent(a).name} {dose_text(protocol, a, protocol.agent(a).dose)}" for a in h.agents
    )
    sessions = tuple(
        {"id": s.id, "label": {"en": s.label.en, "zh": s.label.zh}, "timing": s.timing.value,
         "approach": s.approach, "text": f"{s.label.en} ({s.approach}, at {ANCHOR_TEXT[s.timing]})"}
        for s in h.sessions
    )
    return HipecView(tuple(h.agents), texts, p.model_dump(), perfusion, sessions)


def dose_finding_view(protocol: Protocol) -> DoseFindingView:
    df = protocol.dose_finding
    d = df.design
    design = (
        f"{d.method.upper()}, target DLT rate {d.target:.2f} (phi1 {d.phi1:.2f}, phi2 {d.phi2:.2f}), "
        f"cohorts of {d.cohort_size}, at most {d.max_n} participants, "
        f"start at {level_name(df.start_level)}"
    )
    window = df.dlt.window
    dlt = f"{ANCHOR_TEXT[window.start]} to {timing_text(protocol, window.end)}"
    levels = tuple(
        {"id": lv.id, "name": level_name(lv.id), "doses": dict(lv.doses), "unit": lv.unit}
        for lv in df.levels
    )
    return DoseFindingView(tuple(df.explored_agents), levels, df.start_level, design, dlt)


def study_view(protocol: Protocol) -> StudyView:
    s = protocol.study
    return StudyView(s.id, s.short_title, s.full_title, s.phase, s.version, s.date,
                     s.registry_id, s.multicenter, s.masking)


def protocol_view(protocol: Protocol, cohort: str | None = None) -> ProtocolView:
    """Everything ``hipectrial protocol show`` prints, for all cohorts or one.

    Raises
    ------
    InputError
        When ``cohort`` is not a cohort of the protocol.
    """
    known = [c.id for c in protocol.cohorts]
    if cohort is not None and cohort not in known:
        raise InputError("cohort", cohort, "one of " + ", ".join(known))
    cohorts = tuple(
        CohortView(c.id, {"en": c.label.en, "zh": c.label.zh}, c.rule.source,
                   tuple(agent_view(protocol, a) for a in protocol.agents_for(c.id)))
        for c in protocol.cohorts
        if cohort is None or c.id == cohort
    )
    given = {a.id for c in cohorts for a in c.regimen}
    phases = []
    for ph in protocol.phases:
        agents = [a for a in ph.agents if a in given]
        if agents:
            phases.append(phase_view(protocol, ph.id, agents, [c.id for c in cohorts]))
    return ProtocolView(
        cohort=cohort,
        study=study_view(protocol),
        cohorts=cohorts,
        phases=tuple(phases),
        hipec=hipec_view(protocol),
        dose_finding=dose_finding_view(protocol),
        schedule=schedule_view(protocol, cohort),
    )
