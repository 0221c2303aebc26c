"""The 3+3 dose-escalation design, with and without de-escalation, and its operating characteristics.

Rules (shared/reference/clinical.md §8.3; Storer 1989; bcrm ``threep3``): treat 3 at a
dose; 0/3 DLT -> escalate; 1/3 -> treat 3 more at the same dose (at most 1/6 -> escalate,
at least 2/6 -> the dose is exceeded); at least 2/3 -> the dose is exceeded. Escalation is
only to a dose not yet tested. When a dose is exceeded:

- at the lowest dose, the trial stops with no MTD;
- without de-escalation, the trial stops and the dose below is the MTD (it may have only 3
  patients);
- with de-escalation, if the dose below has only 3 patients the next cohort goes there
  (the dose is "expanded to 6"); the MTD is the highest dose with at most 1/6 DLT among 6
  treated, so an expanded dose with at least 2/6 is itself exceeded and the rule repeats.

Top-dose convention (bcrm ``threep3``: "If dose-escalation extends to doses outside of
that defined by dose, the MTD is determined to be the largest dose"): a highest dose that
clears (0/3, or at most 1/6) is selected as the MTD and the trial stops; no extra cohort is
added at the top dose.

Operating characteristics are exact (:func:`threeplusthree_exact`, enumerating every path
of cohort outcomes with binomial probabilities by repeatedly asking the design's own
``decide``) or simulated (:func:`threeplusthree_simulate`, the same rules vectorised across
trials, with Monte-Carlo standard errors).

Dose indices are 0-based (``hipectrial.design.dose_finding``).

References
----------
Storer BE. Design and analysis of phase I clinical trials. Biometrics 1989; 45: 925-937.
Lin Y, Shih WJ. Statistical properties of the traditional algorithm-based designs for phase I
cancer clinical trials. Biostatistics 2001; 2: 203-215.
Sweeting M, Mander A, Sabin T. bcrm: Bayesian continual reassessment method designs for
phase I dose-finding trials. Journal of Statistical Software 2013; 54(13) (``threep3``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from hipectrial.design.dose_finding import Action, Decision, DoseState, StopReason
from hipectrial.errors import InputError

__all__ = ["OCStandardErrors", "ThreePlusThree", "ThreePlusThreeOC", "threeplusthree_exact",
           "threeplusthree_simulate"]

COHORT = 3
MTD_EXCEEDED = "MTD exceeded; the dose below is the MTD"


@dataclass(frozen=True, slots=True)
class ThreePlusThree:
    """The 3+3 design; implements :class:`~hipectrial.design.dose_finding.DoseFindingDesign`.

    Parameters
    ----------
    deescalation : bool
        Whether an exceeded dose sends the next cohort back to a dose below that has only 3
        patients (default ``True``, the form in clinical.md §8.3).

    Examples
    --------
    1 DLT in the first 3 at the lowest dose: 3 more at the same dose.

    >>> design = ThreePlusThree()
    >>> design.decide(DoseState(n=(3, 0, 0), dlt=(1, 0, 0), current=0)).action
    <Action.STAY: 'stay'>

    2 of 3 at dose 2 after 0/3 at dose 1: go back and expand dose 1 to 6.

    >>> design.decide(DoseState(n=(3, 3, 0), dlt=(0, 2, 0), current=1)).next_dose
    0
    >>> ThreePlusThree(deescalation=False).decide(DoseState(n=(3, 3, 0), dlt=(0, 2, 0), current=1)).selected
    0
    """

    deescalation: bool = True

    def decide(self, state: DoseState) -> Decision:
        """Where the next cohort of 3 goes, or the stop and the selected MTD.

        Raises
        ------
        InputError
            A state a 3+3 trial cannot reach: a dose with other than 0, 3 or 6 patients, or
            no patients at the current dose.
        """
        for treated in state.n:
            if treated not in (0, 3, 6):
                raise InputError("n", state.n, "0, 3 or 6 patients at each dose (cohorts of 3)")
        top = len(state.n) - 1
        current = state.current
        treated, toxic = state.n[current], state.dlt[current]
        if treated == 0:
            raise InputError("current", current, "a dose that has been given (n > 0)", f"n = {state.n}")
        if toxic >= 2:
            return self._exceeded(state)
        if treated == COHORT and toxic == 1:
            return Decision(action=Action.STAY, next_dose=current)
        # 0/3 or at most 1/6: escalate to an untested, not eliminated dose, else this is the MTD.
        if current < top and state.n[current + 1] == 0 and not state.eliminated[current + 1]:
            return Decision(action=Action.ESCALATE, next_dose=current + 1)
        return Decision(action=Action.STOP, next_dose=None, reason=StopReason.MTD_DETERMINED,
                        selected=current)

    def _exceeded(self, state: DoseState) -> Decision:
        current = state.current
        eliminated = tuple(flag or dose >= current for dose, flag in enumerate(state.eliminated))
        if current == 0:
            return Decision(action=Action.STOP, next_dose=None, reason=StopReason.LOWEST_DOSE_TOO_TOXIC,
                            selected=None, eliminated=eliminated)
        below = current - 1
        if self.deescalation and state.n[below] == COHORT:
            return Decision(action=Action.DE_ESCALATE, next_dose=below, eliminated=eliminated)
        return Decision(action=Action.STOP, next_dose=None, reason=MTD_EXCEEDED, selected=below,
                        eliminated=eliminated)


@dataclass(frozen=True, slots=True)
class OCStandardErrors:
    """Monte-Carlo standard errors of the matching fields of :class:`ThreePlusThreeOC`."""

    prob_select: tuple[float, ...]
    prob_no_mtd: float
    expected_patients: tuple[float, ...]
    expected_dlts: tuple[float, ...]
    expected_sample_size: float


@dataclass(frozen=True, slots=True)
class ThreePlusThreeOC:
    """Operating characteristics of the 3+3 design for one set of true DLT rates.

    Parameters
    ----------
    truth : tuple of float
        True DLT probability at each dose (lowest first).
    deescalation : bool
        The design variant.
    method : {"exact", "simulation"}
        Path enumeration (exact) or Monte-Carlo simulation.
    prob_select : tuple of float
        Probability of selecting each dose as the MTD.
    prob_no_mtd : float
        Probability that the lowest dose is exceeded and no MTD is selected.
    expected_patients, expected_dlts : tuple of float
        Expected patients treated and DLTs seen at each dose.
    expected_sample_size : float
        Expected total number of patients.
    paths : int or None
        Number of distinct trial paths (exact method only).
    n_trials, seed : int or None
        Simulated trials and the seed (simulation only).
    standard_errors : OCStandardErrors or None
        Monte-Carlo standard errors (simulation only).
    """

    truth: tuple[float, ...]
    deescalation: bool
    method: Literal["exact", "simulation"]
    prob_select: tuple[float, ...]
    prob_no_mtd: float
    expected_patients: tuple[float, ...]
    expected_dlts: tuple[float, ...]
    expected_sample_size: float
    paths: int | None = None
    n_trials: int | None = None
    seed: int | None = None
    standard_errors: OCStandardErrors | None = None


def _truth(truth: Sequence[float]) -> tuple[float, ...]:
    values = tuple(truth)
    if not values:
        raise InputError("truth", values, "one DLT probability per dose, at least one dose")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
            raise InputError("truth", values, "DLT probabilities in [0, 1], one per dose")
    return tuple(float(value) for value in values)


def threeplusthree_exact(*, truth: Sequence[float], deescalation: bool = True) -> ThreePlusThreeOC:
    """Exact operating characteristics by enumerating every trial path.

    From the start (3 patients at the lowest dose) each cohort has 0-3 DLTs with binomial
    probabilities; the design's ``decide`` says where the next cohort goes until it stops.
    A dose receives at most two cohorts, so a trial has at most ``2 * len(truth)`` cohorts
    and the tree is small (hundreds of paths for 6 doses).

    Parameters
    ----------
    truth : sequence of float
        True DLT probability at each dose, in [0, 1], lowest dose first.
    deescalation : bool
        Design variant (see :class:`ThreePlusThree`).

    Returns
    -------
    ThreePlusThreeOC
        With ``method="exact"`` and the number of paths.

    Raises
    ------
    InputError
        ``truth`` empty or not probabilities.

    Examples
    --------
    One dose with DLT rate p is selected with probability (1-p)^3 + 3p(1-p)^2 (1-p)^3;
    for p = 0.3 that is 0.343 + 0.441 * 0.343 = 0.494263.

    >>> oc = threeplusthree_exact(truth=[0.3])
    >>> round(oc.prob_select[0], 6), round(oc.expected_sample_size, 3)
    (0.494263, 4.323)
    """
    probs = _truth(truth)
    doses = len(probs)
    design = ThreePlusThree(deescalation=deescalation)
    outcome = [stats.binom.pmf(np.arange(COHORT + 1), COHORT, p).tolist() for p in probs]
    select = [0.0] * doses
    patients = [0.0] * doses
    dlts = [0.0] * doses
    no_mtd = 0.0
    paths = 0
    # Depth-first over (probability, state before the cohort, dose of the cohort).
    stack: list[tuple[float, DoseState, int]] = [(1.0, DoseState(n=(0,) * doses, dlt=(0,) * doses,
                                                                  current=0), 0)]
    while stack:
        weight, state, dose = stack.pop()
        for events, chance in enumerate(outcome[dose]):
            if chance == 0.0:
                continue
            n = tuple(v + COHORT if i == dose else v for i, v in enumerate(state.n))
            dlt = tuple(v + events if i == dose else v for i, v in enumerate(state.dlt))
            after = DoseState(n=n, dlt=dlt, current=dose, eliminated=state.eliminated)
            decision = design.decide(after)
            here = weight * chance
            eliminated = decision.eliminated if decision.eliminated is not None else after.eliminated
            if decision.action is Action.STOP:
                paths += 1
                for i in range(doses):
                    patients[i] += here * n[i]
                    dlts[i] += here * dlt[i]
                if decision.selected is None:
                    no_mtd += here
                else:
                    select[decision.selected] += here
            else:
                if decision.next_dose is None:
                    raise RuntimeError(f"3+3 decision {decision} continues without a dose")
                stack.append((here, DoseState(n=n, dlt=dlt, current=dose, eliminated=eliminated),
                              decision.next_dose))
    return ThreePlusThreeOC(truth=probs, deescalation=deescalation, method="exact",
                            prob_select=tuple(select), prob_no_mtd=no_mtd,
                            expected_patients=tuple(patients), expected_dlts=tuple(dlts),
                            expected_sample_size=math.fsum(patients), paths=paths)


def threeplusthree_simulate(*, truth: Sequence[float], n_trials: int = 10_000, seed: int,
                            deescalation: bool = True) -> ThreePlusThreeOC:
    """Operating characteristics by simulating ``n_trials`` 3+3 trials at once (vectorised).

    All unfinished trials advance one cohort per step; a step draws one binomial(3, p)
    outcome per trial and applies the rules to the arrays, so the cost grows with the
    number of trials times at most ``2 * len(truth)`` steps.

    Parameters
    ----------
    truth : sequence of float
        True DLT probability at each dose, in [0, 1], lowest dose first.
    n_trials : int
        Number of simulated trials (>= 2).
    seed : int
        Seed of the ``numpy.random.Generator`` (PCG64); the same seed gives the same result.
    deescalation : bool
        Design variant (see :class:`ThreePlusThree`).

    Returns
    -------
    ThreePlusThreeOC
        With ``method="simulation"`` and Monte-Carlo standard errors: ``sqrt(q (1 - q) / N)``
        for a probability ``q``, the sample standard deviation over ``sqrt(N)`` for a mean.

    Examples
    --------
    >>> oc = threeplusthree_simulate(truth=[0.3], n_trials=20_000, seed=1)
    >>> abs(oc.prob_select[0] - 0.494263) < 4 * oc.standard_errors.prob_select[0]
    True
    """
    probs = _truth(truth)
    if isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 2:
        raise InputError("n_trials", n_trials, "a whole number >= 2")
    trials = n_trials
    doses = len(probs)
    rng = np.random.default_rng(seed)
    p = np.array(probs)
    n = np.zeros((trials, doses), dtype=np.int64)
    dlt = np.zeros((trials, doses), dtype=np.int64)
    current = np.zeros(trials, dtype=np.int64)
    selected = np.full(trials, -2, dtype=np.int64)  # -2 running, -1 no MTD, else the MTD
    running = np.arange(trials)
    while running.size:
        dose = current[running]
        events = rng.binomial(COHORT, p[dose])
        n[running, dose] += COHORT
        dlt[running, dose] += events
        treated, toxic = n[running, dose], dlt[running, dose]
        exceeded = toxic >= 2
        stay = (treated == COHORT) & (toxic == 1)
        clear = ~exceeded & ~stay
        above = np.minimum(dose + 1, doses - 1)
        can_escalate = (dose < doses - 1) & (n[running, above] == 0)
        below = np.maximum(dose - 1, 0)
        expand_below = (dose > 0) & (n[running, below] == COHORT) & deescalation
        escalate = clear & can_escalate
        current[running[escalate]] += 1
        stop_here = clear & ~can_escalate
        selected[running[stop_here]] = dose[stop_here]
        down = exceeded & expand_below
        current[running[down]] -= 1
        stop_below = exceeded & ~expand_below
        selected[running[stop_below]] = dose[stop_below] - 1  # -1 at the lowest dose: no MTD
        running = running[~(stop_here | stop_below)]
    counts = np.bincount(selected + 1, minlength=doses + 1) / trials
    sizes = n.sum(axis=1)

    def mean_se(values: np.ndarray) -> tuple[float, float]:
        return float(values.mean()), float(values.std(ddof=1) / math.sqrt(trials))

    def prop_se(q: float) -> float:
        return math.sqrt(q * (1.0 - q) / trials)

    patients = [mean_se(n[:, i]) for i in range(doses)]
    toxicities = [mean_se(dlt[:, i]) for i in range(doses)]
    size_mean, size_se = mean_se(sizes)
    select = tuple(float(q) for q in counts[1:])
    errors = OCStandardErrors(prob_select=tuple(prop_se(q) for q in select),
                              prob_no_mtd=prop_se(float(counts[0])),
                              expected_patients=tuple(se for _, se in patients),
                              expected_dlts=tuple(se for _, se in toxicities),
                              expected_sample_size=size_se)
    return ThreePlusThreeOC(truth=probs, deescalation=deescalation, method="simulation",
                            prob_select=select, prob_no_mtd=float(counts[0]),
                            expected_patients=tuple(m for m, _ in patients),
                            expected_dlts=tuple(m for m, _ in toxicities),
                            expected_sample_size=size_mean, n_trials=trials, seed=seed,
                            standard_errors=errors)
