"""Treatment of a simulated participant: HIPEC sessions and systemic cycles.

Every dose is the clinical engine's: :func:`~hipectrial.clinical.prescribe` /
:func:`~hipectrial.clinical.prescribe_hipec` compute it from the body measurements and the
dose state, and :func:`~hipectrial.clinical.decide_modifications` decides on each day 1,
from the AEs since the previous decision and the day-1 labs, whether each agent is given,
delayed (re-checked 7 days later), held, reduced or discontinued. Both are pure, so their
results are cached on their exact inputs (the same participant, body, labs and dose state
give the same prescription and decision).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hipectrial.clinical import decide_modifications, prescribe, prescribe_hipec
from hipectrial.clinical.body import body_limits
from hipectrial.clinical.dosing.inputs import (
    AgentState,
    AgentStatus,
    Attribution,
    Cycle,
    DosingParticipant,
    LabFindings,
    ParticipantDoseState,
    ToxicityEvent,
)
from hipectrial.clinical.dosing.modify_result import ModificationDecision
from hipectrial.clinical.dosing.result import Prescription
from hipectrial.clinical.engine_cache import (
    BoundedMemo,
    clear_memo_tables,
    memo_table,
    per_object,
    per_protocol,
)
from hipectrial.data import DoseAdministration
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import ActionKind
from hipectrial.simulate.course.common import Context, choose, days
from hipectrial.simulate.course.events import Episode, lab_qualifiers, toxicity_events
from hipectrial.simulate.course.labs import (
    ParticipantLab,
    lab_record,
    lab_specs,
    normal_sets,
    term_to_code,
    value_of_grade,
)
from hipectrial.simulate.scenario.course import CourseParameters

# Entries of one protocol's prescription / decision memo. A hit is nearly always the same
# participant again (the inputs carry their body and labs), so recent entries are what counts;
# a run of many trials in one process keeps at most this many (engine_cache.BoundedMemo).
MEMO_LIMIT = 4096


def day1_checks(protocol: Protocol) -> int:
    """Day-1 checks of one cycle before treatment stops (toxicity): the first check and one
    re-check per ``delay_days`` up to the protocol's ``max_delay_days`` (seed: 7 and 21 ->
    checks on days 0, 7, 14 and 21 of delay). A further delay would exceed the maximum; the
    dosing engine then discontinues the responsible agent, and the simulator ends treatment."""
    rt = protocol.dose_modifications.retreatment
    return rt.max_delay_days // rt.delay_days + 1


def _memo(protocol: Protocol, name: str) -> BoundedMemo[Any]:
    """A memo table of a pure function of ``protocol`` and the key (engine_cache: bounded,
    dropped with the protocol)."""
    return memo_table(protocol, f"simulate.{name}", MEMO_LIMIT)


def clear_memos(protocol: Protocol) -> None:
    """Empty ``protocol``'s memos keyed on a participant's inputs (prescriptions, decisions,
    the dosing engine's lab verdicts): a benchmark measures what a new seed costs."""
    clear_memo_tables(protocol)


def used_variables(protocol: Protocol) -> frozenset[str]:
    """The variables the day-1 criteria and the lab rules read: the only values a decision
    depends on, so the only ones given to it (and in its cache key); once per protocol."""
    return per_protocol(protocol, "simulate.used_variables", lambda: _used_variables(protocol))


def _used_variables(protocol: Protocol) -> frozenset[str]:
    mods = protocol.dose_modifications
    names: set[str] = set()
    for criterion in mods.retreatment.criteria:
        names |= criterion.expression.variables
    for rule in mods.rules:
        if rule.when.expression is not None:
            names |= rule.when.expression.variables
    return frozenset(names)


def _grade_probabilities(params: CourseParameters) -> tuple[tuple[float, ...], ...]:
    """Per AE rate, the probabilities of grades 1-4 (looked up once per scenario)."""
    return per_object(params, "simulate.grade_probabilities", lambda: tuple(
        tuple(rate.grade_probabilities.get(g, 0.0) for g in (1, 2, 3, 4))
        for rate in params.adverse_events))


def _age(ctx: Context) -> int:
    p = ctx.enrolment.profile
    born, on = p.birth_date, p.consent_date
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _state_key(state: ParticipantDoseState) -> tuple[object, ...]:
    return (tuple((a, s.reductions, s.status.value, s.start_dose, s.doses_given, s.delay_days)
                  for a, s in sorted(state.agents.items())), tuple(sorted(state.rule_history)))


def _prescription_state_key(state: ParticipantDoseState) -> tuple[object, ...]:
    """The dose state as a prescription reads it: ``delay_days`` is only validated there."""
    return (tuple((a, s.reductions, s.status.value, s.start_dose, s.doses_given)
                  for a, s in sorted(state.agents.items())), tuple(sorted(state.rule_history)))


class Treatment:
    """The dose state, AE episodes and lab values of one participant while treated."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        profile = ctx.enrolment.profile
        self.specs: dict[str, ParticipantLab] = lab_specs(ctx.protocol, dict(profile.labs))
        self.normal = normal_sets(ctx.rng, self.specs, 2)
        self.normal_index = 0
        self.codes = term_to_code(self.specs)
        self.agents: dict[str, AgentState] = {}
        self.rule_history: frozenset[str] = frozenset()
        self.episodes: list[Episode] = []
        self.last_check: dt.date | None = None
        self.dosing_weight: Decimal | None = None
        self.cohort_agents = {a.id for a in ctx.protocol.agents_for(ctx.cohort)}
        self.lvef = profile.lvef_percent

    # -- body, labs, engine calls ----------------------------------------------------------

    def _participant(self, creatinine: Decimal, state: ParticipantDoseState) -> DosingParticipant:
        p = self.ctx.enrolment.profile
        return DosingParticipant(cohort=self.ctx.cohort, dose_level=self.ctx.enrolment.dose_level,
                           sex=p.sex.value, age_years=_age(self.ctx), height_cm=p.height_cm,
                           weight_kg=self.ctx.weight_kg, creatinine=creatinine,
                           creatinine_unit=self.specs["CREAT"].unit if "CREAT" in self.specs else "umol/L",
                           dosing_weight_kg=self.dosing_weight, state=state)

    def state(self, active_override: bool = False) -> ParticipantDoseState:
        agents = self.agents
        if active_override:
            agents = {a: AgentState(s.reductions, AgentStatus.ACTIVE if s.status is AgentStatus.HELD
                                    else s.status, s.start_dose, s.doses_given, s.delay_days)
                      for a, s in agents.items()}
        return ParticipantDoseState(agents=agents, rule_history=self.rule_history)

    def _prescribe(self, creatinine: Decimal, state: ParticipantDoseState, phase: str | None, number: int,
                   late: int) -> Prescription:
        protocol = self.ctx.protocol
        days_late: dict[str, int] = {}
        if phase is not None and late and "trastuzumab" in self.cohort_agents \
                and "trastuzumab" in protocol.phase(phase).agents:
            days_late = {"trastuzumab": late}
        # The key is what ``prescribe`` reads: the days late only where it is given (a
        # trastuzumab phase), the dose state as it reads it (``_prescription_state_key``).
        key = (self.ctx.cohort, self.ctx.enrolment.dose_level,
               self.ctx.enrolment.profile.sex, _age(self.ctx), self.ctx.enrolment.profile.height_cm,
               self.ctx.weight_kg, creatinine, self.dosing_weight, _prescription_state_key(state), phase,
               number if phase is None else min(number, 2), days_late.get("trastuzumab", 0))
        memo = _memo(protocol, "prescriptions")
        rx = memo.get(key)
        if rx is None:
            who = self._participant(creatinine, state)
            if phase is None:
                rx = prescribe_hipec(protocol=protocol, participant=who,
                                     session=("diagnostic-laparoscopy", "conversion-surgery")[number - 1])
            else:
                phase_def = protocol.phase(phase)
                cycle_number = number if phase_def.cycles is None else min(number, phase_def.cycles)
                rx = prescribe(protocol=protocol, participant=who,
                               cycle=Cycle(phase=phase, number=cycle_number, days_late=days_late))
            memo.put(key, rx)
        return rx

    def _decide(self, state: ParticipantDoseState, events: tuple[ToxicityEvent, ...], labs: LabFindings,
                phase: str) -> ModificationDecision:
        event_key = tuple((e.term, e.grade, tuple(sorted(e.attribution.items())), e.occurrence,
                           tuple(sorted(e.qualifiers.items()))) for e in events)
        key = (self.ctx.cohort, phase, _state_key(state), event_key,
               tuple(sorted(labs.values.items())), tuple(sorted(labs.attribution.items())),
               tuple(sorted(labs.qualifiers.items())))
        memo = _memo(self.ctx.protocol, "decisions")
        decision = memo.get(key)
        if decision is None:
            decision = decide_modifications(protocol=self.ctx.protocol, cohort=self.ctx.cohort,
                                            state=state, events=events,
                                            labs=labs, phase=phase)
            memo.put(key, decision)
        return decision

    def day1_labs(self, when: dt.date) -> dict[str, Decimal]:
        """The labs of a day-1 check: the participant's grade-0 values, or the grade of an
        AE episode ongoing that day; recorded as LabResults (a missing value is not)."""
        rng = self.ctx.rng
        if float(rng.random()) < 0.3:   # the participant's steady state drifts now and then
            self.normal_index = int(rng.integers(len(self.normal)))
        values = dict(self.normal[self.normal_index])
        for e in self.episodes:
            if e.lab_code in values and e.ongoing(when):
                graded = value_of_grade(self.specs[e.lab_code], e.grade, rng)
                if graded is not None:
                    values[e.lab_code] = graded
        missing = self.ctx.params.missing_lab_probability
        for code in list(values):
            if missing and float(rng.random()) < missing:
                del values[code]
                continue
            self.ctx.records.labs.append(lab_record(self.ctx.pid, self.specs[code], values[code], when))
        return values

    def _findings(self, values: dict[str, Decimal], crcl: Decimal, when: dt.date) -> LabFindings:
        known = used_variables(self.ctx.protocol)
        found: dict[str, object] = {}
        for code, value in values.items():
            spec = self.specs[code]
            if spec.variable in known:
                found[spec.variable] = value
            uln = f"{spec.variable}_uln"
            if spec.upper is not None and uln in known and code in ("ALT", "AST", "BILI"):
                found[uln] = spec.upper
        if "crcl" in known:
            found["crcl"] = crcl
        nonhaem = [e.grade for e in self.episodes if e.ongoing(when) and e.lab_code is None
                   and not e.neuropathy and e.term != "Febrile neutropenia"]
        neuro = [e.grade for e in self.episodes if e.ongoing(when) and e.neuropathy]
        if "nonhaem_toxicity_grade" in known:
            found["nonhaem_toxicity_grade"] = max(nonhaem, default=0)
        if "sensory_neuropathy_grade" in known:
            found["sensory_neuropathy_grade"] = max(neuro, default=0)
        if self.lvef is not None and "trastuzumab" in self.cohort_agents and "lvef" in known:
            found["lvef"] = self.lvef
            found["lvef_lln"] = Decimal(50)
            found["lvef_change"] = Decimal(0)
        related = {a for e in self.episodes if e.ongoing(when) for a, v in e.attribution.items()
                   if v.related}
        attribution = {a: Attribution.POSSIBLE if a in related else Attribution.UNLIKELY
                       for a in sorted(self.cohort_agents)}
        return LabFindings(values=found, attribution=attribution,
                           qualifiers=lab_qualifiers(self.ctx.protocol, self.episodes, when))

    # -- HIPEC ------------------------------------------------------------------------------

    def hipec(self, when: dt.date, session: int) -> None:
        """One HIPEC session (1 = day 0, 2 = conversion surgery): the prescribed dose, given."""
        creatinine = self.normal[0].get("CREAT", Decimal(75))
        rx = self._prescribe(creatinine, self.state(), None, session, 0)
        for dose in rx.doses:
            amount = dose.amount_mg or Decimal(0)
            self.ctx.records.doses.append(DoseAdministration(
                participant_id=self.ctx.pid, agent=dose.agent, date=when, prescribed=dose.amount_mg,
                given=amount, unit="mg"))
        self.ctx.last_dose = when

    # -- systemic cycles --------------------------------------------------------------------

    def update_weight(self) -> None:
        sd = self.ctx.params.weight_change_sd_percent
        rng = self.ctx.rng
        if sd > 0 and float(rng.random()) < self.ctx.params.weight_change_probability:
            change = float(rng.normal(0.0, sd)) / 100.0
            new = float(self.ctx.weight_kg) * (1.0 + change)
            low, high = body_limits(self.ctx.protocol).weight_kg   # the CRF's weight_kg range
            weight = (Decimal(repr(new)) * 2).quantize(Decimal(1), ROUND_HALF_UP) / 2
            self.ctx.weight_kg = min(high, max(low, weight)).quantize(Decimal("0.1"))

    def day1(self, phase: str, number: int, when: dt.date, late: int) -> str:
        """One day-1 check. Returns ``given``, ``delayed`` or ``stopped`` (no agent left)."""
        values = self.day1_labs(when)
        creatinine = values.get("CREAT", self.normal[0].get("CREAT", Decimal(75)))
        state = self.state()
        rx0 = self._prescribe(creatinine, state, phase, number, late)
        if self.dosing_weight is None or rx0.recalculated:
            self.dosing_weight = rx0.dosing_weight_kg
        for dose in rx0.doses:
            if dose.new_reductions:
                old = self.agents.get(dose.agent, AgentState())
                self.agents[dose.agent] = AgentState(old.reductions + dose.new_reductions, old.status,
                                                     old.start_dose, old.doses_given, old.delay_days)
        self.rule_history = self.rule_history | frozenset(rx0.rules_applied)
        events = toxicity_events(self.ctx.protocol, self.episodes, self.last_check, when, self.episodes)
        labs = self._findings(values, rx0.crcl.crcl_ml_min, when)
        decision = self._decide(self.state(), events, labs, phase)
        self.rule_history = self.rule_history | frozenset(decision.rules_applied)
        self.last_check = when
        phase_agents = [a for a in self.ctx.protocol.phase(phase).agents if a in self.cohort_agents]
        withheld: dict[str, str] = {}
        delayed_all = True
        for d in decision.agents:
            old = self.agents.get(d.agent, AgentState())
            status = old.status
            why = ", ".join(d.rules) or d.action.value
            if d.action is ActionKind.DISCONTINUE:
                if status is not AgentStatus.DISCONTINUED:
                    withheld[d.agent] = f"discontinued ({why})"
                    self._mark_discontinuation(d.agent, when)
                status = AgentStatus.DISCONTINUED
            elif d.action in (ActionKind.DELAY, ActionKind.HOLD) or d.delay_days:
                withheld[d.agent] = f"{'delayed' if d.delay_days else 'held'} ({why})"
            else:
                delayed_all = False
            self.agents[d.agent] = AgentState(d.reductions_after, status, old.start_dose,
                                              old.doses_given,
                                              d.cumulative_delay_days if d.agent in withheld else 0)
        active = [a for a in phase_agents if self.agents.get(a, AgentState()).status
                  is not AgentStatus.DISCONTINUED]
        if not active:
            return "stopped"
        retreat_failed = decision.retreatment is not None and bool(decision.retreatment.failed)
        if retreat_failed or (delayed_all and all(a in withheld for a in active)):
            return "delayed"
        rx = self._prescribe(creatinine, self.state(active_override=True), phase, number, late)
        self._record_cycle(rx, phase, number, when, withheld, decision)
        return "given"

    def _mark_discontinuation(self, agent: str, when: dt.date) -> None:
        for e in reversed(self.episodes):
            if agent in e.attribution and e.attribution[agent].related and e.onset <= when:
                e.led_to_discontinuation = True
                return

    def _record_cycle(self, rx: Prescription, phase: str, number: int, when: dt.date,
                      withheld: dict[str, str], decision: ModificationDecision) -> None:
        given_agents: list[str] = []
        for dose in rx.doses:
            state = self.agents.get(dose.agent, AgentState())
            if dose.agent in withheld and state.status is AgentStatus.DISCONTINUED \
                    and not withheld[dose.agent].startswith("discontinued"):
                continue   # stopped at an earlier cycle: no more records
            if state.status is AgentStatus.DISCONTINUED and dose.agent not in withheld:
                continue
            reason: str | None = None
            given = dose.amount_mg or Decimal(0)
            if dose.agent in withheld:
                reason, given = withheld[dose.agent], Decimal(0)
            elif not dose.given:
                reason, given = dose.reason or dose.status.value, Decimal(0)
            else:
                decided = decision.agent(dose.agent) if any(
                    d.agent == dose.agent for d in decision.agents) else None
                if decided is not None and decided.action is ActionKind.REDUCE:
                    reason = f"dose reduced ({', '.join(decided.rules)})"
                given_agents.append(dose.agent)
                count = state.doses_given or 0
                self.agents[dose.agent] = AgentState(state.reductions, AgentStatus.ACTIVE,
                                                     state.start_dose, min(count + 1, 1), 0)
            self.ctx.records.doses.append(DoseAdministration(
                participant_id=self.ctx.pid, agent=dose.agent, date=when, prescribed=dose.amount_mg,
                given=given, unit="mg", phase=phase, cycle=number, day=1, change_reason=reason))
        if given_agents:
            self.ctx.last_dose = when
            self._draw_aes(when, given_agents)

    def _draw_aes(self, start: dt.date, given: list[str]) -> None:
        rng, params = self.ctx.rng, self.ctx.params
        for rate, probabilities in zip(params.adverse_events, _grade_probabilities(params),
                                       strict=True):
            grade_index = choose(rng, probabilities)
            if grade_index is None:
                continue
            related = [a for a in rate.attributed_to if a in given]
            if not related:
                continue
            grade = grade_index + 1
            onset = start + days(int(rng.integers(2, 16)))
            # Exponential durations, capped at three times the mean (no life-long episodes).
            length = max(1, min(round(float(rng.exponential(rate.duration_days))),
                                3 * rate.duration_days))
            judged = float(rng.random())
            if judged < rate.unrelated_probability:
                attribution = dict.fromkeys(related, Attribution.UNRELATED)
            elif judged < rate.unrelated_probability + rate.unlikely_probability:
                attribution = dict.fromkeys(related, Attribution.UNLIKELY)
            else:
                attribution = {a: Attribution.POSSIBLE if i else Attribution.PROBABLE
                               for i, a in enumerate(related)}
            sequelae = bool(rate.sequelae_probability) and float(rng.random()) < rate.sequelae_probability
            self.add_episode(Episode(
                term=rate.term, grade=grade, onset=onset, resolution=onset + days(length),
                attribution=attribution,
                # an immune-related AE is one the PD-1 antibody caused: not when judged unrelated
                immune_related=rate.immune_related and attribution[related[0]].related,
                serious=grade >= rate.serious_if_grade_at_least,
                neuropathy=rate.term == "Peripheral sensory neuropathy", sequelae=sequelae))

    def add_episode(self, episode: Episode) -> None:
        """Keep an episode; a lab-defined one also gets its lab value at onset (its nadir)."""
        code = self.codes.get(episode.term)
        episode.lab_code = code
        self.episodes.append(episode)
        if code is not None:
            value = value_of_grade(self.specs[code], episode.grade, self.ctx.rng)
            if value is not None:
                self.ctx.records.labs.append(lab_record(self.ctx.pid, self.specs[code], value,
                                                        episode.onset))

    def draw_dlt(self, start: dt.date, end: dt.date, flag: bool) -> Episode:
        """One DLT-qualifying event between ``start`` and ``end`` (the DLT window)."""
        rng, params = self.ctx.rng, self.ctx.params
        weights = [e.weight for e in params.dlt_events]
        total = sum(weights)
        kind = params.dlt_events[choose(rng, [w / total for w in weights]) or 0]
        span = max(0, (end - start).days)
        onset = start + days(int(rng.integers(0, span + 1)))
        attribution = {a: Attribution.PROBABLE if i == 0 else Attribution.POSSIBLE
                       for i, a in enumerate(a for a in kind.attributed_to if a in self.cohort_agents)}
        episode = Episode(term=kind.term, grade=kind.grade, onset=onset, resolution=onset + days(7),
                          attribution=attribution, serious=True, dlt=flag)
        self.add_episode(episode)
        if kind.term == "Febrile neutropenia" and "NEUT" in self.specs:
            self.add_episode(Episode(term=self.specs["NEUT"].term or "Neutrophil count decreased",
                                     grade=4, onset=onset, resolution=onset + days(5),
                                     attribution=dict(attribution), serious=False))
        return episode
