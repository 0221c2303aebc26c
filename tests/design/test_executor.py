"""run_grid: scenario order, deterministic spawned seeds, pluggable executors, progress."""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from hipectrial.design.boin import boin_design
from hipectrial.design.boin_sim import DoseFindingOC, simulate_boin
from hipectrial.design.executor import run_grid, scenario_seeds
from hipectrial.errors import InputError


def boin_oc(truth: tuple[float, ...], seed: int) -> DoseFindingOC:
    return simulate_boin(boin_design(target=0.3), truth=truth, n_trials=500, seed=seed)


def echo(scenario: int, seed: int) -> tuple[int, int]:
    return scenario, seed


GRID = [(0.05, 0.1, 0.3), (0.1, 0.3, 0.5), (0.3, 0.45, 0.6)]


def test_results_come_back_in_scenario_order() -> None:
    def slow_first(scenario: float, seed: int) -> float:
        time.sleep(scenario)
        return scenario

    with ThreadPoolExecutor(3) as pool:
        assert run_grid(slow_first, [0.2, 0.1, 0.0], executor=pool) == [0.2, 0.1, 0.0]


def test_each_scenario_gets_its_spawned_seed() -> None:
    with ThreadPoolExecutor(2) as pool:
        got = run_grid(echo, [10, 11, 12], seed=42, executor=pool)
    assert got == list(zip([10, 11, 12], scenario_seeds(42, 3), strict=True))
    assert len(set(scenario_seeds(42, 3))) == 3


def test_results_do_not_depend_on_the_executor() -> None:
    with ThreadPoolExecutor(3) as threads:
        by_threads = run_grid(boin_oc, GRID, seed=7, executor=threads)
    by_processes = run_grid(boin_oc, GRID, seed=7, max_workers=2)  # default: process pool
    with ProcessPoolExecutor(1) as one:
        by_one = run_grid(boin_oc, GRID, seed=7, executor=one)
    assert by_threads == by_processes == by_one
    with ThreadPoolExecutor(1) as other:
        assert by_threads != run_grid(boin_oc, GRID, seed=8, executor=other)


def test_progress_reports_every_completion() -> None:
    calls: list[tuple[int, int]] = []
    with ThreadPoolExecutor(2) as pool:
        run_grid(echo, range(5), executor=pool, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


def test_errors_in_a_scenario_reach_the_caller() -> None:
    def fail(scenario: int, seed: int) -> int:
        raise InputError("truth", scenario, "a probability")

    with ThreadPoolExecutor(2) as pool, pytest.raises(InputError):
        run_grid(fail, [1, 2], executor=pool)


def test_empty_grid() -> None:
    with ThreadPoolExecutor(1) as pool:
        assert run_grid(echo, [], executor=pool) == []


def test_rejects_negative_seed() -> None:
    with pytest.raises(InputError) as info:
        scenario_seeds(-1, 2)
    assert info.value.field == "seed"
