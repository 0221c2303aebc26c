"""Benchmark: every export of a 1,000-participant trial, beside reading its TrialData JSON.

Simulates the trial once (seed protocol, scenario ``default``, seed 1, ``--participants``
registered) and keeps its JSON at ``--cache`` for the next run, or reads ``--data``. Then,
each in a fresh Python process (so that each peak memory is its own): the baseline, reading
the JSON (``TrialData.from_json``), and each export in :data:`EXPORTS`, which reads the JSON
too and then writes its files into a new folder. Printed per step: the seconds of the step
itself (median of ``--repeat``), its ratio to the baseline, and the process's peak resident
memory (``ru_maxrss``: reading included). Goal (issue 13): all formats < 60 s, < 1 GB.

Run: ``python benchmarks/exports.py [--data trial.json | --cache PATH] [--participants N]
[--repeat N] [--only xlsx,csv]``.
"""

from __future__ import annotations

import argparse
import json
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


def _xlsx(trial: Any, protocol: Any, out: Path) -> None:
    from hipectrial.export.sheets import write_xlsx

    write_xlsx(trial=trial, protocol=protocol, path=out / "trial.xlsx")


def _csv(trial: Any, protocol: Any, out: Path) -> None:
    from hipectrial.export.sheets import write_csv

    write_csv(trial=trial, protocol=protocol, folder=out)


def _odm(trial: Any, protocol: Any, out: Path) -> None:
    from hipectrial.export.odm import validate_odm, write_odm

    # As `hipectrial export odm` does: write, then check against the ODM 1.3.2 schema.
    write_odm(trial=trial, protocol=protocol, out=out / "trial.odm.xml")
    validate_odm(out / "trial.odm.xml")


def _redcap(trial: Any, protocol: Any, out: Path) -> None:
    from hipectrial.export.redcap import write_redcap_export

    write_redcap_export(out, trial=trial, protocol=protocol)


# One line per format: name -> function(trial, protocol, empty folder) that writes it.
EXPORTS: dict[str, Callable[[Any, Any, Path], None]] = {
    "xlsx": _xlsx,
    "csv": _csv,
    "odm": _odm,
    "redcap": _redcap,
}


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
    verdict = "meets" if total_s < GOAL_S and peak < GOAL_MB else "misses"
    print(f"all exports: {total_s:.1f} s (reading not counted), peak {peak:.0f} MB: {verdict} the goal "
          f"(< {GOAL_S:.0f} s, < {GOAL_MB:.0f} MB)")


if __name__ == "__main__":
    main()
