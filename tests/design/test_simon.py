"""Simon two-stage designs: exact characteristics and the design search (hipectrial.design.simon).

Oracles: Simon R. Control Clin Trials 1989;10:1-10, Table 1 (alpha and beta are the largest
allowed; Simon searched n without a stated cap below 100, so nmax = 100 here); the
0.20->0.40, 0.25->0.45, 0.30->0.50, 0.20->0.35 and 0.10->0.30 rows as tabulated in
shared/reference/clinical.md §8.2; R 4.2 for the exact sums (calls pasted beside them);
and a slow, plainly written search below.
"""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hipectrial.design.simon import SimonDesign, evaluate_simon, simon_design
from hipectrial.errors import InputError

# (p0, p1, alpha, power, optimal (r1, n1, r, n, EN0, PET0), minimax (...))
SIMON_1989_TABLE_1 = [
    # clinical.md §8.2 (0.20 -> 0.40 rows as in Simon 1989, Table 1)
    (0.20, 0.40, 0.05, 0.80, (3, 13, 12, 43, 20.6, 0.75), (4, 18, 10, 33, 22.3, 0.72)),
    (0.20, 0.40, 0.05, 0.90, (4, 19, 15, 54, 30.4, 0.67), (5, 24, 13, 45, 31.2, 0.66)),
    (0.10, 0.30, 0.05, 0.80, (1, 10, 5, 29, 15.0, 0.74), (1, 15, 5, 25, 19.5, 0.55)),
    (0.30, 0.50, 0.05, 0.80, (5, 15, 18, 46, 23.6, 0.72), (6, 19, 16, 39, 25.7, 0.67)),
    (0.25, 0.45, 0.05, 0.80, (5, 17, 14, 41, 22.6, 0.77), (4, 17, 13, 36, 25.1, 0.57)),
    (0.20, 0.35, 0.05, 0.80, (5, 22, 19, 72, 35.4, 0.73), (6, 31, 15, 53, 40.4, 0.57)),
    # Simon 1989, Table 1, further rows
    (0.05, 0.25, 0.10, 0.90, (0, 9, 2, 24, 14.5, 0.63), (0, 13, 2, 20, 16.4, 0.51)),
    (0.05, 0.25, 0.05, 0.80, (0, 9, 2, 17, 12.0, 0.63), (0, 12, 2, 16, 13.8, 0.54)),
    (0.05, 0.25, 0.05, 0.90, (0, 9, 3, 30, 16.8, 0.63), (0, 15, 3, 25, 20.4, 0.46)),
    (0.10, 0.30, 0.05, 0.90, (2, 18, 6, 35, 22.5, 0.73), (2, 22, 6, 33, 26.2, 0.62)),
    (0.20, 0.40, 0.10, 0.90, (3, 17, 10, 37, 26.0, 0.55), (3, 19, 10, 36, 28.3, 0.46)),
]


def _row(design: SimonDesign, en0: float, pet0: float) -> tuple[int, int, int, int, float, float]:
    return (design.r1, design.n1, design.r, design.n, round(en0, 1), round(pet0, 2))


@pytest.mark.parametrize(("p0", "p1", "alpha", "power", "optimal", "minimax"), SIMON_1989_TABLE_1)
def test_search_reproduces_simon_1989_table_1(p0: float, p1: float, alpha: float, power: float,
                                               optimal: tuple[object, ...], minimax: tuple[object, ...]) -> None:
    found = simon_design(p0=p0, p1=p1, alpha=alpha, power=power, nmax=100)
    assert _row(found.optimal.design, found.optimal.en0, found.optimal.pet0) == optimal
    assert _row(found.minimax.design, found.minimax.en0, found.minimax.pet0) == minimax


def test_protocol_part_b_design_is_the_optimal_one() -> None:
    # protocol-decisions.md, Part B: p0 0.20, p1 0.40, alpha 0.05, power 0.80 -> 3/13, 12/43
    found = simon_design(p0=0.2, p1=0.4, alpha=0.05, power=0.8)
    assert found.optimal.design == SimonDesign(r1=3, n1=13, r=12, n=43)
    assert str(found.optimal.design) == "3/13, 12/43"


