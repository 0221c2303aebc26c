"""Lossless round trip (issue 12, item 6): a simulated TrialData imported into an empty
database through the services and snapshotted again gives the same records; the snapshot
passes the data layer's validation; every imported record has its audit entry; a second
import is refused with nothing written."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

PARTICIPANTS = 12
SEED = 20261206


@pytest.fixture(scope="module")
def simulated() -> Any:
    from hipectrial.protocol import load_protocol
    from hipectrial.simulate.scenario.world import load_scenario
    from hipectrial.simulate.trial.run import simulate

    return simulate(load_protocol(), load_scenario("default"), seed=SEED, participants=PARTICIPANTS)


@pytest.fixture
def administrator(db: None) -> Any:
    # the cast's administrator alone: the database must hold no site for a faithful import
    from hipectrial.edc.accounts.services import role_grant, user_create

    user = user_create(actor="test", username="admin", password="x", check_password=False)
    role_grant(actor="test", user=user, role="administrator", site=None)
    return user


def _without_provenance(trial: Any) -> dict[str, Any]:
    doc = json.loads(trial.to_json())
    doc.pop("generated_at")
    doc.pop("source")
    for value in doc.values():
        if isinstance(value, list):
            for record in value:
                if isinstance(record, dict):
                    record.pop("provenance", None)
    return doc


def test_import_then_snapshot_gives_the_same_records(simulated, administrator) -> None:
    from hipectrial.edc.snapshot import build_snapshot, import_trial

    stored = import_trial(actor=administrator, trial=simulated)
    again = build_snapshot()
    before, after = _without_provenance(simulated), _without_provenance(again)
    assert len(before["participants"]) >= PARTICIPANTS  # registered ones, and screen failures
    assert stored > PARTICIPANTS  # the course of each participant, not the participants alone
    assert sorted(after) == sorted(before)
    for collection in before:  # one collection at a time, so a failure says which
        assert after[collection] == before[collection], collection
    assert after == before


def test_the_comparison_sees_a_changed_record(simulated, administrator) -> None:
    # The round trip test would pass vacuously if the comparison ignored records' content.
    from dataclasses import replace

    from hipectrial.edc.snapshot import build_snapshot, import_trial

    import_trial(actor=administrator, trial=simulated)
    first = simulated.participants[0]
    changed = replace(simulated, participants=(replace(first, birth_date=first.birth_date - dt.timedelta(days=1)),
                                               *simulated.participants[1:]))
    assert _without_provenance(build_snapshot()) != _without_provenance(changed)


def test_the_snapshot_passes_validation(simulated, administrator) -> None:
    from hipectrial.data import Severity, validate
    from hipectrial.edc.protocol_source import current_protocol
    from hipectrial.edc.snapshot import build_snapshot, import_trial

    import_trial(actor=administrator, trial=simulated)
    snapshot = build_snapshot()
    errors = [f for f in validate(snapshot, current_protocol()) if f.severity is Severity.ERROR]
    assert errors == []
    # the snapshot says who entered each record: the importing administrator
    assert {p.provenance.entered_by for p in snapshot.participants} == {"admin"}
    assert {v.provenance.entered_by for v in snapshot.visits} == {"admin"}


def test_every_imported_record_has_its_audit_entry(simulated, administrator) -> None:
    from hipectrial.edc.audit.models import AuditEntry
    from hipectrial.edc.audit.selectors import verify_chain
    from hipectrial.edc.crfs.models import Record
    from hipectrial.edc.participants.models import Participant
    from hipectrial.edc.snapshot import import_trial

    stored = import_trial(actor=administrator, trial=simulated)
    creates = AuditEntry.objects.filter(action="create")
    assert Record.objects.count() == stored
    assert creates.exclude(record_kind__in=["participants", "sites", "users"]).count() == stored
    assert creates.filter(record_kind="participants").count() == Participant.objects.count()
    assert Participant.objects.count() == len(simulated.participants)
    assert creates.filter(record_kind="sites").count() == len(simulated.sites)
    # each record's own entry, by key
    keys = set(Record.objects.values_list("kind", "key"))
    audited = set(creates.exclude(record_kind__in=["participants", "sites", "users"])
                  .values_list("record_kind", "record_key"))
    assert audited == keys
    summary = AuditEntry.objects.get(action="import")
    assert json.loads(summary.changes) == {"participants": [None, len(simulated.participants)],
                                               "records": [None, stored]}
    assert verify_chain().ok


def test_a_second_import_is_refused_and_writes_nothing(simulated, administrator) -> None:
    from hipectrial.edc.audit.models import AuditEntry
    from hipectrial.edc.crfs.models import Record
    from hipectrial.edc.participants.models import Participant
    from hipectrial.edc.sites.models import Site
    from hipectrial.edc.snapshot import import_trial
    from hipectrial.errors import InputError

    import_trial(actor=administrator, trial=simulated)
    counts = [m.objects.count() for m in (AuditEntry, Record, Participant, Site)]
    with pytest.raises(InputError) as refused:
        import_trial(actor=administrator, trial=simulated)
    assert refused.value.field == "database"
    assert "empty database" in str(refused.value)
    assert [m.objects.count() for m in (AuditEntry, Record, Participant, Site)] == counts


def test_only_an_administrator_may_import(simulated, cast) -> None:
    from hipectrial.edc.participants.models import Participant
    from hipectrial.edc.snapshot import import_trial
    from hipectrial.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_trial(actor=cast.data_manager, trial=simulated)
    assert not Participant.objects.exists()
