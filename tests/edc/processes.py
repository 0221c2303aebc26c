"""Running the EDC's command line and server as separate processes, on a data directory of
their own (never the test database, never the CI's shared PostgreSQL database unless told)."""

from __future__ import annotations

import contextlib
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


class Browser:
    """A minimal browser: cookies kept, Django's CSRF token taken from the form it posts."""

    def __init__(self, base: str) -> None:
        import http.cookiejar
        import urllib.request

        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str, timeout: float = 30) -> tuple[int, str, str]:
        """(status, final URL, body) of GET ``path`` (redirects followed)."""
        import urllib.error

        try:
            with self.opener.open(self.base + path, timeout=timeout) as response:
                return response.status, response.url, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.url, exc.read().decode("utf-8", "replace")

    def post(self, path: str, fields: dict[str, str], timeout: float = 30,
             from_page: tuple[str, ...] = ()) -> tuple[int, str, str]:
        """POST ``fields`` to ``path`` with the CSRF token of the page at ``path`` and the
        values its form holds for the names in ``from_page`` (``__version``)."""
        import re
        import urllib.error
        import urllib.parse
        import urllib.request

        _, _, page = self.get(path, timeout)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise AssertionError(f"no CSRF token in the page at {path}")
        taken = {}
        for name in from_page:
            found = re.search(rf'name="{name}" value="([^"]*)"', page)
            if found is None:
                raise AssertionError(f"no {name} in the page at {path}")
            taken[name] = found.group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **taken, **fields}).encode("utf-8")
        request = urllib.request.Request(self.base + path, data=data, headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.url, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.url, exc.read().decode("utf-8", "replace")

    def login(self, username: str, password: str) -> tuple[int, str, str]:
        return self.post("/accounts/login/", {"username": username, "password": password})


class Server:
    """``hipectrial serve ARGS`` in its own process group; :meth:`wait_ready` waits for its
    "Open http://" line, :meth:`stop` ends the group (SIGTERM, or SIGKILL with ``kill=True``)."""

    def __init__(self, log: Path, *args: str | Path, env: dict[str, str] | None = None) -> None:
        self.log = log
        self._out = log.open("w", encoding="utf-8")
        self.process = subprocess.Popen([*CLI, "serve", *map(str, args)], env=env or child_env(),
                                        stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, port: int, timeout: float = 180) -> None:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited {self.process.returncode}:\n{self.output()}")
            if "Open http://" in self.output():
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    return
                except OSError:
                    pass
            time.sleep(0.1)
        raise AssertionError(f"the server was not ready after {timeout} s:\n{self.output()}")

    def stop(self, kill: bool = False) -> None:
        import signal

        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)
        self._out.close()
