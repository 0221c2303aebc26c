"""Where many independent simulations run: this process, a local process pool, or a
dask.distributed cluster (DESIGN.md, "Scale beyond one machine"; stack.md §10).

Every choice ends in a standard :class:`concurrent.futures.Executor` — a
:class:`~concurrent.futures.ProcessPoolExecutor`, or ``distributed.Client.get_executor()``
— so the callers have one code path: submit, collect, retry. There is no scheduler here.

* ``local`` (the default): a process pool of ``workers`` processes (one per CPU when not
  given); ``workers=1`` runs everything in this process, one after the other.
* ``dask``: a ``distributed.LocalCluster`` started here (``workers`` processes, one thread
  each) and closed after, or, with ``scheduler``, the running cluster at that address
  (left running). dask and distributed are an optional extra
  (``pip install -e '.[distributed]'``); without them the choice is refused with that
  command.

Data every task needs (a protocol, a scenario) is **shipped once per worker**: on a pool
through the pool's initializer, on dask through a worker plugin, which the scheduler also
gives to every worker that joins later (a restarted worker too, where scattered data would
be lost with the worker that held it). Each opening has its own token, so two runs sharing
a cluster do not mix their data. Tasks that raise are retried by the callers (:mod:`hipectrial.oc.run`),
the same way on every executor; a pool whose process died is replaced
(:meth:`Backend.restart`); on dask a lost worker's tasks are re-run by the scheduler itself.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from hipectrial.errors import InputError

__all__ = ["Backend", "ExecutorChoice", "ExecutorKind", "open_backend"]

#: A task function and its arguments (after the shipped value, when there is one).
Task = Callable[..., Any]


#: Seconds to wait for a dask cluster's first worker before refusing it.
WORKER_WAIT_S = 60.0


class ExecutorKind(StrEnum):
    LOCAL = "local"
    DASK = "dask"


@dataclass(frozen=True, slots=True)
class ExecutorChoice:
    """How to run: ``kind``, ``workers`` (``None``: one per CPU; a local cluster's size
    on dask) and, for dask, the ``scheduler`` address of a running cluster."""

    kind: ExecutorKind = ExecutorKind.LOCAL
    workers: int | None = None
    scheduler: str | None = None

    def __post_init__(self) -> None:
        if self.workers is not None and (isinstance(self.workers, bool) or self.workers < 1):
            raise InputError("workers", self.workers, "a whole number >= 1")
        if self.scheduler is not None and self.kind is not ExecutorKind.DASK:
            raise InputError("scheduler", self.scheduler, "only with the dask executor",
                             "--scheduler runs on dask: leave out --executor, or give --executor dask")
        if self.scheduler is not None and self.workers is not None:
            raise InputError("workers", self.workers, "not given with --scheduler",
                             "a running cluster has the workers it has")

    @property
    def label(self) -> str:
        if self.kind is ExecutorKind.DASK:
            return f"dask cluster at {self.scheduler}" if self.scheduler else \
                f"local dask cluster ({_workers(self.cpus)})"
        return "this process" if self.cpus == 1 else f"local process pool ({_workers(self.cpus)})"

    @property
    def cpus(self) -> int:
        return self.workers if self.workers is not None else (os.cpu_count() or 1)


# What each worker process holds: shipped values by token (a pool's initializer or a dask
# worker plugin puts them here; a task reads its own).
_INSTALLED: dict[str, object] = {}


def _workers(count: int) -> str:
    return "1 worker" if count == 1 else f"{count} workers"


def install(token: str, value: object) -> None:
    """Keep the shipped value for every task of this worker."""
    _INSTALLED[token] = value


def uninstall(token: str) -> None:
    """Forget the shipped value (a dask plugin's teardown)."""
    _INSTALLED.pop(token, None)


def _call_installed(token: str, fn: Task, *args: Any) -> Any:
    return fn(_INSTALLED[token], *args)


class Backend:
    """An open executor and the way a task reaches the shipped value.

    :meth:`submit` calls ``fn(shipped, *args)`` on a worker and returns a
    :class:`concurrent.futures.Future`; in this process (no executor) it runs ``fn`` at once
    and returns a finished future.
    """

    def __init__(self, choice: ExecutorChoice, *, shipped: object, token: str,
                 executor: Executor | None = None, on_pool: bool = False, workers: int = 1,
                 client: Any = None) -> None:
        self.choice = choice
        self.executor = executor
        self.workers = workers
        self.client = client
        self.generation = 0  # how often the pool was replaced
        self._shipped = shipped
        self._token = token
        self._on_pool = on_pool

    def submit(self, fn: Task, *args: Any) -> Future[Any]:
        """Run ``fn(shipped, *args)`` on a worker (here, without an executor)."""
        if self.executor is None:
            future: Future[Any] = Future()
            try:
                future.set_result(fn(self._shipped, *args))
            except Exception as exc:  # noqa: BLE001 - handed to the caller in the future, as a pool does
                future.set_exception(exc)
            return future
        return self.executor.submit(_call_installed, self._token, fn, *args)

    def restart(self) -> None:
        """Replace a local pool one of whose processes died (every task then pending on it
        failed with ``BrokenProcessPool``); its tasks must be submitted again."""
        if not self._on_pool or self.executor is None:
            raise RuntimeError("only a local process pool is restarted")
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = _pool(self.workers, self._token, self._shipped)
        self.generation += 1


def _pool(workers: int, token: str, shipped: object) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, initializer=install, initargs=(token, shipped))


