"""Where the designs stand: Part A BOIN, Part B Simon stage 1, Part B safety monitoring.

* **BOIN** (protocol ``dose_finding``): DLT-evaluable Part A participants per level give
  ``n`` and ``dlt``; the current level is that of the most recently registered Part A
  participant; the decision for the next cohort is
  :meth:`hipectrial.design.boin.BoinDesign.decide` and the isotonic estimates and selected
  dose :func:`hipectrial.design.select_mtd`.
* **Simon** (protocol ``statistics.primary``): Part B ITT participants in registration
  order; stage 1 is the first ``n1`` of them. Responses are R0 resections
  (:func:`~hipectrial.analysis.surgical.r0_status`) among those whose surgery decision is
  settled; :func:`hipectrial.design.simon_decide` is given the settled participants. While
  fewer than ``n1`` are registered, ``more_needed`` says how many more.
* **Safety monitoring** (protocol ``statistics.safety_monitoring``): Part B safety-population
  participants in registration order; a participant has the event when they have a grade
  4 treatment-related AE, a treatment-related death (grade 5 related AE), or a
  Clavien-Dindo >= IIIb complication of any operation (day-0 HIPEC or conversion surgery).
  At each completed look (every ``every_n``) the posterior ``P(rate > threshold)`` under
  the Beta prior is compared with the cutoff (:func:`hipectrial.design.toxicity_monitor`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hipectrial.analysis.facts import Facts
from hipectrial.analysis.safety import related
from hipectrial.analysis.surgical import r0_status, surgery_decided
from hipectrial.data import ClavienDindo
from hipectrial.design import boin_design, select_mtd, simon_decide, toxicity_monitor
from hipectrial.design.dose_finding import DoseState
from hipectrial.protocol import Protocol


@dataclass(frozen=True, slots=True)
class BoinLevel:
    level: str
    dose: str
    registered: int
    n: int
    dlt: int
    isotonic_estimate: float | None
    eliminated: bool


@dataclass(frozen=True, slots=True)
class DoseFindingStatus:
    levels: tuple[BoinLevel, ...]
    current_level: str | None
    action: str | None
    next_level: str | None
    reason: str | None
    selected_level: str | None
    selection_reason: str
    escalate_if_rate_at_most: float
    de_escalate_if_rate_at_least: float


@dataclass(frozen=True, slots=True)
class SimonStatus:
    n1: int
    r1: int
    n: int
    r: int
    part_b_itt: tuple[str, ...]
    stage1_ids: tuple[str, ...]
    settled_ids: tuple[str, ...]
    r0_ids: tuple[str, ...]
    pending_ids: tuple[str, ...]
    more_needed: int
    action: str | None
    reasons: tuple[str, ...]
    reject_h0: bool | None


@dataclass(frozen=True, slots=True)
class MonitorLookStatus:
    n: int
    events: int
    stop_at: int | None
    posterior: float
    stop: bool


@dataclass(frozen=True, slots=True)
class SafetyMonitoringStatus:
    event: str
    threshold: float
    posterior_cutoff: float
    participants: tuple[str, ...]
    event_ids: tuple[str, ...]
    looks: tuple[MonitorLookStatus, ...]
    stopped: bool
    current_posterior: float | None


def _registration_order(ids: Sequence[str], facts: Mapping[str, Facts]) -> list[str]:
    return sorted(ids, key=lambda pid: (facts[pid].registration_date or facts[pid].participant.consent_date,
                                        pid))


def dose_finding_status(protocol: Protocol, part_a: Sequence[str], evaluable: Sequence[str],
                        facts: Mapping[str, Facts]) -> DoseFindingStatus:
    df = protocol.dose_finding
    d = df.design
    design = boin_design(target=d.target, phi1=d.phi1, phi2=d.phi2, cutoff=d.elimination_cutoff,
                         min_n_eliminate=d.minimum_for_elimination, stop_n_at_dose=d.stop_n_at_dose,
                         max_n=d.max_n)
    ids = [level.id for level in df.levels]
    n = tuple(sum(1 for p in evaluable if facts[p].participant.dose_level == lid) for lid in ids)
    dlt = tuple(sum(1 for p in evaluable if facts[p].participant.dose_level == lid
                    and any(ae.dlt for ae in facts[p].adverse_events)) for lid in ids)
    ordered = [p for p in _registration_order(part_a, facts) if facts[p].participant.dose_level in ids]
    current = ids.index(str(facts[ordered[-1]].participant.dose_level)) if ordered else None
    selection = select_mtd(target=d.target, n=n, dlt=dlt, cutoff=d.elimination_cutoff,
                           min_n_eliminate=d.minimum_for_elimination)
    action = next_level = reason = None
    eliminated = selection.eliminated
    selected = selection.selected
    if current is not None:
        decision = design.decide(DoseState(n=n, dlt=dlt, current=current))
        action, reason = decision.action.value, decision.reason
        next_level = ids[decision.next_dose] if decision.next_dose is not None else None
        eliminated = decision.eliminated or eliminated
        if decision.selected is not None:
            selected = decision.selected
    agent = df.explored_agents[0]
    levels = tuple(BoinLevel(
        level.id, f"{level.doses.get(agent, '')} {level.unit}",
        sum(1 for p in part_a if facts[p].participant.dose_level == level.id), n[i], dlt[i],
        selection.estimates[i], eliminated[i]) for i, level in enumerate(df.levels))
    return DoseFindingStatus(levels, ids[current] if current is not None else None, action, next_level,
                             str(reason) if reason is not None else None,
                             ids[selected] if selected is not None else None, selection.reason,
                             design.lambda_e, design.lambda_d)


def simon_status(protocol: Protocol, part_b_itt: Sequence[str], facts: Mapping[str, Facts]) -> SimonStatus:
    s = protocol.statistics.primary
    ordered = _registration_order(part_b_itt, facts)
    settled = [p for p in ordered if surgery_decided(facts[p])]
    pending = [p for p in ordered if p not in set(settled)]
    r0 = [p for p in settled if r0_status(facts[p])[0]]
    stage1 = ordered[: s.stage1.n]
    settled1 = [p for p in stage1 if p in set(settled)]
    r0_1 = [p for p in settled1 if p in set(r0)]
    more = max(0, s.stage1.n - len(ordered))
    action: str | None = None
    reasons: tuple[str, ...] = ()
    reject: bool | None = None
    stage1_futile = len(settled1) == s.stage1.n and len(r0_1) <= s.stage1.r
    if settled1:
        use_all = len(settled1) == s.stage1.n and not stage1_futile
        x, m = (len(r0), min(len(settled), s.total.n)) if use_all else (len(r0_1), len(settled1))
        if use_all and len(settled) > s.total.n:
            within = set(settled[: s.total.n])
            x = sum(1 for p in r0 if p in within)
        decision = simon_decide(r1=s.stage1.r, n1=s.stage1.n, r=s.total.r, n=s.total.n, responses=x,
                                enrolled=m)
        action, reasons, reject = decision.action.value, decision.reasons, decision.reject_h0
    if more:
        reasons = (*reasons, f"{more} more Part B ITT participant(s) needed to complete stage 1 "
                             f"({len(ordered)} of {s.stage1.n})")
    return SimonStatus(s.stage1.n, s.stage1.r, s.total.n, s.total.r, tuple(ordered), tuple(stage1),
                       tuple(settled), tuple(r0), tuple(pending), more, action, reasons, reject)


def severe_toxicity(f: Facts) -> bool:
    """The protocol's Part B monitoring event for one participant (module docstring)."""
    if any(related(ae) and ae.grade >= 4 for ae in f.adverse_events):
        return True
    return any(c.grade.at_least(ClavienDindo.IIIB) for s in f.surgeries for c in s.complications)


def safety_monitoring_status(protocol: Protocol, part_b_safety: Sequence[str],
                             facts: Mapping[str, Facts]) -> SafetyMonitoringStatus | None:
    rule = protocol.statistics.safety_monitoring
    if rule is None:
        return None
    ordered = _registration_order(part_b_safety, facts)
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
                                  tuple(events), tuple(looks), any(lk.stop for lk in looks), current)
