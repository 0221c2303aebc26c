"""PFS with the FDA-style censoring rules, and OS censored at the last date known alive.

Origin: registration (day 0). Before surgery CTs are due every 42 days (window +7): an event
more than 2 x 42 + 7 = 91 days after the last adequate CT is censored there; after surgery
2 x 84 + 14 = 182 days.
"""

from __future__ import annotations

import pytest

from hipectrial.analysis.results import TimeToEventValue, TteRow
from hipectrial.analysis.trial_analysis import analyze_trial
from hipectrial.protocol import Protocol

from .builders import TrialBuilder


def _rows(protocol: Protocol, t: TrialBuilder, endpoint: str = "pfs") -> dict[str, TteRow]:
    value = analyze_trial(trial=t.build(), protocol=protocol).endpoint(endpoint).value
    assert isinstance(value, TimeToEventValue)
    return {r.participant_id: r for r in value.rows}


def test_pfs_events_and_censoring(protocol: Protocol) -> None:
    t = TrialBuilder()
    # 1: SD day 42, PD day 84 (70 mm, +56 % and new lesion), reported at day 90: event day 84.
    t.participant(1).hipec().baseline_ct().ct(42, T1=45).ct(84, T1=70, new=True).alive(90, progression=84)
    # 2: SD day 42, death day 70 without progression: event day 70.
    t.participant(2).hipec().baseline_ct().ct(42, T1=45).died(70)
    # 3: no post-baseline CT, alive at day 100: censored at the origin.
    t.participant(3).hipec().baseline_ct().alive(100)
    # 4: SD days 42 and 84; new therapy day 100; PD day 130: censored at day 84.
    t.participant(4).hipec().baseline_ct().ct(42, T1=45).ct(84, T1=45).new_therapy(100, contact=110) \
        .ct(130, T1=70).alive(135, progression=130)
    # 5: SD day 42, next CT (PD) day 180: 138 days > 91 after two missed CTs: censored at 42.
    t.participant(5).hipec().baseline_ct().ct(42, T1=45).ct(180, T1=70).alive(185, progression=180)
    # 6: SD day 42, PR day 84, surgery day 110, post-op CT day 194, alive day 250: surgery is not an
    #    event; censored at the last adequate CT, day 194.
    t.participant(6).hipec().baseline_ct().ct(42, T1=45).ct(84, T1=30).surgery(110).ct(194, T1=25).alive(250)
    # 7: as 6, recurrence after R0 at the post-op CT day 194 (new lesion): the gap from day 84 is
    #    110 days <= 182 (post-surgery schedule in force): event day 194.
    t.participant(7).hipec().baseline_ct().ct(42, T1=45).ct(84, T1=30).surgery(110).ct(194, T1=25, new=True) \
        .alive(200, progression=194, method="recurrence_after_r0")
    rows = _rows(protocol, t)

    assert (rows["SH01-001"].time_days, rows["SH01-001"].event) == (84, True)
    assert rows["SH01-001"].reason == "progression (RECIST PD) on 2025-03-31"
    assert (rows["SH01-002"].time_days, rows["SH01-002"].event) == (70, True)
    assert rows["SH01-002"].reason.startswith("death without progression")
    assert (rows["SH01-003"].time_days, rows["SH01-003"].event) == (0, False)
    assert "no post-baseline adequate assessment" in rows["SH01-003"].reason
    assert (rows["SH01-004"].time_days, rows["SH01-004"].event) == (84, False)
    assert "new anticancer therapy" in rows["SH01-004"].reason
    assert (rows["SH01-005"].time_days, rows["SH01-005"].event) == (42, False)
    assert ">= 2 missed assessments (138 days > 2 x 42 + 7)" in rows["SH01-005"].reason
    assert (rows["SH01-006"].time_days, rows["SH01-006"].event) == (194, False)
    assert rows["SH01-006"].reason.startswith("censored: alive without progression")
    assert (rows["SH01-007"].time_days, rows["SH01-007"].event) == (194, True)
    assert "recurrence after R0" in rows["SH01-007"].reason


def test_os_censors_at_the_last_date_known_alive(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().alive(300).lab("NEUT", 320)     # a lab on day 320: known alive then
    t.participant(2).hipec().died(150)
    rows = _rows(protocol, t, "os")
    assert (rows["SH01-001"].time_days, rows["SH01-001"].event) == (320, False)
    assert rows["SH01-001"].reason == "censored: alive, last known alive 2025-11-22"
    assert (rows["SH01-002"].time_days, rows["SH01-002"].event) == (150, True)


def test_os_km_summary_matches_r(protocol: Protocol) -> None:
    t = TrialBuilder()
    for n, death in enumerate((100, 200, 300, 400), 1):
        t.participant(n).hipec().died(death)
    t.participant(5).hipec().alive(500)
    value = analyze_trial(trial=t.build(), protocol=protocol).endpoint("os-1-year").value
    assert isinstance(value, TimeToEventValue)
    assert value.km is not None
    # R: library(survival); f <- survfit(Surv(c(100,200,300,400,500), c(1,1,1,1,0)) ~ 1, conf.type="log-log")
    #    print(f) -> median 300, 0.95LCL 100, UCL NA
    #    s <- summary(f, times=365); c(s$surv, s$lower, s$upper)
    #    -> 0.4 0.0519757503774676 0.7528157913587552
    km = value.km
    assert (km.median_days, km.median_lower, km.median_upper) == (300, 100, None)
    assert km.at_days[0].day == 365
    assert km.at_days[0].survival == pytest.approx(0.4, abs=1e-12)
    assert km.at_days[0].lower == pytest.approx(0.0519757503774675, abs=1e-12)
    assert km.at_days[0].upper == pytest.approx(0.752815791358755, abs=1e-12)


@pytest.mark.parametrize(("pd_day", "event", "time"), [
    # Last adequate CT day 42; the rule censors when the event is MORE than 2 x 42 + 7 = 91 days
    # later (clinical.md §6: PD after >= 2 missed scheduled assessments).
    (133, True, 133),    # 91 days after day 42: exactly at the limit, an event
    (134, False, 42),    # 92 days: two assessments missed, censored at day 42
    (132, True, 132),    # 90 days: an event
])
def test_missed_assessment_rule_at_its_boundary(protocol: Protocol, pd_day: int, event: bool, time: int) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().baseline_ct().ct(42, T1=45).ct(pd_day, T1=70).alive(pd_day + 5, progression=pd_day)
    row = _rows(protocol, t)["SH01-001"]
    assert (row.time_days, row.event) == (time, event)
