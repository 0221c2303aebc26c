"""Findings of :func:`hipectrial.data.validate`, and the context its checks share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from dataclasses import field as dc_field
from enum import StrEnum

from hipectrial.data.records import Participant
from hipectrial.data.trial import Record, TrialData
from hipectrial.data.vocab import CODED_FIELDS, RecordKind, VitalStatus
from hipectrial.phrases import ParamValue, Phrase, english
from hipectrial.protocol import Protocol


class Severity(StrEnum):
    """``error``: the record contradicts the protocol or itself; ``warning``: it is
    incomplete or unusual and should be looked at (a data query), not necessarily wrong."""

    ERROR = "error"
    WARNING = "warning"


class FindingCode(StrEnum):
    """What a finding says, for the findings a shell may show a person in another language
    (those about a participant's dates, visits and identity, which the EDC's pages meet);
    the parameters are those of its :data:`ENGLISH` template. Field names (``later``,
    ``earlier``, ``name``) are record fields (``registration_date``, ``actual_date``…)."""

    DATE_ORDER = "date_order"
    AFTER_DEATH = "after_death"
    UNKNOWN_PARTICIPANT = "unknown_participant"
    NEVER_REGISTERED = "never_registered"
    VISIT_BEFORE_REGISTRATION = "visit_before_registration"
    VISIT_ONCE = "visit_once"
    VISIT_AT_MOST = "visit_at_most"
    VISIT_COHORT = "visit_cohort"
    UNKNOWN_DOSE_LEVEL = "unknown_dose_level"
    NOT_A_CODE = "not_in_codelist"
    REGISTERED_WITHOUT_COHORT = "registered_without_cohort"
    DATE_WITHOUT_REASON = "date_without_reason"
    REASON_WITHOUT_DATE = "reason_without_date"
    IDENTITY_CONTRADICTED = "identity_contradicted"


# The English of each finding with a code: the one place it is worded (hipectrial.phrases).
ENGLISH: Mapping[str, str] = {
    FindingCode.DATE_ORDER: "{later} {later_date} is before {earlier} {earlier_date}",
    FindingCode.AFTER_DEATH: "{name} {date} is after the participant's death ({death}, from follow-up)",
    FindingCode.UNKNOWN_PARTICIPANT:
        "participant '{participant}' is not registered in this data (no participant record with this id)",
    FindingCode.NEVER_REGISTERED: "off treatment but never registered (no registration_date)",
    FindingCode.VISIT_BEFORE_REGISTRATION:
        "visit '{visit}' follows registration, but participant '{participant}' is not registered "
        "(no registration_date)",
    FindingCode.VISIT_ONCE: "occurrence {repeat} of visit '{visit}'; the protocol schedules it once",
    FindingCode.VISIT_AT_MOST:
        "occurrence {repeat} of visit '{visit}'; the protocol schedules at most {most}",
    FindingCode.VISIT_COHORT: "visit '{visit}' is for cohorts {cohorts}; the participant is in '{cohort}'",
    FindingCode.UNKNOWN_DOSE_LEVEL: "unknown dose level '{level}'; the protocol's levels: {levels}",
    FindingCode.NOT_A_CODE: "{name} '{code}' is not a code of code list '{codelist}' ({codes})",
    FindingCode.REGISTERED_WITHOUT_COHORT: "registered without a cohort",
    FindingCode.DATE_WITHOUT_REASON: "{stage}_date is given without a reason",
    FindingCode.REASON_WITHOUT_DATE: "{stage}_reason is given without a date",
    FindingCode.IDENTITY_CONTRADICTED:
        "{field} {given} on the {form} form contradicts the participant record's {field} {recorded}; the "
        "participant record is the one source of sex, birth date and consent date (a wrong value is "
        "corrected there, with a reason)",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in one record.

    ``kind`` and ``index`` locate the record in :class:`~hipectrial.data.TrialData` (and in
    its JSON document); ``key`` names it for people (``SH01-001/screening#1/baseline``);
    ``field`` is the record field or CRF field concerned, ``None`` for the whole record.
    ``phrase`` says what ``message`` says as a :class:`FindingCode` and parameters, for a
    shell wording it in another language (``None`` for a finding without a code); it takes
    no part in equality.

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
    phrase: Phrase | None = dc_field(default=None, compare=False)

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

    def say(self, severity: Severity, kind: RecordKind, index: int, record: Record, field: str | None,
            code: FindingCode, /, **params: ParamValue) -> None:
        """Add the finding ``code`` with ``params``: its message is the phrase in English."""
        phrase = Phrase(code, tuple(params.items()))
        self.findings.append(Finding(severity, kind, index, record.key, field, english(phrase, ENGLISH),
                                     phrase))

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
            self.say(Severity.ERROR, kind, index, record, name, FindingCode.NOT_A_CODE, name=name, code=value,
                     codelist=codelist, codes=tuple(codes))

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
            self.say(Severity.ERROR, kind, index, record, "participant_id", FindingCode.UNKNOWN_PARTICIPANT,
                     participant=participant_id)
        return participant

    def order(self, kind: RecordKind, index: int, record: Record, earlier: tuple[str, dt.date | None],
              later: tuple[str, dt.date | None], severity: Severity = Severity.ERROR) -> bool:
        """Report ``later`` when it is before ``earlier``; True when a finding was added."""
        (earlier_name, earlier_date), (later_name, later_date) = earlier, later
        if earlier_date is None or later_date is None or later_date >= earlier_date:
            return False
        self.say(severity, kind, index, record, later_name, FindingCode.DATE_ORDER, later=later_name,
                 later_date=later_date.isoformat(), earlier=earlier_name,
                 earlier_date=earlier_date.isoformat())
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
            self.say(Severity.ERROR, kind, index, record, name, FindingCode.AFTER_DEATH, name=name,
                     date=when.isoformat(), death=death.isoformat())

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
