"""RECIST 1.1 at one follow-up assessment: sum of diameters, changes, and the responses.

Target response (Eisenhauer 2009 §4.3.1, clinical.md §4.2):

- **CR**: every non-nodal target has disappeared (0 mm) and every target node has a short
  axis < 10 mm;
- **PD**: the sum of diameters (SOD) is >= 20 % above the smallest SOD on study (the nadir,
  baseline included) **and** at least 5 mm above it;
- **PR**: the SOD is >= 30 % below the baseline SOD;
- **SD** otherwise; **NE** when a target was not evaluated, unless the targets that were
  evaluated already add up to PD ("Missing assessments and inevaluable designation").

The comparisons are exact (Decimal, cross-multiplied): a decrease of exactly 30 % is PR,
an increase of exactly 20 % with exactly 5 mm is PD. Percentages are reported truncated
toward zero to 0.1 %, so a shown value never crosses a threshold the exact value did not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from hipectrial.clinical.recist.baseline import (
    MIN_NODE_PATHOLOGICAL_SA_MM,
    BaselineCheck,
    BaselineLesion,
)
from hipectrial.clinical.recist.followup import FollowUpAssessment, NonTargetObservation, TargetMeasurement
from hipectrial.clinical.recist.rules import meets_pd, meets_pr, overall_response
from hipectrial.clinical.recist.vocab import (
    TOO_SMALL_TO_MEASURE_MM,
    NonTargetStatus,
    Response,
    TargetStatus,
    fmt_mm,
    require_date,
    require_mm,
)
from hipectrial.errors import InputError


@dataclass(frozen=True, slots=True)
class TimepointResult:
    """The RECIST 1.1 working and responses at one follow-up assessment.

    Sums and changes are ``None`` where they do not apply: no target lesions, or a target
    not evaluated (``evaluated_sum_mm`` then holds the sum of those evaluated). Percentages
    are truncated toward zero to 0.1 %; a change from a nadir of 0 mm has no percentage.
    ``target_response`` is ``None`` without target lesions, ``non_target_response`` ``None``
    without non-target lesions and without abnormal tumour markers.
    """

    date: dt.date
    sum_of_diameters_mm: Decimal | None
    evaluated_sum_mm: Decimal | None
    baseline_sum_mm: Decimal | None
    nadir_sum_mm: Decimal | None
    change_from_baseline_mm: Decimal | None
    change_from_baseline_pct: Decimal | None
    change_from_nadir_mm: Decimal | None
    change_from_nadir_pct: Decimal | None
    target_response: Response | None
    non_target_response: Response | None
    new_lesions: tuple[str, ...]
    overall_response: Response
    steps: tuple[str, ...]


def _pct(delta: Decimal, reference: Decimal) -> Decimal | None:
    if reference == 0:
        return None
    return (delta * 100 / reference).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def _signed(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "n/a"
    text = f"{value.normalize():f}" if value else "0"
    return f"{'+' if value >= 0 else ''}{text}{unit}"


def _match(at: str, what: str, baseline: Sequence[BaselineLesion],
           observed: Sequence[TargetMeasurement | NonTargetObservation],
           others: Sequence[BaselineLesion]) -> None:
    """Every baseline lesion of a role observed exactly once, and nothing else."""
    known = {les.id for les in baseline}
    other_ids = {les.id for les in others}
    seen: set[str] = set()
    for k, item in enumerate(observed):
        if item.lesion_id in seen:
            raise InputError(f"{at}.{what}[{k}].lesion_id", item.lesion_id,
                             "a lesion id given once per assessment")
        seen.add(item.lesion_id)
        if item.lesion_id not in known:
            hint = (f"{item.lesion_id} is a {'non-target' if what == 'targets' else 'target'} lesion "
                    "at baseline" if item.lesion_id in other_ids else "lesion ids are those of the baseline")
            choices = ", ".join(sorted(known)) or "none"
            raise InputError(f"{at}.{what}[{k}].lesion_id", item.lesion_id,
                             f"one of the baseline {what.replace('_', '-')[:-1]} lesions ({choices})", hint)
    missing = [les.id for les in baseline if les.id not in seen]
    if missing:
        raise InputError(f"{at}.{what}", tuple(missing),
                         f"an entry for every baseline {what.replace('_', '-')[:-1]} lesion",
                         f"missing: {', '.join(missing)}; record a lesion that was not assessed with "
                         "status not_evaluated")


_Line = tuple[BaselineLesion, Decimal | None, str]


def _target_lines(at: str, baseline: BaselineCheck, measurements: Sequence[TargetMeasurement]) -> list[_Line]:
    by_id = {m.lesion_id: (k, m) for k, m in enumerate(measurements)}
    lines = []
    for lesion in baseline.targets:
        k, m = by_id[lesion.id]
        wrong = "longest_diameter_mm" if lesion.nodal else "short_axis_mm"
        if getattr(m, wrong) is not None:
            right = "short_axis_mm" if lesion.nodal else "longest_diameter_mm"
            raise InputError(f"{at}.targets[{k}].{wrong}", getattr(m, wrong),
                             f"absent for {lesion.describe()}",
                             f"it is measured by {right.removesuffix('_mm').replace('_', ' ')} "
                             f"as at baseline: give {right}")
        value = m.value_mm
        axis = "short axis" if lesion.nodal else "longest diameter"
        if m.status is TargetStatus.NOT_EVALUATED:
            text = "not evaluated"
        elif m.status is TargetStatus.TOO_SMALL:
            text = f"too small to measure: {fmt_mm(TOO_SMALL_TO_MEASURE_MM)} (RECIST 1.1 default)"
        elif m.status is TargetStatus.DISAPPEARED:
            text = "disappeared: 0 mm"
        else:
            text = f"{axis} {fmt_mm(value or Decimal(0))}"
            if m.status is not TargetStatus.MEASURED:
                text += f" ({m.status.value})"
        if lesion.nodal and value is not None:
            text += " (< 10 mm: normal size)" if value < MIN_NODE_PATHOLOGICAL_SA_MM else ""
        lines.append((lesion, value, f"{lesion.describe()}: {text}"))
    return lines


def _target_response(lines: list[_Line], baseline_sum: Decimal,
                     nadir: Decimal, steps: list[str]) -> tuple[Response, Decimal | None, Decimal]:
    """(target response, full sum or None, sum of the evaluated targets)."""
    evaluated = sum((v for _, v, _ in lines if v is not None), Decimal(0))
    missing = [les.id for les, v, _ in lines if v is None]
    if missing:
        steps.append(f"not evaluated: {', '.join(missing)}; "
                     f"sum of the evaluated targets = {fmt_mm(evaluated)}")
        if meets_pd(sum_mm=evaluated, nadir_mm=nadir):
            steps.append(f"the evaluated targets alone are {_signed(evaluated - nadir, ' mm')} over the "
                         f"nadir {fmt_mm(nadir)} (>= 20 % and >= 5 mm): target PD whatever the missing "
                         "lesions measure (RECIST 1.1, missing assessments)")
            return Response.PD, None, evaluated
        steps.append("target response NE: a target was not evaluated and the others do not show PD")
        return Response.NE, None, evaluated
    total = evaluated
    steps.append("sum of diameters = " + " + ".join(fmt_mm(v) for _, v, _ in lines if v is not None)
                 + f" = {fmt_mm(total)}")
    not_cr = [les.id for les, v, _ in lines if v is not None
              and (v >= MIN_NODE_PATHOLOGICAL_SA_MM if les.nodal else v > 0)]
    if not not_cr:
        steps.append("every non-nodal target 0 mm and every target node < 10 mm: target CR")
        if meets_pd(sum_mm=total, nadir_mm=nadir):
            steps.append(f"(the sum is {_signed(total - nadir, ' mm')} over the nadir {fmt_mm(nadir)}, but "
                         "nodes under 10 mm are normal: CR, not PD; RECIST 1.1 lymph-node rule)")
        return Response.CR, total, total
    steps.append(f"not CR: {', '.join(not_cr)} still present (non-nodal > 0 mm or node >= 10 mm)")
    up = total - nadir
    up_pct = _pct(up, nadir)
    shown = f"{_signed(up, ' mm')}, {_signed(up_pct, ' %')}" if up_pct is not None else _signed(up, " mm")
    if meets_pd(sum_mm=total, nadir_mm=nadir):
        steps.append(f"vs nadir {fmt_mm(nadir)}: {shown}; >= +20 % and >= +5 mm: target PD")
        return Response.PD, total, total
    steps.append(f"vs nadir {fmt_mm(nadir)}: {shown}; not PD (needs >= +20 % and >= +5 mm)")
    down_pct = _pct(total - baseline_sum, baseline_sum)
    if meets_pr(sum_mm=total, baseline_mm=baseline_sum):
        steps.append(f"vs baseline {fmt_mm(baseline_sum)}: {_signed(down_pct, ' %')}; <= -30 %: target PR")
        return Response.PR, total, total
    steps.append(f"vs baseline {fmt_mm(baseline_sum)}: {_signed(down_pct, ' %')}; not PR (needs <= -30 %): "
                 "target SD")
    return Response.SD, total, total


def _non_target_response(baseline: BaselineCheck, assessment: FollowUpAssessment,
                         steps: list[str]) -> Response | None:
    status = {o.lesion_id: o.status for o in assessment.non_targets}
    markers = assessment.tumour_markers_normal
    lesions = baseline.non_targets
    for lesion in lesions:
        steps.append(f"{lesion.describe()}: {status[lesion.id].value.replace('_', ' ')}")
    if not lesions:
        if markers is False:
            steps.append("no non-target lesion, but tumour markers above normal: no complete response")
            return Response.NON_CR_NON_PD
        return None
    progressed = [i for i, s in status.items() if s is NonTargetStatus.UNEQUIVOCAL_PROGRESSION]
    if progressed:
        steps.append(f"unequivocal progression of non-target disease ({', '.join(progressed)}): "
                     "non-target PD")
        return Response.PD
    unevaluated = [i for i, s in status.items() if s is NonTargetStatus.NOT_EVALUATED]
    if unevaluated:
        steps.append(f"non-target lesions not evaluated ({', '.join(unevaluated)}): non-target NE")
        return Response.NE
    present = [i for i, s in status.items() if s is NonTargetStatus.PRESENT]
    if present:
        steps.append(f"non-target lesions persist ({', '.join(present)}): non-target non-CR/non-PD")
        return Response.NON_CR_NON_PD
    if markers is False:
        steps.append("all non-target lesions gone but tumour markers above normal: non-target non-CR/non-PD")
        return Response.NON_CR_NON_PD
    note = "" if markers else " (tumour markers not recorded: judged on the lesions alone)"
    steps.append(f"all non-target lesions gone, nodes normal{note}: non-target CR")
    return Response.CR


def timepoint_response(*, baseline: BaselineCheck, assessment: FollowUpAssessment,
                       nadir_sum_mm: Decimal | None,
                       complete_response_date: dt.date | None) -> TimepointResult:
    """RECIST 1.1 at one follow-up assessment: SOD, changes, target/non-target/overall response.

    Parameters
    ----------
    baseline
        A :func:`~hipectrial.clinical.recist.baseline.check_baseline` result without problems.
    assessment
        Every baseline target and non-target lesion at this assessment, and new lesions.
    nadir_sum_mm
        The smallest SOD on study before this assessment, baseline included (mm); ``None``
        without target lesions.
    complete_response_date
        The date of an earlier overall CR with no PD since, else ``None``. After a CR, any
        lesion seen again (a non-nodal target > 0 mm, a target node >= 10 mm, a non-target
        present) makes PD (RECIST 1.1 Table 3 note; EORTC RECIST FAQ "Does a new lesion
        always result in PD?"). Tumour markers alone, or a lesion not evaluated, never do.
        :func:`timepoint_responses` tracks this and the nadir over a series.

    Returns
    -------
    TimepointResult

    Raises
    ------
    InputError
        For a baseline with problems, a lesion id not at baseline, a baseline lesion left
        out (record ``not_evaluated``), the wrong axis, or a nadir above the baseline SOD.

    References
    ----------
    Eisenhauer 2009 (RECIST 1.1) §4.3, Tables 1-2; clinical.md §4.2.

    Examples
    --------
    Baseline 100 mm, now 70 mm: exactly 30 % smaller, PR.

    >>> from hipectrial.clinical.recist.baseline import BaselineLesion, check_baseline
    >>> base = check_baseline(lesions=[BaselineLesion(
    ...     id="T1", organ="liver", role="target", method="ct", longest_diameter_mm=100)])
    >>> visit = FollowUpAssessment(date=dt.date(2025, 3, 1),
    ...     targets=(TargetMeasurement(lesion_id="T1", longest_diameter_mm=70),))
    >>> r = timepoint_response(baseline=base, assessment=visit, nadir_sum_mm=Decimal(100),
    ...                        complete_response_date=None)
    >>> r.sum_of_diameters_mm, r.change_from_baseline_pct, r.overall_response
    (Decimal('70'), Decimal('-30.0'), <Response.PR: 'PR'>)
    """
    if complete_response_date is not None:
        require_date("complete_response_date", complete_response_date)
    return _timepoint(baseline, assessment, nadir_sum_mm, complete_response_date, "assessment")


def _reappeared(baseline: BaselineCheck, assessment: FollowUpAssessment) -> list[str]:
    """Lesions seen again: a non-nodal target > 0 mm, a target node >= 10 mm, a non-target present."""
    nodal = {les.id: les.nodal for les in baseline.targets}
    seen = [m.lesion_id for m in assessment.targets if m.value_mm is not None
            and (m.value_mm >= MIN_NODE_PATHOLOGICAL_SA_MM if nodal[m.lesion_id] else m.value_mm > 0)]
    seen += [o.lesion_id for o in assessment.non_targets if o.status is NonTargetStatus.PRESENT]
    return seen


def _timepoint(baseline: BaselineCheck, assessment: FollowUpAssessment, nadir: Decimal | None,
               cr_date: dt.date | None, at: str) -> TimepointResult:
    if not isinstance(baseline, BaselineCheck):
        raise InputError("baseline", baseline, "a BaselineCheck (from check_baseline)")
    baseline.require_ok()
    if not isinstance(assessment, FollowUpAssessment):
        raise InputError(at, assessment, "a FollowUpAssessment")
    _match(at, "targets", baseline.targets, assessment.targets, baseline.non_targets)
    _match(at, "non_targets", baseline.non_targets, assessment.non_targets, baseline.targets)
    steps: list[str] = []
    base_sum = baseline.sum_of_diameters_mm if baseline.targets else None
    target: Response | None = None
    total = evaluated = None
    if base_sum is not None:
        if nadir is None:
            raise InputError("nadir_sum_mm", None, f"a number in [0, {base_sum}] mm",
                             "the smallest sum of diameters on study, baseline included")
        nadir = require_mm("nadir_sum_mm", nadir, high=base_sum)
        lines = _target_lines(at, baseline, assessment.targets)
        steps.extend(line for _, _, line in lines)
        target, total, evaluated = _target_response(lines, base_sum, nadir, steps)
    elif nadir is not None:
        raise InputError("nadir_sum_mm", nadir, "absent (None) for disease without target lesions")
    non_target = _non_target_response(baseline, assessment, steps)
    if assessment.new_lesions:
        steps.append(f"new lesion(s): {'; '.join(assessment.new_lesions)}: PD")
    overall = overall_response(target=target, non_target=non_target, new_lesion=bool(assessment.new_lesions))
    parts = [f"target {target.label}" if target else "no target lesions",
             f"non-target {non_target.label}" if non_target else "no non-target disease",
             "new lesion" if assessment.new_lesions else "no new lesion"]
    steps.append(f"overall ({', '.join(parts)}): {overall.label}")
    if cr_date is not None and overall is not Response.PD:
        if cr_date >= assessment.date:
            raise InputError("complete_response_date", cr_date.isoformat(),
                             f"a date before the assessment ({assessment.date.isoformat()})")
        seen = _reappeared(baseline, assessment)
        if seen:
            overall = Response.PD
            steps.append(f"after the CR of {cr_date.isoformat()}, disease is seen again ({', '.join(seen)}): "
                         "PD (RECIST 1.1 Table 3 note; EORTC RECIST FAQ); if that CR was not real, "
                         "correct it to PR")
    return TimepointResult(
        date=assessment.date,
        sum_of_diameters_mm=total,
        evaluated_sum_mm=evaluated,
        baseline_sum_mm=base_sum,
        nadir_sum_mm=nadir,
        change_from_baseline_mm=None if total is None or base_sum is None else total - base_sum,
        change_from_baseline_pct=(None if total is None or base_sum is None
                                  else _pct(total - base_sum, base_sum)),
        change_from_nadir_mm=None if total is None or nadir is None else total - nadir,
        change_from_nadir_pct=None if total is None or nadir is None else _pct(total - nadir, nadir),
        target_response=target,
        non_target_response=non_target,
        new_lesions=assessment.new_lesions,
        overall_response=overall,
        steps=tuple(steps),
    )


def timepoint_responses(*, baseline: BaselineCheck, baseline_date: dt.date,
                        assessments: Sequence[FollowUpAssessment]) -> tuple[TimepointResult, ...]:
    """RECIST 1.1 at each follow-up assessment, in date order, tracking the nadir.

    The nadir for an assessment is the smallest SOD of the baseline and of every earlier
    assessment at which all targets were evaluated; after an overall CR, disease seen again
    is PD (see :func:`timepoint_response`).

    Raises
    ------
    InputError
        As :func:`timepoint_response`, naming ``assessments[i]``; also for an assessment not
        after ``baseline_date`` or two assessments on one date.

    Examples
    --------
    Baseline 50 mm, then 40 mm (nadir), then 45 mm: +5 mm but only +12.5 % over the nadir: SD.

    >>> from hipectrial.clinical.recist.baseline import BaselineLesion, check_baseline
    >>> base = check_baseline(lesions=[BaselineLesion(
    ...     id="T1", organ="liver", role="target", method="ct", longest_diameter_mm=50)])
    >>> def visit(day, mm):
    ...     return FollowUpAssessment(date=dt.date(2025, 1, day),
    ...                               targets=(TargetMeasurement(lesion_id="T1", longest_diameter_mm=mm),))
    >>> rs = timepoint_responses(baseline=base, baseline_date=dt.date(2025, 1, 1),
    ...                          assessments=[visit(10, 40), visit(20, 45)])
    >>> [(str(r.nadir_sum_mm), str(r.change_from_nadir_pct), r.overall_response.value) for r in rs]
    [('50', '-20.0', 'SD'), ('40', '12.5', 'SD')]
    """
    return evaluate_series(baseline=baseline, baseline_date=baseline_date,
                           indexed=list(enumerate(assessments)))


def evaluate_series(*, baseline: BaselineCheck, baseline_date: dt.date,
                    indexed: Sequence[tuple[int, FollowUpAssessment]]) -> tuple[TimepointResult, ...]:
    """:func:`timepoint_responses` over (position, assessment) pairs; errors name the positions.

    For a caller that evaluates some of its assessments (those before a cut-off) and wants
    an error to point at the place in its own list.
    """
    require_date("baseline_date", baseline_date)
    if not isinstance(baseline, BaselineCheck):
        raise InputError("baseline", baseline, "a BaselineCheck (from check_baseline)")
    baseline.require_ok()
    dates: dict[dt.date, int] = {}
    for i, assessment in indexed:
        if not isinstance(assessment, FollowUpAssessment):
            raise InputError(f"assessments[{i}]", assessment, "a FollowUpAssessment")
        if assessment.date <= baseline_date:
            raise InputError(f"assessments[{i}].date", assessment.date.isoformat(),
                             f"a date after the baseline ({baseline_date.isoformat()})")
        if assessment.date in dates:
            raise InputError(f"assessments[{i}].date", assessment.date.isoformat(),
                             "a date no other assessment has",
                             f"assessments[{dates[assessment.date]}] has the same date")
        dates[assessment.date] = i
    nadir = baseline.sum_of_diameters_mm if baseline.targets else None
    cr_date: dt.date | None = None
    results = []
    for i, assessment in sorted(indexed, key=lambda pair: pair[1].date):
        result = _timepoint(baseline, assessment, nadir, cr_date, f"assessments[{i}]")
        results.append(result)
        if result.overall_response is Response.CR:
            cr_date = result.date
        elif result.overall_response is Response.PD:
            cr_date = None
        if nadir is not None and result.sum_of_diameters_mm is not None:
            nadir = min(nadir, result.sum_of_diameters_mm)
    return tuple(results)
