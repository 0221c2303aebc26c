"""A trial's records as REDCap's flat record CSV (what REDCap imports and exports, raw values).

Columns: ``record_id``, ``redcap_event_name``, ``redcap_repeat_instrument``,
``redcap_repeat_instance``, then each instrument's variables in dictionary order (a checkbox
as one ``<variable>___<code>`` column per option, ``1`` ticked, ``0`` not) followed by
``<instrument>_complete`` (``2``, Complete, for every instrument with a record on the row).
Rows, as REDCap writes them: one per record and event holding its non-repeating
instruments, one per instance of a repeating event, one per instance of a repeating
instrument. Every row of every table of :mod:`hipectrial.export.tables` goes into exactly
one place (:mod:`hipectrial.export.redcap.design`), so the file carries the whole trial.

Values are the tables' canonical texts (:func:`hipectrial.export.tables.to_text`), which are
REDCap's raw values too: ``YYYY-MM-DD`` dates (``date_ymd``), integers, decimals as
recorded, codes as coded; booleans are REDCap's ``1`` / ``0``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from hipectrial.data import TrialData
from hipectrial.errors import InputError
from hipectrial.export.redcap.design import (
    PARTICIPANT_EVENT,
    RECORD_ID,
    STUDY_EVENT,
    Designation,
    Event,
    Instrument,
    Project,
)
from hipectrial.export.redcap.names import checkbox_column
from hipectrial.export.tables import Column, ColumnType, TableDef, table_rows
from hipectrial.protocol import Protocol

FIXED = (RECORD_ID, "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance")
COMPLETE = "2"  # REDCap form status: 0 Incomplete, 1 Unverified, 2 Complete


def complete_column(instrument: Instrument) -> str:
    return f"{instrument.name}_complete"


def columns_of(instrument: Instrument) -> tuple[str, ...]:
    """The record-file columns of one instrument (record_id excluded), in order."""
    out: list[str] = []
    for variable in instrument.variables:
        if variable.column is None:
            continue
        if variable.checkbox:
            out += [checkbox_column(variable.name, c.code) for c in variable.column.codes]
        else:
            out.append(variable.name)
    out.append(complete_column(instrument))
    return tuple(out)


def record_header(project: Project) -> tuple[str, ...]:
    """The header of the project's record file."""
    return FIXED + tuple(c for i in project.instruments for c in columns_of(i))


@dataclass(frozen=True, slots=True)
class RecordCounts:
    """How many records, events and rows a record file holds."""

    records: int
    rows: int


def table_row_count(trial: TrialData) -> int:
    """How many table rows ``trial`` makes (the trial row, records, lesions, complications)."""
    children = sum(len(a.lesions) for a in trial.tumour_assessments) + sum(
        len(s.complications) for s in trial.surgeries)
    return 1 + sum(len(records) for _, records in _collections(trial)) + children


def _collections(trial: TrialData) -> Iterator[tuple[str, tuple[object, ...]]]:
    for name in ("sites", "participants", "visits", "form_records", "doses", "adverse_events", "lab_results",
                 "tumour_assessments", "surgeries", "follow_ups"):
        yield name, getattr(trial, name)


def record_rows(*, trial: TrialData, protocol: Protocol, project: Project,
                progress: Callable[[int, int], None] | None = None) -> Iterator[tuple[str, ...]]:
    """The rows of the record file (without the header), in a fixed order: the study record,
    then each participant in ``trial`` order; per record, events in project order; per
    event, the row of its non-repeating instruments, then the instances of the repeating
    event, then each repeating instrument's instances.

    Raises
    ------
    TablesError
        From :func:`hipectrial.export.tables.table_rows`: a record the tables cannot hold.
    InputError
        A record REDCap has no place for, naming it: a form at a visit that does not list it
        (no instrument-event designation), another occurrence of a visit the protocol does
        not repeat, or a multi-choice value whose codes are not in code-list order
        (checkboxes keep no order).

    ``progress(done, total)``, when given, is called every 1,000 table rows placed and at the
    end (``total``: :func:`table_row_count`); the rows are placed before the first is given.
    """
    header = record_header(project)
    position = {name: i for i, name in enumerate(header)}
    placer = _Placer(project)
    plans: dict[str, _Plan] = {}
    # Rows are kept sparse (column index -> text) until written: most cells are blank.
    records: dict[str, dict[tuple[int, int, int], dict[int, str]]] = {project.study_record: {}}
    for participant in trial.participants:
        if participant.id == project.study_record:
            raise InputError("participants", participant.id, "a participant id other than the study id",
                             "the study's own REDCap record is named by the study id")
        records[participant.id] = {}
    total = table_row_count(trial) if progress is not None else 0
    for done, (table, row) in enumerate(table_rows(trial, protocol), 1):
        if progress is not None and done % 1000 == 0:
            progress(done, total)
        plan = plans.get(table.id)
        if plan is None:
            plans[table.id] = plan = _Plan(placer.instrument(table), position)
        instrument = plan.instrument
        values = dict(zip(plan.names, row, strict=True))
        record = str(values["participant_id"]) if instrument.participant else project.study_record
        designation, instance = placer.place(instrument, values, record)
        key = (placer.event_index[designation.event.unique_name],
               placer.instrument_index[instrument.name] if designation.repeating else -1,
               instance or 0)
        line = records[record].get(key)
        if line is None:
            line = {0: record, 1: designation.event.unique_name}
            if designation.repeating:
                line[2] = instrument.name
            if instance:
                line[3] = str(instance)
            records[record][key] = line
        plan.fill(line, row, record)
    if progress is not None:
        progress(total, total)
    width = len(header)
    for rows in records.values():
        for key in sorted(rows):
            cells = [""] * width
            for i, text in rows[key].items():
                cells[i] = text
            yield tuple(cells)


