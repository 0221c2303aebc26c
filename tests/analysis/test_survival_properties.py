"""Invariants of the survival estimators, and a slow, obviously correct Kaplan-Meier to compare.

Run with ``--hypothesis-profile=ci`` (tests/conftest.py) for a derandomised run.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hipectrial.analysis.km import kaplan_meier
from hipectrial.analysis.logrank import logrank
from hipectrial.errors import InputError

Z95 = 1.959963984540054  # qnorm(0.975)


def slow_kaplan_meier(time: list[float], event: list[int]) -> list[tuple[float, int, int, float, float]]:
    """Textbook product-limit estimate, one loop per distinct time: (t, at risk, deaths, S, Greenwood se)."""
    rows = []
    survival, greenwood = 1.0, 0.0
    for t in sorted(set(time)):
        at_risk = sum(1 for u in time if u >= t)
        deaths = sum(1 for u, e in zip(time, event, strict=True) if u == t and e == 1)
        survival *= 1 - deaths / at_risk
        if deaths:
            greenwood = greenwood + deaths / (at_risk * (at_risk - deaths)) if at_risk > deaths else math.inf
        se = survival * math.sqrt(greenwood) if survival > 0 else math.nan
        rows.append((t, at_risk, deaths, survival, se))
    return rows


def slow_log_log_limits(survival: float, se: float) -> tuple[float, float] | None:
    """Kalbfleisch-Prentice log(-log S) limits; undefined at S = 0 and S = 1."""
    if survival in (0.0, 1.0):
        return None
    se_loglog = se / (survival * abs(math.log(survival)))
    centre = math.log(-math.log(survival))
    return math.exp(-math.exp(centre + Z95 * se_loglog)), math.exp(-math.exp(centre - Z95 * se_loglog))


@pytest.mark.parametrize("seed", range(12))
def test_matches_slow_reference_on_seeded_random_data(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 80))
    # rounded times so that ties (also between events and censorings) are common
    time = np.round(rng.exponential(10, size=n)).tolist()
    event = rng.integers(0, 2, size=n).tolist()
    km = kaplan_meier(time=time, event=event)
    reference = slow_kaplan_meier(time, event)
    assert len(km.table) == len(reference)
    for row, (t, at_risk, deaths, survival, se) in zip(km.table, reference, strict=True):
        assert (row.time, row.n_risk, row.n_event) == (t, at_risk, deaths)
        assert row.survival == pytest.approx(survival, abs=1e-12)
        if math.isnan(se):
            assert row.std_err is None
        else:
            assert row.std_err == pytest.approx(se, abs=1e-12)
        limits = slow_log_log_limits(survival, se)
        if limits is None:
            assert (row.lower, row.upper) == (None, None)
        else:
            assert (row.lower, row.upper) == (pytest.approx(limits[0], abs=1e-12), pytest.approx(limits[1], abs=1e-12))


samples = st.lists(st.tuples(st.integers(0, 30).map(float), st.integers(0, 1)), min_size=1, max_size=60)


@given(data=samples, conf_type=st.sampled_from(["log-log", "log", "plain"]), level=st.floats(0.5, 0.99))
def test_curve_is_non_increasing_in_unit_interval_and_inside_its_limits(
        data: list[tuple[float, int]], conf_type: str, level: float) -> None:
    time, event = [t for t, _ in data], [e for _, e in data]
    km = kaplan_meier(time=time, event=event, conf_type=conf_type, conf_level=level)
    survival = [r.survival for r in km.table]
    assert all(0.0 <= s <= 1.0 for s in survival)
    assert all(b <= a for a, b in itertools.pairwise(survival))
    for row in km.table:
        if row.lower is not None and row.upper is not None:
            assert 0.0 <= row.lower <= row.survival + 1e-12
            assert row.survival - 1e-12 <= row.upper <= 1.0
    assert sum(r.n_event + r.n_censor for r in km.table) == km.n == len(data)
    assert km.events == sum(event)


@given(data=samples, horizon=st.floats(0.5, 40))
def test_restricted_mean_lies_between_zero_and_horizon(data: list[tuple[float, int]], horizon: float) -> None:
    km = kaplan_meier(time=[t for t, _ in data], event=[e for _, e in data])
    rm = km.restricted_mean(horizon)
    assert 0.0 <= rm.estimate <= horizon + 1e-9
    assert rm.std_err >= 0.0


@given(data=st.lists(st.tuples(st.integers(0, 20).map(float), st.integers(0, 1), st.integers(0, 2)),
                     min_size=2, max_size=60))
def test_logrank_observed_equals_expected_in_total(data: list[tuple[float, int, int]]) -> None:
    time, event, group = ([row[i] for row in data] for i in range(3))
    if len(set(group)) < 2 or sum(event) == 0:
        return
    try:
        test = logrank(time=time, event=event, group=group)
    except InputError:  # a degenerate split (one group never at risk at a death) is refused
        return
    assert sum(test.observed) == sum(event)
    assert sum(test.expected) == pytest.approx(sum(event), abs=1e-9)
    assert test.statistic >= -1e-9
    assert 0.0 <= test.p <= 1.0
