"""``TrialData``: the one in-memory picture of a trial's records.

The EDC builds it from its database, the simulator generates it, importers read it; the
analysis, reports and exports consume it. It is a value: frozen, compared by content, and
written to and read from JSON (:meth:`TrialData.to_json`, :meth:`TrialData.from_json`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from hipectrial.data.assessments import FollowUp, Surgery, TumourAssessment
from hipectrial.data.records import DataSource, FormRecord, Participant, Site, Visit
from hipectrial.data.treatment import AdverseEvent, DoseAdministration, LabResult
from hipectrial.data.values import require_aware
from hipectrial.data.vocab import RecordKind, SourceKind
from hipectrial.errors import InputError

Record = (
    Site | Participant | Visit | FormRecord | DoseAdministration | AdverseEvent | LabResult
    | TumourAssessment | Surgery | FollowUp
)

# The record tuples of TrialData, by kind, in document order. Records with a participant
# come after ``sites`` and ``participants``.
COLLECTIONS: tuple[RecordKind, ...] = (
    RecordKind.SITE, RecordKind.PARTICIPANT, RecordKind.VISIT, RecordKind.FORM, RecordKind.DOSE,
    RecordKind.ADVERSE_EVENT, RecordKind.LAB, RecordKind.TUMOUR_ASSESSMENT, RecordKind.SURGERY,
    RecordKind.FOLLOW_UP,
)
_PARTICIPANT_KINDS = COLLECTIONS[2:]


@dataclass(frozen=True, slots=True)
class TrialData:
    """A trial's records at one moment, under one protocol version.

    Record order is kept as given (it is part of the value and of the JSON); producers
    should add records in a deterministic order. ``source`` says what produced the data
    (``None`` when not known, as in a document of schema version 2).

    Examples
    --------
    >>> from datetime import date, datetime, timezone
    >>> from hipectrial.data import Sex
    >>> site = Site(id="SH01", name="Shanghai General Hospital", country="CN")
    >>> p = Participant(id="SH01-001", site_id="SH01", sex=Sex.FEMALE,
    ...                 birth_date=date(1962, 5, 4), consent_date=date(2025, 2, 3))
    >>> trial = TrialData(protocol_id="HIPEC-PD1-SOX", protocol_version="1.0",
    ...                   generated_at=datetime(2025, 3, 1, tzinfo=timezone.utc),
    ...                   sites=(site,), participants=(p,))
    >>> trial.participant("SH01-001").sex
    <Sex.FEMALE: 'female'>
    >>> TrialData.from_json(trial.to_json()) == trial
    True
    """

    protocol_id: str
    protocol_version: str
    generated_at: dt.datetime
    sites: tuple[Site, ...] = ()
    participants: tuple[Participant, ...] = ()
    visits: tuple[Visit, ...] = ()
    form_records: tuple[FormRecord, ...] = ()
    doses: tuple[DoseAdministration, ...] = ()
    adverse_events: tuple[AdverseEvent, ...] = ()
    lab_results: tuple[LabResult, ...] = ()
    tumour_assessments: tuple[TumourAssessment, ...] = ()
    surgeries: tuple[Surgery, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()
    source: DataSource | None = None

    def __post_init__(self) -> None:
        require_aware("generated_at", self.generated_at)
        if self.source is not None and not isinstance(self.source, DataSource):
            raise InputError("source", self.source, "a DataSource or None")
        for kind in COLLECTIONS:
            object.__setattr__(self, kind.value, tuple(getattr(self, kind.value)))

    @property
    def simulated(self) -> bool:
        """Whether the simulator made these data (virtual patients, not real ones)."""
        return self.source is not None and self.source.kind is SourceKind.SIMULATION

    # -- JSON ----------------------------------------------------------------------------

    def to_json(self) -> str:
        """This trial as a JSON document (schema in :mod:`hipectrial.data.jsonio`).

        The same ``TrialData`` always gives the same text: keys sorted, records in order.
        """
        from hipectrial.data.jsonio import dump_trial

        return dump_trial(self)

    @classmethod
    def from_json(cls, text: str) -> TrialData:
        """Read a document written by :meth:`to_json`.

        Raises
        ------
        DocumentError
            (a :class:`~hipectrial.errors.DataError`) naming the first problem and its path
            in the document, e.g. ``participants[3].birth_date: expected an ISO date
            (YYYY-MM-DD), got '1960-13-01'``.
        """
        from hipectrial.data.jsonio import load_trial

        return load_trial(text)

    # -- selectors -----------------------------------------------------------------------

    def records(self, kind: RecordKind) -> tuple[Record, ...]:
        """The records of one kind, in order."""
        if kind is RecordKind.TRIAL:
            raise ValueError("RecordKind.TRIAL is the document, not a record list")
        records: tuple[Record, ...] = getattr(self, kind.value)
        return records

    def all_records(self) -> Iterator[tuple[RecordKind, int, Record]]:
        """Every record with its kind and position, in document order."""
        for kind in COLLECTIONS:
            for index, record in enumerate(self.records(kind)):
                yield kind, index, record

    def site(self, site_id: str) -> Site:
        """The site with id ``site_id``; ``KeyError`` if there is none."""
        for site in self.sites:
            if site.id == site_id:
                return site
        raise KeyError(site_id)

    def participant(self, participant_id: str) -> Participant:
        """The participant with id ``participant_id``; ``KeyError`` if there is none."""
        for participant in self.participants:
            if participant.id == participant_id:
                return participant
        raise KeyError(participant_id)

    def participants_at(self, site_id: str) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if p.site_id == site_id)

    def for_participant(self, participant_id: str) -> TrialData:
        """The same trial restricted to one participant: their record, their site's record
        and every record about them. ``KeyError`` if the participant is unknown."""
        participant = self.participant(participant_id)
        return self._restricted({participant_id}, {participant.site_id})

    def for_site(self, site_id: str) -> TrialData:
        """The same trial restricted to one site and its participants' records."""
        self.site(site_id)
        return self._restricted({p.id for p in self.participants_at(site_id)}, {site_id})

    def form_records_of(self, form_id: str, participant_id: str | None = None) -> tuple[FormRecord, ...]:
        """The records of one CRF, of every participant or of one."""
        return tuple(
            r for r in self.form_records
            if r.form_id == form_id and (participant_id is None or r.participant_id == participant_id)
        )

    def visits_of(self, participant_id: str) -> tuple[Visit, ...]:
        return tuple(v for v in self.visits if v.participant_id == participant_id)

    def doses_of(self, participant_id: str, agent: str | None = None) -> tuple[DoseAdministration, ...]:
        return tuple(
            d for d in self.doses
            if d.participant_id == participant_id and (agent is None or d.agent == agent)
        )

    def adverse_events_of(self, participant_id: str) -> tuple[AdverseEvent, ...]:
        return tuple(a for a in self.adverse_events if a.participant_id == participant_id)

    def lab_results_of(self, participant_id: str, test_code: str | None = None) -> tuple[LabResult, ...]:
        return tuple(
            r for r in self.lab_results
            if r.participant_id == participant_id and (test_code is None or r.test_code == test_code)
        )

    def tumour_assessments_of(self, participant_id: str) -> tuple[TumourAssessment, ...]:
        return tuple(a for a in self.tumour_assessments if a.participant_id == participant_id)

    def surgeries_of(self, participant_id: str) -> tuple[Surgery, ...]:
        return tuple(s for s in self.surgeries if s.participant_id == participant_id)

    def follow_ups_of(self, participant_id: str) -> tuple[FollowUp, ...]:
        return tuple(f for f in self.follow_ups if f.participant_id == participant_id)

    def _restricted(self, participant_ids: set[str], site_ids: set[str]) -> TrialData:
        changes: dict[str, Any] = {
            "sites": tuple(s for s in self.sites if s.id in site_ids),
            "participants": tuple(p for p in self.participants if p.id in participant_ids),
        }
        for kind in _PARTICIPANT_KINDS:
            changes[kind.value] = tuple(
                r for r in self.records(kind)
                if getattr(r, "participant_id", None) in participant_ids
            )
        return replace(self, **changes)

