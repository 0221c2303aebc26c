"""The audit chain verifies after real service writes and names the first entry tampered
with behind the application's back (SQLite, and PostgreSQL when DATABASE_URL names it)."""

from __future__ import annotations

import pytest
from tests.edc.audit.conftest import raw

pytestmark = pytest.mark.django_db


def _entries():
    from hipectrial.edc.audit.models import AuditEntry

    return list(AuditEntry.objects.order_by("id").values_list("id", "action", "record_kind"))


def test_chain_verifies_after_every_kind_of_service_write(written) -> None:
    from hipectrial.edc.audit.selectors import verify_chain

    entries = _entries()
    kinds = {(action, kind) for _, action, kind in entries}
    assert {("create", "sites"), ("create", "users"), ("grant", "roles"), ("create", "participants"),
            ("create", "visits"), ("change", "visits"), ("delete", "visits")} <= kinds
    result = verify_chain()
    assert result.ok, result.problem
    assert result.checked == len(entries)


def test_entries_are_numbered_from_one_without_gap_and_the_head_names_the_last(written) -> None:
    from hipectrial.edc.audit.models import AuditEntry, ChainHead

    ids = [i for i, _, _ in _entries()]
    assert ids == list(range(1, len(ids) + 1))
    head = ChainHead.objects.get(pk=1)
    assert (head.last_id, head.last_seal) == (ids[-1], AuditEntry.objects.get(id=ids[-1]).seal)


def test_each_entry_seals_the_one_before(written) -> None:
    from hipectrial.edc.audit.models import AuditEntry

    seals = list(AuditEntry.objects.order_by("id").values_list("prev_seal", "seal"))
    assert seals[0][0] == ""
    assert all(prev == before[1] for prev, before in zip([p for p, _ in seals[1:]], seals, strict=False))


def test_an_edited_entry_is_named(written) -> None:
    from hipectrial.edc.audit.selectors import verify_chain

    raw("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ("no reason at all", 7))
    result = verify_chain()
    assert not result.ok
    assert result.entry_id == 7
    assert "does not match its seal" in result.problem


def test_an_edited_change_in_a_later_entry_is_named_not_an_earlier_one(written) -> None:
    from hipectrial.edc.audit.models import AuditEntry
    from hipectrial.edc.audit.selectors import verify_chain

    last = AuditEntry.objects.order_by("-id").first()
    raw("UPDATE audit_auditentry SET changes = %s WHERE id = %s", ('{"actual_date":["x","y"]}', last.id))
    result = verify_chain()
    assert (result.ok, result.entry_id) == (False, last.id)


def test_an_entry_deleted_from_the_middle_is_named(written) -> None:
    from hipectrial.edc.audit.selectors import verify_chain

    raw("DELETE FROM audit_auditentry WHERE id = %s", (5,))
    result = verify_chain()
    assert not result.ok
    assert result.entry_id == 5
    assert "#5 is missing" in result.problem
    assert "deleted" in result.problem


def test_several_entries_deleted_from_the_middle_name_the_first(written) -> None:
    from hipectrial.edc.audit.selectors import verify_chain

    raw("DELETE FROM audit_auditentry WHERE id IN (4, 5, 6)")
    result = verify_chain()
    assert (result.ok, result.entry_id) == (False, 4)
    assert "#4–#6" in result.problem


def test_the_last_entry_deleted_is_named(written) -> None:
    from hipectrial.edc.audit.selectors import verify_chain

    last = _entries()[-1][0]
    raw("DELETE FROM audit_auditentry WHERE id = %s", (last,))
    result = verify_chain()
    assert not result.ok
    assert result.entry_id == last
    assert "the last the application wrote, is missing" in result.problem


def _forge(entry_id: int, prev_seal: str) -> None:
    raw(
        "INSERT INTO audit_auditentry (id, at, actor, site, action, record_kind, record_key, participant, "
        "changes, reason, protocol_version, prev_seal, seal) "
        "VALUES (%s, '2026-02-02T09:30:00.000000+00:00', 'coord.a', 'SH01', 'delete', 'visits', "
        "'SH01-001/screening#1', 'SH01-001', '{}', 'cleanup', '1.0', %s, %s)",
        (entry_id, prev_seal, "f" * 64),
    )


def test_an_entry_inserted_behind_the_applications_back_is_named(written) -> None:
    from hipectrial.edc.audit.models import ChainHead
    from hipectrial.edc.audit.selectors import verify_chain

    head = ChainHead.objects.get(pk=1)
    _forge(head.last_id + 1, head.last_seal)
    result = verify_chain()
    assert not result.ok
    assert result.entry_id == head.last_id + 1
    assert "inserted behind the application's back" in result.problem


def test_a_forged_entry_stays_named_when_the_head_is_moved_to_it(written) -> None:
    from hipectrial.edc.audit.models import ChainHead
    from hipectrial.edc.audit.selectors import verify_chain

    head = ChainHead.objects.get(pk=1)
    _forge(head.last_id + 1, head.last_seal)
    raw("UPDATE audit_chainhead SET last_id = %s, last_seal = %s", (head.last_id + 1, "f" * 64))
    result = verify_chain()
    assert (result.ok, result.entry_id) == (False, head.last_id + 1)


def test_a_replaced_entry_is_named(written) -> None:
    # Delete entry 5 and put a forged one in its place: its seal gives it away.
    from hipectrial.edc.audit.models import AuditEntry
    from hipectrial.edc.audit.selectors import verify_chain

    prev = AuditEntry.objects.get(id=4).seal
    raw("DELETE FROM audit_auditentry WHERE id = 5")
    _forge(5, prev)
    result = verify_chain()
    assert (result.ok, result.entry_id) == (False, 5)


def test_a_deleted_chain_head_is_reported(written) -> None:
    from hipectrial.edc.audit.selectors import verify_chain

    raw("DELETE FROM audit_chainhead")
    result = verify_chain()
    assert not result.ok
    assert "chain head is missing" in result.problem


def test_the_services_refuse_to_write_after_the_chain_head_was_deleted(written, cast) -> None:
    from hipectrial.edc.sites.services import site_add

    raw("DELETE FROM audit_chainhead")
    with pytest.raises(RuntimeError, match="chain head is missing"):
        site_add(actor="test", code="GZ03", name="Guangzhou Hospital", country="CN")


def test_an_empty_trail_verifies(db) -> None:
    from hipectrial.edc.audit.selectors import verify_chain

    result = verify_chain()
    assert (result.ok, result.checked) == (True, 0)