# R: rej <- function(r1,n1,r,n,p) { x1 <- (r1+1):n1; sum(dbinom(x1,n1,p)*(1-pbinom(r-x1,n-n1,p))) }
#    alpha = rej(.., p0); power = rej(.., p1); PET = pbinom(r1, n1, p); EN = n1 + (1-PET)*(n-n1)
R_CHARACTERISTICS = [
    ((3, 13, 12, 43, 0.2, 0.4), (0.0495814497480525, 0.800214356188116, 0.747324309504, 0.168579698688,
                                 20.58027071488, 37.94260903936)),
    ((4, 18, 10, 33, 0.2, 0.4), (0.0458301341673421, 0.801141682420838, 0.71635381572862, 0.0941686487108812,
                                 22.2546927640707, 31.5874702693368)),
    ((1, 10, 5, 29, 0.1, 0.3), (0.0470863066438913, 0.805062913150325, 0.7360989291, 0.1493083459,
                                15.0141203471, 26.1631414279)),
]


@pytest.mark.parametrize(("args", "expected"), R_CHARACTERISTICS)
def test_exact_characteristics_match_r(args: tuple[float, ...], expected: tuple[float, ...]) -> None:
    r1, n1, r, n, p0, p1 = args
    oc = evaluate_simon(r1=int(r1), n1=int(n1), r=int(r), n=int(n), p0=p0, p1=p1)
    assert (oc.alpha, oc.power, oc.pet0, oc.pet1, oc.en0, oc.en1) == pytest.approx(expected, abs=1e-10)


# -- slow reference: every design, exact sums with math.comb -------------------------------


def _pmf(k: int, m: int, p: float) -> float:
    return math.comb(m, k) * p**k * (1 - p) ** (m - k) if 0 <= k <= m else 0.0


def _slow_characteristics(r1: int, n1: int, r: int, n: int, p: float) -> tuple[float, float]:
    reject = 0.0
    for x1 in range(r1 + 1, n1 + 1):
        for x2 in range(n - n1 + 1):
            if x1 + x2 > r:
                reject += _pmf(x1, n1, p) * _pmf(x2, n - n1, p)
    pet = sum(_pmf(x1, n1, p) for x1 in range(r1 + 1))
    return reject, pet


def _slow_feasible(p0: float, p1: float, alpha: float, power: float, nmax: int
                   ) -> list[tuple[int, float, tuple[int, int, int, int]]]:
    """(n, EN0, design) of the best design for each n: smallest EN0, then smallest n1, r1, r."""
    best: list[tuple[int, float, tuple[int, int, int, int]]] = []
    for n in range(2, nmax + 1):
        candidates = []
        for n1 in range(1, n):
            for r1 in range(n1):
                for r in range(r1, n):
                    size, pet0 = _slow_characteristics(r1, n1, r, n, p0)
                    if size > alpha:
                        continue
                    strength, _ = _slow_characteristics(r1, n1, r, n, p1)
                    if strength >= power:
                        candidates.append((n1 + (1 - pet0) * (n - n1), (r1, n1, r, n)))
                        break  # the smallest r meeting both is reported
        if candidates:
            en0 = min(c[0] for c in candidates)
            best.append((n, en0, next(c[1] for c in candidates if c[0] <= en0 + 1e-12)))
    return best


@pytest.mark.parametrize(("p0", "p1", "alpha", "power", "nmax"), [
    (0.05, 0.35, 0.10, 0.80, 22),
    (0.20, 0.55, 0.10, 0.80, 22),
    (0.50, 0.85, 0.10, 0.80, 20),
    (0.10, 0.40, 0.05, 0.80, 24),
])
def test_vectorised_search_matches_slow_double_loop(p0: float, p1: float, alpha: float, power: float,
                                                    nmax: int) -> None:
    slow = _slow_feasible(p0, p1, alpha, power, nmax)
    assert slow, "the case must have a design"
    found = simon_design(p0=p0, p1=p1, alpha=alpha, power=power, nmax=nmax)
    minimax = slow[0]
    optimal = min(slow, key=lambda row: (round(row[1], 12), row[0]))
    assert found.minimax.design == SimonDesign(*minimax[2])
    assert found.optimal.design == SimonDesign(*optimal[2])
    # Each admissible design is the best of all designs for q inside its interval.
    for design, (q_low, q_high) in zip(found.admissible, found.weights, strict=True):
        q = (q_low + q_high) / 2
        losses = [q * n + (1 - q) * en0 for n, en0, _ in slow]
        assert q * design.design.n + (1 - q) * design.en0 == pytest.approx(min(losses), abs=1e-9)


