"""Benchmark: the per-participant course and one whole virtual trial, CPU time, new code
against its baselines, in one run.

Measured for each variant in a fresh process of its own, one after the other (so no
variant finds another's caches or heap), on the seed protocol and the ``default`` scenario,
``workers=0`` (everything in that process, as one trial of an operating-characteristics run):

* **course, cold**: CPU ms per :func:`hipectrial.simulate.course.run.simulate_course` call,
  median over the courses of trials of seeds 1001-1004 (about 260 courses), run first in
  the process after the memos keyed on participants' inputs were emptied: what a new seed
  finds;
* **trial**: CPU s of ``simulate_trial(..., seed, workers=0)`` for seeds 1-20 in that order
  in the same process, mean: what an operating-characteristics worker pays per trial;
* **course, warm**: as cold, on the courses of seeds 2001-2004 run after those 20 trials:
  what an OC run's later trials find;
* the process's resident memory (RSS) after all that (25 trials + the warm-up).

Variants, each in a fresh process per round, the rounds taking the variants in turn (so a
change in the machine's load during the run falls on all of them; figures pool the rounds):
``new`` (this code); ``memos off`` (this code with
``hipectrial.clinical.engine_cache.ENABLED = False``: every memo of the engine_cache
mechanism recomputes); ``original`` (the code of ``--baseline-rev``, by default commit
8280726, the code before the course speed work of issue 14, extracted with ``git archive``
into a temporary folder and put first on ``PYTHONPATH``; skipped with a note when git or the
commit is not available). Ratios are baseline / new.

Run: ``python benchmarks/course.py [--rounds 2] [--trials 20] [--baseline-rev REV]`` (trials
per round; the defaults give 40 trials and about 500 courses of each kind per variant).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASELINE_REV = "8280726ea14fdefb2f2db0441f3fae6cd382718b"
COLD_SEEDS = range(1001, 1005)
WARM_SEEDS = range(2001, 2005)


class _TimedCourse:
    """The real course simulator, with the CPU time of each call kept."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, **kwargs: Any) -> Any:
        from hipectrial.simulate.course.run import simulate_course
        start = time.process_time()
        try:
            return simulate_course(**kwargs)
        finally:
            self.seconds.append(time.process_time() - start)


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure(trials: int, memos: bool) -> dict[str, Any]:
    """One variant's figures, in this process (see the module docstring)."""
    from hipectrial.clinical import engine_cache
    from hipectrial.clinical.dosing import prescribe
    from hipectrial.protocol import load_protocol
    from hipectrial.simulate import load_scenario, simulate_trial
    from hipectrial.simulate.course import treatment

    engine_cache.ENABLED = memos
    protocol = load_protocol()
    scenario = load_scenario("default")
    simulate_trial(protocol, scenario, seed=2, participants=10, workers=0)  # imports, tables
    treatment.clear_memos(protocol)
    prescribe._BODIES.clear()

    def courses(seeds: range) -> list[float]:
        timed = _TimedCourse()
        for seed in seeds:
            simulate_trial(protocol, scenario, seed, course=timed, workers=0)
        return timed.seconds

    cold = courses(COLD_SEEDS)
    per_trial = []
    for seed in range(1, trials + 1):
        start = time.process_time()
        simulate_trial(protocol, scenario, seed, workers=0)
        per_trial.append(time.process_time() - start)
    warm = courses(WARM_SEEDS)
    return {"cold": cold, "warm": warm, "trial": per_trial, "rss_mb": _rss_mb()}


def _original_src(rev: str, into: Path) -> Path | None:
    """The ``src`` folder of commit ``rev``, extracted into ``into``; None without git."""
    archive = into / "src.tar"
    try:
        subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), rev, "src"],
                       check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _run_variant(trials: int, memos: bool, src: Path | None) -> dict[str, Any]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    out = subprocess.run([sys.executable, __file__, "--measure", "--trials", str(trials),
                          *([] if memos else ["--memos-off"])],
                         check=True, capture_output=True, text=True, env=env)
    figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def _pooled(runs: list[dict[str, Any]]) -> dict[str, float]:
    cold = [x for r in runs for x in r["cold"]]
    warm = [x for r in runs for x in r["warm"]]
    trial = [x for r in runs for x in r["trial"]]
    return {"cold_ms": statistics.median(cold) * 1000, "cold_n": len(cold),
            "warm_ms": statistics.median(warm) * 1000, "warm_n": len(warm),
            "trial_s": statistics.fmean(trial), "trial_n": len(trial),
            "rss_mb": max(r["rss_mb"] for r in runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--baseline-rev", default=BASELINE_REV)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memos-off", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.trials, memos=not args.memos_off)))
        return

    with tempfile.TemporaryDirectory() as folder:
        src = _original_src(args.baseline_rev, Path(folder))
        variants: list[tuple[str, bool, Path | None]] = [("new", True, None), ("memos off", False, None)]
        if src is not None:
            variants.append((f"original ({args.baseline_rev[:7]})", True, src))
        else:
            print(f"(original code not measured: git archive of {args.baseline_rev} failed)")
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in variants}
        for _ in range(args.rounds):
            for name, memos, path in variants:
                runs[name].append(_run_variant(args.trials, memos, path))
    rows = [(name, _pooled(runs[name])) for name, _, _ in variants]
    new = rows[0][1]
    print(f"Course and trial CPU time: seed protocol, scenario 'default', workers=0; "
          f"{os.cpu_count()} CPUs; each variant in a fresh process")
    print(f"  {'variant':22s} {'course cold':>12s} {'course warm':>12s} "
          f"{'trial (mean)':>20s} {'RSS after':>10s}")
    for name, f in rows:
        print(f"  {name:22s} {f['cold_ms']:9.2f} ms {f['warm_ms']:9.2f} ms {f['trial_s']:17.3f} s "
              f"{f['rss_mb']:7.0f} MB")
    print(f"  (course medians over {int(new['cold_n'])} cold and {int(new['warm_n'])} warm courses; "
          f"trial mean over {int(new['trial_n'])} trials, seeds 1-{args.trials} in each of "
          f"{args.rounds} rounds; RSS: the largest after a round)")
    for name, f in rows[1:]:
        print(f"  ratio {name} / new: course cold {f['cold_ms'] / new['cold_ms']:.2f}, "
              f"warm {f['warm_ms'] / new['warm_ms']:.2f}, trial {f['trial_s'] / new['trial_s']:.2f}")


if __name__ == "__main__":
    main()
