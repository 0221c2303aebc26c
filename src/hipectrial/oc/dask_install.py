"""The dask worker plugin that installs a run's shipped data on every worker
(:mod:`hipectrial.oc.executors`); imported only when dask is used (an optional extra)."""

from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from hipectrial.oc.executors import install, uninstall


class DaskInstall(WorkerPlugin):
    """Installs ``value`` under ``token`` on each worker, also on every worker that joins
    later (a restarted one too), and removes it when the plugin is removed."""

    def __init__(self, token: str, value: object) -> None:
        self.token, self.value = token, value

    def setup(self, worker: Any) -> None:
        install(self.token, self.value)

    def teardown(self, worker: Any) -> None:
        uninstall(self.token)
