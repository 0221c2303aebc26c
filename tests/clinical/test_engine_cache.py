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


# -- BoundedMemo: the memo tables of pure functions keyed on their inputs ------------------


def test_bounded_memo_hits_equal_keys_and_misses_others() -> None:
    memo: engine_cache.BoundedMemo[str] = engine_cache.BoundedMemo(4)
    memo.put(("anc", 1.2), "delay")
    assert memo.get(("anc", 1.2)) == "delay"
    assert memo.get(("anc", 1.3)) is None


def test_bounded_memo_evicts_the_least_recently_used_beyond_its_limit() -> None:
    memo: engine_cache.BoundedMemo[int] = engine_cache.BoundedMemo(3)
    for k in range(3):
        memo.put(k, k)
    assert memo.get(0) == 0          # 0 is now the most recently used; 1 the least
    memo.put(3, 3)
    assert len(memo) == 3
    assert memo.get(1) is None
    assert [memo.get(k) for k in (0, 2, 3)] == [0, 2, 3]
    for k in range(100, 1100):
        memo.put(k, k)
    assert len(memo) == 3


def test_bounded_memo_keeps_nothing_when_memos_are_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_cache, "ENABLED", False)
    memo: engine_cache.BoundedMemo[int] = engine_cache.BoundedMemo(3)
    memo.put("k", 1)
    assert memo.get("k") is None
    assert len(memo) == 0


@pytest.mark.parametrize("limit", [0, -1, 2.5, True])
def test_bounded_memo_refuses_a_limit_that_is_not_a_positive_whole_number(limit: object) -> None:
    with pytest.raises(ValueError, match="limit must be a whole number >= 1"):
        engine_cache.BoundedMemo(limit)  # type: ignore[arg-type]


def test_memo_table_is_one_table_per_owner_and_name() -> None:
    owner = Owner()
    table = engine_cache.memo_table(owner, "t", 5)
    assert engine_cache.memo_table(owner, "t", 5) is table
    assert engine_cache.memo_table(owner, "u", 5) is not table
    assert engine_cache.memo_table(Owner(), "t", 5) is not table


def test_clear_memo_tables_empties_the_owners_memos_only() -> None:
    owner, other = Owner(), Owner()
    engine_cache.memo_table(owner, "t", 5).put("k", 1)
    engine_cache.memo_table(other, "t", 5).put("k", 1)
    table = per_object(owner, "once", lambda: (1, 2))
    engine_cache.clear_memo_tables(owner)
    assert len(engine_cache.memo_table(owner, "t", 5)) == 0
    assert engine_cache.memo_table(other, "t", 5).get("k") == 1
    assert per_object(owner, "once", lambda: (3,)) is table
