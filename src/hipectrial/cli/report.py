"""``hipectrial report``: analyse a trial's data and write the DSMB report (HTML and PDF).

The analysis is :func:`hipectrial.analysis.trial_analysis.analyze_trial` and the layout
:func:`hipectrial.report.dsmb.write_dsmb_report`; this module reads the file, shows a
progress bar on stderr while the report is built (it takes a few seconds: figures and the
PDF), and prints where to open the report.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from hipectrial.cli.output import echo_json, make_console
from hipectrial.errors import InputError


def _parse_cutoff(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError("cutoff", value, "a date written YYYY-MM-DD") from None


def register(app: typer.Typer) -> None:
    """Add ``report`` to the root command."""

    @app.command("report")
    def report(
        data: Annotated[
            Path, typer.Option("--data", help="TrialData JSON (from `hipectrial simulate` or the EDC).")
        ],
        out: Annotated[Path, typer.Option("--out", help="Folder to write report.html and report.pdf into.")],
        protocol: Annotated[
            Path | None, typer.Option(help="Protocol YAML; the seed protocol by default.")
        ] = None,
        cutoff: Annotated[
            str | None, typer.Option(help="Data cut-off YYYY-MM-DD; the data's own by default.")
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print the paths and headline numbers as JSON.")
        ] = False,
    ) -> None:
        """Write the DSMB report of a trial's data as self-contained HTML and as PDF, with its
        listings as CSV files; an --out folder that cannot be written is refused at once."""
        # The report (pandas, matplotlib, the PDF writer) is imported when the command runs.
        from hipectrial.cli.trial_file import read_trial
        from hipectrial.protocol import load_protocol, seed_protocol_path
        from hipectrial.report.dsmb import STEPS, write_dsmb_report
        from hipectrial.report.write import check_out_dir

        check_out_dir(out)
        trial = read_trial(data)
        proto = load_protocol(protocol or seed_protocol_path())
        cut = _parse_cutoff(cutoff)
        # The report states when it was made: the one place the clock is read is the shell.
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        with Progress(console=make_console(stderr=True), transient=True, disable=as_json) as bar:
            task = bar.add_task("DSMB report", total=len(STEPS))

            def step(name: str) -> None:
                bar.update(task, description=f"DSMB report: {name}",
                           completed=STEPS.index(name) if name in STEPS else None)

            html, pdf, analysis = write_dsmb_report(
                trial=trial, protocol=proto, out_dir=out, generated_at=now, cutoff=cut, progress=step
            )
        if as_json:
            echo_json(
                {
                    "html": str(html),
                    "pdf": str(pdf),
                    "cutoff": analysis.cutoff.isoformat(),
                    "registered": len(analysis.populations.registered),
                }
            )
            return
        console = make_console()
        console.print(
            f"DSMB report for {analysis.protocol_id} (data cut-off {analysis.cutoff.isoformat()}, "
            f"{len(analysis.populations.registered)} registered participants):"
        )
        console.print(f"  HTML: {html.resolve()}")
        console.print(f"  PDF:  {pdf.resolve()}")
        console.print(f"  Listings (CSV): {(html.parent / 'listings').resolve()}")
        console.print(f"Open it with: xdg-open {html.resolve()}")
