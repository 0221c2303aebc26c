"""Values as ODM writes them: one text per column type, and back.

ODM 1.3.2 (§4.2 "Data formats") gives each ``DataType`` the lexical space of an XML Schema
type: ``integer`` is ``xs:integer``, ``float`` is ``xs:decimal`` (no exponent), ``date``
``xs:date``, ``datetime`` ``xs:dateTime``, ``boolean`` ``xs:boolean``, ``text`` any string.
Values are written in the canonical form of those types and read back strictly: a text
the type's lexical space does not hold is refused, nothing is rounded or cut.

A Decimal written with a positive exponent (``Decimal("1E+1")``) is written in plain
notation (``10``): xs:decimal has no exponent form. The number is the same (the trial read
back compares equal), but its JSON then reads ``10``; every other Decimal keeps its digits,
trailing zeros included.

A multi-choice value (``ColumnType.CODES``, a tuple of codes) is written as one ``text``
item, the codes separated by single spaces in the order recorded (codes are protocol ids,
which hold no space). ODM 1.3.2 has no multi-select item; the two usual encodings are this
one and one boolean item per code (CDASH's "check all that apply"). One item keeps the
field's OID equal to the variable that ``show_if`` and edit checks name in CEL, and keeps
the order and any repeated code as recorded, so the round trip is exact; per-code booleans
would lose both. The item's description names its code list.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from hipectrial.export.tables import Column, ColumnType

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# xs:dateTime with the offset our timestamps always carry; at most microseconds (Python's
# resolution: more digits would be cut).
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}

# The ODM DataType of each column type (ODM 1.3.2 §3.1.4.5 ItemDef, DataType).
DATA_TYPES: dict[ColumnType, str] = {
    ColumnType.TEXT: "text",
    ColumnType.INTEGER: "integer",
    ColumnType.DECIMAL: "float",
    ColumnType.DATE: "date",
    ColumnType.DATETIME: "datetime",
    ColumnType.BOOLEAN: "boolean",
    ColumnType.CODE: "text",
    ColumnType.CODES: "text",
}

EXPECTED: dict[ColumnType, str] = {
    ColumnType.TEXT: "text",
    ColumnType.INTEGER: "an integer (xs:integer, e.g. 42)",
    ColumnType.DECIMAL: "a decimal number without exponent (xs:decimal, e.g. 4.25)",
    ColumnType.DATE: "a date YYYY-MM-DD",
    ColumnType.DATETIME: "a date-time with its UTC offset (YYYY-MM-DDThh:mm:ss[.ffffff]+hh:mm)",
    ColumnType.BOOLEAN: "true or false",
    ColumnType.CODE: "a code",
    ColumnType.CODES: "codes separated by single spaces",
}


class ValueProblem(ValueError):
    """A value that cannot be written or read; ``expected`` says what would be."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def odm_text(column: Column, value: object) -> str:
    """``value`` (typed as the tables give it, never ``None``) as its ODM ``Value`` text.

    >>> from decimal import Decimal
    >>> from hipectrial.export.tables import Column, ColumnType
    >>> odm_text(Column("x", "X", "X", ColumnType.DECIMAL), Decimal("61.50"))
    '61.50'
    >>> odm_text(Column("x", "X", "X", ColumnType.CODES), ("ct", "mri"))
    'ct mri'

    Raises
    ------
    ValueProblem
        For a value of the wrong type, a time zone offset with seconds (xs:dateTime has
        none), or a code that is empty or holds a space (it could not be read back).
    """
    return text_writer(column.type)(value)


def text_writer(kind: ColumnType) -> Callable[[object], str]:
    """The function :func:`odm_text` uses for columns of type ``kind`` (chosen once per
    column by the writer: a trial has millions of values)."""
    return _WRITERS[kind]


def _wrong(kind: ColumnType) -> ValueProblem:
    return ValueProblem(EXPECTED[kind])


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    raise _wrong(ColumnType.TEXT)


def _integer(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise _wrong(ColumnType.INTEGER)


def _decimal(value: object) -> str:
    if isinstance(value, Decimal) and value.is_finite():
        return format(value, "f")
    raise _wrong(ColumnType.DECIMAL)


def _boolean(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    raise _wrong(ColumnType.BOOLEAN)


def _date(value: object) -> str:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    raise _wrong(ColumnType.DATE)


def _datetime(value: object) -> str:
    if not isinstance(value, dt.datetime):
        raise _wrong(ColumnType.DATETIME)
    offset = value.utcoffset()
    if offset is None or offset.seconds % 60 or offset.microseconds:
        raise ValueProblem("a date-time with a UTC offset in whole minutes")
    return value.isoformat()


def _codes(value: object) -> str:
    if not isinstance(value, tuple) or not all(isinstance(c, str) for c in value):
        raise _wrong(ColumnType.CODES)
    if any(not code or code != code.strip() or " " in code for code in value):
        raise ValueProblem("codes that are not empty and hold no space")
    return " ".join(value)


_WRITERS: dict[ColumnType, Callable[[object], str]] = {
    ColumnType.TEXT: _text, ColumnType.CODE: _text, ColumnType.INTEGER: _integer,
    ColumnType.DECIMAL: _decimal, ColumnType.BOOLEAN: _boolean, ColumnType.DATE: _date,
    ColumnType.DATETIME: _datetime, ColumnType.CODES: _codes,
}


def odm_value(column: Column, text: str) -> object:
    """The typed value of an ODM ``Value`` text for ``column``: the inverse of :func:`odm_text`.

    A CODE or CODES column with ``codes`` takes only those codes.

    >>> from hipectrial.export.tables import Column, ColumnType
    >>> odm_value(Column("x", "X", "X", ColumnType.DATE), "2025-03-01")
    datetime.date(2025, 3, 1)
    >>> odm_value(Column("x", "X", "X", ColumnType.DATE), "2025-02-30")
    Traceback (most recent call last):
    ...
    hipectrial.export.odm.values.ValueProblem: a date YYYY-MM-DD

    Raises
    ------
    ValueProblem
        Naming what was expected.
    """
    kind = column.type
    if kind is ColumnType.TEXT:
        return text
    if kind is ColumnType.CODE:
        _require_codes(column, (text,))
        return text
    if kind is ColumnType.CODES:
        codes = tuple(text.split(" ")) if text else ()
        if any(not code for code in codes):
            raise ValueProblem(EXPECTED[kind])
        _require_codes(column, codes)
        return codes
    if kind is ColumnType.BOOLEAN:
        if text not in _BOOLEANS:
            raise ValueProblem(EXPECTED[kind])
        return _BOOLEANS[text]
    if kind is ColumnType.INTEGER:
        if not _INTEGER.fullmatch(text):
            raise ValueProblem(EXPECTED[kind])
        return int(text)
    if kind is ColumnType.DECIMAL:
        if not _DECIMAL.fullmatch(text):
            raise ValueProblem(EXPECTED[kind])
        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            raise ValueProblem(EXPECTED[kind]) from None
    pattern = _DATE if kind is ColumnType.DATE else _DATETIME
    if not pattern.fullmatch(text):
        raise ValueProblem(EXPECTED[kind])
    try:
        if kind is ColumnType.DATE:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueProblem(EXPECTED[kind]) from None


def _require_codes(column: Column, codes: tuple[str, ...]) -> None:
    if not column.codes:
        return
    allowed = {c.code for c in column.codes}
    if any(code not in allowed for code in codes):
        shown = ", ".join(c.code for c in column.codes[:12])
        more = ", …" if len(column.codes) > 12 else ""
        raise ValueProblem(f"a code of {column.codelist or column.name} ({shown}{more})")
