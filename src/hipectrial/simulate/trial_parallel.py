"""Simulating many courses at once through an executor (DESIGN.md, "Scale beyond one machine").

The courses nobody waits for (every Part B course after the Simon look, and all of them
with ``participants=N``) are independent: each depends only on the protocol, the course
parameters, the enrolment and its own random stream. They are handed to a
:class:`concurrent.futures.Executor`: a local process pool of ``workers`` processes, or any
executor given. Where processes start by ``fork`` (Linux) the pool's workers inherit the
protocol and the jobs from this process, so only the courses travel (pickled back, about
2 ms and 14 KB each, unpickled here one after the other); elsewhere, and on a given
executor, chunks carry the protocol as YAML text, parsed once per worker process, so the
jobs pickle without the compiled CEL programs. :func:`auto_workers` chooses a pool only
for a large batch where processes fork (starting a pool and bringing the courses back
costs more than a small batch saves; ``benchmarks/simulate.py`` prints both). Results are
in input order and do not depend on which worker ran what: the same seed gives the same
data with or without a pool.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from typing import cast

from hipectrial.protocol import Protocol, dump_protocol, parse_protocol
from hipectrial.simulate.scenario_course import CourseParameters
from hipectrial.simulate.screening_accrual import STREAM_COURSE, stream
from hipectrial.simulate.trial_result import CourseCall, CourseLike
from hipectrial.simulate.types import Enrolment

# A batch of at least this many courses goes to a pool by default: measured on 2 CPUs
# (benchmarks/simulate.py), 1,000 courses take ~0.66 of the time in two processes, while
# a pool for a few dozen courses costs more to start than it saves.
AUTO_POOL_MIN_COURSES = 200
AUTO_POOL_MAX_WORKERS = 4


def auto_workers(courses: int) -> int:
    """Processes to use for ``courses`` independent courses by default: one (no pool) for a
    small batch, on a single CPU, or where processes do not start by ``fork``; else one per
    CPU, at most :data:`AUTO_POOL_MAX_WORKERS`."""
    cpus = os.cpu_count() or 1
    forks = multiprocessing.get_start_method(allow_none=False) == "fork"
    if courses < AUTO_POOL_MIN_COURSES or cpus < 2 or not forks:
        return 0
    return min(cpus, AUTO_POOL_MAX_WORKERS)


@dataclass(frozen=True, slots=True)
class CourseJob:
    """One course to simulate: the enrolment, its stream key and the follow-up horizon."""

    enrolment: Enrolment
    key: tuple[int, int]
    dlt_probability: float
    horizon_days: int


@functools.lru_cache(maxsize=2)
def _protocol(text: str) -> Protocol:
    return parse_protocol(text, "<simulated protocol>")


def _run_chunk(protocol_text: str, params: CourseParameters, course: CourseCall, seed: int,
               jobs: Sequence[CourseJob]) -> list[CourseLike]:
    return _run(_protocol(protocol_text), params, course, seed, jobs)


def _run(protocol: Protocol, params: CourseParameters, course: CourseCall, seed: int,
         jobs: Sequence[CourseJob]) -> list[CourseLike]:
    return [course(protocol=protocol, params=params, enrolment=job.enrolment,
                   dlt_probability=job.dlt_probability, rng=stream(seed, STREAM_COURSE, *job.key),
                   horizon_days=job.horizon_days) for job in jobs]


# What a forked worker inherited from the parent (set by :func:`_inherit` in the worker).
_INHERITED: dict[str, object] = {}


def _inherit(protocol: Protocol, params: CourseParameters, course: CourseCall, seed: int,
             jobs: Sequence[CourseJob]) -> None:
    _INHERITED.update(protocol=protocol, params=params, course=course, seed=seed, jobs=jobs)


def _run_inherited(first: int, step: int) -> list[CourseLike]:
    jobs = cast(Sequence[CourseJob], _INHERITED["jobs"])
    return _run(_INHERITED["protocol"], _INHERITED["params"], _INHERITED["course"],  # type: ignore[arg-type]
                _INHERITED["seed"], jobs[first::step])  # type: ignore[arg-type]


def simulate_courses(protocol: Protocol, params: CourseParameters, course: CourseCall, seed: int,
                     jobs: Sequence[CourseJob], *, workers: int,
                     executor: Executor | None = None) -> list[CourseLike]:
    """The courses of ``jobs`` in order, in ``workers`` processes (or on ``executor``).

    With ``workers`` below 2 and no executor they run here, one after the other. Where
    processes start by ``fork`` (Linux), the workers inherit the protocol and the jobs
    from this process (nothing is pickled on the way out) and each takes every
    ``workers``-th job; elsewhere, and on a given executor, chunks carry the protocol as
    YAML text.
    """
    if executor is None and workers < 2:
        return _run(protocol, params, course, seed, jobs)
    if executor is None and multiprocessing.get_start_method(allow_none=False) == "fork":
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_inherit,
                                 initargs=(protocol, params, course, seed, jobs)) as forked:
            tasks = min(len(jobs), 4 * workers) or 1
            futures = [forked.submit(_run_inherited, k, tasks) for k in range(tasks)]
            parts = [future.result() for future in futures]
        out: list[CourseLike] = [None] * len(jobs)  # type: ignore[list-item]
        for k, part in enumerate(parts):
            out[k::tasks] = part
        return out
    text = dump_protocol(protocol)
    parts_n = max(2, 4 * (workers or 1))
    size = max(1, -(-len(jobs) // parts_n))
    chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    own = executor is None
    pool = executor if executor is not None else ProcessPoolExecutor(max_workers=workers)
    try:
        futures = [pool.submit(_run_chunk, text, params, course, seed, chunk) for chunk in chunks]
        return [c for future in futures for c in future.result()]
    finally:
        if own:
            pool.shutdown()
