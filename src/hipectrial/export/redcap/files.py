"""A protocol's REDCap project files and a trial's record file, made and written.

:func:`redcap_project_files` makes the project's files as texts (pure);
:func:`write_redcap_export` writes them, and the trial's record file, into a folder;
:func:`read_redcap_file` reads a record file from disk.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hipectrial.data import TrialData
from hipectrial.errors import InputError
from hipectrial.export.redcap.branching import BranchingRefusal
from hipectrial.export.redcap.design import Project, project_design
from hipectrial.export.redcap.dictionary import data_dictionary
from hipectrial.export.redcap.languages import mlm_json
from hipectrial.export.redcap.read import read_redcap_lines
from hipectrial.export.redcap.records import record_header, record_rows
from hipectrial.export.redcap.setup import (
    ARMS,
    DICTIONARY,
    EVENTS,
    LANGUAGE,
    MAPPING,
    README,
    RECORDS,
    REPEATING,
    arms_csv,
    events_csv,
    mapping_csv,
    readme_text,
    repeating_csv,
)
from hipectrial.protocol import Protocol

BOM = "\ufeff"  # REDCap's own CSV downloads start with one (Excel then reads UTF-8)


@dataclass(frozen=True, slots=True)
class ProjectFiles:
    """The project's files (name, text), in writing order, and what the dictionary noted."""

    project: Project
    files: tuple[tuple[str, str], ...]
    refusals: tuple[BranchingRefusal, ...]
    long_names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RedcapExport:
    """What :func:`write_redcap_export` wrote: file names with sizes, the record file's
    records and rows, the untranslated ``show_if`` conditions and the long names."""

    files: tuple[tuple[str, int], ...]
    records: int
    rows: int
    refusals: tuple[BranchingRefusal, ...]
    long_names: tuple[str, ...]


def redcap_project_files(
    *, protocol: Protocol, strict: bool = False, with_records: bool = True
) -> ProjectFiles:
    """The REDCap project files of ``protocol``: dictionary, arms, events, mapping,
    repeating setup, Chinese labels and README (texts; CSVs without their BOM).

    Raises
    ------
    InputError
        A name or code REDCap does not take (:func:`project_design`,
        :func:`data_dictionary`), or (``strict``) a ``show_if`` without translation.
    """
    project = project_design(protocol)
    dictionary = data_dictionary(protocol=protocol, project=project, strict=strict)
    files = (
        (DICTIONARY, dictionary.csv_text()),
        (ARMS, arms_csv(project)),
        (EVENTS, events_csv(project)),
        (MAPPING, mapping_csv(project)),
        (REPEATING, repeating_csv(project)),
        (LANGUAGE, mlm_json(project=project, dictionary=dictionary)),
        (
            README,
            readme_text(protocol=protocol, project=project, dictionary=dictionary, with_records=with_records),
        ),
    )
    return ProjectFiles(project, files, dictionary.refusals, dictionary.long_names)


def write_redcap_export(folder: Path, *, trial: TrialData, protocol: Protocol, strict: bool = False,
                        progress: Callable[[int, int], None] | None = None) -> RedcapExport:
    """Write the project files and ``trial``'s record file into ``folder`` (which exists).

    ``progress(done, total)`` is called as the trial's table rows are placed (see
    :func:`record_rows`). CSV files are UTF-8 with a byte-order mark, as REDCap writes them.

    Raises
    ------
    InputError, TablesError
        Before or while writing (the caller writes into a staging folder).
    """
    made = redcap_project_files(protocol=protocol, strict=strict)
    sizes: list[tuple[str, int]] = []
    for name, text in made.files:
        data = ((BOM if name.endswith(".csv") else "") + text).encode("utf-8")
        (folder / name).write_bytes(data)
        sizes.append((name, len(data)))
    rows = 0
    records: set[str] = set()
    path = folder / RECORDS
    with path.open("w", encoding="utf-8", newline="") as stream:
        stream.write(BOM)
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(record_header(made.project))
        for row in record_rows(trial=trial, protocol=protocol, project=made.project, progress=progress):
            writer.writerow(row)
            rows += 1
            records.add(row[0])
    sizes.append((RECORDS, path.stat().st_size))
    return RedcapExport(files=tuple(sizes), records=len(records), rows=rows, refusals=made.refusals,
                        long_names=made.long_names)


def read_redcap_file(path: Path, *, protocol: Protocol) -> TrialData:
    """The ``TrialData`` of the REDCap record file at ``path`` (UTF-8, with or without BOM).

    Raises
    ------
    InputError
        (field ``file``) a missing or unreadable file.
    RedcapRecordsError
        The file refused whole, naming every problem.
    """
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            return read_redcap_lines(stream, protocol=protocol)
    except FileNotFoundError:
        raise InputError("file", str(path), "an existing REDCap record file (CSV)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("file", str(path), "a readable UTF-8 CSV file", str(exc)) from None
