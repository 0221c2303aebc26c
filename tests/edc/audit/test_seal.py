"""The append-only seal: once installed, the database itself refuses UPDATE, DELETE (and on
PostgreSQL TRUNCATE) of audit entries, while the services still append. Each test runs in a
rolled-back transaction, so the triggers vanish with it."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction
from tests.edc.audit.conftest import ON_POSTGRES, raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def sealed(written):
    from hipectrial.edc.audit import seal

    seal.install()
    return written


def _refused(sql: str) -> str:
    # IntegrityError (SQLite's RAISE(ABORT)) and PostgreSQL's raised exception are both
    # DatabaseErrors; the savepoint keeps the test's transaction usable afterwards.
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        raw(sql)
    return str(caught.value)


def test_update_of_an_entry_is_refused_by_the_database(sealed) -> None:
    from hipectrial.edc.audit.models import AuditEntry

    message = _refused("UPDATE audit_auditentry SET reason = 'rewritten' WHERE id = 3")
    assert "append-only" in message
    assert AuditEntry.objects.get(id=3).reason != "rewritten"


def test_update_through_the_orm_is_refused_too(sealed) -> None:
    from hipectrial.edc.audit.models import AuditEntry

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(id=2).update(actor="someone else")


def test_delete_of_an_entry_is_refused_by_the_database(sealed) -> None:
    from hipectrial.edc.audit.models import AuditEntry

    count = AuditEntry.objects.count()
    assert "append-only" in _refused("DELETE FROM audit_auditentry WHERE id = 4")
    assert "append-only" in _refused("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.count() == count


@pytest.mark.skipif(not ON_POSTGRES, reason="TRUNCATE is PostgreSQL's (DATABASE_URL names no PostgreSQL server)")
def test_truncate_is_refused_on_postgresql(sealed) -> None:
    from hipectrial.edc.audit.models import AuditEntry

    count = AuditEntry.objects.count()
    assert "append-only" in _refused("TRUNCATE audit_auditentry")
    assert AuditEntry.objects.count() == count


def test_the_services_still_append_to_a_sealed_trail(sealed, cast) -> None:
    from hipectrial.edc.audit.selectors import verify_chain
    from hipectrial.edc.sites.services import site_add

    before = verify_chain().checked
    site_add(actor="test", code="GZ03", name="Guangzhou Hospital", country="CN")
    result = verify_chain()
    assert result.ok, result.problem
    assert result.checked == before + 1


def test_installing_twice_is_harmless(sealed) -> None:
    from hipectrial.edc.audit import seal

    seal.install()
    assert "append-only" in _refused("DELETE FROM audit_auditentry WHERE id = 1")
