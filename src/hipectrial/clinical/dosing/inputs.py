"""What dosing and dose modification are computed from: the participant, the cycle, the
per-agent dose state, adverse events and lab findings.

Plain frozen values (STYLE.md "pydantic at the edges; plain frozen dataclasses inside").
They are checked against the protocol by the functions that use them
(:func:`~hipectrial.clinical.dosing.prescribe.prescribe`,
:func:`~hipectrial.clinical.dosing.modify.decide_modifications`), which raise
:class:`~hipectrial.errors.InputError` naming the field.

Mappings given to these classes are copied into read-only mappings, so a value cannot
change after it was used for a dose.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from hipectrial.clinical.engine_cache import per_protocol
from hipectrial.errors import InputError
from hipectrial.protocol import FrozenValues, Protocol
from hipectrial.protocol.regimen import Occurrence

Number = Decimal | int | float | str


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


class Attribution(StrEnum):
    """Relationship of an event to one agent (NCI CTEP five-point attribution scale)."""

    UNRELATED = "unrelated"
    UNLIKELY = "unlikely"
    POSSIBLE = "possible"
    PROBABLE = "probable"
    DEFINITE = "definite"

    @property
    def related(self) -> bool:
        """At least possibly related: the threshold for modifying an agent by attribution.

        >>> Attribution.POSSIBLE.related, Attribution.UNLIKELY.related
        (True, False)
        """
        return self in (Attribution.POSSIBLE, Attribution.PROBABLE, Attribution.DEFINITE)


class AgentStatus(StrEnum):
    """Where an agent stands for a participant before this cycle."""

    ACTIVE = "active"
    HELD = "held"  # withheld this cycle (held or delayed); the next decision may resume it
    DISCONTINUED = "discontinued"  # permanent


@dataclass(frozen=True, slots=True)
class AgentState:
    """The dose state of one agent for one participant.

    Parameters
    ----------
    reductions
        Permanent dose reductions taken so far (each one rung down the agent's ladder),
        whatever their cause (toxicity or the renal rule).
    status
        Active, held this cycle, or discontinued (permanent).
    start_dose
        The ladder rung reductions count from, in the ladder's unit. ``None``: the dose
        rule's amount; for a BSA-band agent the band dose of the BSA the doses are based on.
    doses_given
        Doses of this agent given so far; ``None`` when not tracked, and then a loading dose
        goes with cycle 1 of the first phase that gives the agent.
    delay_days
        Days this agent's current dose has already been delayed (for the maximum delay).
    """

    reductions: int = 0
    status: AgentStatus = AgentStatus.ACTIVE
    start_dose: Decimal | None = None
    doses_given: int | None = None
    delay_days: int = 0


@dataclass(frozen=True, slots=True)
class ParticipantDoseState:
    """The dose state of all of a participant's agents, and the rules applied before.

    ``agents`` maps agent id to its state; an agent not listed is active with no
    reduction. ``rule_history`` holds the ids of dose-modification rules applied at earlier
    cycles: a lab rule with ``occurrence: first`` (the renal S-1 reduction) is applied once
    and its reduction is then counted in ``reductions``.
    """

    agents: Mapping[str, AgentState] = field(default_factory=_empty)
    rule_history: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "agents", _frozen(self.agents))
        object.__setattr__(self, "rule_history", frozenset(self.rule_history))

    def agent(self, agent_id: str) -> AgentState:
        """The state of ``agent_id``; active with no reduction when not listed.

        >>> ParticipantDoseState().agent("s-1").reductions
        0
        """
        state = self.agents.get(agent_id)
        return _ACTIVE if state is None else state


_ACTIVE = AgentState()  # frozen: one shared default (the default was built on every lookup)


@dataclass(frozen=True, slots=True)
class DosingParticipant:
    """What a prescription is computed from: cohort, dose level, body and kidney, dose state.

    ``height_cm`` and ``weight_kg`` are measured at this visit; ``creatinine`` (in
    ``creatinine_unit``, ``umol/L`` or ``mg/dL``) is the day-1 serum creatinine.
    ``dosing_weight_kg`` is the weight the current doses were based on (``None`` at the
    first prescription): doses are recalculated from this visit's weight only when the
    weight changed by at least the protocol's percentage.
    """

    cohort: str
    dose_level: str
    sex: str
    age_years: int
    height_cm: Number
    weight_kg: Number
    creatinine: Number
    creatinine_unit: str
    dosing_weight_kg: Number | None = None
    state: ParticipantDoseState = field(default_factory=ParticipantDoseState)


@dataclass(frozen=True, slots=True)
class Cycle:
    """Which cycle is prescribed: the phase id, the cycle number within the phase (from 1),
    and for each agent how many days after its due date this dose is given (``days_late``;
    an agent not listed is on time). A loading-dose agent is reloaded when its dose is
    given more than the protocol's ``reload_if_late_days`` after it was due."""

    phase: str
    number: int
    days_late: Mapping[str, int] = field(default_factory=_empty)

    def __post_init__(self) -> None:
        object.__setattr__(self, "days_late", _frozen(self.days_late))


@dataclass(frozen=True, slots=True)
class ToxicityEvent:
    """An adverse event since the previous cycle, as dose modification needs it.

    ``term`` is the CTCAE v5.0 term as the protocol's rules write it ("Diarrhea");
    ``grade`` the worst grade since the previous cycle; ``attribution`` the investigator's
    attribution to each agent (an agent not listed is *not known*, never assumed
    unrelated); ``occurrence`` first or recurrent (``None``: not recorded);
    ``qualifiers`` the clinician's answer to each qualifier a rule asks about, keyed by the
    rule's qualifier text ("uncomplicated (no fever or infection)": True); a qualifier not
    answered is not known.
    """

    term: str
    grade: int
    attribution: Mapping[str, Attribution] = field(default_factory=_empty)
    occurrence: Occurrence | None = None
    qualifiers: Mapping[str, bool] = field(default_factory=_empty)

    def __post_init__(self) -> None:
        object.__setattr__(self, "attribution", _frozen(self.attribution))
        object.__setattr__(self, "qualifiers", _frozen(self.qualifiers))


@dataclass(frozen=True, slots=True)
class LabFindings:
    """Lab and derived values since the previous cycle, by their protocol variable names.

    ``values`` maps a protocol variable (``anc``, ``platelets``, ``ast``, ``ast_uln``,
    ``crcl``, ``lvef_change``, ``nonhaem_toxicity_grade`` ...) to its value; a variable not
    given is missing, and a rule it decides is reported as unknown. ``attribution`` is the
    investigator's attribution of the abnormal findings to each agent (used by lab rules
    applied by attribution, and to find the agent responsible for a delay beyond the
    maximum); ``qualifiers`` answers the qualifiers of lab rules, as for events.
    """

    values: Mapping[str, object] = field(default_factory=_empty)
    attribution: Mapping[str, Attribution] = field(default_factory=_empty)
    qualifiers: Mapping[str, bool] = field(default_factory=_empty)

    def __post_init__(self) -> None:
        # FrozenValues: the rules are evaluated on one binding of these values (protocol.frozen).
        object.__setattr__(self, "values", FrozenValues(self.values))
        object.__setattr__(self, "attribution", _frozen(self.attribution))
        object.__setattr__(self, "qualifiers", _frozen(self.qualifiers))


# -- checks against the protocol ------------------------------------------------------------


def _whole(field_name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InputError(field_name, value, f"a whole number >= {minimum}")
    return value


def check_cohort(protocol: Protocol, cohort: str) -> str:
    known = [c.id for c in protocol.cohorts]
    if cohort not in known:
        raise InputError("cohort", cohort, "one of " + ", ".join(known))
    return cohort


def check_dose_level(protocol: Protocol, dose_level: str) -> str:
    known = [level.id for level in protocol.dose_finding.levels]
    if dose_level not in known:
        raise InputError("dose_level", dose_level, "one of " + ", ".join(known))
    return dose_level


def _ids(protocol: Protocol) -> tuple[tuple[str, ...], frozenset[str]]:
    """The protocol's agent ids in order and its dose-modification rule ids: they depend only
    on the protocol, so they are computed once per protocol (engine_cache)."""
    return tuple(a.id for a in protocol.agents), frozenset(r.id for r in protocol.dose_modifications.rules)


def check_state(protocol: Protocol, state: ParticipantDoseState) -> None:
    """Every agent named in the state is a protocol agent with a sensible state."""
    if not isinstance(state, ParticipantDoseState):
        raise InputError("state", state, "a ParticipantDoseState")
    known, rule_ids = per_protocol(protocol, "dose_inputs.ids", lambda: _ids(protocol))
    for agent_id, agent_state in state.agents.items():
        where = f"state.agents[{agent_id!r}]"
        if agent_id not in known:
            raise InputError(f"state.agents[{agent_id!r}]", agent_id,
                             "an agent of the protocol: " + ", ".join(known))
        if not isinstance(agent_state, AgentState):
            raise InputError(where, agent_state, "an AgentState")
        _whole(f"{where}.reductions", agent_state.reductions, 0)
        _whole(f"{where}.delay_days", agent_state.delay_days, 0)
        if agent_state.doses_given is not None:
            _whole(f"{where}.doses_given", agent_state.doses_given, 0)
        if not isinstance(agent_state.status, AgentStatus):
            raise InputError(f"{where}.status", agent_state.status,
                             "one of " + ", ".join(s.value for s in AgentStatus))
        agent = protocol.agent(agent_id)
        if agent_state.reductions and agent.reduction is None:
            raise InputError(f"{where}.reductions", agent_state.reductions,
                             f"0: {agent_id} has no dose levels (hold or discontinue only)")
        start = agent_state.start_dose
        if start is not None and (agent.reduction is None or start not in agent.reduction.ladder):
            ladder = ", ".join(str(x) for x in agent.reduction.ladder) if agent.reduction else "none"
            raise InputError(f"{where}.start_dose", start, f"a rung of the {agent_id} ladder ({ladder})")
    unknown_rules = state.rule_history - rule_ids
    if unknown_rules:
        raise InputError("state.rule_history", sorted(unknown_rules), "ids of the protocol's rules")


def check_attribution(field_name: str, protocol: Protocol, attribution: Mapping[str, object]) -> None:
    known = {a.id for a in protocol.agents}
    for agent_id, value in attribution.items():
        if agent_id not in known:
            raise InputError(f"{field_name}[{agent_id!r}]", agent_id,
                             "an agent of the protocol: " + ", ".join(sorted(known)))
        if not isinstance(value, Attribution):
            raise InputError(f"{field_name}[{agent_id!r}]", value,
                             "one of " + ", ".join(a.value for a in Attribution))


def check_qualifiers(field_name: str, qualifiers: Mapping[str, object]) -> None:
    for text, answer in qualifiers.items():
        if not isinstance(answer, bool):
            raise InputError(f"{field_name}[{text!r}]", answer, "true or false")


def check_event(protocol: Protocol, index: int, event: object) -> ToxicityEvent:
    where = f"events[{index}]"
    if not isinstance(event, ToxicityEvent):
        raise InputError(where, event, "a ToxicityEvent")
    if not isinstance(event.term, str) or not event.term.strip():
        raise InputError(f"{where}.term", event.term, "a CTCAE v5.0 term")
    if isinstance(event.grade, bool) or not isinstance(event.grade, int) or not 1 <= event.grade <= 5:
        raise InputError(f"{where}.grade", event.grade, "a CTCAE grade, an integer from 1 to 5")
    if event.occurrence is not None and event.occurrence not in (Occurrence.FIRST, Occurrence.RECURRENT):
        raise InputError(f"{where}.occurrence", event.occurrence, "first, recurrent or None (not recorded)")
    check_attribution(f"{where}.attribution", protocol, event.attribution)
    check_qualifiers(f"{where}.qualifiers", event.qualifiers)
    return event


@functools.lru_cache(maxsize=1024)
def normal_text(text: str) -> str:
    """Terms and qualifiers compare without case and with single spaces.

    A pure function of its text, so the bounded cache cannot give a stale answer; the terms
    and qualifiers of a protocol and of the events reported are few and repeat.

    >>> normal_text("  Mucositis   oral ") == normal_text("mucositis oral")
    True
    """
    return " ".join(text.split()).casefold()
