"""Preparing a database and serving the EDC with gunicorn (a real WSGI server)."""

from __future__ import annotations

from typing import Any


def migrate(verbosity: int = 0) -> None:
    """Apply the EDC's migrations (creating the database when new); seals the audit table."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def database_description() -> str:
    """Which database the EDC uses, for a person reading the console."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite database {settings['NAME']}"
    host, port = settings["HOST"] or "localhost", settings["PORT"] or 5432
    return f"PostgreSQL database {settings['NAME']} at {host}:{port}"


def is_empty() -> bool:
    from hipectrial.edc.accounts.models import User
    from hipectrial.edc.participants.models import Participant

    return not Participant.objects.exists() and not User.objects.exists()


def serve(*, host: str, port: int, workers: int, threads: int) -> None:
    """Serve the EDC on ``host:port`` with gunicorn (gthread workers) until interrupted."""
    from gunicorn.app.base import BaseApplication

    from hipectrial.edc.wsgi import application

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "accesslog": "-",
                "graceful_timeout": 10,
                "timeout": 60,
                # gunicorn's control socket is one file per user (~/.gunicorn/gunicorn.ctl):
                # a second EDC served by the same account would take it over; unused here
                "control_socket_disable": True,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    _App().run()
