"""BOIN: the Bayesian optimal interval design (Liu & Yuan 2015).

Escalate when the observed DLT rate at the current dose is at most ``lambda_e``, de-escalate
when it is at least ``lambda_d`` (or, by default, strictly above it where ``n x lambda_d``
is a whole number: see below), stay otherwise; eliminate a dose (and every higher dose)
when ``P(p > target | data) > cutoff`` under a Beta(1, 1) prior with at least
``min_n_eliminate`` patients treated there; select the MTD at the end by isotonic regression.
The rules, rounding and tie-breaking follow the R package BOIN (``get.boundary``,
``get.oc``, ``select.mtd``).

Boundary convention (:class:`BoundaryConvention`). The paper de-escalates when the observed
rate is ``>= lambda_d``, i.e. at ``#DLT >= ceiling(n x lambda_d)``, and so did R BOIN up to
2.7.1 (``R/get.boundary.R``: ``cutoff2 = ceiling(lambda2 * n)``). R BOIN 2.7.2 (CRAN,
2021-01-19), ``R/get.boundary.R``, de-escalates only at ``round(n x lambda_d) + 1`` when
``n x lambda_d`` is within 1e-12 of a whole number (``cutoff2 = ifelse(abs(round(lambda2 * n)
- lambda2 * n) < tol, round(lambda2 * n) + 1, ceiling(lambda2 * n))``, ``tol <- 1e-12``).
The two differ only where ``n x lambda_d`` is a whole number; on a 0.01 grid of targets
0.05-0.6 and phi2 (n <= 100) that happens exactly when ``phi2 = 1 - target`` (then
``lambda_d = 1/2``: e.g.
target 0.4 with phi2 0.6, at every even n: 2.7.2 de-escalates at n/2 + 1 DLTs, the paper at
n/2). The default, :attr:`BoundaryConvention.BOIN_2_7_2`, follows the current R package;
:attr:`BoundaryConvention.PAPER` follows the paper with whole numbers recognised exactly
(R <= 2.7.1's plain ``ceiling`` in floating point gives the paper's count where the product
is exact or falls just below the whole number, e.g. 0.49999999999999994 x 6 for target 0.4,
phi2 0.6, and one more where it falls just above, e.g. target 0.39, phi2 0.61 at n = 2).
For the seed protocol (target 0.30, phi1 0.18, phi2 0.42: lambda_e = 0.2365, lambda_d =
0.3585) ``n x lambda`` is a whole number at no n <= 100, so both conventions give the same
boundaries and the seed trial's decisions are unchanged.

The escalation boundary is ``floor(n x lambda_e)`` in the paper and in every R version: no
convention differs there. R computes it in floating point without a tolerance; where
``n x lambda_e`` is a whole number (on the same grid: ``phi1 = 1 - target``, so targets
above 0.5) and the product falls just below it (target 0.6, phi1 0.4: 0.49999999999999994 x n), R escalates
only at ``n/2 - 1`` DLTs or fewer. ``BOIN_2_7_2`` reproduces R's count; ``PAPER`` escalates at
``<= n/2`` as the paper's rule ``p_hat <= lambda_e`` says.

References
----------
Liu S, Yuan Y. Bayesian optimal interval designs for phase I clinical trials. J R Stat Soc C
2015;64:507-523. R package BOIN (Yan, Pan, Zhang, Liu, Yuan) 2.7.2, ``R/get.boundary.R``:
escalate if #DLT <= floor(n * lambda_e), de-escalate if #DLT >= the count above (capped at the
elimination count); BOIN 2.6.9 and 2.7.1, same file: de-escalate if #DLT >= ceiling(n *
lambda_d). Project reference: clinical.md section 8.3.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from hipectrial.design.dose_finding import Action, Decision, DoseState, StopReason
from hipectrial.errors import InputError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["BoinBoundaries", "BoinDesign", "BoinReason", "BoundaryConvention", "BoundaryRow", "MtdSelection",
           "boin_boundaries", "boin_design", "isotonic_pava", "posterior_over", "select_mtd"]

# select.mtd (R BOIN): estimates (y + 0.05) / (n + 0.1) and a 1e-10 * position nudge so that
# tied isotonic estimates resolve to the lower dose above the target, the higher one below.
PSEUDO = 0.05
TIE_NUDGE = 1e-10
# R BOIN 2.7.2 get.boundary: n x lambda_d counts as a whole number within this distance.
WHOLE_TOL = 1e-12


class BoundaryConvention(StrEnum):
    """How BOIN counts the boundaries where ``n x lambda`` is a whole number.

    ``BOIN_2_7_2`` (the default): R BOIN 2.7.2 ``get.boundary`` exactly: de-escalate only at
    strictly more than ``n x lambda_d`` DLTs; escalate at ``floor(n x lambda_e)`` computed in
    floating point. ``PAPER``: Liu & Yuan (2015), as R BOIN <= 2.7.1 intended: de-escalate at
    ``>= n x lambda_d``, escalate at ``<= n x lambda_e``, whole numbers recognised within 1e-12
    (R <= 2.7.1 rounds the floating-point product instead, so it can differ by one where the
    product falls just off a whole number; module docstring).
    """

    BOIN_2_7_2 = "boin-2.7.2"
    PAPER = "paper"


def _whole(x: float) -> int | None:
    """``x`` as a whole number if it is one within :data:`WHOLE_TOL` (R 2.7.2's test)."""
    nearest = round(x)
    return int(nearest) if abs(nearest - x) < WHOLE_TOL else None


class BoinReason(StrEnum):
    """Why BOIN stays where the boundaries alone would move (or selects no dose), besides
    the :class:`~hipectrial.design.dose_finding.StopReason` of a stop."""

    NO_PATIENT_AT_DOSE = "no patient treated at the current dose yet"
    LOWEST_DOSE = "lowest dose: cannot de-escalate"
    HIGHEST_DOSE = "highest dose: cannot escalate"
    NEXT_DOSE_ELIMINATED = "next dose eliminated"
    NO_ADMISSIBLE_DOSE = "no admissible dose treated"


def _probability(name: str, value: float) -> float:
    if not (isinstance(value, int | float) and 0.0 < float(value) < 1.0):
        raise InputError(name, value, "a probability strictly between 0 and 1")
    return float(value)


def posterior_over(target: float, *, n: int, dlt: int) -> float:
    """``P(p > target | dlt of n)`` under a Beta(1, 1) prior.

    The posterior is Beta(dlt + 1, n - dlt + 1), whose upper tail at ``target`` equals
    ``P(Binomial(n + 1, target) <= dlt)`` for whole-number parameters (exact, no special
    functions).

    >>> round(posterior_over(0.3, n=3, dlt=3), 4)  # 1 - 0.3**4
    0.9919
    """
    return sum(math.comb(n + 1, k) * target**k * (1 - target) ** (n + 1 - k) for k in range(dlt + 1))


@functools.lru_cache(maxsize=4096)
def _elimination_count(target: float, cutoff: float, n: int) -> int | None:
    for toxic in range(1, n + 1):
        if posterior_over(target, n=n, dlt=toxic) > cutoff:
            return toxic
    return None


@dataclass(frozen=True, slots=True)
class BoinDesign:
    """A BOIN design; implements :class:`~hipectrial.design.dose_finding.DoseFindingDesign`.

    Build it with :func:`boin_design` (which applies the default phi1 and phi2).

    Parameters
    ----------
    target : float
        Target DLT probability phi.
    phi1, phi2 : float
        Highest DLT rate deemed under-dosing and lowest deemed over-dosing
        (``phi1 < target < phi2``).
    cutoff : float
        Eliminate a dose when ``P(p > target | data) > cutoff``.
    min_n_eliminate : int
        Patients needed at a dose before it can be eliminated.
    stop_n_at_dose : int or None
        Stop when this many patients have been treated at the current dose and the decision
        is to stay there (R: ``n.earlystop``); ``None`` turns the rule off.
    max_n : int or None
        Maximum sample size: stop once this many patients have been treated in all.
    convention : BoundaryConvention
        How boundaries are counted where ``n x lambda`` is a whole number (module docstring);
        R BOIN 2.7.2 by default.
    """

    target: float
    phi1: float
    phi2: float
    cutoff: float = 0.95
    min_n_eliminate: int = 3
    stop_n_at_dose: int | None = None
    max_n: int | None = None
    convention: BoundaryConvention = BoundaryConvention.BOIN_2_7_2
    lambda_e: float = field(init=False)
    lambda_d: float = field(init=False)

    def __post_init__(self) -> None:
        target = _probability("target", self.target)
        phi1 = _probability("phi1", self.phi1)
        phi2 = _probability("phi2", self.phi2)
        if phi1 >= target:
            raise InputError("phi1", phi1, f"below the target {target}", "default 0.6 x target")
        if phi2 <= target:
            raise InputError("phi2", phi2, f"above the target {target}", "default 1.4 x target")
        _probability("cutoff", self.cutoff)
        if self.min_n_eliminate < 1:
            raise InputError("min_n_eliminate", self.min_n_eliminate, "a whole number >= 1")
        if self.stop_n_at_dose is not None and self.stop_n_at_dose < 1:
            raise InputError("stop_n_at_dose", self.stop_n_at_dose, "a whole number >= 1 or None")
        if self.max_n is not None and self.max_n < 1:
            raise InputError("max_n", self.max_n, "a whole number >= 1 or None")
        object.__setattr__(self, "convention", _convention(self.convention))
        lambda_e = (math.log((1 - phi1) / (1 - target))
                    / math.log(target * (1 - phi1) / (phi1 * (1 - target))))
        lambda_d = (math.log((1 - target) / (1 - phi2))
                    / math.log(phi2 * (1 - target) / (target * (1 - phi2))))
        object.__setattr__(self, "lambda_e", lambda_e)
        object.__setattr__(self, "lambda_d", lambda_d)

    def escalate_at_most(self, n: int) -> int:
        """Escalate if #DLT <= this with ``n`` treated at the dose.

        ``floor(n x lambda_e)``; under ``PAPER`` a product within 1e-12 of a whole number
        counts as that number (R floors the floating-point product as it is).

        >>> boin_design(target=0.6, phi1=0.4).escalate_at_most(6)  # lambda_e = 1/2
        2
        >>> boin_design(target=0.6, phi1=0.4, convention=BoundaryConvention.PAPER).escalate_at_most(6)
        3
        """
        product = n * self.lambda_e
        whole = _whole(product) if self.convention is BoundaryConvention.PAPER else None
        return math.floor(product) if whole is None else whole

    def eliminate_at_least(self, n: int) -> int | None:
        """Eliminate if #DLT >= this (``None``: no count eliminates with ``n`` treated)."""
        if n < self.min_n_eliminate:
            return None
        return _elimination_count(self.target, self.cutoff, n)

    def eliminated_by_data(self, n: Sequence[int], dlt: Sequence[int]) -> tuple[bool, ...]:
        """Doses eliminated by the data: the first dose that meets the elimination rule and
        every dose above it (each dose's data stop changing once it is eliminated, so this
        equals the flags a running trial accumulates)."""
        for i, (treated, toxic) in enumerate(zip(n, dlt, strict=True)):
            elim = self.eliminate_at_least(treated)
            if elim is not None and toxic >= elim:
                return (False,) * i + (True,) * (len(n) - i)
        return (False,) * len(n)

    def de_escalate_at_least(self, n: int) -> int:
        """De-escalate if #DLT >= this (capped at the elimination count, as R does).

        ``ceiling(n x lambda_d)``, except where ``n x lambda_d`` is a whole number (within
        1e-12): that number + 1 under ``BOIN_2_7_2``, the number itself under ``PAPER``.

        >>> design = boin_design(target=0.4, phi2=0.6)  # lambda_d = 1/2
        >>> design.de_escalate_at_least(6), design.de_escalate_at_least(5)
        (4, 3)
        >>> boin_design(target=0.4, phi2=0.6, convention=BoundaryConvention.PAPER).de_escalate_at_least(6)
        3
        """
        product = n * self.lambda_d
        whole = _whole(product)
        if whole is None:
            count = math.ceil(product)
        else:
            count = whole + 1 if self.convention is BoundaryConvention.BOIN_2_7_2 else whole
        elim = self.eliminate_at_least(n)
        return count if elim is None else min(count, elim)

    def tables(self, max_n: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64],
                                           npt.NDArray[np.int64]]:
        """Boundary counts indexed by n = 0..max_n: escalate <=, de-escalate >=, eliminate >=
        (``n + 1`` where no count eliminates; row 0 is unused)."""
        import numpy as np  # here, not at the top: the boundaries need no NumPy (CLI start-up)

        b_e = np.zeros(max_n + 1, dtype=np.int64)
        b_d = np.zeros(max_n + 1, dtype=np.int64)
        b_x = np.arange(max_n + 1, dtype=np.int64) + 1
        for n in range(1, max_n + 1):
            b_e[n] = self.escalate_at_most(n)
            b_d[n] = self.de_escalate_at_least(n)
            elim = self.eliminate_at_least(n)
            if elim is not None:
                b_x[n] = elim
        return b_e, b_d, b_x

    def decide(self, state: DoseState) -> Decision:
        """The next-dose decision after the latest cohort (R BOIN ``get.oc``, one step).

        In order: eliminate doses (from every dose's data and ``state.eliminated``; stop
        with no dose if the lowest is eliminated); escalate, de-escalate or stay by the
        boundaries, one level at most, never into an eliminated dose or off either end;
        stop if the decision is to stay and ``stop_n_at_dose`` patients have been treated
        here, or if ``max_n`` patients have been treated in all (then select the MTD with
        :func:`select_mtd`).

        >>> design = boin_design(target=0.3, stop_n_at_dose=9)
        >>> design.decide(DoseState(n=(3, 0, 0), dlt=(0, 0, 0), current=0)).next_dose
        1
        >>> design.decide(DoseState(n=(3, 3, 0), dlt=(0, 3, 0), current=1)).eliminated
        (False, True, True)
        >>> print(design.decide(DoseState(n=(3, 9, 0), dlt=(0, 3, 0), current=1)).reason)
        enough patients at the recommended dose
        """
        d, doses = state.current, len(state.n)
        n, y = state.n[d], state.dlt[d]
        by_data = self.eliminated_by_data(state.n, state.dlt)
        eliminated = [a or b for a, b in zip(state.eliminated, by_data, strict=True)]
        if True in eliminated:
            first = eliminated.index(True)
            eliminated[first:] = [True] * (doses - first)
        flags = tuple(eliminated)
        if eliminated[0]:
            return Decision(Action.STOP, None, StopReason.LOWEST_DOSE_TOO_TOXIC, None, flags)
        action, reason = Action.STAY, None
        if n == 0:
            reason = BoinReason.NO_PATIENT_AT_DOSE
        elif eliminated[d] or y >= self.de_escalate_at_least(n):
            if d == 0:
                reason = BoinReason.LOWEST_DOSE
            else:
                action = Action.DE_ESCALATE
        elif y <= self.escalate_at_most(n):
            if d == doses - 1:
                reason = BoinReason.HIGHEST_DOSE
            elif eliminated[d + 1]:
                reason = BoinReason.NEXT_DOSE_ELIMINATED
            else:
                action = Action.ESCALATE
        step = {Action.ESCALATE: 1, Action.DE_ESCALATE: -1}.get(action, 0)
        stop = None
        if action is Action.STAY and self.stop_n_at_dose is not None and n >= self.stop_n_at_dose:
            stop = StopReason.ENOUGH_AT_DOSE
        elif self.max_n is not None and sum(state.n) >= self.max_n:
            stop = StopReason.MAX_SAMPLE_SIZE
        if stop is not None:
            chosen = select_mtd(target=self.target, n=state.n, dlt=state.dlt, cutoff=self.cutoff,
                                min_n_eliminate=self.min_n_eliminate, eliminated=flags)
            return Decision(Action.STOP, None, stop, chosen.selected, flags)
        return Decision(action, d + step, reason, None, flags)