def _plain(value: object) -> str:
    return str(value)


def _iso(value: object) -> str:
    return value.isoformat()  # type: ignore[attr-defined, no-any-return]  # a checked date or datetime


def _yes_no(value: object) -> str:
    return "1" if value else "0"


_FORMAT = {ColumnType.DATE: _iso, ColumnType.DATETIME: _iso, ColumnType.BOOLEAN: _yes_no}


class _Plan:
    """How one table's rows fill record-file cells (values already checked by the tables:
    each is of its column's type, so its text is REDCap's raw value)."""

    def __init__(self, instrument: Instrument, position: dict[str, int]) -> None:
        self.instrument = instrument
        self.names = instrument.table.names
        index = {name: i for i, name in enumerate(self.names)}
        self.cells: list[tuple[int, int, Callable[[object], str]]] = []
        self.boxes: list[tuple[int, Column, str, tuple[tuple[str, int], ...]]] = []
        for variable in instrument.variables:
            column = variable.column
            if column is None:
                continue
            if variable.checkbox:
                options = tuple(
                    (c.code, position[checkbox_column(variable.name, c.code)]) for c in column.codes
                )
                self.boxes.append((index[column.name], column, variable.name, options))
            else:
                self.cells.append(
                    (index[column.name], position[variable.name], _FORMAT.get(column.type, _plain))
                )
        self.complete = position[complete_column(instrument)]

    def fill(self, line: dict[int, str], row: tuple[object, ...], record: str) -> None:
        for source, target, text in self.cells:
            value = row[source]
            if value is not None:
                line[target] = text(value)
        for source, column, name, options in self.boxes:
            _tick(line, options, name, column, row[source], self.instrument, record)
        line[self.complete] = COMPLETE


def _tick(line: dict[int, str], options: tuple[tuple[str, int], ...], name: str, column: Column,
          value: object, instrument: Instrument, record: str) -> None:
    codes = [code for code, _ in options]
    chosen: tuple[str, ...] = value if isinstance(value, tuple) else ()
    if chosen and tuple(c for c in codes if c in chosen) != chosen:
        raise InputError(f"{record} {instrument.name} {name}", "|".join(chosen),
                         "codes given once, in code-list order (" + ", ".join(codes) + ")",
                         "REDCap checkboxes keep no order; the value would not come back as recorded")
    for code, target in options:
        line[target] = "1" if code in chosen else "0"


class _Placer:
    """Where a table row goes: its instrument, designation and instance."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.by_table = {i.table.id: i for i in project.instruments}
        self.event_index = {e.unique_name: n for n, e in enumerate(project.events)}
        self.instrument_index = {i.name: n for n, i in enumerate(project.instruments)}
        self.by_visit: dict[str, Event] = {e.visit_id: e for e in project.events if e.visit_id is not None}
        self.special = {e.name: e for e in project.events if e.visit_id is None}
        self.designations = {(d.event.unique_name, d.instrument.name): d for d in project.designations}
        self.numbers: dict[tuple[str, str, str], int] = {}

    def instrument(self, table: TableDef) -> Instrument:
        return self.by_table[table.id]

    def place(
        self, instrument: Instrument, values: dict[str, object], record: str
    ) -> tuple[Designation, int | None]:
        if instrument.table.form is None:
            event = self.special[PARTICIPANT_EVENT if instrument.participant else STUDY_EVENT]
        else:
            event = self.by_visit[str(values["visit_id"])]
        designation = self.designations.get((event.unique_name, instrument.name))
        if designation is None:
            raise InputError(f"{record} {instrument.name} at {values.get('visit_id')}", instrument.name,
                             f"a form of visit {event.visit_id} (the protocol lists "
                             + ", ".join(d.instrument.name for d in self.project.designations
                                         if d.event is event) + ")",
                             "REDCap enters an instrument only at the events it is designated to")
        if instrument.instance_column is not None:
            return designation, int(values[instrument.instance_column])  # type: ignore[call-overload]
        if designation.numbered:
            key = (record, event.unique_name, instrument.name)
            self.numbers[key] = number = self.numbers.get(key, 0) + 1
            return designation, number
        if designation.instance_is_visit_repeat:
            return designation, int(values["visit_repeat"])  # type: ignore[call-overload]
        if instrument.table.form is not None and values.get("visit_repeat") != 1:
            raise InputError(f"{record} {instrument.name} at {event.visit_id}", values.get("visit_repeat"),
                             "occurrence 1 (the protocol does not repeat this visit, so its REDCap event "
                             "does not repeat)")
        return designation, None
