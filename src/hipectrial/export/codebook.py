"""The codebook of the spreadsheets: one row per column of every table, saying what it holds.

Both the workbook's ``codebook`` sheet and ``codebook.csv`` are these rows; they come from
:func:`hipectrial.export.tables.table_defs`, so from the protocol.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from hipectrial.export.table_model import Column, ColumnType, TableDef

# Excel sheet names: at most 31 characters, none of []:*?/\ , unique regardless of case.
SHEET_NAME_MAX = 31
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")

CODEBOOK_COLUMNS: tuple[str, ...] = (
    "table", "sheet", "column", "label_en", "label_zh", "type", "unit", "range", "decimals",
    "key", "required", "codelist", "codes_en", "codes_zh",
)


@dataclass(frozen=True, slots=True)
class CodebookRow:
    """What one column of one table holds (the codebook's columns, :data:`CODEBOOK_COLUMNS`).

    ``range`` is the column's bounds in words (``1 to 5``, ``>= 0``); ``codes_en`` and
    ``codes_zh`` list its codes as ``code = label`` pairs separated by ``; ``.
    """

    table: str
    sheet: str
    column: str
    label_en: str
    label_zh: str
    type: str
    unit: str
    range: str
    decimals: str
    key: str
    required: str
    codelist: str
    codes_en: str
    codes_zh: str

    def values(self) -> tuple[str, ...]:
        """The row's texts in :data:`CODEBOOK_COLUMNS` order."""
        return tuple(getattr(self, name) for name in CODEBOOK_COLUMNS)


def sheet_names(tables: tuple[TableDef, ...]) -> Mapping[str, str]:
    """Each table's sheet name: its id when it fits Excel's rules, otherwise its first
    characters with ``~2``, ``~3``... appended to keep names unique (case-insensitive).

    >>> from hipectrial.export.table_model import TableDef
    >>> names = sheet_names((TableDef("form_" + "x" * 40, "", "", None, ()),
    ...                      TableDef("form_" + "x" * 41, "", "", None, ())))
    >>> list(names.values())
    ['form_xxxxxxxxxxxxxxxxxxxxxxxxxx', 'form_xxxxxxxxxxxxxxxxxxxxxxxx~2']
    """
    taken = {"codebook"}
    names: dict[str, str] = {}
    for table in tables:
        base = _NOT_IN_SHEET_NAMES.sub("_", table.id)[:SHEET_NAME_MAX]
        name, n = base, 1
        while name.lower() in taken:
            n += 1
            suffix = f"~{n}"
            name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        taken.add(name.lower())
        names[table.id] = name
    return names


def codebook_rows(tables: tuple[TableDef, ...], *, utc: bool) -> tuple[CodebookRow, ...]:
    """One row per column of every table, in table and column order; ``utc`` says the
    date-times are written in UTC (the workbook) rather than with their own offset (CSV)."""
    sheets = sheet_names(tables)
    return tuple(_row(table, sheets[table.id], column, utc) for table in tables for column in table.columns)


def _row(table: TableDef, sheet: str, column: Column, utc: bool) -> CodebookRow:
    return CodebookRow(
        table=table.id, sheet=sheet, column=column.name, label_en=column.label_en,
        label_zh=column.label_zh, type=column.type.value, unit=unit_of(column, utc=utc),
        range=_range(column), decimals="" if column.decimals is None else str(column.decimals),
        key="yes" if column.key else "", required="yes" if column.required else "",
        codelist=column.codelist or "",
        codes_en="; ".join(f"{c.code} = {c.label_en}" for c in column.codes),
        codes_zh="; ".join(f"{c.code} = {c.label_zh}" for c in column.codes),
    )


def unit_of(column: Column, *, utc: bool) -> str:
    """The unit a column's values are in: the field's unit; for date-times ``UTC`` when they
    are written in UTC (the workbook: Excel has no time zones)."""
    if column.type is ColumnType.DATETIME and utc:
        return "UTC"
    return column.unit or ""


def _number(value: float) -> str:
    return f"{value:g}"


def _range(column: Column) -> str:
    low, high = column.min, column.max
    if low is not None and high is not None:
        return f"{_number(low)} to {_number(high)}"
    if low is not None:
        return f">= {_number(low)}"
    if high is not None:
        return f"<= {_number(high)}"
    return ""
