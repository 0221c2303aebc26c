"""Kaplan-Meier (hipectrial.analysis.km) against R survival.

R values: R 4.2.2, survival 3.5-3; each call is pasted beside its numbers. ``aml`` is
``survival::aml`` (Miller 1981) written to data/aml.csv with
``write.csv(data.frame(time = aml$time, status = aml$status, group = aml$x), ...)``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hipectrial.analysis.km import KaplanMeier, kaplan_meier
from hipectrial.errors import InputError

TOL = 1e-6
DATA = Path(__file__).parent / "data"
AML = pd.read_csv(DATA / "aml.csv")
LUNG = pd.read_csv(DATA / "lung_ecog012.csv")

# summary(survfit(Surv(time, status) ~ 1, data = aml, conf.type = CT), censored = TRUE)
# time, n.risk, n.event, n.censor, surv, std.err (the same for every conf.type)
AML_TABLE = [
    (5, 23, 2, 0, 0.913043478261, 0.0587533847558), (8, 21, 2, 0, 0.826086956522, 0.0790341964475),
    (9, 19, 1, 0, 0.782608695652, 0.0860061487038), (12, 18, 1, 0, 0.739130434783, 0.0915605371517),
    (13, 17, 1, 1, 0.695652173913, 0.0959438755422), (16, 15, 0, 1, 0.695652173913, 0.0959438755422),
    (18, 14, 1, 0, 0.645962732919, 0.101142675175), (23, 13, 2, 0, 0.546583850932, 0.10725064174),
    (27, 11, 1, 0, 0.496894409938, 0.108401780789), (28, 10, 0, 1, 0.496894409938, 0.108401780789),
    (30, 9, 1, 0, 0.441683919945, 0.109518069978), (31, 8, 1, 0, 0.386473429952, 0.108858801495),
    (33, 7, 1, 0, 0.331262939959, 0.106390972888), (34, 6, 1, 0, 0.276052449965, 0.10198337609),
    (43, 5, 1, 0, 0.220841959972, 0.0953674384864), (45, 4, 1, 1, 0.165631469979, 0.0860352084086),
    (48, 2, 1, 0, 0.0828157349896, 0.0726618005035), (161, 1, 0, 1, 0.0828157349896, 0.0726618005035),
]
# $lower and $upper of the same call, per conf.type
AML_LIMITS = {
    "log-log": [
        (0.694947537532, 0.977515669901), (0.600610411237, 0.930903558387), (0.554211506669, 0.903207489882),
        (0.509209438754, 0.873375781698), (0.465641749762, 0.841721291392), (0.465641749762, 0.841721291392),
        (0.413952950717, 0.805307764482), (0.319250413971, 0.726449173821), (0.275565628012, 0.684213788448),
        (0.275565628012, 0.684213788448), (0.227381168463, 0.63709268746), (0.182836618649, 0.587476914418),
        (0.141825693482, 0.535273789989), (0.104441343234, 0.480284660417), (0.0709966489829, 0.422167443381),
        (0.0421142812616, 0.360361360273), (0.00695596679854, 0.286760367981), (0.00695596679854, 0.286760367981)],
    "log": [
        (0.804854797783, 1), (0.684839468072, 0.996466605023), (0.6309579106, 0.970708759208),
        (0.579799217968, 0.942246527232), (0.530878341628, 0.9115684501), (0.530878341628, 0.9115684501),
        (0.475257724706, 0.877982262317), (0.372078087249, 0.802933352802), (0.32401654569, 0.762010637765),
        (0.32401654569, 0.762010637765), (0.271675995392, 0.718078477475), (0.222515297747, 0.671242442974),
        (0.176520182581, 0.621657726531), (0.133822195629, 0.569449296312), (0.0947332405633, 0.514826379784),
        (0.0598407178101, 0.458446770886), (0.0148346082548, 0.462327406565), (0.0148346082548, 0.462327406565)],
    "plain": [
        (0.79788896017, 1), (0.671182777938, 0.980991135106), (0.614039741744, 0.951177649561),
        (0.55967507956, 0.918585790005), (0.507605633313, 0.883698714513), (0.507605633313, 0.883698714513),
        (0.447726732276, 0.844198733563), (0.336376455802, 0.756791246061), (0.284430823732, 0.709357996144),
        (0.284430823732, 0.709357996144), (0.227032447132, 0.656335392757), (0.173114099622, 0.599832760282),
        (0.122740464819, 0.539785415098), (0.0761687058063, 0.475936194125), (0.0339252152411, 0.407758704704),
        (0, 0.334257379863), (0, 0.225230247028), (0, 0.225230247028)],
}
# print(survfit(Surv(time, status) ~ 1, data = aml, conf.type = CT)): median, 0.95LCL, 0.95UCL
AML_MEDIAN = {"log-log": (27, 13, 34), "log": (27, 18, 45), "plain": (27, 18, 34)}


def _aml(conf_type: str) -> KaplanMeier:
    return kaplan_meier(time=AML["time"], event=AML["status"], conf_type=conf_type)


@pytest.mark.parametrize("conf_type", ["log-log", "log", "plain"])
def test_aml_table_matches_r_summary_survfit(conf_type: str) -> None:
    km = _aml(conf_type)
    assert len(km.table) == len(AML_TABLE)
    for row, (t, nr, ne, nc, surv, se), (lo, hi) in zip(km.table, AML_TABLE, AML_LIMITS[conf_type], strict=True):
        assert (row.time, row.n_risk, row.n_event, row.n_censor) == (t, nr, ne, nc)
        assert row.survival == pytest.approx(surv, abs=TOL)
        assert row.std_err == pytest.approx(se, abs=TOL)
        assert row.lower == pytest.approx(lo, abs=TOL)
        assert row.upper == pytest.approx(hi, abs=TOL)
    assert (km.n, km.events) == (23, 18)


@pytest.mark.parametrize("conf_type", ["log-log", "log", "plain"])
def test_aml_median_matches_r_print_survfit(conf_type: str) -> None:
    m = _aml(conf_type).median()
    assert (m.estimate, m.lower, m.upper) == AML_MEDIAN[conf_type]


def test_aml_median_with_log_limits_is_the_textbook_27_18_45() -> None:
    # Miller (1981) AML data, R default conf.type = "log": median 27, 95% CI 18 to 45
    # (print(survfit(Surv(time, status) ~ 1, data = aml)))
    m = _aml("log").median()
    assert (m.estimate, m.lower, m.upper) == (27.0, 18.0, 45.0)


def test_restricted_mean_matches_r_print_rmean() -> None:
    # summary(survfit(Surv(time, status) ~ 1, data = aml), rmean = 40)$table:
    #   rmean 25.23947550035, se(rmean) 2.69840254106
    rm = _aml("log-log").restricted_mean(40)
    assert rm.estimate == pytest.approx(25.23947550035, abs=TOL)
    assert rm.std_err == pytest.approx(2.69840254106, abs=TOL)


def test_restricted_mean_on_lung_matches_r() -> None:
    # lu <- subset(lung, ph.ecog < 3); summary(survfit(Surv(time, status) ~ 1, data = lu), rmean = 365)$table
    #   rmean 264.72303095347, se(rmean) 7.79422496528, median 310, 0.95LCL 285, 0.95UCL 363 (log)
    km = kaplan_meier(time=LUNG["time"], event=LUNG["status"], conf_type="log")
    rm = km.restricted_mean(365)
    assert (rm.estimate, rm.std_err) == (pytest.approx(264.72303095347, abs=TOL), pytest.approx(7.79422496528, abs=TOL))
    m = km.median()
    assert (m.estimate, m.lower, m.upper) == (310, 285, 363)


def test_survival_at_matches_r_summary_times() -> None:
    # summary(survfit(Surv(time, status) ~ 1, data = aml, conf.type = "log-log"), times = c(0, 5, 12, 30, 161))
    expected = [(0, 23, 1, 0, 1, 1),
                (5, 23, 0.913043478261, 0.0587533847558, 0.694947537532, 0.977515669901),
                (12, 18, 0.739130434783, 0.0915605371517, 0.509209438754, 0.873375781698),
                (30, 9, 0.441683919945, 0.109518069978, 0.227381168463, 0.63709268746),
                (161, 1, 0.0828157349896, 0.0726618005035, 0.00695596679854, 0.286760367981)]
    got = _aml("log-log").survival_at([0, 5, 12, 30, 161])
    for at, (t, nr, surv, se, lo, hi) in zip(got, expected, strict=True):
        assert (at.time, at.n_risk) == (t, nr)
        assert (at.survival, at.std_err, at.lower, at.upper) == (
            pytest.approx(surv, abs=TOL), pytest.approx(se, abs=TOL), pytest.approx(lo, abs=TOL), pytest.approx(hi, abs=TOL))


def test_survival_at_lung_one_and_two_years_matches_r() -> None:
    # summary(survfit(Surv(time, status) ~ 1, data = lu), times = c(365, 730)) (conf.type "log")
    got = kaplan_meier(time=LUNG["time"], event=LUNG["status"], conf_type="log").survival_at([365, 730])
    r = [(65, 0.412884628066, 0.0360496337683, 0.347943647541, 0.489946338431),
         (13, 0.116722979836, 0.0285407148102, 0.0722808741061, 0.188490443568)]
    for at, (nr, surv, se, lo, hi) in zip(got, r, strict=True):
        assert at.n_risk == nr
        assert [at.survival, at.std_err, at.lower, at.upper] == pytest.approx([surv, se, lo, hi], abs=TOL)


def test_survival_between_observed_times_is_the_step_before() -> None:
    at = _aml("log").survival_at(13.5)[0]
    assert at.survival == pytest.approx(0.695652173913, abs=TOL)  # the value at 13 (R summary, times = 13.5)
    assert at.n_risk == 15


def test_survival_after_last_follow_up_is_undefined() -> None:
    # R: summary(fit, times = 200) is an error without extend = TRUE; we give None.
    at = _aml("log").survival_at([200])[0]
    assert (at.survival, at.std_err, at.lower, at.upper, at.n_risk) == (None, None, None, None, 0)


def test_aml_by_group_medians_and_restricted_means_match_r() -> None:
    # print(survfit(Surv(time, status) ~ group, data = aml, conf.type = "log-log"), rmean = 40)
    #   Maintained    median 31 (13, NA), rmean 28.8977272727, se 3.46757767889
    #   Nonmaintained median 23 (5, 33),  rmean 21.9305555556, se 3.83564116318
    expected = {"Maintained": ((31, 13, None), 28.8977272727, 3.46757767889),
                "Nonmaintained": ((23, 5, 33), 21.9305555556, 3.83564116318)}
    for group, (median, rmean, se) in expected.items():
        rows = AML[AML["group"] == group]
        km = kaplan_meier(time=rows["time"], event=rows["status"])
        m = km.median()
        assert (m.estimate, m.lower, m.upper) == median
        rm = km.restricted_mean(40)
        assert (rm.estimate, rm.std_err) == (pytest.approx(rmean, abs=TOL), pytest.approx(se, abs=TOL))


def test_curve_ending_at_zero_has_undefined_error_and_limits() -> None:
    # summary(survfit(Surv(time, status) ~ x, data = aml, conf.type = "log-log"), censored = TRUE):
    # Nonmaintained, t = 45: surv 0, std.err NaN, lower NA, upper NA; t = 43: 0.0972222222222,
    # 0.0918663649675, 0.00574630569586, 0.348903861111
    rows = AML[AML["group"] == "Nonmaintained"]
    km = kaplan_meier(time=rows["time"], event=rows["status"])
    last, before = km.table[-1], km.table[-2]
    assert (last.time, last.survival, last.std_err, last.lower, last.upper) == (45, 0.0, None, None, None)
    assert [before.survival, before.std_err, before.lower, before.upper] == pytest.approx(
        [0.0972222222222, 0.0918663649675, 0.00574630569586, 0.348903861111], abs=TOL)
    frame = km.to_frame()
    assert math.isnan(frame["lower"].iloc[-1])
    assert frame["survival"].iloc[-1] == 0.0


def test_to_frame_has_the_table_columns() -> None:
    frame = _aml("log").to_frame()
    assert list(frame.columns) == ["time", "n_risk", "n_event", "n_censor", "survival", "std_err", "lower", "upper"]
    assert frame["upper"].iloc[0] == pytest.approx(1.0)
    assert len(frame) == 18


# --- boundary cases (R: survfit(...) with the data shown; summary(fit, censored = TRUE)) ---

def test_all_censored_gives_survival_one_and_no_median() -> None:
    # survfit(Surv(c(1, 2, 3), c(0, 0, 0)) ~ 1): surv 1 1 1, std.err 0; median NA
    km = kaplan_meier(time=[1, 2, 3], event=[0, 0, 0], conf_type="log")
    assert [r.survival for r in km.table] == [1.0, 1.0, 1.0]
    assert [(r.lower, r.upper) for r in km.table] == [(1.0, 1.0)] * 3
    assert km.median().estimate is None
    assert km.events == 0
    # log-log limits are undefined at S = 1 (R: NA)
    assert kaplan_meier(time=[1, 2, 3], event=[0, 0, 0]).table[0].lower is None


def test_all_events_at_one_time() -> None:
    # survfit(Surv(c(3, 3, 3), c(1, 1, 1)) ~ 1): one row, n.risk 3, n.event 3, surv 0; median 3 (NA, NA)
    km = kaplan_meier(time=[3, 3, 3], event=[1, 1, 1])
    (row,) = km.table
    assert (row.time, row.n_risk, row.n_event, row.survival, row.std_err) == (3, 3, 3, 0.0, None)
    m = km.median()
    assert (m.estimate, m.lower, m.upper) == (3, None, None)


def test_time_zero_and_ties_between_events_and_censorings() -> None:
    # fit <- survfit(Surv(c(0,0,2,2,2,5,7), c(1,0,1,0,1,1,0)) ~ 1, conf.type = "log-log")
    # summary(fit, censored = TRUE); summary(fit, rmean = 6)$table
    km = kaplan_meier(time=[0, 0, 2, 2, 2, 5, 7], event=[1, 0, 1, 0, 1, 1, 0])
    expected = [(0, 7, 1, 1, 0.857142857143, 0.132260014253, 0.3340538792922, 0.978561058526),
                (2, 5, 2, 1, 0.514285714286, 0.203869277273, 0.1177595839166, 0.813248607576),
                (5, 2, 1, 0, 0.257142857143, 0.208451181440, 0.0125842620705, 0.656015963204),
                (7, 1, 0, 1, 0.257142857143, 0.208451181440, 0.0125842620705, 0.656015963204)]
    for row, (t, nr, ne, nc, *values) in zip(km.table, expected, strict=True):
        assert (row.time, row.n_risk, row.n_event, row.n_censor) == (t, nr, ne, nc)
        assert [row.survival, row.std_err, row.lower, row.upper] == pytest.approx(values, abs=TOL)
    rm = km.restricted_mean(6)
    assert (rm.estimate, rm.std_err) == (pytest.approx(3.514285714286, abs=TOL), pytest.approx(0.871271314014, abs=TOL))
    m = km.median()
    assert (m.estimate, m.lower, m.upper) == (5, 0, None)


def test_censoring_first_then_events_under_each_limit_type() -> None:
    # survfit(Surv(c(1,2,3,4,5), c(0,1,0,1,1)) ~ 1, conf.type = CT); summary(fit, censored = TRUE)
    time, event = [1, 2, 3, 4, 5], [0, 1, 0, 1, 1]
    loglog = kaplan_meier(time=time, event=event)
    assert (loglog.table[0].lower, loglog.table[0].upper) == (None, None)
    assert [loglog.table[3].lower, loglog.table[3].upper] == pytest.approx([0.0109711215748, 0.808001072481], abs=TOL)
    log = kaplan_meier(time=time, event=event, conf_type="log")
    assert [log.table[1].lower, log.table[1].upper] == pytest.approx([0.4259322684980, 1.0], abs=TOL)
    plain = kaplan_meier(time=time, event=event, conf_type="plain")
    assert [plain.table[3].lower, plain.table[3].upper] == pytest.approx([0.0, 0.936355207409], abs=TOL)
    assert (plain.table[4].lower, plain.table[4].upper) == (None, None)  # R: NaN at S = 0
    # summary(fit, times = c(0, 0.5, 1)) with log-log: 1 1 at 0 and 0.5 (before the first time), NA at 1
    at = loglog.survival_at([0, 0.5, 1])
    assert [(a.lower, a.upper) for a in at] == [(1.0, 1.0), (1.0, 1.0), (None, None)]
    # print(fit, rmean = 10) (log): rmean 3.875, se 0.602728172562, median 4 (2, NA)
    rm = log.restricted_mean(10)
    assert (rm.estimate, rm.std_err) == (pytest.approx(3.875, abs=TOL), pytest.approx(0.602728172562, abs=TOL))
    assert (log.median().estimate, log.median().lower, log.median().upper) == (4, 2, None)


def test_median_where_the_curve_is_flat_at_one_half_is_the_midpoint() -> None:
    # print(survfit(Surv(c(1, 2, 3, 4), c(1, 1, 1, 1)) ~ 1, conf.type = "log")): median 2.5 (1, NA)
    m = kaplan_meier(time=[1, 2, 3, 4], event=[1, 1, 1, 1], conf_type="log").median()
    assert (m.estimate, m.lower, m.upper) == (2.5, 1, None)
    # survfit(Surv(c(1,2,3,4,5,6), c(1,1,1,0,1,1)) ~ 1): flat at 0.5 from 3 to 5: median 4 (2, NA)
    m = kaplan_meier(time=[1, 2, 3, 4, 5, 6], event=[1, 1, 1, 0, 1, 1], conf_type="log").median()
    assert (m.estimate, m.lower, m.upper) == (4, 2, None)
    # survfit(Surv(c(1, 2, 3, 4), c(1, 1, 0, 0)) ~ 1): ends flat at 0.5: median 2 (1, NA)
    m = kaplan_meier(time=[1, 2, 3, 4], event=[1, 1, 0, 0], conf_type="log").median()
    assert (m.estimate, m.lower, m.upper) == (2, 1, None)


def test_single_observation() -> None:
    # survfit(Surv(4, 1) ~ 1): surv 0, median 4 (NA, NA); survfit(Surv(4, 0) ~ 1): surv 1, median NA
    died = kaplan_meier(time=[4], event=[1])
    assert (died.table[0].survival, died.median().estimate, died.median().lower) == (0.0, 4, None)
    alive = kaplan_meier(time=[4.0], event=[False])
    assert (alive.table[0].survival, alive.table[0].std_err, alive.median().estimate) == (1.0, 0.0, None)


def test_restricted_mean_before_first_time_is_the_horizon() -> None:
    rm = _aml("log").restricted_mean(3)
    assert (rm.estimate, rm.std_err) == (3.0, 0.0)


def test_ten_thousand_observations() -> None:
    rng = np.random.default_rng(20260101)
    t, e = rng.exponential(size=10_000), rng.integers(0, 2, size=10_000)
    km = kaplan_meier(time=t, event=e)
    assert km.median().estimate is not None
    assert 0 < km.restricted_mean(1.0).estimate < 1
    assert km.n == 10_000


# --- errors ---

@pytest.mark.parametrize(("time", "event", "field", "phrase"), [
    ([], [], "time", "at least one time"),
    ([1, -2], [1, 0], "time", "non-negative"),
    ([1, float("nan")], [1, 0], "time", "finite"),
    ([1, float("inf")], [1, 0], "time", "finite"),
    (["a", "b"], [1, 0], "time", "number"),
    ([1, 2], [1, 2], "event", "0 (censored) or 1 (event)"),
    ([1, 2], [1], "event", "as long as time"),
    ([1, 2], ["yes", "no"], "event", "0 (censored) or 1"),
])
def test_rejects_bad_input(time: list[object], event: list[object], field: str, phrase: str) -> None:
    with pytest.raises(InputError) as info:
        kaplan_meier(time=time, event=event)
    assert info.value.field == field
    assert phrase in str(info.value)


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.1, True])
def test_rejects_conf_level_outside_zero_one(level: float) -> None:
    with pytest.raises(InputError) as info:
        kaplan_meier(time=[1], event=[1], conf_level=level)
    assert info.value.field == "conf_level"
    assert "(0, 1)" in str(info.value)


def test_rejects_unknown_conf_type() -> None:
    with pytest.raises(InputError) as info:
        kaplan_meier(time=[1], event=[1], conf_type="logit")
    assert info.value.field == "conf_type"
    assert "'log-log'" in str(info.value)


@pytest.mark.parametrize("horizon", [0, -1, float("inf"), float("nan")])
def test_rejects_bad_horizon(horizon: float) -> None:
    with pytest.raises(InputError) as info:
        _aml("log").restricted_mean(horizon)
    assert info.value.field == "horizon"


def test_rejects_negative_time_in_survival_at() -> None:
    with pytest.raises(InputError) as info:
        _aml("log").survival_at([-1])
    assert info.value.field == "times"
