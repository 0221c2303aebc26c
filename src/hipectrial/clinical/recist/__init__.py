"""RECIST 1.1: baseline selection, per-timepoint response, best overall response with confirmation.

One import point for the RECIST modules:

- :mod:`~hipectrial.clinical.recist.vocab`: :class:`Response` and its one order
  (:data:`RESPONSE_ORDER`, CR > PR > SD > non-CR/non-PD > PD > NE), lesion kinds, roles,
  methods and statuses;
- :mod:`~hipectrial.clinical.recist.baseline`: :func:`check_baseline` (measurability, at
  most 5 targets and 2 per organ), listing every problem;
- :mod:`~hipectrial.clinical.recist.timepoint`: sum of diameters, change from baseline and
  nadir, target / non-target / overall response at one assessment
  (:func:`timepoint_response`) or a series (:func:`timepoint_responses`);
- :mod:`~hipectrial.clinical.recist.bor`: :func:`best_overall_response` with confirmation
  and the SD minimum, and :func:`evaluate_recist` doing all of it for one participant.

Every result carries ``steps``: the working, for the screen and the audit trail. A single
PR is not confirmed, but 42 days after registration it still counts as SD:

>>> import datetime as dt
>>> from hipectrial.clinical.recist import (BaselineLesion, FollowUpAssessment,
...     TargetMeasurement, evaluate_recist)
>>> ev = evaluate_recist(
...     baseline_date=dt.date(2025, 1, 2), reference_date=dt.date(2025, 1, 6),
...     baseline_lesions=[BaselineLesion(id="T1", organ="liver", role="target", method="ct",
...                                      longest_diameter_mm=50)],
...     assessments=[FollowUpAssessment(date=dt.date(2025, 2, 17), targets=(
...         TargetMeasurement(lesion_id="T1", longest_diameter_mm=30),))],
...     confirmation_days=28, sd_minimum_days=35, cutoff_date=None)
>>> ev.timepoints[0].overall_response.value, ev.best.response.value
('PR', 'SD')
"""

from hipectrial.clinical.recist.baseline import (
    MAX_TARGETS,
    MAX_TARGETS_PER_ORGAN,
    BaselineCheck,
    BaselineLesion,
    BaselineProblem,
    check_baseline,
)
from hipectrial.clinical.recist.bor import (
    BestOverallResponse,
    BorReading,
    DatedResponse,
    RecistEvaluation,
    best_overall_response,
    evaluate_recist,
)
from hipectrial.clinical.recist.followup import FollowUpAssessment, NonTargetObservation, TargetMeasurement
from hipectrial.clinical.recist.rules import meets_pd, meets_pr, overall_response
from hipectrial.clinical.recist.timepoint import TimepointResult, timepoint_response, timepoint_responses
from hipectrial.clinical.recist.vocab import (
    RESPONSE_ORDER,
    TOO_SMALL_TO_MEASURE_MM,
    LesionKind,
    LesionRole,
    MeasurementMethod,
    NonTargetStatus,
    Response,
    TargetStatus,
    best_response,
)

__all__ = [
    "MAX_TARGETS",
    "MAX_TARGETS_PER_ORGAN",
    "RESPONSE_ORDER",
    "TOO_SMALL_TO_MEASURE_MM",
    "BaselineCheck",
    "BaselineLesion",
    "BaselineProblem",
    "BestOverallResponse",
    "BorReading",
    "DatedResponse",
    "FollowUpAssessment",
    "LesionKind",
    "LesionRole",
    "MeasurementMethod",
    "NonTargetObservation",
    "NonTargetStatus",
    "RecistEvaluation",
    "Response",
    "TargetMeasurement",
    "TargetStatus",
    "TimepointResult",
    "best_overall_response",
    "best_response",
    "check_baseline",
    "evaluate_recist",
    "meets_pd",
    "meets_pr",
    "overall_response",
    "timepoint_response",
    "timepoint_responses",
]