def _dask() -> tuple[Any, Any]:
    try:
        import distributed
    except ImportError:
        raise InputError("executor", "dask", "dask.distributed installed",
                         "install the optional extra: pip install -e '.[distributed]'") from None
    return distributed.Client, distributed.LocalCluster


@contextlib.contextmanager
def open_backend(choice: ExecutorChoice, shipped: object = None) -> Iterator[Backend]:
    """Open the executor ``choice`` names with ``shipped`` on every worker; close what was
    opened here on exit (a cluster given by address is left running)."""
    token = f"hipectrial-oc-{uuid.uuid4().hex}"
    if choice.kind is ExecutorKind.LOCAL:
        if choice.cpus == 1:
            yield Backend(choice, shipped=shipped, token=token)
            return
        backend = Backend(choice, shipped=shipped, token=token, executor=_pool(choice.cpus, token, shipped),
                          on_pool=True, workers=choice.cpus)
        try:
            yield backend
        finally:
            if backend.executor is not None:
                backend.executor.shutdown(wait=True, cancel_futures=True)
        return
    client_cls, cluster_cls = _dask()
    with contextlib.ExitStack() as stack:
        if choice.scheduler is not None:
            try:
                client = client_cls(choice.scheduler, timeout="10s")
            except OSError as exc:
                raise InputError("scheduler", choice.scheduler, "the address of a running dask scheduler",
                                 f"could not connect: {exc}") from None
            stack.callback(client.close)
        else:
            cluster = cluster_cls(n_workers=choice.cpus, threads_per_worker=1, processes=True,
                                  dashboard_address=None)
            stack.callback(cluster.close)
            client = client_cls(cluster)
            stack.callback(client.close)
        try:
            client.wait_for_workers(1, timeout=WORKER_WAIT_S)
        except TimeoutError:
            raise InputError("scheduler", choice.scheduler or "local cluster", "a dask cluster with workers",
                             f"no worker joined within {WORKER_WAIT_S:g} s") from None
        workers = len(client.scheduler_info().get("workers", {}))
        from hipectrial.oc.dask_install import DaskInstall

        client.register_plugin(DaskInstall(token, shipped), name=token)
        if choice.scheduler is not None:  # a shared cluster keeps running: take our data back
            stack.callback(client.unregister_worker_plugin, token)
        yield Backend(choice, shipped=shipped, token=token, executor=client.get_executor(pure=False),
                      workers=workers, client=client)
