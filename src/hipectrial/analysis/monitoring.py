"""The Part B safety monitoring at the cut-off.

Protocol ``statistics.safety_monitoring``: Part B safety-population participants in
registration order; a participant has the event when they have a grade 4 or 5
treatment-related AE, a treatment-related death (a death with a related fatal AE, or whose
cause is treatment toxicity, as the deaths section counts it), or a Clavien-Dindo >= IIIb
complication of any operation (day-0 HIPEC or conversion surgery). The rule is
:func:`hipectrial.clinical.safety_event.severe_toxicity` (the virtual trial's safety looks
apply the same function); :func:`severe_toxicity_by` says which, in words. At each completed look
(every ``every_n``) the posterior ``P(rate > threshold)`` under the Beta prior is compared with the
cutoff (:func:`hipectrial.design.toxicity_monitor`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hipectrial.analysis.deaths import treatment_related_by
from hipectrial.analysis.facts import Facts
from hipectrial.analysis.interim import registration_order
from hipectrial.analysis.labels import Labels
from hipectrial.clinical.safety_event import severe_toxicity as severe_toxicity_of
from hipectrial.design.settings import toxicity_monitor_of
from hipectrial.protocol import Protocol


@dataclass(frozen=True, slots=True)
class MonitorLookStatus:
    n: int
    events: int
    stop_at: int | None
    posterior: float
    stop: bool


@dataclass(frozen=True, slots=True)
class SafetyMonitoringStatus:
    """The Part B safety monitoring at the cut-off: the looks made (every ``every_n`` treated,
    up to ``last_look_n``, the last the protocol plans), whether one met the stopping rule,
    and the posterior on everyone treated so far (which may cross the bound between looks
    or after the last planned one: ``above_bound``). ``event_reasons`` gives, for each of
    ``event_ids``, why (:func:`severe_toxicity_by`, joined by "; ")."""

    event: str
    threshold: float
    posterior_cutoff: float
    participants: tuple[str, ...]
    event_ids: tuple[str, ...]
    looks: tuple[MonitorLookStatus, ...]
    stopped: bool
    current_posterior: float | None
    every_n: int
    last_look_n: int
    event_reasons: tuple[tuple[str, str], ...] = ()

    @property
    def above_bound(self) -> bool:
        """The posterior on everyone treated so far exceeds the stopping cut-off."""
        return self.current_posterior is not None and self.current_posterior > self.posterior_cutoff

    @property
    def first_stop(self) -> MonitorLookStatus | None:
        """The first look that met the stopping rule."""
        return next((look for look in self.looks if look.stop), None)


def severe_toxicity_by(f: Facts, labels: Labels | None = None) -> tuple[str, ...]:
    """Why a participant has the protocol's Part B monitoring event (module docstring); empty
    when they do not. Agents and causes in the protocol's words when ``labels`` are given.
    The rule is :func:`hipectrial.clinical.safety_event.severe_toxicity`."""
    dead = f.death_date is not None
    aes = sorted(f.adverse_events, key=lambda a: a.onset_date)
    rule = severe_toxicity_of(adverse_events=aes, operations=f.surgeries, died=dead,
                              cause_of_death=f.cause_of_death)
    # A related grade-5 event of a participant who died is told once, as the death's reason.
    why = [f"grade {aes[i].grade} {aes[i].term} (onset {aes[i].onset_date.isoformat()}), treatment-related"
           for i in rule.related_aes]
    if rule.death is not None:
        why.append(f"treatment-related death ({'; '.join(treatment_related_by(f, labels))})")
    why += [f"Clavien-Dindo {c.grade.value} {c.description} after the operation of {s.date.isoformat()}"
            for s, c in ((f.surgeries[i], f.surgeries[i].complications[j]) for i, j in rule.complications)]
    return tuple(why)


def severe_toxicity(f: Facts) -> bool:
    """The protocol's Part B monitoring event for one participant (module docstring)."""
    return bool(severe_toxicity_by(f))


def safety_monitoring_status(protocol: Protocol, part_b_safety: Sequence[str],
                             facts: Mapping[str, Facts]) -> SafetyMonitoringStatus | None:
    rule = protocol.statistics.safety_monitoring
    if rule is None:
        return None
    ordered = registration_order(part_b_safety, facts)
    labels = Labels(protocol)
    why = {p: severe_toxicity_by(facts[p], labels) for p in ordered}
    events = [p for p in ordered if why[p]]
    with_event = set(events)
    monitor = toxicity_monitor_of(rule, enrol=protocol.statistics.primary.enrol)
    looks = []
    for look in monitor.looks:
        if look.n > len(ordered):
            break
        x = sum(1 for p in ordered[: look.n] if p in with_event)
        posterior = monitor.posterior_exceeds(events=x, n=look.n)
        looks.append(MonitorLookStatus(look.n, x, look.stop_at, posterior, posterior > rule.posterior_cutoff))
    current = monitor.posterior_exceeds(events=len(events), n=len(ordered)) if ordered else None
    return SafetyMonitoringStatus(rule.event, rule.threshold, rule.posterior_cutoff, tuple(ordered),
                                  tuple(events), tuple(looks), any(lk.stop for lk in looks), current,
                                  rule.every_n, monitor.looks[-1].n,
                                  tuple((p, "; ".join(why[p])) for p in events))
