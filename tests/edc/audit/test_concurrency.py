"""Two saves at once never fork the chain (PostgreSQL: the chain head's row lock; SQLite
serialises writers with IMMEDIATE transactions, and its in-memory test database cannot show
two writers at once)."""

from __future__ import annotations

import itertools
import threading

import pytest
from tests.edc.audit.conftest import ON_POSTGRES

pytestmark = [
    pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (DATABASE_URL names no PostgreSQL server)"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(120),
]

THREADS, WRITES = 4, 15


def test_writers_appending_at_once_never_fork_the_chain() -> None:
    from django.db import connection

    from hipectrial.edc.accounts.services import user_create
    from hipectrial.edc.audit.models import AuditEntry
    from hipectrial.edc.audit.selectors import verify_chain

    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(WRITES):
                user_create(actor="test", username=f"user-{n}-{i}", password="x", check_password=False)
        except Exception as exc:  # noqa: BLE001 — reported below: any writer's error fails the test
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    entries = list(AuditEntry.objects.order_by("id").values_list("id", "prev_seal", "seal", "record_key"))
    assert len(entries) == THREADS * WRITES
    assert [e[0] for e in entries] == list(range(1, THREADS * WRITES + 1))
    assert all(later[1] == earlier[2] for earlier, later in itertools.pairwise(entries))
    # the writers really interleaved (otherwise this test would show nothing about locking)
    order = [key.split("-")[1] for *_, key in entries]
    assert sum(a != b for a, b in itertools.pairwise(order)) > THREADS - 1
    result = verify_chain()
    assert result.ok, result.problem


def test_verifying_while_writers_append_gives_no_false_alarm() -> None:
    from django.db import connection

    from hipectrial.edc.accounts.services import user_create
    from hipectrial.edc.audit.selectors import verify_chain

    done = threading.Event()
    problems: list[object] = []
    verified = [0]

    def writer(n: int) -> None:
        try:
            for i in range(WRITES * 2):
                user_create(actor="test", username=f"w-{n}-{i}", password="x", check_password=False)
        finally:
            connection.close()

    def verifier() -> None:
        try:
            while not done.is_set():
                result = verify_chain(batch=7)  # small batches: writers get in between them
                verified[0] += 1
                if not result.ok:
                    problems.append(result.problem)
        finally:
            connection.close()

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    checking = threading.Thread(target=verifier)
    checking.start()
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    done.set()
    checking.join()
    assert problems == []
    assert verified[0] > 3
    assert verify_chain().ok
