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
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from hipectrial.protocol import Protocol

ENABLED = True

T = TypeVar("T")

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
