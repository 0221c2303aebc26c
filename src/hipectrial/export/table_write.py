"""TrialData -> rows: :func:`table_rows` and the order it writes in (:func:`canonical`)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from hipectrial.data.records import FormRecord
from hipectrial.data.trial import COLLECTIONS, TrialData
from hipectrial.data.vocab import RecordKind
from hipectrial.export.table_defs import Layout, layouts
from hipectrial.export.table_model import Column, ColumnType, TableDef, TableProblem, TablesError
from hipectrial.export.table_parts import RowProblem, Seq
from hipectrial.export.table_text import expected, value_fits
from hipectrial.protocol import Protocol

Row = tuple[object, ...]

_PARTICIPANT_KINDS = COLLECTIONS[2:]


def canonical(trial: TrialData) -> TrialData:
    """``trial`` with each participant-scoped collection stably sorted by the position of
    its participant in ``trial.participants`` (records of an unknown participant last).

    This is the order :func:`table_rows` writes and :func:`trial_from_tables` reads back;
    a trial already grouped by participant (as the simulator and the EDC make them) is
    returned unchanged, as the same object.
    """
    position = {p.id: i for i, p in enumerate(trial.participants)}
    last = len(position)
    changes: dict[str, Any] = {}
    for kind in _PARTICIPANT_KINDS:
        records: Sequence[Any] = trial.records(kind)
        keys = [position.get(r.participant_id, last) for r in records]
        if any(a > b for a, b in itertools.pairwise(keys)):
            order = sorted(range(len(records)), key=keys.__getitem__)  # sorted() is stable
            changes[kind.value] = tuple(records[i] for i in order)
    return replace(trial, **changes) if changes else trial


def table_rows(trial: TrialData, protocol: Protocol) -> Iterator[tuple[TableDef, Row]]:
    """Every row of every table of ``trial``: tables in :func:`table_defs` order, rows in
    :func:`canonical` order, each value typed (``str``, ``int``, ``Decimal``, ``date``,
    ``datetime``, ``bool``, ``tuple[str, ...]`` or ``None``) in the table's column order.

    Rows are made as they are asked for (a generator), so a writer holds one row at a time.
    ``seq`` numbers a participant's records of one kind from 1 in canonical order (for CRF
    tables: among all the participant's CRF records, so that their order across forms
    survives); a child row carries its parent's ``seq`` and its own position.

    Raises
    ------
    TablesError
        (a ``DataError``) at the first record that a table cannot hold so that
        :func:`trial_from_tables` gives it back: naming table, row number, key, column,
        value and what was expected. That is a value of the wrong type for its column, a
        code not in its code list, an empty text or an empty tuple of codes (text formats
        cannot tell them from no value), a record of an unknown participant or form, a
        field the form does not have, an attribution to an agent the protocol does not
        have, a repeat number on a form that does not repeat, or a key given twice.
    """
    position = {p.id: i for i, p in enumerate(trial.participants)}
    ordered = canonical(trial)
    forms: dict[str, list[tuple[FormRecord, int]]] | None = None
    for layout in layouts(protocol):
        table, kind = layout.table, layout.table.kind
        writer = _Writer(layout)
        if kind is None:
            yield table, writer.row(1, ordered, ())
        elif kind in (RecordKind.SITE, RecordKind.PARTICIPANT):
            for number, record in enumerate(ordered.records(kind), 1):
                yield table, writer.row(number, record, ())
        elif kind is RecordKind.FORM:
            if forms is None:
                forms = _forms_by_id(ordered, protocol, position)
            for number, (record, seq) in enumerate(forms.get(table.form.id if table.form else "", ()), 1):
                yield table, writer.row(number, record, (seq,))
        elif layout.table.parent is not None:
            child = "lesions" if kind is RecordKind.TUMOUR_ASSESSMENT else "complications"
            number = 0
            for parent, parent_seq in _numbered(ordered.records(kind), table.id, position):
                for seq, record in enumerate(getattr(parent, child), 1):
                    number += 1
                    yield table, writer.row(number, record, (parent.participant_id, parent_seq, seq))
        else:
            seq_first = kind is not RecordKind.VISIT  # a visit's seq follows its natural key
            for number, (record, seq) in enumerate(_numbered(ordered.records(kind), table.id, position), 1):
                yield table, writer.row(number, record, (record.participant_id, seq) if seq_first else (seq,))


def _numbered(records: Sequence[Any], table: str, position: dict[str, int]) -> Iterator[tuple[Any, int]]:
    """Each record with its 1-based number among its participant's (records already
    grouped by participant); TablesError for a record of an unknown participant."""
    counts: dict[str, int] = {}
    for number, record in enumerate(records, 1):
        pid = record.participant_id
        if pid not in position:
            raise _orphan(table, number, record)
        counts[pid] = seq = counts.get(pid, 0) + 1
        yield record, seq


def _orphan(table: str, number: int, record: Any) -> TablesError:
    return TablesError([TableProblem(table, number, record.key, "participant_id", record.participant_id,
                                     "a participant of the participants table")])


def _forms_by_id(trial: TrialData, protocol: Protocol,
                 position: dict[str, int]) -> dict[str, list[tuple[FormRecord, int]]]:
    forms: dict[str, list[tuple[FormRecord, int]]] = {f.id: [] for f in protocol.forms}
    for number, (record, seq) in enumerate(_numbered(trial.form_records, "form_records", position), 1):
        bucket = forms.get(record.form_id)
        if bucket is None:
            raise TablesError([TableProblem("form_records", number, record.key, "form_id", record.form_id,
                                            "a form of the protocol")])
        bucket.append((record, seq))
    return forms


class _Writer:
    """Makes the rows of one table and checks each value against its column."""

    def __init__(self, layout: Layout) -> None:
        self.table = layout.table
        self.parts = layout.parts
        self.checks: tuple[tuple[int, Column, Callable[[object], bool]], ...] = tuple(
            (i, c, _fits(c)) for i, c in enumerate(self.table.columns))
        self.key = tuple(i for i, c in enumerate(self.table.columns) if c.key)
        self.seen: set[tuple[object, ...]] | None = set() if self._natural_key() else None

    def _natural_key(self) -> bool:
        # Keys made of positions are unique by construction; natural keys may repeat.
        return not any(isinstance(p, Seq) and p.columns[-1].key for p in self.parts)

    def row(self, number: int, record: Any, positions: tuple[object, ...]) -> Row:
        values: list[object] = []
        try:
            for part in self.parts:
                values.extend(positions if isinstance(part, Seq) else part.values(record))
        except RowProblem as problem:
            raise self._refuse(number, record, problem.column, problem.value, problem.expected) from None
        for i, column, fits in self.checks:
            value = values[i]
            if value is None:
                if column.required:
                    raise self._refuse(number, record, column.name, None, expected(column))
            elif not fits(value):
                raise self._refuse(number, record, column.name, value, expected(column))
        row = tuple(values)
        if self.seen is not None:
            key = tuple(row[i] for i in self.key)
            if key in self.seen:
                raise self._refuse(number, record, None, key, "a key given once in the table")
            self.seen.add(key)
        return row

    def _refuse(self, number: int, record: Any, column: str | None, value: object, what: str) -> TablesError:
        key = getattr(record, "key", "") if not isinstance(record, TrialData) else record.protocol_id
        return TablesError([TableProblem(self.table.id, number, str(key), column, value, what)])


def _fits(column: Column) -> Callable[[object], bool]:
    """A quick check of a (non-None) value's type for ``column``: exact types first."""
    kind = column.type
    if kind is ColumnType.TEXT:
        return lambda v: (type(v) is str and v != "") or value_fits(column, v)
    if kind is ColumnType.INTEGER:
        return lambda v: type(v) is int or value_fits(column, v)
    if kind is ColumnType.CODE:
        codes = frozenset(c.code for c in column.codes)
        return lambda v: isinstance(v, str) and v in codes
    return lambda v: value_fits(column, v)
