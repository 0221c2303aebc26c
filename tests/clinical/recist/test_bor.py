"""RECIST 1.1 best overall response with confirmation (clinical.md §4.3; RECIST 1.1 Table 3).

Settings are the seed protocol's (protocol-decisions.md, Endpoints): confirmation >= 28
days, SD at least 35 days after registration (the reference date), assessments before
surgery only. Days below count from the reference date (day 0).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hipectrial.clinical.recist import (
    BaselineLesion,
    DatedResponse,
    FollowUpAssessment,
    NonTargetObservation,
    Response,
    TargetMeasurement,
    best_overall_response,
    evaluate_recist,
)
from hipectrial.errors import InputError

REF = dt.date(2025, 1, 6)
CR, PR, SD, NN, PD, NE = (Response.CR, Response.PR, Response.SD, Response.NON_CR_NON_PD, Response.PD,
                          Response.NE)


def day(n: int) -> dt.date:
    return REF + dt.timedelta(days=n)


def bor(*pairs: tuple[int, Response], measurable: bool = True, cutoff: int | None = None,
        confirmation_days: int = 28, sd_minimum_days: int = 35, max_ne: int = 1):  # type: ignore[no-untyped-def]
    return best_overall_response(
        timepoints=[DatedResponse(day(d), r) for d, r in pairs], measurable_disease=measurable,
        reference_date=REF, confirmation_days=confirmation_days, sd_minimum_days=sd_minimum_days,
        cutoff_date=None if cutoff is None else day(cutoff), max_ne_between=max_ne)


class TestConfirmation:
    def test_pr_then_pr_28_days_later_is_confirmed(self) -> None:
        result = bor((42, PR), (70, PR))
        assert result.response is PR
        assert (result.date, result.confirmation_date) == (day(42), day(70))
        assert result.objective_response
        assert result.disease_control

    def test_pr_then_pr_27_days_later_is_not_confirmed_and_is_sd(self) -> None:
        # Day 42 >= 35: the unconfirmed PR counts as SD.
        result = bor((42, PR), (69, PR))
        assert result.response is SD
        assert result.confirmation_date is None
        assert not result.objective_response
        assert result.disease_control
        assert result.readings[0].reason.startswith("not confirmed: no CR or PR >= 28 days later")

    def test_unconfirmed_pr_before_the_sd_minimum_is_ne(self) -> None:
        # PR day 10, PR day 30: 20 days apart (not confirmed); both < 35 days: NE.
        result = bor((10, PR), (30, PR))
        assert result.response is NE
        assert not result.disease_control

    def test_confirmation_counts_from_first_meeting_the_criteria(self) -> None:
        # PR day 42, PR day 56 (14 days), PR day 70 (28 days after the first): confirmed.
        assert bor((42, PR), (56, PR), (70, PR)).confirmation_date == day(70)

    def test_cr_then_cr_28_days_later_is_cr(self) -> None:
        result = bor((42, CR), (70, CR))
        assert (result.response, result.confirmation_date) == (CR, day(70))

    def test_cr_then_cr_27_days_later_is_sd(self) -> None:
        assert bor((42, CR), (69, CR)).response is SD

    def test_one_ne_between_is_accepted(self) -> None:
        assert bor((42, PR), (56, NE), (84, PR)).response is PR

    def test_two_ne_between_are_not_by_default(self) -> None:
        result = bor((42, PR), (56, NE), (63, NE), (84, PR))
        assert result.response is SD
        assert "more than 1 NE" in result.readings[0].reason
        assert bor((42, PR), (56, NE), (63, NE), (84, PR), max_ne=2).response is PR

    def test_sd_between_breaks_the_confirmation(self) -> None:
        # PR, SD, PR: the response did not hold (admiralonco accept_sd = FALSE).
        assert bor((42, PR), (56, SD), (84, PR)).response is SD

    def test_pr_confirmed_by_cr_and_cr_confirmed_later(self) -> None:
        # PR d42 -> CR d84 confirms the PR; CR d84 -> CR d126 confirms the CR: BOR CR.
        result = bor((42, PR), (84, CR), (126, CR))
        assert (result.response, result.date, result.confirmation_date) == (CR, day(84), day(126))

    def test_confirmation_interval_is_an_argument(self) -> None:
        assert bor((42, PR), (63, PR), confirmation_days=21).response is PR


class TestStableDiseaseMinimum:
    def test_sd_at_day_35_counts(self) -> None:
        result = bor((35, SD))
        assert (result.response, result.date) == (SD, day(35))

    def test_sd_at_day_34_does_not(self) -> None:
        assert bor((34, SD)).response is NE

    def test_later_sd_counts_when_the_first_was_too_early(self) -> None:
        assert bor((21, SD), (63, SD)).date == day(63)

    def test_sd_minimum_is_an_argument(self) -> None:
        assert bor((42, SD), sd_minimum_days=49).response is NE


class TestTable3Pairs:
    # clinical.md §4.3: first timepoint -> subsequent. "met": first at day 42 (>= 35), second at
    # day 84; "not met": first at day 1, second at day 29 (both < 35, 28 days apart).
    @pytest.mark.parametrize(("first", "second", "if_met", "if_not_met"), [
        (CR, CR, CR, CR),
        (CR, SD, SD, PD),   # SD after CR: disease seen again, read as PD
        (CR, PD, SD, PD),
        (CR, NE, SD, NE),
        (PR, CR, PR, PR),
        (PR, PR, PR, PR),
        (PR, SD, SD, NE),   # the SD itself is before the SD minimum when "not met"
        (PR, PD, SD, PD),
        (PR, NE, SD, NE),
        (NE, NE, NE, NE),
        # CR -> PR: the list gives "SD if SD minimum met, else PD (PR if the CR was not real)".
        # A PR recorded after a CR is counted as given (it is also what Table 1 gives for a CR
        # whose non-targets were not all evaluated), so "else" is NE here; a PR that is really
        # disease seen again is PD at the timepoint (TestPipeline below).
        (CR, PR, SD, NE),
    ])
    def test_pair(self, first: Response, second: Response, if_met: Response, if_not_met: Response) -> None:
        assert bor((42, first), (84, second)).response is if_met
        assert bor((1, first), (29, second)).response is if_not_met

    def test_cr_then_pr_is_flagged(self) -> None:
        result = bor((42, CR), (84, PR))
        assert any(s.startswith("warning:") and "PR after CR" in s for s in result.steps)

    def test_sd_after_cr_is_read_as_pd_and_ends_the_window(self) -> None:
        result = bor((42, CR), (56, SD), (70, CR))
        assert [r.read_as for r in result.readings] == [CR, PD, CR]
        assert result.readings[2].counts_as is None
        assert result.response is SD


class TestWindow:
    def test_assessments_after_surgery_are_ignored(self) -> None:
        # PR d42, surgery d60, PR d70: the confirming scan is after surgery -> SD.
        result = bor((42, PR), (70, PR), cutoff=60)
        assert result.response is SD
        assert result.readings[1].counts_as is None
        assert "after the cut-off" in result.readings[1].reason

    def test_assessment_on_the_cut_off_day_is_kept(self) -> None:
        assert bor((42, PR), (70, PR), cutoff=70).response is PR

    def test_nothing_counts_after_the_first_pd(self) -> None:
        result = bor((42, PD), (84, CR), (126, CR))
        assert result.response is PD
        assert [r.counts_as for r in result.readings] == [PD, None, None]

    def test_pd_ranks_above_ne(self) -> None:
        assert bor((14, NE), (42, PD)).response is PD

    def test_no_assessment_is_ne(self) -> None:
        result = bor()
        assert (result.response, result.date) == (NE, None)
        assert bor((42, PR), cutoff=30).response is NE


class TestNonTargetOnlyDisease:
    def test_confirmed_cr(self) -> None:
        assert bor((42, CR), (84, CR), measurable=False).response is CR

    def test_unconfirmed_cr_is_non_cr_non_pd(self) -> None:
        assert bor((42, CR), measurable=False).response is NN

    def test_non_cr_non_pd_needs_the_sd_minimum(self) -> None:
        assert bor((34, NN), measurable=False).response is NE
        result = bor((35, NN), measurable=False)
        assert result.response is NN
        assert result.disease_control
        assert not result.objective_response


class TestBadArguments:
    @pytest.mark.parametrize(("kwargs", "field", "phrase"), [
        ({"confirmation_days": 0}, "confirmation_days", "a whole number in [1, 366]"),
        ({"confirmation_days": 28.0}, "confirmation_days", "a whole number"),
        ({"confirmation_days": True}, "confirmation_days", "a whole number"),
        ({"sd_minimum_days": -1}, "sd_minimum_days", "a whole number in [0, 366]"),
        ({"max_ne_between": -1}, "max_ne_between", "a whole number in [0, 10]"),
        ({"reference_date": "2025-01-06"}, "reference_date", "a date (YYYY-MM-DD)"),
        ({"cutoff_date": "2025-05-01"}, "cutoff_date", "a date (YYYY-MM-DD)"),
        ({"measurable_disease": "yes"}, "measurable_disease", "true or false"),
    ])
    def test_settings(self, kwargs: dict[str, object], field: str, phrase: str) -> None:
        args: dict[str, object] = {"timepoints": [], "measurable_disease": True, "reference_date": REF,
                                   "confirmation_days": 28, "sd_minimum_days": 35, "cutoff_date": None,
                                   **kwargs}
        with pytest.raises(InputError) as err:
            best_overall_response(**args)  # type: ignore[arg-type]
        assert err.value.field == field
        assert phrase in str(err.value)

    def test_timepoint_not_after_the_reference_date(self) -> None:
        with pytest.raises(InputError) as err:
            bor((0, SD))
        assert err.value.field == "timepoints[0].date"
        assert "after the reference date (2025-01-06)" in str(err.value)

    def test_two_timepoints_on_one_date(self) -> None:
        with pytest.raises(InputError) as err:
            bor((42, SD), (42, PR))
        assert err.value.field == "timepoints[1].date"

    def test_non_cr_non_pd_with_target_lesions(self) -> None:
        with pytest.raises(InputError) as err:
            bor((42, NN))
        assert err.value.field == "timepoints[0].response"
        assert "with target lesions" in str(err.value)

    def test_pr_without_target_lesions(self) -> None:
        with pytest.raises(InputError) as err:
            bor((42, PR), measurable=False)
        assert "without target lesions" in str(err.value)

    def test_unknown_response_code(self) -> None:
        with pytest.raises(InputError) as err:
            DatedResponse(day(42), "MR")  # type: ignore[arg-type]
        assert err.value.field == "response"
        assert "one of CR, PR, SD, non-CR-non-PD, PD, NE" in str(err.value)


def lesions() -> list[BaselineLesion]:
    return [BaselineLesion(id="T1", organ="liver", role="target", method="ct",
                           longest_diameter_mm=40),  # type: ignore[arg-type]
            BaselineLesion(id="NT1", organ="peritoneum", role="non_target",
                           kind="peritoneal_carcinomatosis")]  # type: ignore[arg-type]


def scan(n: int, t1: object, nt1: str = "present") -> FollowUpAssessment:
    target = (TargetMeasurement(lesion_id="T1", status=t1) if isinstance(t1, str)  # type: ignore[arg-type]
              else TargetMeasurement(lesion_id="T1", longest_diameter_mm=Decimal(str(t1))))
    return FollowUpAssessment(date=day(n), targets=(target,),
                              non_targets=(NonTargetObservation(lesion_id="NT1", status=nt1),))  # type: ignore[arg-type]


def evaluate(*scans: FollowUpAssessment, cutoff: int | None = None):  # type: ignore[no-untyped-def]
    return evaluate_recist(baseline_date=day(-4), baseline_lesions=lesions(), assessments=scans,
                           reference_date=REF, confirmation_days=28, sd_minimum_days=35,
                           cutoff_date=None if cutoff is None else day(cutoff))


class TestPipeline:
    def test_confirmed_partial_response(self) -> None:
        # 40 -> 26 (-35 %) -> 24 (-40 %) 28 days later: confirmed PR.
        ev = evaluate(scan(42, 26), scan(70, 24))
        assert [t.overall_response for t in ev.timepoints] == [PR, PR]
        assert (ev.best.response, ev.best.confirmation_date) == (PR, day(70))

    def test_assessments_after_surgery_are_not_evaluated(self) -> None:
        ev = evaluate(scan(42, 26), scan(84, "disappeared", "disappeared"), cutoff=60)
        assert len(ev.timepoints) == 1
        assert [a.date for a in ev.excluded] == [day(84)]
        assert ev.best.response is SD

    def test_disease_seen_again_after_cr_makes_cr_then_pd(self) -> None:
        # CR at day 42 (T1 gone, NT1 gone); at day 56 T1 is back at 4 mm (-90 % from baseline,
        # target PR by arithmetic): PD after CR. Day 42 >= 35: BOR SD (CR -> PD, min met).
        ev = evaluate(scan(42, "disappeared", "disappeared"), scan(56, 4, "disappeared"))
        assert [t.overall_response for t in ev.timepoints] == [CR, PD]
        assert ev.best.response is SD
        ev = evaluate(scan(14, "disappeared", "disappeared"), scan(28, 4, "disappeared"))
        assert ev.best.response is PD  # CR -> PD, SD minimum not met

    def test_baseline_problems_are_refused_all_at_once(self) -> None:
        bad = [BaselineLesion(id="T1", organ="liver", role="target", method="ct",
                              longest_diameter_mm=9),  # type: ignore[arg-type]
               BaselineLesion(id="A1", organ="ascites", role="target", kind="ascites")]  # type: ignore[arg-type]
        with pytest.raises(InputError) as err:
            evaluate_recist(baseline_date=day(-4), baseline_lesions=bad, assessments=[], reference_date=REF,
                            confirmation_days=28, sd_minimum_days=35, cutoff_date=None)
        assert err.value.field == "baseline.lesions"
        assert err.value.value == ("T1", "A1")

    def test_assessment_before_the_reference_date_is_named(self) -> None:
        with pytest.raises(InputError) as err:
            evaluate(scan(42, 26), scan(-1, 30))
        assert err.value.field == "assessments[1].date"
        assert "after the reference date" in str(err.value)

    def test_errors_name_the_position_in_the_callers_list(self) -> None:
        # The first assessment is after the cut-off and excluded; the second is bad.
        bad = FollowUpAssessment(date=day(42), targets=(TargetMeasurement(lesion_id="T9", longest_diameter_mm=1),),  # type: ignore[arg-type]
                                 non_targets=(NonTargetObservation(lesion_id="NT1", status="present"),))  # type: ignore[arg-type]
        with pytest.raises(InputError) as err:
            evaluate(scan(90, 20), bad, cutoff=60)
        assert err.value.field == "assessments[1].targets[0].lesion_id"
