"""``hipectrial eligibility``: evaluate a screening record against the protocol's criteria.

The record is a JSON object of variable -> value, one key per CRF field of the protocol
(``examples/screening.json``)::

    {"consent_obtained": true, "consent_date": "2026-11-16", "birth_date": "1968-04-12",
     "sex": "male", "anc": 3.2, "ecog": "1", "her2_ihc": "ihc1plus", ...}

Values are written in the type the protocol declares for the field: ``true``/``false``;
whole numbers; decimal numbers as JSON numbers (not text); dates as ``"YYYY-MM-DD"``; choice
codes as JSON strings (ECOG ``"1"``); ``null`` or a left-out key for a missing value.
Derived variables (age, BSA, CrCl, HER2 status, PCI) are computed, never given.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hipectrial.cli.output import echo_json
from hipectrial.errors import InputError

if TYPE_CHECKING:  # the protocol and the rules are imported when the command runs (CLI start-up)
    from hipectrial.clinical.eligibility import EligibilityResult

# An exclusion criterion is shown by whether its condition is present, so that "met" is
# never printed beside an exclusion the participant does not have.
_VERDICT = {
    "inclusion": {"met": "met", "not_met": "NOT MET", "unknown": "unknown", "not_applicable": "n/a"},
    "exclusion": {"met": "absent", "not_met": "PRESENT", "unknown": "unknown",
                  "not_applicable": "n/a"},
}


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for key, value in pairs:
        if key in seen:
            raise InputError(key, value, "given once in the screening record", "the key appears twice")
        seen.add(key)
    return dict(pairs)


def read_screening(path: Path) -> object:
    """The parsed JSON of a screening file, numbers with a fraction as Decimal."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError("file", str(path), "a readable JSON file", exc.strerror) from None
    except UnicodeDecodeError:
        raise InputError("file", str(path), "a UTF-8 text file") from None
    try:
        return json.loads(text, parse_float=Decimal, object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        raise InputError("file", str(path), "valid JSON",
                         f"line {exc.lineno} column {exc.colno}: {exc.msg}") from None


def _as_of(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()  # the shell reads the clock; the core takes the date as given
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError("as_of", text, "a date written YYYY-MM-DD") from None


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def print_result(result: EligibilityResult, study_id: str) -> None:
    """The verdict as a research coordinator reads it: criteria, cohort, what is missing."""
    echo = typer.echo
    echo(f"Eligibility for {study_id} as of {result.as_of.isoformat()}")
    cohort = result.cohort
    echo(f"Cohort: {cohort.cohort or 'unknown'} ({cohort.reason})")
    echo("")
    for c in result.criteria:
        values = ", ".join(f"{k}={_shown(v)}" for k, v in c.values.items())
        line = f"  {c.id:<4} {c.kind:<9}  {_VERDICT[c.kind][c.status.value]:<8}  {c.text}"
        echo(line + (f"  [{values}]" if values else ""))
        if c.status.value in ("unknown", "not_applicable"):
            echo(f"{'':<27}{c.reason}")
    echo("")
    echo(f"Verdict: {result.status.value.upper()}")
    if result.failed:
        echo("Not met (inclusion false or exclusion present): " + ", ".join(result.failed))
    if result.missing:
        echo("Missing:")
        for m in result.missing:
            note = f"; {m.reason}" if m.reason else ""
            echo(f"  {m.variable} ({m.label}) - needed by {', '.join(m.needed_by)}{note}")
    derived = [d for d in result.derived if d.value is not None]
    if derived:
        echo("Derived:")
        for d in derived:
            echo(f"  {d.variable} = {_shown(d.value)}" + (f" {d.unit}" if d.unit else ""))
            for step in d.steps:
                echo(f"      {step}")


def eligibility(
    file: Annotated[Path, typer.Option("--file", help="Screening record: a JSON object of variable -> value.",
                                       metavar="FILE")],
    protocol_file: Annotated[Path | None, typer.Option(
        "--protocol", help="Protocol YAML file; the seed protocol when omitted.", metavar="FILE",
        show_default=False)] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Screening date (YYYY-MM-DD); today when omitted.", metavar="DATE",
        show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Evaluate each eligibility criterion on a screening record: the verdict per criterion
    with the values used, the cohort, the overall verdict and what is missing."""
    from hipectrial.cli.protocol_cache import load_protocol_cached
    from hipectrial.clinical.eligibility import evaluate_eligibility
    from hipectrial.clinical.records.values import values_from_json

    protocol = load_protocol_cached(protocol_file)
    day = _as_of(as_of)
    values = values_from_json(protocol=protocol, document=read_screening(file))
    result = evaluate_eligibility(protocol=protocol, values=values, as_of=day)
    if as_json:
        echo_json({"protocol": protocol.study.id, **dataclasses.asdict(result)})
        return
    print_result(result, protocol.study.id)


def register(app: typer.Typer) -> None:
    """Add the ``eligibility`` command to ``app``."""
    app.command("eligibility")(eligibility)
