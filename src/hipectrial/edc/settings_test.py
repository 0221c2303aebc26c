"""Settings for the test suite: the EDC settings with a throw-away data directory, a fast
password hasher (Argon2 is deliberately slow), and no audit seal in test databases (Django
empties tables between tests; the tests of the seal install it themselves)."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("HIPECTRIAL_DATA_DIR", tempfile.mkdtemp(prefix="hipectrial-test-"))
os.environ["HIPECTRIAL_AUDIT_SEAL"] = "0"

from hipectrial.edc.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HIPECTRIAL_AUDIT_SEAL = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# On PostgreSQL each test run creates (and drops) its own database, so that two runs on one
# server (two checkouts, a helper and CI) never drop each other's.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": f"test_hipectrial_{os.getpid()}"}  # noqa: F405

# The SQLite test database is a file in the throw-away data directory, as in production (WAL,
# IMMEDIATE transactions, a busy timeout): tests with threads, each on its own connection,
# wait for SQLite's write lock as the server's processes do. (Django's default in-memory test
# database shares one cache between threads, whose table locks fail at once: "database table
# is locked".)
# Without the production's synchronous=FULL: a test database need not survive a power cut,
# and an fsync per commit would slow every test that commits.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-edc.sqlite3")}  # noqa: F405
    DATABASES["default"]["OPTIONS"] = {  # noqa: F405
        **DATABASES["default"]["OPTIONS"],  # noqa: F405
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA foreign_keys=ON;",
    }

# Django's test client calls itself "testserver".
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405
