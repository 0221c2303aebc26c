"""Input checks shared by the survival estimators (Kaplan-Meier, log-rank, Cox).

Every check raises :class:`~hipectrial.errors.InputError` naming the field, the offending
value and what was expected; nothing is silently coerced (DESIGN.md, "Errors say what and
where").
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hipectrial.errors import InputError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _first_bad(mask: NDArray[np.bool_]) -> int:
    return int(np.flatnonzero(mask)[0])


def as_times(field: str, values: ArrayLike) -> FloatArray:
    """Follow-up times as a 1-d float array: non-empty, finite and non-negative.

    >>> as_times("time", [0, 2.5, 7])
    array([0. , 2.5, 7. ])
    """
    array = np.asarray(values)
    if array.ndim != 1:
        raise InputError(field, values, "a one-dimensional sequence of times")
    if array.size == 0:
        raise InputError(field, values, "at least one time", hint="the input is empty")
    if array.dtype == np.bool_ or array.dtype.kind not in "iuf":
        raise InputError(field, _shown(array, 0), "a number (every time must be numeric)",
                         hint=f"dtype {array.dtype}")
    times = array.astype(np.float64)
    bad = ~np.isfinite(times) | (times < 0)
    if bad.any():
        i = _first_bad(bad)
        raise InputError(field, float(times[i]), "a finite, non-negative time",
                         hint=f"position {i}")
    return times


def as_events(field: str, values: ArrayLike, size: int, size_field: str = "time") -> IntArray:
    """Event indicators as a 1-d int array of 0 (censored) and 1 (event), of length ``size``.

    >>> as_events("event", [True, False, 1], 3)
    array([1, 0, 1])
    """
    array = np.asarray(values)
    if array.ndim != 1:
        raise InputError(field, values, "a one-dimensional sequence of 0/1 event indicators")
    if array.size != size:
        raise InputError(field, f"{array.size} values", f"as long as {size_field} ({size} values)",
                         hint="mismatched lengths")
    if array.dtype == np.bool_:
        return array.astype(np.int64)
    if array.dtype.kind not in "iuf":
        raise InputError(field, _shown(array, 0), "0 (censored) or 1 (event)")
    bad = ~np.isin(array, (0, 1))
    if bad.any():
        i = _first_bad(bad)
        raise InputError(field, array[i].item(), "0 (censored) or 1 (event)", hint=f"position {i}")
    return array.astype(np.int64)


def as_labels(field: str, values: ArrayLike, size: int) -> NDArray[np.str_]:
    """Group or stratum labels as strings (numbers keep their order through :func:`label_order`)."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise InputError(field, values, "a one-dimensional sequence of labels")
    if array.size != size:
        raise InputError(field, f"{array.size} values", f"as long as time ({size} values)",
                         hint="mismatched lengths")
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        i = _first_bad(~np.isfinite(array))
        raise InputError(field, float(array[i]), "a label for every observation (no missing values)",
                         hint=f"position {i}")
    if array.dtype.kind == "O":
        for i, item in enumerate(array):
            if item is None or (isinstance(item, float) and math.isnan(item)):
                raise InputError(field, item, "a label for every observation (no missing values)",
                                 hint=f"position {i}")
    return array


def level(confidence_level: float, field: str = "conf_level") -> float:
    """A confidence level strictly between 0 and 1."""
    if isinstance(confidence_level, bool) or not isinstance(confidence_level, int | float) \
            or not 0 < confidence_level < 1:
        raise InputError(field, confidence_level, "a number in (0, 1)", hint="e.g. 0.95")
    return float(confidence_level)


def choice(field: str, value: object, options: Sequence[str]) -> str:
    """``value`` when it is one of ``options``, else an InputError listing them."""
    if not isinstance(value, str) or value not in options:
        raise InputError(field, value, "one of " + ", ".join(repr(o) for o in options))
    return value


def _shown(array: NDArray[np.generic], i: int) -> object:
    return array[i].item() if array.size else array
