"""``hipectrial analyze …``: endpoints of a trial's data, and survival analysis of a CSV file."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Analysis: every endpoint of a trial's data (--data), or survival analysis of a CSV file.",
    no_args_is_help=True,
)
