"""Decisions on observed data and the two-stage estimate (hipectrial.design.simon_inference).

Oracles: R 4.2 with the formulas of Jung & Kim (2004) and Koyama & Chen (2008) typed out
(calls beside the numbers); brute force over every response sequence; and a slow
enumeration of the stage-wise ordered sample space.
"""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hipectrial.design.binomial import binomial_interval
from hipectrial.design.simon_inference import SimonAction, simon_decide, simon_estimate
from hipectrial.errors import InputError

PART_B = {"r1": 3, "n1": 13, "r": 12, "n": 43}


def test_estimate_interval_and_pvalue_match_r() -> None:
    # umvue <- function(r1,n1,n,s){n2<-n-n1; x<-max(r1+1,s-n2):min(n1,s)
    #   sum(choose(n1-1,x-1)*choose(n2,s-x))/sum(choose(n1,x)*choose(n2,s-x))}; umvue(3,13,43,14)
    # tg <- function(p,r1,n1,n,s){x<-(r1+1):n1; sum(dbinom(x,n1,p)*(1-pbinom(s-x-1,n-n1,p)))}
    # tl <- function(p,r1,n1,n,s){x<-(r1+1):n1; pbinom(r1,n1,p)+sum(dbinom(x,n1,p)*pbinom(s-x,n-n1,p))}
    # uniroot(function(p) tg(p,3,13,43,14)-.025, c(1e-9,1-1e-9), tol=1e-14)$root, same for tl; tg(.2,3,13,43,14)
    est = simon_estimate(**PART_B, responses=14, stage=2)
    assert est.umvue == pytest.approx(0.382192625323672, abs=1e-12)
    assert est.proportion == pytest.approx(14 / 43)
    ci = est.confidence_interval(0.95)
    assert (ci.low, ci.high) == pytest.approx((0.198242468798258, 0.543299770093948), abs=1e-7)
    assert est.pvalue(0.2) == pytest.approx(0.026785164568523, abs=1e-12)


def _sequences_umvue(r1: int, n1: int, n: int, stage: int, s: int) -> float:
    """E[first participant responded | outcome], counted over all equally likely sequences."""
    hits = total = 0
    for seq in itertools.product((0, 1), repeat=n):
        x1 = sum(seq[:n1])
        if (stage == 1 and x1 == s <= r1) or (stage == 2 and x1 > r1 and sum(seq) == s):
            total += 1
            hits += seq[0]
    return hits / total


@pytest.mark.parametrize(("r1", "n1", "r", "n"), [(1, 3, 3, 7), (0, 2, 2, 6), (2, 4, 4, 8)])
def test_umvue_is_rao_blackwell_of_first_response_by_brute_force(r1: int, n1: int, r: int, n: int) -> None:
    for stage, counts in ((1, range(r1 + 1)), (2, range(r1 + 1, n + 1))):
        for s in counts:
            est = simon_estimate(r1=r1, n1=n1, r=r, n=n, responses=s, stage=stage)
            assert est.umvue == pytest.approx(_sequences_umvue(r1, n1, n, stage, s), abs=1e-12)


def _outcomes(r1: int, n1: int, n: int, p: float) -> list[tuple[int, int, float]]:
    """Every outcome (stage, count, probability) in stage-wise order, lowest first."""
    def pmf(k: int, m: int) -> float:
        return math.comb(m, k) * p**k * (1 - p) ** (m - k)
    rows = [(1, x1, pmf(x1, n1)) for x1 in range(r1 + 1)]
    for s in range(r1 + 1, n + 1):
        prob = sum(pmf(x1, n1) * pmf(s - x1, n - n1) for x1 in range(r1 + 1, n1 + 1) if 0 <= s - x1 <= n - n1)
        rows.append((2, s, prob))
    return rows


def _slow_interval(r1: int, n1: int, n: int, stage: int, s: int, level: float) -> tuple[float, float]:
    tail = (1 - level) / 2

    def tails(p: float) -> tuple[float, float]:
        rows = _outcomes(r1, n1, n, p)
        at = rows.index(next(row for row in rows if row[:2] == (stage, s)))
        return sum(row[2] for row in rows[at:]), sum(row[2] for row in rows[: at + 1])

    def bisect(f: object, rising: bool) -> float:
        lo, hi = 0.0, 1.0
        for _ in range(80):
            mid = (lo + hi) / 2
            if (f(mid) < tail) == rising:  # type: ignore[operator]
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2

    lowest, highest = (stage, s) == (1, 0), (stage, s) == (2, n)
    low = 0.0 if lowest else bisect(lambda p: tails(p)[0], rising=True)
    high = 1.0 if highest else bisect(lambda p: tails(p)[1], rising=False)
    return low, high


