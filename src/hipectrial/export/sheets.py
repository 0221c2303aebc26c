"""Spreadsheets for the statistician: an Excel workbook and CSV files, one sheet or file per
table of :mod:`hipectrial.export.tables`, and a codebook.

**Workbook** (:func:`write_xlsx`): one sheet per table (named by the table id, shortened to
Excel's 31 characters where needed) and a ``codebook`` sheet. Each table sheet has four
header rows: the English label, the Chinese label, the unit, and the column name last, so
that ``readxl::read_excel(path, sheet = "adverse_events", skip = 3)`` reads the data with
the column names as R's names. The header and the key columns are frozen; the name row
carries an autofilter. Values are typed cells: numbers as numbers, dates as Excel dates
(``yyyy-mm-dd``), date-times as Excel date-times **in UTC** (Excel has no time zones; the
unit row says ``UTC``), booleans as TRUE/FALSE, codes as their code (labels in the
codebook), several codes joined by ``|``. A Decimal is shown with the field's decimals.
The workbook's creation time is ``trial.generated_at``, so the same data give the same
bytes.

**CSV** (:func:`write_csv`): ``<table id>.csv`` per table and ``codebook.csv``, UTF-8
without a byte-order mark, RFC 4180 quoting and line ends, one header row of column names,
values as their canonical text (:func:`hipectrial.export.tables.to_text`: ISO dates,
date-times with their UTC offset, ``true``/``false``, Decimals with their digits).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hipectrial.data.trial import TrialData
from hipectrial.errors import InputError
from hipectrial.export.codebook import CODEBOOK_COLUMNS, codebook_rows, sheet_names, unit_of
from hipectrial.export.table_model import Column, ColumnType, TableDef
from hipectrial.export.table_text import CODES_SEPARATOR
from hipectrial.export.tables import table_defs, table_rows
from hipectrial.protocol import Protocol

Progress = Callable[[int, int], None]  # (rows written, rows in all)

HEADER_ROWS = 4  # English label, Chinese label, unit, column name
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_TEXT = 32_767
_EXCEL_FIRST_DATE = dt.date(1900, 3, 1)  # Excel's serial dates are wrong before this day
_PROGRESS_EVERY = 2000


@dataclass(frozen=True, slots=True)
class SheetsWritten:
    """What was written: the files (names within the folder, or the workbook's path) and
    the number of data rows of each table."""

    files: tuple[str, ...]
    rows: Mapping[str, int]


def row_count(trial: TrialData) -> int:
    """How many rows :func:`~hipectrial.export.tables.table_rows` gives for ``trial`` (for
    progress bars)."""
    return (1 + len(trial.sites) + len(trial.participants) + len(trial.visits) + len(trial.form_records)
            + len(trial.doses) + len(trial.adverse_events) + len(trial.lab_results)
            + len(trial.tumour_assessments) + sum(len(a.lesions) for a in trial.tumour_assessments)
            + len(trial.surgeries) + sum(len(s.complications) for s in trial.surgeries)
            + len(trial.follow_ups))


def _by_table(trial: TrialData, protocol: Protocol, tables: tuple[TableDef, ...],
              progress: Progress | None) -> Iterator[tuple[TableDef, Iterator[tuple[object, ...]]]]:
    """Each table (empty ones too) with an iterator of its rows, streaming."""
    rows = table_rows(trial, protocol)
    total, done = row_count(trial), 0
    pending = next(rows, None)

    def of(table_id: str) -> Iterator[tuple[object, ...]]:
        nonlocal pending, done
        while pending is not None and pending[0].id == table_id:
            yield pending[1]
            done += 1
            if progress is not None and done % _PROGRESS_EVERY == 0:
                progress(done, total)
            pending = next(rows, None)

    for table in tables:
        yield table, of(table.id)
    if progress is not None:
        progress(total, total)


# -- CSV ----------------------------------------------------------------------------------


def _text_of(column: Column) -> Callable[[object], str]:
    """The canonical text of a value already checked by table_rows (to_text without the check)."""
    kind = column.type
    if kind is ColumnType.BOOLEAN:
        return lambda v: "" if v is None else ("true" if v else "false")
    if kind is ColumnType.CODES:
        return lambda v: "" if v is None else CODES_SEPARATOR.join(v)  # type: ignore[arg-type]
    if kind in (ColumnType.DATE, ColumnType.DATETIME):
        return lambda v: "" if v is None else v.isoformat()  # type: ignore[attr-defined]
    return lambda v: "" if v is None else str(v)


def write_csv(*, trial: TrialData, protocol: Protocol, folder: Path,
              progress: Progress | None = None) -> SheetsWritten:
    """Write ``<table id>.csv`` for every table and ``codebook.csv`` into ``folder``.

    Parameters
    ----------
    trial, protocol
        The data and the protocol they follow.
    folder
        An existing folder (the CLI gives a staged one, so nothing is half-written).
    progress
        Called with (rows written, rows in all) now and then.

    Raises
    ------
    TablesError
        A record the tables cannot hold (see :func:`~hipectrial.export.tables.table_rows`).
    """
    tables = table_defs(protocol)
    files: list[str] = []
    counts: dict[str, int] = {}
    for table, rows in _by_table(trial, protocol, tables, progress):
        name = f"{table.id}.csv"
        texts = [_text_of(c) for c in table.columns]
        count = 0
        with (folder / name).open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\r\n")  # RFC 4180
            writer.writerow(table.names)
            for row in rows:
                writer.writerow([text(v) for text, v in zip(texts, row, strict=True)])
                count += 1
        files.append(name)
        counts[table.id] = count
    with (folder / "codebook.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(CODEBOOK_COLUMNS)
        writer.writerows(r.values() for r in codebook_rows(tables, utc=False))
    files.append("codebook.csv")
    return SheetsWritten(tuple(files), counts)


# -- Excel ----------------------------------------------------------------------------------


def write_xlsx(*, trial: TrialData, protocol: Protocol, path: Path,
               progress: Progress | None = None) -> SheetsWritten:
    """Write the workbook (module docstring) to ``path``.

    Raises
    ------
    TablesError
        A record the tables cannot hold.
    InputError
        A value Excel cannot hold as it is (a text over 32,767 characters, a date before
        1 March 1900, a table over 1,048,576 rows), naming table, row and column: nothing is
        truncated or written as another type.
    """
    import xlsxwriter

    tables = table_defs(protocol)
    names = sheet_names(tables)
    created = trial.generated_at.astimezone(dt.UTC).replace(tzinfo=None)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    counts: dict[str, int] = {}
    try:
        workbook.set_properties({
            "title": f"{trial.protocol_id} trial data (protocol version {trial.protocol_version})",
            "comments": "Written by hipectrial export xlsx; the codebook sheet describes every column.",
            "created": created,
        })
        styles = _Styles(workbook)
        for table, rows in _by_table(trial, protocol, tables, progress):
            sheet = workbook.add_worksheet(names[table.id])
            _header(sheet, table, styles)
            cells = [_cell_writer(table, c, styles) for c in table.columns]
            r = HEADER_ROWS
            for row in rows:
                if r >= EXCEL_MAX_ROWS:
                    raise InputError(f"{table.id} row {r - HEADER_ROWS + 1}", len(trial.participants),
                                     f"at most {EXCEL_MAX_ROWS - HEADER_ROWS} rows in one sheet",
                                     "use the CSV export for a trial this large")
                for c, (write, value) in enumerate(zip(cells, row, strict=True)):
                    if value is not None:
                        write(sheet, r, c, value)
                r += 1
            counts[table.id] = r - HEADER_ROWS
            sheet.autofilter(HEADER_ROWS - 1, 0, max(r - 1, HEADER_ROWS - 1), len(table.columns) - 1)
            sheet.freeze_panes(HEADER_ROWS, len(table.key))
        _codebook_sheet(workbook, tables, styles)
    finally:
        workbook.close()
    return SheetsWritten((str(path),), counts)


class _Styles:
    def __init__(self, workbook: Any) -> None:
        self.header = workbook.add_format({"bold": True, "bg_color": "#DDE4EE", "text_wrap": True,
                                           "valign": "top"})
        self.name = workbook.add_format({"bold": True, "bg_color": "#B8C7DC", "bottom": 1})
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self._decimals: dict[int, Any] = {}
        self.workbook = workbook

    def decimals(self, places: int | None) -> Any:
        if places is None:
            return None
        if places not in self._decimals:
            pattern = "0." + "0" * places if places else "0"
            self._decimals[places] = self.workbook.add_format({"num_format": pattern})
        return self._decimals[places]


def _header(sheet: Any, table: TableDef, styles: _Styles) -> None:
    # Row by row: in constant-memory mode a row is final once a later row is written.
    sheet.set_row(0, 45)
    sheet.set_row(1, 45)
    rows = (
        ([c.label_en for c in table.columns], styles.header),
        ([c.label_zh for c in table.columns], styles.header),
        ([unit_of(c, utc=True) for c in table.columns], styles.header),
        ([c.name for c in table.columns], styles.name),
    )
    for r, (texts, style) in enumerate(rows):
        for c, text in enumerate(texts):
            sheet.write_string(r, c, text, style)
    for c, column in enumerate(table.columns):
        sheet.set_column(c, c, min(max(len(column.name) + 2, 12), 40))


Cell = Callable[[Any, int, int, Any], None]


def _cell_writer(table: TableDef, column: Column, styles: _Styles) -> Cell:
    """How to write one column's (non-None) values as typed cells."""
    kind = column.type

    def where(r: int) -> str:
        return f"{table.id} row {r - HEADER_ROWS + 1} column {column.name}"

    if kind in (ColumnType.TEXT, ColumnType.CODE, ColumnType.CODES):
        joined = kind is ColumnType.CODES

        def text(sheet: Any, r: int, c: int, value: Any) -> None:
            shown: str = CODES_SEPARATOR.join(value) if joined else value
            if len(shown) > EXCEL_MAX_TEXT:
                raise InputError(where(r), f"{shown[:40]}...", f"a text of at most {EXCEL_MAX_TEXT} "
                                 "characters (Excel's limit)", "use the CSV export")
            sheet.write_string(r, c, shown)

        return text
    if kind is ColumnType.INTEGER:
        return lambda sheet, r, c, value: sheet.write_number(r, c, value)
    if kind is ColumnType.DECIMAL:
        style = styles.decimals(column.decimals)
        return lambda sheet, r, c, value: sheet.write_number(r, c, float(value), style)
    if kind is ColumnType.BOOLEAN:
        return lambda sheet, r, c, value: sheet.write_boolean(r, c, value)
    if kind is ColumnType.DATE:
        def day(sheet: Any, r: int, c: int, value: dt.date) -> None:
            if value < _EXCEL_FIRST_DATE:
                raise InputError(where(r), value, "a date from 1900-03-01 on (Excel's dates)",
                                 "use the CSV export")
            sheet.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), styles.date)

        return day

    def moment(sheet: Any, r: int, c: int, value: dt.datetime) -> None:
        utc = value.astimezone(dt.UTC).replace(tzinfo=None)
        if utc.date() < _EXCEL_FIRST_DATE:
            raise InputError(where(r), value, "a date-time from 1900-03-01 on (Excel's dates)",
                             "use the CSV export")
        sheet.write_datetime(r, c, utc, styles.datetime)

    return moment


def _codebook_sheet(workbook: Any, tables: tuple[TableDef, ...], styles: _Styles) -> None:
    sheet = workbook.add_worksheet("codebook")
    widths = {"label_en": 40, "label_zh": 30, "codes_en": 60, "codes_zh": 60, "table": 24, "sheet": 24,
              "column": 28, "codelist": 22}
    for c, name in enumerate(CODEBOOK_COLUMNS):
        sheet.write_string(0, c, name, styles.name)
        sheet.set_column(c, c, widths.get(name, 10))
    rows = codebook_rows(tables, utc=True)
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row.values()):
            if value:
                sheet.write_string(r, c, value)
    sheet.autofilter(0, 0, len(rows), len(CODEBOOK_COLUMNS) - 1)
    sheet.freeze_panes(1, 3)

