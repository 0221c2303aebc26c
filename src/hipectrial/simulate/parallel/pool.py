"""A forked process pool for one large virtual trial: it screens ahead and simulates courses.

Screening one person and simulating one course each depend only on the protocol, the
scenario, the seed and the person's own random stream (:mod:`~hipectrial.simulate.trial.run`), so both can run
in other processes while this one keeps the trial's order:

* **Screening ahead.** The orchestrator takes arrivals one by one (who is screened, who
  registers and when recruitment stops are decisions made here, in order). While it does,
  :class:`ScreeningAhead` has the next arrivals screened in the pool, each under the
  participant id it will get if every arrival before it is screened too. A result is used
  only when the arrival and the id are those the orchestrator then actually has; otherwise
  (arrivals passed over while registration was paused, a person left out at a fixed
  cut-off) the person is screened here and the look-ahead starts again from there. A
  screening computed in a worker is the same as one computed here (same function, same
  inputs, same stream), so the data do not depend on the pool; people screened ahead and
  never needed cost only time (at most :data:`SCREEN_CHUNK` x (workers + 1) of them).
* **Courses.** The courses nobody waits for go to the pool in chunks, in order.

The workers start by ``fork`` when the pool starts (before Part B), so they inherit the
protocol, the screening context, the course function and the seed; what travels is small
(arrivals, enrolments) one way and the results the other, pickled by :mod:`.transfer`.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any, cast

from hipectrial.protocol import Protocol
from hipectrial.simulate.parallel import transfer
from hipectrial.simulate.parallel.executor import CourseJob, auto_workers, fork_available, run_courses
from hipectrial.simulate.scenario.course import CourseParameters
from hipectrial.simulate.screening.accrual import STREAM_SCREENING, Arrival, ArrivalStream, stream
from hipectrial.simulate.screening.screen import Screening, ScreeningContext, screen_person
from hipectrial.simulate.trial.result import CourseCall, CourseLike

# Arrivals screened per task (about 1 ms each), and courses simulated per task (about
# 10 ms each): tasks long enough that sending them costs little, short enough that the
# workers finish together.
SCREEN_CHUNK = 16
COURSE_CHUNK = 8

# What a forked worker inherited from the parent (set by :func:`_inherit` in the worker).
_INHERITED: dict[str, Any] = {}


def _inherit(protocol: Protocol, context: ScreeningContext, params: CourseParameters,
             course: CourseCall, seed: int) -> None:
    _INHERITED.update(protocol=protocol, context=context, params=params, course=course, seed=seed)


def participant_id(site_id: str, number: int) -> str:
    """A participant's id: the site's id and the person's number at the site (1, 2, ...)."""
    return f"{site_id}-{number:03d}"


def screen_arrival(context: ScreeningContext, seed: int, arrival: Arrival, pid: str) -> Screening:
    """Screen the person of ``arrival`` under ``pid`` (the same here and in a worker)."""
    return screen_person(context=context, site=context.scenario.sites[arrival.site_index],
                         participant_id=pid, consent_date=arrival.date,
                         rng=stream(seed, STREAM_SCREENING, arrival.site_index, arrival.number))


def _screen_inherited(items: Sequence[tuple[Arrival, str]]) -> bytes:
    context = cast(ScreeningContext, _INHERITED["context"])
    seed = cast(int, _INHERITED["seed"])
    return transfer.dumps([screen_arrival(context, seed, arrival, pid) for arrival, pid in items])


def _courses_inherited(jobs: Sequence[CourseJob]) -> bytes:
    return transfer.dumps(run_courses(_INHERITED["protocol"], _INHERITED["params"], _INHERITED["course"],
                                      _INHERITED["seed"], jobs))


