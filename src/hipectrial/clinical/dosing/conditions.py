"""Whether a dose-modification rule's condition holds: three-valued, never guessing.

A rule's condition is a CTCAE term at a grade (with occurrence and qualifier), or a CEL
expression over lab and derived variables (evaluated by the protocol's
:class:`~hipectrial.protocol.Scope`, three-valued). Whether it applies to an agent also
depends on the attribution when the rule acts by attribution. Each part is TRUE, FALSE or
UNKNOWN, combined with Kleene's AND; what is unknown is named, so a caller can ask for it:
a missing lab value, an unanswered qualifier, an unrecorded occurrence or attribution.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hipectrial.clinical.dosing.inputs import Attribution, ToxicityEvent, normal_text
from hipectrial.protocol import Protocol, Truth
from hipectrial.protocol.regimen import Condition, ModificationRule, Occurrence


@dataclass(frozen=True, slots=True)
class ConditionVerdict:
    """The truth of (part of) a condition, what is missing, and why, in words."""

    truth: Truth
    missing: tuple[str, ...] = ()
    because: str = ""


def kleene_and(truths: Iterable[Truth]) -> Truth:
    """FALSE if any is FALSE, else UNKNOWN if any is UNKNOWN, else TRUE.

    >>> kleene_and([Truth.TRUE, Truth.UNKNOWN]), kleene_and([Truth.UNKNOWN, Truth.FALSE])
    (<Truth.UNKNOWN: 'unknown'>, <Truth.FALSE: 'false'>)
    """
    values = list(truths)
    if Truth.FALSE in values:
        return Truth.FALSE
    if Truth.UNKNOWN in values:
        return Truth.UNKNOWN
    return Truth.TRUE


def combine(*parts: ConditionVerdict) -> ConditionVerdict:
    """The Kleene AND of several parts, with their missing items and reasons joined."""
    truth = kleene_and(p.truth for p in parts)
    missing = tuple(dict.fromkeys(m for p in parts for m in p.missing))
    because = "; ".join(p.because for p in parts if p.because)
    return ConditionVerdict(truth, missing if truth is Truth.UNKNOWN else (), because)


def _qualifier(qualifier: str | None, answers: Mapping[str, bool]) -> ConditionVerdict:
    if qualifier is None:
        return ConditionVerdict(Truth.TRUE)
    wanted = normal_text(qualifier)
    for text, answer in answers.items():
        if normal_text(text) == wanted:
            if answer:
                return ConditionVerdict(Truth.TRUE, because=f"qualifier '{qualifier}' holds")
            return ConditionVerdict(Truth.FALSE, because=f"qualifier '{qualifier}' does not hold")
    return ConditionVerdict(Truth.UNKNOWN, (f"qualifier '{qualifier}'",),
                            f"qualifier '{qualifier}' not answered")


def term_matches(condition: Condition, event: ToxicityEvent) -> bool:
    """Whether the condition is about the event's CTCAE term (case and spacing aside)."""
    return condition.ctcae_term is not None and normal_text(condition.ctcae_term) == normal_text(event.term)


def event_verdict(condition: Condition, event: ToxicityEvent) -> ConditionVerdict:
    """Whether a CTCAE condition holds for ``event`` (term, grade range, occurrence, qualifier).

    >>> from hipectrial.protocol.regimen import Condition
    >>> c = Condition(ctcae_term="Diarrhea", grade_min=2, grade_max=2, occurrence="recurrent")
    >>> event_verdict(c, ToxicityEvent(term="diarrhea", grade=2)).truth
    <Truth.UNKNOWN: 'unknown'>
    >>> event_verdict(c, ToxicityEvent(term="Diarrhea", grade=3, occurrence="recurrent")).truth
    <Truth.FALSE: 'false'>
    """
    if not term_matches(condition, event):
        return ConditionVerdict(Truth.FALSE, because=f"{event.term} is not {condition.ctcae_term}")
    low = condition.grade_min or 1
    high = condition.grade_max or 5
    if condition.grade_max is None:
        grade_range = f"grade >= {low}"
    else:
        grade_range = f"grade {low}" if low == high else f"grade {low}-{high}"
    if not low <= event.grade <= high:
        return ConditionVerdict(Truth.FALSE,
                                because=f"{event.term} grade {event.grade} is outside {grade_range}")
    parts = [ConditionVerdict(Truth.TRUE,
                              because=f"{condition.ctcae_term} grade {event.grade} ({grade_range})")]
    if condition.occurrence is not Occurrence.ANY:
        wanted = condition.occurrence.value
        if event.occurrence is None:
            parts.append(ConditionVerdict(Truth.UNKNOWN, ("occurrence (first or recurrent)",),
                                          f"occurrence not recorded (rule: {wanted})"))
        elif event.occurrence is condition.occurrence:
            parts.append(ConditionVerdict(Truth.TRUE, because=f"{wanted} occurrence"))
        else:
            parts.append(ConditionVerdict(Truth.FALSE,
                                          because=f"{event.occurrence.value} occurrence, rule: {wanted}"))
    parts.append(_qualifier(condition.qualifier, event.qualifiers))
    return combine(*parts)


