"""Simon's two-stage phase II design: exact operating characteristics and the design search.

A design ``(r1, n1, r, n)`` enrols ``n1`` participants and stops for futility when at most
``r1`` respond; otherwise it enrols ``n - n1`` more and rejects ``H0: p <= p0`` when more
than ``r`` of all ``n`` respond. ``alpha`` and ``power`` are the largest type I error and the
smallest power allowed (Simon 1989); both are exact binomial sums.

Decisions on observed data and the two-stage estimate live in :mod:`.simon_inference`.

References
----------
Simon R. Optimal two-stage designs for phase II clinical trials. Control Clin Trials
1989;10:1-10 (Tables 1 and 2).
Jung SH, Lee T, Kim K, George SL. Admissible two-stage designs for phase II cancer clinical
trials. Stat Med 2004;23:561-569.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from hipectrial.design.simon_search import best_per_n, binomial_tables, smallest_r
from hipectrial.errors import InputError

FloatArray = NDArray[np.float64]

#: Largest ``nmax`` accepted by :func:`simon_design`. The search holds O(nmax**2) floats (the
#: binomial tables; a peak of about 30 MB at 500, 8.5 MB at 300, measured with tracemalloc)
#: and its slowest cases, p1 - p0 = 0.07 with designs near n = 400, take about 2 s at 500 on
#: this 2-core machine; at 1000 (clinfun's ``ph2simon`` cap) they took about 25 s and 90 MB.
#: Simon (1989) and clinfun's default search to 100.
NMAX_LIMIT = 500


@dataclass(frozen=True, slots=True)
class SimonDesign:
    """Stop after ``n1`` if responses <= ``r1``; reject H0 after ``n`` if responses > ``r``."""

    r1: int
    n1: int
    r: int
    n: int

    @property
    def n2(self) -> int:
        """Participants in the second stage."""
        return self.n - self.n1

    def __str__(self) -> str:
        return f"{self.r1}/{self.n1}, {self.r}/{self.n}"


@dataclass(frozen=True, slots=True)
class SimonCharacteristics:
    """Exact operating characteristics of one design at response rates ``p0`` and ``p1``.

    ``alpha`` = P(reject H0 | p0), ``power`` = P(reject H0 | p1); ``pet0``/``pet1`` are the
    probabilities of early termination after stage 1 and ``en0``/``en1`` the expected sample
    sizes, ``n1 + (1 - PET) * n2``.
    """

    design: SimonDesign
    p0: float
    p1: float
    alpha: float
    power: float
    pet0: float
    pet1: float
    en0: float
    en1: float


@dataclass(frozen=True, slots=True)
class SimonSearch:
    """Optimal, minimax and admissible designs for one set of requirements.

    ``admissible`` runs from the minimax to the optimal design (increasing ``n``), and
    ``weights[i]`` is the interval of ``q`` over which ``admissible[i]`` minimises
    ``q * n + (1 - q) * EN0`` (Jung et al. 2004).
    """

    p0: float
    p1: float
    alpha: float
    power: float
    nmax: int
    optimal: SimonCharacteristics
    minimax: SimonCharacteristics
    admissible: tuple[SimonCharacteristics, ...]
    weights: tuple[tuple[float, float], ...]


def _probability(field: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise InputError(field, value, "a number in (0, 1)")
    return float(value)


def _whole(field: str, value: object, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InputError(field, value, "a whole number")
    number = int(value)
    if number < low or (high is not None and number > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InputError(field, value, bound)
    return number


def check_design(*, r1: int, n1: int, r: int, n: int) -> SimonDesign:
    """A :class:`SimonDesign` after checking ``0 <= r1 < n1 < n`` and ``r1 <= r < n``."""
    n = _whole("n", n, 2)
    n1 = _whole("n1", n1, 1, n - 1)
    r1 = _whole("r1", r1, 0, n1 - 1)
    r = _whole("r", r, r1, n - 1)
    return SimonDesign(r1=r1, n1=n1, r=r, n=n)


def _check_rates(p0: object, p1: object) -> tuple[float, float]:
    low = _probability("p0", p0)
    high = _probability("p1", p1)
    if high <= low:
        raise InputError("p1", p1, f"greater than p0 ({low})")
    return low, high


def _characteristics(designs: list[SimonDesign], p0: float, p1: float) -> list[SimonCharacteristics]:
    """Exact characteristics of several designs with one vectorised binomial call per kind.

    P(reject) = sum over x1 > r1 of b(x1; n1) P(X2 > r - x1) (Simon 1989, eq. 1).
    """
    x1 = np.concatenate([np.arange(d.r1 + 1, d.n1 + 1) for d in designs])
    owner = np.repeat(np.arange(len(designs)), [d.n1 - d.r1 for d in designs])
    n1 = np.array([d.n1 for d in designs])[owner]
    n2 = np.array([d.n2 for d in designs])[owner]
    r = np.array([d.r for d in designs])[owner]
    p = np.array([p0, p1])[:, None]
    terms = stats.binom.pmf(x1, n1, p) * stats.binom.sf(r - x1, n2, p)
    reject = np.add.reduceat(terms, np.searchsorted(owner, np.arange(len(designs))), axis=1)
    pet: FloatArray = np.asarray(stats.binom.cdf([d.r1 for d in designs], [d.n1 for d in designs], p))
    return [SimonCharacteristics(
        design=d, p0=p0, p1=p1, alpha=float(reject[0, i]), power=float(reject[1, i]),
        pet0=float(pet[0, i]), pet1=float(pet[1, i]),
        en0=d.n1 + (1 - float(pet[0, i])) * d.n2, en1=d.n1 + (1 - float(pet[1, i])) * d.n2)
        for i, d in enumerate(designs)]


def evaluate_simon(*, r1: int, n1: int, r: int, n: int, p0: float, p1: float) -> SimonCharacteristics:
    """Exact type I error, power, PET and expected sample size of the design ``(r1, n1, r, n)``.

    Parameters
    ----------
    r1, n1 : int
        Stop after ``n1`` participants when at most ``r1`` respond (``0 <= r1 < n1``).
    r, n : int
        Reject H0 after ``n`` participants when more than ``r`` respond (``r1 <= r < n``).
    p0, p1 : float
        Uninteresting and target response rates, ``0 < p0 < p1 < 1``.

    Returns
    -------
    SimonCharacteristics

    Raises
    ------
    InputError
        A count that is not a whole number or out of order; rates outside (0, 1) or p1 <= p0.

    Examples
    --------
    The protocol's Part B design (Simon 1989, Table 1: EN0 20.6, PET0 0.75):

    >>> oc = evaluate_simon(r1=3, n1=13, r=12, n=43, p0=0.2, p1=0.4)
    >>> print(f"{oc.alpha:.4f} {oc.power:.4f} {oc.en0:.1f} {oc.pet0:.2f}")
    0.0496 0.8002 20.6 0.75
    """
    design = check_design(r1=r1, n1=n1, r=r, n=n)
    low, high = _check_rates(p0, p1)
    return _characteristics([design], low, high)[0]


def _lower_hull(points: list[tuple[int, float]]) -> list[int]:
    """Indices of the vertices of the lower convex hull of points sorted by ``n``."""
    hull: list[int] = []
    for i, (n, e) in enumerate(points):
        while len(hull) >= 2:
            (na, ea), (nb, eb) = points[hull[-2]], points[hull[-1]]
            if (nb - na) * (e - ea) - (eb - ea) * (n - na) <= 0:
                hull.pop()
            else:
                break
        hull.append(i)
    return hull


def simon_design(*, p0: float, p1: float, alpha: float, power: float, nmax: int = 100) -> SimonSearch:
    """Optimal, minimax and admissible Simon two-stage designs with ``n <= nmax``.

    Every design with ``0 <= r1 < n1 < n <= nmax`` and ``r1 <= r < n`` whose exact type I
    error is at most ``alpha`` and exact power at least ``power`` is considered. The optimal
    design has the smallest EN0 (ties: smaller ``n``); the minimax design the smallest ``n``,
    then the smallest EN0. For equal ``(r1, n1, n)`` the smallest feasible ``r`` is reported.
    clinfun's ``ph2simon`` (1.1.5) searches the same designs and gives the same optimal and
    minimax designs in every case tested; it differs only where a level is met with equality
    (it requires alpha < ``alpha`` and power > ``power``) or where several ``r`` are feasible
    for the best ``(r1, n1, n)`` (it reports the largest).

    Parameters
    ----------
    p0, p1 : float
        Uninteresting and target response rates, ``0 < p0 < p1 < 1``.
    alpha : float
        Largest type I error allowed (one-sided), in (0, 1).
    power : float
        Smallest power allowed at ``p1``, in (0, 1).
    nmax : int
        Largest total sample size searched, 2 to :data:`NMAX_LIMIT` (500); default 100.

    Returns
    -------
    SimonSearch

    Raises
    ------
    InputError
        Bad rates, levels or ``nmax``, or no design with ``n <= nmax`` (field ``nmax``).

    References
    ----------
    Simon (1989), Table 1; Jung, Lee, Kim & George (2004) for the admissible designs.

    Examples
    --------
    The protocol's Part B (Simon 1989, Table 1, p0 0.20, p1 0.40, alpha 0.05, beta 0.20):

    >>> found = simon_design(p0=0.2, p1=0.4, alpha=0.05, power=0.8)
    >>> print(found.optimal.design, "|", found.minimax.design)
    3/13, 12/43 | 4/18, 10/33
    """
    low, high = _check_rates(p0, p1)
    size = _probability("alpha", alpha)
    target = _probability("power", power)
    limit = _whole("nmax", nmax, 2, NMAX_LIMIT)
    pmf, sf = binomial_tables(low, high, limit)
    en0, stage1 = best_per_n(p0=low, p1=high, alpha=size, power=target, nmax=limit, pmf=pmf, sf=sf)
    sizes = np.flatnonzero(np.isfinite(en0))
    if sizes.size == 0:
        raise InputError("nmax", nmax, "large enough for a design to exist",
                         hint=f"no two-stage design with n <= {limit} has type I error <= {size} "
                         f"and power >= {target}; increase nmax")

    def design(n: int) -> SimonDesign:
        r1, n1 = (int(v) for v in stage1[n])
        r = smallest_r(r1=r1, n1=n1, n=n, alpha=size, pmf=pmf, sf=sf)
        return SimonDesign(r1=r1, n1=n1, r=r, n=n)

    n_minimax = int(sizes[0])
    n_optimal = int(sizes[np.argmin(en0[sizes])])
    points = [(int(n), float(en0[n])) for n in sizes if n_minimax <= n <= n_optimal]
    hull = [points[i][0] for i in _lower_hull(points)]
    admissible = tuple(_characteristics([design(n) for n in hull], low, high))
    # Between neighbours i and i + 1 the loss q*n + (1-q)*EN0 is equal at q = cut[i];
    # above it the smaller design wins. Convexity makes the cuts decrease along the hull.
    cuts = [(a.en0 - b.en0) / ((a.en0 - b.en0) + (b.design.n - a.design.n))
            for a, b in itertools.pairwise(admissible)]
    uppers = [1.0, *cuts]
    lowers = [*cuts, 0.0]
    weights = tuple(zip(lowers, uppers, strict=True))
    return SimonSearch(p0=low, p1=high, alpha=size, power=target, nmax=limit,
                       optimal=admissible[-1], minimax=admissible[0], admissible=admissible,
                       weights=weights)

