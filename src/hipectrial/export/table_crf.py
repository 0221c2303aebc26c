"""The parts of a CRF table: its key (participant, visit, occurrence, repeat) and one column
per protocol field, typed and labelled by the protocol."""

from __future__ import annotations

from typing import Any

from hipectrial.data.records import FormRecord
from hipectrial.export.table_model import Code, Column, ColumnType
from hipectrial.export.table_parts import Coded, Part, Row, RowProblem, column
from hipectrial.protocol import Protocol, ValueType
from hipectrial.protocol.forms import FieldDef, FormDef

_TYPES = {
    ValueType.INT: ColumnType.INTEGER,
    ValueType.DECIMAL: ColumnType.DECIMAL,
    ValueType.TEXT: ColumnType.TEXT,
    ValueType.DATE: ColumnType.DATE,
    ValueType.DATETIME: ColumnType.DATETIME,
    ValueType.CHOICE: ColumnType.CODE,
    ValueType.MULTI_CHOICE: ColumnType.CODES,
    ValueType.BOOLEAN: ColumnType.BOOLEAN,
}


def field_column(protocol: Protocol, field: FieldDef) -> Column:
    """The column of one CRF field: its id, labels, type, unit, range, decimals and codes.

    Not ``required``: a field's own required flag holds only where its ``show_if`` shows
    it, and a record may be incomplete (``validate`` warns); it is in ``column.field``.
    """
    codes: tuple[Code, ...] = ()
    if field.codelist is not None:
        found = {c.id: c for c in protocol.codelists}.get(field.codelist)
        if found is not None:
            codes = tuple(Code(i.code, i.label.en, i.label.zh, i.submission_value) for i in found.items)
    return Column(name=field.id, label_en=field.label.en, label_zh=field.label.zh,
                  type=_TYPES[field.type], codelist=field.codelist, codes=codes, unit=field.unit,
                  min=field.min, max=field.max, decimals=field.decimals, field=field)


class FormKey(Part):
    """participant_id, visit_id, visit_repeat and, for a repeating form, repeat."""

    def __init__(self, table: str, form: FormDef, visits: Coded) -> None:
        cols = [
            column(table, "participant_id", ColumnType.TEXT, key=True, required=True),
            column(table, "visit_id", ColumnType.CODE, key=True, required=True,
                   codelist=visits.codelist, codes=visits.codes),
            column(table, "visit_repeat", ColumnType.INTEGER, key=True, required=True, min=1),
        ]
        if form.repeating:
            cols.append(column(table, "repeat", ColumnType.INTEGER, key=True, required=True, min=1))
        self.columns = tuple(cols)
        self.form = form

    def values(self, record: Any) -> tuple[object, ...]:
        r: FormRecord = record
        if self.form.repeating:
            return r.participant_id, r.visit_id, r.visit_repeat, r.repeat
        if r.repeat is not None:
            raise RowProblem("repeat", r.repeat, f"no value: form {self.form.id!r} does not repeat")
        return r.participant_id, r.visit_id, r.visit_repeat

    def read(self, row: Row, into: dict[str, Any]) -> None:
        into["participant_id"] = row.get("participant_id")
        into["visit_id"] = row.get("visit_id")
        into["visit_repeat"] = row.get("visit_repeat")
        into["repeat"] = row.get("repeat") if self.form.repeating else None


class FormValues(Part):
    """One column per field of the form, in form order (a blank field is no value)."""

    def __init__(self, form: FormDef, columns: tuple[Column, ...]) -> None:
        self.columns = columns
        self.form = form
        self.ids = tuple(c.name for c in columns)
        self.known = frozenset(self.ids)

    def values(self, record: Any) -> tuple[object, ...]:
        values = record.values
        if not self.known.issuperset(values):
            unknown = sorted(set(values) - self.known)[0]
            raise RowProblem(f"values.{unknown}", values[unknown], f"a field of form {self.form.id!r} "
                             f"(the protocol has no field {unknown!r} there)")
        get = values.get
        return tuple(get(name) for name in self.ids)

    def read(self, row: Row, into: dict[str, Any]) -> None:
        into["values"] = {name: row[name] for name in self.ids if row.get(name) is not None}
