"""Operating characteristics of dose-finding designs by simulation.

:func:`simulate_boin` runs BOIN vectorised across trials: one pass per cohort applies the
decision (tables indexed by patients and DLTs at the dose) to every trial still running,
and the final isotonic selection is computed for all trials at once.
:func:`simulate_design_loop` runs any
:class:`~hipectrial.design.dose_finding.DoseFindingDesign` one trial at a time through its
``decide``; :func:`simulate_boin_loop` is that loop for BOIN, the slow, obviously correct
reference and the benchmark baseline. Random numbers come from
``numpy.random.Generator(PCG64(seed))``; the two BOIN simulators draw in different orders,
so they agree within Monte-Carlo error, not draw for draw.

The true DLT probabilities need not increase with dose (any probabilities are accepted);
the design assumes they do, so non-monotone truths show how it behaves when that fails.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hipectrial.design.boin import PSEUDO, TIE_NUDGE, BoinDesign
from hipectrial.design.dose_finding import Action, DoseFindingDesign, DoseState, StopReason
from hipectrial.errors import InputError

__all__ = ["DoseFindingOC", "McEstimate", "mc_mean", "simulate_boin", "simulate_boin_loop",
           "simulate_design_loop"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class McEstimate:
    """A Monte-Carlo estimate and its standard error."""

    value: float
    se: float


@dataclass(frozen=True, slots=True)
class DoseFindingOC:
    """Operating characteristics over ``n_trials`` simulated trials.

    Percentages are of trials; ``pct_early_stop`` counts trials stopped because the lowest
    dose was eliminated (no dose selected); ``pct_stop_at_dose`` those stopped by the
    patients-at-dose rule. Dose indices in the tuples are 0-based (lowest first).
    """

    truth: tuple[float, ...]
    n_trials: int
    seed: int
    cohort_size: int
    n_cohorts: int
    start_dose: int
    pct_selected: tuple[McEstimate, ...]
    pct_no_dose: McEstimate
    mean_patients: tuple[McEstimate, ...]
    mean_dlts: tuple[McEstimate, ...]
    pct_early_stop: McEstimate
    pct_stop_at_dose: McEstimate
    mean_sample_size: McEstimate
    mean_total_dlts: McEstimate


def _check(truth: Sequence[float], cohort_size: int, n_cohorts: int, start_dose: int,
           n_trials: int) -> npt.NDArray[np.float64]:
    p = np.asarray(truth, dtype=float)
    if p.ndim != 1 or p.size == 0 or not np.all((p >= 0) & (p <= 1)):
        raise InputError("truth", tuple(truth), "one DLT probability in [0, 1] per dose")
    for name, value in (("cohort_size", cohort_size), ("n_cohorts", n_cohorts),
                        ("n_trials", n_trials)):
        if not isinstance(value, int | np.integer) or value < 1:
            raise InputError(name, value, "a whole number >= 1")
    if not 0 <= start_dose < p.size:
        raise InputError("start_dose", start_dose, f"a dose index in 0..{p.size - 1}")
    return p


def mc_mean(values: npt.ArrayLike, scale: float = 1.0) -> McEstimate:
    """The mean over simulated trials and its Monte-Carlo SE (sample SD, ``ddof=1``, over
    sqrt(k)), both times ``scale`` (100 for a percentage of 0/1 indicators); NaN where there
    are too few values (no mean without values, no SE with one).

    >>> mc_mean([1.0, 0.0, 0.0, 1.0], 100.0)
    McEstimate(value=50.0, se=28.867513459481287)
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return McEstimate(float("nan"), float("nan"))
    se = float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else float("nan")
    return McEstimate(float(x.mean()) * scale, se * scale)


def _summarise(truth: npt.NDArray[np.float64], seed: int, cohort_size: int, n_cohorts: int,
               start_dose: int, selected: IntArray, n: IntArray, y: IntArray,
               early: BoolArray, at_dose: BoolArray) -> DoseFindingOC:
    """OCs from per-trial outcomes (``selected`` is -1 for no dose)."""
    doses = truth.size
    chosen = selected[:, None] == np.arange(doses)[None, :]
    return DoseFindingOC(
        truth=tuple(float(v) for v in truth), n_trials=int(selected.size), seed=seed,
        cohort_size=cohort_size, n_cohorts=n_cohorts, start_dose=start_dose,
        pct_selected=tuple(mc_mean(chosen[:, j].astype(float), 100.0) for j in range(doses)),
        pct_no_dose=mc_mean((selected < 0).astype(float), 100.0),
        mean_patients=tuple(mc_mean(n[:, j].astype(float)) for j in range(doses)),
        mean_dlts=tuple(mc_mean(y[:, j].astype(float)) for j in range(doses)),
        pct_early_stop=mc_mean(early.astype(float), 100.0),
        pct_stop_at_dose=mc_mean(at_dose.astype(float), 100.0),
        mean_sample_size=mc_mean(n.sum(axis=1).astype(float)),
        mean_total_dlts=mc_mean(y.sum(axis=1).astype(float)),
    )


