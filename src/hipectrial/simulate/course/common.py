"""What the parts of a simulated course share: the records collected so far, the facts the
parts hand each other, and small helpers (dates, draws from piecewise hazards)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from hipectrial.clinical.numbers import DAYS_PER_MONTH
from hipectrial.data import (
    AdverseEvent,
    DoseAdministration,
    FollowUp,
    FormRecord,
    LabResult,
    Surgery,
    TumourAssessment,
    Visit,
)
from hipectrial.data.values import FieldValue
from hipectrial.protocol import Protocol
from hipectrial.simulate.scenario.course import CourseParameters, HazardPiece
from hipectrial.simulate.types import Enrolment


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=int(n))


@dataclass(slots=True)
class Records:
    """The records of one participant, in the order they were made."""

    visits: list[Visit] = field(default_factory=list)
    forms: list[FormRecord] = field(default_factory=list)
    doses: list[DoseAdministration] = field(default_factory=list)
    adverse_events: list[AdverseEvent] = field(default_factory=list)
    labs: list[LabResult] = field(default_factory=list)
    assessments: list[TumourAssessment] = field(default_factory=list)
    surgeries: list[Surgery] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)

    def form(self, form_id: str, visit_id: str, visit_repeat: int, values: dict[str, FieldValue],
             pid: str, repeat: int | None = None) -> None:
        self.forms.append(FormRecord(participant_id=pid, form_id=form_id, visit_id=visit_id,
                                     visit_repeat=visit_repeat, repeat=repeat, values=values))


@dataclass(slots=True)
class Context:
    """The inputs of one course and the facts established so far (mutable while simulating)."""

    protocol: Protocol
    params: CourseParameters
    enrolment: Enrolment
    rng: np.random.Generator
    horizon: dt.date
    records: Records = field(default_factory=Records)
    # -- established facts ----------------------------------------------------------------
    hipec: dt.date | None = None
    cycle_starts: dict[str, list[dt.date]] = field(default_factory=dict)
    weight_kg: Decimal = Decimal(0)
    ecog: int = 0
    death: dt.date | None = None
    death_cause: str | None = None
    dropout: dt.date | None = None
    dropout_reason: str | None = None
    progression: dt.date | None = None      # the date of the assessment that showed it
    last_dose: dt.date | None = None
    off_treatment_reason: str | None = None
    surgery: dt.date | None = None
    r0: bool = False
    branch: str | None = None               # operated / not_operated once decided
    reevaluation: dt.date | None = None
    mdt_date: dt.date | None = None
    dlt: bool = False
    dlt_date: dt.date | None = None

    @property
    def pid(self) -> str:
        return self.enrolment.profile.participant_id

    @property
    def cohort(self) -> str:
        return self.enrolment.cohort

    def end(self) -> dt.date:
        """The last day the participant is followed: death, dropout or the horizon."""
        stops = [d for d in (self.death, self.dropout) if d is not None]
        return min([self.horizon, *stops])

    def alive_and_followed(self, when: dt.date) -> bool:
        return when <= self.end() and (self.death is None or when < self.death)


def draw_piecewise(rng: np.random.Generator, pieces: Sequence[HazardPiece], start_day: int,
                   hazard_ratio: float = 1.0) -> float:
    """Days from registration to an event with the piecewise-constant monthly hazard
    ``pieces`` (times ``hazard_ratio``), given no event before ``start_day``; inf if none.

    Inversion of the cumulative hazard: one exponential(1) draw."""
    target = float(rng.exponential(1.0))
    t = float(start_day)
    for i, piece in enumerate(pieces):
        end = float(pieces[i + 1].from_day) if i + 1 < len(pieces) else math.inf
        if end <= t:
            continue
        rate = piece.monthly_hazard * hazard_ratio / DAYS_PER_MONTH
        if rate <= 0:
            t = end
            continue
        span = end - t
        if rate * span >= target:
            return t + target / rate
        target -= rate * span
        t = end
    return math.inf


def draw_exponential(rng: np.random.Generator, monthly_hazard: float, start_day: float) -> float:
    """Days from registration to an event with a constant monthly hazard after ``start_day``."""
    target = float(rng.exponential(1.0))
    if monthly_hazard <= 0:
        return math.inf
    return start_day + target * DAYS_PER_MONTH / monthly_hazard


def choose(rng: np.random.Generator, probabilities: Sequence[float]) -> int | None:
    """The index drawn with these (mutually exclusive) probabilities; None for the remainder."""
    u = float(rng.random())
    acc = 0.0
    for i, p in enumerate(probabilities):
        acc += p
        if u < acc:
            return i
    return None
