"""A REDCap flat record CSV made with this project's dictionary, read back into ``TrialData``.

The file is checked whole before anything is built: its header (every column of the
project's record file, each once, in any order; REDCap's ``redcap_data_access_group`` is
allowed and ignored), then every row: a known event, an instrument designated there, an
instance where REDCap puts one, values only in the instruments the row may hold, each value
of its variable's type (``1``/``0`` for yes/no and checkboxes, a code of the list, a
``YYYY-MM-DD`` date, an integer, a number ...), ``<instrument>_complete`` blank or 0-2. Every
problem is named (line, record, event, instrument, variable, value, what was expected); the
rows then go to :func:`hipectrial.export.tables.trial_from_tables`, whose refusals (a
participant without its row, a key twice ...) are named the same way. Either the whole
trial comes back or an error lists the problems (the first 20 shown, with how many more).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import compress
from typing import Any

from hipectrial.data import TrialData
from hipectrial.errors import DataError, InputError
from hipectrial.export.redcap.design import Designation, Project, project_design
from hipectrial.export.redcap.names import checkbox_column
from hipectrial.export.redcap.records import FIXED, complete_column, record_header
from hipectrial.export.tables import Column, ColumnType, TablesError, from_text, trial_from_tables
from hipectrial.protocol import Protocol

SHOWN = 20
IGNORED_COLUMNS = frozenset({"redcap_data_access_group"})


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """One thing wrong in a record file: where (line, record, event, instrument, variable)
    and what (the value, what was expected)."""

    line: int | None
    record: str
    event: str
    instrument: str
    variable: str
    value: str
    expected: str

    def __str__(self) -> str:
        where = [f"line {self.line}" if self.line is not None else "header"]
        for label, part in (("record", self.record), ("event", self.event), ("instrument", self.instrument),
                            ("variable", self.variable)):
            if part:
                where.append(f"{label} {part}")
        return f"{', '.join(where)}: expected {self.expected}; got {self.value!r}"


@dataclass(frozen=True, slots=True)
class _Cell:
    """What a record-file column holds: an instrument's variable (a checkbox option's code),
    or, with no column, the instrument's form status."""

    instrument: str
    variable: str | None
    column: Column | None
    code: str | None


class RedcapRecordsError(DataError):
    """A record file refused whole, with every problem found."""

    code = "redcap_records_invalid"

    def __init__(self, problems: list[RecordProblem]) -> None:
        self.problems = tuple(problems)
        lines = [str(p) for p in self.problems[:SHOWN]]
        if len(self.problems) > SHOWN:
            lines.append(f"... and {len(self.problems) - SHOWN} more")
        count = len(self.problems)
        super().__init__(f"REDCap record file refused: {count} problem{'s' if count != 1 else ''}:\n"
                         + "\n".join(lines))


def read_redcap_records(csv_text: str, *, protocol: Protocol, project: Project | None = None) -> TrialData:
    """The ``TrialData`` a REDCap flat record CSV holds (module docstring).

    Parameters
    ----------
    csv_text
        The file's text (a leading byte-order mark is ignored).
    protocol
        The protocol the project was made from.
    project
        :func:`hipectrial.export.redcap.design.project_design` of ``protocol`` (made when
        not given).

    Raises
    ------
    InputError
        The protocol cannot be a REDCap project (:func:`project_design`).
    RedcapRecordsError
        (a ``DataError``) naming every problem found; nothing is returned in part.
    """
    return read_redcap_lines(io.StringIO(csv_text, newline=""), protocol=protocol, project=project)


def read_redcap_lines(
    lines: Iterable[str], *, protocol: Protocol, project: Project | None = None
) -> TrialData:
    """:func:`read_redcap_records` of a file's lines as they are read (a text file opened
    with ``newline=""``), so that a large file is never held whole."""
    reader = _Reader(protocol, project if project is not None else project_design(protocol))
    cells = csv.reader(_without_bom(lines))
    header = _next(cells, reader)
    if header is None:
        if not reader.problems:
            reader.problem(None, "", "", "", "", "", "a header line")
        raise RedcapRecordsError(reader.problems)
    if not reader.header(header):
        raise RedcapRecordsError(reader.problems)

    def rows() -> Iterator[tuple[str, Mapping[str, object]]]:
        # Rows go to the tables as they are read: the file's rows are never all held at once.
        start = cells.line_num + 1
        while (row := _next(cells, reader)) is not None:
            reader.row(start, row)  # the line the record starts on (a quoted value may hold line breaks)
            yield from reader.rows
            reader.rows.clear()
            start = cells.line_num + 1

    given = rows()
    trial: TrialData | None = None
    tables: list[RecordProblem] = []
    try:
        trial = trial_from_tables(protocol, given)
    except TablesError as exc:
        tables = [reader.from_tables(p) for p in exc.problems]
    for _ in given:  # read to the end whatever the tables did, to name every problem
        pass
    # The file's own problems first and alone: a row refused here is missing from the tables,
    # whose consequent refusals would only repeat it.
    if reader.problems or trial is None:  # no trial: the tables refused (at least one problem)
        raise RedcapRecordsError(reader.problems or tables)
    return trial


