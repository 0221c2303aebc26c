"""Where the CLI writes: a rich console fit for terminals and pipes, and JSON documents."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sys
from decimal import Decimal
from enum import Enum

import typer
from rich.console import Console

# Width used when stdout is not a terminal and COLUMNS is unset: wide enough for the
# schedule tables, narrow enough for a 120-column terminal or a log viewer.
PIPE_WIDTH = 120


def make_console(*, stderr: bool = False) -> Console:
    """A console on the current stdout (or stderr), created per command so that a test
    runner's captured streams are used.

    No markup is interpreted in printed strings (protocol texts may contain brackets), and
    no colour is written to a pipe.
    """
    stream = sys.stderr if stderr else sys.stdout
    console = Console(file=stream, markup=False, highlight=False, emoji=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = PIPE_WIDTH
    return console


def _jsonable(value: object) -> object:
    """``json.dumps`` default: Decimal as a number, dates as ISO 8601, enums as values."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, frozenset | set):
        return sorted(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(document: object) -> str:
    """A document (dicts, lists, dataclasses, Decimals, dates) as indented JSON text.

    >>> print(to_json({"dose": Decimal("130"), "m2": Decimal("1.25")}))
    {
      "dose": 130,
      "m2": 1.25
    }
    """
    if dataclasses.is_dataclass(document) and not isinstance(document, type):
        document = dataclasses.asdict(document)
    return json.dumps(document, default=_jsonable, ensure_ascii=False, indent=2)


def echo_json(document: object) -> None:
    typer.echo(to_json(document))
