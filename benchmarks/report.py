"""Benchmark: the DSMB report of a 60- and a 1,000-participant simulated trial.

What the user's own command takes: ``hipectrial report --data trial.json --out DIR`` run as a
fresh process (reading the JSON, validation, the analysis, figures, HTML, PDF and the CSV
listings), wall time and the process's peak memory (its own ``ru_maxrss``, printed by the
child). Goals on this machine: under 60 s and under 1.5 GB for 1,000 participants.

Baseline, measured in the same run on the same file: a fresh process that only reads the
trial (``TrialData.from_json``) — what any consumer of the data pays before doing anything —
so the ratio says how much the report adds to reading its input.

The trials are simulated first (seed 1, default scenario; the 60-participant one is the
README's main job, 63 registered; ``--participants 1000`` registers 1,000). Run:
``python benchmarks/report.py [--repeat N] [--sizes 60,1000]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_S = 60.0
GOAL_MB = 1500.0

# The child prints its own peak resident memory (kB on Linux) as the last line.
_PEAK = "import resource, sys; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"
_READ = ("from pathlib import Path; from hipectrial.data import TrialData; "
         "TrialData.from_json(Path(__import__('sys').argv[1]).read_text(encoding='utf-8')); " + _PEAK)
# The user's command itself: the CLI's main() as the console script runs it (it ends with
# SystemExit, after which the peak is printed).
_REPORT = ("import sys\nfrom hipectrial.cli.main import main\n"
           "sys.argv = ['hipectrial', 'report', '--data', sys.argv[1], '--out', sys.argv[2], '--json']\n"
           "try:\n    main()\nfinally:\n    " + _PEAK)


def _run(code: str, *args: str) -> tuple[float, float]:
    """Wall seconds and peak MB of a fresh ``python -c code args``."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}):\n{done.stderr[-2000:]}")
    peak_kb = int(done.stderr.strip().splitlines()[-1])
    return seconds, peak_kb / 1024


def _simulate(participants: int | None, path: Path) -> None:
    args = ["simulate", "--seed", "1", "--out", str(path), "--json"]
    if participants is not None:
        args += ["--participants", str(participants)]
    code = ("import sys\nfrom hipectrial.cli.main import main\n"
            "sys.argv = ['hipectrial', *sys.argv[1:]]\nmain()")
    subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="default,1000",
                        help="comma-separated: 'default' is the README's simulation (seed 1, 63 "
                             "registered), a number is passed as --participants")
    options = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}; repeat {options.repeat}")
    with tempfile.TemporaryDirectory() as folder:
        for size in options.sizes.split(","):
            participants = None if size == "default" else int(size)
            data = Path(folder) / f"trial-{size}.json"
            _simulate(participants, data)
            reads, reports = [], []
            for k in range(options.repeat):
                reads.append(_run(_READ, str(data)))
                reports.append(_run(_REPORT, str(data), str(Path(folder) / f"report-{size}-{k}")))
            read_s = statistics.median(s for s, _ in reads)
            report_s = statistics.median(s for s, _ in reports)
            report_mb = max(mb for _, mb in reports)
            name = "default simulation (seed 1)" if participants is None else f"{participants} participants"
            print(f"\n{name} ({data.stat().st_size / 1e6:.1f} MB of JSON):")
            print(f"  baseline, reading the trial (fresh process): {read_s:6.1f} s, peak "
                  f"{max(mb for _, mb in reads):6.0f} MB")
            runs = ", ".join(f"{s:.1f}" for s, _ in reports)
            print(f"  hipectrial report (fresh process):           {report_s:6.1f} s, peak "
                  f"{report_mb:6.0f} MB  ({report_s / read_s:.1f}x reading; runs: {runs} s)")
            if participants is not None and participants >= 1000:
                verdict = "met" if report_s < GOAL_S and report_mb < GOAL_MB else "NOT met"
                print(f"  goal < {GOAL_S:.0f} s and < {GOAL_MB:.0f} MB: {verdict}")


if __name__ == "__main__":
    main()
