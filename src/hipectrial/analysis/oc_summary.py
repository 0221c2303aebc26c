"""Operating characteristics of the whole protocol: many trials' outcomes summarised, each
figure with its Monte-Carlo standard error.

Three kinds of figure, each with the standard error that goes with it (``k`` trials held):

* **Percent of trials** (a dose selected, stage-1 stop, H0 rejected, a safety stop): the
  mean of a 0/1 indicator x 100; SE = sample SD / sqrt(k) (``ddof=1``, as
  :mod:`hipectrial.design.boin_sim` does).
* **Mean per trial** (participants, months): the mean; SE = sample SD / sqrt(k).
* **Pooled rate** (DLTs among DLT-evaluable, grade >= 3 among the safety population, R0
  among Part B ITT): sum of events / sum of denominators over all trials, a ratio
  estimator; SE = sqrt(sum_i (e_i - R n_i)^2 / (k (k - 1))) / mean(n_i) (Cochran, Sampling
  Techniques, 3rd ed., 1977, §6.3), which respects that participants of one trial share it.

**R0 rate.** A scenario gives R0 through a chain of probabilities (response, second look,
surgery, R0 at surgery), not as one number; its true rate among Part B ITT participants
is estimated by the pooled rate over every trial's Part B ITT participants (thousands of
people, SE shown). Each trial's estimate is its own R0 / ITT; the summary shows their mean
(biased by the stage-1 stop, as a Simon design's naive estimate is), their spread (SD), and
the coverage of the trial's exact (Clopper-Pearson) 95 % interval and of the Simon final
analysis's stage-adjusted 95 % interval, against the pooled rate.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hipectrial.analysis.oc_outcome import TrialOutcome
from hipectrial.clinical.numbers import DAYS_PER_MONTH
from hipectrial.design.boin_sim import McEstimate, mc_mean
from hipectrial.design.simon_inference import SimonAction
from hipectrial.errors import InputError

__all__ = ["PART_B_ENDS", "FailedTrial", "OcSummary", "part_b_end", "summarise_outcomes"]

#: How Part B ended, one per trial (:func:`part_b_end`), in the order a table shows them.
NO_PART_B = "Part B not opened"
SAFETY_CLOSED = "closed by the safety monitoring"
STAGE1_STOP = "stopped at the Simon stage-1 look (futility)"
REJECTED = "completed: H0 rejected"
NOT_REJECTED = "completed: H0 not rejected"
UNFINISHED = "final analysis not complete at the cut-off"
PART_B_ENDS = (NO_PART_B, SAFETY_CLOSED, STAGE1_STOP, REJECTED, NOT_REJECTED, UNFINISHED)


def part_b_end(outcome: TrialOutcome, safety_stop: dt.date | None) -> str:
    """How one trial's Part B ended, exactly one of :data:`PART_B_ENDS`: not opened; closed by
    the simulator's safety look (``safety_stop``, its day) unless the stage-1 look stopped it
    for futility earlier; stopped at stage 1; or the Simon final analysis's verdict, or not
    complete by the cut-off. The other rows of the summary (stage-1 stop, H0 rejected, safety
    stop) are each of all trials and may overlap: a trial closed by a safety look can still
    have its stage-1 look on the people registered before."""
    if outcome.part_b_registered == 0:
        return NO_PART_B
    stage1_first = outcome.stage1_stopped and outcome.stage1_look_date is not None and (
        safety_stop is None or outcome.stage1_look_date < safety_stop)
    if safety_stop is not None and not stage1_first:
        return SAFETY_CLOSED
    if outcome.stage1_stopped:
        return STAGE1_STOP
    if outcome.reject_h0:
        return REJECTED
    if outcome.final_decision == SimonAction.DO_NOT_REJECT_H0.value:
        return NOT_REJECTED
    return UNFINISHED

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class FailedTrial:
    """A trial whose simulation failed on every attempt: its index, seed and the error."""

    index: int
    seed: int
    error: str


@dataclass(frozen=True, slots=True)
class OcSummary:
    """One scenario's operating characteristics (module docstring for the standard errors).

    Percentages are of the ``trials`` held (``trials_requested`` minus ``failed``);
    ``levels`` are the protocol's dose-level ids, lowest first, and the per-level tuples
    follow them. ``pct_safety_stop`` is the simulator's: Part B registration stopped by the
    safety-monitoring rule during the trial (``None`` when the runner does not say);
    ``pct_safety_rule_met`` is the analysis at the cut-off (a planned look meets the rule).
    """

    scenario: str
    seed: int
    trials_requested: int
    trials: int
    failed: tuple[FailedTrial, ...]
    levels: tuple[str, ...]
    level_labels: tuple[str, ...]
    pct_selected: tuple[McEstimate, ...]
    pct_no_dose: McEstimate
    part_a_size: McEstimate
    part_a_patients: tuple[McEstimate, ...]
    part_a_dlts: tuple[McEstimate, ...]
    dlt_rate: McEstimate | None
    pct_part_b: McEstimate
    pct_stage1_stop: McEstimate
    pct_reject_h0: McEstimate
    pct_safety_stop: McEstimate | None
    pct_safety_rule_met: McEstimate
    part_b_ends: tuple[tuple[str, McEstimate], ...] | None
    registered: McEstimate
    part_b_registered: McEstimate
    screened: McEstimate
    duration_months: McEstimate
    duration_months_quantiles: tuple[float, float, float]
    accrual_months: McEstimate
    r0_true_rate: McEstimate | None
    r0_estimate_mean: McEstimate | None
    r0_estimate_sd: float | None
    r0_trials: int
    pct_exact_ci_covers: McEstimate | None
    pct_simon_ci_covers: McEstimate | None
    simon_ci_trials: int
    grade3_rate: McEstimate | None
    seeds: tuple[int, ...]

    def to_document(self) -> dict[str, object]:
        """JSON-ready: every estimate as ``{"value", "se"}``."""
        def est(e: McEstimate | None) -> dict[str, float] | None:
            return None if e is None else {"value": e.value, "se": e.se}

        return {
            "scenario": self.scenario, "seed": self.seed, "trials_requested": self.trials_requested,
            "trials": self.trials,
            "failed": [{"index": f.index, "seed": f.seed, "error": f.error} for f in self.failed],
            "levels": list(self.levels), "level_labels": list(self.level_labels),
            "pct_selected": {lv: est(e) for lv, e in zip(self.levels, self.pct_selected, strict=True)},
            "pct_no_dose": est(self.pct_no_dose), "part_a_size": est(self.part_a_size),
            "part_a_patients": {lv: est(e) for lv, e in zip(self.levels, self.part_a_patients, strict=True)},
            "part_a_dlts": {lv: est(e) for lv, e in zip(self.levels, self.part_a_dlts, strict=True)},
            "dlt_rate": est(self.dlt_rate), "pct_part_b": est(self.pct_part_b),
            "pct_stage1_stop": est(self.pct_stage1_stop), "pct_reject_h0": est(self.pct_reject_h0),
            "pct_safety_stop": est(self.pct_safety_stop),
            "part_b_ends": None if self.part_b_ends is None else {k: est(v) for k, v in self.part_b_ends},
            "pct_safety_rule_met": est(self.pct_safety_rule_met),
            "registered": est(self.registered), "part_b_registered": est(self.part_b_registered),
            "screened": est(self.screened), "duration_months": est(self.duration_months),
            "duration_months_p10_p50_p90": list(self.duration_months_quantiles),
            "accrual_months": est(self.accrual_months),
            "r0": {"true_rate_pooled": est(self.r0_true_rate), "estimate_mean": est(self.r0_estimate_mean),
                   "estimate_sd": self.r0_estimate_sd, "trials_with_estimate": self.r0_trials,
                   "pct_exact_ci_covers": est(self.pct_exact_ci_covers),
                   "pct_simon_ci_covers": est(self.pct_simon_ci_covers),
                   "trials_with_simon_ci": self.simon_ci_trials},
            "grade3_rate": est(self.grade3_rate),
        }


def _pct(flags: Sequence[bool]) -> McEstimate:
    return mc_mean([1.0 if f else 0.0 for f in flags], 100.0)


def _ratio(events: Sequence[int], totals: Sequence[int]) -> McEstimate | None:
    """Pooled rate sum(events) / sum(totals) with the ratio estimator's SE (module docstring)."""
    e = np.asarray(events, dtype=float)
    n = np.asarray(totals, dtype=float)
    if n.sum() == 0:
        return None
    rate = float(e.sum() / n.sum())
    k = e.size
    if k < 2:
        return McEstimate(rate, math.nan)
    se = math.sqrt(float(((e - rate * n) ** 2).sum()) / (k * (k - 1))) / float(n.mean())
    return McEstimate(rate, se)


