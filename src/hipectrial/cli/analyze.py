"""``hipectrial analyze …``: endpoints of a trial's data, and survival analysis of a CSV file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from hipectrial.cli import analyze_survival

app = typer.Typer(
    help="Analysis: every endpoint of a trial's data (--data), or survival analysis of a CSV file.",
    no_args_is_help=True,
    invoke_without_command=True,
)
analyze_survival.register(app)


@app.callback()
def _analyze(
    ctx: typer.Context,
    data: Annotated[Path | None, typer.Option("--data", help="TrialData JSON file to analyse.")] = None,
    protocol: Annotated[Path | None, typer.Option(
        "--protocol", help="Protocol YAML file (default: the seed protocol).")] = None,
    cutoff: Annotated[dt.datetime | None, typer.Option(
        "--cutoff", formats=["%Y-%m-%d"], help="Data cut-off YYYY-MM-DD (default: the data's date).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole analysis as JSON.")] = False,
) -> None:
    """Every endpoint of a trial's data (--data), or survival analysis of a CSV file."""
    if ctx.invoked_subcommand is not None:
        return
    if data is None:
        typer.echo(ctx.get_help())
        raise typer.Exit()
    from hipectrial.cli import analyze_data  # the analysis, imported when it runs (CLI start-up)

    analyze_data.run(data=data, protocol=protocol, as_json=as_json,
                     cutoff=cutoff.date() if cutoff is not None else None)
