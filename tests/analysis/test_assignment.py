"""Where the next registered participant goes (hipectrial.analysis.assignment): hand-worked
Part A (BOIN) and Part B (Simon) cases on small hand-built trials, and a cross-check with the
simulator, which assigns every participant by its own, independent implementation of the
rules (simulate/trial/run.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from hipectrial.analysis.assignment import Assignment, next_assignment
from hipectrial.analysis.facts import collect_facts
from hipectrial.analysis.interim import boin_cohorts
from hipectrial.data import ResidualTumour, TrialData
from hipectrial.protocol import Protocol
from hipectrial.simulate import SimulatedTrial, load_scenario, simulate_trial

from .builders import TrialBuilder, day


def _ids(*numbers: int) -> tuple[str, ...]:
    return tuple(f"SH01-{n:03d}" for n in numbers)


def _part_a(t: TrialBuilder, n: int, level: str, reg: int, *, dlt: bool = False, followed: bool = True) -> None:
    """Part A participant n registered on day ``reg`` at ``level``: HIPEC on reg + 2, induction
    cycle 1 on reg + 21, so the DLT window's last day (cycle 1 day 21) is reg + 41; a visit
    record on that day when ``followed``; a DLT on reg + 30 when ``dlt``."""
    p = t.participant(n, part="part_a", dose_level=level, registered=reg).hipec(reg + 2).cycle(reg + 21)
    if followed:
        p.alive(reg + 41)
    if dlt:
        p.ae("Febrile neutropenia", 3, reg + 30, dlt=True)


def _cohort(t: TrialBuilder, first: int, level: str, start: int, dlts: int = 0) -> None:
    """Three participants registered on days start, start + 1, start + 2; the first ``dlts``
    with a DLT. Their windows end on days start + 41, + 42, + 43."""
    for i in range(3):
        _part_a(t, first + i, level, start + i, dlt=i < dlts)


def _assign(protocol: Protocol, t: TrialBuilder, as_of: int) -> Assignment:
    return next_assignment(protocol=protocol, trial=t.build(), as_of=day(as_of))


def _where(a: Assignment) -> tuple[bool, str | None, str | None, int | None]:
    return a.open, a.study_part, a.dose_level, a.cohort


# -- Part A -----------------------------------------------------------------------------------


def test_the_first_participant_starts_at_level_1(protocol: Protocol) -> None:
    a = _assign(protocol, TrialBuilder(), 0)
    assert _where(a) == (True, "part_a", "1", 1)
    assert "starting dose level 1 (hipec-paclitaxel 75 mg/m2)" in a.reason


def test_the_second_and_third_join_cohort_1_at_level_1(protocol: Protocol) -> None:
    t = TrialBuilder()
    _part_a(t, 1, "1", 0)
    a = _assign(protocol, t, 1)
    assert _where(a) == (True, "part_a", "1", 1)
    assert "1 of 3 registered at dose level 1" in a.reason
    _part_a(t, 2, "1", 1)
    a = _assign(protocol, t, 1)
    assert _where(a) == (True, "part_a", "1", 1)
    assert "2 of 3 registered" in a.reason


def test_the_fourth_waits_while_cohort_1s_dlt_windows_are_open(protocol: Protocol) -> None:
    t = TrialBuilder()
    _cohort(t, 1, "1", 0)
    # Day 30: cycle 1 started on days 21-23 for all three, windows end on days 41-43.
    a = _assign(protocol, t, 30)
    assert _where(a) == (False, None, None, 1)
    assert a.pending_ids == _ids(1, 2, 3)
    assert a.pending_until == day(43) == dt.date(2025, 2, 18)
    assert "cohort 1 at dose level 1" in a.reason
    assert "SH01-001 (cohort 1), SH01-002 (cohort 1), SH01-003 (cohort 1)" in a.reason
    assert "The last DLT window closes on 2025-02-18." in a.reason


def test_a_window_not_yet_started_is_said_to_be_unknown(protocol: Protocol) -> None:
    t = TrialBuilder()
    _cohort(t, 1, "1", 0)
    # Day 22: cycles 1 started on days 21 and 22; participant 3's starts on day 23.
    a = _assign(protocol, t, 22)
    assert (a.open, a.pending_ids, a.pending_until) == (False, _ids(1, 2, 3), None)
    assert "Known DLT windows close by 2025-02-17" in a.reason
    assert "the DLT window of SH01-003 is not known yet (induction cycle 1 not started)" in a.reason


def test_the_wait_ends_on_the_day_the_last_window_closes(protocol: Protocol) -> None:
    t = TrialBuilder()
    _cohort(t, 1, "1", 0)
    a = _assign(protocol, t, 42)  # participants 1 and 2 followed to their windows' ends (41, 42)
    assert (a.open, a.pending_ids, a.pending_until) == (False, _ids(3), day(43))
    assert _where(_assign(protocol, t, 43)) == (True, "part_a", "2", 2)


# BOIN, target 0.30, phi1 0.18, phi2 0.42: lambda_e = 0.2365, lambda_d = 0.3585 (R BOIN
# get.boundary; see tests/analysis/test_interim.py). With 3 evaluable: 0/3 = 0 <= 0.2365
# escalate; 1/3 = 0.333 in (0.2365, 0.3585) stay; 2/3 = 0.667 >= 0.3585 de-escalate (at the
# lowest level: stay); 3/3 eliminates level 1 (P(p > 0.30 | Beta(4, 1)) = 0.9919 > 0.95): stop.
@pytest.mark.parametrize(("dlts", "level"), [(0, "2"), (1, "1"), (2, "1")])
def test_after_cohort_1_at_level_1(protocol: Protocol, dlts: int, level: str) -> None:
    t = TrialBuilder()
    _cohort(t, 1, "1", 0, dlts=dlts)
    a = _assign(protocol, t, 60)
    assert _where(a) == (True, "part_a", level, 2)
    assert f"{dlts} DLT in its 3 DLT-evaluable at dose level 1" in a.reason


def test_two_dlts_of_three_at_level_2_de_escalate_to_level_1(protocol: Protocol) -> None:
    t = TrialBuilder()
    _cohort(t, 1, "1", 0)
    _cohort(t, 4, "2", 60, dlts=2)
    a = _assign(protocol, t, 120)
    assert _where(a) == (True, "part_a", "1", 3)
    assert "BOIN de-escalate after cohort 2" in a.reason


def test_one_dlt_of_three_at_level_2_stays(protocol: Protocol) -> None:
    t = TrialBuilder()
    _cohort(t, 1, "1", 0)
    _cohort(t, 4, "2", 60, dlts=1)
    assert _where(_assign(protocol, t, 120)) == (True, "part_a", "2", 3)


def test_three_dlts_of_three_at_level_1_close_registration(protocol: Protocol) -> None:
    t = TrialBuilder()
    _cohort(t, 1, "1", 0, dlts=3)
    a = _assign(protocol, t, 60)
    assert _where(a) == (False, None, None, 1)
    assert a.reason == ("Registration closed: Part A stopped after cohort 1 (lowest dose too toxic) without "
                        "selecting a dose; Part B does not open.")


def test_a_participant_with_nothing_recorded_since_the_window_closed_holds_registration(
        protocol: Protocol) -> None:
    t = TrialBuilder()
    _part_a(t, 1, "1", 0)
    _part_a(t, 2, "1", 1)
    _part_a(t, 3, "1", 2, followed=False)  # last record: the cycle 1 doses on day 23
    # The DSMB's view counts SH01-003 as known and not evaluable once the window's last day
    # (43) has passed, and decides on 0/2 ...
    facts = collect_facts(trial=t.build(), protocol=protocol)
    (cohort,) = boin_cohorts(protocol=protocol, part_a=_ids(1, 2, 3), facts=facts, as_of=day(50))
    assert (cohort.evaluable, cohort.action) == (2, "escalate")
    # ... registration does not: whether SH01-003 had a DLT is not entered yet.
    a = _assign(protocol, t, 50)
    assert (a.open, a.pending_ids, a.cohort) == (False, _ids(3), 1)
    assert "nothing is recorded about SH01-003 on or after the last day of the DLT window" in a.reason
    # A death in the window is a known outcome (not evaluable): no wait.
    t2 = TrialBuilder()
    _part_a(t2, 1, "1", 0)
    _part_a(t2, 2, "1", 1)
    t2.participant(3, part="part_a", dose_level="1", registered=2).hipec(4).cycle(23).died(30)
    assert _where(_assign(protocol, t2, 50)) == (True, "part_a", "2", 2)


# -- Part A over: Part B at the RP2D ----------------------------------------------------------


def _part_a_selects_level_1(t: TrialBuilder) -> None:
    """Three cohorts at level 1, 1 DLT each: 3/9 = 0.333 stay, and 9 at the dose
    (stop_n_at_dose 9): the design stops; isotonic estimate (3 + .05)/(9 + .1) = 0.335,
    the only treated level: level 1 selected."""
    for c in range(3):
        _cohort(t, 1 + 3 * c, "1", 60 * c, dlts=1)


def test_when_part_a_stops_part_b_opens_at_the_rp2d(protocol: Protocol) -> None:
    t = TrialBuilder()
    _part_a_selects_level_1(t)
    a = _assign(protocol, t, 200)
    assert _where(a) == (True, "part_b", "1", None)
    assert "Part A selected dose level 1 (hipec-paclitaxel 75 mg/m2) as the recommended phase II dose" in a.reason
    assert "0 of 48 registered" in a.reason


def _part_b(t: TrialBuilder, n: int, reg: int, *, r0: bool | None = None) -> None:
    """Part B participant n at level 1 registered on day ``reg``, HIPEC 2 days later; with
    ``r0`` given, conversion surgery on day reg + 110 (R0 or R1)."""
    p = t.participant(n, part="part_b", dose_level="1", registered=reg).hipec(reg + 2)
    if r0 is not None:
        p.surgery(reg + 110, r=ResidualTumour.R0 if r0 else ResidualTumour.R1)


@pytest.mark.parametrize(("count", "open_"), [(47, True), (48, False)])
def test_part_b_closes_at_its_48_registrations(protocol: Protocol, count: int, open_: bool) -> None:
    t = TrialBuilder()
    _part_a_selects_level_1(t)
    for k in range(count):
        _part_b(t, 100 + k, 200 + k)
    a = _assign(protocol, t, 260)
    assert (a.open, a.part_b_registered) == (open_, count)
    if open_:
        assert a.dose_level == "1"
        assert "47 of 48 registered" in a.reason
    else:
        assert a.reason == ("Registration closed: Part B has 48 registrations, the 48 the protocol enrols to "
                            "obtain 43 evaluable.")


# Simon optimal (PD §Study): n1 = 13, r1 = 3; stop for futility at <= 3 R0 among the first 13.
@pytest.mark.parametrize(("r0", "open_", "phrase"), [
    (3, False, "stopped Part B for futility (3 R0 resections among the first 13 Part B ITT participants"),
    (4, True, "Stage 1 passed (4 R0 > r1 = 3): stage 2."),
])
def test_the_simon_stage_1_look_closes_or_keeps_part_b_open(protocol: Protocol, r0: int, open_: bool,
                                                            phrase: str) -> None:
    t = TrialBuilder()
    _part_a_selects_level_1(t)
    for k in range(13):
        _part_b(t, 100 + k, 200 + k, r0=k < r0)
    a = _assign(protocol, t, 400)
    assert (a.open, a.stage1) == (open_, "stop for futility" if not open_ else "continue stage 2")
    assert phrase in a.reason


def test_awaiting_the_stage_1_look_does_not_pause_registration(protocol: Protocol) -> None:
    # The protocol states no accrual pause for the look (only the simulator's scenario does).
    t = TrialBuilder()
    _part_a_selects_level_1(t)
    for k in range(12):
        _part_b(t, 100 + k, 200 + k, r0=k < 4)
    _part_b(t, 112, 212)  # HIPEC given, outcome open
    a = _assign(protocol, t, 400)
    assert (a.open, a.study_part, a.dose_level, a.stage1) == (True, "part_b", "1", "not yet")
    assert "The stage-1 look awaits: 1 of the 13 stage-1 outcomes missing: 1 not yet known (SH01-112)" in a.reason
    assert "The protocol states no pause of accrual for it: registration goes on." in a.reason


# -- against the simulator ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def simulated(protocol: Protocol) -> SimulatedTrial:
    # The data `hipectrial simulate --seed 1` writes (scenario default), with the decisions.
    return simulate_trial(protocol, load_scenario("default"), seed=1, workers=1)


def _registered_before(trial: TrialData, keep: set[str]) -> TrialData:
    def only(records: tuple[object, ...]) -> tuple[object, ...]:
        return tuple(r for r in records if getattr(r, "participant_id") in keep)  # noqa: B009
    return dataclasses.replace(
        trial, participants=tuple(p for p in trial.participants if p.id in keep), visits=only(trial.visits),
        form_records=only(trial.form_records), doses=only(trial.doses), adverse_events=only(trial.adverse_events),
        lab_results=only(trial.lab_results), tumour_assessments=only(trial.tumour_assessments),
        surgeries=only(trial.surgeries), follow_ups=only(trial.follow_ups))  # type: ignore[arg-type]


def test_every_participant_goes_where_the_simulator_put_them(protocol: Protocol, simulated: SimulatedTrial) -> None:
    trial = simulated.trial
    facts = collect_facts(trial=trial, protocol=protocol)
    order = sorted((f for f in facts.values() if f.registration_date is not None),
                   key=lambda f: (f.registration_date, f.id))
    assert sum(f.study_part == "part_a" for f in order) == 15  # seed 1: five cohorts, then Part B
    for k, f in enumerate(order):
        assert f.registration_date is not None
        before = _registered_before(trial, {g.id for g in order[:k]})
        a = next_assignment(protocol=protocol, trial=before, as_of=f.registration_date)
        assert (f.id, a.open, a.study_part, a.dose_level) == (f.id, True, f.study_part, f.participant.dose_level)
        if f.study_part == "part_a":
            cohort = next(c for c in simulated.cohorts if f.id in c.participant_ids)
            assert a.cohort == cohort.number


def test_registration_waits_the_day_before_each_cohorts_outcomes_are_known(
        protocol: Protocol, simulated: SimulatedTrial) -> None:
    # The simulator opens the next cohort the day after the cohort's DLT outcomes are all known.
    for decision in simulated.cohorts:
        a = next_assignment(protocol=protocol, trial=simulated.trial, as_of=decision.known_on - dt.timedelta(days=1))
        assert (a.open, a.cohort) == (False, decision.number)
        assert "DLT outcome pending for" in a.reason
        assert set(a.pending_ids) <= set(decision.participant_ids)
        # On the day itself: open where the simulator went, unless a participant's follow-up
        # to the window's last day is recorded only later (then registration waits for it).
        a = next_assignment(protocol=protocol, trial=simulated.trial, as_of=decision.known_on)
        if a.open:
            assert a.dose_level == (decision.next_dose_level or decision.selected_dose_level)
        else:
            assert "nothing is recorded about" in a.reason
            assert set(a.pending_ids) <= set(decision.participant_ids)


def test_a_cohort_opened_before_the_previous_decision_does_not_take_more(protocol: Protocol) -> None:
    # A 4th participant registered on day 10 while cohort 1's windows were open (a deviation):
    # the 5th still waits for cohort 1's outcomes.
    t = TrialBuilder()
    _cohort(t, 1, "1", 0)
    _part_a(t, 4, "1", 10)
    a = _assign(protocol, t, 11)
    assert (a.open, a.cohort, a.pending_ids) == (False, 1, _ids(1, 2, 3))
    assert "DLT outcome pending for SH01-001 (cohort 1)" in a.reason


def test_a_cohort_at_another_level_than_decided_closes_registration_for_review(protocol: Protocol) -> None:
    t = TrialBuilder()
    _cohort(t, 1, "1", 0)        # 0/3: escalate to level 2
    _part_a(t, 4, "1", 50)       # registered at level 1 instead
    a = _assign(protocol, t, 51)
    assert _where(a) == (False, None, None, 2)
    assert a.reason == ("Registration closed until the data are reviewed: cohort 2 was registered at dose level 1 "
                        "(hipec-paclitaxel 75 mg/m2), but after cohort 1 the design said BOIN escalate: dose "
                        "level 2 (hipec-paclitaxel 125 mg/m2).")


def test_an_incomplete_cohort_followed_by_others_leaves_no_decision_and_closes_for_review(
        protocol: Protocol) -> None:
    t = TrialBuilder()
    _part_a(t, 1, "1", 0)        # cohort 1: one participant only
    _cohort(t, 2, "2", 60)       # cohort 2 at level 2, complete, outcomes known by day 103
    a = _assign(protocol, t, 120)
    assert _where(a) == (False, None, None, 2)
    assert a.reason == ("Registration closed until the data are reviewed: no BOIN decision after cohort 2 "
                        "(cohort 1 has 1 of 3 participants yet later cohorts were registered).")
