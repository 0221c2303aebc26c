"""Courses sent between processes: pickling that is fast for frozen, slotted dataclasses.

Every record in a course is a ``@dataclass(frozen=True, slots=True)``. For such a class
the standard library pickles through ``dataclasses._dataclass_getstate`` and
``_dataclass_setstate``, which call :func:`dataclasses.fields` for every object: measured
on the 985 courses of a 1,000-participant trial (about 277,000 records), that is 2.2 s to
pickle in the workers and 2.8 s to unpickle in the parent, three quarters of it inside
``fields()``. :func:`dumps` reduces each such object to its class and its field values, in
field order, with the field names looked up once per class; :func:`loads` sets them back
the same way ``_dataclass_setstate`` does (``object.__setattr__``, no ``__init__``, no
``__post_init__``). The objects that come back are equal to those sent
(``tests/simulate/parallel/test_transfer.py`` compares with the standard pickle).
"""

from __future__ import annotations

import dataclasses
import io
import operator
import pickle
from typing import Any

_set = object.__setattr__


def _names(cls: type) -> tuple[str, ...] | None:
    """The field names of a class that takes the fast path; None for a class that does not."""
    names: tuple[str, ...] | None = None
    params = getattr(cls, "__dataclass_params__", None)
    # Only what the standard library would pickle through _dataclass_getstate: a frozen
    # dataclass with slots that keeps that method (a class with its own reduction keeps it).
    if params is not None and params.frozen and "__slots__" in cls.__dict__ \
            and getattr(cls, "__getstate__", None) is getattr(dataclasses, "_dataclass_getstate", None) \
            and "__reduce__" not in cls.__dict__ and "__reduce_ex__" not in cls.__dict__:
        names = tuple(f.name for f in dataclasses.fields(cls))
    return names


def _rebuild(cls: type, names: tuple[str, ...], values: tuple[Any, ...]) -> Any:
    obj: Any = object.__new__(cls)
    for name, value in zip(names, values, strict=True):
        _set(obj, name, value)
    return obj


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        try:
            names, values = _GETTERS[cls]
        except KeyError:
            names = _names(cls)
            values = None if names is None else _values_getter(names)
            _GETTERS[cls] = names, values
        if values is None:
            return NotImplemented
        return _rebuild, (cls, names, values(obj))


def _values_getter(names: tuple[str, ...]) -> Any:
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        one = operator.attrgetter(names[0])
        return lambda obj: (one(obj),)
    return operator.attrgetter(*names)


# Per class: its field names and a getter of its field values (None: not the fast path).
_GETTERS: dict[type, tuple[Any, Any]] = {}


def dumps(obj: object) -> bytes:
    """``obj`` pickled, frozen slotted dataclasses by their field values (module docstring)."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buffer.getvalue()


def loads(data: bytes) -> Any:
    """The object :func:`dumps` gave ``data`` for (only for data this program made)."""
    return pickle.loads(data)
