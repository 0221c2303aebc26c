"""``hipectrial audit verify`` on a data directory written by the command line: exit 0 when
intact, 1 naming the first entry edited, deleted or inserted behind the application's back;
and ``serve --prepare-only`` installs the append-only triggers."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from tests.edc.processes import hipectrial

SITES = [("SH01", "Shanghai General"), ("BJ02", "Beijing Cancer"), ("GZ03", "Guangzhou First"),
         ("WH04", "Wuhan Union")]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("edc-audit") / "data"
    hipectrial("serve", "--prepare-only", "--data-dir", data)
    for code, name in SITES:  # one audited entry each: #1…#4
        hipectrial("site", "add", code, "--name", name, "--country", "CN", "--data-dir", data)
    return data


@pytest.fixture
def data_dir(prepared: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(prepared, copy)
    return copy


def _sql(data_dir: Path, *statements: str, unseal: bool = True) -> None:
    db = sqlite3.connect(data_dir / "edc.sqlite3")
    try:
        if unseal:  # what someone with the database file could do: drop the triggers first
            db.execute("DROP TRIGGER audit_no_update")
            db.execute("DROP TRIGGER audit_no_delete")
        for sql in statements:
            db.execute(sql)
        db.commit()
    finally:
        db.close()


def _verify(data_dir: Path) -> tuple[int, dict[str, object]]:
    done = hipectrial("audit", "verify", "--json", "--data-dir", data_dir, check=False)
    return done.returncode, json.loads(done.stdout)


def test_serve_prepare_only_installs_the_append_only_triggers(prepared: Path) -> None:
    db = sqlite3.connect(prepared / "edc.sqlite3")
    try:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                           "AND tbl_name = 'audit_auditentry'")}
        assert names == {"audit_no_update", "audit_no_delete"}
        with pytest.raises(sqlite3.IntegrityError, match="append-only: UPDATE refused"):
            db.execute("UPDATE audit_auditentry SET reason = 'x' WHERE id = 1")
        with pytest.raises(sqlite3.IntegrityError, match="append-only: DELETE refused"):
            db.execute("DELETE FROM audit_auditentry WHERE id = 1")
    finally:
        db.close()


def test_an_intact_trail_exits_0(data_dir: Path) -> None:
    code, result = _verify(data_dir)
    assert (code, result["ok"], result["checked"]) == (0, True, len(SITES))
    done = hipectrial("audit", "verify", "--data-dir", data_dir)
    assert "The audit trail is intact: 4 entries" in done.stdout


@pytest.mark.parametrize(
    ("tamper", "named", "phrase"),
    [
        ("UPDATE audit_auditentry SET changes = replace(changes, 'Beijing', 'Tianjin') WHERE id = 2", 2,
         "does not match its seal"),
        ("DELETE FROM audit_auditentry WHERE id = 3", 3, "#3 is missing"),
        ("DELETE FROM audit_auditentry WHERE id = 4", 4, "the last the application wrote, is missing"),
        ("INSERT INTO audit_auditentry (id, at, actor, site, action, record_kind, record_key, participant, "
         "changes, reason, protocol_version, prev_seal, seal) SELECT 5, at, actor, site, 'delete', "
         "record_kind, record_key, '', '{}', 'cleanup', '', seal, 'forged' FROM audit_auditentry WHERE id = 4",
         5, "inserted behind the application's back"),
    ],
    ids=["edited", "deleted-from-the-middle", "deleted-at-the-end", "inserted"],
)
def test_tampering_exits_1_naming_the_first_entry_at_fault(data_dir: Path, tamper: str, named: int,
                                                           phrase: str) -> None:
    _sql(data_dir, tamper)
    code, result = _verify(data_dir)
    assert code == 1
    assert result["ok"] is False
    assert result["entry_id"] == named
    assert phrase in result["problem"]
    done = hipectrial("audit", "verify", "--data-dir", data_dir, check=False)
    assert done.returncode == 1
    assert f"#{named}" in done.stdout
    assert "tampered with" in done.stdout


def test_two_tamperings_name_the_earlier_entry(data_dir: Path) -> None:
    _sql(data_dir, "DELETE FROM audit_auditentry WHERE id = 4",
         "UPDATE audit_auditentry SET actor = 'someone' WHERE id = 2")
    assert _verify(data_dir)[1]["entry_id"] == 2
