"""Prescribe a cycle (or a HIPEC session): each agent's dose from BSA or weight, the dose
level, the permanent reductions taken, the renal rules, rounding, cap and capsules.

Every number comes from the protocol: the BSA and CrCl settings and the weight-change
threshold (``dose_calculation``), each agent's dose rule (basis, loading dose, rounding,
strengths, cap) and reduction ladder, the dose levels, and the dose-modification rules a
prescription can decide by itself (lab rules over values computed here: the renal S-1 rules
over ``crcl``). Nothing is silently rounded, capped or coerced; every step is in ``steps``.

References
----------
shared/reference/protocol-decisions.md, "Treatment flow and timing" (regimen, loading dose
and reload), "Dose calculation", "Dose levels".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from hipectrial.clinical.body import (
    BodyLimits,
    BsaResult,
    CrclResult,
    WeightChange,
    body_limits,
    body_surface_area,
    check_weight_kg,
    creatinine_clearance,
    weight_change,
)
from hipectrial.clinical.dosing.agent import DoseContext, agent_dose, calculation_rules
from hipectrial.clinical.dosing.inputs import (
    Cycle,
    DosingParticipant,
    check_cohort,
    check_dose_level,
    check_state,
)
from hipectrial.clinical.dosing.result import AgentDose, DoseStatus, Prescription
from hipectrial.clinical.dosing.rules import amount_text
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import Agent, DoseCalculation, Phase

__all__ = ["AgentDose", "DoseStatus", "Prescription", "prescribe", "prescribe_hipec"]


@dataclass(frozen=True, slots=True)
class _Body:
    bsa: BsaResult
    crcl: CrclResult
    weight: WeightChange | None
    dosing_weight_kg: Decimal
    recalculated: bool
    steps: tuple[str, ...]


# _measure's results on their exact inputs (type and text, so 65 and 65.0 stay apart): a
# participant's prescriptions mostly differ in the dose state, not in the body measured.
_BODIES: dict[tuple[object, ...], tuple[DoseCalculation, _Body]] = {}
_BODIES_LIMIT = 4096


def _exact(value: object) -> tuple[type, str]:
    return type(value), str(value)


def _measure(protocol: Protocol, participant: DosingParticipant) -> _Body:
    """BSA from the dosing weight, CrCl from this visit's weight, and the weight rule."""
    calc = protocol.dose_calculation
    limits = body_limits(protocol)
    key = (id(calc), limits, _exact(participant.weight_kg), _exact(participant.dosing_weight_kg),
           _exact(participant.height_cm), _exact(participant.age_years), _exact(participant.sex),
           _exact(participant.creatinine), _exact(participant.creatinine_unit))
    cached = _BODIES.get(key)
    if cached is not None and cached[0] is calc:
        return cached[1]
    body = _measure_now(calc, limits, participant)
    if len(_BODIES) >= _BODIES_LIMIT:
        _BODIES.clear()
    _BODIES[key] = (calc, body)
    return body


def _measure_now(calc: DoseCalculation, limits: BodyLimits, participant: DosingParticipant) -> _Body:
    current = check_weight_kg(participant.weight_kg, limits)
    steps: list[str] = []
    change: WeightChange | None = None
    if participant.dosing_weight_kg is None:
        dosing, recalculated = current, True
        steps.append(f"first prescription: doses based on this visit's weight {amount_text(current)} kg")
    else:
        try:
            reference = check_weight_kg(participant.dosing_weight_kg, limits)
        except InputError as exc:
            raise InputError("dosing_weight_kg", participant.dosing_weight_kg, exc.expected,
                             exc.hint) from None
        change = weight_change(reference_weight_kg=reference, current_weight_kg=current,
                               threshold_percent=calc.recalculate_weight_change_percent, limits=limits)
        steps.extend(f"weight: {s}" for s in change.steps)
        recalculated = change.recalculate
        dosing = current if recalculated else reference
        steps.append(f"doses based on {amount_text(dosing)} kg")
    bsa = body_surface_area(height_cm=participant.height_cm, weight_kg=dosing, settings=calc.bsa,
                            limits=limits)
    steps.extend(f"BSA: {s}" for s in bsa.steps)
    crcl = creatinine_clearance(age_years=participant.age_years, sex=participant.sex, weight_kg=current,
                                creatinine=participant.creatinine, unit=participant.creatinine_unit,
                                settings=calc.crcl, limits=limits)
    steps.extend(f"CrCl (Cockcroft-Gault, actual weight {amount_text(current)} kg): {s}" for s in crcl.steps)
    return _Body(bsa, crcl, change, dosing, recalculated, tuple(steps))


