"""What a simulation returns besides the data: the design decisions it took, for reports.

Every decision is re-derivable from the ``TrialData`` (the DLT flags, the registration
forms' ``study_part`` and ``dose_level``, the surgeries' R status); this record saves the
reader the recomputation and says which numbers the simulator acted on.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol as TypingProtocol

import numpy as np

from hipectrial.clinical.course import r0_as_counted
from hipectrial.data import (
    AdverseEvent,
    AssessmentMethod,
    DoseAdministration,
    FollowUp,
    FormRecord,
    LabResult,
    Participant,
    Surgery,
    TrialData,
    TumourAssessment,
    Visit,
)
from hipectrial.protocol import Protocol
from hipectrial.simulate.scenario.course import CourseParameters
from hipectrial.simulate.types import Enrolment


class CourseLike(TypingProtocol):
    """What the orchestrator reads from a simulated course
    (:class:`hipectrial.simulate.course.run.Course` implements it)."""

    @property
    def participant(self) -> Participant: ...
    @property
    def visits(self) -> tuple[Visit, ...]: ...
    @property
    def form_records(self) -> tuple[FormRecord, ...]: ...
    @property
    def doses(self) -> tuple[DoseAdministration, ...]: ...
    @property
    def adverse_events(self) -> tuple[AdverseEvent, ...]: ...
    @property
    def lab_results(self) -> tuple[LabResult, ...]: ...
    @property
    def tumour_assessments(self) -> tuple[TumourAssessment, ...]: ...
    @property
    def surgeries(self) -> tuple[Surgery, ...]: ...
    @property
    def follow_ups(self) -> tuple[FollowUp, ...]: ...
    @property
    def dlt(self) -> bool: ...
    @property
    def dlt_evaluable(self) -> bool: ...
    @property
    def dlt_known_on(self) -> dt.date: ...
    @property
    def r0(self) -> bool: ...
    @property
    def r0_known_on(self) -> dt.date: ...

    def truncated(self, cutoff: dt.date) -> CourseLike: ...


CourseFunction = Callable[..., CourseLike]
"""``course(*, protocol, params, enrolment, dlt_probability, rng, horizon_days) -> Course``."""


class CourseCall(TypingProtocol):
    def __call__(self, *, protocol: Protocol, params: CourseParameters, enrolment: Enrolment,
                 dlt_probability: float, rng: np.random.Generator,
                 horizon_days: int) -> CourseLike: ...


@dataclass(frozen=True, slots=True)
class CohortDecision:
    """One Part A cohort and the BOIN decision taken once its DLT outcomes were known.

    ``n`` and ``dlt`` are the design's data after this cohort: DLT-evaluable participants
    and participants with a DLT per dose level (lowest first). ``next_dose_level`` is where
    the next cohort goes (``None`` when the design stopped); ``selected_dose_level`` the
    RP2D when it stopped.
    """

    number: int
    dose_level: str
    participant_ids: tuple[str, ...]
    dlts: int
    evaluable: int
    known_on: dt.date
    n: tuple[int, ...]
    dlt: tuple[int, ...]
    action: str
    next_dose_level: str | None
    reason: str | None
    selected_dose_level: str | None
    eliminated: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SimonLook:
    """The Simon stage-1 look: R0 resections among the first ``n1`` Part B participants."""

    n1: int
    r1: int
    responses: int
    look_date: dt.date
    action: str
    stopped: bool
    registered_by_look: int


@dataclass(frozen=True, slots=True)
class SafetyLook:
    """One Part B safety look (:mod:`~hipectrial.simulate.trial.safety`): the first ``n``
    Part B safety-population participants, the ``events`` among them known on ``look_date``,
    the posterior ``P(rate > threshold | events, n)``, and whether it exceeded the cut-off
    (``stopped``; ``stop_at`` is the design's boundary, ``None`` when no count stops)."""

    n: int
    events: int
    stop_at: int | None
    posterior: float
    look_date: dt.date
    stopped: bool
    participant_ids: tuple[str, ...]
    event_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SimulatedTrial:
    """A simulated trial: the data and the decisions the simulator took on the way.

    ``part_a_end`` says why Part A ended (the design's stop reason, the maximum number of
    cohorts, the data cut-off, or the ``participants`` target); ``skipped`` counts people
    who arrived while registration was paused or closed and so were not screened.
    ``safety_looks`` are the Part B safety looks taken, up to the first that stopped
    (:attr:`safety_stop`); empty with ``participants=N`` or no Part B.
    """

    trial: TrialData
    scenario: str
    seed: int
    cohorts: tuple[CohortDecision, ...]
    rp2d: str | None
    part_a_end: str
    simon: SimonLook | None
    cutoff: dt.date
    skipped: int
    safety_looks: tuple[SafetyLook, ...] = ()

    @property
    def safety_stop(self) -> SafetyLook | None:
        """The safety look that stopped Part B registration, if one did."""
        return next((look for look in self.safety_looks if look.stopped), None)

    def summary(self) -> dict[str, object]:
        """Counts a report or the CLI shows: screened, registered per part and dose level,
        RP2D, the Simon look, the safety looks, R0 resections and deaths (from the data), the cut-off."""
        trial = self.trial
        parts = {r.participant_id: str(r.values.get("study_part"))
                 for r in trial.form_records if r.form_id == "registration"}
        by_part: Counter[str] = Counter()
        for p in trial.participants:
            if p.registered:
                by_part[f"{parts.get(p.id, '?')} level {p.dose_level}"] += 1
        r0 = r0_resections(trial)
        deaths = len({f.participant_id for f in trial.follow_ups if f.death_date is not None})
        return {
            "scenario": self.scenario, "seed": self.seed,
            "screened": len(trial.participants),
            "not_screened_while_closed": self.skipped,
            "screen_failures": sum(p.off_study_reason == "screen_failure" for p in trial.participants),
            "registered": sum(p.registered for p in trial.participants),
            "registered_by_part_and_level": dict(sorted(by_part.items())),
            "part_a_cohorts": len(self.cohorts), "part_a_end": self.part_a_end, "rp2d": self.rp2d,
            "simon_stage1": None if self.simon is None else {
                "responses": self.simon.responses, "n1": self.simon.n1, "r1": self.simon.r1,
                "look_date": self.simon.look_date, "action": self.simon.action,
                "stopped": self.simon.stopped},
            "safety_monitoring": {
                "looks": len(self.safety_looks),
                "last_look": None if not self.safety_looks else _look(self.safety_looks[-1]),
                "stopped": self.safety_stop is not None},
            "r0_resections": r0, "deaths": deaths, "cutoff": self.cutoff,
        }


def _look(look: SafetyLook) -> dict[str, object]:
    return {"n": look.n, "events": look.events, "posterior": round(look.posterior, 4),
            "look_date": look.look_date, "stopped": look.stopped}


def r0_resections(trial: TrialData) -> int:
    """Participants with an R0 resection as counted for the endpoint
    (:func:`~hipectrial.clinical.course.r0_as_counted`: a conversion surgery with R0, CC-0 and
    CY0 at the laparotomy on the day of surgery; a missing cytology is not R0)."""
    cytology = {(a.participant_id, a.date): a.cytology for a in trial.tumour_assessments
                if a.method is AssessmentMethod.LAPAROTOMY}
    return len({s.participant_id for s in trial.surgeries
                if s.procedure == "conversion_surgery_hipec"
                and r0_as_counted(operated=True, r_status=s.r_status, cc_score=s.cc_score,
                                  cytology=cytology.get((s.participant_id, s.date))).counted})
