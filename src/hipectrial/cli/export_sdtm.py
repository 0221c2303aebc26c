"""``hipectrial export sdtm`` and ``hipectrial export check``: SDTM datasets (SAS XPORT v5)
with their Define-XML 2.1, and our conformance check of such a folder.

``export sdtm`` builds every dataset from the trial and its protocol, writes them into a
staged folder beside ``--out`` (one ``<dataset>.xpt`` per dataset, lower-case names, and
``define.xml``), reads that folder back and runs the conformance check on it; only a clean
folder is moved into place. A finding refuses the export with the findings listed (exit 2),
and nothing is left behind. ``export check DIR`` runs the same check on a folder: exit 0
when it is clean, 1 with its findings.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hipectrial.cli.export import progress_bar, read_inputs, staged_out_dir
from hipectrial.errors import InputError

if TYPE_CHECKING:
    from hipectrial.export.sdtm.check import Finding

SHOWN = 20  # findings printed before "and N more"

DataOption = Annotated[Path, typer.Option("--data", help="The TrialData JSON file to export.",
                                          show_default=False)]
OutOption = Annotated[Path, typer.Option("--out", help="A new (or empty) folder to write into.",
                                         show_default=False)]
ProtocolOption = Annotated[Path | None, typer.Option(
    "--protocol", help="Protocol YAML; the seed protocol when omitted.", show_default=False)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _listing(findings: tuple[Finding, ...]) -> str:
    shown = "\n".join(f"  {f}" for f in findings[:SHOWN])
    more = f"\n  and {len(findings) - SHOWN} more" if len(findings) > SHOWN else ""
    return shown + more


def export_sdtm(data: DataOption, out: OutOption, protocol: ProtocolOption = None,
                as_json: JsonOption = False) -> None:
    """Write the trial as SDTM datasets (SAS XPORT v5) and define.xml, checked before they land."""
    from hipectrial.cli.output import echo_json, make_console
    from hipectrial.export.sdtm.check import check_sdtm
    from hipectrial.export.sdtm.domains import build_sdtm
    from hipectrial.export.sdtm.files import write_sdtm

    started = time.perf_counter()
    trial, proto = read_inputs(data, protocol)
    with progress_bar(disable=as_json) as bar:
        task = bar.add_task("Building SDTM datasets", total=None)
        datasets = build_sdtm(trial, proto)
        bar.update(task, description="Writing .xpt files", total=len(datasets) + 1, completed=0)
        with staged_out_dir(out) as staged:
            write_sdtm(datasets, staged, protocol=proto, created=trial.generated_at,
                       progress=lambda _: bar.advance(task))
            records = {d.domain: (d.label, len(d.rows)) for d in datasets}
            # The check reads the folder back: the trial and the built datasets are not
            # needed any more, and holding them beside the read-back copy costs ~0.2 GB
            # on a 1,000-participant trial.
            del datasets, trial
            bar.update(task, description="Checking the written folder")
            findings = check_sdtm(staged)
            bar.advance(task)
            if findings:
                raise InputError("out", str(out), "datasets that pass the conformance check",
                                 f"{len(findings)} finding(s), nothing written:\n" + _listing(findings))
    seconds = round(time.perf_counter() - started, 2)
    files = [f"{domain.lower()}.xpt" for domain in records] + ["define.xml"]
    if as_json:
        echo_json({"out": str(out), "files": files,
                   "datasets": {domain: count for domain, (_, count) in records.items()},
                   "findings": 0, "seconds": seconds})
        return
    console = make_console()
    console.print(f"SDTM export of {proto.study.id}: {len(records)} datasets, define.xml; "
                  f"conformance check clean ({seconds} s)")
    for domain, (label, count) in records.items():
        console.print(f"  {domain.lower()}.xpt  {label}: {count} records")
    console.print(f"Written: {out}")


def export_check(folder: Annotated[Path, typer.Argument(help="A folder written by `export sdtm`.",
                                                        show_default=False)],
                 as_json: JsonOption = False) -> None:
    """Run the SDTM conformance check on a folder: exit 0 when clean, 1 with its findings."""
    from hipectrial.cli.output import echo_json, make_console
    from hipectrial.export.sdtm.check import check_sdtm

    with progress_bar(disable=as_json) as bar:
        bar.add_task("Checking", total=None)
        findings = check_sdtm(folder)
    if as_json:
        echo_json({"folder": str(folder), "ok": not findings, "count": len(findings),
                   "findings": [f.to_dict() for f in findings]})
    else:
        console = make_console()
        if findings:
            console.print(f"{len(findings)} finding(s) in {folder}:\n{_listing(findings)}",
                          markup=False, highlight=False)
        else:
            console.print(f"{folder}: the conformance check finds nothing", markup=False)
    if findings:
        raise typer.Exit(1)


def register(export_app: typer.Typer, import_app: typer.Typer) -> None:
    """Add ``export sdtm`` and ``export check`` (SDTM has no import)."""
    export_app.command("sdtm")(export_sdtm)
    export_app.command("check")(export_check)
    del import_app
