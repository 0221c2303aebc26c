"""Accrual: people arriving for screening at each site, merged in time.

Each site is a Poisson process of consents from its activation day at its
``screened_per_month`` rate (1 month = 30.4375 days), drawn from its own random stream, so
one site's arrivals never depend on another's. The merged stream is produced lazily in
time order (ties by site order); the orchestrator skips arrivals while registration is
paused or closed — those people are not screened at all.
"""

from __future__ import annotations

import collections
import datetime as dt
import heapq
from dataclasses import dataclass

import numpy as np

from hipectrial.clinical.numbers import DAYS_PER_MONTH
from hipectrial.simulate.scenario.world import Scenario

# Spawn keys of the independent random streams of one simulation (SeedSequence spawn_key):
# accrual per site, screening per arrival, course per arrival.
STREAM_ACCRUAL = 1
STREAM_SCREENING = 2
STREAM_COURSE = 3


def stream(seed: int, *key: int) -> np.random.Generator:
    """The random stream keyed by ``key`` under ``seed``: independent of every other key, so
    the draws of one person never depend on how many draws anyone else used."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


@dataclass(frozen=True, slots=True)
class Arrival:
    """One person consenting at a site. ``number`` counts the site's arrivals from 0
    (screened or not); it keys the person's random streams."""

    date: dt.date
    site_index: int
    number: int


class ArrivalStream:
    """The merged arrival stream of every site, in time order, produced on demand."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self._start = scenario.start_date
        self._rngs = [stream(seed, STREAM_ACCRUAL, i) for i in range(len(scenario.sites))]
        self._mean_gap = [DAYS_PER_MONTH / s.screened_per_month for s in scenario.sites]
        self._counts = [0] * len(scenario.sites)
        self._heap: list[tuple[float, int]] = []
        self._ahead: collections.deque[Arrival] = collections.deque()  # drawn, not yet taken
        self.taken = 0  # arrivals taken by next() so far: the index of the next one
        for i, site in enumerate(scenario.sites):
            heapq.heappush(self._heap, (site.activation_day + self._gap(i), i))

    def _gap(self, site_index: int) -> float:
        return float(self._rngs[site_index].exponential(self._mean_gap[site_index]))

    def peek(self) -> Arrival:
        """The next arrival, left in the stream."""
        return self.at(self.taken)

    def at(self, index: int) -> Arrival:
        """The arrival at ``index`` in the merged stream (0 the first ever), which must not be
        taken yet; drawing ahead changes nothing that comes after (each site's stream is its
        own, and the merge is by time, then site)."""
        offset = index - self.taken
        if offset < 0:
            raise ValueError(f"arrival {index} was taken already (next is {self.taken})")
        while len(self._ahead) <= offset:
            self._ahead.append(self._draw())
        return self._ahead[offset]

    def next(self) -> Arrival:
        """The next arrival at any site."""
        arrival = self.peek()
        self._ahead.popleft()
        self.taken += 1
        return arrival

    def _draw(self) -> Arrival:
        time, i = heapq.heappop(self._heap)
        heapq.heappush(self._heap, (time + self._gap(i), i))
        number = self._counts[i]
        self._counts[i] += 1
        return Arrival(self._start + dt.timedelta(days=int(time)), i, number)

    def skip_to(self, day: dt.date) -> int:
        """Pass over the arrivals before ``day`` (registration paused or closed: those people
        are not screened); how many were passed over."""
        skipped = 0
        while self.peek().date < day:
            self.next()
            skipped += 1
        return skipped
