"""Integrity under ``kill -9`` (issue 12, item 8): a process killed in the middle of saving
leaves each change with its audit entry, or neither.

A writer process saves through the services in a loop (a record changed with a reason, a
participant screened); it is killed with SIGKILL at seeded random moments, ten times, and
restarted. Afterwards the database is sound (SQLite ``PRAGMA integrity_check``), the audit
chain verifies, and the data and the trail agree one for one: the record's version is one
more than its number of ``change`` entries and its content is the last entry's new value;
there are as many participants as ``create`` entries for them. The same runs against a
real gunicorn server (``hipectrial serve``) killed while coordinators save a CRF through its
pages (the vital signs form, version taken from the page, conflicts allowed): the record's
``create`` and ``change`` entries match its version and the last entry holds its value;
and killed while it serves audited downloads (every complete download has its entry).
On SQLite always; on PostgreSQL too when DATABASE_URL names a server (in a database of its
own, ``hipectrial_crash``, dropped afterwards).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.edc.processes import CLI, Browser, Server, child_env, free_port, hipectrial

pytestmark = pytest.mark.timeout(600)

DATABASE_URL = os.environ.get("DATABASE_URL", "")
KILLS = 10
CLIENTS = 3
SEED = 8

# Seeds a site, a coordinator, a statistician, a participant and one visit record (once).
_SEED = """
import datetime as dt, sys
from pathlib import Path
from hipectrial.edc.bootstrap import setup
setup(Path(sys.argv[1]))
from hipectrial.data.records import Visit
from hipectrial.edc.accounts.services import role_grant, user_create
from hipectrial.edc.crfs.services import record_create
from hipectrial.edc.participants.services import participant_screen
from hipectrial.edc.sites.services import site_add
site = site_add(actor="test", code="SH01", name="Shanghai General Hospital", country="CN")
coordinator = user_create(actor="test", username="coord", password="crash-test-password-1", check_password=False)
role_grant(actor="test", user=coordinator, role="coordinator", site=site)
stat = user_create(actor="test", username="stat", password="crash-test-password-1", check_password=False)
role_grant(actor="test", user=stat, role="statistician", site=None)
person = participant_screen(actor=coordinator, site=site, sex="female", birth_date=dt.date(1960, 1, 1),
                            consent_date=dt.date(2026, 1, 5), protocol_version="1.0")
record_create(actor=coordinator, participant=person, kind="visits", protocol_version="1.0",
              record=Visit(participant_id=person.participant_id, visit_id="screening",
                           actual_date=dt.date(2026, 1, 5)))
"""

# Saves forever: the visit's date moves a day each time (with a reason), and every third
# save screens a new participant. Prints "saving" once the first save is done.
_WRITER = """
import datetime as dt, sys
from pathlib import Path
from hipectrial.edc.bootstrap import setup
setup(Path(sys.argv[1]))
from hipectrial.data.records import Visit
from hipectrial.edc.accounts.models import User
from hipectrial.edc.crfs.codec import from_payload
from hipectrial.edc.crfs.models import Record
from hipectrial.edc.crfs.services import record_change
from hipectrial.edc.participants.services import participant_screen
from hipectrial.edc.sites.models import Site
coordinator = User.objects.get(username="coord")
site = Site.objects.get(code="SH01")
n = 0
while True:
    record = Record.objects.get(key="SH01-001/screening#1")
    day = from_payload(record.kind, record.payload).actual_date + dt.timedelta(days=1)
    record_change(actor=coordinator, record=record, expected_version=record.version, reason="corrected",
                  protocol_version="1.0", new=Visit(participant_id="SH01-001", visit_id="screening", actual_date=day))
    if n % 3 == 0:
        participant_screen(actor=coordinator, site=site, sex="male", birth_date=dt.date(1955, 2, 2),
                           consent_date=dt.date(2026, 1, 6), protocol_version="1.0")
    n += 1
    if n == 1:
        print("saving", flush=True)
