"""The database as a :class:`hipectrial.data.TrialData` (docs/trialdata-conventions.md), and a
``TrialData`` imported into an empty database through the services, with audit entries.

A snapshot holds every site, every participant and every completed record, in the order
they were stored (a record's provenance from its row: who entered it and when, who last
changed it). Drafts stay in the EDC: they are work in progress, not data. Importing a
snapshot into an empty database and taking a snapshot again gives the same records.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from hipectrial.data import DataSource, SourceKind, TrialData
from hipectrial.data import Site as DataSite
from hipectrial.data.trial import COLLECTIONS
from hipectrial.data.vocab import RecordKind
from hipectrial.edc.accounts.permissions import check
from hipectrial.edc.accounts.roles import Action
from hipectrial.edc.audit.services import Change, append
from hipectrial.edc.crfs.codec import from_payload
from hipectrial.edc.crfs.models import Record, Status, TrialInfo
from hipectrial.edc.crfs.services import records_import
from hipectrial.edc.participants.convert import to_data
from hipectrial.edc.participants.models import Participant
from hipectrial.edc.participants.services import participant_import
from hipectrial.edc.protocol_source import current_protocol
from hipectrial.edc.sites.models import Site
from hipectrial.errors import InputError

_RECORD_KINDS = [kind for kind in COLLECTIONS if kind not in (RecordKind.SITE, RecordKind.PARTICIPANT)]


def site_data(site: Site) -> DataSite:
    return DataSite(
        id=site.code,
        name=site.name,
        country=site.country,
        city=site.city,
        principal_investigator=site.principal_investigator,
        activation_date=site.activation_date,
    )


def source_of_database() -> DataSource:
    info = TrialInfo.objects.filter(pk=1).first()
    if info is None or info.source_kind == SourceKind.EDC.value:
        return DataSource(kind=SourceKind.EDC, description="hipectrial EDC snapshot")
    return DataSource(
        kind=SourceKind(info.source_kind),
        description=f"hipectrial EDC snapshot of a database seeded from: {info.source_description}",
    )


def build_snapshot(
    *,
    generated_at: dt.datetime | None = None,
    site_codes: Iterable[str] | None = None,
    with_provenance: bool = True,
) -> TrialData:
    """The database's data as ``TrialData`` (every site, or those of ``site_codes``)."""
    protocol = current_protocol()
    sites = Site.objects.all().order_by("id")
    if site_codes is not None:
        sites = sites.filter(code__in=list(site_codes))
    site_rows = list(sites)
    people = list(Participant.objects.filter(site__in=site_rows).select_related("site").order_by("id"))
    by_kind: dict[str, list[Any]] = defaultdict(list)
    rows = (
        Record.objects.filter(participant__in=people, status=Status.COMPLETE)
        .order_by("id")
        .values_list(
            "kind", "payload", "created_by", "created_at", "changed_by", "changed_at", "protocol_version"
        )
    )
    for kind, payload, created_by, created_at, changed_by, changed_at, version in rows.iterator(
        chunk_size=2000
    ):
        provenance = None
        if with_provenance:
            from hipectrial.data.records import Provenance

            provenance = Provenance(
                entered_by=created_by,
                entered_at=created_at,
                protocol_version=version,
                changed_by=changed_by,
                changed_at=changed_at,
            )
        by_kind[kind].append(from_payload(kind, payload, provenance))
    return TrialData(
        protocol_id=protocol.study.id,
        protocol_version=protocol.study.version,
        generated_at=generated_at or timezone.now(),
        source=source_of_database(),
        sites=tuple(site_data(s) for s in site_rows),
        participants=tuple(to_data(p, with_provenance=with_provenance) for p in people),
        **{kind.value: tuple(by_kind[kind.value]) for kind in _RECORD_KINDS},
    )


def record_export(
    *, actor: str, trial: TrialData, destination: str, now: dt.datetime | None = None
) -> None:
    """Write the audit entry of a snapshot taken out of the EDC (to the file or download
    ``destination``); call it before the data leave."""
    with transaction.atomic():
        append(
            actor=actor,
            at=now or timezone.now(),
            changes=[
                Change(
                    "export",
                    "trial",
                    trial.protocol_id,
                    {"file": (None, destination), "participants": (None, len(trial.participants))},
                    protocol_version=trial.protocol_version,
                )
            ],
        )


def import_trial(
    *,
    actor: Any,
    trial: TrialData,
    progress: Callable[[int, int], None] | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Load ``trial`` into an empty database through the services (each participant in one
    transaction, every record with its audit entry). Returns the number of records stored.

    Refused unless the database holds no participant and ``actor`` may import; the data
    must be of the protocol the EDC runs.
    """
    check(actor, Action.IMPORT_DATA)
    protocol = current_protocol()
    if trial.protocol_id != protocol.study.id:
        raise InputError("protocol_id", trial.protocol_id, f"data of the EDC's protocol {protocol.study.id}")
    if Participant.objects.exists():
        raise InputError(
            "database",
            "not empty",
            "an empty database to import into",
            "importing merges nothing: start from a new data directory",
        )
    now = now or timezone.now()
    version = trial.protocol_version
    with transaction.atomic():
        info, _ = TrialInfo.objects.get_or_create(pk=1)
        if trial.source is not None:
            info.source_kind, info.source_description = trial.source.kind.value, trial.source.description
            info.save()
        from hipectrial.edc.sites.services import site_add

        sites = {}
        for s in trial.sites:
            existing = Site.objects.filter(code=s.id).first()
            sites[s.id] = existing or site_add(
                actor=actor.username,
                code=s.id,
                name=s.name,
                country=s.country,
                city=s.city,
                principal_investigator=s.principal_investigator,
                activation_date=s.activation_date,
                now=now,
            )
    records: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for kind in _RECORD_KINDS:
        for record in trial.records(kind):
            records[record.participant_id].append((kind.value, record))  # type: ignore[union-attr]
    stored, total = 0, len(trial.participants)
    for done, person in enumerate(trial.participants, start=1):
        with transaction.atomic():
            row = participant_import(
                actor=actor, site=sites[person.site_id], data=person, protocol_version=version, now=now
            )
            stored += records_import(
                actor=actor,
                participant=row,
                records=records.pop(person.id, []),
                protocol_version=version,
                now=now,
            )
        if progress is not None:
            progress(done, total)
    if records:
        unknown = ", ".join(sorted(records)[:5])
        raise InputError("participant_id", unknown, "records of participants listed in the data")
    with transaction.atomic():
        append(
            actor=actor.username,
            at=now,
            changes=[
                Change(
                    "import",
                    "trial",
                    trial.protocol_id,
                    {"records": (None, stored), "participants": (None, total)},
                    reason=trial.source.description if trial.source else "",
                    protocol_version=version,
                )
            ],
        )
    return stored
