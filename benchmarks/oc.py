"""Benchmark: whole-protocol operating characteristics (``hipectrial oc``), on the pool and on dask.

Measured in one run, on this machine:

1. **The user's command**: ``hipectrial oc --trials N`` (default scenario, seed 1, the
   default local pool, one process per CPU) in a fresh process, wall time from the shell's
   point of view (start-up, the run, the table); goal for N = 1,000: under 3 minutes.
2. **Scaling** on ``--scaling-trials`` trials (in-process, no CLI): one process (the
   baseline), the local pool with 2 processes, a dask ``LocalCluster`` with 1 and with 2
   workers. Printed: wall seconds, trials per second, the speed-up over one process, the
   dask 2-worker efficiency against linear (goal >= 80 %: speed-up(2) / speed-up(1) / 2)
   and the cluster path's overhead per trial ((dask 1 worker - one process) / trials,
   without the cluster's start, which is printed apart).
3. **Per trial**: the CPU time of simulating one trial and of reading its outcome (the
   analysis), in this process.

Results are checked to be identical on every path (the JSON of the summaries).
Run: ``python benchmarks/oc.py [--trials 1000] [--scaling-trials 60] [--skip-command]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

from hipectrial.analysis.oc_outcome import trial_outcome
from hipectrial.design.executor import scenario_seeds
from hipectrial.oc.executors import ExecutorChoice, ExecutorKind
from hipectrial.oc.run import OcRun, run_oc
from hipectrial.protocol import load_protocol
from hipectrial.simulate import load_scenario, simulate_trial

GOAL_S = 180.0
GOAL_EFFICIENCY = 0.80


def _machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"load average {load:.2f} at the start")


def _text(run: OcRun) -> str:
    return json.dumps([s.to_document() for s in run.summaries], sort_keys=True)


def bench_command(trials: int) -> None:
    command = ["hipectrial", "oc", "--trials", str(trials), "--seed", "1"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    print(f"1. `{' '.join(command)}` (the user's command, a fresh process, default pool):")
    print(f"   {wall:8.1f} s wall   {trials / wall:6.2f} trials/s   goal < {GOAL_S:.0f} s: "
          f"{'met' if wall < GOAL_S else 'NOT met'}")


def bench_scaling(trials: int) -> None:
    protocol, scenario = load_protocol(), load_scenario("default")
    rows: list[tuple[str, float, OcRun]] = []
    start_costs: dict[str, float] = {}
    for label, choice in (("one process (baseline)", ExecutorChoice(workers=1)),
                          ("local pool, 2 processes", ExecutorChoice(workers=2)),
                          ("dask LocalCluster, 1 worker", ExecutorChoice(ExecutorKind.DASK, workers=1)),
                          ("dask LocalCluster, 2 workers", ExecutorChoice(ExecutorKind.DASK, workers=2))):
        first: list[float] = []
        begin = time.perf_counter()

        def progress(done: int, total: int, first: list[float] = first, begin: float = begin) -> None:
            if not first:
                first.append(time.perf_counter() - begin)

        run = run_oc(protocol, [scenario], trials=trials, seed=1, choice=choice, progress=progress)
        rows.append((label, time.perf_counter() - begin, run))
        start_costs[label] = first[0] if first else float("nan")
    base = rows[0][1]
    same = len({_text(r) for _, _, r in rows}) == 1
    print(f"2. Scaling, {trials} trials of the default scenario (seed 1); identical summaries on every "
          f"path: {same}")
    print(f"   {'path':32} {'wall s':>8} {'trials/s':>9} {'speed-up':>9} {'1st result s':>12}")
    for label, wall, _ in rows:
        print(f"   {label:32} {wall:8.1f} {trials / wall:9.2f} {base / wall:8.2f}x "
              f"{start_costs[label]:12.1f}")
    dask1, dask2 = rows[2][1], rows[3][1]
    efficiency = dask1 / dask2 / 2
    print(f"   dask efficiency, 2 workers against 1: {100 * efficiency:.0f} % of linear (goal >= "
          f"{100 * GOAL_EFFICIENCY:.0f} %: {'met' if efficiency >= GOAL_EFFICIENCY else 'NOT met'})")
    pool_eff = base / rows[1][1] / 2
    print(f"   pool efficiency, 2 processes against one process: {100 * pool_eff:.0f} % of linear")
    # Steady state per trial on one dask worker: after its first result (the cluster's start,
    # the worker's imports and its first trial), against one process's time per trial.
    steady = (dask1 - start_costs[rows[2][0]]) / max(1, trials - 1)
    print(f"   cluster path overhead per trial, steady state (dask 1 worker after its first result, "
          f"against one process): {1000 * (steady - base / trials):.0f} ms on {1000 * base / trials:.0f} ms")
    print(f"   cluster start to the first result: {start_costs[rows[2][0]]:.1f} s (1 worker), "
          f"{start_costs[rows[3][0]]:.1f} s (2 workers)")
    if not same:
        raise SystemExit("the paths gave different summaries")


def bench_per_trial(count: int = 10) -> None:
    protocol, scenario = load_protocol(), load_scenario("default")
    seeds = scenario_seeds(1, count)
    simulate_trial(protocol, scenario, 12345, workers=0)  # warm the protocol's tables
    sim = read = 0.0
    for seed in seeds:
        t0 = time.process_time()
        result = simulate_trial(protocol, scenario, seed, workers=0)
        t1 = time.process_time()
        trial_outcome(trial=result.trial, protocol=protocol, seed=seed)
        t2 = time.process_time()
        sim += t1 - t0
        read += t2 - t1
    print(f"3. Per trial (default scenario, {count} trials, CPU in this process): simulate "
          f"{1000 * sim / count:.0f} ms, read the outcome {1000 * read / count:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--scaling-trials", type=int, default=60)
    parser.add_argument("--skip-command", action="store_true")
    args = parser.parse_args()
    print(_machine(), file=sys.stdout)
    if not args.skip_command:
        bench_command(args.trials)
    bench_scaling(args.scaling_trials)
    bench_per_trial()


if __name__ == "__main__":
    main()