@settings(max_examples=30, deadline=None)
@given(n1=st.integers(2, 12), n2=st.integers(1, 12), data=st.data(), level=st.sampled_from([0.8, 0.9, 0.95]))
def test_interval_matches_slow_stagewise_enumeration(n1: int, n2: int, data: st.DataObject, level: float) -> None:
    r1 = data.draw(st.integers(0, n1 - 1))
    n = n1 + n2
    stage = data.draw(st.sampled_from([1, 2]))
    s = data.draw(st.integers(0, r1) if stage == 1 else st.integers(r1 + 1, n))
    est = simon_estimate(r1=r1, n1=n1, r=max(r1, n - 1 - n2 // 2), n=n, responses=s, stage=stage)
    ci = est.confidence_interval(level)
    assert (ci.low, ci.high) == pytest.approx(_slow_interval(r1, n1, n, stage, s, level), abs=1e-7)


def test_stage_one_stop_interval_is_clopper_pearson() -> None:
    est = simon_estimate(**PART_B, responses=2, stage=1)
    exact = binomial_interval(x=2, n=13)
    ci = est.confidence_interval()
    assert (ci.low, ci.high) == pytest.approx((exact.low, exact.high), abs=1e-9)
    assert est.umvue == est.proportion == 2 / 13


@pytest.mark.parametrize("p", [0.05, 0.2, 0.33, 0.6, 0.9])
def test_umvue_is_unbiased_and_interval_covers_at_least_nominally(p: float) -> None:
    rows = _outcomes(3, 13, 43, p)
    mean = coverage = 0.0
    for stage, s, prob in rows:
        est = simon_estimate(**PART_B, responses=s, stage=stage)
        ci = est.confidence_interval(0.9)
        mean += prob * est.umvue
        coverage += prob * (ci.low <= p <= ci.high)
    assert mean == pytest.approx(p, abs=1e-12)
    assert coverage >= 0.9


def test_interval_ends_at_zero_and_one_for_extreme_outcomes() -> None:
    assert simon_estimate(**PART_B, responses=0, stage=1).confidence_interval().low == 0.0
    assert simon_estimate(**PART_B, responses=43, stage=2).confidence_interval().high == 1.0


@pytest.mark.parametrize(("kwargs", "field", "phrase"), [
    ({"responses": 4, "stage": 1}, "responses", "at most r1 (3)"),
    ({"responses": 3, "stage": 2}, "responses", "between 4 and 43"),
    ({"responses": 3, "stage": 3}, "stage", "1 (stopped"),
    ({"responses": 2.0, "stage": 1}, "responses", "whole number"),
])
def test_estimate_rejects_outcomes_the_design_cannot_produce(kwargs: dict[str, object], field: str,
                                                             phrase: str) -> None:
    with pytest.raises(InputError) as caught:
        simon_estimate(**PART_B, **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert phrase in str(caught.value)


# -- decisions ------------------------------------------------------------------------------

DECISIONS = [
    # responses, enrolled, action, futility certain, success certain, complete, reject_h0
    (0, 0, SimonAction.CONTINUE_STAGE_1, False, False, False, None),
    (1, 9, SimonAction.CONTINUE_STAGE_1, False, False, False, None),
    (0, 10, SimonAction.STOP_FUTILITY, True, False, False, False),   # 0 + 3 left <= 3
    (4, 9, SimonAction.CONTINUE_STAGE_1, False, False, False, None),  # stage 1 already passed
    (3, 13, SimonAction.STOP_FUTILITY, True, False, True, False),
    (4, 13, SimonAction.CONTINUE_STAGE_2, False, False, False, None),
    (13, 13, SimonAction.CONTINUE_STAGE_2, False, True, False, True),
    (6, 30, SimonAction.CONTINUE_STAGE_2, False, False, False, None),
    (6, 37, SimonAction.STOP_FUTILITY, True, False, False, False),   # 6 + 6 left <= 12
    (13, 30, SimonAction.CONTINUE_STAGE_2, False, True, False, True),
    (12, 43, SimonAction.DO_NOT_REJECT_H0, True, False, True, False),
    (13, 43, SimonAction.REJECT_H0, False, True, True, True),
]


@pytest.mark.parametrize(("responses", "enrolled", "action", "futile", "success", "complete", "reject"), DECISIONS)
def test_decision_follows_the_design(responses: int, enrolled: int, action: SimonAction, futile: bool,
                                     success: bool, complete: bool, reject: bool | None) -> None:
    decision = simon_decide(**PART_B, responses=responses, enrolled=enrolled)
    assert decision.action is action
    assert (decision.futility_certain, decision.success_certain) == (futile, success)
    assert decision.complete is complete
    assert decision.reject_h0 is reject
    assert decision.reasons
    assert (decision.estimate is not None) is complete


def test_completed_trial_decision_carries_the_two_stage_estimate() -> None:
    decision = simon_decide(**PART_B, responses=14, enrolled=43)
    assert decision.estimate is not None
    assert decision.estimate.umvue == pytest.approx(0.382192625323672, abs=1e-12)
    assert "14 responses in 43 exceeds r = 12" in decision.reasons[0]


@pytest.mark.parametrize(("responses", "enrolled", "field", "phrase"), [
    (5, 4, "responses", "at most enrolled (4)"),
    (5, 44, "enrolled", "at most n (43)"),
    (3, 20, "responses", "stops after stage 1"),
    (-1, 4, "responses", "at least 0"),
    (2, 4.0, "enrolled", "whole number"),
])
def test_decision_rejects_impossible_data(responses: int, enrolled: int, field: str, phrase: str) -> None:
    with pytest.raises(InputError) as caught:
        simon_decide(**PART_B, responses=responses, enrolled=enrolled)
    assert caught.value.field == field
    assert phrase in str(caught.value)
