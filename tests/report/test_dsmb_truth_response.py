"""The DSMB report's RECIST-based numbers recomputed from the seed-1 CT records: the measurable
population, confirmed objective response and disease control, and progression-free survival.

Exception to "never call the code under test", as the task allows: RECIST 1.1 itself (the
timepoint responses and the best overall response with confirmation) is the clinical engine's
``hipectrial.clinical.recist.evaluate_recist`` and ``best_overall_response`` (validated in
tests/clinical); which CT is the baseline, which assessments count, the response window, the
conversion of the records' lesions, the populations and the counting are done here, by
docs/trialdata-conventions.md "RECIST 1.1" and src/hipectrial/analysis/response.py's and
tte.py's docstrings. The Kaplan-Meier estimator is lifelines' (see test_dsmb_truth_efficacy).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from hipectrial.clinical.recist import (
    BaselineLesion,
    DatedResponse,
    FollowUpAssessment,
    NonTargetObservation,
    TargetMeasurement,
    best_overall_response,
    check_baseline,
    evaluate_recist,
)
from hipectrial.data import TumourAssessment

from .truth import (
    Built,
    Person,
    Records,
    assert_rate,
    assert_survival_row,
    body,
    find_table,
    metric,
)

IMAGING = ("ct", "mri", "pet_ct")



@dataclass(frozen=True)
class Recist:
    measurable: bool
    adequate: tuple[dt.date, ...]  # post-baseline assessments with an evaluable response (not NE)
    best: str | None


def _baseline(ta: TumourAssessment) -> list[BaselineLesion]:
    out = []
    for les in ta.lesions:
        if les.role.value == "new":
            continue
        mm = les.measurement_mm
        out.append(BaselineLesion(id=les.id, organ=les.site, role="target" if les.role.value == "target" else
                                  "non_target", kind="node" if les.nodal else "solid", method=ta.method.value,
                                  longest_diameter_mm=None if les.nodal else mm, short_axis_mm=mm if les.nodal else None))
    return out


def _follow_up(ta: TumourAssessment, baseline: list[BaselineLesion]) -> FollowUpAssessment:
    by_id = {les.id: les for les in ta.lesions}
    targets, non_targets = [], []
    for b in baseline:
        les = by_id.get(b.id)
        status = les.status.value if les is not None and les.status is not None else None
        if b.role.value == "target":
            if les is None or les.measurement_mm is None:
                targets.append(TargetMeasurement(lesion_id=b.id, status="not_evaluated"))
            else:
                nodal = b.kind.value == "node"
                targets.append(TargetMeasurement(lesion_id=b.id, status=status or "measured",
                                                 longest_diameter_mm=None if nodal else les.measurement_mm,
                                                 short_axis_mm=les.measurement_mm if nodal else None))
        else:
            shown = {"disappeared": "disappeared", "unequivocal_progression": "unequivocal_progression",
                     "not_evaluated": "not_evaluated"}.get(status or "present", "present")
            non_targets.append(NonTargetObservation(lesion_id=b.id, status="not_evaluated" if les is None else shown))
    new = tuple(f"{les.id} ({les.site})" for les in ta.lesions if les.role.value == "new")
    return FollowUpAssessment(date=ta.date, targets=tuple(targets), non_targets=tuple(non_targets), new_lesions=new)


def recist(built: Built, q: Person) -> Recist | None:
    """Baseline: the last CT/MRI on or before registration; follow-up: every later one; the best
    overall response counts assessments up to the end of the response window (conversion
    surgery or a new anticancer therapy, whichever first; that day included), with the
    protocol's confirmation (28 days) and SD minimum (35 days from registration)."""
    registered = q.p.registration_date
    imaging = sorted((a for a in q.tas if a.method.value in IMAGING), key=lambda a: a.date)
    before = [a for a in imaging if registered is not None and a.date <= registered]
    if registered is None or not before:
        return None
    lesions = _baseline(before[-1])
    check = check_baseline(lesions=lesions)
    if not check.ok:
        return None
    follow = [_follow_up(a, lesions) for a in imaging if a.date > registered]
    rc = built.protocol.response_assessment
    ev = evaluate_recist(baseline_date=before[-1].date, baseline_lesions=lesions, assessments=follow,
                         reference_date=registered, confirmation_days=rc.confirmation_days,
                         sd_minimum_days=rc.sd_minimum_days, cutoff_date=None)
    ends = [d for d in (q.conversion.date if q.conversion else None, new_therapy(q)) if d is not None]
    bor = best_overall_response(
        timepoints=[DatedResponse(t.date, t.overall_response) for t in ev.timepoints],
        measurable_disease=check.measurable_disease, reference_date=registered,
        confirmation_days=rc.confirmation_days, sd_minimum_days=rc.sd_minimum_days,
        cutoff_date=min(ends) if ends else None)
    return Recist(check.measurable_disease,
                  tuple(t.date for t in ev.timepoints if t.overall_response.value != "NE"),
                  bor.response.value)


