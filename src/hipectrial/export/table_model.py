"""The vocabulary of the tables every format is made from: column types, codes, columns,
table definitions, and the error that names a row.

See :mod:`hipectrial.export.tables` for what the tables are and how they are used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from hipectrial.data.vocab import RecordKind
from hipectrial.errors import DataError
from hipectrial.protocol.forms import FieldDef, FormDef


class ColumnType(StrEnum):
    """The type of a column's values (each value may also be ``None``, "no value").

    ``TEXT`` ``str``; ``INTEGER`` ``int``; ``DECIMAL`` ``Decimal`` (exact, digits kept);
    ``DATE`` ``datetime.date``; ``DATETIME`` ``datetime.datetime`` with a UTC offset;
    ``BOOLEAN`` ``bool``; ``CODE`` one code (``str``) of the column's ``codes``; ``CODES``
    several codes (``tuple[str, ...]``, a multi-choice field).
    """

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    CODE = "code"
    CODES = "codes"


@dataclass(frozen=True, slots=True)
class Code:
    """One code a CODE or CODES column may hold, with its labels (and the value CDISC
    submissions use when the protocol gives one)."""

    code: str
    label_en: str
    label_zh: str
    submission_value: str | None = None


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table.

    ``name`` matches ``[a-z][a-z0-9_]*``; in a CRF table the columns after the key are the
    protocol's field ids. ``required`` means never empty in a valid row (a CRF field's own
    ``required`` flag, which depends on ``show_if``, is in ``field``). ``codelist`` names
    where ``codes`` come from: a protocol code list id (``sex``), a list of protocol ids
    (``protocol.visits``, ``protocol.agents``, ``protocol.phases``, ``protocol.cohorts``,
    ``protocol.dose_levels``) or a data-layer vocabulary (``vocab.AssessmentMethod``).
    ``min``, ``max``, ``decimals`` and ``unit`` are the field's (CRF tables) or the record's
    bounds (typed tables).
    """

    name: str
    label_en: str
    label_zh: str
    type: ColumnType
    key: bool = False
    required: bool = False
    codelist: str | None = None
    codes: tuple[Code, ...] = ()
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    decimals: int | None = None
    field: FieldDef | None = None


@dataclass(frozen=True, slots=True)
class TableDef:
    """One table: a CRF (``form_<form id>``), a typed record collection, a child of one
    (``lesions``, ``complications``) or the one-row ``trial`` table.

    ``kind`` is the ``TrialData`` collection the rows go to (``None`` for ``trial``);
    ``columns`` start with the key columns; ``parent`` names the table a child row belongs
    to (its key is the parent's key plus the child's own ``seq``).
    """

    id: str
    label_en: str
    label_zh: str
    kind: RecordKind | None
    columns: tuple[Column, ...]
    form: FormDef | None = None
    parent: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(c.name for c in self.columns)

    @property
    def key(self) -> tuple[Column, ...]:
        """The key columns, in order."""
        return tuple(c for c in self.columns if c.key)

    def column(self, name: str) -> Column:
        """The column called ``name``; ``KeyError`` if the table has none."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class TableProblem:
    """One value that does not fit its table: where (table, 1-based row number, the row's
    key as given, column) and what (the value, what was expected)."""

    table: str
    row: int | None
    key: str
    column: str | None
    value: object
    expected: str

    def __str__(self) -> str:
        where = self.table
        if self.row is not None:
            where += f" row {self.row}"
        if self.key:
            where += f" ({self.key})"
        if self.column is not None:
            where += f" column {self.column}"
        return f"{where}: expected {self.expected}; got {_shown(self.value)}"


def _shown(value: object) -> str:
    if value is None:
        return "no value"
    return str(value) if isinstance(value, Decimal) else repr(value)


# How many problems a refusal lists in its message (all are in ``problems``).
SHOWN_PROBLEMS = 20


class TablesError(DataError):
    """Rows that cannot be turned into a ``TrialData`` (or records that cannot be written as
    rows), with every problem found; the message lists the first :data:`SHOWN_PROBLEMS`
    and says how many more there are."""

    code = "tables_invalid"

    def __init__(self, problems: Sequence[TableProblem]) -> None:
        if not problems:
            raise ValueError("TablesError needs at least one problem")
        self.problems: tuple[TableProblem, ...] = tuple(problems)
        count = len(self.problems)
        lines = [str(p) for p in self.problems[:SHOWN_PROBLEMS]]
        if count > SHOWN_PROBLEMS:
            lines.append(f"... and {count - SHOWN_PROBLEMS} more")
        head = f"{count} problem{'s' if count != 1 else ''} in the tables"
        super().__init__(head + ":\n" + "\n".join(lines))

