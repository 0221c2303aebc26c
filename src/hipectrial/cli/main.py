"""The ``hipectrial`` command: the Typer app, its error handling, and ``main()``.

Start-up is kept short (a bedside calculator answers at once): the command modules import
only Typer, rich and the standard library when the app is built; each command imports the
protocol, the rules or the statistics it needs when it runs (``benchmarks/startup.py``;
``tests/cli/test_startup.py`` checks that no heavy library is imported before then).

Errors reach the user as one message, never a traceback: a
:class:`~hipectrial.errors.HipectrialError` prints its message on stderr and exits 2; an
unexpected exception (a bug) prints a one-line report and exits 70 (``EX_SOFTWARE``), or
re-raises with its traceback when ``HIPECTRIAL_DEBUG`` is set.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from hipectrial.cli import (
    analyze,
    calc,
    design,
    edc,
    eligibility,
    export,
    oc,
    protocol,
    report,
    simulate,
    validate,
)
from hipectrial.errors import HipectrialError

EXIT_ERROR = 2
EXIT_BUG = 70


class _Group(TyperGroup):
    """The root command group: turns errors into messages and exit codes."""

    # ctx is typer's (vendored) click Context, which typer does not export.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        # Usage errors, --help and exits; a closed pipe (`| head`) is handled by click's main.
        except (typer.Exit, typer.Abort, typer.TyperException, BrokenPipeError):
            raise
        except HipectrialError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(EXIT_ERROR) from None
        except Exception as exc:
            if os.environ.get("HIPECTRIAL_DEBUG"):
                raise
            typer.echo(
                f"internal error: {type(exc).__name__}: {exc}\nThis is a bug in hipectrial; "
                "set HIPECTRIAL_DEBUG=1 to see the traceback and please report it.",
                err=True,
            )
            raise typer.Exit(EXIT_BUG) from None


app = typer.Typer(
    cls=_Group,
    name="hipectrial",
    help="Run the HIPEC + anti-PD-1 + SOX trial from its protocol file.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(protocol.app, name="protocol")
app.add_typer(calc.app, name="calc")
app.add_typer(design.app, name="design")
app.add_typer(analyze.app, name="analyze")
eligibility.register(app)
simulate.register(app)
oc.register(app)
report.register(app)
validate.register(app)
edc.register(app)
export.register(app)


def _version(value: bool) -> None:
    if value:
        from hipectrial import __version__

        typer.echo(f"hipectrial {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Run the HIPEC + anti-PD-1 + SOX trial from its protocol file."""


def main() -> None:
    """Entry point of the ``hipectrial`` console script."""
    app()