"""


class Store:
    """The database the processes write, read behind their back for the checks."""

    def __init__(self, data_dir: Path, database_url: str | None) -> None:
        self.data_dir, self.database_url = data_dir, database_url

    def env(self) -> dict[str, str]:
        return child_env(self.database_url)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url) as connection:
                return connection.execute(sql).fetchall()
        connection = sqlite3.connect(self.data_dir / "edc.sqlite3")
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    data_dir = tmp_path / "data"
    if request.param == "sqlite":
        yield Store(data_dir, None)
        return
    if not DATABASE_URL.startswith("postgres"):
        pytest.skip("DATABASE_URL names no PostgreSQL server")
    psycopg = pytest.importorskip("psycopg", reason="install the 'postgres' extra")
    url = DATABASE_URL.rsplit("/", 1)[0] + "/hipectrial_crash"
    with psycopg.connect(DATABASE_URL, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS hipectrial_crash WITH (FORCE)")
        admin.execute("CREATE DATABASE hipectrial_crash")
    try:
        yield Store(data_dir, url)
    finally:
        with psycopg.connect(DATABASE_URL, autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS hipectrial_crash WITH (FORCE)")


def _prepare(store: Store) -> None:
    hipectrial("serve", "--prepare-only", "--data-dir", store.data_dir, env=store.env())
    # serve --prepare-only sealed the audit table on either database
    if store.database_url:
        triggers = store.rows("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditentry'::regclass "
                              "AND NOT tgisinternal")
        assert sorted(t for (t,) in triggers) == ["audit_no_change", "audit_no_truncate"]
    else:
        triggers = store.rows("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditentry'")
        assert sorted(t for (t,) in triggers) == ["audit_no_delete", "audit_no_update"]
    subprocess.run([*CLI[:1], "-c", _SEED, str(store.data_dir)], env=store.env(), check=True, timeout=120)


FORM_KEY = "SH01-001/screening#1/vital_signs"
FORM_URL = "/participants/SH01-001/visits/screening/1/vital_signs/"


def _check_form(store: Store) -> None:
    """The CRF record saved through the pages and its trail agree one for one."""
    rows = store.rows(f"SELECT version, payload FROM crfs_record WHERE key = '{FORM_KEY}'")
    entries = [(a, json.loads(c)) for a, c in store.rows(
        f"SELECT action, changes FROM audit_auditentry WHERE record_key = '{FORM_KEY}' ORDER BY id")]
    if not rows:
        assert entries == []
        return
    [(version, payload)] = rows
    assert [a for a, _ in entries] == ["create"] + ["change"] * (version - 1)
    rate = json.loads(payload)["values"]["heart_rate"]["value"]  # the data layer's typed value
    assert entries[-1][1]["values.heart_rate"][1] == rate


def _check(store: Store) -> None:
    if store.database_url is None:
        assert store.rows("PRAGMA integrity_check") == [("ok",)]
    done = hipectrial("audit", "verify", "--json", "--data-dir", store.data_dir, env=store.env(), check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["ok"] is True
    [(version, payload)] = store.rows("SELECT version, payload FROM crfs_record WHERE key = 'SH01-001/screening#1'")
    changes = [json.loads(c) for (c,) in store.rows(
        "SELECT changes FROM audit_auditentry WHERE record_key = 'SH01-001/screening#1' AND action = 'change' "
        "ORDER BY id")]
    assert version == len(changes) + 1
    if changes:
        assert json.loads(payload)["actual_date"] == changes[-1]["actual_date"][1]
    [(people,)] = store.rows("SELECT count(*) FROM participants_participant")
    [(created,)] = store.rows("SELECT count(*) FROM audit_auditentry WHERE record_kind = 'participants' "
                              "AND action = 'create'")
    assert people == created


def _kill_repeatedly(start: Callable[[], Any], wait_ready: Callable[[Any], None],
                     kill: Callable[[Any], None], store: Store, between: tuple[float, float],
                     kills: int = KILLS) -> None:
    rng = random.Random(SEED)
    for _ in range(kills):
        process = start()
        try:
            wait_ready(process)
            time.sleep(rng.uniform(*between))
        finally:
            kill(process)
        _check(store)


def test_a_writer_killed_mid_save_leaves_each_change_with_its_entry_or_neither(store: Store) -> None:
    _prepare(store)
    _check(store)

    def start() -> subprocess.Popen[str]:
        return subprocess.Popen([*CLI[:1], "-c", _WRITER, str(store.data_dir)], env=store.env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)

    def wait_ready(process: subprocess.Popen[str]) -> None:
        line = process.stdout.readline() if process.stdout else ""
        assert line.strip() == "saving", process.stderr.read() if process.stderr else line

    def kill(process: subprocess.Popen[str]) -> None:
        os.killpg(process.pid, 9)
        process.wait(timeout=20)
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()
        assert process.returncode == -9  # killed while saving, not ended by an error

    _kill_repeatedly(start, wait_ready, kill, store, (0.05, 0.8))
    [(version,)] = store.rows("SELECT version FROM crfs_record WHERE key = 'SH01-001/screening#1'")
    assert version > KILLS  # the writers did save between the kills


def test_a_server_killed_while_serving_audited_downloads_loses_no_entry(store: Store) -> None:
    _prepare(store)
    port = free_port()
    served: list[int] = []

    def start() -> tuple[Server, threading.Event, list[threading.Thread]]:
        server = Server(store.data_dir / "serve.log", "--data-dir", store.data_dir, "--port", str(port),
                        "--workers", "2", "--threads", "2", env=store.env())
        return server, threading.Event(), []

    def client(stop: threading.Event, logged_in: threading.Semaphore) -> None:
        browser = Browser(f"http://127.0.0.1:{port}")
        try:
            browser.login("stat", "crash-test-password-1")
            logged_in.release()
            while not stop.is_set():
                status, _, body = browser.get("/snapshot.json", timeout=10)
                if status == 200 and json.loads(body)["participants"]:
                    served.append(1)  # a complete download: its export entry must be there
        except (OSError, http.client.HTTPException, json.JSONDecodeError):
            return  # the server was killed under us

    def wait_ready(running: tuple[Server, threading.Event, list[threading.Thread]]) -> None:
        server, stop, threads = running
        server.wait_ready(port)
        logged_in = threading.Semaphore(0)
        threads.extend(threading.Thread(target=client, args=(stop, logged_in)) for _ in range(CLIENTS))
        for t in threads:
            t.start()
        for _ in threads:  # the kill comes while the clients download, not while they log in
            assert logged_in.acquire(timeout=60), server.output()

    def kill(running: tuple[Server, threading.Event, list[threading.Thread]]) -> None:
        server, stop, threads = running
        server.stop(kill=True)
        stop.set()
        for t in threads:
            t.join(timeout=30)

    _kill_repeatedly(start, wait_ready, kill, store, (0.3, 1.5), kills=KILLS // 2)
    [(exports,)] = store.rows("SELECT count(*) FROM audit_auditentry WHERE action = 'export'")
    assert len(served) > 0
    assert exports >= len(served)


def test_a_server_killed_while_coordinators_save_a_crf_keeps_each_save_with_its_entry(store: Store) -> None:
    _prepare(store)
    port = free_port()
    saved: list[int] = []

    def start() -> tuple[Server, threading.Event, list[threading.Thread]]:
        server = Server(store.data_dir / "serve.log", "--data-dir", store.data_dir, "--port", str(port),
                        "--workers", "2", "--threads", "2", env=store.env())
        return server, threading.Event(), []

    def client(stop: threading.Event, logged_in: threading.Semaphore, n: int) -> None:
        browser = Browser(f"http://127.0.0.1:{port}")
        rate = 60 + n
        try:
            browser.login("coord", "crash-test-password-1")
            logged_in.release()
            while not stop.is_set():
                rate = rate + CLIENTS if rate < 150 else 60 + n
                status, url, page = browser.post(FORM_URL, {
                    "vs_date": "2026-01-06", "height_cm": "170.0", "weight_kg": "70.0", "systolic_bp": "120",
                    "diastolic_bp": "80", "heart_rate": str(rate), "__action": "complete",
                    "__visit_date": "2026-01-06", "__reason": "re-measured"}, timeout=10, from_page=("__version",))
                if status == 200 and url.endswith(FORM_URL):
                    saved.append(rate)  # followed the redirect after a save
                elif status not in (200, 409):  # 409: another coordinator saved first
                    raise AssertionError(f"the save answered {status}: {page[:2000]}")
        except (OSError, http.client.HTTPException):
            return  # the server was killed under us

    def wait_ready(running: tuple[Server, threading.Event, list[threading.Thread]]) -> None:
        server, stop, threads = running
        server.wait_ready(port)
        logged_in = threading.Semaphore(0)
        threads.extend(threading.Thread(target=client, args=(stop, logged_in, n)) for n in range(CLIENTS))
        for t in threads:
            t.start()
        for _ in threads:
            assert logged_in.acquire(timeout=60), server.output()

    def kill(running: tuple[Server, threading.Event, list[threading.Thread]]) -> None:
        server, stop, threads = running
        server.stop(kill=True)
        stop.set()
        for t in threads:
            t.join(timeout=30)
        _check_form(store)

    _kill_repeatedly(start, wait_ready, kill, store, (0.3, 1.5))
    [(version,)] = store.rows(f"SELECT version FROM crfs_record WHERE key = '{FORM_KEY}'")
    assert len(saved) > KILLS  # saves went through between the kills
    assert version >= len(saved)  # every save the server confirmed is in the record
