"""Per-protocol tables the dose engine derives from a protocol, computed once per protocol.

A :class:`~hipectrial.protocol.Protocol` is a frozen pydantic model: its rules, agents and
phases never change after loading, so anything computed only from them can be kept for as
long as the protocol object lives. The model's own ``__hash__`` hashes its fields (lists, so it fails), hence
the tables are keyed by ``id()`` and each entry keeps a weak reference to its protocol: an
entry is used only while that reference still points at the very same object, and a
finalizer drops it when the protocol is collected, so a reused ``id()`` never sees stale
tables. ``ENABLED = False`` recomputes every time (the benchmark's baseline).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from hipectrial.protocol import Protocol

ENABLED = True

T = TypeVar("T")

_TABLES: dict[int, tuple[weakref.ref[Protocol], dict[Any, Any]]] = {}


def _tables(protocol: Protocol) -> dict[Any, Any]:
    entry = _TABLES.get(id(protocol))
    if entry is not None and entry[0]() is protocol:
        return entry[1]
    tables: dict[Any, Any] = {}
    ident = id(protocol)
    _TABLES[ident] = (weakref.ref(protocol), tables)
    weakref.finalize(protocol, _TABLES.pop, ident, None)
    return tables


def per_protocol(protocol: Protocol, key: Any, compute: Callable[[], T]) -> T:
    """``compute()`` once per (protocol, key); later calls return the same object.

    The caller must treat the result as read-only (return tuples, frozensets, mappings it
    never mutates) and ``compute`` must depend only on the protocol and ``key``.
    """
    if not ENABLED:
        return compute()
    tables = _tables(protocol)
    try:
        return tables[key]  # type: ignore[no-any-return]
    except KeyError:
        value = compute()
        tables[key] = value
        return value
