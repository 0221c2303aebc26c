"""A visit is due only while the participant is on the schedule: death and off-study end every
visit, progression the visits whose protocol entry says ``ends_at: [progression]`` (the seed's
tumour assessments and re-evaluation). An occurrence not done whose window had not closed
before the stop (``latest >= stop``) is left out; one done is kept; one whose window closed
before the stop stays (missed).

Dates on the seed protocol (protocol-decisions.md "Treatment flow and timing"): HIPEC day 0 =
2026-03-01, induction cycle 1 day 1 on day 21 (2026-03-22). Tumour assessment before surgery
every 6 weeks (+-7 days) from C1D1: the seed's cycle day 43 = C1 + 42 days = day 63, window
day 56 to day 70; the next at day 105 (window day 98 to 112)."""

from __future__ import annotations

import datetime as dt

import pytest

from hipectrial.clinical.visits.schedule import (
    ActualVisit,
    StoppedVisit,
    TreatmentDates,
    VisitStatus,
    visit_schedule,
)
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol, load_protocol
from hipectrial.protocol.schedule import ScheduleEnd

SEED = load_protocol()
D = dt.date
REGISTRATION = D(2026, 2, 27)
HIPEC = D(2026, 3, 1)  # day 0


def day(n: int) -> dt.date:
    """Day n counted from HIPEC (day 0)."""
    return HIPEC + dt.timedelta(days=n)


C1 = day(21)
THREE_CYCLES = {"induction": [C1, day(42), day(63)]}
STOPS = ("death", "off_study", "progression")


def schedule(*, as_of: dt.date, actual=(), protocol: Protocol = SEED, branch=None, **dates):
    base = {"registration": REGISTRATION, "hipec": HIPEC, "cycle_starts": {"induction": [C1]}}
    return visit_schedule(protocol=protocol, cohort="HER2-negative", branch=branch,
                          dates=TreatmentDates(**{**base, **dates}), actual=actual, as_of=as_of)


def numbers(s, visit_id: str) -> list[int]:
    return [o.occurrence for o in s.of(visit_id)]


# -- the boundaries, for each stop: tumour-assessment-preop #1, window day 56 to day 70 -------


@pytest.mark.parametrize("stop", STOPS)
def test_a_stop_the_day_after_the_window_closed_leaves_the_visit_missed(stop):
    s = schedule(as_of=day(120), **{stop: day(71)})
    first = s.occurrence("tumour-assessment-preop", 1)
    assert (first.earliest, first.latest) == (day(56), day(70))
    assert first.status is VisitStatus.MISSED


@pytest.mark.parametrize("stop", STOPS)
def test_a_stop_on_the_windows_last_day_means_the_visit_is_not_due(stop):
    s = schedule(as_of=day(120), **{stop: day(70)})
    assert numbers(s, "tumour-assessment-preop") == []


@pytest.mark.parametrize("stop", STOPS)
def test_a_stop_before_the_window_opens_means_the_visit_is_not_due(stop):
    s = schedule(as_of=day(120), **{stop: day(55)})
    assert numbers(s, "tumour-assessment-preop") == []


@pytest.mark.parametrize("stop", STOPS)
def test_a_visit_done_on_the_stop_date_is_kept(stop):
    # The scan that showed progression, or a visit on the day the participant died or left.
    s = schedule(as_of=day(120), actual=[ActualVisit("tumour-assessment-preop", 1, day(62))],
                 **{stop: day(62)})
    first = s.occurrence("tumour-assessment-preop", 1)
    assert (first.actual, first.status) == (day(62), VisitStatus.ON_TIME)


@pytest.mark.parametrize("stop", STOPS)
def test_a_visit_done_before_the_stop_is_kept(stop):
    s = schedule(as_of=day(120), actual=[ActualVisit("tumour-assessment-preop", 1, day(58))],
                 **{stop: day(65)})
    assert s.occurrence("tumour-assessment-preop", 1).actual == day(58)


@pytest.mark.parametrize("stop", STOPS)
def test_a_visit_done_after_the_stop_is_kept_and_the_next_is_not_due(stop):
    # #2 (window day 98 to 112) done on day 100, after a stop on day 71; #1 (closed day 70)
    # stays missed; #3 (day 147, window 140 to 154) is not due.
    s = schedule(as_of=day(150), actual=[ActualVisit("tumour-assessment-preop", 2, day(100))],
                 **{stop: day(71)})
    assert [(o.occurrence, o.status) for o in s.of("tumour-assessment-preop")] == [
        (1, VisitStatus.MISSED), (2, VisitStatus.ON_TIME)]
    [stopped] = [x for x in s.stopped if x.visit_id == "tumour-assessment-preop"]
    assert (stopped.occurrences, stopped.onwards) == ((3,), True)


