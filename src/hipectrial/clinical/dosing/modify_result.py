"""What a dose-modification decision says: per agent the action, every rule that fired,
what could not be decided, and the day-1 retreatment check.

Result values of :func:`hipectrial.clinical.dosing.modify.decide_modifications`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hipectrial.protocol import Truth
from hipectrial.protocol.regimen import ActionKind

# Pseudo-rule ids for actions that come from the day-1 retreatment criteria, not a rule.
RETREATMENT = "retreatment"
MAX_DELAY = "retreatment-max-delay"


@dataclass(frozen=True, slots=True)
class RuleFiring:
    """One rule acting (or possibly acting) on one agent.

    ``truth`` is TRUE when the rule applies, UNKNOWN when it would apply if what is named
    in ``missing`` turned out so (a missing lab value, an unanswered qualifier, an
    unrecorded occurrence or attribution), FALSE when its condition held but the event is
    not attributed to the agent. ``rule`` is the protocol rule id, or ``retreatment`` /
    ``retreatment-max-delay`` for the day-1 criteria.
    """

    rule: str
    category: str
    agent: str
    action: ActionKind
    levels: int | None
    truth: Truth
    because: str
    missing: tuple[str, ...]
    source: str
    resume: str | None

    @property
    def action_text(self) -> str:
        if self.action is ActionKind.REDUCE:
            return f"reduce {self.levels} level{'s' if self.levels != 1 else ''}"
        return self.action.value


@dataclass(frozen=True, slots=True)
class CriterionVerdict:
    """One day-1 retreatment criterion: holds, does not hold, or cannot be decided."""

    id: str
    text: str
    truth: Truth
    missing: tuple[str, ...]
    because: str


@dataclass(frozen=True, slots=True)
class RetreatmentCheck:
    """The day-1 retreatment criteria: all must hold, else delay ``delay_days`` and re-check."""

    truth: Truth
    criteria: tuple[CriterionVerdict, ...]
    delay_days: int
    max_delay_days: int

    @property
    def failed(self) -> tuple[CriterionVerdict, ...]:
        return tuple(c for c in self.criteria if c.truth is Truth.FALSE)

    @property
    def undecided(self) -> tuple[CriterionVerdict, ...]:
        return tuple(c for c in self.criteria if c.truth is Truth.UNKNOWN)


@dataclass(frozen=True, slots=True)
class AgentDecision:
    """The decision for one agent before its next dose.

    ``action`` resolves the rules that fired by the protocol's precedence (the safer wins;
    of two reductions the larger). A reduction beyond the ladder or beyond
    ``max_reductions`` becomes ``discontinue``. ``dose_before``/``dose_after`` are ladder
    rungs (in ``dose_unit``) when the start dose is known. ``delay_days`` is the delay now
    (re-check after it) and ``cumulative_delay_days`` the delay of this dose so far.
    ``pending`` lists rules that could not be decided and ``worst_case`` the action if
    they all held: a decision with pending rules needs a clinician before it is used.
    """

    agent: str
    action: ActionKind
    levels: int | None
    reductions_before: int
    reductions_after: int
    dose_before: Decimal | None
    dose_after: Decimal | None
    dose_unit: str | None
    delay_days: int
    cumulative_delay_days: int
    fired: tuple[RuleFiring, ...]
    pending: tuple[RuleFiring, ...]
    not_attributed: tuple[RuleFiring, ...]
    worst_case: ActionKind
    steps: tuple[str, ...]

    @property
    def decided(self) -> bool:
        """No rule acting on this agent is left undecided."""
        return not self.pending

    @property
    def rules(self) -> tuple[str, ...]:
        """Ids of every rule that fired for this agent."""
        return tuple(dict.fromkeys(f.rule for f in self.fired))


@dataclass(frozen=True, slots=True)
class ModificationDecision:
    """Per agent what to do before the next dose, and why.

    ``unmatched_events`` are events no rule of the protocol is about (the investigator
    decides; the protocol's catch-all rule applies only to events recorded under its
    term). ``rules_applied`` are the protocol rules that fired (add them to the dose
    state's ``rule_history``).
    """

    protocol_id: str
    cohort: str
    agents: tuple[AgentDecision, ...]
    retreatment: RetreatmentCheck | None
    unmatched_events: tuple[str, ...]
    rules_applied: tuple[str, ...]
    steps: tuple[str, ...]

    def agent(self, agent_id: str) -> AgentDecision:
        """The decision for ``agent_id``; ``KeyError`` when there is none."""
        for decision in self.agents:
            if decision.agent == agent_id:
                return decision
        raise KeyError(agent_id)

    @property
    def unknown(self) -> tuple[RuleFiring, ...]:
        """Every rule (and retreatment check) that could not be decided, per agent."""
        return tuple(f for d in self.agents for f in d.pending)

    @property
    def complete(self) -> bool:
        """Nothing undecided: no pending rule and a decided retreatment check."""
        retreatment_known = self.retreatment is None or self.retreatment.truth is not Truth.UNKNOWN
        return retreatment_known and not self.unknown
