"""``hipectrial validate --data trial.json``: every record that contradicts the protocol.

The check is :func:`hipectrial.data.validate`, the same one ``analyze`` and ``report`` run
before anything is analysed (:mod:`hipectrial.analysis.data_check`). Exit codes: 0 when no
finding is an error (warnings are printed and do not fail), 1 when at least one is, 2 when the
file or the protocol cannot be read.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from hipectrial.cli.output import echo_json

EXIT_FINDINGS = 1


def register(app: typer.Typer) -> None:
    """Add ``validate`` to the root command."""

    @app.command("validate")
    def validate_command(
        data: Annotated[Path, typer.Option("--data", help="TrialData JSON (from `simulate` or the EDC).")],
        protocol: Annotated[Path | None, typer.Option(help="Protocol YAML; the seed protocol by default.")]
        = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
    ) -> None:
        """Check a trial's records against the protocol: errors stop `analyze` and `report`.

        Exits 0 when there is no error (warnings are listed), 1 when there is at least one.
        """
        from hipectrial.cli.trial_file import read_trial
        from hipectrial.data import Severity, validate
        from hipectrial.protocol import load_protocol, seed_protocol_path

        trial = read_trial(data)
        loaded = load_protocol(protocol if protocol is not None else seed_protocol_path())
        findings = validate(trial, loaded)
        counts = Counter(f.severity for f in findings)
        errors, warnings = counts[Severity.ERROR], counts[Severity.WARNING]
        if as_json:
            echo_json({
                "ok": errors == 0, "file": str(data), "errors": errors, "warnings": warnings,
                "findings": [{"severity": f.severity.value, "location": f.location, "key": f.key,
                              "field": f.field, "message": f.message} for f in findings],
            })
        else:
            # One line per finding, never wrapped: the output is grepped and read in logs.
            for finding in findings:
                typer.echo(str(finding))
            verdict = "the data can be analysed" if errors == 0 else "`analyze` and `report` will refuse them"
            typer.echo(f"{data}: {len(trial.participants)} participants; {errors} error"
                          f"{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}: "
                          f"{verdict}")
        if errors:
            raise typer.Exit(EXIT_FINDINGS)
