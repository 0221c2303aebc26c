"""The storage back ends the suite runs against (DESIGN.md, "Storage").

CI runs the whole suite twice: on the embedded SQLite default, and with ``DATABASE_URL``
pointing at the PostgreSQL server on 127.0.0.1:5432 when one answers. Until the EDC issue
adds Django models, these tests check that the back end each leg targets is usable with the
settings the EDC will need; they skip, saying why, when their back end is not selected.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

DATABASE_URL = os.environ.get("DATABASE_URL", "")


@pytest.mark.skipif(DATABASE_URL.startswith("postgres"), reason="this leg runs on PostgreSQL")
def test_sqlite_default_supports_write_ahead_logging(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "hipectrial.sqlite3")
    try:
        mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        with connection:
            connection.execute("INSERT INTO t (v) VALUES ('x')")
        assert mode == "wal"
        assert connection.execute("SELECT v FROM t").fetchall() == [("x",)]
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.skipif(
    not DATABASE_URL.startswith("postgres"),
    reason="DATABASE_URL names no PostgreSQL server (CI sets it when 127.0.0.1:5432 answers)",
)
def test_postgresql_server_answers_and_rolls_back() -> None:
    psycopg = pytest.importorskip("psycopg", reason="install the 'postgres' extra")
    try:
        connection = psycopg.connect(DATABASE_URL, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"DATABASE_URL={DATABASE_URL} is set but the server does not answer: {exc}")
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE t (id serial PRIMARY KEY, v text)")
            cursor.execute("INSERT INTO t (v) VALUES (%s)", ("x",))
            cursor.execute("SELECT v FROM t")
            assert cursor.fetchall() == [("x",)]
            cursor.execute("SHOW server_version_num")
            assert int(cursor.fetchone()[0]) >= 120000
        connection.rollback()
    finally:
        connection.close()
