"""Benchmark: how long the ``hipectrial`` command takes to answer (start-up included).

Each command runs as a user runs it: the installed ``hipectrial`` console script (beside this
Python), a fresh process every time, output to a pipe. Baseline, measured in the same run
and interleaved with the commands so that both see the same machine: ``python -c pass``,
the interpreter's own start-up, below which no Python command can go. For each command the
median and the minimum wall time of the repeats, the median CPU time (user + system; less
disturbed than wall time when other work shares the machine), the ratio of the medians to
the baseline, and whether the median meets its goal.

Goals on this machine (issue 11): ``--version`` and ``--help`` < 0.3 s; every ``calc``
command and ``eligibility`` < 0.5 s; ``design boin boundaries`` < 0.5 s. The commands that
read the protocol use the CLI's protocol cache (:mod:`hipectrial.cli.protocol_cache`), here a
fresh folder of this run that the warm-up run fills; two more rows show ``calc bsa`` and
``eligibility`` with the cache off (``HIPECTRIAL_CACHE_DIR=""``: the protocol loaded and
checked from YAML every time, as on the first run after an edit). Run:
``python benchmarks/startup.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from user_command import hipectrial

ROOT = Path(__file__).resolve().parents[1]
BODY = ["--height-cm", "170", "--weight-kg", "65"]
KIDNEY = ["--age", "60", "--sex", "male", "--creatinine", "80", "--unit", "umol/L"]

# (label, arguments, goal in seconds)
COMMANDS: list[tuple[str, list[str], float | None]] = [
    ("--version", ["--version"], 0.3),
    ("--help", ["--help"], 0.3),
    ("calc bsa", ["calc", "bsa", *BODY], 0.5),
    ("calc bsa --json", ["calc", "bsa", *BODY, "--json"], 0.5),
    ("calc crcl", ["calc", "crcl", "--weight-kg", "65", *KIDNEY], 0.5),
    ("calc dose", ["calc", "dose", "--cohort", "HER2-negative", "--dose-level", "1", *BODY, *KIDNEY], 0.5),
    ("calc ctcae", ["calc", "ctcae", "--test", "anc", "--value", "0.8", "--unit", "10^9/L"], 0.5),
    ("calc pci", ["calc", "pci", "--regions", "0,1,2,3,0,1,2,3,0,1,2,3,0"], 0.5),
    ("calc recist", ["calc", "recist", "--file", str(ROOT / "examples" / "recist-assessments.json")], 0.5),
    ("eligibility", ["eligibility", "--file", str(ROOT / "examples" / "screening.json"),
                     "--as-of", "2026-11-20"], 0.5),
    ("design boin boundaries", ["design", "boin", "boundaries", "--target", "0.3"], 0.5),
]
NO_CACHE = "(cache off)"
UNCACHED: list[tuple[str, list[str], float | None]] = [
    (f"calc bsa {NO_CACHE}", ["calc", "bsa", *BODY], None),
    (f"eligibility {NO_CACHE}", ["eligibility", "--file", str(ROOT / "examples" / "screening.json"),
                                 "--as-of", "2026-11-20"], None),
]


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one fresh process; it must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or (argv[-1] != "pass" and not done.stdout):
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    options = parser.parse_args()
    script = hipectrial()
    baseline = [sys.executable, "-c", "pass"]
    runs: list[tuple[str, list[str], float | None]] = [("python -c pass", baseline, None)]
    runs += [(label, [script, *args], goal) for label, args, goal in (*COMMANDS, *UNCACHED)]
    with tempfile.TemporaryDirectory() as cache:
        cached = {**os.environ, "HIPECTRIAL_CACHE_DIR": cache}
        envs = {label: {**cached, "HIPECTRIAL_CACHE_DIR": ""} if NO_CACHE in label else cached
                for label, _, _ in runs}
        load_before = os.getloadavg()[0]
        for label, argv, _ in runs:  # warm the file, bytecode and protocol caches once
            _run(argv, envs[label])
        times: dict[str, list[tuple[float, float]]] = {label: [] for label, _, _ in runs}
        for _ in range(options.repeat):  # interleaved: every command sees the same machine
            for label, argv, _ in runs:
                times[label].append(_run(argv, envs[label]))
        load_after = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}; repeat {options.repeat}; "
          f"load average {load_before:.2f} before, {load_after:.2f} after")
    print(f"command: {script}")
    base_wall = statistics.median(w for w, _ in times["python -c pass"])
    base_cpu = statistics.median(c for _, c in times["python -c pass"])
    print(f"\n{'':26}{'median':>9}{'min':>9}{'cpu':>9}{'x pass':>8}   goal (median)")
    missed = 0
    for label, _, goal in runs:
        walls = [w for w, _ in times[label]]
        cpu = statistics.median(c for _, c in times[label])
        wall = statistics.median(walls)
        line = (f"{label:26}{wall * 1000:7.0f}ms{min(walls) * 1000:7.0f}ms{cpu * 1000:7.0f}ms"
                f"{wall / base_wall:7.1f}x")
        if goal is not None:
            met = wall < goal
            missed += not met
            line += f"   < {goal:.1f} s: {'met' if met else 'NOT met'}"
        print(line)
    print(f"\nbaseline python -c pass: {base_wall * 1000:.0f} ms wall, {base_cpu * 1000:.0f} ms cpu; "
          f"goals met: {len(COMMANDS) - missed} of {len(COMMANDS)}")
    print("(cpu: median user + system time of the process; wall time above it is waiting for a CPU)")


if __name__ == "__main__":
    main()
