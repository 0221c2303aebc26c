"""``ctcae``: grade a lab value from the command line, as text or JSON.

The command is registered on a small Typer app here (the lead wires ``register`` into the
root ``calc`` group); one test also mounts it under the root app's error-handling group to
check an input error exits 2 with its message.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import typer
from typer.testing import CliRunner, Result

from hipectrial.cli.calc_ctcae import register
from hipectrial.cli.main import _Group
from hipectrial.errors import InputError

Run = Callable[..., Result]


def _app(cls: type | None = None) -> typer.Typer:
    app = typer.Typer(cls=cls) if cls is not None else typer.Typer()

    @app.callback()
    def _root() -> None:
        """A group with one command, like ``hipectrial calc``."""

    register(app)
    return app


@pytest.fixture
def run() -> Run:
    """Invoke ``ctcae ARGS`` as a pipe would (not a TTY, COLUMNS unset)."""
    app = _app()

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(app, ["ctcae", *args], env={"COLUMNS": None})

    return invoke


def test_prints_grade_term_and_steps(run: Run) -> None:
    # 165 / 40 = 4.125 x ULN: > 3.0 and <= 5.0 x ULN -> grade 2
    result = run("--test", "ALT", "--value", "165", "--unit", "U/L", "--uln", "40")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Alanine aminotransferase increased: grade 2  (CTCAE v5.0)"
    assert "ALT 165 U/L = 4.125 x ULN (ULN 40 U/L)" in result.stdout
    assert "-> grade 2" in result.stdout
    assert "Source: Common Terminology Criteria for Adverse Events (CTCAE) v5.0" in result.stdout


def test_text_output_to_a_pipe_has_no_colour_codes(run: Run) -> None:
    result = run("--test", "anc", "--value", "0.75", "--unit", "10^9/L", "--lln", "1.8")
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout
    assert result.stdout.startswith("Neutrophil count decreased: grade 3")


def test_shows_the_symptom_decision_and_notes(run: Run) -> None:
    result = run("--test", "potassium", "--value", "3.2", "--unit", "mmol/L", "--lln", "3.5", "--uln", "5.1")
    assert result.exit_code == 0
    assert result.stdout.startswith("Hypokalemia: grade 2 (grade 1 if asymptomatic: clinician decides)")
    assert "Flags: symptoms_decide" in result.stdout
    assert "Notes" in result.stdout


def test_reference_unit_option(run: Run) -> None:
    # 2.0 mg/dL = 34.2 umol/L; ULN 21 umol/L; 34.2 > 31.5 -> grade 2
    result = run("--test", "BILI", "--value", "2.0", "--unit", "mg/dL", "--uln", "21", "--ref-unit", "umol/L")
    assert result.exit_code == 0, result.output
    assert "BILI 2.0 mg/dL x 17.1 = 34.2 umol/L" in result.stdout
    assert "grade 2" in result.stdout.splitlines()[0]


def test_json_output(run: Run) -> None:
    result = run("--test", "CREAT", "--value", "65", "--unit", "umol/L", "--uln", "100", "--baseline", "40",
                 "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    # 65 <= ULN: 0; 65 > 1.5 x 40 = 60 -> baseline grade 2
    assert document["grade"] == 2
    assert document["term"] == "Creatinine increased"
    assert document["test"] == "CREAT"
    assert document["grade_range"] == [2, 2]
    assert document["criteria"] == "rise from baseline"
    assert document["flags"] == ["baseline_criterion_decided"]
    assert document["value"] == 65
    assert document["baseline"] == 40
    assert document["steps"][-1] == "CTCAE v5.0 Creatinine increased: grade 2"


def test_negative_value_is_passed_to_the_core_and_refused(run: Run) -> None:
    result = run("--test", "PLAT", "--value", "-3", "--unit", "10^9/L", "--lln", "150")
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "value"
    assert "value must be a number in [0, 5000] 10^9/L for PLAT" in str(result.exception)


def test_wrong_unit_is_refused_naming_the_allowed_units(run: Run) -> None:
    result = run("--test", "platelets", "--value", "100", "--unit", "g/L", "--lln", "150")
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "unit"
    assert "one of 10^9/L" in str(result.exception)


def test_missing_reference_value_is_refused(run: Run) -> None:
    result = run("--test", "ALT", "--value", "100", "--unit", "U/L")
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "uln"


def test_under_the_root_error_handling_an_input_error_exits_2_with_its_message() -> None:
    app = _app(_Group)
    result = CliRunner().invoke(app, ["ctcae", "--test", "NEUT", "--value", "1.6", "--unit", "10^9/L"],
                                env={"COLUMNS": None})
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "error: lln must be the site's lower limit of normal (LLN) for NEUT, in 10^9/L" in result.stderr
    assert "Traceback" not in result.output


def test_help_lists_the_options(run: Run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    for option in ("--test", "--value", "--unit", "--lln", "--uln", "--baseline", "--ref-unit", "--json"):
        assert option in result.stdout
