"""``run_oc``: the same seed gives the same operating characteristics on one process, a
local pool and a dask ``LocalCluster``; failed and lost trials are retried, never dropped.

Each trial here is a real whole-protocol virtual trial (about a second each), so the runs
are small: what is tested is where and how they run, not the figures (the summary's
arithmetic is tested on hand-made outcomes in tests/analysis/test_oc_summary.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hipectrial.errors import InputError
from hipectrial.oc.executors import ExecutorChoice, ExecutorKind
from hipectrial.oc.run import TrialResult, run_oc, run_one_trial
from hipectrial.protocol import load_protocol
from hipectrial.simulate import load_scenario

TRIALS = 3
SEED = 20261206


@pytest.fixture(scope="module")
def protocol():
    return load_protocol()


@pytest.fixture(scope="module")
def scenarios():
    return [load_scenario("toxic"), load_scenario("ineffective")]


def _text(run) -> str:
    return json.dumps([s.to_document() for s in run.summaries], sort_keys=True)


@pytest.fixture(scope="module")
def in_process(protocol, scenarios):
    return run_oc(protocol, scenarios, trials=TRIALS, seed=SEED, choice=ExecutorChoice(workers=1))


class FailOnce:
    """A trial task that fails the first time trial ``index`` runs (a marker file says it did):
    by raising, or by killing the process it runs in (a lost worker)."""

    def __init__(self, folder: Path, index: int, how: str) -> None:
        self.folder, self.index, self.how = folder, index, how

    def __call__(self, shipment, scenario_index: int, index: int, seed: int) -> TrialResult:
        marker = self.folder / f"failed-{scenario_index}-{index}"
        if index == self.index and not marker.exists():
            marker.write_text("x")
            if self.how == "exit":
                os._exit(3)
            raise RuntimeError(f"trial {index} fails once")
        return run_one_trial(shipment, scenario_index, index, seed)


class AlwaysFails:
    """Trial ``index`` fails on every attempt; the others run."""

    def __init__(self, index: int) -> None:
        self.index = index

    def __call__(self, shipment, scenario_index: int, index: int, seed: int) -> TrialResult:
        if index == self.index:
            raise ValueError(f"trial {index} always fails")
        return run_one_trial(shipment, scenario_index, index, seed)


def test_the_seeds_are_spawned_and_each_trial_keeps_its_own(in_process) -> None:
    from hipectrial.design.executor import scenario_seeds

    expected = tuple(scenario_seeds(SEED, TRIALS))
    for summary, outcomes in zip(in_process.summaries, in_process.outcomes, strict=True):
        assert summary.seeds == expected
        assert tuple(o.seed for o in outcomes) == expected
        assert summary.trials == summary.trials_requested == TRIALS


def test_the_safety_stop_row_is_the_simulators(protocol, scenarios, in_process) -> None:
    from hipectrial.design.executor import scenario_seeds
    from hipectrial.simulate import simulate_trial

    stopped = [simulate_trial(protocol, scenarios[0], seed, workers=0).safety_stop is not None
               for seed in scenario_seeds(SEED, TRIALS)]
    row = in_process.summaries[0].pct_safety_stop
    assert row is not None
    assert row.value == pytest.approx(100.0 * sum(stopped) / TRIALS)


def test_a_local_pool_gives_the_same_summaries(protocol, scenarios, in_process) -> None:
    pooled = run_oc(protocol, scenarios, trials=TRIALS, seed=SEED, choice=ExecutorChoice(workers=2))
    assert pooled.workers == 2
    assert _text(pooled) == _text(in_process)
    assert pooled.outcomes == in_process.outcomes


@pytest.mark.timeout(180)
def test_a_dask_local_cluster_gives_the_same_summaries(protocol, scenarios, in_process) -> None:
    pytest.importorskip("distributed", reason="dask.distributed is the optional extra '.[distributed]'")
    clustered = run_oc(protocol, scenarios, trials=TRIALS, seed=SEED,
                       choice=ExecutorChoice(ExecutorKind.DASK, workers=2))
    assert clustered.executor == "local dask cluster (2 workers)"
    assert clustered.workers == 2
    assert _text(clustered) == _text(in_process)


def test_a_trial_that_raises_once_is_retried_on_the_pool(protocol, scenarios, in_process, tmp_path) -> None:
    run = run_oc(protocol, scenarios, trials=TRIALS, seed=SEED, choice=ExecutorChoice(workers=2),
                 task=FailOnce(tmp_path, 1, "raise"))
    assert run.retried == 2          # trial 1 of each scenario, once
    assert _text(run) == _text(in_process)


def test_a_pool_process_that_dies_is_replaced_and_its_trials_rerun(protocol, scenarios, in_process,
                                                                    tmp_path) -> None:
    run = run_oc(protocol, scenarios, trials=TRIALS, seed=SEED, choice=ExecutorChoice(workers=2),
                 task=FailOnce(tmp_path, 0, "exit"))
    assert run.retried >= 1
    assert _text(run) == _text(in_process)


@pytest.mark.timeout(240)
def test_a_lost_dask_worker_is_replaced_and_its_trials_rerun(protocol, scenarios, in_process,
                                                              tmp_path) -> None:
    pytest.importorskip("distributed", reason="dask.distributed is the optional extra '.[distributed]'")
    run = run_oc(protocol, scenarios, trials=TRIALS, seed=SEED,
                 choice=ExecutorChoice(ExecutorKind.DASK, workers=2), task=FailOnce(tmp_path, 0, "exit"))
    assert _text(run) == _text(in_process)
    assert (tmp_path / "failed-0-0").exists()   # the worker really died once


def test_a_trial_that_always_fails_is_named_and_left_out(protocol, scenarios) -> None:
    run = run_oc(protocol, scenarios[:1], trials=TRIALS, seed=SEED, choice=ExecutorChoice(workers=1),
                 retries=1, task=AlwaysFails(2))
    summary = run.summaries[0]
    assert (summary.trials, summary.trials_requested) == (TRIALS - 1, TRIALS)
    assert [(f.index, f.error) for f in summary.failed] == [(2, "ValueError: trial 2 always fails")]
    assert run.retried == 1
    assert len(run.outcomes[0]) == TRIALS - 1


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"trials": 0}, "trials"), ({"trials": True}, "trials"), ({"seed": -1}, "seed"),
    ({"retries": -1}, "retries"),
])
def test_refuses_bad_counts(protocol, scenarios, kwargs, field) -> None:
    args = {"trials": 1, "seed": 1, **kwargs}
    with pytest.raises(InputError) as exc:
        run_oc(protocol, scenarios, choice=ExecutorChoice(workers=1), **args)
    assert exc.value.field == field


def test_refuses_scheduler_without_dask_and_workers_with_it() -> None:
    with pytest.raises(InputError) as exc:
        ExecutorChoice(ExecutorKind.LOCAL, scheduler="tcp://127.0.0.1:8786")
    assert exc.value.field == "scheduler"
    with pytest.raises(InputError) as exc:
        ExecutorChoice(ExecutorKind.DASK, workers=2, scheduler="tcp://127.0.0.1:8786")
    assert exc.value.field == "workers"
    with pytest.raises(InputError) as exc:
        ExecutorChoice(workers=0)
    assert exc.value.field == "workers"


@pytest.mark.timeout(120)
def test_a_cluster_without_workers_is_refused_not_waited_on_forever(protocol, scenarios,
                                                                    monkeypatch) -> None:
    distributed = pytest.importorskip("distributed", reason="dask.distributed is the optional extra")
    from hipectrial.oc import executors

    monkeypatch.setattr(executors, "WORKER_WAIT_S", 2.0)
    with (distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster,
          pytest.raises(InputError) as exc):
        run_oc(protocol, scenarios, trials=1, seed=1,
               choice=ExecutorChoice(ExecutorKind.DASK, scheduler=cluster.scheduler_address))
    assert exc.value.field == "scheduler"
    assert "no worker joined within 2 s" in str(exc.value)


def test_progress_is_reported_trial_by_trial_in_one_process(protocol, scenarios) -> None:
    calls: list[tuple[int, int]] = []
    run_oc(protocol, scenarios[:1], trials=2, seed=SEED, choice=ExecutorChoice(workers=1),
           progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]
