"""Benchmark: the clinical engine's per-call time on calls taken from simulated courses.

Runs a few default-scenario courses of the seed protocol, records every call the simulator
makes to ``decide_modifications``, ``prescribe`` and ``prescribe_hipec`` (their keyword
arguments), then replays them and prints the mean time per call. The same replay is timed
with the engine's caches switched off (the bound-values cache of
:class:`~hipectrial.protocol.Scope` and the per-protocol rule tables), which is the
unoptimised path, and as a fixed yardstick one CEL evaluation on a freshly bound context.
Run: ``python benchmarks/clinical_engine.py [--courses N] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any
from unittest import mock

import numpy as np

import hipectrial.simulate.course.treatment as course_treatment
from hipectrial.clinical import decide_modifications, engine_cache, prescribe, prescribe_hipec
from hipectrial.data import Cytology, Sex
from hipectrial.protocol import Expression, Protocol, Scope, bound, load_protocol
from hipectrial.simulate.course.run import simulate_course
from hipectrial.simulate.scenario.world import load_scenario
from hipectrial.simulate.types import Enrolment, LabValue, ScreeningProfile

Calls = dict[str, list[dict[str, Any]]]


def _enrolment(index: int) -> Enrolment:
    her2 = index % 2 == 1
    labs = {
        "NEUT": LabValue(Decimal("3.6"), "10^9/L", Decimal("2.0"), Decimal("7.5")),
        "PLAT": LabValue(Decimal("210"), "10^9/L", Decimal("100"), Decimal("300")),
        "HGB": LabValue(Decimal("128"), "g/L", Decimal("120"), Decimal("160")),
        "ALT": LabValue(Decimal("25"), "U/L", None, Decimal("40")),
        "AST": LabValue(Decimal("27"), "U/L", None, Decimal("40")),
        "BILI": LabValue(Decimal("11.2"), "umol/L", Decimal("3.4"), Decimal("20.5")),
        "CREAT": LabValue(Decimal("78"), "umol/L", Decimal("44"), Decimal("133")),
    }
    profile = ScreeningProfile(
        participant_id=f"SH01-{index + 1:03d}", site_id="SH01", sex=Sex.MALE,
        birth_date=dt.date(1965, 3, 2), consent_date=dt.date(2025, 1, 6),
        screening_date=dt.date(2025, 1, 10), height_cm=Decimal("170"), weight_kg=Decimal("65.0"),
        ecog=1, labs=labs, pci=(1, 2, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0), cytology=Cytology.CY1,
        her2_positive=her2, lvef_percent=Decimal("62") if her2 else None)
    return Enrolment(profile=profile, registration_date=dt.date(2025, 1, 20),
                     cohort="HER2-positive" if her2 else "HER2-negative",
                     dose_level=("1", "2", "3")[index % 3], study_part="part_a")


def _record(protocol: Protocol, courses: int) -> Calls:
    """The engine calls the simulator makes in ``courses`` default courses."""
    calls: Calls = {"decide_modifications": [], "prescribe": [], "prescribe_hipec": []}

    def recorder(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(**kwargs: Any) -> Any:
            calls[name].append(kwargs)
            return function(**kwargs)
        return call

    params = load_scenario("default").course
    with mock.patch.multiple(course_treatment,
                             decide_modifications=recorder("decide_modifications", decide_modifications),
                             prescribe=recorder("prescribe", prescribe),
                             prescribe_hipec=recorder("prescribe_hipec", prescribe_hipec)):
        course_treatment.clear_memos(protocol)   # record every call, not only the first of a key
        for i in range(courses):
            simulate_course(protocol=protocol, params=params, enrolment=_enrolment(i),
                            dlt_probability=0.3, rng=np.random.default_rng(i), horizon_days=1826)
    return calls


def _per_call(function: Callable[..., Any], calls: list[dict[str, Any]], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for kwargs in calls:
            function(**kwargs)
        times.append((time.perf_counter() - start) / len(calls))
    return statistics.median(times)


@contextmanager
def _caches_off() -> Iterator[None]:
    with mock.patch.object(bound, "BOUND_CACHE_SIZE", 0), \
            mock.patch.object(engine_cache, "ENABLED", False):
        yield


def _one_cel_evaluation(protocol: Protocol, repeat: int) -> float:
    """A fresh-context evaluation of the retreatment ANC criterion (the yardstick)."""
    scope: Scope = protocol.scope
    expression: Expression = protocol.dose_modifications.retreatment.criteria[0].expression
    values = {name: Decimal("2.5") for name in expression.variables}
    with _caches_off():
        return _per_call(lambda: scope.truth(expression, values), [{}] * 2000, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--courses", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    protocol = load_protocol()
    calls = _record(protocol, args.courses)
    cel = _one_cel_evaluation(protocol, args.repeat)
    functions: dict[str, Callable[..., Any]] = {
        "decide_modifications": decide_modifications, "prescribe": prescribe,
        "prescribe_hipec": prescribe_hipec}
    print(f"engine calls of {args.courses} default courses, mean per call, median of {args.repeat}:")
    print(f"  {'':22s} {'calls':>6s} {'cached':>10s} {'no caches':>10s} {'speed-up':>9s} "
          f"{'in CEL evals':>12s}")
    for name, function in functions.items():
        if not calls[name]:
            continue
        fast = _per_call(function, calls[name], args.repeat)
        with _caches_off():
            slow = _per_call(function, calls[name], args.repeat)
        print(f"  {name:22s} {len(calls[name]):6d} {fast * 1e3:8.3f}ms {slow * 1e3:8.3f}ms "
              f"{slow / fast:8.2f}x {fast / cel:12.1f}")
    print(f"  one CEL evaluation (fresh context, the yardstick): {cel * 1e6:.1f} us")


if __name__ == "__main__":
    main()
