"""Shared fixtures of the CLI tests: a runner, the seed-shaped test protocol, the seed.

``sox-mini.yaml`` copies the seed's regimen, windows and ids from
``shared/reference/protocol-decisions.md``; tests that must also hold for the real seed
protocol take the ``protocol_args`` fixture, which runs them on both.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from hipectrial.cli.main import app

FIXTURES = Path(__file__).parent / "fixtures"
SOX_MINI = FIXTURES / "sox-mini.yaml"


Invoke = Callable[..., Result]


@pytest.fixture
def invoke() -> Invoke:
    """Run ``hipectrial ARGS`` as a pipe would (not a TTY, COLUMNS unset, unless ``env``)."""
    runner = CliRunner()

    def run(*args: str, env: dict[str, str | None] | None = None) -> Result:
        return runner.invoke(app, list(args), env={"COLUMNS": None, **(env or {})})

    return run


@pytest.fixture
def sox_mini() -> Path:
    return SOX_MINI


@pytest.fixture(params=["sox-mini", "seed"])
def protocol_args(request: pytest.FixtureRequest) -> Sequence[str]:
    """The FILE argument: the seed-shaped test protocol, or none (the seed protocol)."""
    return [str(SOX_MINI)] if request.param == "sox-mini" else []


@pytest.fixture
def show_json(invoke: Invoke) -> Callable[..., Any]:
    """``hipectrial protocol show --json ARGS``, parsed; asserts exit 0."""

    def run(*args: str) -> Any:
        result = invoke("protocol", "show", "--json", *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run
