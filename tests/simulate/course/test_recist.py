"""The lesions a course records give, by RECIST 1.1, the response the scenario intended."""

from __future__ import annotations

import pytest
from tests.simulate.course.helpers import IMMORTAL, QUIET, params, run

from hipectrial.clinical.recist import (
    BaselineLesion,
    FollowUpAssessment,
    NonTargetObservation,
    Response,
    TargetMeasurement,
    check_baseline,
    timepoint_response,
)
from hipectrial.data import AssessmentMethod, LesionRole, TumourAssessment
from hipectrial.protocol import Protocol


def _baseline(ta: TumourAssessment) -> list[BaselineLesion]:
    lesions = []
    for lesion in ta.lesions:
        if lesion.role is LesionRole.TARGET:
            size = {"short_axis_mm" if lesion.nodal else "longest_diameter_mm": lesion.measurement_mm}
            lesions.append(BaselineLesion(id=lesion.id, organ=lesion.site, role="target",
                                          kind="node" if lesion.nodal else "solid", method="ct", **size))
        else:
            lesions.append(BaselineLesion(id=lesion.id, organ=lesion.site, role="non_target",
                                          kind="not_reproducibly_measurable"))
    return lesions


def _follow_up(ta: TumourAssessment) -> FollowUpAssessment:
    targets, non_targets, new = [], [], []
    for lesion in ta.lesions:
        assert lesion.status is not None or lesion.role is LesionRole.NEW
        if lesion.role is LesionRole.TARGET:
            axis = "short_axis_mm" if lesion.nodal else "longest_diameter_mm"
            targets.append(TargetMeasurement(lesion_id=lesion.id, status=lesion.status.value,  # type: ignore[union-attr,arg-type]
                                             **{axis: lesion.measurement_mm}))
        elif lesion.role is LesionRole.NON_TARGET:
            non_targets.append(NonTargetObservation(lesion_id=lesion.id, status=lesion.status.value))  # type: ignore[union-attr,arg-type]
        else:
            new.append(lesion.id)
    return FollowUpAssessment(date=ta.date, targets=tuple(targets), non_targets=tuple(non_targets),
                              new_lesions=tuple(new))


@pytest.mark.parametrize("measurable", [1.0, 0.0])
@pytest.mark.parametrize("intended", ["CR", "PR", "SD", "PD"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reevaluation_ct_gives_the_intended_response(protocol: Protocol, intended: str,
                                                     measurable: float, seed: int) -> None:
    response = {k: float(k.upper() == intended) for k in ("cr", "pr", "sd", "pd")}
    course = run(protocol, params(**QUIET, **IMMORTAL, response=response,
                                  measurable_disease_probability=measurable,
                                  progression_at_first_ct_probability=0.0), seed=seed)
    cts = [a for a in course.tumour_assessments if a.method is AssessmentMethod.CT]
    reevaluation = next(v.actual_date for v in course.visits if v.visit_id == "reevaluation")
    baseline = check_baseline(lesions=_baseline(cts[0]))
    assert not baseline.problems
    nadir = baseline.sum_of_diameters_mm if baseline.targets else None
    results = {}
    for ta in cts[1:]:
        point = timepoint_response(baseline=baseline, assessment=_follow_up(ta), nadir_sum_mm=nadir,
                                   complete_response_date=None)
        results[ta.date] = point.overall_response
        if nadir is not None and point.sum_of_diameters_mm is not None:
            nadir = min(nadir, point.sum_of_diameters_mm)
    expected = Response(intended) if measurable or intended in ("CR", "PD") else Response.NON_CR_NON_PD
    assert results[reevaluation] is expected
    before = [r for d, r in results.items() if d < reevaluation]
    assert Response.PD not in before
