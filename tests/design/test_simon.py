"""Simon two-stage designs: exact characteristics and the design search (hipectrial.design.simon).

Oracles: Simon R. Control Clin Trials 1989;10:1-10, Table 1 (alpha and beta are the largest
allowed; Simon searched n without a stated cap below 100, so nmax = 100 here); the
0.20->0.40, 0.25->0.45, 0.30->0.50, 0.20->0.35 and 0.10->0.30 rows as tabulated in
shared/reference/clinical.md §8.2; R 4.2 for the exact sums (calls pasted beside them);
clinfun 1.1.5 ``ph2simon`` (R 4.2.2; its R/ph2simon.R sourced with src/ph2simon.f compiled by
``gfortran -O2 -fPIC -shared -o ph2simon.so ph2simon.f`` and ``dyn.load``ed, the
``PACKAGE = "clinfun"`` argument removed); and a slow, plainly written search below.
"""

from __future__ import annotations

import itertools
import math
import random

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hipectrial.design.simon import NMAX_LIMIT, SimonDesign, evaluate_simon, simon_design
from hipectrial.design.simon_search import best_per_n, binomial_tables
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
    ({"p0": 0.2, "p1": 0.4, "alpha": 0.05, "power": 0.8, "nmax": 1}, "nmax", "between 2 and 500"),
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


# -- clinfun ph2simon, nmax to 300, and the search's narrow band ----------------------------


# R:
#   show <- function(pu, pa, a, b, nmax) {
#     ad <- twostage.admissible(ph2simon(pu, pa, a, b, nmax))
#     for (i in c(nrow(ad), 1)) cat(sprintf("%s (%d, %d, %d, %d, %.10f, %.10f)\n", rownames(ad)[i],
#                                           ad[i,1], ad[i,2], ad[i,3], ad[i,4], ad[i,5], ad[i,6]))
#   }
#   for (p0 in c(0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)) {
#     show(p0, p0 + 0.2, 0.05, 0.2, 100); show(p0, p0 + 0.2, 0.1, 0.1, 100) }
#   show(0.05, 0.10, 0.05, 0.2, 300); show(0.5, 0.6, 0.05, 0.2, 300); show(0.2, 0.3, 0.05, 0.1, 300)
# (p0, p1, alpha, power, nmax): optimal (r1, n1, r, n, EN0, PET0), minimax (...)
CLINFUN_PH2SIMON = [
    ((0.05, 0.25, 0.05, 0.8, 100), (0, 9, 2, 17, 11.9580047222, 0.6302494097),
     (0, 12, 2, 16, 13.8385596493, 0.5403600877)),
    ((0.05, 0.25, 0.1, 0.9, 100), (0, 9, 2, 24, 14.5462588541, 0.6302494097),
     (0, 13, 2, 20, 16.4066054170, 0.5133420833)),
    ((0.1, 0.3, 0.05, 0.8, 100), (1, 10, 5, 29, 15.0141203471, 0.7360989291),
     (1, 15, 5, 25, 19.5095698108, 0.5490430189)),
    ((0.1, 0.3, 0.1, 0.9, 100), (1, 12, 5, 35, 19.8429482089, 0.6590022518),
     (1, 16, 4, 25, 20.3674495279, 0.5147278302)),
    ((0.2, 0.4, 0.05, 0.8, 100), (3, 13, 12, 43, 20.5802707149, 0.7473243095),
     (4, 18, 10, 33, 22.2546927641, 0.7163538157)),
    ((0.2, 0.4, 0.1, 0.9, 100), (3, 17, 10, 37, 26.0224759083, 0.5488762046),
     (3, 19, 10, 36, 28.2634913801, 0.4550887423)),
    ((0.3, 0.5, 0.05, 0.8, 100), (5, 15, 18, 46, 23.6297353537, 0.7216214402),
     (6, 19, 16, 39, 25.6899698595, 0.6655015070)),
    ((0.3, 0.5, 0.1, 0.9, 100), (7, 22, 17, 46, 29.8899837638, 0.6712506765),
     (7, 28, 15, 39, 34.9871458720, 0.3648049207)),
    ((0.4, 0.6, 0.05, 0.8, 100), (7, 16, 23, 46, 24.5180994185, 0.7160633527),
     (17, 34, 20, 39, 34.4358415752, 0.9128316850)),
    ((0.4, 0.6, 0.1, 0.9, 100), (7, 18, 22, 46, 30.2236562699, 0.5634408475),
     (11, 28, 20, 41, 33.8366952216, 0.5510234445)),
    ((0.5, 0.7, 0.05, 0.8, 100), (8, 15, 26, 43, 23.5013427734, 0.6963806152),
     (12, 23, 23, 37, 27.7434763908, 0.6611802578)),
    ((0.5, 0.7, 0.1, 0.9, 100), (11, 21, 26, 45, 28.9634857178, 0.6681880951),
     (11, 23, 23, 39, 31.0000000000, 0.5000000000)),
    ((0.6, 0.8, 0.05, 0.8, 100), (7, 11, 30, 43, 20.4810963968, 0.7037157376),
     (8, 13, 25, 35, 20.7669206180, 0.6469581537)),
    ((0.6, 0.8, 0.1, 0.9, 100), (6, 11, 26, 38, 25.3849032704, 0.4672258048),
     (18, 27, 24, 35, 28.4715727679, 0.8160534040)),
    ((0.7, 0.9, 0.05, 0.8, 100), (4, 6, 22, 27, 14.8236750000, 0.5798250000),
     (19, 23, 21, 26, 23.1615314639, 0.9461561787)),
    ((0.7, 0.9, 0.1, 0.9, 100), (6, 9, 22, 28, 17.7937921540, 0.5371688340),
     (11, 16, 20, 25, 20.0491370784, 0.5500958802)),
    # Designs with n > 100 (searched to nmax 300).
    ((0.05, 0.1, 0.05, 0.8, 300), (4, 71, 15, 211, 110.4463087133, 0.7182406520),
     (5, 105, 13, 169, 132.4504393641, 0.5710868849)),
    ((0.5, 0.6, 0.05, 0.8, 300), (32, 61, 105, 190, 100.2753861436, 0.6955396423),
     (68, 125, 87, 155, 129.2462785937, 0.8584573802)),
    ((0.2, 0.3, 0.05, 0.9, 300), (15, 71, 45, 184, 109.4956828756, 0.6593302400),
     (18, 92, 40, 160, 124.5826903668, 0.5208427887)),
]


