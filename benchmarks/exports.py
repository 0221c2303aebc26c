"""Benchmark: every export of a 1,000-participant trial, beside reading its TrialData JSON.

Simulates the trial once (seed protocol, scenario ``default``, seed 1, ``--participants``
registered) and keeps its JSON at ``--cache`` for the next run, or reads ``--data``. Then,
each in a fresh Python process (so that each peak memory is its own): the baseline, reading
the JSON (``TrialData.from_json``), and each export in :data:`EXPORTS`, which reads the JSON
too and then writes its files into a new folder. Printed per step: the seconds of the step
itself (median of ``--repeat``), its ratio to the baseline, and the process's peak resident
memory (``ru_maxrss``: reading included); then the sum of the formats, and the user's
command ``hipectrial export all`` end to end (reading and validating included, the formats
in parallel processes). Goal (issue 13): all formats < 60 s, < 1 GB.

Run: ``python benchmarks/exports.py [--data trial.json | --cache PATH] [--participants N]
[--repeat N] [--only xlsx,csv]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

GOAL_S = 60.0
GOAL_MB = 1024.0


def _export(name: str) -> Callable[[Any, Any, Path], None]:
    """Format ``name`` as ``hipectrial export all`` writes it (checks included: the ODM
    schema, the SDTM conformance check)."""

    def write(trial: Any, protocol: Any, out: Path) -> None:
        from hipectrial.export.bundle import write_format

        write_format(name, trial=trial, protocol=protocol, folder=out)

    return write


# Every format of hipectrial.export.bundle.WRITERS (a new format there is timed here too).
EXPORTS: dict[str, Callable[[Any, Any, Path], None]] = {
    name: _export(name) for name in ("xlsx", "sdtm", "redcap", "odm", "csv")
}


def _command_all(data: Path) -> tuple[float, float]:
    """The user's command, ``hipectrial export all``, end to end (reading and validating the
    data included): its wall-clock seconds and the largest peak memory of its processes,
    measured in a fresh process of this script so that no earlier step's peak counts."""
    done = subprocess.run([sys.executable, __file__, "--child", "all", "--data", str(data)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"export all failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["step_s"], result["peak_mb"]


def _child_all(data: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        done = subprocess.run(["hipectrial", "export", "all", "--data", str(data), "--out",
                               str(Path(tmp) / "all"), "--json"], capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    # The largest peak of this process's children: the command and the processes it forked.
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"step_s": seconds, "peak_mb": peak_mb}))


def _child(name: str, data: Path) -> None:
    """In a fresh process: read the JSON (timed), run one export (timed), report as JSON."""
    from hipectrial.data import TrialData
    from hipectrial.protocol import load_protocol

    protocol = load_protocol()
    start = time.perf_counter()
    trial = TrialData.from_json(data.read_text(encoding="utf-8"))
    read_s = time.perf_counter() - start
    step_s = read_s
    if name != "read":
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            EXPORTS[name](trial, protocol, Path(out))
            step_s = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"read_s": read_s, "step_s": step_s, "peak_mb": peak_mb}))


def _run(name: str, data: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--child", name, "--data", str(data)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _data(args: argparse.Namespace) -> tuple[Path, str]:
    if args.data is not None:
        return Path(args.data), str(args.data)
    cache = Path(args.cache)
    if cache.exists():
        return cache, f"{cache} (cached simulation)"
    from hipectrial.protocol import load_protocol
    from hipectrial.simulate import load_scenario, simulate_trial

    start = time.perf_counter()
    trial = simulate_trial(load_protocol(), load_scenario("default"), seed=1,
                           participants=args.participants).trial
    took = time.perf_counter() - start
    cache.write_text(trial.to_json(), encoding="utf-8")
    return cache, (f"simulated: scenario default, seed 1, {args.participants:,} registered, "
                   f"{len(trial.participants):,} participants (simulated in {took:.0f} s), kept at {cache}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="A TrialData JSON file (instead of simulating).")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "hipectrial-exports-1000.json"),
                        help="Where the simulated trial's JSON is kept between runs.")
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1, help="Runs per step; the median is shown.")
    parser.add_argument("--only", help="Comma-separated formats to time (default: all).")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "all":
        _child_all(Path(args.data))
        return
    if args.child:
        _child(args.child, Path(args.data))
        return
    data, origin = _data(args)
    names = args.only.split(",") if args.only else list(EXPORTS)
    print(f"data: {origin}; {data.stat().st_size / 1e6:.0f} MB of JSON")

    def measured(name: str) -> tuple[float, float]:
        runs = [_run(name, data) for _ in range(args.repeat)]
        return statistics.median(r["step_s"] for r in runs), max(r["peak_mb"] for r in runs)

    base_s, base_mb = measured("read")
    print(f"{'step':<26}{'seconds':>9}{'x read':>9}{'peak MB':>10}")
    print(f"{'read TrialData JSON':<26}{base_s:>9.1f}{1.0:>9.2f}{base_mb:>10.0f}")
    total_s, peak = 0.0, base_mb
    for name in names:
        seconds, mb = measured(name)
        total_s += seconds
        peak = max(peak, mb)
        print(f"{'export ' + name:<26}{seconds:>9.1f}{seconds / base_s:>9.2f}{mb:>10.0f}")
    print(f"{'sum of the formats':<26}{total_s:>9.1f}{total_s / base_s:>9.2f}{peak:>10.0f}"
          "   (one after the other, reading not counted)")
    if not args.only:
        all_s, all_mb = _command_all(data)
        verdict = "meets" if all_s < GOAL_S and all_mb < GOAL_MB else "misses"
        print(f"{'hipectrial export all':<26}{all_s:>9.1f}{all_s / base_s:>9.2f}{all_mb:>10.0f}"
              f"   (the command: reading, validating, formats in {os.cpu_count()} processes at most)")
        print(f"goal (issue 13): every format < {GOAL_S:.0f} s, < {GOAL_MB:.0f} MB; "
              f"`export all` {verdict} it")


if __name__ == "__main__":
    main()