def test_admissible_designs_run_from_minimax_to_optimal_with_falling_en0() -> None:
    found = simon_design(p0=0.1, p1=0.3, alpha=0.05, power=0.8)
    designs = found.admissible
    assert designs[0] == found.minimax
    assert designs[-1] == found.optimal
    assert [d.design.n for d in designs] == sorted(d.design.n for d in designs)
    assert all(a.en0 > b.en0 for a, b in itertools.pairwise(designs))
    assert found.weights[0][1] == 1.0
    assert found.weights[-1][0] == 0.0
    assert all(hi > lo for lo, hi in found.weights)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(p0=st.floats(0.02, 0.8), gap=st.floats(0.12, 0.4), alpha=st.sampled_from([0.01, 0.05, 0.1, 0.2]),
       power=st.sampled_from([0.7, 0.8, 0.9]))
def test_every_returned_design_meets_its_alpha_and_power(p0: float, gap: float, alpha: float, power: float) -> None:
    p1 = p0 + gap
    assume(p1 < 0.98)
    try:
        found = simon_design(p0=p0, p1=p1, alpha=alpha, power=power, nmax=100)
    except InputError as error:
        # Only a too-small nmax may stop the search here; re-raise anything else.
        if error.field != "nmax":
            raise
        return
    for oc in found.admissible:
        d = oc.design
        size, _ = _slow_characteristics(d.r1, d.n1, d.r, d.n, p0)
        strength, _ = _slow_characteristics(d.r1, d.n1, d.r, d.n, p1)
        assert size <= alpha
        assert strength >= power
        assert oc.alpha == pytest.approx(size, abs=1e-12)
        assert oc.power == pytest.approx(strength, abs=1e-12)
    assert found.optimal.en0 <= found.minimax.en0
    assert found.minimax.design.n <= found.optimal.design.n


# -- bad parameters -------------------------------------------------------------------------


def test_rejects_p1_not_above_p0_naming_p1() -> None:
    with pytest.raises(InputError) as caught:
        simon_design(p0=0.2, p1=0.15, alpha=0.05, power=0.8)
    assert caught.value.field == "p1"
    assert str(caught.value) == "p1 must be greater than p0 (0.2); got 0.15"


@pytest.mark.parametrize(("kwargs", "field", "phrase"), [
    ({"p0": 0.0, "p1": 0.4, "alpha": 0.05, "power": 0.8}, "p0", "(0, 1)"),
    ({"p0": 0.2, "p1": 1.0, "alpha": 0.05, "power": 0.8}, "p1", "(0, 1)"),
    ({"p0": 0.2, "p1": 0.4, "alpha": 1.0, "power": 0.8}, "alpha", "(0, 1)"),
    ({"p0": 0.2, "p1": 0.4, "alpha": 0.05, "power": 80}, "power", "(0, 1)"),
    ({"p0": 0.2, "p1": 0.4, "alpha": 0.05, "power": 0.8, "nmax": 50.5}, "nmax", "whole number"),
    ({"p0": 0.2, "p1": 0.4, "alpha": 0.05, "power": 0.8, "nmax": 1}, "nmax", "between 2 and 1000"),
    ({"p0": 0.2, "p1": 0.4, "alpha": 0.05, "power": 0.8, "nmax": 30}, "nmax", "increase nmax"),
])
def test_search_rejects_bad_parameters(kwargs: dict[str, object], field: str, phrase: str) -> None:
    with pytest.raises(InputError) as caught:
        simon_design(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert phrase in str(caught.value)


@pytest.mark.parametrize(("design", "field"), [
    ({"r1": 3, "n1": 43, "r": 12, "n": 43}, "n1"),
    ({"r1": 13, "n1": 13, "r": 12, "n": 43}, "r1"),
    ({"r1": 3, "n1": 13, "r": 2, "n": 43}, "r"),
    ({"r1": 3, "n1": 13, "r": 43, "n": 43}, "r"),
    ({"r1": 3, "n1": 13.0, "r": 12, "n": 43}, "n1"),
])
def test_evaluate_rejects_impossible_designs(design: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as caught:
        evaluate_simon(**design, p0=0.2, p1=0.4)  # type: ignore[arg-type]
    assert caught.value.field == field