def _values(protocol: Protocol, participant: DosingParticipant, body: _Body) -> dict[str, object]:
    """The protocol variables this prescription knows, for the rules it decides itself."""
    known = {
        "crcl": body.crcl.crcl_ml_min,
        "bsa": body.bsa.bsa_m2,
        "weight_kg": body.crcl.weight_kg,
        "height_cm": body.bsa.height_cm,
        "age": body.crcl.age_years,
        "sex": body.crcl.sex.value,
    }
    return {k: v for k, v in known.items() if k in protocol.scope.variables}


def _check_participant(protocol: Protocol, participant: object) -> DosingParticipant:
    if not isinstance(participant, DosingParticipant):
        raise InputError("participant", participant, "a DosingParticipant")
    check_cohort(protocol, participant.cohort)
    check_dose_level(protocol, participant.dose_level)
    check_state(protocol, participant.state)
    return participant


def _phase(protocol: Protocol, cycle: object) -> tuple[Phase, Cycle]:
    if not isinstance(cycle, Cycle):
        raise InputError("cycle", cycle, "a Cycle")
    known = [p.id for p in protocol.phases]
    if cycle.phase not in known:
        raise InputError("phase", cycle.phase, "one of " + ", ".join(known))
    phase = protocol.phase(cycle.phase)
    number = cycle.number
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise InputError("cycle", number, "a cycle number >= 1")
    if phase.cycles is not None and number > phase.cycles:
        raise InputError("cycle", number,
                         f"at most {phase.cycles} (phase {phase.id} has {phase.cycles} cycles)")
    for agent_id, late in cycle.days_late.items():
        if agent_id not in phase.agents:
            raise InputError(f"days_late[{agent_id!r}]", agent_id, f"an agent of phase {phase.id}: "
                             + ", ".join(phase.agents))
        if isinstance(late, bool) or not isinstance(late, int):
            raise InputError(f"days_late[{agent_id!r}]", late, "a whole number of days")
    return phase, cycle


def _chosen(available: list[Agent], asked: Sequence[str] | None, where: str) -> list[Agent]:
    if asked is None:
        return available
    by_id = {a.id: a for a in available}
    for agent_id in asked:
        if agent_id not in by_id:
            raise InputError("agents", agent_id, f"an agent {where}: " + ", ".join(by_id))
    return [by_id[a] for a in dict.fromkeys(asked)]


def _loading(protocol: Protocol, participant: DosingParticipant, cycle: Cycle, agent: Agent) -> tuple[bool,
                                                                                                      str]:
    """Whether this dose is a loading dose, and why, in words."""
    rule = agent.dose.loading
    if rule is None:
        return False, ""
    unit = agent.dose.unit
    loading = f"loading dose {amount_text(rule.amount)} {unit}"
    doses_given = participant.state.agent(agent.id).doses_given
    if doses_given is not None:
        if doses_given == 0:
            return True, f"first dose of {agent.id} (no dose given before): {loading}"
    else:
        first = next(p for p in protocol.phases if agent.id in p.agents)
        if cycle.phase == first.id and cycle.number == 1:
            return True, f"cycle 1 of phase {first.id}, the first dose of {agent.id}: {loading}"
    late = cycle.days_late.get(agent.id, 0)
    limit = rule.reload_if_late_days
    maintenance = f"maintenance dose {amount_text(agent.dose.amount or Decimal(0))} {unit}"
    if limit is not None and late > limit:
        return True, f"given {late} days after it was due (more than {limit}): reload with the {loading}"
    if limit is not None and late > 0:
        return False, (f"given {late} days after it was due (reload only when more than {limit}): "
                       f"{maintenance}")
    return False, maintenance


def _assemble(protocol: Protocol, participant: DosingParticipant, body: _Body, agents: list[Agent],
              loading: Mapping[str, tuple[bool, str]], *, phase: str | None, cycle: int | None,
              session: str | None, schedule_note: str | None) -> Prescription:
    values = _values(protocol, participant, body)
    ctx = DoseContext(protocol, participant, body.bsa.bsa_m2, body.dosing_weight_kg, values,
                      calculation_rules(protocol, values), loading, schedule_note)
    doses = tuple(agent_dose(ctx, agent) for agent in agents)
    applied = tuple(dict.fromkeys(r for d in doses for r in d.rules))
    return Prescription(protocol.study.id, participant.cohort, participant.dose_level, phase, cycle, session,
                        body.bsa, body.crcl, body.weight, body.dosing_weight_kg, body.recalculated, doses,
                        applied, body.steps)


