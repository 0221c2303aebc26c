"""Run a function over a grid of scenarios through a pluggable executor (DESIGN.md, "Scale
beyond one machine").

The work is handed to a :class:`concurrent.futures.Executor`: a local process pool by
default, or any executor given (a thread pool in tests, a Ray- or Dask-backed executor on a
cluster). There is no scheduler here: submit, collect, report progress. Each scenario gets
its own seed spawned from one root seed with :class:`numpy.random.SeedSequence`, so results
depend on the root seed and the scenario's position, never on which worker ran it or when.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from typing import TypeVar

import numpy as np

from hipectrial.errors import InputError

__all__ = ["run_grid", "scenario_seeds"]

S = TypeVar("S")
R = TypeVar("R")


def scenario_seeds(seed: int, count: int) -> list[int]:
    """One 63-bit seed per scenario, spawned from ``seed`` (``SeedSequence.spawn``).

    >>> scenario_seeds(1, 3) == scenario_seeds(1, 3)
    True
    >>> len(set(scenario_seeds(1, 100)))
    100
    """
    if not isinstance(seed, int) or seed < 0:
        raise InputError("seed", seed, "a whole number >= 0")
    children = np.random.SeedSequence(seed).spawn(count)
    return [int(child.generate_state(1, np.uint64)[0] >> np.uint64(1)) for child in children]


def run_grid(fn: Callable[[S, int], R], scenarios: Sequence[S], *, seed: int = 0,
             executor: Executor | None = None, max_workers: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> list[R]:
    """``fn(scenario, seed)`` for every scenario, results in scenario order.

    Parameters
    ----------
    fn : callable
        Called as ``fn(scenario, seed)``; with the default process pool it and the scenarios
        must be picklable (a module-level function, ``functools.partial`` of one).
    scenarios : sequence
        The grid, one item per run.
    seed : int
        Root seed; scenario ``i`` receives ``scenario_seeds(seed, len(scenarios))[i]``.
    executor : concurrent.futures.Executor, optional
        Where to run; left open for the caller to reuse. When omitted a
        ``ProcessPoolExecutor(max_workers)`` is created and shut down here.
    max_workers : int, optional
        Workers of the default process pool.
    progress : callable, optional
        Called as ``progress(done, total)`` after each scenario finishes (in the caller's
        process, in completion order).

    Returns
    -------
    list
        ``fn``'s results, in the order of ``scenarios``.

    Examples
    --------
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> with ThreadPoolExecutor(2) as pool:
    ...     run_grid(lambda s, seed: s * 2, [1, 2, 3], executor=pool)
    [2, 4, 6]
    """
    items = list(scenarios)
    seeds = scenario_seeds(seed, len(items))
    own = executor is None
    pool: Executor = ProcessPoolExecutor(max_workers=max_workers) if executor is None else executor
    futures: dict[Future[R], int] = {}
    results: dict[int, R] = {}
    try:
        for i, (item, item_seed) in enumerate(zip(items, seeds, strict=True)):
            futures[pool.submit(fn, item, item_seed)] = i
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if progress is not None:
                progress(done, len(items))
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)
    return [results[i] for i in range(len(items))]
