"""``hipectrial analyze --data``: the summary, the JSON document, and errors."""

from __future__ import annotations

import json
from pathlib import Path

from tests.analysis.builders import TrialBuilder

from .conftest import Invoke


def _write(tmp_path: Path) -> Path:
    t = TrialBuilder()
    t.participant(1).hipec().surgery(110).alive(300)
    t.participant(2).hipec().died(150)
    path = tmp_path / "trial.json"
    path.write_text(t.build().to_json(), encoding="utf-8")
    return path


def test_prints_the_r0_estimate(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("analyze", "--data", str(_write(tmp_path)))
    assert result.exit_code == 0, result.output
    # 1 R0 of 2 ITT. R: binom.test(1, 2)$conf.int -> 0.0125791170934 0.9874208829066
    line = next(line for line in result.output.splitlines() if "r0-resection" in line)
    assert "1/2 = 50.0 % (95 % CI 1.3–98.7), Clopper-Pearson exact" in line
    assert "Simon stage 1" in result.output


def test_json_document(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("analyze", "--data", str(_write(tmp_path)), "--json", "--cutoff", "2025-03-01")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["cutoff"] == "2025-03-01"
    r0 = next(e for e in document["endpoints"] if e["endpoint_id"] == "r0-resection")
    assert (r0["value"]["estimate"]["events"], r0["value"]["estimate"]["n"]) == (0, 2)


def test_bad_file_exits_2(invoke: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"x": 1}', encoding="utf-8")
    result = invoke("analyze", "--data", str(bad))
    assert result.exit_code == 2
    assert "error:" in result.output
    missing = invoke("analyze", "--data", str(tmp_path / "none.json"))
    assert missing.exit_code == 2


def test_without_data_shows_help(invoke: Invoke) -> None:
    result = invoke("analyze")
    assert "--data" in result.output
