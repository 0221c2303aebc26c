"""One participant's records as ``TrialData``: what the pages hand to the core's rules.

The same records a snapshot holds (completed records, in store order), read for one
participant only, so that a page computing eligibility, the visit schedule or a derived
value decodes dozens of records, not the whole site's.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from hipectrial.data import TrialData
from hipectrial.edc.crfs.codec import from_payload
from hipectrial.edc.crfs.models import Record, Status
from hipectrial.edc.participants.convert import to_data
from hipectrial.edc.participants.models import Participant
from hipectrial.edc.protocol_source import current_protocol
from hipectrial.edc.snapshot import site_data


def participant_trial(participant: Participant, *, include_drafts: bool = False,
                      generated_at: dt.datetime | None = None) -> TrialData:
    """``participant``'s site, participant record and records (drafts too with
    ``include_drafts``, for a page that shows work in progress), without provenance."""
    protocol = current_protocol()
    rows = Record.objects.filter(participant=participant)
    if not include_drafts:
        rows = rows.filter(status=Status.COMPLETE)
    by_kind: dict[str, list[object]] = {}
    for kind, payload in rows.order_by("id").values_list("kind", "payload"):
        by_kind.setdefault(kind, []).append(from_payload(kind, payload))
    return TrialData(
        protocol_id=protocol.study.id, protocol_version=protocol.study.version,
        generated_at=generated_at or timezone.now(), sites=(site_data(participant.site),),
        participants=(to_data(participant, with_provenance=False),),
        **{kind: tuple(records) for kind, records in by_kind.items()})  # type: ignore[arg-type]
