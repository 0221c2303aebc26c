"""Bayesian toxicity monitoring: the seed protocol's Part B rule and its exact operating characteristics.

Part B rule (shared/reference/protocol-decisions.md): stop if P(rate > 0.30 | data) > 0.90
under a Beta(1, 1) prior, checked after every 5 participants. The posterior is
Beta(1 + x, 1 + n - x), and for integer parameters P(Beta(1 + x, 1 + n - x) > t) =
P(Binomial(n + 1, t) <= x). At n = 5, with B ~ Binomial(6, 0.3):
P(B <= 2) = 0.7^6 + 6(0.3)(0.7^5) + 15(0.09)(0.7^4) = 0.117649 + 0.302526 + 0.324135 = 0.744310
P(B <= 3) = 0.744310 + 20(0.027)(0.343) = 0.744310 + 0.185220 = 0.929530 > 0.90, so 3 events stop.
The other looks were found the same way (smallest x with P(Binomial(n + 1, 0.3) <= x) > 0.9).
"""

from __future__ import annotations

import math

import pytest
from scipy import stats

from hipectrial.design.monitor import toxicity_monitor
from hipectrial.errors import InputError

PART_B = {"threshold": 0.30, "cutoff": 0.90, "every": 5, "max_n": 48}

# n: (smallest x that stops, P(Binomial(n + 1, 0.3) <= x) at that x, same at x - 1)
BOUNDARIES = {
    5: (3, 0.929530, 0.744310),
    10: (5, 0.921775, 0.789695),
    15: (7, 0.925648, 0.824687),
    20: (9, 0.932427, 0.852350),
    25: (11, 0.939687, 0.874709),
    30: (13, 0.946622, 0.893074),
    35: (14, 0.908338, 0.837345),
    40: (16, 0.921137, 0.861632),
    45: (18, 0.931946, 0.881710),
    48: (19, 0.930013, 0.880628),
}


def binom_pmf(k: int, n: int, p: float) -> float:
    return math.comb(n, k) * p**k * (1 - p) ** (n - k)


def test_part_b_boundaries() -> None:
    rule = toxicity_monitor(**PART_B)
    assert [look.n for look in rule.looks] == list(BOUNDARIES)
    for look in rule.looks:
        stop_at, at, below = BOUNDARIES[look.n]
        assert look.stop_at == stop_at
        assert look.posterior_at_boundary == pytest.approx(at, abs=1e-6)
        assert rule.posterior_exceeds(events=stop_at - 1, n=look.n) == pytest.approx(below, abs=1e-6)


def test_boundary_agrees_with_scipy_beta_and_binomial_identity() -> None:
    rule = toxicity_monitor(**PART_B)
    for look in rule.looks:
        assert look.stop_at is not None
        x = look.stop_at
        assert 1 - stats.beta.cdf(0.3, 1 + x, 1 + look.n - x) > 0.9
        assert 1 - stats.beta.cdf(0.3, x, 2 + look.n - x) <= 0.9  # x - 1 events do not stop
        assert 1 - stats.beta.cdf(0.3, 1 + x, 1 + look.n - x) == pytest.approx(
            stats.binom.cdf(x, look.n + 1, 0.3), abs=1e-12)


def test_a_look_that_cannot_stop_has_no_boundary() -> None:
    # n = 1: even 1/1 gives P(p > 0.3) = 1 - 0.3^2 = 0.91, not above 0.95.
    rule = toxicity_monitor(threshold=0.3, cutoff=0.95, every=1, max_n=2)
    assert rule.looks[0].stop_at is None
    assert rule.looks[1].stop_at == 2  # 2/2: 1 - 0.3^3 = 0.973


def test_exact_stopping_probability_with_two_looks_by_hand() -> None:
    # Looks at 5 and 10 with boundaries 3 and 5: stop at 5 if X5 >= 3; stop at 10 if X5 = x < 3
    # and the next 5 bring at least 5 - x.
    rule = toxicity_monitor(threshold=0.30, cutoff=0.90, every=5, max_n=10)
    for p in (0.1, 0.3, 0.5):
        first = sum(binom_pmf(k, 5, p) for k in range(3, 6))
        second = sum(binom_pmf(x, 5, p) * sum(binom_pmf(k, 5, p) for k in range(5 - x, 6)) for x in range(3))
        oc = rule.operating_characteristics(p_tox=[p])[0]
        assert oc.prob_stop_at_look == pytest.approx((first, second), abs=1e-12)
        assert oc.prob_stop == pytest.approx(first + second, abs=1e-12)
        assert oc.expected_n == pytest.approx(5 * first + 10 * (1 - first), abs=1e-12)


def test_certain_rates() -> None:
    rule = toxicity_monitor(**PART_B)
    never, always = rule.operating_characteristics(p_tox=[0.0, 1.0])
    assert (never.prob_stop, never.expected_n) == (0.0, 48.0)
    assert always.prob_stop == pytest.approx(1.0)
    assert always.expected_n == pytest.approx(5.0)


def test_exact_agrees_with_simulation_within_monte_carlo_error() -> None:
    rule = toxicity_monitor(**PART_B)
    rates = [0.1, 0.2, 0.3, 0.4, 0.5]
    exact = rule.operating_characteristics(p_tox=rates)
    simulated = rule.simulate(p_tox=rates, n_trials=20_000, seed=11)
    for e, s in zip(exact, simulated, strict=True):
        assert abs(e.prob_stop - s.prob_stop) <= 4 * s.prob_stop_se
        assert abs(e.expected_n - s.expected_n) <= 4 * s.expected_n_se


def test_simulation_is_reproducible_from_its_seed() -> None:
    rule = toxicity_monitor(**PART_B)
    assert rule.simulate(p_tox=[0.3], n_trials=100, seed=2) == rule.simulate(p_tox=[0.3], n_trials=100, seed=2)


def test_stopping_probability_rises_with_the_true_rate() -> None:
    rule = toxicity_monitor(**PART_B)
    probs = [oc.prob_stop for oc in rule.operating_characteristics(p_tox=[0.05, 0.1, 0.2, 0.3, 0.4, 0.6])]
    assert probs == sorted(probs)


@pytest.mark.parametrize(("changes", "field"), [
    ({"threshold": 0.0}, "threshold"),
    ({"threshold": 1.3}, "threshold"),
    ({"cutoff": 1.0}, "cutoff"),
    ({"cutoff": -0.1}, "cutoff"),
    ({"max_n": 4}, "max_n"),
    ({"every": 0}, "every"),
    ({"prior_a": 0.0}, "prior_a"),
    ({"prior_b": -1.0}, "prior_b"),
])
def test_rejects_bad_parameters(changes: dict[str, float], field: str) -> None:
    with pytest.raises(InputError, match=f"{field} must be") as info:
        toxicity_monitor(**{**PART_B, **changes})  # type: ignore[arg-type]
    assert info.value.field == field


def test_rejects_a_true_rate_that_is_not_a_probability() -> None:
    rule = toxicity_monitor(**PART_B)
    with pytest.raises(InputError) as info:
        rule.operating_characteristics(p_tox=[0.2, 1.5])
    assert info.value.field == "p_tox"
