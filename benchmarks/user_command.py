"""What a user's command takes: the installed ``hipectrial`` console script run in a fresh
process, as from a shell (``/usr/bin/time hipectrial …``), start-up and imports included.

The benchmark scripts call :func:`time_command` beside their in-process figures so that the
README can state both from one run.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class CommandTime:
    """Wall-clock seconds of each run, their median, and the CPU seconds of the median run."""

    args: tuple[str, ...]
    wall_s: tuple[float, ...]
    cpu_s: tuple[float, ...]

    @property
    def median_s(self) -> float:
        return statistics.median(self.wall_s)

    def text(self) -> str:
        runs = ", ".join(f"{t:.2f}" for t in self.wall_s)
        return (f"{self.median_s:7.2f} s  (median of {len(self.wall_s)}: {runs} s; CPU "
                f"{statistics.median(self.cpu_s):.2f} s; `hipectrial {' '.join(self.args)}`, fresh process)")


def hipectrial() -> str:
    """The installed console script beside this interpreter (or on ``PATH``)."""
    beside = Path(sys.executable).with_name("hipectrial")
    found = str(beside) if beside.exists() else shutil.which("hipectrial")
    if found is None:
        raise SystemExit("the hipectrial command is not installed (pip install -e .)")
    return found


def time_command(args: list[str], *, repeat: int) -> CommandTime:
    """Run ``hipectrial *args`` ``repeat`` times (output discarded; a failure stops the script)."""
    binary = hipectrial()
    walls: list[float] = []
    cpus: list[float] = []
    env = {**os.environ, "COLUMNS": "120"}
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([binary, *args], check=True, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return CommandTime(tuple(args), tuple(walls), tuple(cpus))
