"""engine_cache: one memo per living owner; nothing kept alive; a reused id() sees no stale entry."""

from __future__ import annotations

import gc

import pytest

from hipectrial.clinical import engine_cache
from hipectrial.clinical.engine_cache import per_object, per_protocol
from hipectrial.protocol import load_protocol


class Owner:
    """A weak-referenceable stand-in for a frozen model."""


def test_computes_once_per_owner_and_key() -> None:
    owner, calls = Owner(), []

    def compute() -> tuple[int, ...]:
        calls.append(1)
        return (1, 2)

    first = per_object(owner, "k", compute)
    assert per_object(owner, "k", compute) is first
    assert len(calls) == 1
    per_object(owner, "other", compute)
    per_object(Owner(), "k", compute)
    assert len(calls) == 3


def test_does_not_keep_its_owner_alive() -> None:
    owner = Owner()
    per_object(owner, "k", lambda: "value")
    ident = id(owner)
    assert ident in engine_cache._TABLES
    del owner
    gc.collect()
    assert ident not in engine_cache._TABLES


def test_a_new_owner_at_a_reused_id_computes_afresh() -> None:
    seen: set[int] = set()
    for n in range(200):   # CPython reuses the memory of a freed object quickly
        owner = Owner()
        assert per_object(owner, "n", lambda n=n: n) == n   # type: ignore[misc]
        seen.add(id(owner))
        del owner
    assert len(seen) < 200   # ids were reused, and each owner still saw its own value


def _phase_ids_cached() -> int:
    protocol = load_protocol()
    ids = per_protocol(protocol, "phases", lambda: tuple(p.id for p in protocol.phases))
    assert ids[0] == "induction"
    assert id(protocol) in engine_cache._TABLES
    return id(protocol)


def test_protocol_tables_go_with_the_protocol() -> None:
    ident = _phase_ids_cached()
    gc.collect()
    assert ident not in engine_cache._TABLES


def test_refuses_an_owner_that_cannot_be_weakly_referenced() -> None:
    with pytest.raises(TypeError):
        per_object((1, 2), "k", lambda: 0)
