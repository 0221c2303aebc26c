"""Turning user-given numbers into exact Decimals: one function for every calculator."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from hipectrial.errors import InputError

# Longer numbers are typos or attacks, never measurements.
MAX_DIGITS = 30

# An average month in days (365.25 / 12): how the protocol's "every 3 months", scenario
# rates per month and reported durations in months convert to and from days.
DAYS_PER_MONTH = 30.4375


def to_decimal(field: str, value: object) -> Decimal:
    """A finite Decimal from an int, a Decimal, a float or a numeric string; else InputError.

    Floats go through their shortest text form, so ``0.1`` is ``Decimal('0.1')`` and
    ``61.5`` is ``Decimal('61.5')``. Booleans are refused (``True`` is not a number here).

    >>> to_decimal("value", 0.1), to_decimal("value", " 3.0 ")
    (Decimal('0.1'), Decimal('3.0'))
    >>> to_decimal("weight_kg", "sixty")
    Traceback (most recent call last):
    ...
    hipectrial.errors.InputError: weight_kg must be a number; got 'sixty'
    """
    if isinstance(value, bool):
        raise InputError(field, value, "a number")
    try:
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, str):
            number = Decimal(value.strip())
        else:
            raise InputError(field, value, "a number")
    except InvalidOperation:
        raise InputError(field, value, "a number") from None
    if not number.is_finite():
        raise InputError(field, value, "a finite number")
    if len(number.as_tuple().digits) > MAX_DIGITS:
        raise InputError(field, value, f"a number of at most {MAX_DIGITS} significant digits")
    return number
