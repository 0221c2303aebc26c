"""Value types shared by the records: CRF field values, an immutable mapping, and the
checks record constructors run on their arguments.

Records check only what holds whatever the protocol says (a grade is 1 to 5, a
timestamp has a UTC offset, a dose is a finite, non-negative Decimal). Whether a value fits
the protocol is :func:`hipectrial.data.validate`'s business.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from decimal import Decimal
from operator import itemgetter
from typing import TypeVar

from hipectrial.errors import InputError

# A CRF value, typed per the protocol field: int, decimal (Decimal), text or choice code
# (str), date, datetime (with offset), boolean, multi_choice (tuple of codes).
FieldValue = int | Decimal | str | dt.date | dt.datetime | bool | tuple[str, ...]

V = TypeVar("V")


_KEY = itemgetter(0)


class FrozenMap(Mapping[str, V]):
    """An immutable, hashable mapping with string keys, iterated in key order.

    Records keep their mappings (CRF values, attribution per agent) in one, so records stay
    hashable and cannot be changed behind the back of the frozen dataclass holding them.
    It compares equal to any mapping with the same items.

    >>> m = FrozenMap({"s-1": 2, "oxaliplatin": 1})
    >>> list(m), m == {"oxaliplatin": 1, "s-1": 2}, hash(m) == hash(FrozenMap(m))
    (['oxaliplatin', 's-1'], True, True)
    """

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, V] | Iterable[tuple[str, V]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        self._items: dict[str, V] = dict(sorted(pairs, key=_KEY))

    def __getitem__(self, key: str) -> V:
        return self._items[key]

    # The dict's own views and look-ups: Mapping's generic ones go through __getitem__.
    def keys(self) -> KeysView[str]:
        return self._items.keys()

    def items(self) -> ItemsView[str, V]:
        return self._items.items()

    def values(self) -> ValuesView[V]:
        return self._items.values()

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(frozenset(self._items.items()))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        return self._items == dict(other.items())

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"


def require_aware(name: str, value: dt.datetime | None) -> None:
    """A timestamp must carry its UTC offset: the EDC's users work in several time zones."""
    if value is not None and (not isinstance(value, dt.datetime) or value.utcoffset() is None):
        raise InputError(name, value, "a date-time with a UTC offset")


def require_amount(name: str, value: Decimal | None) -> None:
    """A recorded amount is an exact, finite, non-negative Decimal (never a float)."""
    if value is None:
        return
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InputError(name, value, "a finite Decimal")
    if value < 0:
        raise InputError(name, value, "a Decimal >= 0")


def require_finite(name: str, value: Decimal | None) -> None:
    """A measured value is an exact, finite Decimal (it may be negative, e.g. base excess)."""
    if value is not None and (not isinstance(value, Decimal) or not value.is_finite()):
        raise InputError(name, value, "a finite Decimal")


def require_count(name: str, value: int | None, minimum: int = 1) -> None:
    """A number that counts (cycle, repeat): an int, not a bool, at least ``minimum``."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InputError(name, value, f"an integer >= {minimum}")


# The exact types that need no further check (the isinstance tests below cover subclasses).
_PLAIN_VALUES = frozenset({bool, int, str, dt.date})


def check_field_value(name: str, value: object) -> None:
    """``value`` must be one of the :data:`FieldValue` types; raise InputError otherwise.

    >>> check_field_value("weight_kg", Decimal("72.5"))
    >>> check_field_value("weight_kg", 72.5)
    Traceback (most recent call last):
    ...
    hipectrial.errors.InputError: weight_kg must be an int, Decimal, str, date, date-time \
with offset, bool or tuple of codes; got 72.5
    """
    if type(value) in _PLAIN_VALUES or isinstance(value, bool | int | str):
        return
    if isinstance(value, Decimal):
        require_finite(name, value)
        return
    if isinstance(value, dt.datetime):
        require_aware(name, value)
        return
    if isinstance(value, dt.date):
        return
    if isinstance(value, tuple) and all(isinstance(code, str) for code in value):
        return
    raise InputError(
        name, value, "an int, Decimal, str, date, date-time with offset, bool or tuple of codes"
    )