def boin_design(*, target: float, phi1: float | None = None, phi2: float | None = None,
                cutoff: float = 0.95, min_n_eliminate: int = 3, stop_n_at_dose: int | None = None,
                max_n: int | None = None,
                convention: BoundaryConvention | str = BoundaryConvention.BOIN_2_7_2) -> BoinDesign:
    """A BOIN design with phi1 = 0.6 x target and phi2 = 1.4 x target unless given, its
    boundaries counted by ``convention`` (R BOIN 2.7.2 by default; module docstring; its
    value as text, e.g. ``"paper"``, is accepted).

    >>> design = boin_design(target=0.3)
    >>> round(design.lambda_e, 4), round(design.lambda_d, 4)  # published: 0.236, 0.358 (truncated)
    (0.2365, 0.3585)
    """
    target = _probability("target", target)
    return BoinDesign(target=target, phi1=0.6 * target if phi1 is None else phi1,
                      phi2=1.4 * target if phi2 is None else phi2, cutoff=cutoff,
                      min_n_eliminate=min_n_eliminate, stop_n_at_dose=stop_n_at_dose, max_n=max_n,
                      convention=_convention(convention))


def _convention(value: BoundaryConvention | str) -> BoundaryConvention:
    try:
        return BoundaryConvention(value)
    except ValueError:
        raise InputError("convention", value,
                         "one of " + ", ".join(c.value for c in BoundaryConvention)) from None


