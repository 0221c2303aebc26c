"""Rows -> TrialData: :func:`trial_from_tables`, which refuses rows that do not fit, naming
every problem."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hipectrial.data.trial import TrialData
from hipectrial.data.vocab import RecordKind
from hipectrial.errors import InputError
from hipectrial.export.table_defs import Layout, layouts
from hipectrial.export.table_model import TableDef, TableProblem, TablesError
from hipectrial.export.table_parts import RowProblem
from hipectrial.export.table_text import expected, value_fits
from hipectrial.protocol import Protocol

# Tables whose rows are ordered by an optional ``seq`` rather than keyed by it.
_SEQ_ORDERED = (RecordKind.VISIT, RecordKind.FORM)


@dataclass(slots=True)
class _Read:
    """One accepted row: where it came from, its constructor arguments and its numbers."""

    table: TableDef
    layout: Layout
    number: int
    key: str
    args: dict[str, Any]
    pid: Any  # the row's participant_id (None in trial and sites)
    seq: int | None
    parent_seq: int | None = None
    children: list[_Read] = field(default_factory=list)


def trial_from_tables(protocol: Protocol, rows: Iterable[tuple[str, Mapping[str, object]]]) -> TrialData:
    """The ``TrialData`` that rows of :func:`table_rows` (as ``(table id, {column: value})``)
    describe; the inverse of :func:`table_rows` up to :func:`canonical` order.

    A column left out of a row is no value. Rows of a table may come in any order: typed
    records are ordered by participant (the order of the ``participants`` rows) and ``seq``;
    visits and CRF records by participant and ``seq`` where given, then (those without one)
    in the order their rows came, CRF tables in protocol form order.

    Raises
    ------
    TablesError
        (a ``DataError``) listing every problem found, each naming table, row number (from
        1, per table, in the order given), key, column, value and what was expected: an
        unknown table or column, a value of the wrong type or a code not in the column's
        list, a missing required value, a key or ``seq`` given twice, a row whose
        participant (or parent assessment or operation) has no row, not exactly one
        ``trial`` row, or values that make no record (e.g. provenance without its author).
    """
    by_id = {layout.table.id: layout for layout in layouts(protocol)}
    reader = _Reader(by_id)
    for table_id, row in rows:
        reader.add(table_id, row)
    return reader.finish()


class _Reader:
    def __init__(self, by_id: dict[str, Layout]) -> None:
        self.by_id = by_id
        self.order = {table_id: i for i, table_id in enumerate(by_id)}
        self.problems: list[TableProblem] = []
        self.counts: dict[str, int] = {}
        self.keys: dict[str, set[tuple[object, ...]]] = {}
        self.rows: dict[str, list[_Read]] = {table_id: [] for table_id in by_id}
        # Keys of every row given, accepted or not: a record whose participant's (or parent's)
        # row was refused for its own problem is not reported again as an orphan.
        self.given: dict[str, set[tuple[object, ...]]] = {table_id: set() for table_id in by_id}

    def problem(self, table: str, number: int | None, key: str, column: str | None,
                value: object, what: str) -> None:
        self.problems.append(TableProblem(table, number, key, column, value, what))

    def add(self, table_id: str, row: Mapping[str, object]) -> None:
        number = self.counts[table_id] = self.counts.get(table_id, 0) + 1
        layout = self.by_id.get(table_id)
        if layout is None:
            if number == 1:  # once per unknown table
                self.problem(table_id, None, "", None, table_id,
                             "a table of the protocol (" + ", ".join(self.by_id) + ")")
            return
        table = layout.table
        key_values = tuple(row.get(c.name) for c in table.key)
        key = ", ".join("" if v is None else str(v) for v in key_values)
        self.given[table.id].add(key_values)
        before = len(self.problems)
        names = set(table.names)
        for name in row:
            if name not in names:
                self.problem(table.id, number, key, name, row[name], f"a column of table {table.id}")
        for column in table.columns:
            value = row.get(column.name)
            if value is None:
                if column.required:
                    self.problem(table.id, number, key, column.name, None, expected(column))
            elif not value_fits(column, value):
                self.problem(table.id, number, key, column.name, value, expected(column))
        if len(self.problems) > before:
            return
        seen = self.keys.setdefault(table.id, set())
        if key_values in seen:
            self.problem(table.id, number, key, None, key_values, "a key given once in the table")
            return
        seen.add(key_values)
        args: dict[str, Any] = dict(layout.constants)
        try:
            for part in layout.parts:
                part.read(row, args)
        except RowProblem as exc:
            self.problem(table.id, number, key, exc.column, exc.value, exc.expected)
            return
        except InputError as exc:
            self.problem(table.id, number, key, exc.field, exc.value, exc.expected)
            return
        seq = row.get("seq")
        parent_seq = row.get("assessment_seq", row.get("surgery_seq"))
        self.rows[table.id].append(_Read(table, layout, number, key, args, row.get("participant_id"),
                                         seq if isinstance(seq, int) else None,
                                         parent_seq if isinstance(parent_seq, int) else None))

    def finish(self) -> TrialData:
        trial_rows = self.rows["trial"]
        if len(trial_rows) != 1:
            self.problem("trial", None, "", None, len(trial_rows), "exactly one row in table trial")
        participants = self.rows["participants"]
        position = {r.pid: i for i, r in enumerate(participants)}
        collections: dict[str, tuple[Any, ...]] = {
            "sites": self._build(self.rows["sites"]),
            "participants": self._build(participants),
        }
        self._attach(position)
        ordered: dict[RecordKind, list[_Read]] = {}
        for layout in self.by_id.values():
            kind = layout.table.kind
            if kind is None or kind in (RecordKind.SITE, RecordKind.PARTICIPANT) or layout.table.parent:
                continue
            for r in self.rows[layout.table.id]:
                if r.pid not in position:
                    if (r.pid,) in self.given["participants"]:
                        continue  # its participant's row is refused already
                    self.problem(r.table.id, r.number, r.key, "participant_id", r.pid,
                                 "a participant of the participants table")
                else:
                    ordered.setdefault(kind, []).append(r)
        for kind, reads in ordered.items():
            collections[kind.value] = self._build(self._sorted(kind, reads, position))
        trial = None
        if len(trial_rows) == 1:
            args = {**trial_rows[0].args, **collections}
            try:
                trial = TrialData(**args)
            except InputError as exc:
                self.problem("trial", 1, trial_rows[0].key, exc.field, exc.value, exc.expected)
        if self.problems or trial is None:
            raise TablesError(self.problems)
        return trial

    def _attach(self, position: dict[str, int]) -> None:
        """Give each assessment its lesions and each operation its complications."""
        for child_id, attr in (("lesions", "lesions"), ("complications", "complications")):
            layout = self.by_id[child_id]
            parent_id = layout.table.parent or ""
            parents = {(r.pid, r.seq): r for r in self.rows[parent_id]}
            parent_column = layout.table.columns[1].name
            for r in self.rows[child_id]:
                parent = parents.get((r.pid, r.parent_seq))
                if parent is None:
                    if (r.pid, r.parent_seq) in self.given[parent_id]:
                        continue  # its parent's row is refused already
                    self.problem(child_id, r.number, r.key, parent_column, r.parent_seq,
                                 f"the seq of a row of table {parent_id} of participant "
                                 f"{r.pid!r}")
                    continue
                parent.children.append(r)
            self._gaps([r for r in self.rows[child_id] if (r.pid, r.parent_seq) in parents],
                       f"the {child_id} of each {parent_id} row")
            for parent in parents.values():
                children = sorted(parent.children, key=lambda c: c.seq or 0)
                parent.args[attr] = self._build(children, drop=("participant_id",))

    def _gaps(self, reads: list[_Read], what: str) -> None:
        """Refuse numbering with a gap: a participant's records (or a record's children)
        numbered 1, 2, 4 lost number 3 on the way (a row deleted from the file); read back
        as they are, every later record would be renumbered without a word. Judged only on
        rows all accepted: a refused row leaves a gap that is not a deletion."""
        if self.problems:
            return
        by_owner: dict[tuple[str, int | None], list[_Read]] = {}
        for r in reads:
            by_owner.setdefault((r.pid, r.parent_seq), []).append(r)
        for (pid, _), rows in by_owner.items():
            if any(r.seq is None for r in rows):
                continue  # an optional order given for some rows only: nothing to compare
            numbers = sorted({r.seq for r in rows if r.seq is not None})
            missing = next((n for n, seq in enumerate(numbers, 1) if seq != n), None)
            if missing is not None:
                after = max(rows, key=lambda r: r.seq or 0)
                self.problem(after.table.id, after.number, after.key, "seq", after.seq,
                             f"{what} of participant {pid!r} numbered from 1 without a gap "
                             f"(number {missing} is missing: a record deleted from the file?)")

    def _sorted(self, kind: RecordKind, reads: list[_Read], position: dict[str, int]) -> list[_Read]:
        self._gaps(reads, f"the {kind.value} records")
        if kind not in _SEQ_ORDERED:
            return sorted(reads, key=lambda r: (position[r.pid], r.seq or 0))
        seen: dict[tuple[str, int], _Read] = {}
        for r in reads:
            if r.seq is not None:
                other = seen.setdefault((r.pid, r.seq), r)
                if other is not r:
                    self.problem(r.table.id, r.number, r.key, "seq", r.seq,
                                 f"a seq not given to another {kind.value} record of the participant "
                                 f"(also {other.table.id} row {other.number})")
        return sorted(reads, key=lambda r: (position[r.pid], r.seq is None, r.seq or 0,
                                            self.order[r.table.id], r.number))

    def _build(self, reads: list[_Read], drop: tuple[str, ...] = ()) -> tuple[Any, ...]:
        built = []
        for r in reads:
            args = {k: v for k, v in r.args.items() if k not in drop} if drop else r.args
            factory = r.layout.factory
            if factory is None:
                continue
            try:
                built.append(factory(**args))
            except InputError as exc:
                self.problem(r.table.id, r.number, r.key, exc.field, exc.value, exc.expected)
        return tuple(built)
