"""RECIST 1.1 invariants (hypothesis) and a slow, obviously correct reference for target response.

The reference works in exact fractions straight from the wording of RECIST 1.1 §4.3.1
("a 30 % decrease", "a 20 % increase ... and an absolute increase of at least 5 mm"); the
implementation cross-multiplies Decimals. They must agree on every case.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from hipectrial.clinical.recist import (
    RESPONSE_ORDER,
    BaselineLesion,
    DatedResponse,
    FollowUpAssessment,
    NonTargetObservation,
    Response,
    TargetMeasurement,
    best_overall_response,
    best_response,
    check_baseline,
    evaluate_recist,
    timepoint_response,
)

REF = dt.date(2025, 1, 6)
ORGANS = ("liver", "lung", "adrenal", "omentum", "ovary")


def test_response_order_is_defined_once_best_first() -> None:
    assert RESPONSE_ORDER == (Response.CR, Response.PR, Response.SD, Response.NON_CR_NON_PD, Response.PD,
                              Response.NE)
    assert set(RESPONSE_ORDER) == set(Response)
    assert [r.rank for r in RESPONSE_ORDER] == list(range(6))


@given(st.lists(st.sampled_from(list(Response)), min_size=1))
def test_best_response_is_the_first_in_the_order(responses: list[Response]) -> None:
    best = best_response(responses)
    assert best is next(r for r in RESPONSE_ORDER if r in responses)
    assert not any(r.better_than(best) for r in responses)  # type: ignore[arg-type]


@given(st.sampled_from(list(Response)), st.sampled_from(list(Response)))
def test_better_than_is_a_strict_order(a: Response, b: Response) -> None:
    assert not (a.better_than(b) and b.better_than(a))
    assert a.better_than(b) or b.better_than(a) or a is b


tenths = st.integers(min_value=0, max_value=3000).map(lambda n: Decimal(n) / 10)


def reference_target_response(baseline: Fraction, nadir: Fraction, values: list[Fraction],
                              nodal: list[bool]) -> Response:
    if all((v < 10) if node else (v == 0) for v, node in zip(values, nodal, strict=True)):
        return Response.CR
    total = sum(values, Fraction(0))
    if total - nadir >= Fraction(20, 100) * nadir and total - nadir >= 5:
        return Response.PD
    if baseline - total >= Fraction(30, 100) * baseline:
        return Response.PR
    return Response.SD


@st.composite
def target_case(draw: st.DrawFn) -> tuple[list[BaselineLesion], list[Decimal], Decimal]:
    n_solid = draw(st.integers(min_value=0, max_value=4))
    n_nodes = draw(st.integers(min_value=0 if n_solid else 1, max_value=1))
    lesions = [BaselineLesion(id=f"T{i}", organ=ORGANS[i], role="target", method="ct",  # type: ignore[arg-type]
                              longest_diameter_mm=draw(st.integers(100, 1500).map(lambda n: Decimal(n) / 10)))
               for i in range(n_solid)]
    lesions += [BaselineLesion(id=f"N{i}", organ="lymph_node", role="target", kind="node",  # type: ignore[arg-type]
                               method="ct", short_axis_mm=draw(st.integers(150, 800).map(lambda n: Decimal(n) / 10)))
                for i in range(n_nodes)]
    values = [draw(tenths) for _ in lesions]
    base = sum((les.measurement_mm or Decimal(0) for les in lesions), Decimal(0))
    nadir = draw(st.one_of(st.just(base), st.integers(0, int(base * 10)).map(lambda n: Decimal(n) / 10)))
    return lesions, values, nadir


@given(target_case())
def test_target_response_matches_the_slow_reference(case: tuple[list[BaselineLesion], list[Decimal], Decimal]) -> None:
    lesions, values, nadir = case
    check = check_baseline(lesions=lesions)
    visit = FollowUpAssessment(date=dt.date(2025, 3, 1), targets=tuple(
        TargetMeasurement(lesion_id=les.id, **{("short_axis_mm" if les.nodal else "longest_diameter_mm"): v})  # type: ignore[arg-type]
        for les, v in zip(lesions, values, strict=True)))
    result = timepoint_response(baseline=check, assessment=visit, nadir_sum_mm=nadir, complete_response_date=None)
    expected = reference_target_response(Fraction(check.sum_of_diameters_mm or 0), Fraction(nadir),
                                         [Fraction(v) for v in values], [les.nodal for les in lesions])
    assert result.target_response is expected
    assert result.sum_of_diameters_mm == sum(values, Decimal(0))
    # Shown percentages are truncated toward zero: never past a threshold the exact value misses.
    exact = (Fraction(result.sum_of_diameters_mm) - Fraction(check.sum_of_diameters_mm or 0)) * 100 \
        / Fraction(check.sum_of_diameters_mm or 1)
    shown = Fraction(result.change_from_baseline_pct or 0)
    assert abs(shown) <= abs(exact) < abs(shown) + Fraction(1, 10)


@given(st.integers(min_value=1, max_value=5000))
def test_exact_boundaries_in_tenths_of_a_millimetre(tenth_mm: int) -> None:
    # Baseline B = n/10 mm at or above 10 mm; a sum of exactly 0.7 B is PR, exactly 1.2 B with
    # an increase of at least 5 mm is PD.
    base = Decimal(max(tenth_mm, 100)) / 10
    check = check_baseline(lesions=[BaselineLesion(id="T1", organ="liver", role="target", method="ct",  # type: ignore[arg-type]
                                                   longest_diameter_mm=base)])

    def response(mm: Decimal) -> Response | None:
        visit = FollowUpAssessment(date=dt.date(2025, 3, 1),
                                   targets=(TargetMeasurement(lesion_id="T1", longest_diameter_mm=mm),))
        return timepoint_response(baseline=check, assessment=visit, nadir_sum_mm=base,
                                  complete_response_date=None).target_response

    assert response(base * Decimal("0.7")) is Response.PR
    assert response(base * Decimal("1.2")) is (Response.PD if base * Decimal("0.2") >= 5 else Response.SD)


def follow_up_strategy(ids: list[tuple[str, bool]], nt_ids: list[str], date: dt.date) -> st.SearchStrategy[FollowUpAssessment]:
    def measurement(id_: str, nodal: bool) -> st.SearchStrategy[TargetMeasurement]:
        axis = "short_axis_mm" if nodal else "longest_diameter_mm"
        return st.one_of(
            tenths.map(lambda v: TargetMeasurement(lesion_id=id_, **{axis: v})),  # type: ignore[arg-type]
            st.sampled_from(["too_small", "disappeared", "not_evaluated"]).map(
                lambda s: TargetMeasurement(lesion_id=id_, status=s)))  # type: ignore[arg-type]

    return st.builds(
        FollowUpAssessment, date=st.just(date),
        targets=st.tuples(*(measurement(i, n) for i, n in ids)),
        non_targets=st.tuples(*(st.sampled_from(["present", "disappeared", "unequivocal_progression",
                                                 "not_evaluated"]).map(
            lambda s, i=i: NonTargetObservation(lesion_id=i, status=s)) for i in nt_ids)),  # type: ignore[misc]
        new_lesions=st.sampled_from([(), ("new liver lesion",)]),
        tumour_markers_normal=st.sampled_from([None, True, False]))


@st.composite
def participant(draw: st.DrawFn) -> tuple[list[BaselineLesion], list[FollowUpAssessment]]:
    n_targets = draw(st.integers(min_value=0, max_value=3))
    n_nt = draw(st.integers(min_value=0 if n_targets else 1, max_value=2))
    lesions = [BaselineLesion(id=f"T{i}", organ=ORGANS[i], role="target", method="ct",  # type: ignore[arg-type]
                              longest_diameter_mm=draw(st.integers(10, 150)))
               for i in range(n_targets)]
    if n_targets and draw(st.booleans()):
        lesions.append(BaselineLesion(id="N0", organ="lymph_node", role="target", kind="node",  # type: ignore[arg-type]
                                      method="ct", short_axis_mm=draw(st.integers(15, 60))))
    lesions += [BaselineLesion(id=f"NT{i}", organ="peritoneum", role="non_target",  # type: ignore[arg-type]
                               kind="peritoneal_carcinomatosis") for i in range(n_nt)]
    days = draw(st.lists(st.integers(1, 400), min_size=0, max_size=6, unique=True))
    ids = [(les.id, les.nodal) for les in lesions if les.role == "target"]
    nt_ids = [les.id for les in lesions if les.role == "non_target"]
    visits = [draw(follow_up_strategy(ids, nt_ids, REF + dt.timedelta(days=d))) for d in days]
    return lesions, visits


@given(participant(), st.integers(7, 60), st.integers(0, 90))
def test_sums_never_negative_and_bor_never_beats_the_best_timepoint(
        case: tuple[list[BaselineLesion], list[FollowUpAssessment]], confirm: int, sd_min: int) -> None:
    lesions, visits = case
    ev = evaluate_recist(baseline_date=REF, baseline_lesions=lesions, assessments=visits, reference_date=REF,
                         confirmation_days=confirm, sd_minimum_days=sd_min, cutoff_date=None)
    for t in ev.timepoints:
        for value in (t.sum_of_diameters_mm, t.evaluated_sum_mm, t.nadir_sum_mm):
            assert value is None or value >= 0
        if t.nadir_sum_mm is not None:
            assert t.nadir_sum_mm <= (t.baseline_sum_mm or 0)
    best_tp = best_response(t.overall_response for t in ev.timepoints)
    if best_tp is None:
        assert ev.best.response is Response.NE
    else:
        assert not ev.best.response.better_than(best_tp)


measurable_responses = st.sampled_from([Response.CR, Response.PR, Response.SD, Response.PD, Response.NE])
non_measurable_responses = st.sampled_from([Response.CR, Response.NON_CR_NON_PD, Response.PD, Response.NE])


@given(st.booleans().flatmap(lambda m: st.tuples(st.just(m), st.dictionaries(
    st.integers(1, 500), measurable_responses if m else non_measurable_responses, max_size=8))),
    st.integers(1, 60), st.integers(0, 90), st.none() | st.integers(1, 500))
def test_bor_never_beats_the_best_timepoint_response(
        case: tuple[bool, dict[int, Response]], confirm: int, sd_min: int, cutoff: int | None) -> None:
    measurable, by_day = case
    timepoints = [DatedResponse(REF + dt.timedelta(days=d), r) for d, r in by_day.items()]
    result = best_overall_response(
        timepoints=timepoints, measurable_disease=measurable, reference_date=REF, confirmation_days=confirm,
        sd_minimum_days=sd_min, cutoff_date=None if cutoff is None else REF + dt.timedelta(days=cutoff))
    best_tp = best_response(by_day.values())
    assert best_tp is None or not result.response.better_than(best_tp)
    if result.response in (Response.CR, Response.PR):
        assert result.confirmation_date is not None
        assert result.date is not None
        assert (result.confirmation_date - result.date).days >= confirm