def _isotonic_select(target: float, n: IntArray, y: IntArray, admissible: BoolArray) -> IntArray:
    """R ``select.mtd`` for many trials at once: -1 where no dose is admissible.

    The weighted isotonic fit is ``max over j <= i of min over k >= i`` of the weighted mean
    of doses ``j..k`` (untreated and eliminated doses weigh 0), which equals the PAVA fit.
    """
    doses = n.shape[1]
    nf, yf = n.astype(float), y.astype(float)
    phat = (yf + PSEUDO) / (nf + 2 * PSEUDO)
    var = (yf + PSEUDO) * (nf - yf + PSEUDO) / ((nf + 2 * PSEUDO) ** 2 * (nf + 2 * PSEUDO + 1))
    w = np.where(admissible, 1.0 / var, 0.0)
    cw = np.concatenate([np.zeros((n.shape[0], 1)), np.cumsum(w, axis=1)], axis=1)
    cs = np.concatenate([np.zeros((n.shape[0], 1)), np.cumsum(w * phat, axis=1)], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        block = (cs[:, None, 1:] - cs[:, :-1, None]) / (cw[:, None, 1:] - cw[:, :-1, None])
    fitted = np.empty(n.shape, dtype=float)
    for i in range(doses):
        fitted[:, i] = block[:, : i + 1, i:].min(axis=2).max(axis=1)
    distance = np.abs(fitted + TIE_NUDGE * np.arange(1, doses + 1) - target)
    distance = np.where(admissible, distance, np.inf)
    best = distance.argmin(axis=1)
    return np.where(admissible.any(axis=1), best, -1).astype(np.int64)


def simulate_boin(design: BoinDesign, *, truth: Sequence[float], cohort_size: int = 3,
                  n_cohorts: int = 10, start_dose: int = 0, n_trials: int = 10_000,
                  seed: int = 1, progress: Progress | None = None) -> DoseFindingOC:
    """BOIN operating characteristics, vectorised across trials.

    Parameters
    ----------
    design : BoinDesign
        The design, its boundary convention included (its boundary tables drive every
        decision); its ``max_n`` is ignored (the maximum is ``cohort_size * n_cohorts``).
    truth : sequence of float
        True DLT probability of each dose, lowest first.
    cohort_size, n_cohorts : int
        Patients per cohort and the maximum number of cohorts.
    start_dose : int
        0-based starting dose.
    n_trials : int
        Number of simulated trials.
    seed : int
        Seed of ``numpy.random.Generator(PCG64(seed))``.
    progress : callable, optional
        Called as ``progress(cohorts_done, n_cohorts)``.

    Returns
    -------
    DoseFindingOC

    Examples
    --------
    >>> from hipectrial.design.boin import boin_design
    >>> design = boin_design(target=0.3)
    >>> oc = simulate_boin(design, truth=[0.05, 0.1, 0.3, 0.5], n_trials=2000, seed=7)
    >>> max(range(4), key=lambda j: oc.pct_selected[j].value)
    2
    """
    p = _check(truth, cohort_size, n_cohorts, start_dose, n_trials)
    rng = np.random.Generator(np.random.PCG64(seed))
    doses, max_n = p.size, cohort_size * n_cohorts
    b_e, b_d, b_x = design.tables(max_n)
    stop_n = design.stop_n_at_dose if design.stop_n_at_dose is not None else max_n + 1
    n = np.zeros((n_trials, doses), dtype=np.int64)
    y = np.zeros((n_trials, doses), dtype=np.int64)
    dose = np.full(n_trials, start_dose, dtype=np.int64)
    elim_from = np.full(n_trials, doses, dtype=np.int64)  # first eliminated dose
    running = np.ones(n_trials, dtype=bool)
    early = np.zeros(n_trials, dtype=bool)
    at_dose = np.zeros(n_trials, dtype=bool)
    for cohort in range(n_cohorts):
        idx = np.flatnonzero(running)
        if idx.size == 0:
            break
        d = dose[idx]
        n[idx, d] += cohort_size
        y[idx, d] += rng.binomial(cohort_size, p[d])
        nd, yd = n[idx, d], y[idx, d]
        eliminate = yd >= b_x[nd]
        elim_from[idx] = np.where(eliminate, np.minimum(elim_from[idx], d), elim_from[idx])
        tox_stop = eliminate & (d == 0)
        escalate = (yd <= b_e[nd]) & (d < doses - 1) & (d + 1 < elim_from[idx])
        de_escalate = ((yd >= b_d[nd]) | eliminate) & (d > 0)
        nxt = np.where(escalate, d + 1, np.where(de_escalate, d - 1, d))
        enough = (nxt == d) & (nd >= stop_n) & ~tox_stop
        dose[idx] = nxt
        early[idx] = tox_stop
        at_dose[idx] = enough
        running[idx] = ~(tox_stop | enough)
        if progress is not None:
            progress(cohort + 1, n_cohorts)
    # select.mtd re-derives elimination from the final data; it can only agree with the
    # trial's own flags, but the union keeps the rule identical to R's.
    levels = np.arange(doses)[None, :]
    over = (n >= design.min_n_eliminate) & (y >= b_x[n])
    first_over = np.where(over.any(axis=1), over.argmax(axis=1), doses)
    cut = np.minimum(elim_from, first_over)
    admissible = (n > 0) & (levels < cut[:, None]) & ~early[:, None]
    selected = _isotonic_select(design.target, n, y, admissible)
    return _summarise(p, seed, cohort_size, n_cohorts, start_dose, selected, n, y, early, at_dose)


def simulate_design_loop(design: DoseFindingDesign, *, truth: Sequence[float], cohort_size: int,
                         n_cohorts: int, start_dose: int = 0, n_trials: int = 1000,
                         seed: int = 1) -> DoseFindingOC:
    """Operating characteristics of any design, one trial at a time through ``decide``.

    Each trial treats a cohort at the current dose, asks ``design.decide`` and repeats
    until the decision is ``STOP`` (whose ``selected`` dose is recorded). A design that
    has not stopped after ``n_cohorts`` cohorts is an error: give it a maximum sample size.
    """
    p = _check(truth, cohort_size, n_cohorts, start_dose, n_trials)
    rng = np.random.Generator(np.random.PCG64(seed))
    doses = p.size
    n = np.zeros((n_trials, doses), dtype=np.int64)
    y = np.zeros((n_trials, doses), dtype=np.int64)
    selected = np.full(n_trials, -1, dtype=np.int64)
    early = np.zeros(n_trials, dtype=bool)
    at_dose = np.zeros(n_trials, dtype=bool)
    for trial in range(n_trials):
        treated, toxic = [0] * doses, [0] * doses
        current, eliminated = start_dose, (False,) * doses
        for _ in range(n_cohorts):
            treated[current] += cohort_size
            toxic[current] += int(rng.binomial(cohort_size, p[current]))
            decision = design.decide(DoseState(tuple(treated), tuple(toxic), current, eliminated))
            if decision.eliminated is not None:
                eliminated = decision.eliminated
            if decision.action is Action.STOP:
                selected[trial] = -1 if decision.selected is None else decision.selected
                early[trial] = decision.reason == StopReason.LOWEST_DOSE_TOO_TOXIC
                at_dose[trial] = decision.reason == StopReason.ENOUGH_AT_DOSE
                break
            if decision.next_dose is None:
                raise InputError("design", design, "a design whose non-STOP decisions name a dose")
            current = decision.next_dose
        else:
            raise InputError("n_cohorts", n_cohorts, "enough cohorts for the design to stop",
                             "give the design a maximum sample size")
        n[trial], y[trial] = treated, toxic
    return _summarise(p, seed, cohort_size, n_cohorts, start_dose, selected, n, y, early, at_dose)


def simulate_boin_loop(design: BoinDesign, *, truth: Sequence[float], cohort_size: int = 3,
                       n_cohorts: int = 10, start_dose: int = 0, n_trials: int = 1000,
                       seed: int = 1) -> DoseFindingOC:
    """BOIN operating characteristics one trial at a time (reference and baseline).

    >>> from hipectrial.design.boin import boin_design
    >>> design = boin_design(target=0.3)
    >>> oc = simulate_boin_loop(design, truth=[0.05, 0.1, 0.3, 0.5], n_trials=200, seed=7)
    >>> oc.n_trials
    200
    """
    capped = dataclasses.replace(design, max_n=cohort_size * n_cohorts)  # convention and all kept
    return simulate_design_loop(capped, truth=truth, cohort_size=cohort_size, n_cohorts=n_cohorts,
                                start_dose=start_dose, n_trials=n_trials, seed=seed)
