"""The root command: --version, help, and how errors reach the user."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hipectrial import __version__

RUN_MAIN = "from hipectrial.cli.main import main; main()"


def test_version_prints_name_and_package_version(invoke):
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"hipectrial {__version__}\n"


def test_no_arguments_shows_the_command_groups(invoke):
    result = invoke()
    assert "protocol" in result.output
    assert "Traceback" not in result.output


def test_hipectrial_error_prints_its_message_on_stderr_and_exits_2(invoke, sox_mini):
    result = invoke("protocol", "show", str(sox_mini), "--cohort", "HER3-positive")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "cohort must be one of HER2-negative, HER2-positive; got 'HER3-positive'" in result.stderr
    assert "Traceback" not in result.output


def test_show_of_an_invalid_protocol_exits_2_with_the_located_problems(invoke, tmp_path, sox_mini):
    broken = tmp_path / "broken.yaml"
    broken.write_text(sox_mini.read_text(encoding="utf-8").replace("  masking: open_label\n", ""),
                      encoding="utf-8")
    result = invoke("protocol", "show", str(broken))
    assert result.exit_code == 2
    assert "broken.yaml" in result.stderr
    assert "study.masking: required key is missing" in result.stderr


def test_unexpected_exception_is_reported_in_one_line_without_traceback(invoke, sox_mini, monkeypatch):
    def bug(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    # `protocol show` imports protocol_view when it runs (CLI start-up); patch it where it lives.
    monkeypatch.setattr("hipectrial.cli.protocol_view.protocol_view", bug)
    result = invoke("protocol", "show", str(sox_mini))
    assert result.exit_code == 70
    assert "internal error: ZeroDivisionError: division by zero" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "code"),
    [(["--version"], 0), (["protocol", "check", "no/such/file.yaml"], 1),
     (["protocol", "show", "no/such/file.yaml"], 2)],
)
def test_console_entry_point_exits_with_the_command_status(args, code):
    done = subprocess.run([sys.executable, "-c", RUN_MAIN, *args], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
