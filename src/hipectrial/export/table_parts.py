"""How a record's attributes become columns and back: one *part* per group of columns.

A part knows its columns (for a protocol), the values of those columns for a record, and
how to turn the values of a row back into constructor arguments. A typed table is a record
class and a list of parts (:mod:`hipectrial.export.table_defs`); writing a row is the
concatenation of its parts' values, reading a row is the union of their arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from operator import attrgetter
from typing import Any

from hipectrial.data.assessments import PCI_REGIONS, Pathology
from hipectrial.data.records import Provenance
from hipectrial.data.vocab import Attribution
from hipectrial.errors import InputError
from hipectrial.export.table_labels import (
    COLUMN_LABELS,
    COLUMN_LABELS_IN,
    PROVENANCE_PROTOCOL_VERSION,
    attribution_labels,
    pci_labels,
)
from hipectrial.export.table_model import Code, Column, ColumnType

Row = Mapping[str, Any]


class RowProblem(Exception):
    """A row whose values do not make a record: the column (or ``None``), value, expected."""

    def __init__(self, column: str | None, value: object, expected: str) -> None:
        super().__init__(expected)
        self.column = column
        self.value = value
        self.expected = expected


def column(table: str, name: str, kind: ColumnType, *, key: bool = False, required: bool = False,
           codelist: str | None = None, codes: tuple[Code, ...] = (), unit: str | None = None,
           min: float | None = None, max: float | None = None) -> Column:
    """A typed table's column with its labels from the module's table."""
    en, zh = COLUMN_LABELS_IN.get((table, name)) or COLUMN_LABELS[name]
    return Column(name=name, label_en=en, label_zh=zh, type=kind, key=key, required=required,
                  codelist=codelist, codes=codes, unit=unit, min=min, max=max)


@dataclass(frozen=True, slots=True)
class Coded:
    """Where a CODE column's codes come from: the code list's name, its codes, and the
    vocabulary the record holds them as (``None``: plain text codes)."""

    codelist: str
    codes: tuple[Code, ...]
    enum: type[StrEnum] | None = None


class Part:
    """A group of columns (see the module docstring)."""

    columns: tuple[Column, ...]

    def values(self, record: Any) -> tuple[object, ...]:
        raise NotImplementedError

    def read(self, row: Row, into: dict[str, Any]) -> None:
        """Add the constructor arguments of ``row``'s values to ``into``; RowProblem if they
        do not make one (values are already of their columns' types)."""
        raise NotImplementedError


class Plain(Part):
    """Attributes written as they are, one column each (an enum as its code)."""

    def __init__(self, table: str, specs: tuple[tuple[str, ColumnType, bool, Coded | None], ...],
                 *, attrs: Mapping[str, str] | None = None, keys: tuple[str, ...] = (),
                 bounds: Mapping[str, tuple[float | None, float | None]] | None = None,
                 units: Mapping[str, str] | None = None) -> None:
        # specs: (column name, type, required, codes); attrs: column name -> attribute
        # where they differ.
        attrs = attrs or {}
        bounds = bounds or {}
        units = units or {}
        self.columns = tuple(
            column(table, name, kind, key=name in keys, required=required,
                   codelist=coded.codelist if coded else None, codes=coded.codes if coded else (),
                   unit=units.get(name), min=bounds.get(name, (None, None))[0],
                   max=bounds.get(name, (None, None))[1])
            for name, kind, required, coded in specs
        )
        self.attrs = tuple(attrs.get(name, name) for name, *_ in specs)
        self.enums = tuple(coded.enum if coded else None for *_, coded in specs)
        self._get = attrgetter(*self.attrs) if len(self.attrs) > 1 else _one(self.attrs[0])
        self._plain = all(enum is None for enum in self.enums)

    def values(self, record: Any) -> tuple[object, ...]:
        got: tuple[object, ...] = self._get(record)
        if self._plain:
            return got
        # A StrEnum member as its plain code.
        return tuple(v if e is None or v is None else v.value  # type: ignore[attr-defined]
                     for v, e in zip(got, self.enums, strict=True))

    def read(self, row: Row, into: dict[str, Any]) -> None:
        for col, attr, enum in zip(self.columns, self.attrs, self.enums, strict=True):
            value = row.get(col.name)
            into[attr] = enum(value) if enum is not None and value is not None else value


def _one(attr: str) -> Callable[[Any], tuple[object, ...]]:
    get = attrgetter(attr)
    return lambda record: (get(record),)


class Seq(Part):
    """Key columns a writer computes (participant_id first, then positions): the record
    gives ``participant_id`` only; the positions are passed by the writer."""

    def __init__(self, table: str, names: tuple[str, ...], *, participant: bool = True,
                 key: bool = True) -> None:
        # key=False: an optional position that orders rows (a CRF's or a visit's ``seq``).
        cols = []
        if participant:
            cols.append(column(table, "participant_id", ColumnType.TEXT, key=True, required=True))
        cols += [column(table, name, ColumnType.INTEGER, key=key, required=key, min=1)
                 for name in names]
        self.columns = tuple(cols)
        self.participant = participant

    def read(self, row: Row, into: dict[str, Any]) -> None:
        if self.participant:
            into["participant_id"] = row.get("participant_id")


class Pci(Part):
    """The 13 PCI region scores, one INTEGER column each (``pci_0`` ... ``pci_12``)."""

    def __init__(self) -> None:
        self.columns = tuple(
            Column(name=f"pci_{region}", label_en=pci_labels(region)[0], label_zh=pci_labels(region)[1],
                   type=ColumnType.INTEGER, min=0, max=3)
            for region in range(PCI_REGIONS)
        )

    def values(self, record: Any) -> tuple[object, ...]:
        pci: tuple[object, ...] = record.pci
        return pci

    def read(self, row: Row, into: dict[str, Any]) -> None:
        into["pci"] = tuple(row.get(c.name) for c in self.columns)


class Attributions(Part):
    """An AE's attribution: one CODE column per protocol agent."""

    @staticmethod
    def name_of(agent_id: str) -> str:
        """``attribution_<agent id>``, lower case, ``-`` as ``_`` (``s-1`` -> ``attribution_s_1``)."""
        return "attribution_" + agent_id.replace("-", "_").lower()

    def __init__(self, agents: tuple[tuple[str, str], ...], coded: Coded) -> None:
        # agents: (id, name), protocol order.
        self.agents = tuple(agent_id for agent_id, _ in agents)
        self.columns = tuple(
            Column(name=self.name_of(agent_id), label_en=attribution_labels(name)[0],
                   label_zh=attribution_labels(name)[1], type=ColumnType.CODE,
                   codelist=coded.codelist, codes=coded.codes)
            for agent_id, name in agents
        )

    def values(self, record: Any) -> tuple[object, ...]:
        attribution: Mapping[str, Attribution] = record.attribution
        unknown = set(attribution) - set(self.agents)
        if unknown:
            agent = sorted(unknown)[0]
            raise RowProblem(f"attribution.{agent}", attribution[agent].value, "an attribution to "
                             "one of the protocol's agents (" + ", ".join(self.agents) + ")")
        return tuple(None if (a := attribution.get(agent)) is None else a.value for agent in self.agents)

    def read(self, row: Row, into: dict[str, Any]) -> None:
        into["attribution"] = {
            agent: Attribution(row[c.name])
            for agent, c in zip(self.agents, self.columns, strict=True) if row.get(c.name) is not None
        }


class PathologyPart(Part):
    """A surgery's pathology: a flag (recorded or not) and its four values."""

    NAMES = ("pathology_ypt", "pathology_ypn", "pathology_regression_grade", "pathology_pcr")

    def __init__(self, table: str) -> None:
        self.columns = (
            column(table, "pathology", ColumnType.BOOLEAN, required=True),
            column(table, "pathology_ypt", ColumnType.TEXT),
            column(table, "pathology_ypn", ColumnType.TEXT),
            column(table, "pathology_regression_grade", ColumnType.TEXT),
            column(table, "pathology_pcr", ColumnType.BOOLEAN),
        )

    def values(self, record: Any) -> tuple[object, ...]:
        p: Pathology | None = record.pathology
        if p is None:
            return False, None, None, None, None
        return True, p.ypt, p.ypn, p.regression_grade, p.pcr

    def read(self, row: Row, into: dict[str, Any]) -> None:
        given = [name for name in self.NAMES if row.get(name) is not None]
        if not row.get("pathology"):
            if given:
                raise RowProblem(given[0], row[given[0]], "no value when pathology is false")
            into["pathology"] = None
            return
        into["pathology"] = Pathology(ypt=row.get("pathology_ypt"), ypn=row.get("pathology_ypn"),
                                      regression_grade=row.get("pathology_regression_grade"),
                                      pcr=row.get("pathology_pcr"))


class ProvenancePart(Part):
    """Who entered and last changed a record: five columns, all empty when it has none."""

    NAMES = ("entered_by", "entered_at", "protocol_version", "changed_by", "changed_at")

    def __init__(self, table: str) -> None:
        en, zh = PROVENANCE_PROTOCOL_VERSION
        self.columns = (
            column(table, "entered_by", ColumnType.TEXT),
            column(table, "entered_at", ColumnType.DATETIME),
            Column(name="protocol_version", label_en=en, label_zh=zh, type=ColumnType.TEXT),
            column(table, "changed_by", ColumnType.TEXT),
            column(table, "changed_at", ColumnType.DATETIME),
        )

    def values(self, record: Any) -> tuple[object, ...]:
        p: Provenance | None = record.provenance
        if p is None:
            return None, None, None, None, None
        return p.entered_by, p.entered_at, p.protocol_version, p.changed_by, p.changed_at

    def read(self, row: Row, into: dict[str, Any]) -> None:
        values = [row.get(name) for name in self.NAMES]
        if all(v is None for v in values):
            into["provenance"] = None
            return
        for name, value in zip(self.NAMES[:3], values[:3], strict=True):
            if value is None:
                raise RowProblem(name, None, "a value when the record has provenance "
                                 "(entered_by, entered_at and protocol_version go together)")
        try:
            into["provenance"] = Provenance(*values)  # type: ignore[arg-type]  # checked above
        except InputError as exc:
            raise RowProblem(exc.field, exc.value, exc.expected) from None
