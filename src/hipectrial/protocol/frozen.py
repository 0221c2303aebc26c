"""An immutable mapping of variable values, recognised by the binding cache by identity.

The engines evaluate many expressions on one set of values: eligibility thirty criteria on
one record, the dose-modification engine twenty rules on one set of labs. Binding values
into CEL is cached per set of values (:mod:`hipectrial.protocol.bound`), but for an
ordinary mapping finding the entry means building a key from every name and value, which
costs about as much as the CEL program itself. A :class:`FrozenValues` cannot change after
it is made (it holds a private copy and offers no way to change it), so the cache may find
it by the object alone — when every value in it is of an immutable type
(:attr:`FrozenValues.immutable`; a ``multi_choice`` list could still be changed in place).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from decimal import Decimal

# Types whose instances never change: the same object is always the same value.
IMMUTABLE_TYPES = frozenset({bool, int, float, str, Decimal, dt.date, dt.datetime, type(None)})


class FrozenValues(Mapping[str, object]):
    """A read-only copy of ``values``.

    >>> v = FrozenValues({"anc": 1.2, "age": 61})
    >>> v["anc"], v.get("platelets"), len(v), v == {"age": 61, "anc": 1.2}
    (1.2, None, 2, True)
    """

    __slots__ = ("_data", "immutable")

    def __init__(self, values: Mapping[str, object] | None = None, /) -> None:
        self._data: dict[str, object] = dict(values) if values is not None else {}
        #: Every value is of an immutable type, so the values can never change.
        self.immutable: bool = IMMUTABLE_TYPES.issuperset(map(type, self._data.values()))

    def __getitem__(self, key: str) -> object:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    # The dict's own (read-only) views and lookup: the same answers as Mapping's, in C.
    def get(self, key: str, default: object = None) -> object:
        return self._data.get(key, default)

    def keys(self) -> KeysView[str]:
        return self._data.keys()

    def values(self) -> ValuesView[object]:
        return self._data.values()

    def items(self) -> ItemsView[str, object]:
        return self._data.items()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenValues):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # like dict: equal to mappings, not hashable

    def __repr__(self) -> str:
        return f"FrozenValues({self._data!r})"

    def __reduce__(self) -> tuple[type[FrozenValues], tuple[dict[str, object]]]:
        return FrozenValues, (self._data,)