def _deciles(values: FloatArray) -> tuple[float, float, float]:
    """The 10th, 50th and 90th percentiles (NumPy's default, linear interpolation)."""
    if values.size == 0:
        return math.nan, math.nan, math.nan
    q = np.quantile(values, [0.1, 0.5, 0.9])
    return float(q[0]), float(q[1]), float(q[2])


def _covers(lower: float | None, upper: float | None, truth: float) -> bool:
    return lower is not None and upper is not None and lower <= truth <= upper


def summarise_outcomes(outcomes: Sequence[TrialOutcome], *, scenario: str, seed: int, levels: Sequence[str],
                       level_labels: Sequence[str] | None = None, trials_requested: int | None = None,
                       failed: Sequence[FailedTrial] = (),
                       safety_stops: Sequence[dt.date | None] | None = None) -> OcSummary:
    """Summarise trials' outcomes (module docstring).

    Parameters
    ----------
    outcomes
        One per trial held, in trial order (the order does not change any figure).
    scenario, seed
        What the trials ran under (kept with the summary).
    levels, level_labels
        The protocol's dose-level ids (lowest first) and how a reader sees them.
    trials_requested
        How many trials were asked for (default: as many as ``outcomes``).
    failed
        Trials whose simulation failed on every attempt (not in ``outcomes``).
    safety_stops
        Per trial, in the order of ``outcomes``: the day the simulator's safety look closed
        Part B registration, ``None`` for a trial it did not close; ``None`` for the whole
        argument when not known (no ``pct_safety_stop``, no ``part_b_ends``).

    Raises
    ------
    InputError
        No outcome, or ``safety_stops`` of another length.
    """
    if not outcomes:
        raise InputError("trials", 0, "at least one trial with an outcome")
    if safety_stops is not None and len(safety_stops) != len(outcomes):
        raise InputError("safety_stops", len(safety_stops), f"one entry per trial ({len(outcomes)})")
    ends = None if safety_stops is None else [
        part_b_end(o, d) for o, d in zip(outcomes, safety_stops, strict=True)]
    requested = len(outcomes) + len(failed) if trials_requested is None else trials_requested
    levels = tuple(levels)
    labels = tuple(level_labels) if level_labels is not None else levels
    by_level = [[next(c for c in o.part_a_levels if c.level == lv) for o in outcomes] for lv in levels]
    months = np.array([o.duration_days / DAYS_PER_MONTH for o in outcomes if o.duration_days is not None])
    accrual = [o.accrual_days / DAYS_PER_MONTH for o in outcomes if o.accrual_days is not None]
    with_r0 = [o for o in outcomes if o.r0_n > 0]
    truth = _ratio([o.r0_events for o in with_r0], [o.r0_n for o in with_r0])
    estimates = np.array([o.r0_events / o.r0_n for o in with_r0])
    with_simon = [o for o in with_r0 if o.simon_ci_lower is not None]
    return OcSummary(
        scenario=scenario, seed=seed, trials_requested=requested, trials=len(outcomes), failed=tuple(failed),
        levels=levels, level_labels=labels,
        pct_selected=tuple(_pct([o.selected_level == lv for o in outcomes]) for lv in levels),
        pct_no_dose=_pct([o.selected_level is None for o in outcomes]),
        part_a_size=mc_mean([o.part_a_registered for o in outcomes]),
        part_a_patients=tuple(mc_mean([c.registered for c in counts]) for counts in by_level),
        part_a_dlts=tuple(mc_mean([c.dlts for c in counts]) for counts in by_level),
        dlt_rate=_ratio([sum(c.dlts for c in o.part_a_levels) for o in outcomes],
                        [sum(c.evaluable for c in o.part_a_levels) for o in outcomes]),
        pct_part_b=_pct([o.part_b_registered > 0 for o in outcomes]),
        pct_stage1_stop=_pct([o.stage1_stopped for o in outcomes]),
        pct_reject_h0=_pct([o.reject_h0 for o in outcomes]),
        pct_safety_stop=None if safety_stops is None else _pct([d is not None for d in safety_stops]),
        part_b_ends=None if ends is None else tuple((k, _pct([e == k for e in ends])) for k in PART_B_ENDS),
        pct_safety_rule_met=_pct([o.safety_rule_met is True for o in outcomes]),
        registered=mc_mean([o.registered for o in outcomes]),
        part_b_registered=mc_mean([o.part_b_registered for o in outcomes]),
        screened=mc_mean([o.screened for o in outcomes]),
        duration_months=mc_mean(months),
        duration_months_quantiles=_deciles(months),
        accrual_months=mc_mean(accrual),
        r0_true_rate=truth,
        r0_estimate_mean=mc_mean(estimates) if with_r0 else None,
        r0_estimate_sd=float(estimates.std(ddof=1)) if estimates.size > 1 else None,
        r0_trials=len(with_r0),
        pct_exact_ci_covers=None if truth is None else _pct(
            [_covers(o.r0_ci_lower, o.r0_ci_upper, truth.value) for o in with_r0]),
        pct_simon_ci_covers=None if truth is None or not with_simon else _pct(
            [_covers(o.simon_ci_lower, o.simon_ci_upper, truth.value) for o in with_simon]),
        simon_ci_trials=len(with_simon),
        grade3_rate=_ratio([o.grade3_participants for o in outcomes], [o.safety_n for o in outcomes]),
        seeds=tuple(o.seed for o in outcomes),
    )
