"""Operating characteristics of the whole protocol: thousands of virtual trials, summarised.

:func:`run_oc` simulates ``trials`` independent virtual trials of the protocol under each
scenario (:func:`hipectrial.simulate.simulate_trial`: BOIN Part A with its DLT-window
waits, Simon Part B with its stage-1 look, the Part B safety monitoring, dropout and missed
visits, all as the protocol and the scenario say), reads each trial's data with the
analysis (:func:`hipectrial.analysis.oc_outcome.trial_outcome`) and summarises them with
Monte-Carlo standard errors (:func:`hipectrial.analysis.oc_summary.summarise_outcomes`).

* **Seeds.** Trial ``i`` gets the ``i``-th seed spawned from ``seed``
  (:func:`hipectrial.design.executor.scenario_seeds`, ``SeedSequence.spawn``); every
  scenario uses the same seeds (common random numbers, so that scenarios differ by what
  they change, not by chance draws). A trial depends only on its seed, so the result does
  not depend on how the work is split: one process, a pool or a dask cluster give the same
  summary, figure for figure.
* **Where.** :mod:`hipectrial.oc.executors`: the protocol (as YAML text, parsed once per
  worker) and the scenarios are shipped once per worker; a task is one trial.
* **Failures.** A trial whose task raises is submitted again, up to ``retries`` more
  times; a local pool one of whose processes died is replaced and its pending trials are
  submitted again (each counts an attempt); on dask the scheduler itself re-runs the tasks
  of a lost worker. A trial that fails on every attempt is left out and named in the
  summary (``failed``), never silently dropped: the summary says how many trials it holds.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from hipectrial.analysis.oc_outcome import TrialOutcome, trial_outcome
from hipectrial.analysis.oc_summary import FailedTrial, OcSummary, summarise_outcomes
from hipectrial.design.executor import scenario_seeds
from hipectrial.errors import InputError
from hipectrial.oc.executors import Backend, ExecutorChoice, open_backend
from hipectrial.protocol import Protocol, dump_protocol, parse_protocol
from hipectrial.simulate import Scenario, simulate_trial
from hipectrial.simulate.trial.run import check_scenario

__all__ = ["OcRun", "TrialResult", "run_oc"]

#: Most trials one call runs per scenario.
MAX_TRIALS = 1_000_000


@dataclass(frozen=True, slots=True)
class _Shipment:
    """What every worker needs: the protocol as YAML text and the scenarios."""

    protocol_text: str
    scenarios: tuple[Scenario, ...]


@dataclass(frozen=True, slots=True)
class TrialResult:
    """One trial: which scenario, its index and seed, what its data say, and the day the
    simulator's Part B safety monitoring closed registration (``None``: it did not;
    ``safety_known`` false: the task does not say)."""

    scenario_index: int
    index: int
    outcome: TrialOutcome
    safety_stop: dt.date | None = None
    safety_known: bool = False


@functools.lru_cache(maxsize=2)
def _protocol(text: str) -> Protocol:
    return parse_protocol(text, "<operating characteristics protocol>")


def run_one_trial(shipment: _Shipment, scenario_index: int, index: int, seed: int) -> TrialResult:
    """Simulate trial ``index`` of scenario ``scenario_index`` with ``seed`` (in one
    process) and read its outcome."""
    protocol = _protocol(shipment.protocol_text)
    # The cyclic collector stays paused (as simulate_trial pauses it) until the trial is read
    # and dropped: re-enabled with the trial alive, its first collection would walk every
    # record of it for nothing (measured: about 5-8 % of a trial; benchmarks/oc.py).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        simulated = simulate_trial(protocol, shipment.scenarios[scenario_index], seed, workers=0)
        outcome = trial_outcome(trial=simulated.trial, protocol=protocol, seed=seed)
        stop = None if simulated.safety_stop is None else simulated.safety_stop.look_date
        del simulated
    finally:
        if was_enabled:
            gc.enable()
    return TrialResult(scenario_index, index, outcome, stop, safety_known=True)


@dataclass(frozen=True, slots=True)
class OcRun:
    """The summaries (one per scenario, in the order given), every trial's outcome, how the
    work ran, and how many attempts were retried."""

    summaries: tuple[OcSummary, ...]
    outcomes: tuple[tuple[TrialOutcome, ...], ...]
    safety_stops: tuple[tuple[dt.date | None, ...], ...] | None
    executor: str
    workers: int
    retried: int


TrialTask = Callable[[_Shipment, int, int, int], TrialResult]


def run_oc(protocol: Protocol, scenarios: Sequence[Scenario], *, trials: int, seed: int,
           choice: ExecutorChoice | None = None, retries: int = 2,
           progress: Callable[[int, int], None] | None = None,
           task: TrialTask = run_one_trial) -> OcRun:
    """Run ``trials`` virtual trials of ``protocol`` under each of ``scenarios`` and
    summarise them (module docstring).

    Parameters
    ----------
    protocol
        The protocol; each scenario must fit it (one DLT probability per dose level...).
    scenarios
        One or more scenarios; each gets its own summary, on the same trial seeds.
    trials
        Trials per scenario, 1 to :data:`MAX_TRIALS`.
    seed
        A whole number >= 0: trial ``i`` gets the ``i``-th seed spawned from it.
    choice
        Where to run (:class:`~hipectrial.oc.executors.ExecutorChoice`; default: a local
        process pool, one process per CPU).
    retries
        How often a failed trial is submitted again.
    progress
        Called as ``progress(done, total)`` after each trial (in this process).
    task
        The per-trial function (tests pass one that fails on purpose); it must be picklable.

    Raises
    ------
    InputError
        Bad ``trials``, ``seed`` or ``retries``, no scenario, or a scenario that does not fit
        the protocol.
    """
    if isinstance(trials, bool) or not isinstance(trials, int) or not 1 <= trials <= MAX_TRIALS:
        raise InputError("trials", trials, f"a whole number from 1 to {MAX_TRIALS:,}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("seed", seed, "a whole number >= 0")
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise InputError("retries", retries, "a whole number >= 0")
    if not scenarios:
        raise InputError("scenario", "", "at least one scenario")
    for scenario in scenarios:
        check_scenario(protocol, scenario)
    seeds = scenario_seeds(seed, trials)
    shipment = _Shipment(dump_protocol(protocol), tuple(scenarios))
    keys = [(s, i) for s in range(len(scenarios)) for i in range(trials)]
    with open_backend(choice or ExecutorChoice(), shipment) as backend:
        results, failures, retried = _run_all(backend, task, keys, seeds, retries, progress)
    levels = tuple(level.id for level in protocol.dose_finding.levels)
    agent = protocol.dose_finding.explored_agents[0]
    labels = tuple(f"{level.id} ({level.doses.get(agent, '')} {level.unit})"
                   for level in protocol.dose_finding.levels)
    summaries, outcomes, flags = [], [], []
    for s, scenario in enumerate(scenarios):
        done = [results[(s, i)] for i in range(trials) if (s, i) in results]
        held = tuple(r.outcome for r in done)
        known = all(r.safety_known for r in done)
        stops = [r.safety_stop for r in done] if known else None
        failed = tuple(FailedTrial(i, seeds[i], failures[(s, i)])
                       for i in range(trials) if (s, i) in failures)
        outcomes.append(held)
        flags.append(None if stops is None else tuple(stops))
        if held:
            summaries.append(summarise_outcomes(held, scenario=scenario.name, seed=seed, levels=levels,
                                                level_labels=labels, trials_requested=trials, failed=failed,
                                                safety_stops=stops))
        else:
            raise InputError("trials", trials, "at least one trial that ran",
                             f"every trial of scenario {scenario.name!r} failed; the first: "
                             f"{failed[0].error if failed else 'unknown'}")
    return OcRun(tuple(summaries), tuple(outcomes),
                 None if any(f is None for f in flags) else tuple(f for f in flags if f is not None),
                 backend.choice.label, backend.workers, retried)


def _run_all(backend: Backend, task: TrialTask, keys: Sequence[tuple[int, int]], seeds: Sequence[int],
             retries: int, progress: Callable[[int, int], None] | None
             ) -> tuple[dict[tuple[int, int], TrialResult], dict[tuple[int, int], str], int]:
    """Run every key's trial, at most :func:`_in_flight` at a time (so that a pool process
    that dies takes only the few trials then pending with it, each of which loses an attempt,
    and so that progress is reported trial by trial); a trial to run again goes to the back
    of the queue."""
    attempts = dict.fromkeys(keys, 0)
    results: dict[tuple[int, int], TrialResult] = {}
    failures: dict[tuple[int, int], str] = {}
    pending: dict[Future[TrialResult], tuple[tuple[int, int], int]] = {}
    queue = deque(keys)
    limit = _in_flight(backend)
    retried = 0

    def submit(key: tuple[int, int]) -> None:
        try:
            future = backend.submit(task, key[0], key[1], seeds[key[1]])
        except BrokenProcessPool:  # the pool broke before its failed futures were read
            backend.restart()
            future = backend.submit(task, key[0], key[1], seeds[key[1]])
        pending[future] = (key, backend.generation)

    while queue or pending:
        while queue and len(pending) < limit:
            submit(queue.popleft())
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            key, generation = pending.pop(future)
            try:
                results[key] = future.result()
            except Exception as exc:  # noqa: BLE001 - any trial's error: retried, then reported
                if isinstance(exc, BrokenProcessPool) and generation == backend.generation:
                    backend.restart()  # once per broken pool: its other tasks fail the same way
                attempts[key] += 1
                if attempts[key] <= retries:
                    retried += 1
                    queue.append(key)
                else:
                    failures[key] = f"{type(exc).__name__}: {exc}"
            else:
                if progress is not None:
                    progress(len(results), len(keys))
    return results, failures, retried


def _in_flight(backend: Backend) -> int:
    """Trials submitted and not yet finished at any time: one in this process, else two per
    worker (each worker has its next trial waiting, and little is lost to a crash)."""
    return 1 if backend.executor is None else 2 * max(1, backend.workers)
