"""``hipectrial protocol check``: OK summary, or every located problem, or a clear read error."""

from __future__ import annotations

import json

import pytest


def _line_col(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first ``needle`` in ``text``, found by the test itself."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(f"{needle!r} not in text")


@pytest.fixture
def broken(tmp_path, sox_mini):
    """Write ``sox-mini.yaml`` with replacements to ``broken.yaml``; return path and text."""

    def write(*replacements: tuple[str, str]):
        text = sox_mini.read_text(encoding="utf-8")
        for old, new in replacements:
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        path = tmp_path / "broken.yaml"
        path.write_text(text, encoding="utf-8")
        return path, text

    return write


MISSPELT_KEY = ("window_before: 3, window_after: 3}", "window_before: 3, window_afer: 3}")
UNKNOWN_VARIABLE = ("expression: age >= 18 && age <= 75", "expression: agee >= 18 && age <= 75")
UNKNOWN_FORM = ("    forms: [recist]\n", "    forms: [recits]\n")


def test_valid_protocol_exits_0_with_a_one_line_summary(invoke, sox_mini):
    result = invoke("protocol", "check", str(sox_mini))
    assert result.exit_code == 0
    assert result.stdout == (
        "OK sox-mini.yaml: SOX-MINI version 0.9 (2026-02-01); "
        "6 forms, 6 visits, 2 eligibility criteria\n"
    )


def test_seed_protocol_is_checked_when_no_file_is_given(invoke):
    result = invoke("protocol", "check")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK hipec-pd1-sox.yaml: HIPEC-PD1-SOX version ")


def test_misspelt_key_is_reported_at_the_key(invoke, broken):
    path, text = broken(MISSPELT_KEY)
    line, col = _line_col(text, "window_afer")
    result = invoke("protocol", "check", str(path))
    assert result.exit_code == 1
    assert f"broken.yaml:{line}:{col} visits[2].timing.window_afer: unknown key" in result.stdout


def test_unknown_variable_in_eligibility_is_reported_at_the_expression(invoke, broken):
    path, text = broken(UNKNOWN_VARIABLE)
    line, col = _line_col(text, "agee >= 18")
    result = invoke("protocol", "check", str(path))
    assert result.exit_code == 1
    assert (f"broken.yaml:{line}:{col} eligibility[0].expression: unknown variable 'agee'"
            in result.stdout)


def test_every_problem_is_reported_one_per_line(invoke, broken):
    path, text = broken(UNKNOWN_VARIABLE, UNKNOWN_FORM)
    result = invoke("protocol", "check", str(path))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    form_line, form_col = _line_col(text, "recits")
    assert any(x.startswith(f"broken.yaml:{form_line}:{form_col} visits[3].forms[0]: unknown form 'recits'")
               for x in lines)
    assert any("eligibility[0].expression: unknown variable 'agee'" in x for x in lines)
    assert lines[-1] == f"2 problems in {path}"


def test_json_of_a_valid_protocol(invoke, sox_mini):
    result = invoke("protocol", "check", "--json", str(sox_mini))
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["ok"] is True
    assert document["file"] == str(sox_mini)
    assert document["problems"] == []
    assert document["counts"] == {"forms": 6, "visits": 6, "criteria": 2}


def test_json_of_an_invalid_protocol_lists_located_problems(invoke, broken):
    path, text = broken(MISSPELT_KEY)
    line, col = _line_col(text, "window_afer")
    result = invoke("protocol", "check", str(path), "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document == {
        "ok": False,
        "file": str(path),
        "problems": [{
            "file": "broken.yaml",
            "line": line,
            "column": col,
            "path": "visits[2].timing.window_afer",
            "message": "unknown key (not part of the file's schema; check its spelling)",
        }],
    }


def test_missing_file_exits_1_with_a_message_and_no_traceback(invoke, tmp_path):
    missing = tmp_path / "nowhere.yaml"
    result = invoke("protocol", "check", str(missing))
    assert result.exit_code == 1
    assert f"{missing}: cannot read file: No such file or directory" in result.output
    assert "Traceback" not in result.output


def test_missing_file_in_json(invoke, tmp_path):
    missing = tmp_path / "nowhere.yaml"
    result = invoke("protocol", "check", "--json", str(missing))
    assert result.exit_code == 1
    (problem,) = json.loads(result.stdout)["problems"]
    assert problem["line"] is None
    assert "cannot read file" in problem["message"]


def test_directory_exits_1_with_a_message(invoke, tmp_path):
    result = invoke("protocol", "check", str(tmp_path))
    assert result.exit_code == 1
    assert "cannot read file" in result.output
    assert "Traceback" not in result.output