@dataclass(frozen=True, slots=True)
class BoundaryRow:
    """Decision counts with ``n`` treated at the current dose."""

    n: int
    escalate_at_most: int
    de_escalate_at_least: int
    eliminate_at_least: int | None


@dataclass(frozen=True, slots=True)
class BoinBoundaries:
    """BOIN boundaries and the decision table at each multiple of the cohort size."""

    design: BoinDesign
    cohort_size: int
    n_cohorts: int
    lambda_e: float
    lambda_d: float
    rows: tuple[BoundaryRow, ...]


def boin_boundaries(*, target: float, phi1: float | None = None, phi2: float | None = None,
                    cutoff: float = 0.95, min_n_eliminate: int = 3, cohort_size: int = 3,
                    n_cohorts: int = 10,
                    convention: BoundaryConvention | str = BoundaryConvention.BOIN_2_7_2
                    ) -> BoinBoundaries:
    """Escalation and de-escalation boundaries and the decision table (R ``get.boundary``),
    counted by ``convention`` (R BOIN 2.7.2 by default).

    >>> table = boin_boundaries(target=0.25, n_cohorts=4)
    >>> [(r.n, r.escalate_at_most, r.de_escalate_at_least, r.eliminate_at_least) for r in table.rows]
    [(3, 0, 1, 3), (6, 1, 2, 4), (9, 1, 3, 5), (12, 2, 4, 6)]
    """
    if cohort_size < 1:
        raise InputError("cohort_size", cohort_size, "a whole number >= 1")
    if n_cohorts < 1:
        raise InputError("n_cohorts", n_cohorts, "a whole number >= 1")
    design = boin_design(target=target, phi1=phi1, phi2=phi2, cutoff=cutoff,
                         min_n_eliminate=min_n_eliminate, convention=convention)
    rows = tuple(BoundaryRow(n, design.escalate_at_most(n), design.de_escalate_at_least(n),
                             design.eliminate_at_least(n))
                 for n in range(cohort_size, cohort_size * n_cohorts + 1, cohort_size))
    return BoinBoundaries(design, cohort_size, n_cohorts, design.lambda_e, design.lambda_d, rows)


