"""Every export format behind one signature: write one format of a trial into a folder.

``hipectrial export all`` writes a data transfer in every format (or those asked for) from
one reading of the data; it runs the writers here, each into its own sub-folder, one per
process where it can. Each writer does what its own command does, checks included: the
ODM file is validated against the ODM 1.3.2 schema, the SDTM folder is read back and put
through the conformance check (a finding refuses it), the REDCap files list the
``show_if`` conditions REDCap cannot express.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hipectrial.data import TrialData
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol


@dataclass(frozen=True, slots=True)
class FormatWritten:
    """What one format's writer wrote: the files (relative to its folder) and a line saying
    what they hold; ``warnings`` are what the user must know (REDCap branching logic left out)."""

    name: str
    files: tuple[str, ...]
    summary: str
    warnings: tuple[str, ...] = ()


def _odm(trial: TrialData, protocol: Protocol, folder: Path) -> FormatWritten:
    from hipectrial.export.odm import validate_odm, write_odm

    name = f"{protocol.study.id}.odm.xml"
    summary = write_odm(trial=trial, protocol=protocol, out=folder / name)
    validate_odm(folder / name)
    return FormatWritten("odm", (name,), f"{summary.participants} participants, {summary.items} items; "
                         "valid against the ODM 1.3.2 schema")


def _sdtm(trial: TrialData, protocol: Protocol, folder: Path) -> FormatWritten:
    from hipectrial.export.sdtm.check import check_sdtm
    from hipectrial.export.sdtm.domains import build_sdtm
    from hipectrial.export.sdtm.files import write_sdtm

    datasets = build_sdtm(trial, protocol)
    paths = write_sdtm(datasets, folder, protocol=protocol, created=trial.generated_at)
    count, records = len(datasets), sum(len(d.rows) for d in datasets)
    del datasets  # the check reads the folder back: hold one copy of the rows, not two
    findings = check_sdtm(folder)
    if findings:
        shown = "; ".join(str(f) for f in findings[:5])
        raise InputError("sdtm", str(folder), "datasets that pass the conformance check",
                         f"{len(findings)} finding(s): {shown}")
    return FormatWritten("sdtm", tuple(p.name for p in paths),
                         f"{count} datasets, {records} records, define.xml; conformance check clean")


def _redcap(trial: TrialData, protocol: Protocol, folder: Path) -> FormatWritten:
    from hipectrial.export.redcap import write_redcap_export

    result = write_redcap_export(folder, trial=trial, protocol=protocol)
    return FormatWritten("redcap", tuple(name for name, _ in result.files),
                         f"{result.records} records, {result.rows} rows; set up as README.txt says",
                         tuple(str(r) for r in result.refusals))


def _xlsx(trial: TrialData, protocol: Protocol, folder: Path) -> FormatWritten:
    from hipectrial.export.sheets import write_xlsx

    name = f"{protocol.study.id}.xlsx"
    written = write_xlsx(trial=trial, protocol=protocol, path=folder / name)
    return FormatWritten("xlsx", (name,), f"{len(written.rows)} sheets and the codebook, "
                         f"{sum(written.rows.values())} rows")


def _csv(trial: TrialData, protocol: Protocol, folder: Path) -> FormatWritten:
    from hipectrial.export.sheets import write_csv

    written = write_csv(trial=trial, protocol=protocol, folder=folder)
    return FormatWritten("csv", written.files, f"{len(written.rows)} tables and codebook.csv, "
                         f"{sum(written.rows.values())} rows")


Writer = Callable[[TrialData, Protocol, Path], FormatWritten]

# The formats, the slowest first (measured by benchmarks/exports.py on a 1,000-participant
# trial), so that a pool of processes starts the long ones first.
WRITERS: dict[str, Writer] = {
    "xlsx": _xlsx,
    "sdtm": _sdtm,
    "redcap": _redcap,
    "odm": _odm,
    "csv": _csv,
}


def write_format(name: str, *, trial: TrialData, protocol: Protocol, folder: Path) -> FormatWritten:
    """Write format ``name`` (a key of :data:`WRITERS`) of ``trial`` into ``folder`` (which exists).

    Raises
    ------
    InputError
        An unknown format (field ``format``), or whatever the format's own writer refuses.
    """
    try:
        writer = WRITERS[name]
    except KeyError:
        raise InputError("format", name, f"one of {', '.join(sorted(WRITERS))}") from None
    return writer(trial, protocol, folder)
