"""Simulating many courses at once through an executor (DESIGN.md, "Scale beyond one machine").

The courses nobody waits for (every Part B course after the Simon look, and all of them
with ``participants=N``) are independent: each depends only on the protocol, the course
parameters, the enrolment and its own random stream. Where processes start by ``fork``
(Linux) a large trial uses :class:`~hipectrial.simulate.parallel.pool.TrialPool`, started
before Part B, which also screens ahead. This module covers the rest: the courses run here
(``workers`` below 2), on an executor given, or, where processes do not fork, in a local
pool of ``workers`` processes; chunks then carry the protocol as YAML text, parsed once per
worker process, so the jobs pickle without the compiled CEL programs.
:func:`auto_workers` chooses a pool only for a large batch where processes fork (starting a
pool and bringing the courses back costs more than a small batch saves;
``benchmarks/simulate.py`` prints both). Results are in input order and do not depend on
which worker ran what: the same seed gives the same data with or without a pool.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass

from hipectrial.protocol import Protocol, dump_protocol, parse_protocol
from hipectrial.simulate.scenario.course import CourseParameters
from hipectrial.simulate.screening.accrual import STREAM_COURSE, stream
from hipectrial.simulate.trial.result import CourseCall, CourseLike
from hipectrial.simulate.types import Enrolment

# A batch of at least this many courses goes to a pool by default: measured on 2 CPUs
# (benchmarks/simulate.py), 1,000 courses take ~0.66 of the time in two processes, while
# a pool for a few dozen courses costs more to start than it saves.
AUTO_POOL_MIN_COURSES = 200
AUTO_POOL_MAX_WORKERS = 4


def fork_available() -> bool:
    """Whether processes start by ``fork`` here (Linux): what a pool that inherits the
    trial from this process needs."""
    return multiprocessing.get_start_method(allow_none=False) == "fork"


def auto_workers(courses: int) -> int:
    """Processes to use for ``courses`` independent courses by default: one (no pool) for a
    small batch, on a single CPU, or where processes do not start by ``fork``; else one per
    CPU, at most :data:`AUTO_POOL_MAX_WORKERS`."""
    cpus = os.cpu_count() or 1
    if courses < AUTO_POOL_MIN_COURSES or cpus < 2 or not fork_available():
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
    return run_courses(_protocol(protocol_text), params, course, seed, jobs)


def run_courses(protocol: Protocol, params: CourseParameters, course: CourseCall, seed: int,
                jobs: Sequence[CourseJob]) -> list[CourseLike]:
    """The courses of ``jobs``, one after the other, in this process."""
    return [course(protocol=protocol, params=params, enrolment=job.enrolment,
                   dlt_probability=job.dlt_probability, rng=stream(seed, STREAM_COURSE, *job.key),
                   horizon_days=job.horizon_days) for job in jobs]


def simulate_courses(protocol: Protocol, params: CourseParameters, course: CourseCall, seed: int,
                     jobs: Sequence[CourseJob], *, workers: int,
                     executor: Executor | None = None) -> list[CourseLike]:
    """The courses of ``jobs`` in order, in ``workers`` processes (or on ``executor``).

    With ``workers`` below 2 and no executor they run here, one after the other; otherwise
    chunks carry the protocol as YAML text to the executor or to a pool of ``workers``
    processes started here.
    """
    if executor is None and workers < 2:
        return run_courses(protocol, params, course, seed, jobs)
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
