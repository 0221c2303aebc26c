"""Simulating many courses at once through an executor (DESIGN.md, "Scale beyond one machine").

The courses nobody waits for (every Part B course after the Simon look, and all of them
with ``participants=N``) are independent: each depends only on the protocol, the course
parameters, the enrolment and its own random stream. They are cut into chunks and handed to
a :class:`concurrent.futures.Executor` — a local process pool of ``workers`` processes, or
any executor given. It is opt-in: measured on a 2-CPU machine shared with other work, the
pool's pickling (about 3 ms per course, 14 KB) and the competition for the CPUs made it
slower than one process (``benchmarks/simulate.py`` prints both); on an idle machine it
saved about a quarter. A chunk carries the protocol as YAML text, parsed once per worker process, so the
jobs pickle without the compiled CEL programs. Results are in input order and do not depend
on which worker ran what: the same seed gives the same data with or without a pool.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass

from hipectrial.protocol import Protocol, dump_protocol, parse_protocol
from hipectrial.simulate.scenario_course import CourseParameters
from hipectrial.simulate.screening_accrual import STREAM_COURSE, stream
from hipectrial.simulate.trial_result import CourseCall, CourseLike
from hipectrial.simulate.types import Enrolment


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
    protocol = _protocol(protocol_text)
    return [course(protocol=protocol, params=params, enrolment=job.enrolment,
                   dlt_probability=job.dlt_probability, rng=stream(seed, STREAM_COURSE, *job.key),
                   horizon_days=job.horizon_days) for job in jobs]


def simulate_courses(protocol: Protocol, params: CourseParameters, course: CourseCall, seed: int,
                     jobs: Sequence[CourseJob], *, workers: int,
                     executor: Executor | None = None) -> list[CourseLike]:
    """The courses of ``jobs`` in order, in ``workers`` processes (or on ``executor``).

    With ``workers`` below 2 and no executor they run here, one after the other.
    """
    if executor is None and workers < 2:
        return [course(protocol=protocol, params=params, enrolment=job.enrolment,
                       dlt_probability=job.dlt_probability,
                       rng=stream(seed, STREAM_COURSE, *job.key), horizon_days=job.horizon_days)
                for job in jobs]
    text = dump_protocol(protocol)
    parts = max(2, 4 * (workers or 1))
    size = max(1, -(-len(jobs) // parts))
    chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    own = executor is None
    pool = executor if executor is not None else ProcessPoolExecutor(max_workers=workers)
    try:
        futures = [pool.submit(_run_chunk, text, params, course, seed, chunk) for chunk in chunks]
        return [c for future in futures for c in future.result()]
    finally:
        if own:
            pool.shutdown()
