"""What one trial's data say about the protocol's operating characteristics.

A whole-protocol operating-characteristics run (``hipectrial oc``) simulates many trials and
reads each one's data here, through the same analysis functions the DSMB report uses (the
populations, the BOIN history, the Simon stage-1 look and final analysis, the Part B safety
monitoring at the cut-off): a number in the operating characteristics is what the trial's own
analysis would have said, never the simulator's word for it.

:func:`trial_outcome` reads one trial; :mod:`hipectrial.analysis.oc_summary` summarises many.
Every figure is kept as counts (events and denominators), so the summary can pool them or
average per-trial proportions, and a reader can recompute it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hipectrial.analysis.cutoff import at_cutoff
from hipectrial.analysis.facts import Facts, collect_facts
from hipectrial.analysis.interim import boin_cohorts, dose_finding_status, simon_stage1
from hipectrial.analysis.labels import Labels
from hipectrial.analysis.monitoring import safety_monitoring_status
from hipectrial.analysis.populations import NEEDS_SCREENING_OR_RECIST, build_populations
from hipectrial.analysis.primary import STOPPED_AT_STAGE_1, primary_endpoint, simon_population
from hipectrial.data import TrialData
from hipectrial.design.simon_inference import SimonAction
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol
from hipectrial.protocol.endpoints import Population

__all__ = ["LevelCounts", "TrialOutcome", "trial_outcome"]

#: The confidence level of the per-trial R0 intervals whose coverage the summary reports.
CONF_LEVEL = 0.95


@dataclass(frozen=True, slots=True)
class LevelCounts:
    """Part A at one dose level: participants registered, DLT-evaluable, with a DLT."""

    level: str
    registered: int
    evaluable: int
    dlts: int


@dataclass(frozen=True, slots=True)
class TrialOutcome:
    """One trial's operating-characteristics figures, read from its data at the cut-off.

    Attributes
    ----------
    seed
        The trial's own seed (``hipectrial simulate --seed`` with it gives the same data).
    screened, registered, part_a_registered, part_b_registered
        People screened; registered in all and per study part.
    selected_level
        The RP2D the analysis reads from Part A (``PrimaryEndpoint.rp2d``); ``None``: no dose.
    part_a_levels
        Part A per dose level (protocol order).
    stage1_decision
        The Simon stage-1 look (``continue stage 2``, ``stop for futility`` or ``not yet``;
        ``None`` without Part B).
    final_decision, reject_h0
        The Simon final analysis (``reject H0``, ``do not reject H0``, the stage-1 stop, or
        ``not yet``); ``reject_h0`` is ``True`` only when H0 is rejected.
    safety_rule_met
        The Part B safety-monitoring rule met at a planned look, analysed at the cut-off
        (``None`` without a rule or without Part B participants).
    r0_events, r0_n, r0_ci_lower, r0_ci_upper
        R0 resections among Part B ITT participants at the RP2D (the primary endpoint as
        designed) with the exact (Clopper-Pearson) 95 % interval; limits ``None`` when n is 0.
    simon_ci_lower, simon_ci_upper, simon_umvue
        The Simon final analysis's interval and UMVUE (stage-adjusted), once complete.
    safety_n, grade3_participants
        The safety population and those of them with any grade >= 3 adverse event.
    first_consent, last_registration, cutoff
        The first person's consent, the last registration and the data cut-off.
    stage1_look_date
        The day the stage-1 look's last outcome became known (``None`` before it).
    """

    seed: int
    screened: int
    registered: int
    part_a_registered: int
    part_b_registered: int
    selected_level: str | None
    part_a_levels: tuple[LevelCounts, ...]
    stage1_decision: str | None
    final_decision: str | None
    reject_h0: bool
    safety_rule_met: bool | None
    r0_events: int
    r0_n: int
    r0_ci_lower: float | None
    r0_ci_upper: float | None
    simon_ci_lower: float | None
    simon_ci_upper: float | None
    simon_umvue: float | None
    safety_n: int
    grade3_participants: int
    first_consent: dt.date | None
    last_registration: dt.date | None
    cutoff: dt.date
    stage1_look_date: dt.date | None = None

    @property
    def stage1_stopped(self) -> bool:
        """The stage-1 look stopped Part B for futility."""
        return self.stage1_decision == SimonAction.STOP_FUTILITY.value

    @property
    def duration_days(self) -> int | None:
        """Days from the first consent to the data cut-off (``None`` when nobody consented)."""
        return None if self.first_consent is None else (self.cutoff - self.first_consent).days

    @property
    def accrual_days(self) -> int | None:
        """Days from the first consent to the last registration."""
        if self.first_consent is None or self.last_registration is None:
            return None
        return (self.last_registration - self.first_consent).days


def _levels(protocol: Protocol, part_a: Sequence[str], evaluable: set[str],
            facts: Mapping[str, Facts]) -> tuple[LevelCounts, ...]:
    out = []
    for level in protocol.dose_finding.levels:
        ids = [pid for pid in part_a if facts[pid].participant.dose_level == level.id]
        chosen = [pid for pid in ids if pid in evaluable]
        dlts = sum(1 for pid in chosen if any(ae.dlt for ae in facts[pid].adverse_events))
        out.append(LevelCounts(level.id, len(ids), len(chosen), dlts))
    return tuple(out)


def trial_outcome(*, trial: TrialData, protocol: Protocol, seed: int) -> TrialOutcome:
    """Read one trial's operating-characteristics figures from its data at its own date.

    The populations, the BOIN history and RP2D, the Simon stage-1 look and final analysis
    and the Part B safety monitoring are those of :func:`hipectrial.analysis.analyze_trial`
    (the same functions, called the same way); the rest of that analysis (tables, survival,
    data checks) is not computed here, so a thousand trials read quickly. The data are not
    validated here: the simulator's output is (``tests/simulate``).

    Parameters
    ----------
    trial
        The trial's records; the cut-off is ``trial.generated_at``'s date.
    protocol
        The protocol the records follow.
    seed
        The trial's seed, kept with its figures.

    Raises
    ------
    InputError
        When the trial's protocol id is not the protocol's.
    """
    if trial.protocol_id != protocol.study.id:
        raise InputError("trial.protocol_id", trial.protocol_id,
                         f"the protocol's study id {protocol.study.id!r}")
    day = trial.generated_at.date()
    data = at_cutoff(trial, day)
    facts = collect_facts(trial=data, protocol=protocol)
    # The per-protocol and measurable populations (every ITT participant's recomputed
    # eligibility and RECIST evaluation: most of a full analysis's time) are not used here.
    pops = build_populations(protocol=protocol, facts=facts, responses={}, eligibility={}, as_of=day,
                             skip=NEEDS_SCREENING_OR_RECIST)
    cohorts = boin_cohorts(protocol=protocol, part_a=pops.part_a, facts=facts, as_of=day)
    evaluable = pops[Population.DLT_EVALUABLE]
    dose_finding = dose_finding_status(protocol, pops.part_a, evaluable, facts, cohorts=cohorts)
    simon = simon_population(protocol=protocol, populations=pops, facts=facts, dose_finding=dose_finding)
    stage1 = simon_stage1(protocol=protocol, part_b_itt=simon.participant_ids, facts=facts)
    primary = primary_endpoint(protocol=protocol, populations=pops, facts=facts, dose_finding=dose_finding,
                               simon=simon, stage1=stage1, conf_level=CONF_LEVEL, labels=Labels(protocol))
    safety = pops[Population.SAFETY]
    in_safety = set(safety)
    part_b_safety = [pid for pid in pops.part_b if pid in in_safety]
    monitoring = safety_monitoring_status(protocol, part_b_safety, facts)
    final = primary.final
    estimate = primary.designed.estimate
    has_part_b = bool(simon.participant_ids) or bool(pops.part_b)
    consents = [p.consent_date for p in data.participants if p.consent_date is not None]
    registrations = [f.registration_date for f in facts.values() if f.registration_date is not None]
    return TrialOutcome(
        seed=seed, screened=len(data.participants), registered=len(pops.registered),
        part_a_registered=len(pops.part_a), part_b_registered=len(pops.part_b),
        selected_level=primary.rp2d,
        part_a_levels=_levels(protocol, pops.part_a, set(evaluable), facts),
        stage1_decision=stage1.decision if has_part_b else None,
        final_decision=final.decision if has_part_b else None,
        reject_h0=final.reject_h0 is True and final.complete and final.decision != STOPPED_AT_STAGE_1,
        safety_rule_met=None if monitoring is None or not part_b_safety else monitoring.stopped,
        r0_events=estimate.events, r0_n=estimate.n, r0_ci_lower=estimate.ci_lower,
        r0_ci_upper=estimate.ci_upper,
        simon_ci_lower=None if final.estimate is None else final.estimate.ci_lower,
        simon_ci_upper=None if final.estimate is None else final.estimate.ci_upper,
        simon_umvue=None if final.estimate is None else final.estimate.umvue,
        safety_n=len(safety),
        grade3_participants=sum(1 for pid in safety
                                if any(ae.grade >= 3 for ae in facts[pid].adverse_events)),
        first_consent=min(consents, default=None), last_registration=max(registrations, default=None),
        cutoff=day, stage1_look_date=stage1.look_date if has_part_b else None)
