"""Dose modification: from the adverse events and lab findings since the previous cycle and
the dose state, decide per agent whether to give, delay, hold, reduce or discontinue.

Every rule is the protocol's (``dose_modifications.rules``): a CTCAE term at a grade with
occurrence and qualifier, or a CEL expression over lab and derived values. Conditions are
three-valued: a rule that cannot be decided (a missing lab, an unanswered qualifier, an
unrecorded occurrence or attribution) is reported with what is missing and the action it
would take; it is never treated as false. Rules acting by attribution modify only agents
the finding is at least possibly related to. Conflicts resolve by the protocol's
``precedence`` (the safer action; of two reductions the larger). Reductions are permanent
and counted; beyond ``max_reductions`` or the ladder the agent is discontinued. The day-1
retreatment criteria must all hold, else the agents are delayed ``delay_days`` and
re-checked; a cumulative delay beyond ``max_delay_days`` discontinues the responsible agent.

References
----------
shared/reference/protocol-decisions.md, "Day-1 retreatment criteria", "Dose modification",
"Dose levels"; clinical.md §2.4, §2.5, §1.3.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from hipectrial.clinical.dosing.conditions import (
    ConditionVerdict,
    attribution_verdict,
    combine,
    event_verdict,
    lab_verdict,
)
from hipectrial.clinical.dosing.inputs import (
    AgentStatus,
    LabFindings,
    ParticipantDoseState,
    ToxicityEvent,
    check_attribution,
    check_cohort,
    check_event,
    check_qualifiers,
    check_state,
    normal_text,
)
from hipectrial.clinical.dosing.modify_result import (
    MAX_DELAY,
    RETREATMENT,
    AgentDecision,
    CriterionVerdict,
    ModificationDecision,
    RetreatmentCheck,
    RuleFiring,
)
from hipectrial.clinical.dosing.rules import amount_text, reduced_rung
from hipectrial.clinical.engine_cache import per_protocol
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol, Truth
from hipectrial.protocol.regimen import ActionKind, Agent, DoseBasis, ModificationRule

__all__ = ["AgentDecision", "ModificationDecision", "RetreatmentCheck", "RuleFiring", "decide_modifications"]

_RANK_TRUTH = {Truth.TRUE: 0, Truth.UNKNOWN: 1, Truth.FALSE: 2}


def _rule_terms(protocol: Protocol) -> tuple[tuple[str | None, ...], frozenset[str], int]:
    """Per rule its CTCAE term as compared (``normal_text``) or None for a lab rule; the set
    of those terms; how many rules name a term. Depends only on the protocol's rules, so it
    is computed once per protocol (engine_cache)."""
    rules = protocol.dose_modifications.rules
    terms = tuple(None if r.when.ctcae_term is None else normal_text(r.when.ctcae_term) for r in rules)
    return terms, frozenset(t for t in terms if t is not None), sum(1 for r in rules if r.when.ctcae_term)


def _firing(rule: ModificationRule, agent_id: str, verdict: ConditionVerdict) -> RuleFiring:
    action = rule.actions[agent_id]
    return RuleFiring(rule.id, rule.category, agent_id, action.action, action.levels, verdict.truth,
                      verdict.because, verdict.missing, rule.source, rule.resume)


def _agents(protocol: Protocol, cohort: str, phase: str | None) -> list[Agent]:
    """The systemic agents the participant receives (those of ``phase`` when given)."""
    agents = [a for a in protocol.agents_for(cohort) if a.schedule is not None]
    if phase is None:
        return agents
    known = [p.id for p in protocol.phases]
    if phase not in known:
        raise InputError("phase", phase, "one of " + ", ".join(known))
    given = protocol.phase(phase).agents
    return [a for a in agents if a.id in given]


def _check_labs(protocol: Protocol, labs: object) -> LabFindings:
    if not isinstance(labs, LabFindings):
        raise InputError("labs", labs, "a LabFindings")
    for name in labs.values:
        if name not in protocol.scope.variables:
            raise InputError(f"labs.values[{name!r}]", name, "a variable the protocol declares")
    check_attribution("labs.attribution", protocol, labs.attribution)
    check_qualifiers("labs.qualifiers", labs.qualifiers)
    return labs


def _rule_firings(protocol: Protocol, rule: ModificationRule, targets: list[str],
                  events: Sequence[ToxicityEvent], labs: LabFindings,
                  state: ParticipantDoseState) -> list[RuleFiring]:
    """Every (agent, truth) the rule gives: the strongest per agent over the events."""
    best: dict[str, RuleFiring] = {}

    def keep(agent_id: str, verdict: ConditionVerdict) -> None:
        firing = _firing(rule, agent_id, verdict)
        old = best.get(agent_id)
        if old is None or _RANK_TRUTH[firing.truth] < _RANK_TRUTH[old.truth]:
            best[agent_id] = firing

    if rule.when.ctcae_term is not None:
        for event in events:
            condition = event_verdict(rule.when, event)
            if condition.truth is Truth.FALSE:
                continue
            for agent_id in targets:
                verdict = combine(condition, attribution_verdict(rule, agent_id, event.attribution))
                if verdict.truth is not Truth.FALSE or condition.truth is Truth.TRUE:
                    keep(agent_id, verdict)
    else:
        # A false condition is dropped below, so it need not be put into words.
        condition = lab_verdict(protocol, rule, labs.values, labs.qualifiers, state.rule_history,
                                explain_false=False)
        if condition.truth is not Truth.FALSE:
            for agent_id in targets:
                verdict = combine(condition, attribution_verdict(rule, agent_id, labs.attribution))
                if verdict.truth is not Truth.FALSE or condition.truth is Truth.TRUE:
                    keep(agent_id, verdict)
    return list(best.values())


def _retreatment(protocol: Protocol, labs: LabFindings) -> RetreatmentCheck:
    rt = protocol.dose_modifications.retreatment
    verdicts = []
    for criterion in rt.criteria:
        v = protocol.scope.truth(criterion.expression, labs.values)
        used = ", ".join(f"{k} {val}" for k, val in v.used.items())
        source = criterion.expression.source.strip()
        if v.truth is Truth.UNKNOWN:
            because = f"{source}: cannot be decided without {', '.join(v.missing)}"
        else:
            because = f"{used}: {source} {'holds' if v.truth is Truth.TRUE else 'does not hold'}"
        verdicts.append(CriterionVerdict(criterion.id, criterion.text, v.truth, v.missing, because))
    truth = (Truth.FALSE if any(v.truth is Truth.FALSE for v in verdicts)
             else Truth.UNKNOWN if any(v.truth is Truth.UNKNOWN for v in verdicts) else Truth.TRUE)
    return RetreatmentCheck(truth, tuple(verdicts), rt.delay_days, rt.max_delay_days)


def _retreatment_firings(check: RetreatmentCheck, agent_id: str) -> list[RuleFiring]:
    if check.truth is Truth.TRUE:
        return []
    source = "protocol dose_modifications.retreatment (day-1 criteria)"
    if check.truth is Truth.FALSE:
        because = "day-1 criteria not met: " + "; ".join(f"{c.id} ({c.because})" for c in check.failed)
        return [RuleFiring(RETREATMENT, "retreatment", agent_id, ActionKind.DELAY, None, Truth.TRUE, because,
                           (), source, f"re-check after {check.delay_days} days")]
    missing = tuple(dict.fromkeys(m for c in check.undecided for m in c.missing))
    because = "day-1 criteria undecided: " + "; ".join(f"{c.id} ({c.because})" for c in check.undecided)
    return [RuleFiring(RETREATMENT, "retreatment", agent_id, ActionKind.DELAY, None, Truth.UNKNOWN, because,
                       missing, source, f"re-check after {check.delay_days} days")]


def _max_delay(protocol: Protocol, agent_id: str, fired: list[RuleFiring], labs: LabFindings,
               state: ParticipantDoseState) -> RuleFiring | None:
    """Discontinue the agent when its delay would exceed the maximum and it is responsible."""
    rt = protocol.dose_modifications.retreatment
    delays = [f for f in fired if f.action is ActionKind.DELAY and f.truth is Truth.TRUE]
    if not delays:
        return None
    so_far = state.agent(agent_id).delay_days
    total = so_far + rt.delay_days
    if total <= rt.max_delay_days:
        return None
    head = (f"delayed {so_far} days so far; a further {rt.delay_days} days makes {total} > "
            f"{rt.max_delay_days} (maximum)")
    source = "protocol dose_modifications.retreatment.max_delay_days (discontinue the responsible agent)"

    def firing(truth: Truth, why: str, missing: tuple[str, ...] = ()) -> RuleFiring:
        return RuleFiring(MAX_DELAY, "retreatment", agent_id, ActionKind.DISCONTINUE, None, truth,
                          f"{head}; {why}", missing, source, None)

    own = [f.rule for f in delays if f.rule != RETREATMENT]
    if own:
        return firing(Truth.TRUE, f"{agent_id} is delayed by rule {', '.join(own)}, so it is responsible")
    attribution = labs.attribution.get(agent_id)
    if attribution is None:
        return firing(Truth.UNKNOWN, f"attribution of the findings to {agent_id} not recorded",
                      (f"attribution to {agent_id}",))
    if attribution.related:
        return firing(Truth.TRUE, f"the findings' attribution to {agent_id} is {attribution.value}")
    return firing(Truth.FALSE, f"the findings' attribution to {agent_id} is {attribution.value}: "
                  "not the responsible agent, it stays delayed")


def _resolve(protocol: Protocol, firings: Sequence[RuleFiring]) -> tuple[ActionKind, int | None]:
    if not firings:
        return ActionKind.GIVE, None
    order = protocol.dose_modifications.precedence
    rank = {kind: i for i, kind in enumerate(order)}
    best = min((f.action for f in firings), key=lambda k: rank.get(k, len(order)))
    if best is ActionKind.REDUCE:
        return best, max(f.levels or 1 for f in firings if f.action is ActionKind.REDUCE)
    return best, None


def _start(agent: Agent, state: ParticipantDoseState) -> Decimal | None:
    recorded = state.agent(agent.id).start_dose
    if recorded is not None:
        return recorded
    if agent.dose.basis in (DoseBasis.BSA_BANDS, DoseBasis.DOSE_LEVEL):
        return None  # depends on the BSA or the dose level: the prescription knows it
    return agent.dose.amount


def _ladder(agent: Agent, state: ParticipantDoseState, action: ActionKind, levels: int | None,
            steps: list[str]
            ) -> tuple[ActionKind, int, Decimal | None, Decimal | None]:
    """Apply a reduction to the ladder: the action, reductions after, the rungs before/after."""
    before = state.agent(agent.id).reductions
    after = before + (levels or 0) if action is ActionKind.REDUCE else before
    reduction = agent.reduction
    if reduction is None:
        return action, after, None, None
    start = _start(agent, state)
    if action is ActionKind.REDUCE and after > reduction.max_reductions:
        steps.append(f"{after} reductions exceed the protocol's maximum of {reduction.max_reductions}: "
                     f"{agent.id} is discontinued")
        return ActionKind.DISCONTINUE, after, None, None
    if start is None:
        if action is ActionKind.REDUCE:
            steps.append(f"{after} permanent reduction(s) from the start dose; the start dose is not "
                         "recorded, so the prescription applies them to the band or level dose")
        return action, after, None, None
    rung_before = reduced_rung(agent_id=agent.id, reduction=reduction, start=start, reductions=before)
    rung_after = reduced_rung(agent_id=agent.id, reduction=reduction, start=start, reductions=after)
    if action is ActionKind.REDUCE:
        steps.extend(rung_after.steps)
        if rung_after.amount is None:
            return ActionKind.DISCONTINUE, after, rung_before.amount, None
    if action is ActionKind.DISCONTINUE:
        return action, after, rung_before.amount, None
    return action, after, rung_before.amount, rung_after.amount


def _decide_agent(protocol: Protocol, agent: Agent, firings: list[RuleFiring], check: RetreatmentCheck | None,
                  labs: LabFindings, state: ParticipantDoseState) -> AgentDecision:
    agent_state = state.agent(agent.id)
    unit = agent.reduction.unit if agent.reduction is not None else None
    steps: list[str] = []
    if agent_state.status is AgentStatus.DISCONTINUED:
        steps.append(f"{agent.id} was discontinued before; it stays discontinued")
        return AgentDecision(agent.id, ActionKind.DISCONTINUE, None, agent_state.reductions,
                             agent_state.reductions, None, None, unit, 0, agent_state.delay_days, (), (), (),
                             ActionKind.DISCONTINUE, tuple(steps))
    if check is not None:
        firings = firings + _retreatment_firings(check, agent.id)
    fired = [f for f in firings if f.truth is Truth.TRUE]
    pending = [f for f in firings if f.truth is Truth.UNKNOWN]
    not_attributed = [f for f in firings if f.truth is Truth.FALSE]
    stop = _max_delay(protocol, agent.id, fired, labs, state)
    if stop is not None:
        {Truth.TRUE: fired, Truth.UNKNOWN: pending, Truth.FALSE: not_attributed}[stop.truth].append(stop)
    for f in fired:
        steps.append(f"{f.rule} ({f.category}): {f.because} -> {f.action_text}")
    for f in not_attributed:
        steps.append(f"{f.rule}: {f.because} -> not applied to {agent.id}")
    for f in pending:
        steps.append(f"{f.rule}: undecided ({f.because}); would {f.action_text}")
    action, levels = _resolve(protocol, fired)
    if len({f.action for f in fired}) > 1 or sum(f.action is ActionKind.REDUCE for f in fired) > 1:
        order = " > ".join(k.value for k in protocol.dose_modifications.precedence)
        chosen = f"reduce {levels} level(s)" if action is ActionKind.REDUCE else action.value
        steps.append(f"rules conflict; precedence {order} (of two reductions the larger): {chosen}")
    action, after, dose_before, dose_after = _ladder(agent, state, action, levels, steps)
    worst, worst_levels = _resolve(protocol, fired + pending)
    worst = _ladder(agent, state, worst, worst_levels, [])[0]
    delayed = action is not ActionKind.DISCONTINUE and any(f.action is ActionKind.DELAY for f in fired)
    delay = protocol.dose_modifications.retreatment.delay_days if delayed else 0
    if not fired:
        level = " at the current level" if after else " at full dose"
        undecided = f" ({len(pending)} rule(s) undecided: see pending)" if pending else ""
        steps.append(f"no rule fired: give {agent.id}{level}{undecided}")
    if dose_after is not None and unit is not None:
        steps.append(f"{agent.id} dose level: {amount_text(dose_after)} {unit} ({after} reduction(s))")
    return AgentDecision(agent.id, action, levels if action is ActionKind.REDUCE else None,
                         agent_state.reductions, after, dose_before, dose_after, unit, delay,
                         agent_state.delay_days + delay, tuple(fired), tuple(pending), tuple(not_attributed),
                         worst, tuple(steps))


def decide_modifications(*, protocol: Protocol, cohort: str, state: ParticipantDoseState,
                         events: Sequence[ToxicityEvent] = (), labs: LabFindings | None = None,
                         phase: str | None = None, check_retreatment: bool = True) -> ModificationDecision:
    """Decide per agent what to do before the next dose, by the protocol's rules.

    Parameters
    ----------
    protocol
        The loaded protocol (``dose_modifications``, agents and their ladders).
    cohort
        The participant's cohort (which agents they receive).
    state
        The dose state: reductions, status and cumulative delay per agent; rules applied
        before (for once-only lab rules).
    events
        Adverse events since the previous cycle at their worst grade (CTCAE v5.0).
    labs
        Lab and derived values (protocol variable names), their attribution and the
        answers to lab rules' qualifiers.
    phase
        Limit the decision to the agents of this phase.
    check_retreatment
        Apply the day-1 retreatment criteria (the decision is for a day 1).

    Returns
    -------
    ModificationDecision
        Per agent the action, the rules that fired, those undecided, and the steps.

    Raises
    ------
    InputError
        An unknown cohort, phase, agent or variable; a malformed event.

    Examples
    --------
    Grade 3 diarrhoea, first episode, probably related to S-1 and unlikely to oxaliplatin
    (clinical.md §2.4: S-1 -1 level; oxaliplatin only by attribution):

    >>> from hipectrial.protocol import load_protocol
    >>> from hipectrial.clinical.dosing.inputs import Attribution
    >>> event = ToxicityEvent(term="Diarrhea", grade=3, occurrence="first",
    ...                       attribution={"s-1": Attribution.PROBABLE, "oxaliplatin": Attribution.UNLIKELY})
    >>> d = decide_modifications(protocol=load_protocol(), cohort="HER2-negative",
    ...                          state=ParticipantDoseState(), events=[event], check_retreatment=False)
    >>> d.agent("s-1").action, d.agent("s-1").rules, d.agent("oxaliplatin").action
    (<ActionKind.REDUCE: 'reduce'>, ('diarrhoea-g3',), <ActionKind.GIVE: 'give'>)
    """
    check_cohort(protocol, cohort)
    check_state(protocol, state)
    checked = [check_event(protocol, i, e) for i, e in enumerate(events)]
    findings = _check_labs(protocol, labs if labs is not None else LabFindings())
    agents = _agents(protocol, cohort, phase)
    active = [a.id for a in agents if state.agent(a.id).status is not AgentStatus.DISCONTINUED]
    per_agent: dict[str, list[RuleFiring]] = {a.id: [] for a in agents}
    terms, term_set, named = per_protocol(protocol, "modify.rule_terms", lambda: _rule_terms(protocol))
    event_terms = [normal_text(e.term) for e in checked]
    for rule, term in zip(protocol.dose_modifications.rules, terms, strict=True):
        # A term rule is FALSE for every event of another term (event_verdict), so it is
        # only evaluated on the events of its own term: same firings, same order.
        if term is not None and term not in event_terms:
            continue
        targets = [a for a in rule.actions if a in active]
        if targets:
            matching = checked if term is None else [e for e, t in zip(checked, event_terms, strict=True)
                                                     if t == term]
            for firing in _rule_firings(protocol, rule, targets, matching, findings, state):
                per_agent[firing.agent].append(firing)
    unmatched = tuple(f"{e.term} grade {e.grade}" for e, t in zip(checked, event_terms, strict=True)
                      if t not in term_set)
    check = _retreatment(protocol, findings) if check_retreatment else None
    decisions = tuple(_decide_agent(protocol, a, per_agent[a.id], check, findings, state) for a in agents)
    pseudo = (RETREATMENT, MAX_DELAY)
    applied = tuple(dict.fromkeys(f.rule for d in decisions for f in d.fired if f.rule not in pseudo))
    steps: list[str] = []
    if check is not None:
        steps.append(f"day-1 retreatment criteria: {check.truth.value}")
        steps.extend(f"  {c.id}: {c.because}" for c in check.criteria if c.truth is not Truth.TRUE)
    for text in unmatched:
        steps.append(f"{text}: no rule of the protocol is about this term (rule terms: {named}); "
                     "the investigator decides")
    return ModificationDecision(protocol.study.id, cohort, decisions, check, unmatched, applied, tuple(steps))
