"""Benchmark: design operating characteristics by simulation.

Each entry of ``BENCHES`` is a function that measures one design and prints its figures;
all run in one invocation (other designs add ``bench_threeplusthree()``, ``bench_simon()``
to the list). Run: ``python benchmarks/design.py [--repeat N] [--clinfun DIR] [--only NAME]``.

BOIN: 10,000 trials (5 doses, cohorts of 3, 10 cohorts) with the vectorised simulator,
against the per-trial Python loop (the reference implementation) on 1,000 trials, both
measured in this run on one core; trials per second for both and their ratio.

Simon: the optimal + minimax search for p0 0.05, 0.1, 0.2, ..., 0.7 (p1 = p0 + 0.2; alpha 0.05
/ power 0.80 and alpha 0.10 / power 0.90; nmax 100) and p0 0.05, p1 0.10 at nmax 300, against
clinfun's ``ph2simon`` run by Rscript in the same invocation (``benchmarks/simon_clinfun.R``;
clinfun's R and Fortran sources from ``--clinfun DIR`` or ``HIPECTRIAL_CLINFUN``, else the
installed R package; nothing is downloaded). Prints both CPU times, their ratio, whether the
designs are identical, the search's peak memory at nmax 300, and the Python loop search
baseline at nmax 50.

The user's commands (``bench_boin_command``, ``bench_simon_command``): ``hipectrial design boin
simulate`` and ``hipectrial design simon`` for the same inputs, each run in a fresh process
(start-up and imports included; median of ``--repeat``), beside the in-process time of the same
computation measured in this run: what the README states first.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import shutil
import statistics
import subprocess
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from user_command import time_command

from hipectrial.design.boin import boin_design
from hipectrial.design.boin_sim import simulate_boin, simulate_boin_loop
from hipectrial.design.simon import SimonSearch, simon_design
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


def _simon_text(design: tuple[int, ...]) -> str:
    r1, n1, r, n = design[:4]
    return f"{r1}/{n1}, {r}/{n}"


SIMON_P0 = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
SIMON_LEVELS = ((0.05, 0.80), (0.10, 0.90))
SIMON_LARGE = {"p0": 0.05, "p1": 0.10, "alpha": 0.05, "power": 0.80}  # designs with n > 100


def _cpu_best(fn: Callable[[], object], repeat: int) -> float:
    """Smallest CPU time of one call over ``repeat`` calls. Both searches are single-threaded;
    CPU time and the minimum (as for clinfun, below) keep the figures fair to both on a
    machine shared with other work, where the median of either moves by tens of percent."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def _clinfun_source(path: str | None) -> tuple[str | None, str]:
    """Where Rscript finds ph2simon: a directory (ph2simon.R + ph2simon.so), the installed
    package, or None with the reason it is not measured."""
    if shutil.which("Rscript") is None:
        return None, "Rscript is not on PATH"
    if path:
        folder = Path(path)
        missing = [name for name in ("ph2simon.R", "ph2simon.so") if not (folder / name).is_file()]
        if missing:
            return None, f"{folder} lacks {', '.join(missing)}"
        return str(folder), f"clinfun ph2simon from {folder}"
    probe = subprocess.run(["Rscript", "-e", "cat(requireNamespace('clinfun', quietly=TRUE))"],
                           capture_output=True, text=True, check=False)
    if probe.stdout.strip().endswith("TRUE"):
        return "package", "clinfun package installed in R"
    return None, ("no clinfun: give --clinfun DIR (or HIPECTRIAL_CLINFUN) holding clinfun's "
                  "R/ph2simon.R and src/ph2simon.f compiled to ph2simon.so")


def _clinfun_times(source: str, repeat: int, cases: list[tuple[float, float, float, float, int]]
                   ) -> dict[tuple[float, float, float, float, int], tuple[float, tuple[float, ...],
                                                                           tuple[float, ...]]]:
    script = Path(__file__).with_name("simon_clinfun.R")
    args = [",".join(str(v) for v in case) for case in cases]
    done = subprocess.run(["Rscript", str(script), source, str(repeat), *args],
                          capture_output=True, text=True, check=True)
    result = {}
    for line, case in zip(done.stdout.strip().splitlines(), cases, strict=True):
        fields = [float(v) for v in line.split()]
        result[case] = (fields[5] / 1000, tuple(fields[6:12]), tuple(fields[12:18]))
    return result


