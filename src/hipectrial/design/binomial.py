"""Exact inference for one binomial proportion: confidence intervals and the one-sided test.

Every function broadcasts over arrays of ``x`` (responses) and ``n`` (evaluable
participants) with NumPy's rules; scalars in give floats out.

Edge cases, decided once for every method: when ``x = 0`` the lower limit is 0 and when
``x = n`` the upper limit is 1 (Clopper & Pearson 1934; Brown, Cai & DasGupta 2001, §4.1.2
for the Jeffreys interval; Newcombe 1998, method 4, for Wilson with continuity correction).

References
----------
Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the case of
the binomial. Biometrika 1934;26:404-413.
Wilson EB. Probable inference, the law of succession, and statistical inference. JASA
1927;22:209-212.
Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of seven
methods. Stat Med 1998;17:857-872.
Brown LD, Cai TT, DasGupta A. Interval estimation for a binomial proportion. Stat Sci
2001;16:101-133.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from hipectrial.errors import InputError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class IntervalMethod(StrEnum):
    """How a binomial confidence interval is computed."""

    CLOPPER_PEARSON = "clopper-pearson"
    WILSON = "wilson"
    WILSON_CC = "wilson-cc"
    JEFFREYS = "jeffreys"


class Alternative(StrEnum):
    """The alternative hypothesis; for an interval, which sides are bounded."""

    TWO_SIDED = "two-sided"
    GREATER = "greater"
    LESS = "less"


@dataclass(frozen=True, slots=True)
class BinomialInterval:
    """A confidence interval for a binomial proportion (arrays when the input was arrays)."""

    x: int | IntArray
    n: int | IntArray
    confidence_level: float
    method: IntervalMethod
    alternative: Alternative
    low: float | FloatArray
    high: float | FloatArray


@dataclass(frozen=True, slots=True)
class BinomialTestResult:
    """The exact one-sided binomial test of ``H0: p = p0``.

    ``statistic`` is the observed proportion ``x / n``; ``pvalue`` is
    ``P(X >= x | p0)`` for ``greater`` and ``P(X <= x | p0)`` for ``less``.
    """

    x: int | IntArray
    n: int | IntArray
    p0: float
    alternative: Alternative
    statistic: float | FloatArray
    pvalue: float | FloatArray

    def confidence_interval(self, confidence_level: float = 0.95,
                            method: IntervalMethod | str = IntervalMethod.CLOPPER_PEARSON
                            ) -> BinomialInterval:
        """The interval matching the test: one-sided in the direction of the alternative."""
        return binomial_interval(x=self.x, n=self.n, confidence_level=confidence_level,
                                 method=method, alternative=self.alternative)


def _counts(x: ArrayLike, n: ArrayLike) -> tuple[IntArray, IntArray]:
    """``x`` and ``n`` as broadcast integer arrays, 1 <= n and 0 <= x <= n, or an InputError."""
    arrays: list[IntArray] = []
    for field, value in (("x", x), ("n", n)):
        array = np.asarray(value)
        if array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.integer):
            raise InputError(field, value, "a whole number (or an array of whole numbers)")
        arrays.append(array.astype(np.int64))
    xs, ns = arrays
    if np.any(ns < 1):
        raise InputError("n", n, "at least 1")
    try:
        xs, ns = np.broadcast_arrays(xs, ns)
    except ValueError:
        raise InputError("x", x, f"an array that broadcasts with n (shape {np.shape(n)})") from None
    if np.any(xs < 0) or np.any(xs > ns):
        raise InputError("x", x, "between 0 and n", hint=f"n = {n!r}")
    return xs, ns


def _level(confidence_level: float) -> float:
    if not isinstance(confidence_level, int | float) or not 0 < confidence_level < 1:
        raise InputError("confidence_level", confidence_level, "a number in (0, 1)")
    return float(confidence_level)


def _enum(field: str, value: Any, kind: type[StrEnum]) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise InputError(field, value, "one of " + ", ".join(m.value for m in kind)) from None


def _out(array: FloatArray, scalar: bool) -> float | FloatArray:
    return float(array) if scalar else array


def _bounds(xs: IntArray, ns: IntArray, tail: float, method: IntervalMethod
            ) -> tuple[FloatArray, FloatArray]:
    """Lower and upper limits each at one-sided level ``tail`` (e.g. 0.025 for a 95% interval)."""
    x = xs.astype(np.float64)
    n = ns.astype(np.float64)
    if method is IntervalMethod.CLOPPER_PEARSON:
        # x = 0 gives beta(0, .) (nan) below and x = n beta(., 0) above: set by the edge rule.
        with np.errstate(invalid="ignore"):
            low = special.betaincinv(x, n - x + 1, tail)
            high = special.betaincinv(x + 1, n - x, 1 - tail)
    elif method is IntervalMethod.JEFFREYS:
        low = special.betaincinv(x + 0.5, n - x + 0.5, tail)
        high = special.betaincinv(x + 0.5, n - x + 0.5, 1 - tail)
    elif method is IntervalMethod.WILSON:
        z = float(stats.norm.isf(tail))
        centre = (x + z * z / 2) / (n + z * z)
        half = z * np.sqrt(n) / (n + z * z) * np.sqrt(x / n * (1 - x / n) + z * z / (4 * n))
        low, high = centre - half, centre + half
    else:
        # Newcombe (1998) method 4, his equations for L and U.
        z = float(stats.norm.isf(tail))
        p = x / n
        denominator = 2 * (n + z * z)
        with np.errstate(invalid="ignore"):
            low = (2 * n * p + z * z - 1
                   - z * np.sqrt(z * z - 2 - 1 / n + 4 * p * (n * (1 - p) + 1))) / denominator
            high = (2 * n * p + z * z + 1
                    + z * np.sqrt(z * z + 2 - 1 / n + 4 * p * (n * (1 - p) - 1))) / denominator
    lower: FloatArray = np.asarray(np.where(xs == 0, 0.0, np.clip(low, 0.0, 1.0)), dtype=np.float64)
    upper: FloatArray = np.asarray(np.where(xs == ns, 1.0, np.clip(high, 0.0, 1.0)), dtype=np.float64)
    return lower, upper


def binomial_interval(*, x: ArrayLike, n: ArrayLike, confidence_level: float = 0.95,
                      method: IntervalMethod | str = IntervalMethod.CLOPPER_PEARSON,
                      alternative: Alternative | str = Alternative.TWO_SIDED) -> BinomialInterval:
    """Confidence interval for a binomial proportion from ``x`` responses in ``n``.

    Parameters
    ----------
    x, n : int or array of int
        Responses and evaluable participants; broadcast together, ``0 <= x <= n``, ``n >= 1``.
    confidence_level : float
        In (0, 1); default 0.95.
    method : IntervalMethod or str
        ``clopper-pearson`` (exact, default), ``wilson``, ``wilson-cc`` (Newcombe's continuity
        corrected Wilson) or ``jeffreys`` (equal-tailed Beta(1/2, 1/2) posterior interval).
    alternative : Alternative or str
        ``two-sided`` (equal tails), ``greater`` (lower limit only; the upper is 1) or
        ``less`` (upper limit only; the lower is 0).

    Returns
    -------
    BinomialInterval
        ``low`` and ``high`` as floats for scalar input, arrays otherwise.

    Raises
    ------
    InputError
        Non-integer counts, ``x`` outside ``[0, n]``, ``n < 1``, a level outside (0, 1), an
        unknown method or alternative.

    References
    ----------
    See the module docstring; the limits agree with ``binom.test(x, n)$conf.int`` in R and
    ``scipy.stats.binomtest(x, n).proportion_ci(method="exact" | "wilson" | "wilsoncc")``.

    Examples
    --------
    >>> ci = binomial_interval(x=3, n=13)      # R: binom.test(3, 13)$conf.int
    >>> print(f"{ci.low:.5f} {ci.high:.5f}")
    0.05038 0.53813
    >>> binomial_interval(x=[0, 13], n=13).low
    array([0.        , 0.75294...])
    """
    level = _level(confidence_level)
    chosen = _enum("method", method, IntervalMethod)
    side = _enum("alternative", alternative, Alternative)
    scalar = np.ndim(x) == 0 and np.ndim(n) == 0
    xs, ns = _counts(x, n)
    tail = (1 - level) / 2 if side is Alternative.TWO_SIDED else 1 - level
    low, high = _bounds(xs, ns, tail, chosen)
    if side is Alternative.GREATER:
        high = np.ones_like(high)
    elif side is Alternative.LESS:
        low = np.zeros_like(low)
    return BinomialInterval(x=int(xs) if scalar else xs, n=int(ns) if scalar else ns,
                            confidence_level=level, method=chosen, alternative=side,
                            low=_out(low, scalar), high=_out(high, scalar))


def binomial_test(*, x: ArrayLike, n: ArrayLike, p0: float,
                  alternative: Alternative | str = Alternative.GREATER) -> BinomialTestResult:
    """Exact one-sided binomial test of ``H0: p = p0`` against ``p > p0`` or ``p < p0``.

    Parameters
    ----------
    x, n : int or array of int
        Responses and evaluable participants (broadcast together).
    p0 : float
        The null response rate, in [0, 1].
    alternative : Alternative or str
        ``greater`` (default; p-value ``P(X >= x | p0)``) or ``less`` (``P(X <= x | p0)``).

    Returns
    -------
    BinomialTestResult
        With the proportion, the exact p-value and ``confidence_interval()``.

    Raises
    ------
    InputError
        As :func:`binomial_interval`, a ``p0`` outside [0, 1], or ``alternative='two-sided'``.

    Examples
    --------
    >>> # R: binom.test(3, 13, p = 0.2, alternative = "greater")$p.value
    >>> round(binomial_test(x=3, n=13, p0=0.2).pvalue, 10)
    0.4983478198
    """
    if not isinstance(p0, int | float) or not 0 <= p0 <= 1:
        raise InputError("p0", p0, "a number in [0, 1]")
    side = _enum("alternative", alternative, Alternative)
    if side is Alternative.TWO_SIDED:
        raise InputError("alternative", alternative, "greater or less",
                         hint="this is the exact one-sided test")
    scalar = np.ndim(x) == 0 and np.ndim(n) == 0
    xs, ns = _counts(x, n)
    # P(X >= x) for "greater", P(X <= x) for "less".
    tail = stats.binom.sf(xs - 1, ns, p0) if side is Alternative.GREATER else stats.binom.cdf(xs, ns, p0)
    pvalue = np.asarray(tail, dtype=np.float64)
    proportion = xs / ns
    return BinomialTestResult(x=int(xs) if scalar else xs, n=int(ns) if scalar else ns, p0=float(p0),
                              alternative=side, statistic=_out(proportion, scalar),
                              pvalue=_out(pvalue, scalar))