def _next(cells: Any, reader: _Reader) -> list[str] | None:
    """The next row of a ``csv.reader``; None at the end or at text that is not CSV (a NUL
    byte, an unclosed quote, a cell over the csv module's size limit), noted as a problem:
    what follows it cannot be told apart reliably, so reading stops there."""
    try:
        row: list[str] = next(cells)
    except StopIteration:
        return None
    except csv.Error as exc:
        reader.problem(cells.line_num, "", "", "", "", "", f"comma-separated values ({exc})")
        return None
    return row


def _without_bom(lines: Iterable[str]) -> Iterator[str]:
    iterator = iter(lines)
    first = next(iterator, None)
    if first is None:
        return
    yield first.removeprefix("\ufeff")
    yield from iterator


class _Reader:
    def __init__(self, protocol: Protocol, project: Project) -> None:
        self.project = project
        self.problems: list[RecordProblem] = []
        self.rows: list[tuple[str, Mapping[str, object]]] = []
        self.origin: dict[
            str, list[tuple[int, str, str, str]]
        ] = {}  # table -> (line, record, event, instrument)
        self.events = {e.unique_name: e for e in project.events}
        self.designations = {(d.event.unique_name, d.instrument.name): d for d in project.designations}
        self.by_event: dict[str, list[Designation]] = {}
        for d in project.designations:
            self.by_event.setdefault(d.event.unique_name, []).append(d)
        self.instances: set[tuple[str, str, str, int]] = set()
        self.plain: set[tuple[str, str, int]] = set()
        self.index: dict[str, int] = {}
        self.expected = record_header(project)
        self.width = 0
        self.names: list[str] = []
        self.cells: list[_Cell | None] = []

    def problem(self, line: int | None, record: str, event: str, instrument: str, variable: str, value: str,
                expected: str) -> None:
        self.problems.append(RecordProblem(line, record, event, instrument, variable, value, expected))

    def header(self, names: list[str]) -> bool:
        known = set(self.expected)
        seen: set[str] = set()
        self.width = len(names)
        self.names = list(names)
        for position, name in enumerate(names):
            if name in seen:
                self.problem(None, "", "", "", name, name, "each column once")
            seen.add(name)
            if name in known or name in IGNORED_COLUMNS:
                self.index[name] = position
            else:
                self.problem(
                    None,
                    "",
                    "",
                    "",
                    name,
                    name,
                    "a column of the project's record file (a variable "
                    "of its data dictionary, a checkbox option or <instrument>_complete)",
                )
        for name in self.expected:
            if name not in seen:
                self.problem(
                    None, "", "", "", name, "", f"column {name} (export every instrument, raw values)"
                )
        if self.problems:
            return False
        self.cells = [None] * len(names)
        for instrument in self.project.instruments:
            self.cells[self.index[complete_column(instrument)]] = _Cell(instrument.name, None, None, None)
            for variable in instrument.variables:
                column = variable.column
                if column is None:
                    continue
                if variable.checkbox:
                    for code in column.codes:
                        position = self.index[checkbox_column(variable.name, code.code)]
                        self.cells[position] = _Cell(instrument.name, variable.name, column, code.code)
                else:
                    self.cells[self.index[variable.name]] = _Cell(
                        instrument.name, variable.name, column, None
                    )
        return True

    def row(self, line: int, cells: list[str]) -> None:
        if len(cells) != self.width:
            self.problem(line, "", "", "", "", f"{len(cells)} cells", f"{self.width} cells, as the header")
            return
        index = self.index
        record, event_name, repeat_instrument, instance_text = (cells[index[name]] for name in FIXED)
        where = (line, record, event_name, repeat_instrument)
        if not record:
            self.problem(line, record, event_name, repeat_instrument, "record_id", "", "a record id")
            return
        event = self.events.get(event_name)
        if event is None:
            self.problem(*where, "redcap_event_name", event_name, "a unique event name of the project ("
                         + ", ".join(self.events) + ")")
            return
        instance = self.instance(where, instance_text)
        if instance is False:
            return
        holders = self.holders(where, event_name, repeat_instrument, instance)
        if holders is None:
            return
        held = {d.instrument.name: d for d in holders}
        filled: dict[str, list[tuple[_Cell, str]]] = {}
        for i in compress(range(self.width), cells):  # the non-blank cells only
            cell = self.cells[i]
            if cell is None:  # record_id, redcap_* columns
                continue
            if cell.instrument not in held:
                self.problem(*where, self.names[i], cells[i], "blank: this row holds "
                             + (", ".join(held) or "no instrument")
                             + f" (the instruments of event {event_name} on a row of this kind)")
                continue
            filled.setdefault(cell.instrument, []).append((cell, cells[i]))
        for name, given in filled.items():
            self.instrument_values(where, held[name], instance if isinstance(instance, int) else None, given)

    def instance(self, where: tuple[int, str, str, str], text: str) -> int | bool | None:
        if text == "":
            return None
        if text.isdigit() and int(text) >= 1:
            return int(text)
        self.problem(*where, "redcap_repeat_instance", text, "blank or a whole number from 1")
        return False

    def holders(self, where: tuple[int, str, str, str], event: str, instrument: str,
                instance: int | bool | None) -> list[Designation] | None:
        """The designations whose instruments the row may hold."""
        designations = self.by_event.get(event, [])
        record = where[1]
        if instrument:
            designation = self.designations.get((event, instrument))
            if designation is None or not designation.repeating:
                self.problem(*where, "redcap_repeat_instrument", instrument, "an instrument that repeats at "
                             f"event {event} (" + ", ".join(d.instrument.name for d in designations
                                                           if d.repeating) + ")")
                return None
            if instance is None:
                self.problem(*where, "redcap_repeat_instance", "", "the instance of the repeating instrument")
                return None
            if (record, event, instrument, instance) in self.instances:
                self.problem(*where, "redcap_repeat_instance", str(instance), "an instance given once")
                return None
            self.instances.add((record, event, instrument, int(instance)))
            return [designation]
        repeats = self.events[event].repeats
        if repeats and instance is None:
            self.problem(*where, "redcap_repeat_instance", "", f"the instance of the repeating event {event}")
            return None
        if not repeats and instance is not None:
            self.problem(*where, "redcap_repeat_instance", str(instance),
                         f"blank (event {event} does not repeat, and no repeating instrument is named)")
            return None
        key = (record, event, instance or 0)
        if key in self.plain:
            self.problem(*where, "redcap_event_name", event, "one row per record and event (instance)")
            return None
        self.plain.add(key)
        return [d for d in designations if not d.repeating]

    def instrument_values(
        self,
        where: tuple[int, str, str, str],
        designation: Designation,
        instance: int | None,
        given: list[tuple[_Cell, str]],
    ) -> None:
        """One instrument's non-blank cells on a row: its record, if it has one (a value, a
        ticked box or a form status 1 or 2; unticked boxes alone are no record)."""
        instrument = designation.instrument
        line, record, event, _ = where
        at = (line, record, event, instrument.name)
        values: dict[str, object] = {}
        ticked: dict[str, list[str]] = {}
        present = False
        for cell, text in given:
            column = cell.column
            if column is None:
                if text in ("1", "2"):
                    present = True
                elif text != "0":
                    self.problem(*at, complete_column(instrument), text, "blank or a form status 0, 1 or 2")
                continue
            if cell.code is not None:
                if text == "1":
                    ticked.setdefault(column.name, []).append(cell.code)
                    present = True
                elif text != "0":
                    self.problem(
                        *at, checkbox_column(cell.variable or "", cell.code), text, "1 (ticked), 0 or blank"
                    )
                continue
            present = True
            if column.type is ColumnType.BOOLEAN:
                if text not in ("1", "0"):
                    self.problem(*at, cell.variable or "", text, "1 (yes) or 0 (no)")
                    continue
                values[column.name] = text == "1"
                continue
            try:
                values[column.name] = from_text(column, text, where=cell.variable or "")
            except InputError as exc:
                self.problem(*at, cell.variable or "", text, exc.expected)
        if not present:
            return
        for name, codes in ticked.items():  # in code-list order, as the columns are
            values[name] = tuple(codes)
        self.keys(at, designation, instance, values)
        self.origin.setdefault(instrument.table.id, []).append((line, record, event, instrument.name))
        self.rows.append((instrument.table.id, values))

    def keys(self, at: tuple[int, str, str, str], designation: Designation, instance: int | None,
             values: dict[str, object]) -> None:
        instrument = designation.instrument
        record = at[1]
        if instrument.participant:
            values["participant_id"] = record
        if instrument.table.form is not None:
            values["visit_id"] = designation.event.visit_id
            if designation.instance_is_visit_repeat:
                values["visit_repeat"] = instance
            elif not instrument.repeating:
                values["visit_repeat"] = 1
        if instrument.instance_column is not None:
            values[instrument.instance_column] = instance

    def from_tables(self, problem: object) -> RecordProblem:
        """A tables refusal named by the record file's line."""
        table = getattr(problem, "table", "")
        row = getattr(problem, "row", None)
        origin = self.origin.get(table, [])
        line, record, event, instrument = (origin[row - 1] if row is not None and 0 < row <= len(origin)
                                           else (None, "", "", table))
        column = getattr(problem, "column", None) or ""
        variable = column
        inst = next((i for i in self.project.instruments if i.table.id == table), None)
        if inst is not None and column:
            found = inst.variable_of(column)
            variable = found.name if found is not None else column
        value = getattr(problem, "value", "")
        return RecordProblem(line, record, event, instrument, variable,
                             "" if value is None else str(value), str(getattr(problem, "expected", "")))

