"""What a user typed into a CRF field, read as the typed value the protocol's field takes.

:func:`parse_field_input` turns the text a web form submits into a
:data:`~hipectrial.data.values.FieldValue`, or refuses it with an
:class:`~hipectrial.errors.InputError` that names the field, the text and the format
expected. Nothing is silently coerced:

* blank or whitespace-only input is ``None`` (the field left blank); surrounding whitespace
  is dropped (as a web form's text input does), nothing else is changed;
* ``int``: ASCII digits with an optional leading ``-``; ``"3.0"`` is refused (a whole number
  is typed without a decimal point);
* ``decimal``: ASCII digits with an optional ``-`` and one decimal point with digits on
  both sides (``"1.50"``, ``"0.5"``); kept exact as a ``Decimal`` with the digits typed
  (``"1.50"`` stays ``Decimal("1.50")``). Refused: a decimal comma (``"1,5"``), thousands
  separators, exponents (``"1e3"``), ``"NaN"``, ``"inf"``, full-width digits, ``".5"``
  and ``"5."``;
* ``date``: ISO ``YYYY-MM-DD`` and a date that exists (``"2025-13-01"`` and
  ``"03/01/2025"`` are refused);
* ``datetime``: ISO ``YYYY-MM-DDTHH:MM[:SS[.ffffff]]`` (``T`` or a space) with a UTC offset
  (``+08:00`` or ``Z``); a time without an offset is refused, saying an offset is needed
  (the EDC's users work in several time zones);
* ``boolean``: exactly ``"true"`` or ``"false"``, the values the EDC's widgets submit.
  ``"yes"``/``"no"``, ``"1"``/``"0"`` and ``"on"`` are refused: they are labels in one
  language (是/否 in the other) or a checkbox's state, not the recorded value, and reading
  them would be a guess;
* ``choice``: a code of the field's code list, exactly as the protocol spells it;
* ``multi_choice``: a sequence of codes (what a group of checkboxes submits), each in the
  code list, none twice; blank items are dropped and an empty selection is ``None``; the
  order given is kept. A single string is refused (it would have to be split by a guess).
  Every other type takes a single string.

**Not checked here**: the field's ``min``/``max``, the number of decimals the protocol
records, ``required`` and the form's edit checks. Those are the protocol's rules, checked
on the whole record by :func:`hipectrial.data.form_check.check_form_values` (the same code
:func:`hipectrial.data.validate` runs), so that a value typed in the EDC and a value in an
imported file are judged by one implementation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal

from hipectrial.data.values import FieldValue, check_field_value
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol, ValueType
from hipectrial.protocol.forms import FieldDef

_INT = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)"
                       r"(Z|[+-][0-9]{2}:[0-9]{2})?")
TRUE, FALSE = "true", "false"
# Units that are a kind of number rather than a unit of measure: "a number (ratio)".
_DIMENSIONLESS = frozenset({"ratio", "score"})


def _number_words(field: FieldDef, kind: str, example: str) -> str:
    if field.unit is None:
        return f"{kind}, e.g. {example}"
    if field.unit in _DIMENSIONLESS:
        return f"{kind} ({field.unit}), e.g. {example}"
    return f"{kind} in {field.unit}, e.g. {example}"


def _decimal_example(field: FieldDef) -> str:
    places = 1 if field.decimals is None else field.decimals
    return "12" if places == 0 else "1." + "25"[:places].ljust(places, "0")


def expected_input(field: FieldDef, protocol: Protocol) -> str:
    """The format :func:`parse_field_input` expects for ``field``, in words (the ``expected``
    of its errors; a web form may show it as help).

    >>> from hipectrial.protocol import load_protocol
    >>> protocol = load_protocol()
    >>> _, anc = protocol.field("anc")
    >>> expected_input(anc, protocol)
    'a number in 10^9/L, e.g. 1.25'
    >>> expected_input(protocol.field("sex")[1], protocol)
    'one of the codes of code list sex: male, female'
    """
    kind = field.type
    if kind is ValueType.INT:
        return _number_words(field, "a whole number", "12")
    if kind is ValueType.DECIMAL:
        return _number_words(field, "a number", _decimal_example(field))
    if kind is ValueType.DATE:
        return "a date YYYY-MM-DD, e.g. 2025-03-01"
    if kind is ValueType.DATETIME:
        return "a date and time with its UTC offset, YYYY-MM-DDTHH:MM+HH:MM, e.g. 2025-03-01T14:30+08:00"
    if kind is ValueType.BOOLEAN:
        return f"{TRUE} or {FALSE}"
    if kind is ValueType.TEXT:
        return "text"
    codes = ", ".join(protocol.codelist(str(field.codelist)).codes)
    if kind is ValueType.CHOICE:
        return f"one of the codes of code list {field.codelist}: {codes}"
    return f"a list of distinct codes of code list {field.codelist}: {codes}"


def _hint_for_number(text: str, whole: bool) -> str | None:
    if whole and _DECIMAL.fullmatch(text):
        return "a whole number is typed without a decimal point"
    if "," in text:
        return "use a point for decimals and no thousands separator"
    if any(ch.isdigit() and not "0" <= ch <= "9" for ch in text) or "．" in text or "。" in text:
        return "type half-width (ASCII) digits and point"
    if re.fullmatch(r"-?([0-9]*\.[0-9]*)", text):
        return "write a digit on both sides of the point, e.g. 0.5"
    return None


def _parse_one(field: FieldDef, text: str, protocol: Protocol, where: str | None) -> FieldValue:
    kind = field.type

    def refuse(hint: str | None = None) -> InputError:
        parts = [p for p in (hint, where) if p]
        return InputError(field.id, text, expected_input(field, protocol), "; ".join(parts) or None)

    if kind is ValueType.TEXT:
        return text
    if kind is ValueType.INT:
        if not _INT.fullmatch(text):
            raise refuse(_hint_for_number(text, whole=True))
        return int(text)
    if kind is ValueType.DECIMAL:
        if not _DECIMAL.fullmatch(text):
            raise refuse(_hint_for_number(text, whole=False))
        return Decimal(text)
    if kind is ValueType.DATE:
        if not _DATE.fullmatch(text):
            raise refuse()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise refuse("no such date") from None
    if kind is ValueType.DATETIME:
        match = _DATETIME.fullmatch(text)
        if match is None:
            raise refuse()
        if match.group(5) is None:
            raise refuse("a UTC offset is needed, e.g. +08:00")
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise refuse("no such date or time") from None
    if kind is ValueType.BOOLEAN:
        if text not in (TRUE, FALSE):
            raise refuse()
        return text == TRUE
    codes = protocol.codelist(str(field.codelist)).codes
    if text not in codes:
        raise refuse()
    return text


def parse_field_input(*, field: FieldDef, raw: str | Sequence[str] | None, protocol: Protocol,
                      form_id: str | None = None) -> FieldValue | None:
    """The typed value of what a user typed into CRF field ``field``, or ``None`` when blank.

    The rules per field type are those of the module docstring. The field's range
    (``min``/``max``), decimals, ``required`` flag and the form's edit checks are not
    checked here: :func:`hipectrial.data.form_check.check_form_values` checks them.

    Parameters
    ----------
    field
        The protocol's field (``protocol.field(field_id)[1]`` or ``form.field(field_id)``).
    raw
        The submitted text: a string, or for a ``multi_choice`` field the sequence of ticked
        codes; ``None`` when the form did not submit the field.
    protocol
        The protocol the field belongs to (its code lists).
    form_id
        The form the value was typed into; named in the error's hint when given.

    Returns
    -------
    FieldValue or None
        ``int``, ``Decimal`` (the digits typed), ``str`` (text or a code), ``date``,
        aware ``datetime``, ``bool`` or a ``tuple`` of codes; ``None`` for a blank field.

    Raises
    ------
    InputError
        The text does not have the field's format; ``field`` is the field id, ``value`` the
        text, ``expected`` the format in words (with the unit), ``hint`` what to change.

    Examples
    --------
    >>> from hipectrial.protocol import load_protocol
    >>> protocol = load_protocol()
    >>> _, anc = protocol.field("anc")
    >>> parse_field_input(field=anc, raw=" 1.50 ", protocol=protocol)
    Decimal('1.50')
    >>> parse_field_input(field=anc, raw="   ", protocol=protocol) is None
    True
    >>> parse_field_input(field=anc, raw="1,5", protocol=protocol, form_id="labs")
    Traceback (most recent call last):
    ...
    hipectrial.errors.InputError: anc must be a number in 10^9/L, e.g. 1.25; got '1,5' \
(use a point for decimals and no thousands separator; form 'labs')
    """
    where = f"form {form_id!r}" if form_id else None
    if raw is None:
        return None
    if field.type is ValueType.MULTI_CHOICE:
        if isinstance(raw, str):
            hint = "; ".join(p for p in ("give the ticked codes as a list", where) if p)
            raise InputError(field.id, raw, expected_input(field, protocol), hint)
        items = tuple(item.strip() for item in raw)
        codes = tuple(item for item in items if item)
        if not codes:
            return None
        for code in codes:
            _parse_one(field, code, protocol, where)
        if len(set(codes)) != len(codes):
            twice = sorted({c for c in codes if codes.count(c) > 1})
            hint = "; ".join(p for p in (f"{', '.join(twice)} given more than once", where) if p)
            raise InputError(field.id, list(raw), expected_input(field, protocol), hint)
        return codes
    if not isinstance(raw, str):
        hint = "; ".join(p for p in ("one value, not a list", where) if p)
        raise InputError(field.id, list(raw), expected_input(field, protocol), hint)
    text = raw.strip()
    if not text:
        return None
    value = _parse_one(field, text, protocol, where)
    check_field_value(field.id, value)
    return value
