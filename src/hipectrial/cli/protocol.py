"""``hipectrial protocol …``: check a protocol file and show what it says."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hipectrial.cli.output import echo_json, make_console
from hipectrial.errors import Problem, ProtocolError

if TYPE_CHECKING:  # the protocol package is imported when a command runs (CLI start-up)
    from hipectrial.protocol import Protocol

app = typer.Typer(help="Check a protocol file and show what it says.", no_args_is_help=True)

FileArg = Annotated[
    Path | None,
    typer.Argument(help="Protocol YAML file; the seed protocol when omitted.", show_default=False,
                   metavar="FILE"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _problem_dict(problem: Problem) -> dict[str, object]:
    return {k: getattr(problem, k) for k in ("file", "line", "column", "path", "message")}


def _summary(protocol: Protocol) -> dict[str, object]:
    return {"forms": len(protocol.forms), "visits": len(protocol.visits),
            "criteria": len(protocol.eligibility)}


@app.command()
def check(file: FileArg = None, as_json: JsonOpt = False) -> None:
    """Load a protocol and report every problem, one per line as file:line:col path: message.

    Exits 0 when the protocol is valid, 1 when it is not (or cannot be read).
    """
    from hipectrial.protocol import load_protocol, seed_protocol_path

    path = file if file is not None else seed_protocol_path()
    try:
        protocol = load_protocol(path)
    except ProtocolError as exc:
        if as_json:
            echo_json({"ok": False, "file": str(path),
                       "problems": [_problem_dict(p) for p in exc.problems]})
        else:
            for problem in exc.problems:
                typer.echo(str(problem))
            count = len(exc.problems)
            typer.echo(f"{count} problem{'s' if count != 1 else ''} in {path}")
        raise typer.Exit(1) from None
    counts = _summary(protocol)
    study = protocol.study
    if as_json:
        echo_json({"ok": True, "file": str(path), "problems": [],
                   "study": {"id": study.id, "version": study.version, "date": study.date},
                   "counts": counts})
        return
    typer.echo(
        f"OK {path.name}: {study.id} version {study.version} ({study.date.isoformat()}); "
        f"{counts['forms']} forms, {counts['visits']} visits, {counts['criteria']} eligibility criteria"
    )


@app.command()
def show(
    file: FileArg = None,
    as_json: JsonOpt = False,
    cohort: Annotated[str | None, typer.Option(help="Show one cohort only (its id).")] = None,
) -> None:
    """Show the study, the regimen per cohort, HIPEC and the schedule of assessments."""
    from hipectrial.cli.protocol_render import print_protocol
    from hipectrial.cli.protocol_view import protocol_view
    from hipectrial.protocol import load_protocol, seed_protocol_path

    path = file if file is not None else seed_protocol_path()
    view = protocol_view(load_protocol(path), cohort)
    if as_json:
        echo_json({"file": str(path), **dataclasses.asdict(view)})
        return
    print_protocol(make_console(), view)
