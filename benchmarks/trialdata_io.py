"""Benchmark: reading and writing a large TrialData document.

Times :meth:`TrialData.from_json` and :meth:`TrialData.to_json` on the document of a
1,000-participant simulated trial (seed protocol, scenario ``default``, seed 1; simulated
once at the start, about 105 MB), or on a document given with ``--data``, against
``json.loads`` and ``json.dumps`` (keys sorted, two-space indent, UTF-8 not escaped: the
document's own layout) of the same text, measured in the same run (median of ``--repeat``).
Also timed once each: the careful reading and writing (:func:`~hipectrial.data.jsonio.
load_trial_carefully`, which names the problem in a document the quick reading refuses,
and :func:`~hipectrial.data.jsonio.write_carefully`, the plain JSON encoder), which are
how ``from_json`` and ``to_json`` worked before. Target: ``from_json`` under 5 s.

Run: ``python benchmarks/trialdata_io.py [--data trial.json] [--participants N] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hipectrial.data import TrialData
from hipectrial.data.jsonio import load_trial_carefully, write_carefully
from hipectrial.protocol import load_protocol
from hipectrial.simulate import load_scenario, simulate_trial

TARGET_S = 5.0


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The median wall time of ``repeat`` calls, and the last call's result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _dumps_time(plain: Any, repeat: int) -> float:
    seconds, _ = _timed(lambda: json.dumps(plain, sort_keys=True, ensure_ascii=False, indent=2), repeat)
    return seconds


def _document(args: argparse.Namespace) -> tuple[str, str]:
    if args.data is not None:
        return Path(args.data).read_text(encoding="utf-8"), str(args.data)
    start = time.perf_counter()
    trial = simulate_trial(load_protocol(), load_scenario("default"), seed=1,
                           participants=args.participants).trial
    took = time.perf_counter() - start
    return trial.to_json(), (f"simulated: scenario default, seed 1, {args.participants:,} participants "
                             f"(simulated in {took:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="a TrialData JSON file (default: simulate)")
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    text, what = _document(args)

    loads, plain = _timed(lambda: json.loads(text), args.repeat)
    dumps = _dumps_time(plain, args.repeat)
    del plain
    read, trial = _timed(lambda: TrialData.from_json(text), args.repeat)
    write, written = _timed(trial.to_json, args.repeat)
    careful_read, carefully_read = _timed(lambda: load_trial_carefully(text), 1)
    careful_write, carefully_written = _timed(lambda: write_carefully(trial), 1)

    print(f"TrialData JSON, {len(text.encode('utf-8')) / 1e6:.1f} MB ({what}); {os.cpu_count()} CPUs; "
          f"median of {args.repeat} (careful: one run)")
    print(f"  json.loads (baseline)         {loads:7.2f} s")
    print(f"  TrialData.from_json           {read:7.2f} s  {read / loads:5.2f} x json.loads  "
          f"target < {TARGET_S:.0f} s: {'met' if read < TARGET_S else 'NOT met'}")
    print(f"    careful reading (before)    {careful_read:7.2f} s  {careful_read / loads:5.2f} x json.loads  "
          f"{careful_read / read:5.1f} x from_json; same TrialData: {carefully_read == trial}")
    print(f"  json.dumps (baseline)         {dumps:7.2f} s")
    print(f"  TrialData.to_json             {write:7.2f} s  {write / dumps:5.2f} x json.dumps  "
          f"same bytes as the document read: {written == text}")
    print(f"    careful writing (before)    {careful_write:7.2f} s  {careful_write / dumps:5.2f} x "
          f"json.dumps  {careful_write / write:5.1f} x to_json; same bytes: {carefully_written == written}")


if __name__ == "__main__":
    main()
