"""The values of a participant's visit schedule: what
:func:`~hipectrial.clinical.visits.schedule.visit_schedule` takes (``TreatmentDates``, ``ActualVisit``) and
gives (``VisitSchedule`` of ``VisitOccurrence`` and ``StoppedVisit``). The rules are in
:mod:`hipectrial.clinical.visits.schedule`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from hipectrial.protocol.regimen import Anchor
from hipectrial.protocol.schedule import ScheduleEnd


class Branch(StrEnum):
    """The treatment branch decided at re-evaluation."""

    OPERATED = "operated"
    NOT_OPERATED = "not_operated"


class VisitStatus(StrEnum):
    ON_TIME = "on_time"
    EARLY = "early"
    LATE = "late"
    MISSED = "missed"  # not done and the window closed before as_of
    DUE = "due"  # not done, the window is open on as_of
    UPCOMING = "upcoming"  # the window opens after as_of


@dataclass(frozen=True, slots=True)
class TreatmentDates:
    """A participant's actual dates: the anchors the schedule counts from.

    ``cycle_starts`` maps a phase id to the actual day-1 dates of its cycles, cycle 1 first.
    An anchor not yet reached is ``None``.

    ``death``, ``off_study`` and ``progression`` (the first documented) are the dates at
    which visits stop being due (module docstring, "Stops"); ``None``: not happened.
    """

    registration: dt.date | None = None
    hipec: dt.date | None = None
    cycle_starts: Mapping[str, Sequence[dt.date]] = field(default_factory=dict)
    surgery: dt.date | None = None
    end_of_treatment: dt.date | None = None
    last_dose: dt.date | None = None
    death: dt.date | None = None
    off_study: dt.date | None = None
    progression: dt.date | None = None

    def event(self, anchor: Anchor) -> dt.date | None:
        """The date of an event anchor (registration, HIPEC, surgery, end of treatment, last
        dose); ``None`` while it has not happened. ``cycle_start`` and ``event`` are not
        single dates: ``KeyError``."""
        return {Anchor.REGISTRATION: self.registration, Anchor.HIPEC: self.hipec,
                Anchor.SURGERY: self.surgery, Anchor.END_OF_TREATMENT: self.end_of_treatment,
                Anchor.LAST_DOSE: self.last_dose}[anchor]


@dataclass(frozen=True, slots=True)
class ActualVisit:
    """A visit done: which visit, which occurrence (1-based; the cycle for per-cycle visits),
    its date, and optionally the forms completed (``None``: not reported)."""

    visit_id: str
    occurrence: int
    date: dt.date
    forms: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class VisitOccurrence:
    """One occurrence of a visit: its target and window, and what happened."""

    visit_id: str
    name: str
    occurrence: int
    phase: str | None
    cycle: int | None
    target: dt.date
    earliest: dt.date
    latest: dt.date
    projected: bool
    actual: dt.date | None
    status: VisitStatus
    days_from_target: int | None
    required_forms: tuple[str, ...]
    missing_forms: tuple[str, ...]
    basis: str


@dataclass(frozen=True, slots=True)
class StoppedVisit:
    """Occurrences of one visit left out because they are no longer due: not done, and their
    window had not closed before ``date``, the earliest stop that applies to the visit.
    ``events`` are the stops on that date (several when they fall on the same day)."""

    visit_id: str
    occurrences: tuple[int, ...]
    date: dt.date
    events: tuple[ScheduleEnd, ...]
    # An open-ended repeat: the occurrences after the last one listed are left out too
    # (nothing is projected past a stop).
    onwards: bool = False


@dataclass(frozen=True, slots=True)
class VisitSchedule:
    """The visits due for one participant as of ``as_of`` (``occurrences``, by target date),
    the occurrences left out at a stop (``stopped``) and the steps in words."""

    as_of: dt.date
    cohort: str
    branch: Branch | None
    occurrences: tuple[VisitOccurrence, ...]
    steps: tuple[str, ...]
    stopped: tuple[StoppedVisit, ...] = ()

    def occurrence(self, visit_id: str, number: int) -> VisitOccurrence:
        """Occurrence ``number`` of ``visit_id``; ``KeyError`` when the schedule has none."""
        for o in self.occurrences:
            if o.visit_id == visit_id and o.occurrence == number:
                return o
        raise KeyError((visit_id, number))

    def of(self, visit_id: str) -> tuple[VisitOccurrence, ...]:
        """Every occurrence of ``visit_id``, in order."""
        return tuple(o for o in self.occurrences if o.visit_id == visit_id)
