"""Who and where: provenance, sites, participants, visits and CRF records.

Every record is a frozen, slotted dataclass; its ``key`` names it in findings and logs.
Ids refer to the protocol (visit, form, field, cohort and dose-level ids) or to other
records (``participant_id``, ``site_id``); :func:`hipectrial.data.validate` checks them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from hipectrial.data.values import (
    FieldValue,
    FrozenMap,
    check_field_value,
    require_aware,
    require_count,
)
from hipectrial.data.vocab import Sex, SourceKind
from hipectrial.errors import InputError


@dataclass(frozen=True, slots=True)
class Provenance:
    """Who entered a record and when, who last changed it, and under which protocol version.

    Records made by the EDC always carry one; the simulator may leave it out (``None``).
    The full history (old and new values, reasons for change) is the EDC's audit trail;
    this is its summary as of the snapshot.

    >>> from datetime import datetime, timezone
    >>> Provenance(entered_by="nurse.li", entered_at=datetime(2025, 3, 1, 9, 30),
    ...            protocol_version="1.0")
    Traceback (most recent call last):
    ...
    hipectrial.errors.InputError: entered_at must be a date-time with a UTC offset; got ...
    """

    entered_by: str
    entered_at: dt.datetime
    protocol_version: str
    changed_by: str | None = None
    changed_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        require_aware("entered_at", self.entered_at)
        require_aware("changed_at", self.changed_at)
        if (self.changed_by is None) != (self.changed_at is None):
            raise InputError(
                "changed_at", self.changed_at, "given together with changed_by",
                hint=f"changed_by is {self.changed_by!r}",
            )


@dataclass(frozen=True, slots=True)
class DataSource:
    """Where a trial's data came from: the kind of producer and a line naming the run.

    The simulator says which scenario and seed it ran (``hipectrial simulate: scenario
    default, seed 1``), so that whatever shows the data can say they are not real patients'.

    >>> DataSource(kind=SourceKind.SIMULATION, description=" ")
    Traceback (most recent call last):
    ...
    hipectrial.errors.InputError: description must be a non-empty text naming the producer; got ' '
    """

    kind: SourceKind
    description: str

    def __post_init__(self) -> None:
        if not isinstance(self.kind, SourceKind):
            raise InputError("kind", self.kind, "a SourceKind (" + ", ".join(SourceKind) + ")")
        if not isinstance(self.description, str) or not self.description.strip():
            raise InputError("description", self.description, "a non-empty text naming the producer")


@dataclass(frozen=True, slots=True)
class Site:
    """A participating hospital. ``country`` is an ISO 3166-1 alpha-2 code (``CN``)."""

    id: str
    name: str
    country: str
    city: str | None = None
    principal_investigator: str | None = None
    activation_date: dt.date | None = None
    provenance: Provenance | None = None

    @property
    def key(self) -> str:
        return self.id


@dataclass(frozen=True, slots=True)
class Participant:
    """A consented participant, registered (``registration_date``) or still in screening.

    ``id`` is prefixed by the site id and a hyphen (``SH01-003`` at site ``SH01``). ``cohort``
    and ``dose_level`` are protocol ids, set at registration.
    """

    id: str
    site_id: str
    sex: Sex
    birth_date: dt.date
    consent_date: dt.date
    registration_date: dt.date | None = None
    cohort: str | None = None
    dose_level: str | None = None
    off_treatment_date: dt.date | None = None
    off_treatment_reason: str | None = None
    off_study_date: dt.date | None = None
    off_study_reason: str | None = None
    provenance: Provenance | None = None

    @property
    def key(self) -> str:
        return self.id

    @property
    def registered(self) -> bool:
        return self.registration_date is not None


@dataclass(frozen=True, slots=True)
class Visit:
    """One occurrence of a scheduled visit of the protocol.

    ``repeat`` numbers the occurrences of a repeating visit from 1 (the cycle number of a
    per-cycle visit); it is 1 for a visit that does not repeat.
    """

    participant_id: str
    visit_id: str
    repeat: int = 1
    planned_date: dt.date | None = None
    actual_date: dt.date | None = None
    provenance: Provenance | None = None

    def __post_init__(self) -> None:
        require_count("repeat", self.repeat)

    @property
    def key(self) -> str:
        return f"{self.participant_id}/{self.visit_id}#{self.repeat}"


@dataclass(frozen=True, slots=True)
class FormRecord:
    """The values of one CRF filled at one visit occurrence.

    ``values`` maps field ids to values typed per the protocol field (see
    :data:`~hipectrial.data.values.FieldValue`); a field left blank is absent. ``repeat``
    numbers the records of a repeating form within the visit from 1, and is ``None`` for
    a form that does not repeat.

    >>> from decimal import Decimal
    >>> r = FormRecord(participant_id="SH01-001", form_id="baseline", visit_id="screening",
    ...                values={"weight_kg": Decimal("61.5"), "ecog": 1})
    >>> r.key, dict(r.values)
    ('SH01-001/screening#1/baseline', {'ecog': 1, 'weight_kg': Decimal('61.5')})
    """

    participant_id: str
    form_id: str
    visit_id: str
    visit_repeat: int = 1
    repeat: int | None = None
    values: Mapping[str, FieldValue] = FrozenMap[FieldValue]()
    provenance: Provenance | None = None

    def __post_init__(self) -> None:
        require_count("visit_repeat", self.visit_repeat)
        require_count("repeat", self.repeat)
        for name, value in self.values.items():
            if not isinstance(name, str):
                raise InputError("values", name, "field ids given as strings")
            check_field_value(f"values.{name}", value)
        if not isinstance(self.values, FrozenMap):
            object.__setattr__(self, "values", FrozenMap(self.values))

    @property
    def key(self) -> str:
        repeat = f"#{self.repeat}" if self.repeat is not None else ""
        return f"{self.participant_id}/{self.visit_id}#{self.visit_repeat}/{self.form_id}{repeat}"