class TrialPool:
    """``workers`` forked processes that inherit one trial's protocol, context and seed."""

    def __init__(self, workers: int, *, protocol: Protocol, context: ScreeningContext,
                 params: CourseParameters, course: CourseCall, seed: int) -> None:
        if workers < 2:
            raise ValueError(f"a pool needs at least 2 workers; got {workers}")
        self.workers = workers
        self.seed = seed
        self.context = context
        self._pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("fork"),
            initializer=_inherit, initargs=(protocol, context, params, course, seed))

    def screen(self, items: Sequence[tuple[Arrival, str]]) -> Future[bytes]:
        """Screen each (arrival, participant id) in a worker; the future's bytes are the
        list of :class:`Screening` (:func:`transfer.loads`)."""
        return self._pool.submit(_screen_inherited, tuple(items))

    def courses(self, jobs: Sequence[CourseJob]) -> list[CourseLike]:
        """The courses of ``jobs``, in order."""
        futures = [self._pool.submit(_courses_inherited, jobs[i:i + COURSE_CHUNK])
                   for i in range(0, len(jobs), COURSE_CHUNK)]
        out: list[CourseLike] = []
        for future in futures:
            out.extend(transfer.loads(future.result()))
        return out

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def start_pool(target: int, workers: int | None, executor: Executor | None, *, protocol: Protocol,
               context: ScreeningContext, params: CourseParameters, course: CourseCall,
               seed: int) -> TrialPool | None:
    """A pool for a Part B of ``target`` registrations: ``workers`` processes, or by default
    as many as :func:`~hipectrial.simulate.parallel.executor.auto_workers` gives for that many
    courses; none on an executor given, where processes do not fork, or below 2 workers."""
    count = workers if workers is not None else auto_workers(target)
    if executor is not None or count < 2 or not fork_available():
        return None
    return TrialPool(count, protocol=protocol, context=context, params=params, course=course, seed=seed)


class _Batch:
    """One screening task: its future and, once read, its screenings."""

    __slots__ = ("future", "screenings")

    def __init__(self, future: Future[bytes]) -> None:
        self.future = future
        self.screenings: list[Screening] | None = None

    def read(self) -> list[Screening] | None:
        """The screenings, or ``None`` when the task failed (the caller screens here, where
        the same error, if any, is raised for the person who really needs screening)."""
        if self.screenings is None:
            if self.future.exception() is not None:
                return None
            self.screenings = cast(list[Screening], transfer.loads(self.future.result()))
        return self.screenings


class ScreeningAhead:
    """Screenings of the arrivals ahead of the orchestrator, computed in the pool."""

    def __init__(self, pool: TrialPool, accrual: ArrivalStream, chunk: int = SCREEN_CHUNK) -> None:
        self._pool = pool
        self._accrual = accrual
        self._chunk = chunk
        self._window = chunk * (pool.workers + 1)
        self._entries: dict[int, tuple[Arrival, str, _Batch, int]] = {}
        self._frontier = 0                 # the next arrival index to hand to the pool
        self._numbers: list[int] = []      # each site's last number as of the frontier
        self.used = 0                      # screenings taken from the pool
        self.restarts = 0                  # times the look-ahead started again

    def screening(self, index: int, arrival: Arrival, pid: str, site_numbers: Sequence[int]) -> Screening:
        """The screening of arrival ``index`` under ``pid``; ``site_numbers`` are the sites'
        last numbers before this arrival (what the look-ahead predicts ids from)."""
        entry = self._entries.pop(index, None)
        if entry is None or entry[0] != arrival or entry[1] != pid:
            self._restart(index, site_numbers)
            entry = self._entries.pop(index)
        self._fill(index)
        screenings = entry[2].read()
        if screenings is None:
            return screen_arrival(self._pool.context, self._pool.seed, arrival, pid)
        self.used += 1
        return screenings[entry[3]]

    def _restart(self, index: int, site_numbers: Sequence[int]) -> None:
        for _, _, batch, _ in self._entries.values():
            batch.future.cancel()  # not started yet: dropped; running: its result is unused
        self._entries.clear()
        self._frontier = index
        self._numbers = list(site_numbers)
        self.restarts += 1
        self._fill(index)

    def _fill(self, index: int) -> None:
        """Hand the pool every arrival up to ``index`` + the window."""
        sites = self._pool.context.scenario.sites
        while self._frontier < index + self._window:
            items = []
            for k in range(self._frontier, self._frontier + self._chunk):
                arrival = self._accrual.at(k)
                self._numbers[arrival.site_index] += 1
                items.append((k, arrival, participant_id(sites[arrival.site_index].id,
                                                         self._numbers[arrival.site_index])))
            batch = _Batch(self._pool.screen([(a, pid) for _, a, pid in items]))
            for position, (k, arrival, pid) in enumerate(items):
                self._entries[k] = (arrival, pid, batch, position)
            self._frontier += self._chunk
