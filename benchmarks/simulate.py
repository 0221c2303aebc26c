"""Benchmark: simulating a virtual trial of 1,000 registered participants.

Times :func:`hipectrial.simulate.simulate_trial` on the seed protocol and the ``default``
scenario with ``participants=1000`` (seed 1; median of ``--repeat`` runs, as
``simulate_trial`` runs by default — for a trial this large, where processes fork, a pool
started before Part B that screens the arrivals ahead and simulates the courses, see
``hipectrial.simulate.parallel.pool`` — against one process as the baseline; each run a first run:
the caches keyed on a participant's inputs are emptied
before it, else a repeat of the same seed finds every prescription and decision already
made and takes half the time), with the time spent in the per-participant course
(:func:`hipectrial.simulate.course.run.simulate_course`) counted in the one-process runs, and
prints participants per second. Target: the default under 10 s.

Also measured in the same run, on the same data:

* ``validate() + to_json()`` of the simulated trial (what every consumer pays to check and
  store it);
* the per-person cost of :func:`hipectrial.clinical.evaluate_eligibility` (the screening
  verdict) on simulated screening records, times the number of people screened;
* the user's command, ``hipectrial simulate --seed 1 --participants N --out FILE``, run in a
  fresh process (start-up, protocol and scenario loading and writing the JSON included;
  median of ``--repeat``), which is what the README states first.

Run: ``python benchmarks/simulate.py [--repeat N] [--participants N]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from user_command import time_command

from hipectrial.clinical import evaluate_eligibility
from hipectrial.clinical.dosing.prescribe import _BODIES as PRESCRIBE_BODIES
from hipectrial.data import validate
from hipectrial.protocol import Protocol, load_protocol
from hipectrial.simulate import load_scenario, simulate_trial
from hipectrial.simulate.course import run as course_module
from hipectrial.simulate.course import treatment as course_treatment
from hipectrial.simulate.parallel.executor import auto_workers
from hipectrial.simulate.scenario.world import Scenario
from hipectrial.simulate.screening.accrual import STREAM_SCREENING, stream
from hipectrial.simulate.screening.screen import ScreeningContext, screen_person
from hipectrial.simulate.trial.result import SimulatedTrial

TARGET_S = 10.0


class _TimedCourse:
    """The real course simulator, with the time spent in it counted (in this process)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    def __call__(self, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return course_module.simulate_course(**kwargs)
        finally:
            self.seconds += time.perf_counter() - start
            self.calls += 1


def _forget_inputs(protocol: Protocol) -> None:
    """Empty the caches keyed on participants' inputs (tables computed once per protocol
    stay), so that the next run costs what a new seed costs."""
    course_treatment.clear_memos(protocol)
    PRESCRIBE_BODIES.clear()


def _eligibility_seconds(protocol: Protocol, scenario: Scenario, people: int = 200) -> float:
    """Seconds per person of the screening verdict, measured on simulated people."""
    context = ScreeningContext(protocol, scenario)
    site = scenario.sites[0]
    screened = [screen_person(context=context, site=site, participant_id=f"{site.id}-{k:03d}",
                              consent_date=dt.date(2027, 3, 1),
                              rng=stream(1, STREAM_SCREENING, 0, k)) for k in range(people)]
    start = time.perf_counter()
    for s in screened:
        values = {k: v for k, v in s.draw.values().items() if k in context.inputs}
        evaluate_eligibility(protocol=protocol, values=values, as_of=s.as_of)
    return (time.perf_counter() - start) / people


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--participants", type=int, default=1000)
    args = parser.parse_args()
    protocol = load_protocol()
    scenario = load_scenario("default")
    simulate_trial(protocol, scenario, seed=2, participants=10)  # imports and caches warm

    times: list[float] = []
    timers: list[_TimedCourse] = []
    result: SimulatedTrial | None = None
    for _ in range(args.repeat):
        timed = _TimedCourse()
        _forget_inputs(protocol)
        start = time.perf_counter()
        result = simulate_trial(protocol, scenario, seed=1, participants=args.participants,
                                course=timed, workers=1)
        times.append(time.perf_counter() - start)
        timers.append(timed)
    if result is None:
        raise SystemExit("--repeat must be at least 1")
    elapsed = statistics.median(times)
    in_course = statistics.median(t.seconds for t in timers)
    calls = timers[0].calls

    # The default: simulate_trial chooses a process pool for a batch this large (auto_workers).
    workers = auto_workers(args.participants)
    pooled: list[float] = []
    same = True
    for _ in range(args.repeat):
        _forget_inputs(protocol)
        start = time.perf_counter()
        fanned = simulate_trial(protocol, scenario, seed=1, participants=args.participants)
        pooled.append(time.perf_counter() - start)
        same = same and fanned.trial == result.trial
    fan_out = statistics.median(pooled)

    screened = len(result.trial.participants)
    registered = sum(p.registered for p in result.trial.participants)
    start = time.perf_counter()
    validate(result.trial, protocol)
    text = result.trial.to_json()
    store = time.perf_counter() - start
    eligibility = _eligibility_seconds(protocol, scenario)
    with tempfile.TemporaryDirectory(prefix="hipectrial-simulate-bench-") as folder:
        command = time_command(["simulate", "--seed", "1", "--participants", str(args.participants),
                                "--out", str(Path(folder) / "trial.json")], repeat=args.repeat)

    print(f"Simulate: seed protocol, scenario 'default', seed 1, {registered:,} registered "
          f"({screened:,} screened); {os.cpu_count()} CPUs:")
    print(f"  the user's command            {command.text()}")
    print(f"  simulate_trial (default)      {fan_out:7.2f} s  {registered / fan_out:7.1f} "
          f"participants/s  ({workers or 1} process(es), median of {args.repeat}, same data as one "
          f"process: {same})  target < {TARGET_S:.0f} s: {'met' if fan_out < TARGET_S else 'NOT met'}")
    print(f"  in one process (baseline)     {elapsed:7.2f} s  {registered / elapsed:7.1f} "
          f"participants/s  (median of {args.repeat})")
    print(f"    in simulate_course          {in_course:7.2f} s  "
          f"({in_course / max(1, calls) * 1000:.1f} ms per participant)")
    print(f"    in evaluate_eligibility    ~{eligibility * screened:7.2f} s  "
          f"({eligibility * 1000:.2f} ms per person screened)")
    print(f"  validate() + to_json()        {store:7.2f} s  ({len(text) / 1e6:.1f} MB of JSON; "
          "baseline)")
    print(f"  ratios: simulate / (validate + to_json) {elapsed / store:.2f}; "
          f"default / one process {fan_out / elapsed:.2f}; command / simulate_trial (default) "
          f"{command.median_s / fan_out:.2f}")

if __name__ == "__main__":
    main()
