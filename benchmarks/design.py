"""Benchmark: design operating characteristics by simulation.

Each entry of ``BENCHES`` is a function that measures one design and prints its figures;
all run in one invocation (other designs add ``bench_threeplusthree()``, ``bench_simon()``
to the list). Run: ``python benchmarks/design.py [--repeat N]``.

BOIN: 10,000 trials (5 doses, cohorts of 3, 10 cohorts) with the vectorised simulator,
against the per-trial Python loop (the reference implementation) on 1,000 trials, both
measured in this run on one core; trials per second for both and their ratio.

The user's commands (``bench_boin_command``, ``bench_simon_command``): ``hipectrial design boin
simulate`` and ``hipectrial design simon`` for the same inputs, each run in a fresh process
(start-up and imports included; median of ``--repeat``), beside the in-process time of the same
computation measured in this run: what the README states first.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from user_command import time_command

from hipectrial.design.boin import boin_design
from hipectrial.design.boin_sim import simulate_boin, simulate_boin_loop
from hipectrial.design.simon import simon_design
from hipectrial.design.threeplusthree import threeplusthree_exact, threeplusthree_simulate

BOIN_TRUTH = (0.05, 0.10, 0.20, 0.30, 0.45)


def _median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_boin(repeat: int) -> None:
    design = boin_design(target=0.30)
    fast_n, slow_n = 10_000, 1_000
    simulate_boin(design, truth=BOIN_TRUTH, n_trials=100, seed=1)  # warm caches
    fast = _median_time(lambda: simulate_boin(design, truth=BOIN_TRUTH, n_trials=fast_n, seed=1),
                        repeat)
    slow = _median_time(lambda: simulate_boin_loop(design, truth=BOIN_TRUTH, n_trials=slow_n,
                                                   seed=1), max(1, repeat // 2))
    fast_rate, slow_rate = fast_n / fast, slow_n / slow
    print(f"BOIN OC, target 0.30, truth {BOIN_TRUTH}, cohorts of 3 x 10 (median of {repeat}):")
    print(f"  vectorised, {fast_n:>6,} trials   {fast * 1000:9.1f} ms   {fast_rate:12,.0f} trials/s")
    print(f"  per-trial loop, {slow_n:>5,} trials {slow * 1000:9.1f} ms   {slow_rate:12,.0f} trials/s"
          "  (baseline)")
    print(f"  speed-up {fast_rate / slow_rate:.0f}x")


THREEPLUSTHREE_TRUTH = (0.05, 0.10, 0.20, 0.30, 0.45, 0.60)


def bench_threeplusthree(repeat: int) -> None:
    """3+3 OC (with de-escalation, 6 doses): vectorised simulation of 10,000 trials and the exact
    path enumeration, measured in this run on one core."""
    trials = 10_000
    threeplusthree_simulate(truth=THREEPLUSTHREE_TRUTH, n_trials=100, seed=1)  # warm caches
    sim = _median_time(lambda: threeplusthree_simulate(truth=THREEPLUSTHREE_TRUTH, n_trials=trials,
                                                       seed=1), repeat)
    exact = _median_time(lambda: threeplusthree_exact(truth=THREEPLUSTHREE_TRUTH), repeat)
    paths = threeplusthree_exact(truth=THREEPLUSTHREE_TRUTH).paths
    print(f"3+3 OC with de-escalation, truth {THREEPLUSTHREE_TRUTH} (median of {repeat}):")
    print(f"  vectorised, {trials:>6,} trials   {sim * 1000:9.1f} ms   {trials / sim:12,.0f} trials/s")
    print(f"  exact, {paths:,} paths          {exact * 1000:9.1f} ms")


def _simon_loop_search(p0: float, p1: float, alpha: float, power: float, nmax: int
                       ) -> tuple[tuple[int, int, int, int], tuple[int, int, int, int]]:
    """Baseline: optimal and minimax search looping over n, n1 and r1 in Python (as
    clinfun's ``ph2simon`` does in R), each step vectorised over r and x1 with scipy."""
    import numpy as np
    from scipy.stats import binom

    best: tuple[float, tuple[int, int, int, int]] | None = None
    minimax: tuple[int, float, tuple[int, int, int, int]] | None = None
    for n in range(2, nmax + 1):
        for n1 in range(1, n):
            n2 = n - n1
            for r1 in range(n1):
                x1 = np.arange(r1 + 1, n1 + 1)
                r = np.arange(r1, n)[:, None]
                size = (binom.pmf(x1, n1, p0) * binom.sf(r - x1, n2, p0)).sum(axis=1)
                strength = (binom.pmf(x1, n1, p1) * binom.sf(r - x1, n2, p1)).sum(axis=1)
                ok = np.flatnonzero((size <= alpha) & (strength >= power))
                if ok.size == 0:
                    continue
                design = (r1, n1, int(r1 + ok[0]), n)
                en0 = n1 + (1 - float(binom.cdf(r1, n1, p0))) * n2
                if best is None or en0 < best[0] - 1e-12:
                    best = (en0, design)
                if minimax is None or (n, en0) < minimax[:2]:
                    minimax = (n, en0, design)
    if best is None or minimax is None:
        raise SystemExit("baseline found no design")
    return best[1], minimax[2]


def _simon_text(design: object) -> str:
    r1, n1, r, n = design if isinstance(design, tuple) else (
        design.r1, design.n1, design.r, design.n)  # type: ignore[attr-defined]
    return f"{r1}/{n1}, {r}/{n}"


def bench_simon(repeat: int) -> None:
    args = {"p0": 0.20, "p1": 0.40, "alpha": 0.05, "power": 0.80}
    simon_design(**args, nmax=100)  # warm caches
    fast = _median_time(lambda: simon_design(**args, nmax=100), repeat)
    result = simon_design(**args, nmax=100)
    small = 50
    slow_fast = _median_time(lambda: simon_design(**args, nmax=small), repeat)
    start = time.perf_counter()
    optimal, minimax = _simon_loop_search(**args, nmax=small)
    slow = time.perf_counter() - start
    mini = simon_design(**args, nmax=small)
    d = mini.optimal.design
    found = (d.r1, d.n1, d.r, d.n)
    agree = optimal == found
    print(f"Simon optimal + minimax, p0 0.20, p1 0.40, alpha 0.05, power 0.80 (median of {repeat}):")
    print(f"  vectorised search, nmax 100      {fast * 1000:7.1f} ms   "
          f"optimal {_simon_text(result.optimal.design)}, minimax {_simon_text(result.minimax.design)}")
    print(f"  vectorised search, nmax {small}       {slow_fast * 1000:7.1f} ms")
    print(f"  loop search (baseline), nmax {small}  {slow * 1000:7.1f} ms   "
          f"optimal {_simon_text(optimal)}, minimax {_simon_text(minimax)}")
    print(f"  speed-up at nmax {small}: {slow / slow_fast:.0f}x; same optimal design: {agree}")


def bench_boin_command(repeat: int) -> None:
    """``hipectrial design boin simulate`` (10,000 trials, BOIN_TRUTH) as a user runs it, against
    the in-process ``simulate_boin`` of the same trials in this run."""
    design = boin_design(target=0.30)
    simulate_boin(design, truth=BOIN_TRUTH, n_trials=100, seed=1)  # warm caches
    inside = _median_time(lambda: simulate_boin(design, truth=BOIN_TRUTH, n_trials=10_000, seed=1),
                          repeat)
    truth = ",".join(f"{p:g}" for p in BOIN_TRUTH)
    command = time_command(["design", "boin", "simulate", "--target", "0.30", "--truth", truth,
                            "--trials", "10000", "--seed", "1"], repeat=repeat)
    print("BOIN OC, the user's command (10,000 trials):")
    print(f"  command      {command.text()}")
    print(f"  in-process   {inside:7.3f} s  (simulate_boin, baseline); command / in-process "
          f"{command.median_s / inside:.0f}x")


def bench_simon_command(repeat: int) -> None:
    """``hipectrial design simon`` (p0 0.20, p1 0.40, alpha 0.05, power 0.80, nmax 100) as a user
    runs it, against the in-process ``simon_design`` in this run."""
    args = {"p0": 0.20, "p1": 0.40, "alpha": 0.05, "power": 0.80}
    simon_design(**args, nmax=100)  # warm caches
    inside = _median_time(lambda: simon_design(**args, nmax=100), repeat)
    command = time_command(["design", "simon", "--p0", "0.20", "--p1", "0.40", "--alpha", "0.05",
                            "--power", "0.80", "--nmax", "100"], repeat=repeat)
    print("Simon optimal + minimax, the user's command (nmax 100):")
    print(f"  command      {command.text()}")
    print(f"  in-process   {inside:7.3f} s  (simon_design, baseline); command / in-process "
          f"{command.median_s / inside:.0f}x")


BENCHES: list[Callable[[int], None]] = [bench_boin, bench_threeplusthree, bench_simon,
                                        bench_boin_command, bench_simon_command]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for bench in BENCHES:
        bench(args.repeat)


if __name__ == "__main__":
    main()
