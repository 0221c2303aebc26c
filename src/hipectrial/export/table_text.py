"""A table value's type check and its canonical text (for CSV, ODM, REDCap): one text per
value and back, exactly.

The texts: ``""`` for no value; integers in decimal digits; Decimals as ``str`` gives them
(digits and trailing zeros kept: ``1.50``); dates ``YYYY-MM-DD``; date-times ISO 8601 with
their UTC offset (``2025-03-01T09:30:00+08:00``); booleans ``true`` / ``false``; a code as
itself; several codes joined by ``|`` in their recorded order (codes never contain ``|``).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from hipectrial.errors import InputError
from hipectrial.export.table_model import Column, ColumnType

CODES_SEPARATOR = "|"

_INTEGER = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A date-time needs its offset: the EDC's users work in several time zones.
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
                       r"(?:Z|[+-][0-9]{2}:[0-9]{2})")
_SHOWN_CODES = 12


def codes_expected(column: Column, several: bool = False) -> str:
    """What a CODE (or CODES) column accepts, in words, listing the codes (at most 12)."""
    codes = [c.code for c in column.codes]
    shown = ", ".join(codes[:_SHOWN_CODES])
    if len(codes) > _SHOWN_CODES:
        shown += f", ... ({len(codes)} codes)"
    where = f" of {column.codelist}" if column.codelist else ""
    if several:
        return f"one or more codes{where} separated by '{CODES_SEPARATOR}' ({shown})"
    return f"a code{where} ({shown})"


def expected(column: Column) -> str:
    """What a value of ``column`` must be, in words."""
    kind = column.type
    if kind is ColumnType.CODE:
        return codes_expected(column)
    if kind is ColumnType.CODES:
        return codes_expected(column, several=True)
    return _EXPECTED[kind]


_EXPECTED = {
    ColumnType.TEXT: "a non-empty text",
    ColumnType.INTEGER: "an integer",
    ColumnType.DECIMAL: "a decimal number (e.g. 1.50)",
    ColumnType.DATE: "a date (YYYY-MM-DD)",
    ColumnType.DATETIME: "a date-time with a UTC offset (YYYY-MM-DDThh:mm:ss+hh:mm)",
    ColumnType.BOOLEAN: "true or false",
}


def value_fits(column: Column, value: object) -> bool:
    """Whether ``value`` (not ``None``) is a value of ``column``: its Python type, and for
    CODE / CODES columns codes of the column (an empty text or an empty tuple of codes is
    no value, and does not fit: the text formats could not tell it from none)."""
    kind = column.type
    if kind is ColumnType.TEXT:
        return isinstance(value, str) and value != ""
    if kind is ColumnType.INTEGER:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is ColumnType.DECIMAL:
        return isinstance(value, Decimal) and value.is_finite()
    if kind is ColumnType.DATE:
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    if kind is ColumnType.DATETIME:
        return isinstance(value, dt.datetime) and value.utcoffset() is not None
    if kind is ColumnType.BOOLEAN:
        return isinstance(value, bool)
    if kind is ColumnType.CODE:
        return isinstance(value, str) and _is_code(column, value)
    return (isinstance(value, tuple) and len(value) > 0
            and all(isinstance(code, str) and _is_code(column, code) for code in value))


def _is_code(column: Column, code: str) -> bool:
    return any(c.code == code for c in column.codes)


def to_text(column: Column, value: object) -> str:
    """The canonical text of ``value`` in ``column`` (``""`` for ``None``).

    Raises
    ------
    InputError
        (field: the column's name) when the value is not one of the column's.

    Examples
    --------
    >>> from decimal import Decimal
    >>> to_text(Column("weight_kg", "Weight", "体重", ColumnType.DECIMAL), Decimal("61.50"))
    '61.50'
    >>> to_text(Column("serious", "Serious", "严重", ColumnType.BOOLEAN), None)
    ''
    """
    if value is None:
        return ""
    if not value_fits(column, value):
        raise InputError(column.name, value, expected(column))
    kind = column.type
    if kind is ColumnType.BOOLEAN:
        return "true" if value else "false"
    if kind is ColumnType.CODES:
        return CODES_SEPARATOR.join(value)  # type: ignore[arg-type]  # value_fits: tuple[str, ...]
    if kind in (ColumnType.DATE, ColumnType.DATETIME):
        text: str = value.isoformat()  # type: ignore[attr-defined]  # value_fits: date or datetime
        return text
    return str(value)


def from_text(column: Column, text: str, *, where: str) -> object:
    """The value whose canonical text is ``text`` (``None`` for ``""``); the inverse of
    :func:`to_text`. Nothing is coerced: ``1,5``, ``2025/03/01``, ``yes`` or a date-time
    without its offset are refused.

    Parameters
    ----------
    column
        The column the text was read from.
    text
        The text as read (not stripped: a space is part of a text value).
    where
        Where the text was read (``form_labs row 3 column anc``), named in the error.

    Raises
    ------
    InputError
        (field ``where``) naming the text and what the column expects.

    Examples
    --------
    >>> from_text(Column("ecog", "ECOG", "ECOG", ColumnType.INTEGER), "1", where="row 1")
    1
    >>> from_text(Column("ecog", "ECOG", "ECOG", ColumnType.INTEGER), "1.0", where="row 1")
    Traceback (most recent call last):
    ...
    hipectrial.errors.InputError: row 1 must be an integer; got '1.0'
    """
    if text == "":
        return None
    kind = column.type
    value: object = None
    if kind is ColumnType.TEXT:
        value = text
    elif kind is ColumnType.INTEGER:
        value = int(text) if _INTEGER.fullmatch(text) else None
    elif kind is ColumnType.DECIMAL:
        value = Decimal(text) if _DECIMAL.fullmatch(text) else None
    elif kind is ColumnType.DATE:
        value = _date(text) if _DATE.fullmatch(text) else None
    elif kind is ColumnType.DATETIME:
        value = _datetime(text) if _DATETIME.fullmatch(text) else None
    elif kind is ColumnType.BOOLEAN:
        value = {"true": True, "false": False}.get(text)
    elif kind is ColumnType.CODE:
        value = text
    else:
        value = tuple(text.split(CODES_SEPARATOR))
    if value is None or not value_fits(column, value):
        raise InputError(where, text, expected(column))
    return value


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:  # 2025-02-30
        return None


def _datetime(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:  # 2025-02-30T10:00+08:00
        return None
