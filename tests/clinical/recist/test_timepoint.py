"""RECIST 1.1 at a follow-up assessment: SOD, changes, target / non-target / overall response.

Rules: Eisenhauer et al. 2009 §4.3 and Tables 1-2 (clinical.md §4.2). Every expected value
is worked by hand in the comment beside it; none was produced by running the code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hipectrial.clinical.recist import (
    BaselineCheck,
    BaselineLesion,
    FollowUpAssessment,
    NonTargetObservation,
    Response,
    TargetMeasurement,
    TimepointResult,
    check_baseline,
    overall_response,
    timepoint_response,
    timepoint_responses,
)
from hipectrial.errors import InputError

BASE_DATE = dt.date(2025, 1, 2)
CR, PR, SD, NN, PD, NE = (Response.CR, Response.PR, Response.SD, Response.NON_CR_NON_PD, Response.PD,
                          Response.NE)


def baseline(*targets_mm: object, nodes: tuple[object, ...] = (), non_targets: int = 0) -> BaselineCheck:
    """Targets T1.. (liver/lung/... one organ each), nodal targets N1.., non-targets NT1.."""
    organs = ["liver", "lung", "adrenal", "omentum", "ovary"]
    lesions = [BaselineLesion(id=f"T{i}", organ=organs[i - 1], role="target", method="ct",
                              longest_diameter_mm=mm) for i, mm in enumerate(targets_mm, 1)]
    lesions += [BaselineLesion(id=f"N{i}", organ="lymph_node", role="target", kind="node", method="ct",
                               short_axis_mm=sa) for i, sa in enumerate(nodes, 1)]
    lesions += [BaselineLesion(id=f"NT{i}", organ="peritoneum", role="non_target",
                               kind="peritoneal_carcinomatosis") for i in range(1, non_targets + 1)]
    check = check_baseline(lesions=lesions)
    assert check.ok, check.problems
    return check


def visit(day: int, *targets: object, nodes: tuple[object, ...] = (), nt: tuple[str, ...] = (),
          new: tuple[str, ...] = (), markers: bool | None = None) -> FollowUpAssessment:
    """Target values: a number (measured mm) or a status code; same order as baseline()."""
    def measure(id_: str, value: object, axis: str) -> TargetMeasurement:
        if isinstance(value, str) and not value[0].isdigit():
            return TargetMeasurement(lesion_id=id_, status=value)  # type: ignore[arg-type]
        mm = Decimal(value) if isinstance(value, str) else value
        return TargetMeasurement(lesion_id=id_, **{axis: mm})  # type: ignore[arg-type]

    return FollowUpAssessment(
        date=BASE_DATE + dt.timedelta(days=day),
        targets=tuple(measure(f"T{i}", v, "longest_diameter_mm") for i, v in enumerate(targets, 1))
        + tuple(measure(f"N{i}", v, "short_axis_mm") for i, v in enumerate(nodes, 1)),
        non_targets=tuple(NonTargetObservation(lesion_id=f"NT{i}", status=s)  # type: ignore[arg-type]
                          for i, s in enumerate(nt, 1)),
        new_lesions=new, tumour_markers_normal=markers)


def one(base: BaselineCheck, fu: FollowUpAssessment, nadir: object = None,
        cr_date: dt.date | None = None) -> TimepointResult:
    nadir_mm = base.sum_of_diameters_mm if nadir is None and base.targets else nadir
    return timepoint_response(baseline=base, assessment=fu, nadir_sum_mm=nadir_mm,  # type: ignore[arg-type]
                              complete_response_date=cr_date)


def series(base: BaselineCheck, *visits: FollowUpAssessment) -> tuple[TimepointResult, ...]:
    return timepoint_responses(baseline=base, baseline_date=BASE_DATE, assessments=visits)


class TestPartialResponseBoundary:
    def test_exactly_30_percent_decrease_is_pr(self) -> None:
        # baseline 60 + 40 = 100 mm; 42 + 28 = 70 mm: (70 - 100) / 100 = -30 % exactly -> PR.
        r = one(baseline(60, 40), visit(42, 42, 28))
        assert r.sum_of_diameters_mm == Decimal(70)
        assert r.change_from_baseline_mm == Decimal(-30)
        assert r.change_from_baseline_pct == Decimal("-30.0")
        assert (r.target_response, r.overall_response) == (PR, PR)

    def test_29_9_percent_decrease_is_sd(self) -> None:
        # 42 + 28.1 = 70.1 mm: -29.9 % -> SD.
        r = one(baseline(60, 40), visit(42, 42, "28.1"))
        assert r.change_from_baseline_pct == Decimal("-29.9")
        assert r.target_response is SD

    def test_percent_is_truncated_not_rounded_across_the_threshold(self) -> None:
        # baseline 300 mm; 210.1 mm is -29.9666... %: shown -29.9 (not -30.0), and SD.
        r = one(baseline(300), visit(42, "210.1"))
        assert r.change_from_baseline_pct == Decimal("-29.9")
        assert r.target_response is SD


class TestProgressionBoundary:
    def test_exactly_20_percent_and_5_mm_over_nadir_is_pd(self) -> None:
        # baseline 50; day 42: 25 (PR, nadir 25); day 84: 30 = +5 mm = +20 % over nadir -> PD,
        # although 30 is still 40 % below baseline.
        _, r = series(baseline(50), visit(42, 25), visit(84, 30))
        assert r.nadir_sum_mm == Decimal(25)
        assert (r.change_from_nadir_mm, r.change_from_nadir_pct) == (Decimal(5), Decimal("20.0"))
        assert r.change_from_baseline_pct == Decimal("-40.0")
        assert (r.target_response, r.overall_response) == (PD, PD)

    def test_20_percent_with_only_4_mm_is_not_pd(self) -> None:
        # baseline 10 + 10 = 20 (nadir); 12 + 12 = 24: +20 % but +4 mm -> not PD; +20 % -> SD.
        r = one(baseline(10, 10), visit(42, 12, 12))
        assert (r.change_from_nadir_mm, r.change_from_nadir_pct) == (Decimal(4), Decimal("20.0"))
        assert r.target_response is SD

    def test_5_mm_under_20_percent_is_not_pd(self) -> None:
        # nadir 100, now 119: +19 mm, +19 % -> SD.
        assert one(baseline(100), visit(42, 119)).target_response is SD

    def test_nadir_below_baseline_is_the_reference_for_pd(self) -> None:
        # baseline 100; day 42: 60 (-40 %, PR; nadir 60); day 84: 72 = +12 mm, +20 % over the
        # nadir -> PD, though 28 % below baseline.
        first, second = series(baseline(100), visit(42, 60), visit(84, 72))
        assert first.overall_response is PR
        assert second.nadir_sum_mm == Decimal(60)
        assert second.change_from_baseline_pct == Decimal("-28.0")
        assert second.overall_response is PD

    def test_nadir_is_the_smallest_sum_so_far(self) -> None:
        # 100 -> 60 -> 80 -> 70: nadirs 100, 100, 60, 60. 80 vs 60 = +33 %: PD at day 84.
        results = series(baseline(100), visit(42, 60), visit(84, 80), visit(126, 70))
        assert [r.nadir_sum_mm for r in results] == [Decimal(100), Decimal(60), Decimal(60)]

    def test_from_a_nadir_of_0_any_regrowth_of_5_mm_is_pd_and_has_no_percent(self) -> None:
        # 20 -> 0 (CR, nadir 0) -> 5 (too small): +5 mm over 0; percentage undefined.
        _, r = series(baseline(20), visit(42, "disappeared"), visit(84, "too_small"))
        assert r.change_from_nadir_pct is None
        assert r.change_from_nadir_mm == Decimal(5)
        assert r.target_response is PD


class TestCompleteResponse:
    def test_node_of_9_9_mm_counts_for_cr(self) -> None:
        # T1 gone, N1 9.9 mm (< 10 mm, normal): target CR although the SOD is 9.9 mm.
        r = one(baseline(20, nodes=(20,)), visit(42, "disappeared", nodes=("9.9",)))
        assert r.sum_of_diameters_mm == Decimal("9.9")
        assert (r.target_response, r.overall_response) == (CR, CR)

    def test_node_of_10_mm_does_not(self) -> None:
        # T1 gone, N1 10 mm: not CR; 10 vs 40 = -75 % -> PR.
        r = one(baseline(20, nodes=(20,)), visit(42, "disappeared", nodes=(10,)))
        assert r.change_from_baseline_pct == Decimal("-75.0")
        assert r.target_response is PR

    def test_too_small_to_measure_counts_5_mm_and_is_not_cr(self) -> None:
        # T1 too small = 5 mm; T2 gone: SOD 5 vs 50 = -90 % -> PR, not CR.
        r = one(baseline(30, 20), visit(42, "too_small", "disappeared"))
        assert r.sum_of_diameters_mm == Decimal(5)
        assert r.target_response is PR
        assert any("too small to measure: 5 mm" in s for s in r.steps)

    def test_too_small_may_be_recorded_as_5(self) -> None:
        m = TargetMeasurement(lesion_id="T1", status="too_small", longest_diameter_mm=5)  # type: ignore[arg-type]
        assert m.value_mm == Decimal(5)

    def test_cr_needs_normal_tumour_markers_when_recorded(self) -> None:
        # Targets gone but markers above ULN: non-target non-CR/non-PD -> overall PR (Table 1).
        r = one(baseline(20), visit(42, "disappeared", markers=False))
        assert (r.target_response, r.non_target_response, r.overall_response) == (CR, NN, PR)

    def test_nodes_normal_after_cr_is_not_progression_by_arithmetic(self) -> None:
        # N1 20 -> 0 (CR, nadir 0) -> 6 mm: +6 mm over 0 but every node < 10 mm: still CR.
        _, r = series(baseline(nodes=(20,)), visit(42, nodes=(0,)), visit(84, nodes=(6,)))
        assert (r.target_response, r.overall_response) == (CR, CR)


class TestNotEvaluated:
    def test_target_not_evaluated_makes_ne(self) -> None:
        r = one(baseline(30, 20), visit(42, 10, "not_evaluated"))
        assert r.sum_of_diameters_mm is None
        assert r.evaluated_sum_mm == Decimal(10)
        assert r.change_from_baseline_pct is None
        assert (r.target_response, r.overall_response) == (NE, NE)

    def test_evaluated_targets_alone_showing_pd_make_pd(self) -> None:
        # RECIST 1.1 "Missing assessments": baseline 50 mm in three lesions; two measured at
        # follow-up summing 80 mm -> PD regardless of the third.
        r = one(baseline(20, 20, 10), visit(42, 40, 40, "not_evaluated"))
        assert r.evaluated_sum_mm == Decimal(80)
        assert r.target_response is PD

    def test_new_lesion_overrides_ne(self) -> None:
        r = one(baseline(30, 20), visit(42, 10, "not_evaluated", new=("liver segment 7",)))
        assert (r.target_response, r.overall_response) == (NE, PD)


class TestNonTargets:
    def test_non_target_only_disease_persisting_is_non_cr_non_pd(self) -> None:
        r = one(baseline(non_targets=2), visit(42, nt=("present", "disappeared")))
        assert r.target_response is None
        assert r.sum_of_diameters_mm is None
        assert (r.non_target_response, r.overall_response) == (NN, NN)

    def test_non_target_only_disease_all_gone_is_cr(self) -> None:
        r = one(baseline(non_targets=2), visit(42, nt=("disappeared", "disappeared"), markers=True))
        assert r.overall_response is CR

    def test_non_target_only_not_evaluated_is_ne(self) -> None:
        r = one(baseline(non_targets=2), visit(42, nt=("present", "not_evaluated")))
        assert r.overall_response is NE

    def test_unequivocal_non_target_progression_is_pd(self) -> None:
        # targets -40 % (PR) but unequivocal non-target progression -> PD.
        r = one(baseline(50, non_targets=1), visit(42, 30, nt=("unequivocal_progression",)))
        assert (r.target_response, r.non_target_response, r.overall_response) == (PR, PD, PD)

    def test_new_lesion_is_pd(self) -> None:
        r = one(baseline(50, non_targets=1), visit(42, "disappeared", nt=("disappeared",), markers=True,
                                                   new=("new liver lesion",)))
        assert (r.target_response, r.non_target_response, r.overall_response) == (CR, CR, PD)
        assert r.new_lesions == ("new liver lesion",)

    def test_target_cr_with_non_target_not_evaluated_is_pr(self) -> None:
        r = one(baseline(50, non_targets=1), visit(42, "disappeared", nt=("not_evaluated",)))
        assert (r.target_response, r.non_target_response, r.overall_response) == (CR, NE, PR)


class TestOverallTables:
    # clinical.md §4.2, row by row (RECIST 1.1 Table 1: target and non-target disease).
    @pytest.mark.parametrize(("target", "non_target", "new", "overall"), [
        (CR, CR, False, CR),
        (CR, NN, False, PR),
        (CR, NE, False, PR),
        (PR, NN, False, PR), (PR, NE, False, PR), (PR, CR, False, PR),
        (SD, NN, False, SD), (SD, NE, False, SD), (SD, CR, False, SD),
        (NE, NN, False, NE), (NE, CR, False, NE),
        (PD, CR, False, PD), (PD, NN, True, PD), (PD, NE, False, PD),
        (CR, PD, False, PD), (PR, PD, True, PD), (NE, PD, False, PD),
        (CR, CR, True, PD), (SD, NN, True, PD),
        # target-only disease (no non-target lesion)
        (CR, None, False, CR), (PR, None, False, PR), (NE, None, False, NE), (CR, None, True, PD),
    ])
    def test_table_1(self, target: Response, non_target: Response | None, new: bool, overall: Response) -> None:
        assert overall_response(target=target, non_target=non_target, new_lesion=new) is overall

    # RECIST 1.1 Table 2: non-target disease only.
    @pytest.mark.parametrize(("non_target", "new", "overall"), [
        (CR, False, CR), (NN, False, NN), (NE, False, NE), (PD, False, PD), (CR, True, PD), (NN, True, PD),
    ])
    def test_table_2(self, non_target: Response, new: bool, overall: Response) -> None:
        assert overall_response(target=None, non_target=non_target, new_lesion=new) is overall

    def test_refuses_responses_that_do_not_apply(self) -> None:
        with pytest.raises(InputError) as err:
            overall_response(target=NN, non_target=CR, new_lesion=False)
        assert err.value.field == "target"
        with pytest.raises(InputError) as err:
            overall_response(target=CR, non_target=SD, new_lesion=False)
        assert err.value.field == "non_target"


class TestAfterCompleteResponse:
    def test_lesion_seen_again_after_cr_is_pd(self) -> None:
        # 30 -> 0 (CR) -> 3 mm: +3 mm is not PD by the 5 mm rule and -90 % is target PR, but
        # after an overall CR a lesion seen again is PD (RECIST 1.1 Table 3 note; EORTC FAQ).
        cr, again = series(baseline(30), visit(42, "disappeared"), visit(84, 3))
        assert cr.overall_response is CR
        assert again.target_response is PR
        assert again.overall_response is PD
        assert "disease is seen again (T1)" in again.steps[-1]

    def test_non_target_seen_again_after_cr_is_pd(self) -> None:
        _, again = series(baseline(non_targets=1), visit(42, nt=("disappeared",)), visit(84, nt=("present",)))
        assert again.overall_response is PD

    def test_target_node_back_to_10_mm_after_cr_is_pd(self) -> None:
        _, again = series(baseline(nodes=(20,)), visit(42, nodes=(8,)), visit(84, nodes=(10,)))
        assert again.overall_response is PD

    def test_non_target_not_evaluated_after_cr_is_not_pd(self) -> None:
        _, again = series(baseline(30, non_targets=1), visit(42, "disappeared", nt=("disappeared",)),
                          visit(84, "disappeared", nt=("not_evaluated",)))
        assert again.overall_response is PR

    def test_markers_rising_after_cr_are_not_pd(self) -> None:
        _, again = series(baseline(30), visit(42, "disappeared", markers=True),
                          visit(84, "disappeared", markers=False))
        assert again.overall_response is PR

    def test_single_timepoint_takes_the_cr_date(self) -> None:
        r = one(baseline(30), visit(84, 3), nadir=0, cr_date=BASE_DATE + dt.timedelta(days=42))
        assert r.overall_response is PD


class TestSeries:
    def test_evaluated_in_date_order_whatever_the_input_order(self) -> None:
        results = series(baseline(100), visit(84, 72), visit(42, 60))
        assert [r.date for r in results] == [BASE_DATE + dt.timedelta(days=42), BASE_DATE + dt.timedelta(days=84)]
        assert results[1].overall_response is PD

    def test_two_assessments_on_one_date(self) -> None:
        with pytest.raises(InputError) as err:
            series(baseline(100), visit(42, 60), visit(42, 61))
        assert err.value.field == "assessments[1].date"
        assert "assessments[0] has the same date" in str(err.value)

    def test_assessment_not_after_baseline(self) -> None:
        with pytest.raises(InputError) as err:
            series(baseline(100), visit(0, 60))
        assert err.value.field == "assessments[0].date"
        assert "after the baseline" in str(err.value)

    def test_sod_never_counts_a_non_target(self) -> None:
        r = one(baseline(40, non_targets=1), visit(42, 40, nt=("present",)))
        assert r.sum_of_diameters_mm == Decimal(40)


class TestBadAssessments:
    def test_baseline_target_left_out(self) -> None:
        with pytest.raises(InputError) as err:
            one(baseline(30, 20), FollowUpAssessment(date=dt.date(2025, 2, 1), targets=(
                TargetMeasurement(lesion_id="T1", longest_diameter_mm=10),)))  # type: ignore[arg-type]
        assert err.value.field == "assessment.targets"
        assert err.value.value == ("T2",)
        assert "not_evaluated" in str(err.value)

    def test_unknown_lesion_id(self) -> None:
        with pytest.raises(InputError) as err:
            one(baseline(30), FollowUpAssessment(date=dt.date(2025, 2, 1), targets=(
                TargetMeasurement(lesion_id="T9", longest_diameter_mm=10),)))  # type: ignore[arg-type]
        assert err.value.field == "assessment.targets[0].lesion_id"
        assert "one of the baseline target lesions (T1)" in str(err.value)

    def test_non_target_given_as_target(self) -> None:
        with pytest.raises(InputError) as err:
            one(baseline(30, non_targets=1), FollowUpAssessment(date=dt.date(2025, 2, 1), targets=(
                TargetMeasurement(lesion_id="T1", longest_diameter_mm=10),
                TargetMeasurement(lesion_id="NT1", longest_diameter_mm=10))))  # type: ignore[arg-type]
        assert err.value.field == "assessment.targets[1].lesion_id"
        assert "NT1 is a non-target lesion at baseline" in str(err.value)

    def test_lesion_given_twice(self) -> None:
        with pytest.raises(InputError) as err:
            one(baseline(30), FollowUpAssessment(date=dt.date(2025, 2, 1), targets=(
                TargetMeasurement(lesion_id="T1", longest_diameter_mm=10),
                TargetMeasurement(lesion_id="T1", longest_diameter_mm=11))))  # type: ignore[arg-type]
        assert err.value.field == "assessment.targets[1].lesion_id"

    def test_node_measured_by_longest_diameter(self) -> None:
        with pytest.raises(InputError) as err:
            one(baseline(nodes=(20,)), FollowUpAssessment(date=dt.date(2025, 2, 1), targets=(
                TargetMeasurement(lesion_id="N1", longest_diameter_mm=12),)))  # type: ignore[arg-type]
        assert err.value.field == "assessment.targets[0].longest_diameter_mm"
        assert "give short_axis_mm" in str(err.value)

    def test_non_target_status_missing(self) -> None:
        with pytest.raises(InputError) as err:
            one(baseline(30, non_targets=2), visit(42, 20, nt=("present",)))
        assert err.value.field == "assessment.non_targets"
        assert err.value.value == ("NT2",)

    def test_nadir_above_baseline(self) -> None:
        with pytest.raises(InputError) as err:
            one(baseline(30), visit(42, 20), nadir=Decimal(31))
        assert err.value.field == "nadir_sum_mm"
        assert "[0, 30]" in str(err.value)

    def test_nadir_missing_with_targets(self) -> None:
        with pytest.raises(InputError) as err:
            timepoint_response(baseline=baseline(30), assessment=visit(42, 20), nadir_sum_mm=None,
                               complete_response_date=None)
        assert err.value.field == "nadir_sum_mm"

    def test_baseline_with_problems_is_refused(self) -> None:
        bad = check_baseline(lesions=[BaselineLesion(id="T1", organ="liver", role="target", method="ct",
                                                     longest_diameter_mm=9)])  # type: ignore[arg-type]
        with pytest.raises(InputError) as err:
            timepoint_response(baseline=bad, assessment=visit(42, 5), nadir_sum_mm=Decimal(9),
                               complete_response_date=None)
        assert err.value.field == "baseline.lesions"

    @pytest.mark.parametrize(("kwargs", "field", "phrase"), [
        ({"status": "measured"}, "longest_diameter_mm", "for a measured lesion"),
        ({"status": "too_small", "longest_diameter_mm": 4}, "longest_diameter_mm", "5 or absent"),
        ({"status": "disappeared", "longest_diameter_mm": 2}, "longest_diameter_mm", "0 or absent"),
        ({"status": "not_evaluated", "short_axis_mm": 8}, "short_axis_mm", "absent for a lesion not evaluated"),
        ({"status": "gone"}, "status", "one of measured, too_small, disappeared"),
        ({"longest_diameter_mm": 10, "short_axis_mm": 8}, "short_axis_mm", "absent when longest_diameter_mm"),
        ({"longest_diameter_mm": -1}, "longest_diameter_mm", "a number in [0, 1000]"),
        ({"lesion_id": ""}, "lesion_id", "a non-empty text"),
    ])
    def test_target_measurement_values(self, kwargs: dict[str, object], field: str, phrase: str) -> None:
        with pytest.raises(InputError) as err:
            TargetMeasurement(**{"lesion_id": "T1", **kwargs})  # type: ignore[arg-type]
        assert err.value.field == field
        assert phrase in str(err.value)

    @pytest.mark.parametrize(("kwargs", "field", "phrase"), [
        ({"date": "2025-02-01"}, "date", "a date (YYYY-MM-DD)"),
        ({"date": dt.datetime(2025, 2, 1, 9, 0)}, "date", "a date (YYYY-MM-DD)"),
        ({"new_lesions": "liver"}, "new_lesions", "a list of new-lesion descriptions"),
        ({"new_lesions": ("",)}, "new_lesions[0]", "a non-empty text"),
        ({"tumour_markers_normal": "yes"}, "tumour_markers_normal", "true, false or absent"),
        ({"targets": ({"lesion_id": "T1"},)}, "targets[0]", "a TargetMeasurement"),
    ])
    def test_follow_up_values(self, kwargs: dict[str, object], field: str, phrase: str) -> None:
        with pytest.raises(InputError) as err:
            FollowUpAssessment(**{"date": dt.date(2025, 2, 1), **kwargs})  # type: ignore[arg-type]
        assert err.value.field == field
        assert phrase in str(err.value)

    def test_non_target_status_code(self) -> None:
        with pytest.raises(InputError) as err:
            NonTargetObservation(lesion_id="NT1", status="stable")  # type: ignore[arg-type]
        assert err.value.field == "status"
        assert "present, disappeared, unequivocal_progression, not_evaluated" in str(err.value)