def new_therapy(q: Person) -> dt.date | None:
    """The first subsequent_therapy_date of a follow_up form saying therapy started."""
    dates = [r.values["subsequent_therapy_date"] for r in q.forms if r.form_id == "follow_up"
             and r.values.get("subsequent_therapy") is True
             and isinstance(r.values.get("subsequent_therapy_date"), dt.date)]
    return min(dates) if dates else None  # type: ignore[type-var]


@pytest.fixture(scope="module")
def evaluations(built: Built, records: Records) -> dict[str, Recist | None]:
    return {q.id: recist(built, q) for q in records.itt}


def test_the_seed_trial_records_only_lesion_states_this_oracle_converts(built: Built) -> None:
    # The oracle's conversion covers the states the records hold; another state would need it.
    states = {(les.role.value, les.status.value if les.status else None)
              for a in built.trial.tumour_assessments for les in a.lesions}
    assert states <= {("target", None), ("target", "measured"), ("non_target", None),
                      ("non_target", "present"), ("non_target", "disappeared"),
                      ("non_target", "unequivocal_progression"), ("new", None)}


def test_objective_response_and_disease_control_among_the_measurable(built: Built, records: Records,
                                                                     evaluations: dict[str, Recist | None]) -> None:
    measurable = [q for q in records.itt if (e := evaluations[q.id]) is not None and e.measurable]
    populations = {r[0]: r[1] for r in body(find_table(built.report, "table-populations"))}
    assert populations["Measurable disease"] == str(len(measurable))
    best = [evaluations[q.id].best for q in measurable]  # type: ignore[union-attr]
    responders = sum(b in ("CR", "PR") for b in best)
    controlled = sum(b in ("CR", "PR", "SD") for b in best)
    rows = {(r[0], r[1]): r[2] for r in body(find_table(built.report, "table-endpoints"))}
    assert_rate(rows[("Confirmed objective response rate (RECIST 1.1)", "Measurable disease")],
                responders, len(measurable))
    assert_rate(rows[("Disease control rate (RECIST 1.1)", "Measurable disease")], controlled, len(measurable))
    value, detail = metric(built, "Confirmed objective response")
    assert_rate(f"{value} ({detail.removeprefix('exact ')})", responders, len(measurable))


def pfs(built: Built, q: Person, evaluation: Recist | None) -> tuple[int, bool]:
    """(days from registration, event) by tte.py's FDA-style rules."""
    origin = q.p.registration_date
    assert origin is not None
    if evaluation is not None:
        adequate = sorted(d for d in evaluation.adequate if d > origin)
    else:  # no valid RECIST baseline: every post-baseline CT is taken as adequate
        adequate = sorted(a.date for a in q.tas if a.method.value in IMAGING and a.date > origin)
    events = [d for d in (q.progression_date, q.death_date) if d is not None]
    event = min(events) if events else None
    therapy = new_therapy(q)
    if therapy is not None and (event is None or therapy < event):
        before = [d for d in adequate if d <= therapy]
        return ((before[-1] - origin).days if before else 0), False
    if event is not None:
        before = [d for d in adequate if d < event]
        last = before[-1] if before else origin
        # Two missed assessments: 2 x 42 + 7 days before surgery, 2 x 84 + 14 after it.
        operated = q.conversion is not None and event > q.conversion.date
        limit = 2 * 84 + 14 if operated else 2 * 42 + 7
        if (event - last).days > limit:
            return (last - origin).days, False
        return (event - origin).days, True
    return ((adequate[-1] - origin).days if adequate else 0), False


def test_assessment_schedule_gaps_are_the_protocols(built: Built) -> None:
    visits = {v.id: v for v in built.protocol.visits}
    pre, post = visits["tumour-assessment-preop"], visits["tumour-assessment-postop"]
    assert (pre.repeat.every_days, pre.timing.window_after) == (42, 7)  # type: ignore[union-attr]
    assert (post.repeat.every_days, post.timing.window_after) == (84, 14)  # type: ignore[union-attr]


def test_progression_free_survival_recomputes_with_lifelines(built: Built, records: Records,
                                                             evaluations: dict[str, Recist | None]) -> None:
    data = [pfs(built, q, evaluations[q.id]) for q in records.itt]
    durations, events = [d for d, _ in data], [e for _, e in data]
    assert_survival_row(built, "Progression-free survival", durations, events)
    value, detail = metric(built, "Median progression-free survival")
    row = next(r for r in body(find_table(built.report, "table-survival")) if r[0] == "Progression-free survival")
    days_text, months_text = row[2].split(" (")[0], row[2].split("(")[1].split(")")[0]
    assert value == months_text
    assert detail == f"{days_text}; {row[2].split('); ')[1]}; {sum(events)} events among {len(events)}"