@pytest.mark.parametrize("stop", ["death", "off_study"])
def test_death_and_off_study_end_visits_without_ends_at(stop):
    # post-hipec-review: HIPEC + 30 days, -3/+7: window day 27 to day 37 (no ends_at).
    assert schedule(as_of=day(60), **{stop: day(38)}).occurrence("post-hipec-review", 1).status \
        is VisitStatus.MISSED
    assert numbers(schedule(as_of=day(60), **{stop: day(37)}), "post-hipec-review") == []


# -- which visits each stop ends -------------------------------------------------------------


def test_progression_does_not_end_a_visit_without_ends_at():
    # post-hipec-review (window day 27 to 37) has no ends_at: progression on day 30 leaves it
    # due, and missed once its window closed.
    s = schedule(as_of=day(60), progression=day(30))
    assert s.occurrence("post-hipec-review", 1).status is VisitStatus.MISSED
    assert not [x for x in s.stopped if x.visit_id == "post-hipec-review"]


def test_the_seeds_tumour_assessments_and_reevaluation_end_at_progression():
    ends = {v.id for v in SEED.visits if ScheduleEnd.PROGRESSION in v.ends_at}
    assert ends == {"tumour-assessment-preop", "reevaluation", "tumour-assessment-postop"}
    # Re-evaluation: cycle 3 day 18 = day 63 + 17 = day 80, window day 77 to 83.
    s = schedule(as_of=day(100), cycle_starts=THREE_CYCLES, progression=day(76))
    assert numbers(s, "reevaluation") == []
    assert schedule(as_of=day(100), cycle_starts=THREE_CYCLES, progression=day(84)) \
        .occurrence("reevaluation", 1).status is VisitStatus.MISSED


def test_post_operative_tumour_assessments_end_at_progression():
    # Surgery on day 98; every 84 days from day 84 after surgery (+-14): #1 target day 182,
    # window day 168 to 196; #2 window day 252 to 280. Progression on day 197: #1 stays
    # (closed day 196), #2 onwards not due (bounded by until_day: #2..#21 listed as stopped).
    surgery = day(98)
    s = schedule(branch="operated", surgery=surgery, cycle_starts=THREE_CYCLES, as_of=day(300),
                 progression=day(197))
    post = s.of("tumour-assessment-postop")
    assert [(o.occurrence, o.latest, o.status) for o in post] == [(1, day(196), VisitStatus.MISSED)]
    [stopped] = [x for x in s.stopped if x.visit_id == "tumour-assessment-postop"]
    # every 84 days from day 84 while <= 1826: 84, 168, ..., 1764 -> 21 occurrences.
    assert stopped.occurrences == tuple(range(2, 22))
    assert not stopped.onwards


def test_follow_up_visits_continue_after_progression():
    eot = D(2027, 1, 10)
    s = schedule(as_of=eot + dt.timedelta(400), end_of_treatment=eot, last_dose=eot - dt.timedelta(5),
                 cycle_starts=THREE_CYCLES, progression=eot + dt.timedelta(100))
    # every 91 days from day 91 to day 730 after end of treatment: 8 visits, none left out;
    # #1-#4 closed (the 4th at eot + 364 + 14 = 378 < 400) and not done: missed.
    follow = s.of("follow-up-3-monthly")
    assert [o.occurrence for o in follow] == list(range(1, 9))
    assert [o.status for o in follow[:4]] == [VisitStatus.MISSED] * 4
    assert len(s.of("follow-up-6-monthly")) == 6
    assert s.occurrence("safety-follow-up-90", 1).status is VisitStatus.MISSED
    assert {x.visit_id for x in s.stopped} == {"tumour-assessment-preop"}


@pytest.mark.parametrize(("stop", "words"), [("death", "death"), ("off_study", "off-study")])
def test_death_and_off_study_end_everything_including_safety_follow_up(stop, words):
    # Last dose 2027-01-05; safety follow-up 30 days after (window -3/+7: 2027-02-01 to
    # 2027-02-11); the stop on 2027-01-30 comes before either window closes.
    eot, last = D(2027, 1, 10), D(2027, 1, 5)
    stop_date = D(2027, 1, 30)
    s = schedule(as_of=D(2029, 6, 1), end_of_treatment=eot, last_dose=last, cycle_starts=THREE_CYCLES,
                 **{stop: stop_date})
    assert [o for o in s.occurrences if o.actual is None and o.latest >= stop_date] == []
    by_visit = {x.visit_id: x for x in s.stopped}
    assert by_visit["safety-follow-up-30"] == StoppedVisit(
        "safety-follow-up-30", (1,), stop_date, (ScheduleEnd(stop),))
    assert by_visit["safety-follow-up-90"].occurrences == (1,)
    assert by_visit["follow-up-3-monthly"].occurrences == tuple(range(1, 9))
    assert by_visit["follow-up-6-monthly"].occurrences == tuple(range(1, 7))
    assert f"safety-follow-up-30 #1 not due: stopped at {words} 2027-01-30" in s.steps
    assert f"follow-up-3-monthly #1-#8 not due: stopped at {words} 2027-01-30" in s.steps


