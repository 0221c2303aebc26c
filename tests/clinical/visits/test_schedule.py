"""Visit windows and deviations on the seed protocol's schedule
(protocol-decisions.md "Treatment flow and timing": C1D1 on day 21 after HIPEC, window
-7/+7; cycle day 1 window +/-3 days; 21-day cycles; re-evaluation at day 15-21 of cycle 3;
surgery 35 days after C3D1 +/-7; the seed's visits section for the other windows)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hipectrial.clinical.visits.deviations import DeviationKind, DoseGiven, deviations
from hipectrial.clinical.visits.schedule import (
    ActualVisit,
    Branch,
    TreatmentDates,
    VisitStatus,
    visit_schedule,
)
from hipectrial.errors import InputError
from hipectrial.protocol import load_protocol

SEED = load_protocol()
D = dt.date
REGISTRATION = D(2026, 2, 27)
HIPEC = D(2026, 3, 1)  # day 0
C1 = D(2026, 3, 22)  # day 21


def day(n: int) -> dt.date:
    """Day n counted from HIPEC (day 0)."""
    return HIPEC + dt.timedelta(days=n)


FIRST_DAY = D(2026, 3, 2)


def schedule(*, cohort="HER2-negative", branch=None, as_of=FIRST_DAY, actual=(), **dates):
    return visit_schedule(protocol=SEED, cohort=cohort, branch=branch,
                          dates=TreatmentDates(**{"registration": REGISTRATION, "hipec": HIPEC, **dates}),
                          actual=actual, as_of=as_of)


def induction(*starts: dt.date) -> dict[str, object]:
    return {"cycle_starts": {"induction": list(starts)}}


# -- cycle 1 day 1: day 21 after HIPEC, window -7/+7 -----------------------------------------


@pytest.mark.parametrize(
    ("start", "status", "days"),
    [
        (day(21), VisitStatus.ON_TIME, 0),
        (day(14), VisitStatus.ON_TIME, -7),  # first day of the window
        (day(13), VisitStatus.EARLY, -8),
        (day(28), VisitStatus.ON_TIME, 7),  # last day of the window
        (day(29), VisitStatus.LATE, 8),
    ],
)
def test_c1d1_is_judged_against_day_21_after_hipec(start, status, days):
    s = schedule(as_of=start, **induction(start))
    c1 = s.occurrence("induction-cycle", 1)
    assert (c1.target, c1.earliest, c1.latest) == (day(21), day(14), day(28))
    assert c1.actual == start  # the cycle start is the day-1 visit's date
    assert c1.status is status
    assert c1.days_from_target == days


def test_an_actual_visit_date_given_overrides_the_cycle_start():
    s = schedule(as_of=day(30), actual=[ActualVisit("induction-cycle", 1, day(20))], **induction(day(22)))
    assert s.occurrence("induction-cycle", 1).actual == day(20)


# -- later cycles: the previous cycle's actual start + 21 days, window +/-3 -------------------


def test_cycle_2_is_due_21_days_after_the_actual_cycle_1_start():
    c1 = day(24)  # cycle 1 three days late, inside its window
    s = schedule(as_of=c1, **induction(c1))
    c2 = s.occurrence("induction-cycle", 2)
    assert (c2.target, c2.earliest, c2.latest) == (c1 + dt.timedelta(21), c1 + dt.timedelta(18),
                                                     c1 + dt.timedelta(24))
    assert c2.status is VisitStatus.UPCOMING
    assert not c2.projected


def test_a_delayed_cycle_2_shifts_cycle_3():
    c2 = C1 + dt.timedelta(days=28)  # delayed one week by a dose decision (due C1 + 21)
    s = schedule(as_of=c2, **induction(C1, c2))
    second = s.occurrence("induction-cycle", 2)
    assert second.target == C1 + dt.timedelta(days=21)
    assert second.status is VisitStatus.LATE
    assert second.days_from_target == 7
    third = s.occurrence("induction-cycle", 3)
    assert third.target == c2 + dt.timedelta(days=21)  # not C1 + 42
    assert (third.earliest, third.latest) == (c2 + dt.timedelta(days=18), c2 + dt.timedelta(days=24))
    # the re-evaluation (cycle 3 day 18) moves with it
    reeval = s.occurrence("reevaluation", 1)
    assert reeval.target == c2 + dt.timedelta(days=21 + 17)
    assert reeval.projected


def test_cycles_not_started_are_projected_from_the_last_start():
    s = schedule(as_of=C1, **induction(C1))
    assert s.occurrence("induction-cycle", 3).target == C1 + dt.timedelta(days=42)
    assert s.occurrence("induction-cycle", 3).projected
    assert "projected" in s.occurrence("induction-cycle", 3).basis


def test_before_hipec_no_cycle_is_scheduled():
    s = visit_schedule(protocol=SEED, cohort="HER2-negative", branch=None,
                       dates=TreatmentDates(registration=REGISTRATION), as_of=REGISTRATION)
    assert s.of("induction-cycle") == ()
    assert s.occurrence("screening", 1).target == REGISTRATION - dt.timedelta(days=14)


def test_visits_anchored_on_a_cycle_count_cycle_days_from_1():
    c3 = C1 + dt.timedelta(days=42)
    s = schedule(as_of=c3, **induction(C1, C1 + dt.timedelta(days=21), c3))
    # cycle 3 day 18 = C3D1 + 17 days; surgery visit is day 36 = C3D1 + 35 days (not operated yet:
    # branch unknown, so only re-evaluation is listed)
    assert s.occurrence("reevaluation", 1).target == c3 + dt.timedelta(days=17)
    assert s.of("conversion-surgery") == ()
    operated = schedule(branch="operated", as_of=c3, **induction(C1, C1 + dt.timedelta(days=21), c3))
    surgery = operated.occurrence("conversion-surgery", 1)
    assert (surgery.target, surgery.earliest, surgery.latest) == (
        c3 + dt.timedelta(days=35), c3 + dt.timedelta(days=28), c3 + dt.timedelta(days=42))


# -- missed, due, upcoming -------------------------------------------------------------------

# post-hipec-review: HIPEC day 30, window -3/+7 -> target day 30, window day 27 to day 37


@pytest.mark.parametrize(
    ("as_of", "status"),
    [
        (day(26), VisitStatus.UPCOMING),
        (day(27), VisitStatus.DUE),
        (day(37), VisitStatus.DUE),  # last day of the window: not yet missed
        (day(38), VisitStatus.MISSED),  # the window closed before as_of
    ],
)
def test_a_visit_not_done_is_missed_only_after_its_window_closes(as_of, status):
    review = schedule(as_of=as_of).occurrence("post-hipec-review", 1)
    assert (review.target, review.earliest, review.latest) == (day(30), day(27), day(37))
    assert review.status is status


@pytest.mark.parametrize(
    ("done", "status"),
    [(day(26), VisitStatus.EARLY), (day(27), VisitStatus.ON_TIME), (day(37), VisitStatus.ON_TIME),
     (day(38), VisitStatus.LATE)],
)
def test_a_visit_done_is_judged_by_its_window(done, status):
    s = schedule(as_of=day(40), actual=[ActualVisit("post-hipec-review", 1, done)])
    assert s.occurrence("post-hipec-review", 1).status is status


# -- who has which visit ---------------------------------------------------------------------


def test_cohort_restricted_visits_apply_only_to_their_cohort():
    negative = schedule(cohort="HER2-negative", as_of=C1, **induction(C1))
    positive = schedule(cohort="HER2-positive", as_of=C1, **induction(C1))
    assert negative.of("lvef-monitoring") == ()
    assert negative.of("screening-cardiac") == ()
    assert positive.occurrence("lvef-monitoring", 1).target == C1 + dt.timedelta(days=84)
    assert len(positive.of("screening-cardiac")) == 1


def test_branch_visits_apply_once_the_branch_is_known():
    dates = induction(C1, C1 + dt.timedelta(21), C1 + dt.timedelta(42))
    as_of = C1 + dt.timedelta(60)
    undecided = schedule(as_of=as_of, **dates)
    not_operated = schedule(branch=Branch.NOT_OPERATED, as_of=as_of, **dates)
    assert undecided.of("continuation-cycle") == ()
    assert not_operated.occurrence("continuation-cycle", 1).target == C1 + dt.timedelta(63)
    assert not_operated.of("pathology") == ()
    operated = schedule(branch="operated", as_of=C1 + dt.timedelta(80), surgery=C1 + dt.timedelta(78), **dates)
    assert operated.occurrence("pathology", 1).target == C1 + dt.timedelta(78 + 14)
    assert operated.of("continuation-cycle") == ()


def test_adjuvant_cycle_1_is_due_35_days_after_surgery_in_a_7_day_window():
    surgery = C1 + dt.timedelta(78)
    s = schedule(branch="operated", as_of=surgery, surgery=surgery,
                 **induction(C1, C1 + dt.timedelta(21), C1 + dt.timedelta(42)))
    first = s.occurrence("adjuvant-cycle", 1)
    assert (first.target, first.earliest, first.latest) == (
        surgery + dt.timedelta(35), surgery + dt.timedelta(28), surgery + dt.timedelta(42))
    assert len(s.of("adjuvant-cycle")) == 5


def test_event_visits_have_no_schedule():
    assert schedule().of("adverse-event") == ()


# -- repeats -------------------------------------------------------------------------------


def test_tumour_assessments_repeat_every_42_days_until_surgery():
    starts = induction(C1, C1 + dt.timedelta(21), C1 + dt.timedelta(42))
    surgery = C1 + dt.timedelta(days=126)  # exactly the 3rd assessment's target day
    s = schedule(branch="operated", surgery=surgery, as_of=surgery, **starts)
    targets = [o.target for o in s.of("tumour-assessment-preop")]
    assert targets == [C1 + dt.timedelta(days=42), C1 + dt.timedelta(days=84)]


def test_open_ended_repeats_are_listed_up_to_the_next_window():
    starts = induction(C1, C1 + dt.timedelta(21), C1 + dt.timedelta(42))
    s = schedule(branch="not_operated", as_of=C1 + dt.timedelta(days=200), **starts)
    targets = [o.target for o in s.of("tumour-assessment-preop")]
    assert targets == [C1 + dt.timedelta(days=42 * k) for k in range(1, 6)]
    assert [o.status for o in s.of("tumour-assessment-preop")][-1] is VisitStatus.UPCOMING


def test_follow_up_repeats_until_the_protocols_last_day():
    eot = D(2027, 1, 10)
    s = schedule(as_of=eot, end_of_treatment=eot, last_dose=eot - dt.timedelta(days=5),
                 **induction(C1, C1 + dt.timedelta(21), C1 + dt.timedelta(42)))
    # every 91 days from day 91 while the day is <= 730: 91, 182, ..., 728 -> 8 visits
    assert [o.target for o in s.of("follow-up-3-monthly")] == [eot + dt.timedelta(91 * k) for k in range(1, 9)]
    # every 182 days from day 912 while <= 1826: 912, 1094, 1276, 1458, 1640, 1822 -> 6 visits
    assert len(s.of("follow-up-6-monthly")) == 6
    assert s.occurrence("safety-follow-up-30", 1).target == eot + dt.timedelta(days=25)


def test_after_end_of_treatment_no_further_cycle_is_projected():
    eot = C1 + dt.timedelta(days=30)
    s = schedule(as_of=eot, end_of_treatment=eot, **induction(C1, C1 + dt.timedelta(21)))
    assert [o.occurrence for o in s.of("induction-cycle")] == [1, 2]


def test_an_open_ended_phase_lists_its_cycles_and_the_next():
    starts = {"induction": [C1, C1 + dt.timedelta(21), C1 + dt.timedelta(42)],
              "continuation": [C1 + dt.timedelta(63), C1 + dt.timedelta(84), C1 + dt.timedelta(105)],
              "maintenance-not-operated": [C1 + dt.timedelta(126)]}
    s = schedule(branch="not_operated", as_of=C1 + dt.timedelta(130), cycle_starts=starts)
    maintenance = s.of("maintenance-not-operated-cycle")
    assert [o.occurrence for o in maintenance] == [1, 2]
    assert maintenance[1].target == C1 + dt.timedelta(147)


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field", "phrase"),
    [
        ({"cohort": "HER2-low"}, "cohort", "one of HER2-negative, HER2-positive"),
        ({"branch": "resected"}, "branch", "operated, not_operated"),
        ({"cycle_starts": {"induction": [C1, C1]}}, "cycle_starts[induction]", "a date after cycle 1"),
        ({"cycle_starts": {"induction": [C1, C1 + dt.timedelta(21), C1 + dt.timedelta(42),
                                         C1 + dt.timedelta(63)]}}, "cycle_starts[induction]", "at most 3"),
        ({"cycle_starts": {"induction": [D(2026, 4, 1)]}}, "cycle_starts[induction]", "on or before as_of"),
        ({"cycle_starts": {"induction": ["2026-03-22"]}}, "cycle_starts[induction]", "a date"),
        ({"cycle_starts": {"chemo": [C1]}}, "cycle_starts", "a phase of the protocol"),
        ({"cycle_starts": {"adjuvant": [C1]}}, "branch", "operated"),
        ({"branch": "not_operated", "surgery": C1}, "surgery", "absent for branch not_operated"),
        ({"registration": D(2026, 4, 1)}, "registration", "on or before as_of"),
        ({"actual": [ActualVisit("week-1", 1, C1)]}, "visit_id", "a scheduled visit"),
        ({"actual": [ActualVisit("adverse-event", 1, C1)]}, "visit_id", "a scheduled visit"),
        ({"actual": [ActualVisit("post-hipec-review", 2, C1)]}, "occurrence", "(1)"),
        ({"actual": [ActualVisit("pathology", 1, C1)]}, "occurrence", "none for this participant"),
        ({"actual": [ActualVisit("post-hipec-review", 0, C1)]}, "occurrence", "a whole number >= 1"),
        ({"actual": [ActualVisit("post-hipec-review", 1, D(2026, 4, 1))]}, "date", "on or before as_of"),
        ({"actual": [ActualVisit("post-hipec-review", 1, C1), ActualVisit("post-hipec-review", 1, C1)]},
         "occurrence", "given twice"),
        ({"actual": [ActualVisit("post-hipec-review", 1, C1, forms=("x-ray",))]}, "forms", "a form"),
    ],
)
def test_bad_schedule_input_is_refused_naming_the_field(kwargs, field, phrase):
    args = {"as_of": D(2026, 3, 25), **kwargs}
    with pytest.raises(InputError) as info:
        schedule(**args)
    assert info.value.field == field
    assert phrase in str(info.value)


def test_as_of_must_be_a_date():
    with pytest.raises(InputError) as info:
        schedule(as_of=dt.datetime(2026, 3, 25))
    assert info.value.field == "as_of"


# -- deviations ----------------------------------------------------------------------------


def dose(prescribed, given):
    return DoseGiven("tislelizumab", C1, prescribed, given, phase="induction", cycle=1)


@pytest.mark.parametrize(
    ("given", "deviation"),
    [
        (Decimal(212), True),  # 6 % above 200 mg, tolerance 5 %
        (Decimal(210), False),  # exactly 5 %: within the tolerance
        (Decimal(190), False),  # exactly 5 % below
        (Decimal(188), True),  # 6 % below
        (Decimal("210.01"), True),
        (200, False),
    ],
)
def test_a_dose_beyond_the_protocols_tolerance_is_a_deviation(given, deviation):
    s = schedule(as_of=C1, **induction(C1))
    report = deviations(protocol=SEED, schedule=s, doses=[dose(Decimal(200), given)])
    found = [d for d in report.deviations if d.kind is DeviationKind.DOSE]
    assert bool(found) is deviation
    assert report.dose_tolerance_percent == Decimal(5)


def test_a_dose_deviation_says_by_how_much():
    s = schedule(as_of=C1, **induction(C1))
    [found] = [d for d in deviations(protocol=SEED, schedule=s, doses=[dose(Decimal(200), Decimal(212))]).deviations
               if d.kind is DeviationKind.DOSE]
    assert found.subject == "tislelizumab induction cycle 1"
    assert found.detail == "given 212 mg, prescribed 200 mg: +6.0 % (tolerance 5 %)"


@pytest.mark.parametrize(
    ("bad", "field", "phrase"),
    [
        (DoseGiven("pembrolizumab", C1, Decimal(200), Decimal(200)), "doses[0].agent", "an agent"),
        (DoseGiven("tislelizumab", C1, 200.0, Decimal(200)), "doses[0].prescribed_mg", "a float would round"),  # type: ignore[arg-type]
        (DoseGiven("tislelizumab", C1, Decimal(200), Decimal(0)), "doses[0].given_mg", "an amount > 0 mg"),
        (DoseGiven("tislelizumab", C1, Decimal(0), Decimal(200)), "doses[0].prescribed_mg", "> 0"),
    ],
)
def test_bad_doses_are_refused(bad, field, phrase):
    s = schedule(as_of=C1, **induction(C1))
    with pytest.raises(InputError) as info:
        deviations(protocol=SEED, schedule=s, doses=[bad])
    assert info.value.field == field
    assert phrase in str(info.value)


def test_a_visit_out_of_window_is_a_deviation():
    late = day(29)
    s = schedule(as_of=day(30), actual=[ActualVisit("post-hipec-review", 1, day(30))], **induction(late))
    report = deviations(protocol=SEED, schedule=s)
    kinds = {(d.kind, d.subject) for d in report.deviations}
    assert (DeviationKind.VISIT_LATE, "induction-cycle #1") in kinds
    [found] = [d for d in report.deviations if d.subject == "induction-cycle #1"]
    assert found.detail == "done 2026-03-30 (+8 days from target 2026-03-22); window 2026-03-15 to 2026-03-29"


def test_an_excused_delay_is_not_a_deviation():
    late = day(29)
    s = schedule(as_of=late, **induction(late))
    report = deviations(protocol=SEED, schedule=s, excused=[("induction-cycle", 1)])
    assert not [d for d in report.deviations if d.subject == "induction-cycle #1"]


def test_a_missed_required_visit_is_a_deviation_but_not_an_upcoming_one():
    s = schedule(as_of=day(38), actual=[ActualVisit("screening", 1, REGISTRATION - dt.timedelta(7)),
                                        ActualVisit("registration", 1, REGISTRATION),
                                        ActualVisit("day0-laparoscopy-hipec", 1, HIPEC)],
                 **induction(day(21)))
    missed = [d.subject for d in deviations(protocol=SEED, schedule=s).deviations
              if d.kind is DeviationKind.MISSED_VISIT]
    assert missed == ["post-hipec-review #1"]
    before = schedule(as_of=day(37), actual=[ActualVisit("screening", 1, REGISTRATION - dt.timedelta(7)),
                                             ActualVisit("registration", 1, REGISTRATION),
                                             ActualVisit("day0-laparoscopy-hipec", 1, HIPEC)],
                      **induction(day(21)))
    assert not [d for d in deviations(protocol=SEED, schedule=before).deviations
                if d.kind is DeviationKind.MISSED_VISIT]


def test_a_projected_visit_is_not_reported_missed():
    # Cycle 2 never started: its day-1 visit is missed; cycle 3 is only a projection.
    s = schedule(as_of=C1 + dt.timedelta(days=70), end_of_treatment=None, **induction(C1))
    missed = {d.subject for d in deviations(protocol=SEED, schedule=s).deviations
              if d.kind is DeviationKind.MISSED_VISIT}
    assert "induction-cycle #2" in missed
    assert "induction-cycle #3" not in missed
    assert s.occurrence("induction-cycle", 3).status is VisitStatus.MISSED


def test_a_required_form_not_completed_is_a_missed_assessment():
    visit = ActualVisit("induction-cycle", 1, C1, forms=("vital_signs", "ecog_assessment", "cycle_assessment",
                                                        "dosing"))
    s = schedule(as_of=C1, actual=[visit], **induction(C1))
    assert s.occurrence("induction-cycle", 1).missing_forms == ("labs",)
    found = [d for d in deviations(protocol=SEED, schedule=s).deviations
             if d.kind is DeviationKind.MISSED_ASSESSMENT]
    assert [(d.subject, d.detail) for d in found] == [("induction-cycle #1", "required form labs not completed")]


def test_event_visits_take_the_event_date_when_no_visit_date_is_recorded() -> None:
    # Registration 2026-01-05, HIPEC (day 0) 2026-01-08: the seed's registration and day-0
    # visits record those events, so they are on time without a separate visit record;
    # day 0 is due 0 to 7 days after registration: 3 days after is on time.
    import datetime as dt

    from hipectrial.clinical.visits.schedule import TreatmentDates, VisitStatus, visit_schedule
    from hipectrial.protocol import load_protocol

    schedule = visit_schedule(
        protocol=load_protocol(), cohort="HER2-negative", branch=None,
        dates=TreatmentDates(registration=dt.date(2026, 1, 5), hipec=dt.date(2026, 1, 8)),
        actual=[], as_of=dt.date(2026, 1, 20))
    by_id = {o.visit_id: o for o in schedule.occurrences if o.occurrence == 1}
    assert (by_id["registration"].actual, by_id["registration"].status) == (dt.date(2026, 1, 5), VisitStatus.ON_TIME)
    day0 = by_id["day0-laparoscopy-hipec"]
    assert (day0.actual, day0.days_from_target, day0.status) == (dt.date(2026, 1, 8), 3, VisitStatus.ON_TIME)
