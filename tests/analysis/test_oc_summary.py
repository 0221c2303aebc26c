"""The operating-characteristics summary on hand-made outcomes, every figure computed by hand.

Four trials (the numbers below are the test's own, chosen so the arithmetic is short):

=====  ========  ====  =====  =====  =========  ======  ==========  =========
trial  selected  R0/n  CI     Simon  stage 1    reject  rule met    grade>=3
=====  ========  ====  =====  =====  =========  ======  ==========  =========
0      2         20/43 .30-.62 .29-.60 continue  yes     no          30/50
1      2         3/13  .05-.54 .04-.50 stop      no      yes         10/20
2      1         15/43 .21-.51 —     continue   yes     no          40/50
3      none      —     —      —     —          no      None        5/6
=====  ========  ====  =====  =====  =========  ======  ==========  =========
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pytest

from hipectrial.analysis.oc_outcome import LevelCounts, TrialOutcome
from hipectrial.analysis.oc_summary import FailedTrial, summarise_outcomes
from hipectrial.errors import InputError

START = dt.date(2027, 1, 1)


def _outcome(seed: int, *, selected: str | None, r0: tuple[int, int], ci: tuple[float, float] | None,
             simon: tuple[float, float] | None, stage1: str | None, final: str | None, reject: bool,
             rule: bool | None, grade3: tuple[int, int], levels: tuple[tuple[int, int, int], ...],
             days: int, accrual: int, part_b: int) -> TrialOutcome:
    return TrialOutcome(
        seed=seed, screened=100 + seed, registered=sum(lv[0] for lv in levels) + part_b,
        part_a_registered=sum(lv[0] for lv in levels), part_b_registered=part_b, selected_level=selected,
        part_a_levels=tuple(LevelCounts(str(i + 1), *lv) for i, lv in enumerate(levels)),
        stage1_decision=stage1, final_decision=final, reject_h0=reject, safety_rule_met=rule,
        r0_events=r0[0], r0_n=r0[1], r0_ci_lower=None if ci is None else ci[0],
        r0_ci_upper=None if ci is None else ci[1], simon_ci_lower=None if simon is None else simon[0],
        simon_ci_upper=None if simon is None else simon[1], simon_umvue=None,
        safety_n=grade3[1], grade3_participants=grade3[0], first_consent=START,
        last_registration=START + dt.timedelta(days=accrual), cutoff=START + dt.timedelta(days=days))


OUTCOMES = [
    _outcome(11, selected="2", r0=(20, 43), ci=(0.30, 0.62), simon=(0.29, 0.60), stage1="continue stage 2",
             final="reject H0", reject=True, rule=False, grade3=(30, 50), levels=((3, 3, 0), (9, 9, 3), (3, 3, 2)),
             days=1000, accrual=600, part_b=48),
    _outcome(12, selected="2", r0=(3, 13), ci=(0.05, 0.54), simon=(0.04, 0.50), stage1="stop for futility",
             final="stopped for futility at stage 1: H0 not rejected", reject=False, rule=True,
             grade3=(10, 20), levels=((3, 3, 0), (6, 6, 1), (3, 2, 1)), days=700, accrual=300, part_b=13),
    _outcome(13, selected="1", r0=(15, 43), ci=(0.21, 0.51), simon=None, stage1="continue stage 2",
             final="reject H0", reject=True, rule=False, grade3=(40, 50), levels=((9, 9, 2), (6, 6, 3), (0, 0, 0)),
             days=1100, accrual=650, part_b=48),
    _outcome(14, selected=None, r0=(0, 0), ci=None, simon=None, stage1=None, final=None, reject=False,
             rule=None, grade3=(5, 6), levels=((3, 3, 2), (3, 3, 2), (0, 0, 0)), days=400, accrual=100,
             part_b=0),
]


def _summary():
    return summarise_outcomes(OUTCOMES, scenario="hand", seed=5, levels=("1", "2", "3"),
                              safety_stops=[None, dt.date(2028, 1, 1), None, None])


def test_percent_of_trials_with_the_indicators_sd_over_root_k() -> None:
    s = _summary()
    # level 2 selected in 2 of 4: mean 0.5; sample SD of (1,1,0,0) = sqrt(1/3); SE = sqrt(1/3)/2
    assert s.pct_selected[1].value == pytest.approx(50.0)
    assert s.pct_selected[1].se == pytest.approx(100 * math.sqrt(1 / 3) / 2)
    # level 1 in 1 of 4: SD of (1,0,0,0) = sqrt(0.25 * 4/3) = 0.5; SE 0.25
    assert s.pct_selected[0].value == pytest.approx(25.0)
    assert s.pct_selected[0].se == pytest.approx(25.0)
    assert s.pct_selected[2].value == 0.0
    assert s.pct_no_dose.value == pytest.approx(25.0)
    assert s.pct_stage1_stop.value == pytest.approx(25.0)
    assert s.pct_reject_h0.value == pytest.approx(50.0)
    assert s.pct_safety_rule_met.value == pytest.approx(25.0)   # None counts as not met
    assert s.pct_safety_stop is not None
    assert s.pct_safety_stop.value == pytest.approx(25.0)
    assert s.pct_part_b.value == pytest.approx(75.0)


def test_means_per_trial() -> None:
    s = _summary()
    # Part A: 15, 12, 15, 6 -> mean 12; SD sqrt(((3^2)*2 + 0 + 6^2)/3) = sqrt(18) ; SE sqrt(18)/2
    assert s.part_a_size.value == pytest.approx(12.0)
    assert s.part_a_size.se == pytest.approx(math.sqrt(18) / 2)
    # level 2 participants 9, 6, 6, 3 -> 6; DLTs at level 2: 3, 1, 3, 2 -> 2.25
    assert s.part_a_patients[1].value == pytest.approx(6.0)
    assert s.part_a_dlts[1].value == pytest.approx(2.25)
    # registered 63, 25, 63, 6 -> 39.25; screened 111..114 -> 112.5
    assert s.registered.value == pytest.approx(39.25)
    assert s.screened.value == pytest.approx(112.5)
    # months: (1000 + 700 + 1100 + 400) / 4 days = 800 days = 800 / 30.4375 months
    assert s.duration_months.value == pytest.approx(800 / 30.4375)
    assert s.accrual_months.value == pytest.approx(412.5 / 30.4375)
    # deciles of 400, 700, 1000, 1100 (linear): p10 = 400 + 0.3 * 300 = 490 days, p50 = 850
    assert s.duration_months_quantiles[0] == pytest.approx(490 / 30.4375)
    assert s.duration_months_quantiles[1] == pytest.approx(850 / 30.4375)


def test_pooled_rates_with_the_ratio_estimator_se() -> None:
    s = _summary()
    # DLT: (5 + 2 + 5 + 4) / (15 + 11 + 15 + 6) = 16 / 47
    assert s.dlt_rate is not None
    assert s.dlt_rate.value == pytest.approx(16 / 47)
    # grade >= 3: 85 / 126; SE = sqrt(sum (e - R n)^2 / (k (k-1))) / mean(n)
    r = 85 / 126
    resid = [(30 - r * 50), (10 - r * 20), (40 - r * 50), (5 - r * 6)]
    se = math.sqrt(sum(x * x for x in resid) / 12) / (126 / 4)
    assert s.grade3_rate is not None
    assert s.grade3_rate.value == pytest.approx(r)
    assert s.grade3_rate.se == pytest.approx(se)


def test_r0_truth_estimates_and_coverage() -> None:
    s = _summary()
    # trials with Part B ITT: 0, 1, 2; pooled 38 / 99
    truth = 38 / 99   # 0.3838
    assert s.r0_trials == 3
    assert s.r0_true_rate is not None
    assert s.r0_true_rate.value == pytest.approx(truth)
    est = [20 / 43, 3 / 13, 15 / 43]
    assert s.r0_estimate_mean is not None
    assert s.r0_estimate_mean.value == pytest.approx(sum(est) / 3)
    mean = sum(est) / 3
    assert s.r0_estimate_sd == pytest.approx(math.sqrt(sum((e - mean) ** 2 for e in est) / 2))
    # exact CIs: .30-.62 covers .384, .05-.54 covers, .21-.51 covers -> 100 %
    assert s.pct_exact_ci_covers is not None
    assert s.pct_exact_ci_covers.value == pytest.approx(100.0)
    # Simon CIs exist for trials 0 and 1 only: both cover
    assert s.simon_ci_trials == 2
    assert s.pct_simon_ci_covers is not None
    assert s.pct_simon_ci_covers.value == pytest.approx(100.0)


def test_a_ci_that_misses_the_truth_is_not_counted() -> None:
    moved = [OUTCOMES[0], OUTCOMES[1]]
    moved[0] = _outcome(11, selected="2", r0=(20, 43), ci=(0.40, 0.62), simon=(0.39, 0.60),
                        stage1="continue stage 2", final="reject H0", reject=True, rule=False, grade3=(1, 2),
                        levels=((3, 3, 0),) * 3, days=10, accrual=5, part_b=48)
    s = summarise_outcomes(moved, scenario="x", seed=1, levels=("1", "2", "3"))
    # truth 23 / 56 = 0.4107: trial 0's interval starts at 0.40 (covers), trial 1's ends at 0.54 (covers)
    assert s.pct_exact_ci_covers is not None
    assert s.pct_exact_ci_covers.value == pytest.approx(100.0)
    moved[0] = _outcome(11, selected="2", r0=(20, 43), ci=(0.42, 0.62), simon=None, stage1="continue stage 2",
                        final="reject H0", reject=True, rule=False, grade3=(1, 2), levels=((3, 3, 0),) * 3,
                        days=10, accrual=5, part_b=48)
    s = summarise_outcomes(moved, scenario="x", seed=1, levels=("1", "2", "3"))
    assert s.pct_exact_ci_covers is not None
    assert s.pct_exact_ci_covers.value == pytest.approx(50.0)


def test_failed_trials_are_counted_apart_from_those_held() -> None:
    s = summarise_outcomes(OUTCOMES[:2], scenario="x", seed=1, levels=("1", "2", "3"), trials_requested=3,
                           failed=[FailedTrial(2, 99, "RuntimeError: boom")])
    assert (s.trials, s.trials_requested) == (2, 3)
    assert s.to_document()["failed"] == [{"index": 2, "seed": 99, "error": "RuntimeError: boom"}]
    assert s.pct_safety_stop is None


def test_refuses_no_outcome_and_a_flag_list_of_another_length() -> None:
    with pytest.raises(InputError) as exc:
        summarise_outcomes([], scenario="x", seed=1, levels=("1",))
    assert exc.value.field == "trials"
    with pytest.raises(InputError) as exc:
        summarise_outcomes(OUTCOMES, scenario="x", seed=1, levels=("1", "2", "3"),
                           safety_stops=[dt.date(2028, 1, 1)])
    assert exc.value.field == "safety_stops"


def test_how_part_b_ended_counts_each_trial_once_in_the_order_things_happened() -> None:
    from hipectrial.analysis.oc_summary import PART_B_ENDS, part_b_end

    stopped = dataclasses.replace(OUTCOMES[1], stage1_look_date=dt.date(2028, 5, 5))
    # closed by a safety look on 2028-02-05, stage-1 look (futility) later: the safety look came first
    assert part_b_end(stopped, dt.date(2028, 2, 5)) == "closed by the safety monitoring"
    # the futility stop came first: a later safety look does not change how Part B ended
    assert part_b_end(stopped, dt.date(2028, 6, 1)) == "stopped at the Simon stage-1 look (futility)"
    assert part_b_end(stopped, None) == "stopped at the Simon stage-1 look (futility)"
    # the same day: the safety look closed registration (a futility stop counts only when earlier)
    assert part_b_end(stopped, dt.date(2028, 5, 5)) == "closed by the safety monitoring"
    assert part_b_end(stopped, dt.date(2028, 5, 6)) == "stopped at the Simon stage-1 look (futility)"
    assert part_b_end(OUTCOMES[0], None) == "completed: H0 rejected"
    assert part_b_end(OUTCOMES[0], dt.date(2028, 1, 1)) == "closed by the safety monitoring"
    assert part_b_end(OUTCOMES[3], None) == "Part B not opened"
    not_rejected = dataclasses.replace(OUTCOMES[0], reject_h0=False, final_decision="do not reject H0")
    assert part_b_end(not_rejected, None) == "completed: H0 not rejected"
    pending = dataclasses.replace(OUTCOMES[0], reject_h0=False, final_decision="not yet")
    assert part_b_end(pending, None) == "final analysis not complete at the cut-off"
    s = _summary()   # trial 1 closed by safety (stage-1 look date unknown), 0 and 2 rejected, 3 no Part B
    assert s.part_b_ends is not None
    ends = dict(s.part_b_ends)
    assert list(ends) == list(PART_B_ENDS)
    assert ends["completed: H0 rejected"].value == pytest.approx(50.0)
    assert ends["closed by the safety monitoring"].value == pytest.approx(25.0)
    assert ends["Part B not opened"].value == pytest.approx(25.0)
    assert sum(e.value for e in ends.values()) == pytest.approx(100.0)
