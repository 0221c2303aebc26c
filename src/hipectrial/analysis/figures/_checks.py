"""Validation shared by the figure functions: each check names the field it rejects."""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from hipectrial.errors import InputError

FloatArray = NDArray[np.float64]
T = TypeVar("T")


def items(field: str, value: object, *, non_empty: bool = True) -> Sequence[object]:
    """A list or tuple (not a string); at least one item unless ``non_empty`` is false."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise InputError(field, value, "a list or tuple")
    if non_empty and not value:
        raise InputError(field, value, "a non-empty list")
    return value


def instance(field: str, value: object, kind: type[T]) -> T:
    """``value`` if it is a ``kind``; names the expected type otherwise."""
    if not isinstance(value, kind):
        raise InputError(field, value, f"a {kind.__name__}")
    return value


def text(field: str, value: object) -> str:
    """A non-blank string."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(field, value, "a non-blank string")
    return value


def number(field: str, value: object, *, low: float | None = None) -> float:
    """A finite real number (not a bool), at least ``low`` when given."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)):
        raise InputError(field, value, "a finite number")
    result = float(value)
    if low is not None and result < low:
        raise InputError(field, value, f"a number >= {low:g}")
    return result


def count(field: str, value: object) -> int:
    """A whole number >= 0 (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, Integral) or int(value) < 0:
        raise InputError(field, value, "a whole number >= 0")
    return int(value)


def numbers(field: str, values: object, *, allow_missing: bool = False,
            non_empty: bool = True) -> FloatArray:
    """A list of finite numbers as a float array; ``None``/NaN kept as NaN if ``allow_missing``."""
    sequence = items(field, values, non_empty=non_empty)
    out = np.empty(len(sequence), dtype=np.float64)
    for i, value in enumerate(sequence):
        missing = value is None or (isinstance(value, float) and math.isnan(value))
        if missing and allow_missing:
            out[i] = math.nan
        else:
            out[i] = number(f"{field}[{i}]", value)
    return out


def same_length(field: str, values: object, reference_field: str, length: int) -> None:
    """Reject ``values`` whose length differs from ``reference_field``'s."""
    if len(items(field, values, non_empty=False)) != length:
        raise InputError(field, values, f"as many values as {reference_field} ({length})")


def increasing(field: str, values: FloatArray, *, strictly: bool = True) -> None:
    """Reject a sequence that does not increase (strictly unless told otherwise)."""
    steps = np.diff(values)
    bad = np.flatnonzero(steps <= 0) if strictly else np.flatnonzero(steps < 0)
    if bad.size:
        i = int(bad[0]) + 1
        kind = "strictly increasing" if strictly else "non-decreasing"
        raise InputError(field, values.tolist(), kind,
                         hint=f"{field}[{i}] = {values[i]:g} after {values[i - 1]:g}")
