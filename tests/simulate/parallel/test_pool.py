"""The forked pool of a large trial: screening ahead and courses in workers give the same
data as one process, whatever the look-ahead has to throw away (arrivals passed over while
registration is paused, people left out at a fixed cut-off, a failed task)."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future
from typing import Any, ClassVar

import pytest

from hipectrial.protocol import Protocol
from hipectrial.simulate import simulate_trial
from hipectrial.simulate.parallel import pool as trial_pool
from hipectrial.simulate.parallel.pool import ScreeningAhead, participant_id, screen_arrival
from hipectrial.simulate.scenario.world import Scenario
from hipectrial.simulate.screening.accrual import ArrivalStream
from hipectrial.simulate.screening.screen import ScreeningContext
from hipectrial.simulate.trial import run as trial_module

from ..conftest import FakeCourseFunction, with_changes

pytestmark = pytest.mark.skipif(not trial_pool.fork_available(), reason="the pool needs fork (Linux)")


class _Recorded(ScreeningAhead):
    made: ClassVar[list[ScreeningAhead]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _Recorded.made.append(self)


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[ScreeningAhead]:
    _Recorded.made = []
    monkeypatch.setattr(trial_module, "ScreeningAhead", _Recorded)
    return _Recorded.made


def test_participants_run_gives_the_same_data_with_the_pool(
        protocol: Protocol, default_scenario: Scenario, recorded: list[ScreeningAhead]) -> None:
    one = simulate_trial(protocol, default_scenario, seed=3, participants=250,
                         course=FakeCourseFunction(), workers=1)
    assert recorded == []  # one process: no pool, no look-ahead
    two = simulate_trial(protocol, default_scenario, seed=3, participants=250,
                         course=FakeCourseFunction(), workers=2)
    assert two.trial.to_json() == one.trial.to_json()
    (ahead,) = recorded
    part_a = sum(len(c.participant_ids) for c in two.cohorts)
    # every Part B person screened in a worker; the look-ahead started once (at Part B)
    assert ahead.restarts == 1
    assert 250 - part_a <= ahead.used < len(two.trial.participants)


def test_arrivals_passed_over_during_the_stage1_pause_restart_the_look_ahead(
        protocol: Protocol, default_scenario: Scenario, recorded: list[ScreeningAhead]) -> None:
    scenario = with_changes(default_scenario, part_b={"enrol": 60, "pause_for_stage1": True})
    one = simulate_trial(protocol, scenario, seed=4, course=FakeCourseFunction(r0=1.0), workers=1)
    two = simulate_trial(protocol, scenario, seed=4, course=FakeCourseFunction(r0=1.0), workers=2)
    assert two.simon is not None
    assert not two.simon.stopped
    assert two.skipped > 0  # people arrived during the pause and were not screened
    assert two.trial.to_json() == one.trial.to_json()
    (ahead,) = recorded
    assert ahead.restarts == 2  # at Part B, and after the pause
    assert ahead.used > 60


def test_people_left_out_at_a_fixed_cutoff_give_the_same_data_with_the_pool(
        protocol: Protocol, default_scenario: Scenario, recorded: list[ScreeningAhead]) -> None:
    # Part A ends in January 2028 for seed 3; the cut-off falls in the middle of Part B.
    scenario = with_changes(default_scenario, cutoff={"date": "2029-06-30"})
    one = simulate_trial(protocol, scenario, seed=3, participants=400, course=FakeCourseFunction(),
                         workers=1)
    two = simulate_trial(protocol, scenario, seed=3, participants=400, course=FakeCourseFunction(),
                         workers=2)
    assert two.cutoff == dt.date(2029, 6, 30)
    registered = sum(p.registered for p in two.trial.participants)
    assert 18 < registered < 400  # the cut-off, not the target, ended recruitment
    assert two.trial.to_json() == one.trial.to_json()
    assert recorded
    assert recorded[0].used > 0


def test_real_courses_in_the_pool_give_the_same_data(protocol: Protocol,
                                                     default_scenario: Scenario) -> None:
    one = simulate_trial(protocol, default_scenario, seed=5, participants=60, workers=1)
    two = simulate_trial(protocol, default_scenario, seed=5, participants=60, workers=2)
    assert two.trial.to_json() == one.trial.to_json()


def test_where_processes_do_not_fork_workers_use_a_pool_of_their_own(
        protocol: Protocol, default_scenario: Scenario, recorded: list[ScreeningAhead],
        monkeypatch: pytest.MonkeyPatch) -> None:
    one = simulate_trial(protocol, default_scenario, seed=6, participants=40, workers=1)
    monkeypatch.setattr(trial_pool, "fork_available", lambda: False)
    two = simulate_trial(protocol, default_scenario, seed=6, participants=40, workers=2)
    assert recorded == []  # screening stayed here; the courses went to a pool with the YAML
    assert two.trial == one.trial


# -- the look-ahead on its own, with a pool whose tasks fail ---------------------------------


class _FailingPool:
    """Stands in for TrialPool: every screening task fails."""

    workers = 2
    seed = 11

    def __init__(self, context: ScreeningContext) -> None:
        self.context = context
        self.tasks = 0

    def screen(self, items: Any) -> Future[bytes]:
        self.tasks += 1
        future: Future[bytes] = Future()
        future.set_exception(RuntimeError("worker lost"))
        return future


def test_a_failed_task_is_screened_here_instead(protocol: Protocol, default_scenario: Scenario) -> None:
    context = ScreeningContext(protocol, default_scenario)
    pool = _FailingPool(context)
    accrual = ArrivalStream(default_scenario, seed=11)
    ahead = ScreeningAhead(pool, accrual, chunk=4)  # type: ignore[arg-type]
    numbers = [0] * len(default_scenario.sites)
    for _ in range(6):
        index, arrival = accrual.taken, accrual.peek()
        site = default_scenario.sites[arrival.site_index]
        pid = participant_id(site.id, numbers[arrival.site_index] + 1)
        got = ahead.screening(index, arrival, pid, numbers)
        assert got == screen_arrival(context, 11, arrival, pid)
        accrual.next()
        numbers[arrival.site_index] += 1
    assert ahead.used == 0
    assert ahead.restarts == 1
    assert pool.tasks >= 3  # 6 arrivals looked at, 4 per task, a window of 12 ahead


def test_participant_ids_are_site_and_three_digit_number() -> None:
    assert participant_id("CN-01", 7) == "CN-01-007"
    assert participant_id("CN-01", 1234) == "CN-01-1234"
