"""Course.truncated: the course as known at a data cut-off."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.simulate.course.helpers import errors, params, run

from hipectrial.data import VitalStatus
from hipectrial.protocol import Protocol
from hipectrial.simulate.course.run import Course


def _dates(course: Course) -> list[dt.date]:
    found: list[dt.date] = [v.actual_date for v in course.visits if v.actual_date is not None]
    found += [d.date for d in course.doses] + [r.date for r in course.lab_results]
    found += [a.onset_date for a in course.adverse_events]
    found += [a.resolution_date for a in course.adverse_events if a.resolution_date is not None]
    found += [t.date for t in course.tumour_assessments] + [s.date for s in course.surgeries]
    found += [f.date for f in course.follow_ups]
    found += [c.onset_date for s in course.surgeries for c in s.complications]
    p = course.participant
    found += [d for d in (p.off_treatment_date, p.off_study_date) if d is not None]
    found += [v for f in course.form_records for v in f.values.values() if isinstance(v, dt.date)]
    return found


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("months", [2, 5, 14, 30])
def test_nothing_after_the_cutoff_and_still_valid(protocol: Protocol, seed: int, months: int) -> None:
    course = run(protocol, seed=seed, dlt_probability=0.3, her2=seed % 2 == 1)
    cutoff = course.participant.registration_date + dt.timedelta(days=round(months * 30.44))  # type: ignore[operator]
    cut = course.truncated(cutoff)
    assert all(d <= cutoff for d in _dates(cut))
    assert errors(protocol, cut) == []
    assert set(cut.doses) <= set(course.doses)
    assert len(cut.visits) == sum(1 for v in course.visits if v.actual_date and v.actual_date <= cutoff)


def test_a_death_after_the_cutoff_disappears(protocol: Protocol) -> None:
    deadly = params(post_progression_death_monthly_hazard=2.0,
                    response={"cr": 0, "pr": 0, "sd": 0, "pd": 1}, dropout_monthly_hazard=0.0)
    course = run(protocol, deadly, seed=3)
    death = next(f.death_date for f in course.follow_ups if f.vital_status is VitalStatus.DEAD)
    assert death is not None
    assert course.participant.off_study_reason == "death"
    cut = course.truncated(death - dt.timedelta(days=1))
    assert all(f.vital_status is VitalStatus.ALIVE for f in cut.follow_ups)
    assert cut.participant.off_study_date is None
    assert cut.participant.off_study_reason is None
    assert cut.truncated(death - dt.timedelta(days=1)) == cut


def test_an_ae_ongoing_at_the_cutoff_has_no_resolution(protocol: Protocol) -> None:
    course = run(protocol, seed=4)
    event = next(e for e in course.adverse_events if e.resolution_date is not None
                 and (e.resolution_date - e.onset_date).days > 2)
    cut = course.truncated(event.onset_date + dt.timedelta(days=1))
    same = [e for e in cut.adverse_events if e.key == event.key]
    assert len(same) == 1
    assert same[0].resolution_date is None


def test_outcomes_known_after_the_cutoff_are_not_reported(protocol: Protocol) -> None:
    course = run(protocol, seed=1, dlt_probability=1.0)
    assert course.dlt
    early = course.truncated(course.dlt_known_on - dt.timedelta(days=1))
    assert not early.dlt
    assert course.truncated(course.dlt_known_on).dlt