def _value_text(values: Mapping[str, object]) -> str:
    return ", ".join(f"{k} {v}" for k, v in values.items())


_FALSE_UNEXPLAINED = ConditionVerdict(Truth.FALSE)


def lab_verdict(protocol: Protocol, rule: ModificationRule, values: Mapping[str, object],
                qualifiers: Mapping[str, bool], history: frozenset[str], *,
                explain_false: bool = True) -> ConditionVerdict:
    """Whether a lab (CEL) condition holds on ``values``, three-valued.

    ``occurrence`` of a lab rule is judged by the rule's own history: ``first`` holds when
    the rule was not applied at an earlier cycle, ``recurrent`` when it was. With
    ``explain_false=False`` a condition whose expression is false comes back without its
    ``because`` (for a caller that drops false conditions: the words cost more than the
    verdict); the truth is the same.
    """
    condition = rule.when
    if condition.expression is None:
        raise ValueError(f"rule {rule.id} has no lab expression")
    if not explain_false and protocol.scope.truth_value(condition.expression, values) is Truth.FALSE:
        return _FALSE_UNEXPLAINED  # FALSE AND anything is FALSE (Kleene)
    verdict = protocol.scope.truth(condition.expression, values)
    source = condition.expression.source.strip()
    used = _value_text(verdict.used)
    if verdict.truth is Truth.TRUE:
        part = ConditionVerdict(Truth.TRUE, because=f"{used}: {source} holds")
    elif verdict.truth is Truth.FALSE:
        part = ConditionVerdict(Truth.FALSE, because=f"{used}: {source} does not hold")
    else:
        part = ConditionVerdict(Truth.UNKNOWN, verdict.missing,
                                f"{source} cannot be decided without {', '.join(verdict.missing)}")
    parts = [part]
    if condition.occurrence is Occurrence.FIRST:
        if rule.id in history:
            parts.append(ConditionVerdict(Truth.FALSE,
                                          because=f"rule {rule.id} applies once and was applied before"))
    elif condition.occurrence is Occurrence.RECURRENT and rule.id not in history:
        parts.append(ConditionVerdict(Truth.FALSE, because=f"rule {rule.id} applies on recurrence only"))
    parts.append(_qualifier(condition.qualifier, qualifiers))
    return combine(*parts)


def attribution_verdict(rule: ModificationRule, agent_id: str,
                        attribution: Mapping[str, Attribution]) -> ConditionVerdict:
    """Whether ``rule`` may modify ``agent_id``: always when the rule does not act by
    attribution; else when the finding is at least possibly related to the agent."""
    if not rule.by_attribution:
        return ConditionVerdict(Truth.TRUE)
    value = attribution.get(agent_id)
    if value is None:
        return ConditionVerdict(Truth.UNKNOWN, (f"attribution to {agent_id}",),
                                f"attribution to {agent_id} not recorded")
    if value.related:
        return ConditionVerdict(Truth.TRUE, because=f"{_ADVERB[value]} related to {agent_id}")
    return ConditionVerdict(Truth.FALSE, because=f"{value.value} to {agent_id}")


_ADVERB = {Attribution.POSSIBLE: "possibly", Attribution.PROBABLE: "probably",
           Attribution.DEFINITE: "definitely"}