def isotonic_pava(values: Sequence[float], weights: Sequence[float]) -> tuple[float, ...]:
    """Weighted non-decreasing fit by pooling adjacent violators.

    >>> isotonic_pava([0.1, 0.3, 0.2, 0.4], [1, 1, 1, 1])
    (0.1, 0.25, 0.25, 0.4)
    """
    blocks: list[list[float]] = []  # [weighted mean, total weight, count]
    for value, weight in zip(values, weights, strict=True):
        blocks.append([float(value), float(weight), 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean2, weight2, count2 = blocks.pop()
            mean1, weight1, count1 = blocks[-1]
            total = weight1 + weight2
            blocks[-1] = [(mean1 * weight1 + mean2 * weight2) / total, total, count1 + count2]
    return tuple(mean for mean, _, count in blocks for _ in range(int(count)))


@dataclass(frozen=True, slots=True)
class MtdSelection:
    """The selected dose (0-based; ``None`` for none) and the isotonic estimates behind it
    (``None`` for doses untreated or eliminated)."""

    selected: int | None
    estimates: tuple[float | None, ...]
    eliminated: tuple[bool, ...]
    reason: str


def select_mtd(*, target: float, n: Sequence[int], dlt: Sequence[int], cutoff: float = 0.95,
               min_n_eliminate: int = 3, eliminated: Sequence[bool] | None = None) -> MtdSelection:
    """The MTD by isotonic regression (R BOIN ``select.mtd``).

    Doses are eliminated as in the trial (the first dose with ``P(p > target) > cutoff`` and
    every higher one, plus any in ``eliminated``); among treated, non-eliminated doses the
    estimates ``(y + 0.05) / (n + 0.1)`` are made non-decreasing by PAVA weighted by their
    inverse variance, and the dose closest to the target is chosen; of tied doses the lower
    one when above the target, the higher one when below. No dose if the lowest dose is
    eliminated.

    >>> select_mtd(target=0.3, n=(3, 6, 6, 3), dlt=(0, 1, 3, 2)).selected
    1
    >>> select_mtd(target=0.3, n=(3, 0), dlt=(3, 0)).reason
    'lowest dose too toxic'
    """
    target = _probability("target", target)
    state = DoseState(n=tuple(n), dlt=tuple(dlt), current=0,
                      eliminated=tuple(eliminated) if eliminated is not None else ())
    design = boin_design(target=target, cutoff=cutoff, min_n_eliminate=min_n_eliminate)
    by_data = design.eliminated_by_data(state.n, state.dlt)
    flags = [a or b for a, b in zip(state.eliminated, by_data, strict=True)]
    if True in flags:
        first = flags.index(True)
        flags[first:] = [True] * (len(flags) - first)
    admissible = [i for i, treated in enumerate(state.n) if treated > 0 and not flags[i]]
    estimates: list[float | None] = [None] * len(flags)
    if flags[0] or not admissible:
        reason = StopReason.LOWEST_DOSE_TOO_TOXIC if flags[0] else BoinReason.NO_ADMISSIBLE_DOSE
        return MtdSelection(None, tuple(estimates), tuple(flags), str(reason))
    import numpy as np  # here, not at the top: the boundaries need no NumPy (CLI start-up)

    y = np.array([state.dlt[i] for i in admissible], dtype=float)
    m = np.array([state.n[i] for i in admissible], dtype=float)
    phat = (y + PSEUDO) / (m + 2 * PSEUDO)
    var = (y + PSEUDO) * (m - y + PSEUDO) / ((m + 2 * PSEUDO) ** 2 * (m + 2 * PSEUDO + 1))
    fitted = isotonic_pava(phat.tolist(), (1.0 / var).tolist())
    distance = [abs(v + (k + 1) * TIE_NUDGE - target) for k, v in enumerate(fitted)]
    best = admissible[int(np.argmin(distance))]
    for i, value in zip(admissible, fitted, strict=True):
        estimates[i] = value
    return MtdSelection(best, tuple(estimates), tuple(flags), "closest isotonic estimate to target")
