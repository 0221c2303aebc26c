"""``hipectrial snapshot`` on the demonstration database writes TrialData that validates and
that ``hipectrial report --data`` accepts; the export is audited."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.edc.processes import hipectrial


def test_snapshot_of_the_demo_validates_and_the_report_runs_on_it(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    hipectrial("serve", "--demo", "--prepare-only", "--data-dir", data)
    out = tmp_path / "trial.json"
    done = hipectrial("snapshot", "--out", out, "--data-dir", data)
    assert "Written:" in done.stdout
    assert "contradict" not in done.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["source"]["kind"] == "simulation"  # the demo's snapshot still says it is simulated
    assert len(doc["participants"]) > 50

    checked = hipectrial("validate", "--data", out, "--json")
    assert json.loads(checked.stdout)["errors"] == 0, checked.stdout

    report = tmp_path / "report"
    hipectrial("report", "--data", out, "--out", report)
    html = (report / "report.html").read_text(encoding="utf-8")
    assert doc["protocol_id"] in html
    assert (report / "report.pdf").stat().st_size > 10_000

    db = sqlite3.connect(data / "edc.sqlite3")
    try:
        exports = db.execute("SELECT actor, changes FROM audit_auditentry WHERE action = 'export'").fetchall()
    finally:
        db.close()
    assert len(exports) == 1
    assert exports[0][0].startswith("cli:")
    assert json.loads(exports[0][1])["file"] == [None, str(out)]
    assert "intact" in hipectrial("audit", "verify", "--data-dir", data).stdout
