"""chain.verify as a pure function over (id, fields, seal) triples and the head read first."""

from __future__ import annotations

from hipectrial.edc.audit.chain import FIELDS, GENESIS, seal_of, verify

KEY = b"k" * 32


def _chain(n: int, key: bytes = KEY) -> list[tuple[int, dict[str, object], str]]:
    out, previous = [], GENESIS
    for i in range(1, n + 1):
        fields: dict[str, object] = dict.fromkeys(FIELDS, "")
        fields.update(id=i, action="create", record_key=f"R{i}", prev_seal=previous)
        seal = seal_of(key, fields)
        out.append((i, fields, seal))
        previous = seal
    return out


def test_an_intact_chain_verifies_and_reports_its_last_seal() -> None:
    chain = _chain(4)
    result = verify(KEY, chain, (4, chain[-1][2]))
    assert (result.ok, result.checked, result.head_seal) == (True, 4, chain[-1][2])


def test_entries_appended_after_the_head_was_read_are_no_false_alarm() -> None:
    chain = _chain(5)
    assert verify(KEY, chain, (3, chain[2][2])).ok


def test_an_entry_sealed_with_another_key_is_named() -> None:
    chain = _chain(3)
    forged = _chain(3, key=b"x" * 32)[2]
    result = verify(KEY, [*chain[:2], forged], (3, chain[2][2]))
    assert (result.ok, result.entry_id) == (False, 3)


def test_an_entry_moved_to_another_number_breaks_its_seal() -> None:
    chain = _chain(3)
    moved = (4, {**chain[2][1], "id": 4}, chain[2][2])
    result = verify(KEY, [*chain[:2], moved], (3, chain[2][2]))
    assert (result.ok, result.entry_id) == (False, 4)
    assert "does not match its seal" in result.problem


def test_a_validly_sealed_entry_that_does_not_follow_its_predecessor_is_named() -> None:
    chain = _chain(3)
    fields = {**chain[1][1], "prev_seal": "0" * 64}
    result = verify(KEY, [chain[0], (2, fields, seal_of(KEY, fields)), chain[2]], (3, chain[2][2]))
    assert (result.ok, result.entry_id) == (False, 2)
    assert "does not follow entry #1" in result.problem


def test_missing_tail_entries_name_the_first_missing() -> None:
    chain = _chain(5)
    result = verify(KEY, chain[:3], (5, chain[4][2]))
    assert (result.ok, result.entry_id) == (False, 4)
    assert "#4–#5" in result.problem


def test_a_head_whose_seal_is_not_its_entrys_is_named() -> None:
    chain = _chain(3)
    result = verify(KEY, chain, (3, "0" * 64))
    assert (result.ok, result.entry_id) == (False, 3)
    assert "head was edited" in result.problem


def test_entries_without_a_head_are_reported_and_an_empty_trail_is_intact() -> None:
    result = verify(KEY, _chain(2), None)
    assert not result.ok
    assert "chain head is missing" in result.problem
    assert verify(KEY, [], None).ok
