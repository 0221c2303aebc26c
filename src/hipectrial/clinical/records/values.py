"""A record's values as the protocol declares them: typed checks, JSON decoding, labels.

Eligibility, the conversion-surgery criteria and other protocol rules are CEL expressions
over the protocol's variables: CRF fields and derived variables (``protocol.variables``).
:func:`check_values` checks a record (a mapping of variable -> value) against the declared
types, code lists and ranges, naming the field of the first bad value;
:func:`values_from_json` decodes the same mapping from parsed JSON, dates written as ISO
8601 text. A derived variable is computed (:mod:`hipectrial.clinical.records.derived`), never
entered: giving one in a record is an error.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Mapping
from decimal import Decimal

from hipectrial.clinical.refusals import ValueRefusal, in_unit, refused
from hipectrial.errors import InputError
from hipectrial.phrases import Phrase
from hipectrial.protocol import Protocol, ValueType
from hipectrial.protocol.forms import DerivedVariable, FieldDef

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def label_of(protocol: Protocol, name: str) -> tuple[str, str]:
    """The English and Chinese label of a field or derived variable (its name if unknown)."""
    try:
        _, field = protocol.field(name)
        return field.label.en, field.label.zh
    except KeyError:
        pass
    for d in protocol.variables:
        if d.id == name:
            return d.label.en, d.label.zh
    return name, name


def derived_variables(protocol: Protocol) -> dict[str, DerivedVariable]:
    """The protocol's derived variables by name."""
    return {d.id: d for d in protocol.variables}


def field_of(protocol: Protocol, name: str) -> FieldDef | None:
    """The CRF field named ``name``; ``None`` when the protocol has none."""
    try:
        return protocol.field(name)[1]
    except KeyError:
        return None


def _number_text(x: float) -> str:
    return f"{x:g}"


def _expected_range(field: FieldDef) -> str:
    unit = f" {field.unit}" if field.unit else ""
    low = "-inf" if field.min is None else _number_text(field.min)
    high = "inf" if field.max is None else _number_text(field.max)
    return f"[{low}, {high}]{unit}"


def _check_one(protocol: Protocol, name: str, field: FieldDef, value: object,
               as_of: dt.date | None) -> None:
    """Raise InputError unless ``value`` has ``field``'s declared type, code and range."""
    kind = field.type
    unit = in_unit(field.unit)
    if kind is ValueType.BOOLEAN:
        if not isinstance(value, bool):
            raise refused(name, value, ValueRefusal.TRUE_OR_FALSE)
    elif kind is ValueType.INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise refused(name, value, ValueRefusal.WHOLE_NUMBER, unit=unit)
    elif kind is ValueType.DECIMAL:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise refused(name, value, ValueRefusal.NUMBER, unit=unit)
        if (isinstance(value, float) and not math.isfinite(value)) or (
                isinstance(value, Decimal) and not value.is_finite()):
            raise refused(name, value, ValueRefusal.FINITE_NUMBER, unit=unit)
    elif kind in (ValueType.TEXT, ValueType.CHOICE):
        if not isinstance(value, str):
            raise refused(name, value, ValueRefusal.CODE_AS_TEXT if kind is ValueType.CHOICE
                          else ValueRefusal.TEXT)
        _check_codes(protocol, name, field, [value])
    elif kind is ValueType.MULTI_CHOICE:
        if not isinstance(value, list | tuple | set | frozenset) or not all(
                isinstance(v, str) for v in value):
            raise refused(name, value, ValueRefusal.LIST_OF_CODES)
        _check_codes(protocol, name, field, list(value))
    elif kind is ValueType.DATE:
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise refused(name, value, ValueRefusal.DATE)
        if as_of is not None and value > as_of:
            raise refused(name, value, ValueRefusal.NOT_AFTER_AS_OF, as_of=as_of.isoformat())
    elif kind is ValueType.DATETIME and (
            not isinstance(value, dt.datetime) or value.utcoffset() is None):
        raise refused(name, value, ValueRefusal.DATETIME_WITH_OFFSET)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = float(value)
        if (field.min is not None and number < field.min) or (
                field.max is not None and number > field.max):
            check = Phrase(ValueRefusal.CHECK_UNIT) if field.unit else ""
            raise refused(name, value, ValueRefusal.RANGE, range=_expected_range(field), check=check)


def _check_codes(protocol: Protocol, name: str, field: FieldDef, given: list[object]) -> None:
    if field.codelist is None:
        return
    codes = protocol.codelist(field.codelist).codes
    for code in given:
        if code not in codes:
            raise refused(name, code, ValueRefusal.ONE_OF, codes=tuple(codes))


