"""``hipectrial export odm`` and ``hipectrial import odm``: CDISC ODM 1.3.2 out and in.

``export odm --data trial.json --out DIR`` writes ``DIR/<study id>.odm.xml`` (the protocol's
metadata and every record of the trial, :mod:`hipectrial.export.odm`) into a staged folder,
validates it against the ODM 1.3.2 schema, and only then moves the folder into place: a
refused or failed export leaves nothing. ``import odm FILE --out trial.json`` reads an ODM
document made with the protocol's metadata back into a TrialData file; a document that does
not match the protocol, or whose records ``validate`` finds errors in, is refused with its
reasons and nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hipectrial.cli.export import progress_bar, read_inputs, read_protocol, staged_out_dir
from hipectrial.cli.output import echo_json
from hipectrial.errors import InputError

_PROTOCOL = typer.Option(help="Protocol YAML; the seed protocol by default.")
_JSON = typer.Option("--json", help="Print the result as JSON.")


def register(export_app: typer.Typer, import_app: typer.Typer) -> None:
    """Add ``export odm`` and ``import odm``."""

    @export_app.command("odm")
    def export_odm(
        data: Annotated[Path, typer.Option("--data", help="TrialData JSON (from `simulate` or the EDC).")],
        out: Annotated[Path, typer.Option("--out", help="A new (or empty) folder to write into.")],
        protocol: Annotated[Path | None, _PROTOCOL] = None,
        as_json: Annotated[bool, _JSON] = False,
    ) -> None:
        """Write the trial as one CDISC ODM 1.3.2 file (metadata + clinical data), schema-checked."""
        from hipectrial.export.odm import validate_odm, write_odm

        trial, proto = read_inputs(data, protocol)
        name = f"{proto.study.id}.odm.xml"
        with progress_bar(disable=as_json) as bar, staged_out_dir(out) as staged:
            task = bar.add_task("Writing ODM", total=len(trial.participants))
            summary = write_odm(trial=trial, protocol=proto, out=staged / name,
                                progress=lambda done, total: bar.update(task, completed=done, total=total))
            bar.update(task, description="Checking against the ODM 1.3.2 schema", completed=0, total=None)
            validate_odm(staged / name)
            size = (staged / name).stat().st_size
        result = out / name
        if as_json:
            echo_json({"ok": True, "file": str(result), "bytes": size, "schema": "ODM 1.3.2 (valid)",
                       "participants": summary.participants, "sites": summary.sites,
                       "users": summary.users, "item_groups": summary.item_groups, "items": summary.items})
            return
        typer.echo(f"{result}: {summary.participants} participants, {summary.item_groups} item groups, "
                   f"{summary.items} items ({size / 1e6:.1f} MB); valid against the ODM 1.3.2 schema")

    @import_app.command("odm")
    def import_odm(
        file: Annotated[Path, typer.Argument(help="An ODM 1.3.2 file made with the protocol's metadata.")],
        out: Annotated[Path, typer.Option("--out", help="TrialData JSON file to write (must not exist).")],
        protocol: Annotated[Path | None, _PROTOCOL] = None,
        as_json: Annotated[bool, _JSON] = False,
    ) -> None:
        """Read ODM clinical data into a TrialData file; a file that does not match is refused whole."""
        from hipectrial.cli.simulate import write_atomically
        from hipectrial.data import Severity, validate
        from hipectrial.export.odm import read_odm

        if out.exists():
            raise InputError("out", str(out), "a file that does not exist yet",
                             "imports never overwrite files")
        if not file.is_file():
            raise InputError("file", str(file), "an existing ODM file")
        proto = read_protocol(protocol)
        with progress_bar(disable=as_json) as bar:
            task = bar.add_task("Reading ODM", total=None)
            trial = read_odm(file, proto, name=str(file),
                             progress=lambda done, total: bar.update(task, completed=done, total=total))
        findings = validate(trial, proto)
        errors = [f for f in findings if f.severity is Severity.ERROR]
        if errors:
            shown = "; ".join(str(f) for f in errors[:5])
            more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
            raise InputError("file", str(file), "records that agree with the protocol",
                             f"`hipectrial validate` would find {len(errors)} error(s): {shown}{more}")
        write_atomically(out, trial.to_json())
        warnings = len(findings) - len(errors)
        if as_json:
            echo_json({"ok": True, "file": str(out), "participants": len(trial.participants),
                       "sites": len(trial.sites), "warnings": warnings})
            return
        plural = "s" if warnings != 1 else ""
        typer.echo(f"{out}: {len(trial.participants)} participants at {len(trial.sites)} sites read from "
                   f"{file}; {warnings} warning{plural} (`hipectrial validate` lists them)")