@pytest.mark.parametrize(("case", "optimal", "minimax"), CLINFUN_PH2SIMON)
def test_optimal_and_minimax_designs_equal_clinfun(case: tuple[float, float, float, float, int],
                                                    optimal: tuple[float, ...],
                                                    minimax: tuple[float, ...]) -> None:
    p0, p1, alpha, power, nmax = case
    found = simon_design(p0=p0, p1=p1, alpha=alpha, power=power, nmax=int(nmax))
    for oc, expected in ((found.optimal, optimal), (found.minimax, minimax)):
        d = oc.design
        assert (d.r1, d.n1, d.r, d.n) == expected[:4]
        assert (oc.en0, oc.pet0) == pytest.approx(expected[4:], abs=1e-9)


# R: print(twostage.admissible(ph2simon(0.05, 0.10, 0.05, 0.2, 300)), digits = 12)
#   r1  n1  r   n        EN(p0)        PET(p0)   qLo   qHi
#    5 105 13 169 132.450439364 0.571086884935 0.860 1.000   (Minimax)
#    4  89 13 170 126.306278270 0.539428663333 0.836 0.860
#    4  85 13 171 121.214644865 0.578899478310 0.720 0.836
#    4  81 13 173 116.065044260 0.618858214563 0.667 0.720
#    4  78 13 175 112.055127816 0.648916208083 0.073 0.667
#    4  74 14 192 110.725149187 0.688769922148 0.014 0.073
#    4  71 15 211 110.446308713 0.718240652048 0.000 0.014   (Optimal)
CLINFUN_ADMISSIBLE_005_010 = [
    (5, 105, 13, 169, 132.450439364, 0.860, 1.000),
    (4, 89, 13, 170, 126.306278270, 0.836, 0.860),
    (4, 85, 13, 171, 121.214644865, 0.720, 0.836),
    (4, 81, 13, 173, 116.065044260, 0.667, 0.720),
    (4, 78, 13, 175, 112.055127816, 0.073, 0.667),
    (4, 74, 14, 192, 110.725149187, 0.014, 0.073),
    (4, 71, 15, 211, 110.446308713, 0.000, 0.014),
]


