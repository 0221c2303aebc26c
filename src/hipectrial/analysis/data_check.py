"""Nothing is analysed unvalidated: the trial data are checked against the protocol first.

:func:`check_trial_data` runs :func:`hipectrial.data.validate`. An error-level finding (an
unknown cohort or dose level, a record dated after the participant's death, a value outside
its code list, …) means the records contradict the protocol or themselves: the data are not
analysed and :class:`DataInvalidError` lists the findings. Warnings (incomplete or unusual
records: a required field left blank, a dose changed without a reason) do not stop the
analysis; they are carried into it so that the report's data-quality section shows them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hipectrial.data import (
    AdverseEvent,
    Finding,
    FormRecord,
    Participant,
    Severity,
    Site,
    TrialData,
    Visit,
    validate,
)
from hipectrial.data.trial import Record
from hipectrial.data.vocab import RecordKind
from hipectrial.errors import DataError
from hipectrial.protocol import Protocol

# Errors quoted in the message; the rest are counted (``hipectrial validate`` lists all).
SHOWN_ERRORS = 20


class DataInvalidError(DataError):
    """Trial data with error-level findings: they were not analysed.

    ``findings`` holds every error-level finding, in document order.
    """

    code = "data_invalid"

    def __init__(self, findings: Sequence[Finding]) -> None:
        if not findings:
            raise ValueError("DataInvalidError needs at least one finding")
        self.findings: tuple[Finding, ...] = tuple(findings)
        count = len(self.findings)
        lines = [f"  {finding}" for finding in self.findings[:SHOWN_ERRORS]]
        if count > SHOWN_ERRORS:
            lines.append(f"  … and {count - SHOWN_ERRORS} more")
        head = (f"the trial data contradict the protocol ({count} error{'s' if count != 1 else ''}); "
                "nothing was analysed")
        tail = "list every finding with `hipectrial validate --data FILE`"
        super().__init__("\n".join([head + ":", *lines, tail]))


@dataclass(frozen=True, slots=True)
class DataWarning:
    """A validation warning and what it is about: the participant and site of its record
    (``None`` for the trial or a site record) and the date of what the record records."""

    finding: Finding
    participant_id: str | None
    site_id: str | None
    date: dt.date | None


@dataclass(frozen=True, slots=True)
class DataCheck:
    """The findings of the check that let the data through: warnings only, in document order."""

    warnings: tuple[DataWarning, ...]

    def as_of(self, cutoff: dt.date) -> tuple[DataWarning, ...]:
        """The warnings about records known at ``cutoff`` (records dated after it are not
        analysed, so their warnings are not the report's)."""
        return tuple(w for w in self.warnings if w.date is None or w.date <= cutoff)


def record_subject(record: Record, visit_dates: Mapping[tuple[str, str, int], dt.date | None]
                   ) -> tuple[str, dt.date | None] | None:
    """The participant a record is about and the date of what it records (a visit's date, a
    dose's, an adverse event's onset, a contact's…; a CRF record by its visit's date in
    ``visit_dates``, keyed by participant, visit and repeat); ``None`` for a site record."""
    if isinstance(record, Site):
        return None
    if isinstance(record, Participant):
        return record.id, record.consent_date
    if isinstance(record, Visit):
        return record.participant_id, record.actual_date
    if isinstance(record, FormRecord):
        pid = record.participant_id
        return pid, visit_dates.get((pid, record.visit_id, record.visit_repeat))
    if isinstance(record, AdverseEvent):
        return record.participant_id, record.onset_date
    return record.participant_id, record.date


def visit_dates(trial: TrialData) -> dict[tuple[str, str, int], dt.date | None]:
    """Each visit occurrence's date, by participant, visit and repeat."""
    return {(v.participant_id, v.visit_id, v.repeat): v.actual_date for v in trial.visits}


def check_trial_data(*, trial: TrialData, protocol: Protocol) -> DataCheck:
    """Validate ``trial`` against ``protocol`` before it is analysed.

    Returns
    -------
    DataCheck
        The warning-level findings, in document order, each with its participant and site.

    Raises
    ------
    DataInvalidError
        When :func:`hipectrial.data.validate` finds any error.
    """
    findings = validate(trial, protocol)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        raise DataInvalidError(errors)
    sites = {p.id: p.site_id for p in trial.participants}
    dates = visit_dates(trial)
    warnings = []
    for f in findings:  # all warnings: an error would have raised
        subject = None
        if f.index is not None and f.kind is not RecordKind.TRIAL:
            subject = record_subject(trial.records(f.kind)[f.index], dates)
        pid, when = subject if subject is not None else (None, None)
        warnings.append(DataWarning(f, pid, sites.get(pid) if pid else None, when))
    return DataCheck(tuple(warnings))
