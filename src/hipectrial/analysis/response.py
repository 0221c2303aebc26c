"""RECIST 1.1 response from TrialData, through the clinical engine.

Per docs/trialdata-conventions.md: the baseline is the last CT/MRI on or before
registration; later imaging assessments give every baseline lesion's ``status`` (and its
measurement when measured) and any new lesion (role ``new``). Responses are computed by
:mod:`hipectrial.clinical.recist`, never read from the data.

Every post-baseline assessment is evaluated (:attr:`ParticipantResponse.timepoints`, used by
PFS to find adequate assessments); the best overall response uses the protocol's
``response_assessment``: confirmation after ``confirmation_days``, SD at least
``sd_minimum_days`` after ``sd_reference``, and only assessments up to the end of the
response window (the conversion-surgery date, or the start of a new anticancer therapy,
whichever is first; an assessment on that day is kept, as imaging precedes the operation).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hipectrial.analysis.facts import IMAGING, Facts
from hipectrial.clinical.recist import (
    BaselineCheck,
    BaselineLesion,
    BestOverallResponse,
    DatedResponse,
    FollowUpAssessment,
    LesionKind,
    MeasurementMethod,
    NonTargetObservation,
    NonTargetStatus,
    Response,
    TargetMeasurement,
    TargetStatus,
    TimepointResult,
    best_overall_response,
    check_baseline,
    evaluate_recist,
)
from hipectrial.clinical.recist import LesionRole as RecistRole
from hipectrial.data import Lesion, LesionRole, LesionStatus, TumourAssessment
from hipectrial.errors import HipectrialError
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import Anchor


@dataclass(frozen=True, slots=True)
class ParticipantResponse:
    """One participant's RECIST evaluation.

    ``timepoints`` are every post-baseline assessment (no cut-off); ``bor`` is the best
    overall response within the response window ending ``window_end``; ``notes`` say what
    could not be evaluated and why.
    """

    participant_id: str
    baseline_date: dt.date | None
    baseline: BaselineCheck | None
    measurable: bool
    window_end: dt.date | None
    timepoints: tuple[TimepointResult, ...]
    bor: BestOverallResponse | None
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LesionChange:
    """Target-lesion sum of diameters over time, for waterfall and spider plots.

    ``series`` holds (days from registration, % change from baseline) for each assessment
    in the response window whose sum could be computed; ``best_pct`` is the smallest (the
    greatest shrinkage), ``None`` without such an assessment.
    """

    participant_id: str
    baseline_sum_mm: float | None
    series: tuple[tuple[int, float], ...]
    best_pct: float | None
    bor: str | None


def _baseline_lesion(lesion: Lesion, method: str) -> BaselineLesion:
    kind = LesionKind.NODE if lesion.nodal else LesionKind.SOLID
    mm = lesion.measurement_mm
    role = RecistRole.TARGET if lesion.role is LesionRole.TARGET else RecistRole.NON_TARGET
    measured_by = MeasurementMethod(method) if method in {m.value for m in MeasurementMethod} else None
    return BaselineLesion(id=lesion.id, organ=lesion.site, role=role, kind=kind,
                          method=measured_by,
                          longest_diameter_mm=None if lesion.nodal else mm,
                          short_axis_mm=mm if lesion.nodal else None)


_TARGET = {LesionStatus.MEASURED: TargetStatus.MEASURED, LesionStatus.SPLIT: TargetStatus.SPLIT,
           LesionStatus.COALESCED: TargetStatus.COALESCED, LesionStatus.TOO_SMALL: TargetStatus.TOO_SMALL,
           LesionStatus.DISAPPEARED: TargetStatus.DISAPPEARED,
           LesionStatus.NOT_EVALUATED: TargetStatus.NOT_EVALUATED}
_NON_TARGET = {LesionStatus.DISAPPEARED: NonTargetStatus.DISAPPEARED,
               LesionStatus.UNEQUIVOCAL_PROGRESSION: NonTargetStatus.UNEQUIVOCAL_PROGRESSION,
               LesionStatus.NOT_EVALUATED: NonTargetStatus.NOT_EVALUATED}


def _target(b: BaselineLesion, lesion: Lesion | None, notes: list[str], when: str) -> TargetMeasurement:
    if lesion is None:
        notes.append(f"{when}: target {b.id} not reported: not evaluated")
        return TargetMeasurement(lesion_id=b.id, status=TargetStatus.NOT_EVALUATED)
    status = _TARGET.get(lesion.status or LesionStatus.MEASURED)
    mm = lesion.measurement_mm
    if status is None or (status in (TargetStatus.MEASURED, TargetStatus.SPLIT, TargetStatus.COALESCED)
                          and mm is None):
        notes.append(f"{when}: target {b.id} recorded as {lesion.status} without a measurement: "
                     "not evaluated")
        return TargetMeasurement(lesion_id=b.id, status=TargetStatus.NOT_EVALUATED)
    if status in (TargetStatus.TOO_SMALL, TargetStatus.DISAPPEARED, TargetStatus.NOT_EVALUATED):
        mm = None
    return TargetMeasurement(lesion_id=b.id, status=status,
                             longest_diameter_mm=None if b.nodal else mm,
                             short_axis_mm=mm if b.nodal else None)


def _follow_up(ta: TumourAssessment, check: BaselineCheck, notes: list[str]) -> FollowUpAssessment:
    when = f"{ta.method.value} {ta.date.isoformat()}"
    by_id = {les.id: les for les in ta.lesions}
    targets = tuple(_target(b, by_id.get(b.id), notes, when) for b in check.targets)
    non_targets = []
    for b in check.non_targets:
        lesion = by_id.get(b.id)
        if lesion is None:
            notes.append(f"{when}: non-target {b.id} not reported: not evaluated")
        status = (NonTargetStatus.NOT_EVALUATED if lesion is None
                  else _NON_TARGET.get(lesion.status or LesionStatus.PRESENT, NonTargetStatus.PRESENT))
        non_targets.append(NonTargetObservation(lesion_id=b.id, status=status))
    known = {les.id for les in check.lesions}
    for les in ta.lesions:
        if les.role is not LesionRole.NEW and les.id not in known:
            notes.append(f"{when}: lesion {les.id} is not a baseline lesion and not marked new: ignored")
    new = tuple(f"{les.id} ({les.site})" for les in ta.lesions if les.role is LesionRole.NEW)
    return FollowUpAssessment(date=ta.date, targets=targets, non_targets=tuple(non_targets), new_lesions=new)


def response_window_end(protocol: Protocol, f: Facts) -> dt.date | None:
    """The end of the response window: the protocol's ``window_ends_at`` event (surgery) or
    the start of a new anticancer therapy, whichever is first."""
    ends: list[dt.date] = []
    anchor = protocol.response_assessment.window_ends_at
    if anchor is Anchor.SURGERY and f.conversion_surgery is not None:
        ends.append(f.conversion_surgery.date)
    if f.new_therapy_date is not None:
        ends.append(f.new_therapy_date)
    return min(ends) if ends else None


def _reference(protocol: Protocol, f: Facts) -> dt.date | None:
    anchor = protocol.response_assessment.sd_reference
    if anchor is Anchor.REGISTRATION:
        return f.registration_date
    if anchor is Anchor.HIPEC:
        return f.hipec_date
    return None


def evaluate_participant(*, protocol: Protocol, facts: Facts) -> ParticipantResponse:
    """The RECIST evaluation of one participant (see the module docstring)."""
    pid, registered = facts.id, facts.registration_date
    notes: list[str] = []
    window = response_window_end(protocol, facts)

    def empty(note: str, baseline_date: dt.date | None = None,
              check: BaselineCheck | None = None) -> ParticipantResponse:
        return ParticipantResponse(pid, baseline_date, check, False, window, (), None, (*notes, note))

    reference = _reference(protocol, facts)
    if registered is None or reference is None:
        return empty("not registered (or no SD reference date): no RECIST evaluation")
    imaging = sorted((a for a in facts.assessments if a.method in IMAGING), key=lambda a: a.date)
    before = [a for a in imaging if a.date <= registered]
    if not before:
        return empty("no baseline CT on or before registration")
    base = before[-1]
    lesions = [_baseline_lesion(les, base.method.value) for les in base.lesions
               if les.role is not LesionRole.NEW]
    try:
        check = check_baseline(lesions=lesions)
    except HipectrialError as exc:
        return empty(f"baseline {base.date.isoformat()} not usable: {exc}", base.date)
    if not check.ok:
        return empty("baseline not valid by RECIST 1.1: " + "; ".join(str(p) for p in check.problems),
                     base.date, check)
    follow = [_follow_up(a, check, notes) for a in imaging if a.date > registered and a.date > reference]
    rc = protocol.response_assessment
    try:
        evaluation = evaluate_recist(
            baseline_date=base.date, baseline_lesions=lesions, assessments=follow, reference_date=reference,
            confirmation_days=rc.confirmation_days, sd_minimum_days=rc.sd_minimum_days, cutoff_date=None)
        bor = best_overall_response(
            timepoints=[DatedResponse(t.date, t.overall_response) for t in evaluation.timepoints],
            measurable_disease=check.measurable_disease, reference_date=reference,
            confirmation_days=rc.confirmation_days, sd_minimum_days=rc.sd_minimum_days, cutoff_date=window)
    except HipectrialError as exc:
        return ParticipantResponse(pid, base.date, check, check.measurable_disease, window, (), None,
                                   (*notes, f"RECIST evaluation failed: {exc}"))
    if not any(t.date <= (window or t.date) for t in evaluation.timepoints):
        notes.append("no post-baseline assessment in the response window: best overall response NE")
    return ParticipantResponse(pid, base.date, check, check.measurable_disease, window,
                               evaluation.timepoints, bor, tuple(notes))


def lesion_change(response: ParticipantResponse, registration: dt.date) -> LesionChange:
    """The target-lesion % change series within the response window."""
    base = response.baseline.sum_of_diameters_mm if response.baseline is not None else None
    series = tuple(((t.date - registration).days, float(t.change_from_baseline_pct))
                   for t in response.timepoints
                   if t.change_from_baseline_pct is not None
                   and (response.window_end is None or t.date <= response.window_end))
    best = min((pct for _, pct in series), default=None)
    bor = response.bor.response.value if response.bor is not None else None
    return LesionChange(response.participant_id, float(base) if base is not None else None, series, best, bor)


def is_adequate(timepoint: TimepointResult) -> bool:
    """An adequate assessment for PFS: an evaluable overall response (not NE)."""
    return timepoint.overall_response is not Response.NE
