"""Memoisation of pure functions of immutable objects, kept only while the object lives.

The one module-level cache mechanism of the core (DESIGN: "memoisation of pure functions,
through one weak-reference-safe mechanism"). A :class:`~hipectrial.protocol.Protocol` is a
frozen pydantic model: its rules, agents and phases never change after loading, so anything
computed only from them can be kept for as long as the protocol object lives; the same holds
for any other frozen object (a simulation scenario's course parameters). Such models hash
their fields (lists, so hashing fails), hence the tables are keyed by ``id()`` and each entry
keeps a weak reference to its owner: an entry is used only while that reference still
points at the very same object, and a finalizer drops it when the owner is collected, so a
reused ``id()`` never sees stale tables and no cache keeps an owner alive.
``ENABLED = False`` recomputes every time (the benchmark's baseline).

Tables of a pure function keyed on its inputs (a participant's prescription or dose decision)
grow with every new input, so they are :class:`BoundedMemo` objects (:func:`memo_table`):
at most ``limit`` entries, the least recently used dropped first, so a long run of virtual
trials in one process keeps a bounded memory.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from hipectrial.protocol import Protocol

ENABLED = True

T = TypeVar("T")
V = TypeVar("V")

_TABLES: dict[int, tuple[weakref.ref[Any], dict[Any, Any]]] = {}


def _tables(owner: object) -> dict[Any, Any]:
    ident = id(owner)
    entry = _TABLES.get(ident)
    if entry is not None and entry[0]() is owner:
        return entry[1]
    tables: dict[Any, Any] = {}
    _TABLES[ident] = (weakref.ref(owner), tables)
    weakref.finalize(owner, _drop, ident, tables)
    return tables


def _drop(ident: int, tables: dict[Any, Any]) -> None:
    # Only this owner's entry: a new object may already have taken the id.
    entry = _TABLES.get(ident)
    if entry is not None and entry[1] is tables:
        del _TABLES[ident]


def per_object(owner: object, key: Any, compute: Callable[[], T]) -> T:
    """``compute()`` once per (owner, key) while ``owner`` lives; later calls return the same
    object.

    ``owner`` must be immutable and weak-referenceable (a frozen pydantic model is); the
    caller must treat the result as read-only (tuples, frozensets, mappings it never mutates),
    or, for a memo table of another pure function, only ever add entries that depend on
    ``owner`` and the entry's key; ``compute`` must depend only on ``owner`` and ``key``.

    Raises
    ------
    TypeError
        When ``owner`` cannot be weakly referenced.
    """
    if not ENABLED:
        return compute()
    tables = _tables(owner)
    try:
        return tables[key]  # type: ignore[no-any-return]
    except KeyError:
        value = compute()
        tables[key] = value
        return value


def per_protocol(protocol: Protocol, key: Any, compute: Callable[[], T]) -> T:
    """:func:`per_object` for tables derived from one protocol."""
    return per_object(protocol, key, compute)


class BoundedMemo(Generic[V]):
    """The results of one pure function on its exact inputs, at most ``limit`` of them; the
    least recently used entry is dropped first.

    The caller builds the key from every input the function reads, exactly (two inputs that
    compare equal but could give different results, such as ``Decimal("1.5")`` and
    ``Decimal("1.50")`` in a text, must give different keys), and treats the values as
    read-only. With :data:`ENABLED` false nothing is kept (every call misses).

    >>> memo: BoundedMemo[int] = BoundedMemo(2)
    >>> memo.put("a", 1); memo.put("b", 2); memo.get("a"); memo.put("c", 3)
    1
    >>> memo.get("b") is None, memo.get("a"), memo.get("c"), len(memo)
    (True, 1, 3, 2)
    """

    __slots__ = ("_entries", "limit")

    def __init__(self, limit: int) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a whole number >= 1; got {limit!r}")
        self.limit = limit
        self._entries: OrderedDict[Hashable, V] = OrderedDict()

    def get(self, key: Hashable) -> V | None:
        """The result stored under ``key`` (now the most recently used), or None."""
        entries = self._entries
        value = entries.get(key)
        if value is not None:
            entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: V) -> None:
        """Store ``value`` (not None) under ``key``, dropping the least recently used entry
        when the memo is full."""
        if not ENABLED:
            return
        entries = self._entries
        entries[key] = value
        entries.move_to_end(key)
        if len(entries) > self.limit:
            entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def memo_table(owner: object, name: str, limit: int) -> BoundedMemo[Any]:
    """``owner``'s :class:`BoundedMemo` called ``name`` (made on first use; dropped with the
    owner, see :func:`per_object`). With :data:`ENABLED` false a fresh, empty one each call."""
    return per_object(owner, ("memo", name), lambda: BoundedMemo(limit))


def clear_memo_tables(owner: object) -> None:
    """Empty every :class:`BoundedMemo` of ``owner`` (a benchmark measures what a new seed
    costs); the tables computed once per owner stay."""
    entry = _TABLES.get(id(owner))
    if entry is None or entry[0]() is not owner:
        return
    for value in entry[1].values():
        if isinstance(value, BoundedMemo):
            value.clear()

