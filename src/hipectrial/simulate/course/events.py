"""Adverse-event episodes of a simulated course, and how the dose-modification engine sees them.

An episode is drawn per cycle from the scenario's AE rates (or as the DLT); it becomes an
``AdverseEvent`` record at the end, and a ``ToxicityEvent`` for the next day-1 decision. The
investigator's answers to the protocol rules' qualifiers are read off the episode
(resolved before the next cycle, recurrent, immune-related…); a qualifier this module does
not recognise stays unanswered, so the clinical engine reports it as undecided.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hipectrial.clinical.dosing.inputs import Attribution, ToxicityEvent, normal_text
from hipectrial.clinical.engine_cache import per_protocol
from hipectrial.data import AdverseEvent, AeOutcome
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import Occurrence

# The seed protocol's catch-all terms: an event no rule names is recorded under them when
# it qualifies (dose_modifications.rules other-non-haematological-g3-4, other-irae-*).
OTHER_NON_HAEM = "Other non-haematological adverse event"
OTHER_IRAE = "Immune-related adverse event - Other"
_NOT_NON_HAEM = ("alopecia",)


@dataclass(slots=True)
class Episode:
    term: str
    grade: int
    onset: dt.date
    resolution: dt.date | None
    attribution: dict[str, Attribution]
    immune_related: bool = False
    serious: bool = False
    lab_code: str | None = None
    dlt: bool = False
    led_to_discontinuation: bool = False
    neuropathy: bool = False
    sequelae: bool = False        # resolves with sequelae
    extra: dict[str, bool] = field(default_factory=dict)

    def ongoing(self, when: dt.date) -> bool:
        return self.onset <= when and (self.resolution is None or self.resolution > when)

    def record(self, pid: str) -> AdverseEvent:
        return AdverseEvent(
            participant_id=pid, term=self.term, grade=self.grade, onset_date=self.onset,
            resolution_date=self.resolution, serious=self.serious, attribution=self.attribution,
            dlt=self.dlt, immune_related=self.immune_related,
            led_to_discontinuation=self.led_to_discontinuation,
            outcome=self.outcome(),
        )

    def outcome(self) -> AeOutcome:
        """Fatal at grade 5 (CTCAE v5.0); else recovered (with sequelae) once resolved."""
        if self.grade == 5:
            return AeOutcome.FATAL
        if self.resolution is None:
            return AeOutcome.NOT_RECOVERED
        return AeOutcome.RECOVERED_WITH_SEQUELAE if self.sequelae else AeOutcome.RECOVERED


_RuleIndex = tuple[frozenset[str], dict[str, tuple[str, ...]], tuple[tuple[str, str], ...]]


def _rule_index(protocol: Protocol) -> _RuleIndex:
    """Looked up once per protocol (engine_cache): the rule terms (normalised), each term's
    qualifiers in rule order, and the qualifiers of the lab-expression rules with their
    normalised text."""
    return per_protocol(protocol, "simulate.rule_index", lambda: _build_rule_index(protocol))


def _build_rule_index(protocol: Protocol) -> _RuleIndex:
    rules = protocol.dose_modifications.rules
    terms = frozenset(normal_text(r.when.ctcae_term) for r in rules if r.when.ctcae_term)
    qualifiers: dict[str, list[str]] = {}
    for r in rules:
        if r.when.ctcae_term and r.when.qualifier:
            qualifiers.setdefault(normal_text(r.when.ctcae_term), []).append(r.when.qualifier)
    lab = tuple((r.when.qualifier, normal_text(r.when.qualifier)) for r in rules
                if not r.when.ctcae_term and r.when.qualifier)
    by_term = {k: tuple(v) for k, v in qualifiers.items()}
    return terms, by_term, lab


def rule_terms(protocol: Protocol) -> frozenset[str]:
    """The CTCAE terms the protocol's dose-modification rules name (normalised)."""
    return _rule_index(protocol)[0]


def _answer(qualifier: str, episode: Episode, when: dt.date, recurrent: bool,
            febrile: bool) -> bool | None:
    """The investigator's answer to a rule qualifier about ``episode`` at the day-1 ``when``."""
    q = normal_text(qualifier)
    resolved = episode.resolution is not None and episode.resolution <= when
    if "uncomplicated" in q:
        return not febrile
    if "resolved before the next cycle" in q:
        return resolved
    if "persisting" in q and "next day 1" in q:
        return not resolved or (episode.resolution is not None
                                and (episode.resolution - episode.onset).days > 7)
    if "still grade 3" in q:
        return not resolved
    if "during or after oxaliplatin" in q:
        return True
    if "controlled with antiemetics" in q:
        return normal_text(episode.term) not in ("nausea", "vomiting")
    if "recurring at grade 3" in q:
        return recurrent
    if "not recovered" in q and "12 weeks" in q:
        end = episode.resolution or when
        return (end - episode.onset).days > 84
    if "immune-related" in q or "any other immune" in q:
        return episode.immune_related
    return None


def toxicity_events(protocol: Protocol, episodes: list[Episode], since: dt.date | None,
                    when: dt.date, history: list[Episode]) -> tuple[ToxicityEvent, ...]:
    """The events since the previous decision, at their worst grade per term, as the
    dose-modification engine takes them. ``history`` is every episode so far (for recurrence)."""
    window = [e for e in episodes if (since is None or e.onset > since) and e.onset <= when]
    worst: dict[str, Episode] = {}
    for e in window:
        kept = worst.get(e.term)
        if kept is None or e.grade > kept.grade:
            worst[e.term] = e
    febrile = any(normal_text(e.term) == "febrile neutropenia" for e in window)
    terms, by_term, _ = _rule_index(protocol)
    events: list[ToxicityEvent] = []
    for term in sorted(worst):
        e = worst[term]
        recurrent = any(h.term == e.term and h.grade >= e.grade and h.onset < e.onset
                        for h in history)
        recorded = term
        if normal_text(term) not in terms and e.lab_code is None:
            if e.immune_related and normal_text(OTHER_IRAE) in terms and e.grade >= 2:
                recorded = OTHER_IRAE
            elif (not e.immune_related and e.grade >= 3 and normal_text(OTHER_NON_HAEM) in terms
                  and normal_text(term) not in _NOT_NON_HAEM):
                recorded = OTHER_NON_HAEM
        qualifiers: dict[str, bool] = {}
        for qualifier in by_term.get(normal_text(recorded), ()):
            answer = _answer(qualifier, e, when, recurrent, febrile)
            if answer is not None:
                qualifiers[qualifier] = answer
        events.append(ToxicityEvent(term=recorded, grade=e.grade, attribution=e.attribution,
                                    occurrence=Occurrence.RECURRENT if recurrent else Occurrence.FIRST,
                                    qualifiers=qualifiers))
    return tuple(events)


def lab_qualifiers(protocol: Protocol, episodes: list[Episode], when: dt.date) -> dict[str, bool]:
    """Answers to the qualifiers of lab-expression rules at a day-1 check."""
    hepatic_irae = any(e.ongoing(when) and e.immune_related and e.lab_code in ("ALT", "AST", "BILI")
                       for e in episodes)
    answers: dict[str, bool] = {}
    for q, text in _rule_index(protocol)[2]:
        if "during s-1" in text:
            answers[q] = False          # the check is on day 1, before S-1 is taken
        elif "hepatitis" in text:
            answers[q] = hepatic_irae
        elif "persisting more than 8 weeks" in text:
            answers[q] = False
    return answers
