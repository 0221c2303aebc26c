"""The exhaustive search behind :func:`hipectrial.design.simon.simon_design`.

For every total ``n <= nmax`` that can give the optimal, minimax or an admissible design it
finds the design ``(r1, n1, r, n)`` with the smallest EN0 among those meeting the type I error
and the power. clinfun's ``ph2simon`` (R, Fortran ``f2bdry``) loops over every
``(n, n1, r1, r)``; here each ``n1`` is one vectorised step over the stage-2 sizes, ``r1`` is
scanned downwards in blocks, and ``r`` is restricted to a narrow band.

With ``X1 ~ Bin(n1)``, ``X2 ~ Bin(n2)`` and ``X = X1 + X2`` the rejection probability is

    P(X1 > r1, X > r) = sum_{x1 > r1} b(x1; n1, p) P(X2 > r - x1),

a running sum over ``x1`` from the top that gives it for every ``r1`` in turn. It falls as
``r`` grows (at p0 and p1 alike), so for a cell ``(r1, n2)`` the feasible ``r`` form an
interval. No ``r`` above ``U = max{r: P(X > r | p1) >= power}`` meets the power, and the band
``[U - W + 1, U]`` decides a cell unless alpha is met and power is not at its lowest ``r``;
only then can a smaller ``r`` be feasible, and such (rare) cells are computed over every ``r``.

Pruning, all exact: EN0 = n1 + P(X1 > r1 | p0) n2 grows as ``r1`` falls, so a column's first
feasible ``r1`` is its best; and a design at ``n`` can be the optimal or an admissible design
only if its EN0 is below that of every smaller ``n`` (the lower convex hull from the minimax
to the optimal design falls strictly), so columns that cannot get below it are not searched.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: Smallest width of the band of ``r`` below ``U``; it grows as ``sqrt(nmax)`` (the spread of
#: the binomial counts), and the rare cells it cannot decide are computed over every ``r``.
BAND = 8
#: Most float64 values in one block of the working array; larger ``r1`` ranges are split into
#: blocks (the running sum over ``x1`` carried across), which bounds the peak memory.
BLOCK_VALUES = 1 << 18
#: Rows of ``r1`` in the first step of the scan down from ``top``; each further step doubles
#: it (most columns finish in the first step, a few run down to ``r1 = 0``).
SCAN_BLOCK = 16


def binomial_tables(p0: float, p1: float, nmax: int) -> tuple[FloatArray, FloatArray]:
    """``pmf[t, m, k] = P(Bin(m, p_t) = k)`` and ``sf[t, m, k] = P(Bin(m, p_t) > k)``.

    Built row by row with the recurrences ``b(k; m) = (1 - p) b(k; m - 1) + p b(k - 1; m - 1)``
    and ``P(Bin(m) > k) = P(Bin(m - 1) > k) + p b(k; m - 1)``: sums of positive terms, so every
    entry keeps its relative accuracy (no ``1 - cdf`` cancellation in the upper tail).
    """
    p = np.array([p0, p1])[:, None]
    q = 1.0 - p
    pmf = np.zeros((2, nmax + 1, nmax + 1))
    sf = np.zeros((2, nmax + 1, nmax + 1))
    pmf[:, 0, 0] = 1.0
    for m in range(1, nmax + 1):
        previous = pmf[:, m - 1, :m]
        pmf[:, m, :m] = q * previous
        pmf[:, m, 1:m + 1] += p * previous
        sf[:, m, :m] = sf[:, m - 1, :m] + p * previous
    return pmf, sf


class _Tails:
    """Flat padded tail table: ``flat[index(t, m, k)] = P(Bin(m, p_t) > k)`` for any ``k``."""

    def __init__(self, sf: FloatArray, nmax: int) -> None:
        # Every r - x1 of a band lies in [-(2 nmax + 1), nmax]: 1 below 0, 0 from m on.
        self.offset = 2 * nmax + 2
        self.length = self.offset + nmax + 1
        padded = np.zeros((2, nmax + 1, self.length))
        padded[:, :, :self.offset] = 1.0
        padded[:, :, self.offset:] = sf
        self.flat = padded.reshape(-1)
        self.rate_step = (nmax + 1) * self.length

    def gather(self, *, n2: IntArray, low: IntArray, x1: IntArray, width: int) -> FloatArray:
        """``out[i, t, k, j] = P(Bin(n2[k], p_t) > low[k] + j - x1[i])``."""
        column = (n2 * self.length + low + self.offset)[None, :, None]
        start = column + np.array([0, self.rate_step])[:, None, None] + np.arange(width)[None, None, :]
        out: FloatArray = self.flat.take(start[None] - x1[:, None, None, None])
        return out


def _running_sum(values: FloatArray) -> None:
    """Cumulative sum along axis 0 in place: one add per row, which on rows this short is
    several times faster than ``np.cumsum`` along an axis."""
    for i in range(1, values.shape[0]):
        np.add(values[i], values[i - 1], out=values[i])


def _first_rows(*, pmf_n1: FloatArray, tails: _Tails, n1: int, above: int, n: IntArray,
                n2: IntArray, low: IntArray, width: int) -> FloatArray:
    """``P(X1 > above, X > r)`` at p0 and p1 for the band: ``out[t, k, j]``.

    Summed directly over ``x1 > above`` or, when that takes more terms, as ``P(X > r)``
    minus the sum over ``x1 <= above``, in blocks of bounded size.
    """
    direct = n1 - above <= above + 1
    x1_all = np.arange(n1, above, -1) if direct else np.arange(above + 1)
    out = np.zeros((2, n2.size, width))
    block = max(1, BLOCK_VALUES // (2 * n2.size * width))
    for start in range(0, x1_all.size, block):
        x1 = x1_all[start:start + block]
        terms = tails.gather(n2=n2, low=low, x1=x1, width=width)
        terms *= pmf_n1[:, x1].T[:, :, None, None]
        out += terms.sum(axis=0)
    if direct:
        return out
    # P(X > r) for X ~ Bin(n): the same gather with "n2" = n and x1 = 0.
    total = tails.gather(n2=n, low=low, x1=np.zeros(1, dtype=np.int64), width=width)[0]
    result: FloatArray = total - out
    return result


def _reject_by_r(*, pmf_n1: FloatArray, sf: FloatArray, n1: int, r1: int, n2: int) -> FloatArray:
    """``P(X1 > r1, X > r)`` at p0 and p1 for every ``r1 <= r < n1 + n2``: ``out[t, r - r1]``."""
    r = np.arange(r1, n1 + n2)
    x1 = np.arange(n1, r1, -1)
    k = r[None, :] - x1[:, None]
    stage2 = np.where(k < 0, 1.0, sf[:, n2, np.clip(k, 0, n2)])
    reject: FloatArray = (pmf_n1[:, x1, None] * stage2).sum(axis=1)
    return reject


def _exact_feasible(*, pmf_n1: FloatArray, sf: FloatArray, n1: int, r1: int, n2: int,
                    alpha: float, power: float) -> bool:
    """Whether some ``r >= r1`` meets both levels at ``(r1, n1, n1 + n2)``: every ``r``."""
    reject = _reject_by_r(pmf_n1=pmf_n1, sf=sf, n1=n1, r1=r1, n2=n2)
    return bool(np.any((reject[0] <= alpha) & (reject[1] >= power)))


def best_per_n(*, p0: float, p1: float, alpha: float, power: float, nmax: int,
               pmf: FloatArray, sf: FloatArray, band: int | None = None
               ) -> tuple[FloatArray, IntArray]:
    """For each total ``n <= nmax`` that can matter: the smallest EN0 of a design meeting
    alpha and power.

    Returns ``en0[n]`` and ``stage1[n] = (r1, n1)`` of that design. ``en0[n]`` is exact for
    the smallest ``n`` with a design and for every ``n`` whose best EN0 is below the EN0 of
    all smaller ``n`` (the only ones that can be optimal or admissible); for other ``n`` it is
    inf or an EN0 no lower than that of a smaller ``n``. Ties in EN0 keep the smaller ``n1``
    (as clinfun, which scans ``n1`` upwards). ``band`` overrides the width of the band of
    ``r`` (tests use a narrow one to exercise the cells it cannot decide).

    For each ``n1``, ``r1`` is scanned downwards from the largest the power allows, all
    stage-2 sizes at once: EN0 = n1 + P(X1 > r1 | p0) n2 grows as ``r1`` falls, so a column
    ``n2`` is finished at its first feasible ``r1`` (its best) or once its EN0 reaches the
    best EN0 already found for ``n = n1 + n2`` with a smaller ``n1``.
    """
    sf0, sf1 = sf
    en0 = np.full(nmax + 1, np.inf)
    stage1 = np.zeros((nmax + 1, 2), dtype=np.int64)
    # upper[n] = max{r: P(Bin(n, p1) > r) >= power}, -1 when none: a two-stage design rejects
    # less often than the single stage with the same r, so no larger r can meet the power.
    upper_all = np.count_nonzero(sf1 >= power, axis=1) - 1
    # A design needs P(X1 > r1 | p1) >= power, and r1 <= r <= upper[nmax].
    r1_counts = np.minimum(np.count_nonzero(sf1[:, :-1] >= power, axis=1), upper_all[nmax] + 1)
    tails = _Tails(sf, nmax)
    width = band if band is not None else max(BAND, math.ceil(math.sqrt(nmax)))
    # At r = r1 a design rejects when X1 > r1: its power P(X1 > r1 | p1) is met for every r1
    # scanned, so its alpha P(X1 > r1 | p0) decides whether that r is feasible.
    stage1_alone = sf0 <= alpha
    for n1 in range(1, nmax):
        if n1 >= en0[:n1 + 1].min():
            # EN0 >= n1 from here on, and a design at any n > n1 needs EN0 below that minimum.
            break
        top = int(min(r1_counts[n1], n1)) - 1
        if top < 0:
            continue
        pmf_n1 = pmf[:, n1]
        n2 = np.arange(1, nmax - n1 + 1)
        upper = upper_all[n1 + n2]
        # A design at n can be optimal, minimax or admissible only with an EN0 below every
        # EN0 found at n' <= n (the lower convex hull from the minimax to the optimal design
        # falls strictly), and the best EN0 of a column is at r1 = top: other columns are
        # closed, as are those where no r meets the power at n.
        bound = np.minimum.accumulate(en0)
        open_ = (upper >= 0) & (n1 + sf0[n1, top] * n2 < bound[n1 + n2])
        n2, upper = n2[open_], upper[open_]
        if n2.size == 0:
            continue
        low = upper - width + 1
        r1 = top
        block = min(r1 + 1, SCAN_BLOCK)
        # The x1 > top + 1 part of the sums: in the first step's cumulative sum when it is the
        # shorter way and small enough, else summed apart (possibly as a complement).
        head = n1 - top - 1
        merged = head <= top + 2 and 2 * (head + block) * n2.size * width <= BLOCK_VALUES
        if not merged:
            carry = _first_rows(pmf_n1=pmf_n1, tails=tails, n1=n1, above=top + 1, n=n1 + n2,
                                n2=n2, low=low, width=width)
            head = 0
        active = np.arange(n2.size)
        while True:
            # Rows r1, r1 - 1, ...: add x1 = r1 + 1, r1, ... to P(X1 > r1 + 1, X > r).
            block = min(r1 + 1, block, max(1, BLOCK_VALUES // (2 * active.size * width)))
            rows = np.arange(r1, r1 - block, -1)
            x1 = np.arange(r1 + 1 + head, r1 + 1 - block, -1)
            sums = tails.gather(n2=n2[active], low=low[active], x1=x1, width=width)
            sums *= pmf_n1[:, x1].T[:, :, None, None]
            if merged:
                # The first step also holds x1 = n1, ..., top + 2: only their total is needed.
                carry = sums[:head].sum(axis=0)
                sums = sums[head:]
                merged, head = False, 0
            _running_sum(sums)
            sums += carry[None]
            meets_alpha = sums[:, 0] <= alpha
            meets_power = sums[:, 1] >= power
            feasible = (meets_alpha & meets_power).any(axis=2)
            feasible |= stage1_alone[n1, rows][:, None]
            # Alpha met and power not at the band's lowest r: a smaller r may be feasible.
            undecided = (meets_alpha[:, :, 0] & ~meets_power[:, :, 0] & ~feasible
                         & (low[active][None, :] > rows[:, None]))
            for i, k in zip(*np.nonzero(undecided), strict=True):
                feasible[i, k] = _exact_feasible(pmf_n1=pmf_n1, sf=sf, n1=n1, r1=int(rows[i]),
                                                 n2=int(n2[active[k]]), alpha=alpha, power=power)
            found = feasible.any(axis=0)
            n_active = n1 + n2[active]
            if found.any():
                best_r1 = rows[np.argmax(feasible[:, found], axis=0)]
                n_found = n_active[found]
                en0_found = n1 + sf0[n1, best_r1] * (n_found - n1)
                better = en0_found < en0[n_found]
                en0[n_found[better]] = en0_found[better]
                stage1[n_found[better], 0] = best_r1[better]
                stage1[n_found[better], 1] = n1
            r1 -= block
            if r1 < 0:
                break
            # Continue the columns with no design yet whose EN0 at r1 can still count.
            keep = np.flatnonzero(~found & (n1 + sf0[n1, r1] * (n_active - n1) < bound[n_active]))
            if keep.size == 0:
                break
            active = active[keep]
            carry = sums[-1][:, keep]
            block *= 2
    return en0, stage1


def smallest_r(*, r1: int, n1: int, n: int, alpha: float, pmf: FloatArray, sf: FloatArray) -> int:
    """The smallest ``r >= r1`` meeting alpha for the stage 1 ``(r1, n1)`` found by the search.

    The search found some ``r`` meeting both levels; the smallest meeting alpha has the most
    power, so it meets the power too.
    """
    reject = _reject_by_r(pmf_n1=pmf[:, n1], sf=sf, n1=n1, r1=r1, n2=n - n1)
    return r1 + int(np.argmax(reject[0] <= alpha))
