"""Running the EDC's command line and server as separate processes, on a data directory of
their own (never the test database, never the CI's shared PostgreSQL database unless told)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

# Set in this process by pytest-django and the test settings; a child must choose its own.
_OURS = ("DJANGO_SETTINGS_MODULE", "HIPECTRIAL_DATA_DIR", "HIPECTRIAL_AUDIT_SEAL", "DATABASE_URL",
         "HIPECTRIAL_AUDIT_KEY", "HIPECTRIAL_SECRET_KEY")
CLI = [sys.executable, "-c", "from hipectrial.cli.main import main; main()"]


def child_env(database_url: str | None = None) -> dict[str, str]:
    """This process's environment without the test settings (SQLite unless ``database_url``)."""
    env = {k: v for k, v in os.environ.items() if k not in _OURS}
    env.setdefault("HIPECTRIAL_CACHE_DIR", "/tmp/hc-edc-tests")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def hipectrial(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 300,
               check: bool = True) -> subprocess.CompletedProcess[str]:
    """``hipectrial ARGS`` in a child process; raises with its output when it fails and ``check``."""
    done = subprocess.run([*CLI, *map(str, args)], env=env or child_env(), capture_output=True, text=True,
                          timeout=timeout, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"hipectrial {' '.join(map(str, args))} exited {done.returncode}:\n"
                             f"{done.stdout}\n{done.stderr}")
    return done


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
