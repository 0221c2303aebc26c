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
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hipectrial.data import TrialData
from hipectrial.errors import DataError, InputError
from hipectrial.export.redcap.design import Designation, Project, project_design
from hipectrial.export.redcap.names import checkbox_column
from hipectrial.export.redcap.records import FIXED, columns_of, complete_column, record_header
from hipectrial.export.tables import ColumnType, TablesError, from_text, trial_from_tables
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
    reader = _Reader(protocol, project if project is not None else project_design(protocol))
    lines = csv.reader(io.StringIO(csv_text.removeprefix("\ufeff"), newline=""))
    header = next(lines, None)
    if header is None:
        raise RedcapRecordsError([RecordProblem(None, "", "", "", "", "", "a header line")])
    if not reader.header(header):
        raise RedcapRecordsError(reader.problems)
    for number, cells in enumerate(lines, 2):
        reader.row(number, cells)
    if reader.problems:
        raise RedcapRecordsError(reader.problems)
    try:
        return trial_from_tables(protocol, iter(reader.rows))
    except TablesError as exc:
        raise RedcapRecordsError([reader.from_tables(p) for p in exc.problems]) from None


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
        self.allowed_cache: dict[tuple[str, tuple[str, ...]], frozenset[int]] = {}

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
                    "a column of the project's record file "
                    "(a variable of its data dictionary, a checkbox option or <instrument>_complete)",
                )
        for name in self.expected:
            if name not in seen:
                self.problem(
                    None, "", "", "", name, "", f"column {name} (export every instrument, raw values)"
                )
        return not self.problems

    def row(self, line: int, cells: list[str]) -> None:
        if len(cells) != self.width:
            self.problem(line, "", "", "", "", f"{len(cells)} cells", f"{self.width} cells, as the header")
            return
        get = self.cell_getter(cells)
        record, event_name, repeat_instrument, instance_text = (get(name) for name in FIXED)
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
        allowed = self.allowed(event_name, holders)
        names = self.names
        for i, cell in enumerate(cells):
            if cell and i not in allowed:
                self.problem(*where, names[i], cell, "blank: this row holds "
                             + (", ".join(d.instrument.name for d in holders) or "no instrument")
                             + f" (the instruments of event {event_name} on a row of this kind)")
        for designation in holders:
            self.instrument_values(where, designation, instance if isinstance(instance, int) else None, get)

    def allowed(self, event: str, holders: list[Designation]) -> frozenset[int]:
        """The positions of the columns a row of these instruments may fill."""
        key = (event, tuple(d.instrument.name for d in holders))
        found = self.allowed_cache.get(key)
        if found is None:
            names = [*FIXED, *IGNORED_COLUMNS, *(c for d in holders for c in columns_of(d.instrument))]
            found = frozenset(self.index[n] for n in names if n in self.index)
            self.allowed_cache[key] = found
        return found

    def cell_getter(self, cells: list[str]) -> Callable[[str], str]:
        index = self.index

        def get(name: str) -> str:
            return cells[index[name]]

        return get

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
            self.problem(
                *where,
                "redcap_repeat_instance",
                str(instance),
                f"blank (event {event} does not repeat, and no repeating instrument is named)",
            )
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
        get: Callable[[str], str],
    ) -> None:
        instrument = designation.instrument
        line, record, event, _ = where
        at = (line, record, event, instrument.name)
        status = get(complete_column(instrument))
        if status not in ("", "0", "1", "2"):
            self.problem(*at, complete_column(instrument), status, "blank or a form status 0, 1 or 2")
        values: dict[str, object] = {}
        present = status in ("1", "2")
        for variable in instrument.variables:
            column = variable.column
            if column is None:
                continue
            if variable.checkbox:
                ticked: list[str] = []
                for code in column.codes:
                    name = checkbox_column(variable.name, code.code)
                    text = get(name)
                    if text == "1":
                        ticked.append(code.code)
                    elif text not in ("0", ""):
                        self.problem(*at, name, text, "1 (ticked), 0 or blank")
                values[column.name] = tuple(ticked) or None
                present = present or bool(ticked)
                continue
            text = get(variable.name)
            if text == "":
                values[column.name] = None
                continue
            present = True
            if column.type is ColumnType.BOOLEAN:
                if text not in ("1", "0"):
                    self.problem(*at, variable.name, text, "1 (yes) or 0 (no)")
                    continue
                values[column.name] = text == "1"
                continue
            try:
                values[column.name] = from_text(column, text, where=variable.name)
            except InputError as exc:
                self.problem(*at, variable.name, text, exc.expected)
        if not present:
            return
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