def test_admissible_designs_at_nmax_300_equal_clinfun() -> None:
    found = simon_design(p0=0.05, p1=0.10, alpha=0.05, power=0.80, nmax=300)
    got = [(oc.design.r1, oc.design.n1, oc.design.r, oc.design.n, round(oc.en0, 9),
            round(q[0], 3), round(q[1], 3)) for oc, q in zip(found.admissible, found.weights, strict=True)]
    assert got == CLINFUN_ADMISSIBLE_005_010


def _random_cases(seed: int, count: int) -> list[tuple[float, float, float, float, int]]:
    rng = random.Random(seed)
    cases = []
    while len(cases) < count:
        p0 = round(rng.uniform(0.03, 0.75), 3)
        p1 = round(min(0.97, p0 + rng.uniform(0.25, 0.45)), 3)
        alpha = rng.choice([0.05, 0.1, 0.2])
        power = rng.choice([0.7, 0.8, 0.9])
        cases.append((p0, p1, alpha, power, rng.randint(14, 20)))
    return cases


@pytest.mark.parametrize("case", _random_cases(seed=20261206, count=5))
def test_search_matches_slow_search_on_seeded_random_cases(case: tuple[float, float, float, float, int]
                                                           ) -> None:
    p0, p1, alpha, power, nmax = case
    slow = _slow_feasible(p0, p1, alpha, power, nmax)
    pmf, sf = binomial_tables(p0, p1, nmax)
    # band 1 and 2 leave many cells undecided by the band: the exact fallback decides them.
    for band in (None, 1, 2):
        en0, stage1 = best_per_n(p0=p0, p1=p1, alpha=alpha, power=power, nmax=nmax, pmf=pmf, sf=sf,
                                 band=band)
        if not slow:
            assert not (en0 < float("inf")).any()
            continue
        # Exact for the smallest n with a design and each n whose best EN0 is below all smaller n's.
        running = float("inf")
        for n, best, design in slow:
            if n == slow[0][0] or best < running - 1e-12:
                assert en0[n] == pytest.approx(best, abs=1e-12)
                assert tuple(stage1[n]) == (design[0], design[1])
            else:
                assert en0[n] >= running - 1e-12
            running = min(running, best)
    if slow:
        found = simon_design(p0=p0, p1=p1, alpha=alpha, power=power, nmax=nmax)
        optimal = min(slow, key=lambda row: (round(row[1], 12), row[0]))
        assert found.minimax.design == SimonDesign(*slow[0][2])
        assert found.optimal.design == SimonDesign(*optimal[2])


def test_binomial_tables_match_scipy() -> None:
    from scipy import stats

    pmf, sf = binomial_tables(0.3, 0.55, 120)
    m = [[m] for m in range(121)]
    k = [list(range(121))]
    for t, p in enumerate((0.3, 0.55)):
        assert pmf[t] == pytest.approx(stats.binom.pmf(k, m, p), rel=1e-12, abs=1e-300)
        assert sf[t] == pytest.approx(stats.binom.sf(k, m, p), rel=1e-11, abs=1e-300)


def test_nmax_above_the_limit_is_refused_naming_the_limit() -> None:
    assert NMAX_LIMIT >= 300
    with pytest.raises(InputError) as caught:
        simon_design(p0=0.2, p1=0.4, alpha=0.05, power=0.8, nmax=NMAX_LIMIT + 1)
    assert caught.value.field == "nmax"
    assert str(caught.value) == f"nmax must be between 2 and {NMAX_LIMIT}; got {NMAX_LIMIT + 1}"
