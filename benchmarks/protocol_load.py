"""Benchmark: loading and checking the seed protocol.

Prints the wall time of ``load_protocol()`` (libyaml parser, the default when PyYAML has
it) and of the same load with PyYAML's pure-Python parser as the baseline, both measured in
this run, and their ratio. Run: ``python benchmarks/protocol_load.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from unittest import mock

import yaml

from hipectrial.protocol import load_protocol


def _time(repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        load_protocol()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    load_protocol()  # warm imports and caches
    fast = _time(args.repeat)
    with mock.patch.object(yaml, "CSafeLoader", yaml.SafeLoader):
        baseline = _time(args.repeat)
    f, b = statistics.median(fast), statistics.median(baseline)
    print(f"seed protocol load + checks, median of {args.repeat}:")
    print(f"  libyaml parser (default)         {f * 1000:8.1f} ms")
    print(f"  pure-Python parser (baseline)    {b * 1000:8.1f} ms")
    print(f"  speed-up                         {b / f:8.2f} x")


if __name__ == "__main__":
    main()
