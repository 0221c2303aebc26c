"""``hipectrial createuser`` and ``hipectrial site add``, run as a person would (subprocesses on
a throw-away data directory with its own SQLite database and the production settings)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path

import pytest

HIPECTRIAL = str(Path(sys.executable).parent / "hipectrial")
GOOD_PASSWORD = "Ward-7-night-shift-2026"


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DJANGO_SETTINGS_MODULE", "HIPECTRIAL_DATA_DIR", "DATABASE_URL", "HIPECTRIAL_AUDIT_SEAL")}
    env["HIPECTRIAL_CACHE_DIR"] = "/tmp/hc-accounts"
    return env


def run(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([HIPECTRIAL, *args, "--data-dir", str(data_dir)], input=stdin, text=True,
                          capture_output=True, env=environment(), timeout=120, check=False)


def inspect(data_dir: Path) -> dict:
    """What the database holds, read straight from its SQLite file."""
    with closing(sqlite3.connect(f"file:{data_dir / 'edc.sqlite3'}?mode=ro", uri=True)) as db:
        users = {name: {"hash": password.split("$")[0], "language": language, "name": f"{first} {last}".strip()}
                 for name, password, language, first, last in db.execute(
                     "SELECT username, password, language, first_name, last_name FROM accounts_user")}
        roles = sorted([user, role, site or "*"] for user, role, site in db.execute(
            "SELECT u.username, m.role, s.code FROM accounts_membership m JOIN accounts_user u ON u.id = m.user_id "
            "LEFT JOIN sites_site s ON s.id = m.site_id"))
        sites = {code: [name, country, city] for code, name, country, city in db.execute(
            "SELECT code, name, country, city FROM sites_site")}
        audit = [list(row) for row in db.execute(
            "SELECT actor, action, record_kind, record_key FROM audit_auditentry ORDER BY id")]
    return {"users": users, "roles": roles, "sites": sites, "audit": audit}


CHECK = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from hipectrial.edc.bootstrap import setup
    setup(Path(sys.argv[1]))
    from django.contrib.auth import authenticate
    from django.test import RequestFactory
    from hipectrial.edc.audit.selectors import verify_chain
    username, password = json.loads(sys.argv[2])
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="127.0.0.1")
    who = authenticate(request, username=username, password=password)
    print(json.dumps({"authenticated": who.username if who else None, "chain_ok": verify_chain().ok}))
""")


