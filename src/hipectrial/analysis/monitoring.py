"""The Part B safety monitoring at the cut-off.

Protocol ``statistics.safety_monitoring``: Part B safety-population participants in
registration order; a participant has the event when they have a grade 4 treatment-related
AE, a treatment-related death (a related grade-5 AE, or a death whose cause is treatment
toxicity: :func:`~hipectrial.analysis.deaths.treatment_related_by`, the deaths section's own
rule), or a Clavien-Dindo >= IIIb complication of any operation (day-0 HIPEC or conversion
surgery). At each completed look (every ``every_n``) the posterior ``P(rate > threshold)``
under the Beta prior is compared with the cutoff (:func:`hipectrial.design.toxicity_monitor`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hipectrial.analysis.deaths import treatment_related_by
from hipectrial.analysis.facts import Facts
from hipectrial.analysis.interim import registration_order
from hipectrial.analysis.safety import related
from hipectrial.data import ClavienDindo
from hipectrial.design import toxicity_monitor
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
    or after the last planned one: ``above_bound``)."""

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

    @property
    def above_bound(self) -> bool:
        """The posterior on everyone treated so far exceeds the stopping cut-off."""
        return self.current_posterior is not None and self.current_posterior > self.posterior_cutoff

    @property
    def first_stop(self) -> MonitorLookStatus | None:
        """The first look that met the stopping rule."""
        return next((look for look in self.looks if look.stop), None)


def severe_toxicity(f: Facts) -> bool:
    """The protocol's Part B monitoring event for one participant (module docstring)."""
    if any(related(ae) and ae.grade >= 4 for ae in f.adverse_events) or treatment_related_by(f):
        return True
    return any(c.grade.at_least(ClavienDindo.IIIB) for s in f.surgeries for c in s.complications)


def safety_monitoring_status(protocol: Protocol, part_b_safety: Sequence[str],
                             facts: Mapping[str, Facts]) -> SafetyMonitoringStatus | None:
    rule = protocol.statistics.safety_monitoring
    if rule is None:
        return None
    ordered = registration_order(part_b_safety, facts)
    events = [p for p in ordered if severe_toxicity(facts[p])]
    max_n = max(protocol.statistics.primary.enrol, rule.every_n)
    monitor = toxicity_monitor(threshold=rule.threshold, cutoff=rule.posterior_cutoff, max_n=max_n,
                               every=rule.every_n, prior_a=rule.prior_a, prior_b=rule.prior_b)
    looks = []
    for look in monitor.looks:
        if look.n > len(ordered):
            break
        x = sum(1 for p in ordered[: look.n] if p in set(events))
        posterior = monitor.posterior_exceeds(events=x, n=look.n)
        looks.append(MonitorLookStatus(look.n, x, look.stop_at, posterior, posterior > rule.posterior_cutoff))
    current = monitor.posterior_exceeds(events=len(events), n=len(ordered)) if ordered else None
    return SafetyMonitoringStatus(rule.event, rule.threshold, rule.posterior_cutoff, tuple(ordered),
                                  tuple(events), tuple(looks), any(lk.stop for lk in looks), current,
                                  rule.every_n, monitor.looks[-1].n if monitor.looks else max_n)
