"""The database refuses UPDATE and DELETE (and TRUNCATE) on the audit table.

Installed after every ``migrate`` unless ``HIPECTRIAL_AUDIT_SEAL`` is off (test databases:
Django empties tables between tests, which the triggers would refuse; the tests that check
the seal install it themselves with :func:`install`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connections

TABLE = "audit_auditentry"

_SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE refused'); END",
    f"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: DELETE refused'); END",
]
_POSTGRES = [
    "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP; END $$",
    f"DROP TRIGGER IF EXISTS audit_no_change ON {TABLE}",
    f"CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}",
    f"CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
]


def install(using: str = "default") -> None:
    """Install the triggers on database ``using`` (idempotent)."""
    connection = connections[using]
    statements = _POSTGRES if connection.vendor == "postgresql" else _SQLITE
    if connection.vendor not in ("postgresql", "sqlite"):
        raise RuntimeError(f"no append-only seal for database vendor {connection.vendor!r}")
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def seal_after_migrate(using: str = "default", **_: Any) -> None:
    if getattr(settings, "HIPECTRIAL_AUDIT_SEAL", True):
        install(using)
