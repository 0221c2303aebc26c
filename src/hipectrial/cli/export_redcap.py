"""``hipectrial export redcap`` and ``hipectrial import redcap``.

``export redcap --data trial.json --out DIR`` writes the protocol's REDCap project (data
dictionary, arms, events, instrument-event mapping, repeating setup, Chinese labels, a
README with the setup steps) and the trial's records as a REDCap flat record file
(:mod:`hipectrial.export.redcap`), through a staging folder: a refused export leaves
nothing. ``import redcap FILE --out trial.json`` reads a record file made with that
dictionary back into a TrialData file, or refuses it whole, naming every problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hipectrial.cli.export import progress_bar, read_inputs, read_protocol, staged_out_dir
from hipectrial.cli.output import echo_json, make_console

DataOption = Annotated[Path, typer.Option("--data", help="The TrialData JSON file to export.")]
OutDir = Annotated[Path, typer.Option("--out", help="A new or empty folder to write the REDCap files into.")]
ProtocolOption = Annotated[
    Path | None, typer.Option("--protocol", help="Protocol YAML (default: the seed protocol).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print what was written as JSON.")]


def register(export_app: typer.Typer, import_app: typer.Typer) -> None:
    """Add ``export redcap`` and ``import redcap``."""
    export_app.command("redcap")(export_redcap)
    import_app.command("redcap")(import_redcap)


def export_redcap(
    data: DataOption,
    out: OutDir,
    protocol: ProtocolOption = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Refuse the export when a show_if has no REDCap branching logic "
        "(default: the field is written without it, and listed).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Write the protocol as a REDCap project and the trial's data as REDCap records."""
    from hipectrial.export.redcap import write_redcap_export

    trial, proto = read_inputs(data, protocol)
    with progress_bar(disable=as_json) as bar, staged_out_dir(out) as folder:
        task = bar.add_task("Writing REDCap records", total=None)
        result = write_redcap_export(
            folder, trial=trial, protocol=proto, strict=strict,
            progress=lambda done, total: bar.update(task, completed=done, total=total))
    refusals = [str(r) for r in result.refusals]
    if as_json:
        echo_json({
            "out": str(out), "files": [{"name": n, "bytes": size} for n, size in result.files],
            "records": result.records, "rows": result.rows, "branching_refusals": refusals,
            "long_variable_names": list(result.long_names),
        })
        return
    console = make_console()
    console.print(f"Wrote {len(result.files)} REDCap files to {out}:")
    for name, size in result.files:
        console.print(f"  {name}  ({size:,} bytes)")
    console.print(f"{result.records} records ({result.records - 1} participants and the study record), "
                  f"{result.rows} rows; set the project up as {out / 'README.txt'} says.")
    if result.long_names:
        console.print(f"{len(result.long_names)} variable names are longer than the 26 characters REDCap "
                      "recommends (it accepts up to 100); listed in README.txt.")
    for line in refusals:
        console.print(f"warning: {line}", soft_wrap=True)


def import_redcap(
    file: Annotated[Path, typer.Argument(help="A REDCap flat record CSV (raw values) made with the exported "
                                              "dictionary.")],
    out: Annotated[Path, typer.Option("--out", help="The TrialData JSON file to write (must not exist).")],
    protocol: ProtocolOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read a REDCap record file into a TrialData JSON file, or refuse it whole."""
    from hipectrial.cli.simulate import write_atomically
    from hipectrial.errors import InputError
    from hipectrial.export.redcap import read_redcap_file

    if out.exists():
        raise InputError("out", str(out), "a file that does not exist yet", "imports never overwrite files")
    proto = read_protocol(protocol)
    with progress_bar(disable=as_json) as bar:
        bar.add_task("Reading REDCap records", total=None)
        trial = read_redcap_file(file, protocol=proto)
    write_atomically(out, trial.to_json())
    counts = {"participants": len(trial.participants), "visits": len(trial.visits),
              "form_records": len(trial.form_records), "doses": len(trial.doses),
              "adverse_events": len(trial.adverse_events), "lab_results": len(trial.lab_results)}
    if as_json:
        echo_json({"out": str(out), **counts})
        return
    make_console().print(f"Read {file}: {counts['participants']} participants, {counts['visits']} visits, "
                         f"{counts['form_records']} CRF records; wrote {out}.")
