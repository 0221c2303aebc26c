"""``hipectrial design …``: the trial statistician's design engine (Simon, BOIN, 3+3, monitoring)."""

from __future__ import annotations

import typer

from hipectrial.cli import design_boin, design_other, design_simon

app = typer.Typer(
    help="Statistical designs: Simon two-stage, BOIN and 3+3 dose finding, toxicity monitoring.",
    no_args_is_help=True,
)
design_simon.register(app)
design_boin.register(app)
design_other.register(app)