def log_in(data_dir: Path, username: str, password: str) -> dict:
    """Through Django's authenticate (with django-axes in front, as the login page does), and
    whether the audit chain verifies."""
    done = subprocess.run([sys.executable, "-c", CHECK, str(data_dir), json.dumps([username, password])],
                          text=True, capture_output=True, env=environment(), timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """A database with two sites, added through the command."""
    where = tmp_path_factory.mktemp("edc-cli")
    for code, name, city in (("SH01", "Shanghai General Hospital", "Shanghai"),
                             ("BJ02", "Beijing Cancer Hospital", "Beijing")):
        done = run(where, "site", "add", code, "--name", name, "--country", "CN", "--city", city)
        assert done.returncode == 0, done.stderr
    return where


def audit_about(state: dict, username: str) -> list[list[str]]:
    return [e for e in state["audit"] if e[3] == username or e[3].startswith(username + "/")]


# --- site add ----------------------------------------------------------------------------------

def test_site_add_reports_the_site_and_stores_it_with_its_audit_entry(data_dir) -> None:
    done = run(data_dir, "site", "add", "GZ03", "--name", "Guangzhou First Hospital", "--country", "CN")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Added site GZ03: Guangzhou First Hospital"
    state = inspect(data_dir)
    assert state["sites"]["GZ03"] == ["Guangzhou First Hospital", "CN", None]
    assert state["sites"]["SH01"] == ["Shanghai General Hospital", "CN", "Shanghai"]
    [entry] = [e for e in state["audit"] if e[2] == "sites" and e[3] == "GZ03"]
    assert entry[0].startswith("cli:")
    assert entry[1] == "create"


@pytest.mark.parametrize(("args", "field", "value"), [
    (["sh04", "--name", "Lower Case", "--country", "CN"], "code", "'sh04'"),
    (["SH05", "--name", "Bad Country", "--country", "china"], "country", "'china'"),
    (["SH06", "--name", "Bad Country", "--country", "cn"], "country", "'cn'"),
    (["SH07", "--name", "Bad Day", "--country", "CN", "--activation-date", "2026-13-01"],
     "activation_date", "'2026-13-01'"),
    (["SH01", "--name", "Again", "--country", "CN"], "code", "'SH01'"),
])
def test_site_add_refuses_bad_input_with_exit_2_naming_the_field(data_dir, args, field, value) -> None:
    code = args[0]
    before = inspect(data_dir)["sites"].get(code)
    done = run(data_dir, "site", "add", *args)
    assert done.returncode == 2, done.stdout
    assert done.stderr.startswith(f"error: {field} must be ")
    assert f"got {value}" in done.stderr
    assert "Traceback" not in done.stderr
    after = inspect(data_dir)
    assert after["sites"].get(code) == before  # SH01 as it was; the others not added
    assert len([e for e in after["audit"] if e[2] == "sites" and e[3] == code]) == (1 if before else 0)


# --- createuser --------------------------------------------------------------------------------

def test_createuser_makes_a_coordinator_at_a_site_who_can_log_in(data_dir) -> None:
    done = run(data_dir, "createuser", "wang.fang", "--role", "coordinator", "--site", "SH01",
               "--name", "Wang Fang", "--language", "zh-hans", "--password-stdin", stdin=GOOD_PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Created wang.fang: coordinator at SH01"
    assert GOOD_PASSWORD not in done.stdout + done.stderr
    assert log_in(data_dir, "wang.fang", GOOD_PASSWORD) == {"authenticated": "wang.fang", "chain_ok": True}
    state = inspect(data_dir)
    assert state["users"]["wang.fang"] == {"hash": "argon2", "language": "zh-hans", "name": "Wang Fang"}
    assert ["wang.fang", "coordinator", "SH01"] in state["roles"]
    actions = [(e[1], e[2], e[3]) for e in audit_about(state, "wang.fang")]
    assert actions == [("create", "users", "wang.fang"), ("grant", "roles", "wang.fang/coordinator/SH01")]
    assert all(e[0].startswith("cli:") for e in audit_about(state, "wang.fang"))


def test_a_wrong_password_does_not_authenticate_the_new_user(data_dir) -> None:
    run(data_dir, "createuser", "zhao.lei", "--role", "investigator", "--site", "BJ02", "--password-stdin",
        stdin=GOOD_PASSWORD + "\n")
    assert log_in(data_dir, "zhao.lei", GOOD_PASSWORD + "x")["authenticated"] is None


def test_createuser_makes_a_monitor_of_two_sites(data_dir) -> None:
    done = run(data_dir, "createuser", "chen.jie", "--role", "monitor", "--site", "SH01", "--site", "BJ02",
               "--password-stdin", stdin=GOOD_PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Created chen.jie: monitor at SH01, BJ02"
    roles = inspect(data_dir)["roles"]
    assert [r for r in roles if r[0] == "chen.jie"] == [["chen.jie", "monitor", "BJ02"], ["chen.jie", "monitor", "SH01"]]


def test_createuser_without_a_site_gives_a_trial_wide_role_at_every_site(data_dir) -> None:
    done = run(data_dir, "createuser", "sun.dm", "--role", "data_manager", "--password-stdin",
               stdin=GOOD_PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Created sun.dm: data_manager at every site"
    assert ["sun.dm", "data_manager", "*"] in inspect(data_dir)["roles"]


@pytest.mark.parametrize(("name", "args", "password", "field", "phrase"), [
    ("bad.role", ["--role", "surgeon", "--site", "SH01"], GOOD_PASSWORD, "role", "got 'surgeon'"),
    ("no.site", ["--role", "coordinator"], GOOD_PASSWORD, "site", "a coordinator works at a site"),
    ("far.site", ["--role", "coordinator", "--site", "XX99"], GOOD_PASSWORD, "site", "got 'XX99'"),
    ("weak.one", ["--role", "coordinator", "--site", "SH01"], "short", "password", "too short"),
    ("common.one", ["--role", "coordinator", "--site", "SH01"], "password123", "password", "too common"),
    ("bad name", ["--role", "coordinator", "--site", "SH01"], GOOD_PASSWORD, "username", "got 'bad name'"),
    ("lang.one", ["--role", "coordinator", "--site", "SH01", "--language", "fr"], GOOD_PASSWORD, "language",
     "got 'fr'"),
])
def test_createuser_refuses_bad_input_with_exit_2_naming_the_field_and_writes_nothing(
        data_dir, name, args, password, field, phrase) -> None:
    done = run(data_dir, "createuser", name, *args, "--password-stdin", stdin=password + "\n")
    assert done.returncode == 2, done.stdout
    assert done.stderr.startswith(f"error: {field} must be ")
    assert phrase in done.stderr
    assert "Traceback" not in done.stderr
    if len(password) > 5:
        assert password not in done.stderr
    after = inspect(data_dir)
    assert name not in after["users"]
    assert [r for r in after["roles"] if r[0] == name] == []
    assert audit_about(after, name) == []


def test_createuser_refuses_a_name_already_taken_and_leaves_the_first_user_as_it_was(data_dir) -> None:
    first = run(data_dir, "createuser", "li.na", "--role", "pharmacist", "--site", "SH01", "--password-stdin",
                stdin=GOOD_PASSWORD + "\n")
    assert first.returncode == 0, first.stderr
    before = inspect(data_dir)
    again = run(data_dir, "createuser", "li.na", "--role", "administrator", "--password-stdin",
                stdin="Another-Passphrase-2027\n")
    assert again.returncode == 2
    assert again.stderr.startswith("error: username must be a user name not yet taken")
    assert log_in(data_dir, "li.na", GOOD_PASSWORD)["authenticated"] == "li.na"  # the first password holds
    after = inspect(data_dir)
    assert after["users"]["li.na"] == before["users"]["li.na"]
    assert [r for r in after["roles"] if r[0] == "li.na"] == [["li.na", "pharmacist", "SH01"]]
    assert audit_about(after, "li.na") == audit_about(before, "li.na")
