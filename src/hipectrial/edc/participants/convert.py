"""A participant row as the data layer's :class:`hipectrial.data.Participant`, and back."""

from __future__ import annotations

from typing import Any

from hipectrial.data import Participant as DataParticipant
from hipectrial.data import Sex
from hipectrial.data.records import Provenance
from hipectrial.edc.participants.models import Participant

FIELDS = (
    "sex",
    "birth_date",
    "consent_date",
    "registration_date",
    "cohort",
    "dose_level",
    "off_treatment_date",
    "off_treatment_reason",
    "off_study_date",
    "off_study_reason",
)


def provenance_of(row: Any) -> Provenance:
    return Provenance(
        entered_by=row.created_by,
        entered_at=row.created_at,
        protocol_version=row.protocol_version,
        changed_by=row.changed_by,
        changed_at=row.changed_at,
    )


def to_data(row: Participant, *, with_provenance: bool = True) -> DataParticipant:
    values: dict[str, Any] = {name: getattr(row, name) for name in FIELDS}
    values["sex"] = Sex(values["sex"])
    return DataParticipant(
        id=row.participant_id,
        site_id=row.site.code,
        provenance=provenance_of(row) if with_provenance else None,
        **values,
    )


def plain(p: DataParticipant) -> dict[str, Any]:
    """The participant's fields as the audit trail shows them (dates ISO, codes as text)."""
    out: dict[str, Any] = {}
    for name in FIELDS:
        value = getattr(p, name)
        out[name] = (
            value.isoformat()
            if hasattr(value, "isoformat")
            else (value.value if isinstance(value, Sex) else value)
        )
    return out