def _ours(found: SimonSearch) -> tuple[tuple[float, ...], tuple[float, ...]]:
    rows = []
    for oc in (found.optimal, found.minimax):
        d = oc.design
        rows.append((d.r1, d.n1, d.r, d.n, round(oc.en0, 10), round(oc.pet0, 10)))
    return rows[0], rows[1]


def bench_simon(repeat: int, clinfun: str | None = None) -> None:
    """Simon optimal + minimax search against clinfun's ph2simon, measured in this run."""
    cases = [(p0, round(p0 + 0.2, 2), alpha, power, 100) for p0 in SIMON_P0
             for alpha, power in SIMON_LEVELS]
    large = (SIMON_LARGE["p0"], SIMON_LARGE["p1"], SIMON_LARGE["alpha"], SIMON_LARGE["power"], 300)
    source, why = _clinfun_source(clinfun or os.environ.get("HIPECTRIAL_CLINFUN"))
    r_times = _clinfun_times(source, repeat, [*cases, large]) if source else {}
    print(f"Simon optimal + minimax search, p1 = p0 + 0.2, nmax 100, CPU ms per search "
          f"(best of {repeat}); R baseline: {why if source else 'not measured, ' + why}")
    print("   p0  alpha power |   ours  clinfun  clinfun/ours | optimal            minimax"
          "             same as clinfun")
    worst = None
    for case in [*cases, large]:
        p0, p1, alpha, power, nmax = case
        simon_design(p0=p0, p1=p1, alpha=alpha, power=power, nmax=nmax)  # warm caches
        search = functools.partial(simon_design, p0=p0, p1=p1, alpha=alpha, power=power, nmax=nmax)
        ours = _cpu_best(search, repeat)
        optimal, minimax = _ours(simon_design(p0=p0, p1=p1, alpha=alpha, power=power, nmax=nmax))
        label = f"{p0:5.2f}  {alpha:4.2f}  {power:4.2f}" + (f" nmax {nmax}" if nmax != 100 else "")
        text = f"{_simon_text(optimal):<18} {_simon_text(minimax):<19}"
        if case in r_times:
            r_time, r_opt, r_mini = r_times[case]
            same = all(math.isclose(a, b, abs_tol=1e-9) for a, b in
                       zip((*optimal, *minimax), (*r_opt, *r_mini), strict=True))
            ratio = r_time / ours
            worst = ratio if worst is None else min(worst, ratio)
            print(f"  {label} | {ours * 1000:6.1f} {r_time * 1000:8.1f} {ratio:10.1f}x   | {text} {same}")
        else:
            print(f"  {label} | {ours * 1000:6.1f}      n/a            | {text}")
    if worst is not None:
        print(f"  slowest against clinfun: clinfun takes {worst:.1f}x our time")
    tracemalloc.start()
    simon_design(**SIMON_LARGE, nmax=300)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"  nmax 300 (p0 0.05, p1 0.10): peak memory of the search {peak / 1e6:.1f} MB (tracemalloc)")
    small = 50
    args = {"p0": 0.20, "p1": 0.40, "alpha": 0.05, "power": 0.80}
    fast = _cpu_best(lambda: simon_design(**args, nmax=small), repeat)
    start = time.process_time()
    loop_optimal, loop_minimax = _simon_loop_search(**args, nmax=small)
    slow = time.process_time() - start
    d = simon_design(**args, nmax=small).optimal.design
    print(f"  loop search (baseline), p0 0.20, p1 0.40, nmax {small}: {slow * 1000:.0f} ms, "
          f"ours {fast * 1000:.1f} ms ({slow / fast:.0f}x); optimal {_simon_text(loop_optimal)}, "
          f"minimax {_simon_text(loop_minimax)}; same optimal: {loop_optimal == (d.r1, d.n1, d.r, d.n)}")


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
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--clinfun", metavar="DIR", default=None,
                        help="directory with clinfun's ph2simon.R and ph2simon.so for the R baseline "
                        "(default: $HIPECTRIAL_CLINFUN, else the clinfun package if R has it)")
    parser.add_argument("--only", choices=[bench.__name__ for bench in BENCHES], default=None,
                        help="run one benchmark")
    args = parser.parse_args()
    for bench in BENCHES:
        if args.only not in (None, bench.__name__):
            continue
        if bench is bench_simon:
            bench_simon(args.repeat, args.clinfun)
        else:
            bench(args.repeat)


if __name__ == "__main__":
    main()
