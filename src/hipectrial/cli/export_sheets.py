"""``hipectrial export xlsx`` and ``hipectrial export csv``: a trial's data as spreadsheets.

Both read ``--data`` and ``--protocol`` through :func:`hipectrial.cli.export.read_inputs`
(data with validation errors are refused), write into a staged folder that becomes
``--out`` only when everything is written, show a progress bar on stderr (not with
``--json``), and print what was written: the files and the rows per table.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hipectrial.cli.output import echo_json

if TYPE_CHECKING:
    from hipectrial.data import TrialData
    from hipectrial.export.sheets import SheetsWritten
    from hipectrial.protocol import Protocol

DataOption = Annotated[Path, typer.Option("--data", help="TrialData JSON (from `simulate` or the EDC).",
                                          show_default=False)]
OutOption = Annotated[Path, typer.Option("--out", help="A new or empty folder to write into.",
                                         show_default=False)]
ProtocolOption = Annotated[Path | None, typer.Option("--protocol", help="Protocol YAML; the seed protocol "
                                                     "when omitted.", show_default=False)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print what was written as JSON.")]

Writer = Callable[["TrialData", "Protocol", Path, Callable[[int, int], None]], "SheetsWritten"]


def _export(kind: str, data: Path, out: Path, protocol: Path | None, as_json: bool, write: Writer) -> None:
    from hipectrial.cli.export import progress_bar, read_inputs, staged_out_dir
    from hipectrial.export.sheets import row_count

    trial, proto = read_inputs(data, protocol)
    with staged_out_dir(out) as folder, progress_bar(disable=as_json) as bar:
        task = bar.add_task(f"Writing {kind}", total=row_count(trial))

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        written = write(trial, proto, folder, progress)
    files = [str(out / Path(name).name) for name in written.files]
    total = sum(written.rows.values())
    if as_json:
        echo_json({"format": kind, "out": str(out), "files": files, "rows": dict(written.rows),
                   "total_rows": total})
        return
    tables = len(written.rows)
    filled = sum(1 for n in written.rows.values() if n)
    typer.echo(f"{kind}: {len(trial.participants)} participants, {total:,} rows in {tables} tables "
               f"({filled} with rows) and a codebook")
    for name in files if len(files) <= 3 else [*files[:2], f"... ({len(files)} files)"]:
        typer.echo(f"Written: {name}")


def export_xlsx(data: DataOption, out: OutOption, protocol: ProtocolOption = None,
                as_json: JsonOption = False) -> None:
    """Write the trial's data as an Excel workbook: a sheet per table and a codebook."""
    from hipectrial.export.sheets import write_xlsx

    def write(trial: TrialData, proto: Protocol, folder: Path,
              progress: Callable[[int, int], None]) -> SheetsWritten:
        path = folder / f"{proto.study.id}.xlsx"
        return write_xlsx(trial=trial, protocol=proto, path=path, progress=progress)

    _export("xlsx", data, out, protocol, as_json, write)


def export_csv(data: DataOption, out: OutOption, protocol: ProtocolOption = None,
               as_json: JsonOption = False) -> None:
    """Write the trial's data as CSV files (one per table) and codebook.csv, for R and SAS."""
    from hipectrial.export.sheets import write_csv

    def write(trial: TrialData, proto: Protocol, folder: Path,
              progress: Callable[[int, int], None]) -> SheetsWritten:
        return write_csv(trial=trial, protocol=proto, folder=folder, progress=progress)

    _export("csv", data, out, protocol, as_json, write)


def register(export_app: typer.Typer, import_app: typer.Typer) -> None:
    """Add ``export xlsx`` and ``export csv`` (spreadsheets are not imported)."""
    export_app.command("xlsx")(export_xlsx)
    export_app.command("csv")(export_csv)