def check_values(*, protocol: Protocol, values: Mapping[str, object],
                 as_of: dt.date | None = None) -> dict[str, object]:
    """Check a record against the protocol and return its present values (``None`` dropped).

    Every key must be a CRF field of the protocol (a derived variable is computed, not
    entered); every value must have the field's declared type (``decimal``: int, float or
    Decimal; ``date``: a ``datetime.date``; ``choice``: one of its codes as text), lie within
    the field's ``min``/``max`` and, with ``as_of``, be no later than ``as_of`` if a date.

    Raises
    ------
    InputError
        For the first bad value, naming its field, what was expected and what was given.

    Examples
    --------
    >>> from hipectrial.protocol import load_protocol
    >>> p = load_protocol()
    >>> check_values(protocol=p, values={"anc": 1.5, "ecog": "1", "wbc": None})
    {'anc': 1.5, 'ecog': '1'}
    >>> check_values(protocol=p, values={"platelets": 150000})
    Traceback (most recent call last):
    ...
    hipectrial.errors.InputError: platelets must be a number in [0, 3000] 10^9/L; got 150000 (check the unit)
    """
    derived = derived_variables(protocol)
    present: dict[str, object] = {}
    for name, value in values.items():
        if not isinstance(name, str):
            raise InputError("values", name, "variable names written as text")
        field = field_of(protocol, name)
        if field is None:
            if name in derived:
                source = derived[name].expression
                inputs = derived[name].inputs or sorted(source.variables if source else [])
                raise refused(name, value, ValueRefusal.DERIVED_GIVEN, inputs=tuple(inputs))
            close = difflib.get_close_matches(name, [f.id for form in protocol.forms
                                                     for f in form.fields], n=1)
            if close:
                raise refused(name, value, ValueRefusal.UNKNOWN_VARIABLE_LIKE, close=close[0])
            raise refused(name, value, ValueRefusal.UNKNOWN_VARIABLE)
        if value is None:
            continue
        _check_one(protocol, name, field, value, as_of)
        present[name] = value
    return present


def values_from_json(*, protocol: Protocol, document: object) -> dict[str, object]:
    """Decode a parsed JSON object of variable -> value into the protocol's declared types.

    ``null`` is a missing value; ``boolean`` fields take ``true``/``false``; ``int`` fields a
    JSON integer; ``decimal`` fields a JSON number (parse with ``parse_float=Decimal`` to keep
    the digits as written); ``date`` fields ``"YYYY-MM-DD"``; ``choice`` fields the code as a
    JSON string (ECOG ``"1"``, not ``1``); ``multi_choice`` a list of code strings. Nothing is
    coerced: a number written as text, or a code written as a number, is an error. The
    result is then checked by :func:`check_values` (codes, ranges).

    Raises
    ------
    InputError
        Naming the field of the first value that cannot be decoded.

    Examples
    --------
    >>> from hipectrial.protocol import load_protocol
    >>> values_from_json(protocol=load_protocol(),
    ...                  document={"consent_date": "2026-03-02", "ecog": "0", "anc": 2})
    {'consent_date': datetime.date(2026, 3, 2), 'ecog': '0', 'anc': Decimal('2')}
    >>> values_from_json(protocol=load_protocol(), document={"ecog": 1})
    Traceback (most recent call last):
    ...
    hipectrial.errors.InputError: ecog must be a code written as text; got 1 (write it in quotes: "1")
    """
    if not isinstance(document, Mapping):
        raise InputError("screening record", document, "a JSON object of variable -> value")
    decoded: dict[str, object] = {}
    for name, raw in document.items():
        field = field_of(protocol, str(name))
        if field is None or raw is None:
            decoded[str(name)] = raw  # unknown names and derived variables: check_values says
            continue
        decoded[field.id] = _decode(field, raw)
    check_values(protocol=protocol, values=decoded)
    return {k: v for k, v in decoded.items() if v is not None}


def _decode(field: FieldDef, raw: object) -> object:
    name, kind = field.id, field.type
    unit = f" in {field.unit}" if field.unit else ""
    if kind is ValueType.DECIMAL:
        if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
            raise InputError(name, raw, f"a JSON number{unit}",
                             "write it without quotes" if isinstance(raw, str) else None)
        return Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
    if kind is ValueType.INT:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise InputError(name, raw, f"a whole number{unit}")
        return raw
    if kind is ValueType.BOOLEAN:
        if not isinstance(raw, bool):
            raise InputError(name, raw, "true or false")
        return raw
    if kind is ValueType.DATE:
        if not isinstance(raw, str) or not _ISO_DATE.match(raw):
            raise InputError(name, raw, "a date written YYYY-MM-DD")
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise InputError(name, raw, "a calendar date written YYYY-MM-DD") from None
    if kind is ValueType.DATETIME:
        if not isinstance(raw, str):
            raise InputError(name, raw, "a date-time written YYYY-MM-DDTHH:MM+HH:MM")
        try:
            return dt.datetime.fromisoformat(raw)
        except ValueError:
            raise InputError(name, raw, "a date-time written YYYY-MM-DDTHH:MM+HH:MM") from None
    if kind is ValueType.MULTI_CHOICE:
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            raise InputError(name, raw, "a list of codes written as text")
        return tuple(raw)
    if not isinstance(raw, str):
        hint = f'write it in quotes: "{raw}"' if kind is ValueType.CHOICE else None
        raise InputError(name, raw, "a code written as text" if kind is ValueType.CHOICE else "text",
                         hint)
    return raw
