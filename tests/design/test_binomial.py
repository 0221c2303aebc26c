"""Exact binomial intervals and the one-sided test (hipectrial.design.binomial).

R values: R 4.2 (Debian r-base-core), calls pasted beside the numbers.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from hipectrial.design.binomial import (
    Alternative,
    IntervalMethod,
    binomial_interval,
    binomial_test,
)
from hipectrial.errors import InputError

TOL = 1e-7

# (x, n, method, low, high) from R
R_INTERVALS = [
    (3, 13, "clopper-pearson", 0.0503810734911515, 0.5381315392340409),  # binom.test(3, 13)$conf.int
    (0, 10, "clopper-pearson", 0.0, 0.308497107818761),  # binom.test(0, 10)$conf.int
    (10, 10, "clopper-pearson", 0.691502892181239, 1.0),  # binom.test(10, 10)$conf.int
    (3, 13, "wilson", 0.0817952871849856, 0.5025637594672749),  # prop.test(3, 13, correct=FALSE)$conf.int
    (3, 13, "wilson-cc", 0.0616061026333296, 0.5401511155986508),  # prop.test(3, 13, correct=TRUE)$conf.int
    (3, 13, "jeffreys", 0.0696566686396164, 0.4973721219753462),  # qbeta(c(.025, .975), 3.5, 10.5)
]


@pytest.mark.parametrize(("x", "n", "method", "low", "high"), R_INTERVALS)
def test_interval_matches_r(x: int, n: int, method: str, low: float, high: float) -> None:
    ci = binomial_interval(x=x, n=n, method=method)
    assert ci.low == pytest.approx(low, abs=TOL)
    assert ci.high == pytest.approx(high, abs=TOL)
    assert isinstance(ci.low, float)


def test_one_sided_clopper_pearson_matches_r() -> None:
    # binom.test(7, 40, alternative = "greater")$conf.int -> 0.0851325045859817 1
    ci = binomial_interval(x=7, n=40, alternative="greater")
    assert (ci.low, ci.high) == (pytest.approx(0.0851325045859817, abs=TOL), 1.0)


@pytest.mark.parametrize(("method", "scipy_method"), [
    ("clopper-pearson", "exact"), ("wilson", "wilson"), ("wilson-cc", "wilsoncc")])
@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_vectorised_intervals_match_scipy_binomtest(method: str, scipy_method: str, alternative: str) -> None:
    rng = np.random.default_rng(20260101)
    n = rng.integers(1, 120, size=200)
    x = np.minimum(rng.integers(0, 120, size=200), n)
    x[:5], n[:5] = [0, 1, 7, 0, 30], [1, 1, 7, 50, 30]
    ci = binomial_interval(x=x, n=n, method=method, alternative=alternative, confidence_level=0.9)
    for i in range(x.size):
        expected = stats.binomtest(int(x[i]), int(n[i]), alternative=alternative).proportion_ci(
            confidence_level=0.9, method=scipy_method)
        assert ci.low[i] == pytest.approx(expected.low, abs=1e-9)
        assert ci.high[i] == pytest.approx(expected.high, abs=1e-9)


def test_intervals_broadcast_x_against_n() -> None:
    ci = binomial_interval(x=np.array([[0], [3]]), n=np.array([13, 20]), method="jeffreys")
    assert ci.low.shape == (2, 2)
    assert ci.high[1, 0] == pytest.approx(0.4973721219753462, abs=TOL)  # qbeta(.975, 3.5, 10.5)


@pytest.mark.parametrize("method", list(IntervalMethod))
def test_zero_responses_give_lower_limit_zero_and_all_give_upper_one(method: IntervalMethod) -> None:
    ci = binomial_interval(x=[0, 9], n=9, method=method)
    assert ci.low[0] == 0.0
    assert ci.high[1] == 1.0


@given(n=st.integers(1, 200), data=st.data(), level=st.floats(0.5, 0.999))
def test_interval_contains_estimate_and_narrows_with_level(n: int, data: st.DataObject, level: float) -> None:
    x = data.draw(st.integers(0, n))
    for method in IntervalMethod:
        wide = binomial_interval(x=x, n=n, method=method, confidence_level=level)
        narrow = binomial_interval(x=x, n=n, method=method, confidence_level=level / 2)
        assert 0 <= wide.low <= narrow.low <= narrow.high <= wide.high <= 1
        if method is not IntervalMethod.WILSON:
            assert wide.low <= x / n <= wide.high


def test_exact_test_matches_r() -> None:
    # binom.test(3, 13, p = .2, alternative = "greater")$p.value -> 0.4983478198272
    assert binomial_test(x=3, n=13, p0=0.2).pvalue == pytest.approx(0.4983478198272, abs=1e-12)
    # binom.test(3, 13, p = .2, alternative = "less")$p.value -> 0.747324309504
    assert binomial_test(x=3, n=13, p0=0.2, alternative="less").pvalue == pytest.approx(0.747324309504, abs=1e-12)
    # binom.test(12, 43, p = .2, alternative = "greater")$p.value -> 0.135542413609984
    assert binomial_test(x=12, n=43, p0=0.2).pvalue == pytest.approx(0.135542413609984, abs=1e-12)


def test_exact_test_vectorised_matches_slow_sum() -> None:
    n = np.arange(1, 41)
    x = n // 3
    result = binomial_test(x=x, n=n, p0=0.15, alternative=Alternative.GREATER)
    slow = [sum(stats.binom.pmf(k, int(m), 0.15) for k in range(int(k0), int(m) + 1)) for k0, m in zip(x, n, strict=True)]
    np.testing.assert_allclose(result.pvalue, slow, rtol=1e-10, atol=1e-15)
    assert result.statistic[5] == pytest.approx(2 / 6)


def test_test_result_interval_is_one_sided_like_the_alternative() -> None:
    ci = binomial_test(x=7, n=40, p0=0.1).confidence_interval()
    assert ci.alternative is Alternative.GREATER
    assert ci.low == pytest.approx(0.0851325045859817, abs=TOL)
    assert ci.high == 1.0


@pytest.mark.parametrize(("kwargs", "field", "phrase"), [
    ({"x": 3.0, "n": 13}, "x", "whole number"),
    ({"x": 3, "n": 13.5}, "n", "whole number"),
    ({"x": True, "n": 13}, "x", "whole number"),
    ({"x": 14, "n": 13}, "x", "between 0 and n"),
    ({"x": -1, "n": 13}, "x", "between 0 and n"),
    ({"x": 0, "n": 0}, "n", "at least 1"),
    ({"x": [1, 2, 3], "n": [5, 6]}, "x", "broadcasts"),
    ({"x": 3, "n": 13, "confidence_level": 95}, "confidence_level", "(0, 1)"),
    ({"x": 3, "n": 13, "method": "agresti"}, "method", "clopper-pearson"),
    ({"x": 3, "n": 13, "alternative": "bigger"}, "alternative", "two-sided"),
])
def test_interval_rejects_bad_input(kwargs: dict[str, object], field: str, phrase: str) -> None:
    with pytest.raises(InputError) as caught:
        binomial_interval(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert phrase in str(caught.value)


def test_test_rejects_p0_outside_unit_interval_and_two_sided() -> None:
    with pytest.raises(InputError, match="p0 must be a number in"):
        binomial_test(x=3, n=13, p0=1.2)
    with pytest.raises(InputError) as caught:
        binomial_test(x=3, n=13, p0=0.2, alternative="two-sided")
    assert caught.value.field == "alternative"