def prescribe(*, protocol: Protocol, participant: DosingParticipant, cycle: Cycle,
              agents: Sequence[str] | None = None) -> Prescription:
    """The doses of one treatment cycle for one participant.

    Parameters
    ----------
    protocol
        The loaded protocol; every setting comes from it.
    participant
        Cohort, dose level, sex, age (years), height (cm) and weight (kg) at this visit,
        serum creatinine with its unit (``umol/L`` or ``mg/dL``), the weight the current
        doses were based on, and the dose state (reductions, held, discontinued).
    cycle
        The phase id and cycle number, and for loading-dose agents how late the dose is.
    agents
        Only these agents (ids); all agents the phase gives to the cohort when omitted.

    Returns
    -------
    Prescription
        Per agent: status, amount per administration in mg, schedule, capsules, the
        reductions it reflects, the rules applied, and every step of the working.

    Raises
    ------
    InputError
        Unknown cohort, dose level or phase, a cycle number outside the phase, an agent the
        phase does not give, a body or kidney value out of range (naming the field).
    ProtocolError
        When the protocol cannot give a dose: a start dose off its ladder, an amount no
        combination of the strengths makes exactly.

    Examples
    --------
    170 cm, 65 kg man of 60, creatinine 88.4 umol/L, induction cycle 1: BSA
    sqrt(170 x 65 / 3600) = 1.752 -> 1.75 m2; oxaliplatin 130 x 1.75 = 227.5 -> 230 mg;
    S-1 band >= 1.50 m2: 60 mg twice daily (3 x 20 mg); CrCl 80 x 65 / 72 = 72.2 mL/min.

    >>> from hipectrial.protocol import load_protocol
    >>> p = load_protocol()
    >>> who = DosingParticipant(cohort="HER2-negative", dose_level="1", sex="male", age_years=60,
    ...                   height_cm=170, weight_kg=65, creatinine="88.4", creatinine_unit="umol/L")
    >>> rx = prescribe(protocol=p, participant=who, cycle=Cycle(phase="induction", number=1))
    >>> for dose in rx.doses:
    ...     print(dose.text)
    Oxaliplatin 230 mg IV day 1, over 120 min
    S-1 60 mg oral twice daily, days 1-14 (3 x 20 mg)
    Tislelizumab 200 mg IV day 1, over 60 min
    """
    participant = _check_participant(protocol, participant)
    phase, cycle = _phase(protocol, cycle)
    cohort_agents = {a.id for a in protocol.agents_for(participant.cohort)}
    available = [protocol.agent(a) for a in phase.agents if a in cohort_agents]
    chosen = _chosen(available, agents, f"phase {phase.id} gives to cohort {participant.cohort}")
    body = _measure(protocol, participant)
    loading = {a.id: _loading(protocol, participant, cycle, a) for a in chosen}
    return _assemble(protocol, participant, body, chosen, loading, phase=phase.id, cycle=cycle.number,
                     session=None, schedule_note=None)


def prescribe_hipec(*, protocol: Protocol, participant: DosingParticipant, session: str,
                    agents: Sequence[str] | None = None) -> Prescription:
    """The doses of one HIPEC session: each HIPEC agent at the participant's dose level.

    The HIPEC paclitaxel dose is the dose level's mg/m2 x BSA, rounded as its dose rule
    says (protocol-decisions.md "Study", Part A: L1 75, L2 125, L3 175 mg/m2).

    Raises
    ------
    InputError
        Unknown session, cohort or dose level, or an agent not given in HIPEC.

    Examples
    --------
    BSA 1.75 m2 at level 2: 125 x 1.75 = 218.75 -> 220 mg.

    >>> from hipectrial.protocol import load_protocol
    >>> who = DosingParticipant(cohort="HER2-positive", dose_level="2", sex="female", age_years=52,
    ...                   height_cm=170, weight_kg=65, creatinine="0.8", creatinine_unit="mg/dL")
    >>> rx = prescribe_hipec(protocol=load_protocol(), participant=who, session="diagnostic-laparoscopy")
    >>> rx.dose("hipec-paclitaxel").amount_mg
    Decimal('220')
    """
    participant = _check_participant(protocol, participant)
    sessions = {s.id: s for s in protocol.hipec.sessions}
    if session not in sessions:
        raise InputError("session", session, "one of " + ", ".join(sessions))
    cohort_agents = {a.id for a in protocol.agents_for(participant.cohort)}
    available = [protocol.agent(a) for a in protocol.hipec.agents if a in cohort_agents]
    chosen = _chosen(available, agents, f"given in HIPEC to cohort {participant.cohort}")
    body = _measure(protocol, participant)
    perfusion = protocol.hipec.perfusion
    note = (f"{sessions[session].label.en}: in {perfusion.volume_ml} mL {perfusion.carrier}, "
            f"inflow {amount_text(perfusion.inflow_temperature_c)} degC "
            f"(+/- {amount_text(perfusion.temperature_tolerance_c)}), {perfusion.duration_min} min, "
            f"{perfusion.flow_ml_min_min}-{perfusion.flow_ml_min_max} mL/min")
    return _assemble(protocol, participant, body, chosen, {}, phase=None, cycle=None, session=session,
                     schedule_note=note)