def test_the_earliest_stop_is_named_and_a_tie_names_both():
    s = schedule(as_of=day(200), progression=day(60), death=day(65), off_study=day(65))
    # tumour-assessment-preop #1 (window day 56-70) and re-evaluation (projected cycle 3 on
    # day 63, day 18 = day 80, window 77-83) end at progression, day 60, the earliest stop.
    # Induction cycle 3 (projected: cycle 2 due day 42 not started, + 21 = day 63, window
    # 60-66) has no ends_at: it ends at death and off-study, both on day 65.
    ends = {x.visit_id: (x.date, x.events) for x in s.stopped}
    assert ends == {"tumour-assessment-preop": (day(60), (ScheduleEnd.PROGRESSION,)),
                    "reevaluation": (day(60), (ScheduleEnd.PROGRESSION,)),
                    "induction-cycle": (day(65), (ScheduleEnd.DEATH, ScheduleEnd.OFF_STUDY))}
    assert "tumour-assessment-preop #1 onwards not due: stopped at progression 2026-04-30" in s.steps
    assert "induction-cycle #3 not due: stopped at death and off-study 2026-05-05" in s.steps
    # Cycle 2 (window 39-45) and the post-HIPEC review (27-37) closed before any stop: missed.
    assert s.occurrence("induction-cycle", 2).status is VisitStatus.MISSED
    assert s.occurrence("post-hipec-review", 1).status is VisitStatus.MISSED


def test_an_open_ended_repeat_is_not_projected_past_the_stop():
    # No surgery: tumour assessments every 42 days with no end, #k on day 63 + 42 (k - 1).
    # As of day 400 without a stop they are listed to the first window not yet open: #9
    # (day 399) opens on day 392 <= 400, #10 (day 441) on day 434 > 400 -> #1..#10.
    assert numbers(schedule(as_of=day(400)), "tumour-assessment-preop") == list(range(1, 11))
    # Progression on day 110 (inside #2's window, day 98 to 112): #1 stays; the listing runs to
    # the first window not open by day 110 (#3, opening day 140), and #2, #3 are not due.
    s = schedule(as_of=day(400), progression=day(110))
    assert numbers(s, "tumour-assessment-preop") == [1]
    [stopped] = s.stopped
    assert (stopped.occurrences, stopped.onwards) == ((2, 3), True)
    assert "tumour-assessment-preop #2 onwards not due: stopped at progression 2026-06-19" in s.steps


def test_removing_ends_at_from_the_protocol_makes_the_scans_continue():
    visits = [v.model_copy(update={"ends_at": []}) if v.id == "tumour-assessment-preop" else v
              for v in SEED.visits]
    edited = SEED.model_copy(update={"visits": visits})
    s = schedule(as_of=day(120), progression=day(60), protocol=edited)
    # day 63 (56-70) and day 105 (98-112) closed before day 120, day 147 not yet open.
    assert [(o.occurrence, o.status) for o in s.of("tumour-assessment-preop")] == [
        (1, VisitStatus.MISSED), (2, VisitStatus.MISSED), (3, VisitStatus.UPCOMING)]
    assert [x.visit_id for x in s.stopped] == ["reevaluation"]  # still ends at progression


def test_without_stops_nothing_is_left_out():
    s = schedule(as_of=day(120))
    assert s.stopped == ()
    assert not [step for step in s.steps if "not due" in step]


@pytest.mark.parametrize("stop", STOPS)
def test_a_stop_date_after_as_of_is_refused(stop):
    with pytest.raises(InputError) as info:
        schedule(as_of=day(60), **{stop: day(61)})
    assert info.value.field == stop
    assert "on or before as_of (2026-04-30)" in str(info.value)


@pytest.mark.parametrize("stop", STOPS)
def test_a_stop_that_is_not_a_date_is_refused(stop):
    with pytest.raises(InputError) as info:
        schedule(as_of=day(60), **{stop: "2026-04-01"})
    assert info.value.field == stop
