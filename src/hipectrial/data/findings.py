"""Findings of :func:`hipectrial.data.validate`, and the context its checks share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from hipectrial.data.records import Participant
from hipectrial.data.trial import Record, TrialData
from hipectrial.data.vocab import CODED_FIELDS, RecordKind, VitalStatus
from hipectrial.protocol import Protocol


class Severity(StrEnum):
    """``error``: the record contradicts the protocol or itself; ``warning``: it is
    incomplete or unusual and should be looked at (a data query), not necessarily wrong."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in one record.

    ``kind`` and ``index`` locate the record in :class:`~hipectrial.data.TrialData` (and in
    its JSON document); ``key`` names it for people (``SH01-001/screening#1/baseline``);
    ``field`` is the record field or CRF field concerned, ``None`` for the whole record.

    >>> f = Finding(Severity.ERROR, RecordKind.PARTICIPANT, 3, "SH01-004", "cohort",
    ...             "unknown cohort 'HER3'; known cohorts: HER2-negative, HER2-positive")
    >>> print(f)
    error participants[3].cohort (SH01-004): unknown cohort 'HER3'; known cohorts: ...
    """

    severity: Severity
    kind: RecordKind
    index: int | None
    key: str
    field: str | None
    message: str

    @property
    def location(self) -> str:
        """The path of the record (and field) in the TrialData JSON document."""
        if self.kind is RecordKind.TRIAL:
            return self.field or ""
        where = f"{self.kind.value}[{self.index}]"
        return f"{where}.{self.field}" if self.field else where

    def __str__(self) -> str:
        return f"{self.severity.value} {self.location} ({self.key}): {self.message}"


NOUNS = {
    RecordKind.TRIAL: "trial", RecordKind.SITE: "site", RecordKind.PARTICIPANT: "participant",
    RecordKind.VISIT: "visit", RecordKind.FORM: "form", RecordKind.DOSE: "dose administration",
    RecordKind.ADVERSE_EVENT: "adverse event", RecordKind.LAB: "lab result",
    RecordKind.TUMOUR_ASSESSMENT: "tumour assessment", RecordKind.SURGERY: "surgery",
    RecordKind.FOLLOW_UP: "follow-up",
}


def listing(names: Iterable[str], limit: int = 12) -> str:
    """Names for a message: sorted, at most ``limit`` of them."""
    ordered = sorted(names)
    shown = ", ".join(ordered[:limit])
    return (shown + (", …" if len(ordered) > limit else "")) or "none"


@dataclass(slots=True)
class Checker:
    """What every check needs: the inputs, look-ups built once, and the findings so far."""

    trial: TrialData
    protocol: Protocol
    findings: list[Finding] = field(default_factory=list)
    participants: dict[str, Participant] = field(default_factory=dict)
    # Each participant's death date: the earliest of their follow-ups with vital status dead.
    death_dates: dict[str, dt.date] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for participant in self.trial.participants:
            self.participants.setdefault(participant.id, participant)
        for follow_up in self.trial.follow_ups:
            if follow_up.vital_status is VitalStatus.DEAD and follow_up.death_date is not None:
                known = self.death_dates.get(follow_up.participant_id)
                if known is None or follow_up.death_date < known:
                    self.death_dates[follow_up.participant_id] = follow_up.death_date

    def add(self, severity: Severity, kind: RecordKind, index: int, record: Record,
            field: str | None, message: str) -> None:
        self.findings.append(Finding(severity, kind, index, record.key, field, message))

    def error(self, kind: RecordKind, index: int, record: Record, field: str | None,
              message: str) -> None:
        self.add(Severity.ERROR, kind, index, record, field, message)

    def warning(self, kind: RecordKind, index: int, record: Record, field: str | None,
                message: str) -> None:
        self.add(Severity.WARNING, kind, index, record, field, message)

    def coded(self, kind: RecordKind, index: int, record: Record, name: str, value: str | None) -> None:
        """Report a typed field's code that its protocol code list does not have
        (:data:`~hipectrial.data.vocab.CODED_FIELDS`; no check when the protocol has no such list)."""
        if value is None:
            return
        codelist = CODED_FIELDS[name]
        codes = next((cl.codes for cl in self.protocol.codelists if cl.id == codelist), None)
        if codes is not None and value not in codes:
            self.error(kind, index, record, name,
                       f"{name} {value!r} is not a code of code list {codelist!r} ({', '.join(codes)})")

    def cohort_of(self, participant: Participant | None) -> str | None:
        """The participant's cohort when the protocol knows it (an unknown one is reported
        once, on the participant, not again on every record that depends on it)."""
        if participant is None or participant.cohort is None:
            return None
        known = any(cohort.id == participant.cohort for cohort in self.protocol.cohorts)
        return participant.cohort if known else None

    def participant_of(self, kind: RecordKind, index: int, record: Record,
                       participant_id: str) -> Participant | None:
        """The participant a record is about; an error finding when there is none."""
        participant = self.participants.get(participant_id)
        if participant is None:
            self.error(kind, index, record, "participant_id",
                       f"participant {participant_id!r} is not registered in this data "
                       "(no participant record with this id)")
        return participant

    def order(self, kind: RecordKind, index: int, record: Record, earlier: tuple[str, dt.date | None],
              later: tuple[str, dt.date | None], severity: Severity = Severity.ERROR) -> bool:
        """Report ``later`` when it is before ``earlier``; True when a finding was added."""
        (earlier_name, earlier_date), (later_name, later_date) = earlier, later
        if earlier_date is None or later_date is None or later_date >= earlier_date:
            return False
        self.add(severity, kind, index, record, later_name,
                 f"{later_name} {later_date.isoformat()} is before {earlier_name} "
                 f"{earlier_date.isoformat()}")
        return True

    def in_lifetime(self, kind: RecordKind, index: int, record: Record, participant: Participant,
                    name: str, when: dt.date | None, *, consent: Severity | None = Severity.ERROR) -> None:
        """Report a record date before consent (at ``consent`` severity, None to skip) or
        after the participant's death."""
        if consent is not None:
            self.order(kind, index, record, ("consent_date", participant.consent_date), (name, when),
                       consent)
        death = self.death_dates.get(participant.id)
        if when is not None and death is not None and when > death:
            self.error(kind, index, record, name,
                       f"{name} {when.isoformat()} is after the participant's death "
                       f"({death.isoformat()}, from follow-up)")

    def after_registration(self, kind: RecordKind, index: int, record: Record,
                           participant: Participant, name: str, when: dt.date | None) -> None:
        """A treatment record needs a registered participant and a date on or after it."""
        if participant.registration_date is None:
            self.error(kind, index, record, name,
                       f"participant {participant.id!r} is not registered (no registration_date) "
                       f"but has a {NOUNS[kind]} record")
            return
        self.order(kind, index, record, ("registration_date", participant.registration_date),
                   (name, when))
