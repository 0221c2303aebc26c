"""What every SDTM domain derives the same way: USUBJID, the reference dates, --DY, EPOCH.

:func:`study_context` computes each subject's reference dates once from ``TrialData``; the
domains ask it for a subject's USUBJID, the study day of a date and the epoch of a date, so
that every dataset agrees with DM.

Sponsor definitions (the SDTMIG leaves them to the sponsor; Define-XML states them):

- ``RFSTDTC`` = ``RFXSTDTC`` = the date of the first study treatment given (a dose record
  with ``given`` > 0: the day-0 HIPEC for a treated participant); empty for a participant
  never treated (screen failures, registered but not treated).
- ``RFENDTC`` = ``RFXENDTC`` = the last day of study treatment: the latest dose given,
  carried to the last day of its agent's schedule in the cycle (S-1 taken on days 1-14 of a
  cycle, recorded on day 1, is taken to day 14: the protocol's ``schedule.days``).
- ``EPOCH``: ``SCREENING`` before ``RFSTDTC`` (every date, for a participant never treated),
  ``TREATMENT`` from ``RFSTDTC`` to ``RFXENDTC``, ``FOLLOW-UP`` after it (CDISC CT Epoch,
  C99079).

References
----------
SDTMIG 3.4 §4.4.4 (study day: no day 0; day 1 is the day of ``RFSTDTC``), §4.4.6 (DM
reference dates), §4.1.3.1 (EPOCH).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from hipectrial.data import DoseAdministration, TrialData
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol

SCREENING = "SCREENING"
TREATMENT = "TREATMENT"
FOLLOW_UP = "FOLLOW-UP"


@dataclass(frozen=True, slots=True)
class SubjectDates:
    """One subject's identifiers and reference dates."""

    participant_id: str
    usubjid: str
    consent: dt.date
    first_treatment: dt.date | None
    last_treatment: dt.date | None


@dataclass(frozen=True, slots=True)
class StudyContext:
    """The study identifier and every subject's reference dates.

    Examples
    --------
    >>> first = SubjectDates("SH01-001", "HIPEC-PD1-SOX-SH01-001", dt.date(2025, 1, 2),
    ...                      dt.date(2025, 1, 10), dt.date(2025, 4, 1))
    >>> study = StudyContext("HIPEC-PD1-SOX", {"SH01-001": first})
    >>> [study.study_day("SH01-001", dt.date(2025, 1, d)) for d in (8, 9, 10, 11)]
    [-2, -1, 1, 2]
    >>> study.epoch("SH01-001", dt.date(2025, 4, 2))
    'FOLLOW-UP'
    """

    studyid: str
    subjects: Mapping[str, SubjectDates]

    def subject(self, participant_id: str) -> SubjectDates:
        try:
            return self.subjects[participant_id]
        except KeyError:
            raise InputError("participant_id", participant_id, "a participant of the trial") from None

    def usubjid(self, participant_id: str) -> str:
        return self.subject(participant_id).usubjid

    def study_day(self, participant_id: str, date: dt.date | None) -> int | None:
        """``--DY`` of ``date``: days from ``RFSTDTC``, day 1 on it, no day 0 (SDTMIG §4.4.4);
        ``None`` when the date or ``RFSTDTC`` is missing."""
        start = self.subject(participant_id).first_treatment
        if date is None or start is None:
            return None
        days = (date - start).days
        return days + 1 if days >= 0 else days

    def epoch(self, participant_id: str, date: dt.date | None) -> str | None:
        """The epoch ``date`` falls in (see the module's sponsor definitions); ``None``
        without a date."""
        if date is None:
            return None
        subject = self.subject(participant_id)
        if subject.first_treatment is None or date < subject.first_treatment:
            return SCREENING
        if subject.last_treatment is not None and date > subject.last_treatment:
            return FOLLOW_UP
        return TREATMENT


def exposure_end(dose: DoseAdministration, protocol: Protocol) -> dt.date:
    """The last day a dose record covers: its date, carried to the last day of its agent's
    schedule in the cycle (a dose recorded on day 1 of an agent taken on days 1-14 covers 14
    days); the date itself for an agent without a schedule (HIPEC) or a dose recorded on or
    after its schedule's last day."""
    last_day = max(_schedule_days(protocol).get(dose.agent, ()), default=None)
    first_day = dose.day if dose.day is not None else 1
    if last_day is None or last_day <= first_day:
        return dose.date
    return dose.date + dt.timedelta(days=last_day - first_day)


def _schedule_days(protocol: Protocol) -> dict[str, tuple[int, ...]]:
    return {agent.id: tuple(agent.schedule.days) for agent in protocol.agents if agent.schedule is not None}


def study_context(trial: TrialData, protocol: Protocol) -> StudyContext:
    """Every participant's USUBJID and reference dates (first and last day of treatment given)."""
    first: dict[str, dt.date] = {}
    last: dict[str, dt.date] = {}
    for dose in trial.doses:
        if dose.given > 0:
            pid = dose.participant_id
            end = exposure_end(dose, protocol)
            first[pid] = min(first.get(pid, dose.date), dose.date)
            last[pid] = max(last.get(pid, end), end)
    studyid = protocol.study.id
    subjects = {
        p.id: SubjectDates(p.id, f"{studyid}-{p.id}", p.consent_date, first.get(p.id), last.get(p.id))
        for p in trial.participants
    }
    return StudyContext(studyid, subjects)
