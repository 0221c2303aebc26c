"""Pickling between processes (hipectrial.simulate.parallel.transfer) against the standard pickle:
the same objects come back, and classes the fast path is not for keep their own pickling."""

from __future__ import annotations

import datetime as dt
import pickle
from dataclasses import dataclass, field
from decimal import Decimal

from hipectrial.protocol import Protocol
from hipectrial.simulate.course.run import simulate_course
from hipectrial.simulate.parallel import transfer
from hipectrial.simulate.parallel.executor import CourseJob, run_courses
from hipectrial.simulate.scenario.world import Scenario
from hipectrial.simulate.screening.accrual import STREAM_SCREENING, stream
from hipectrial.simulate.screening.screen import ScreeningContext, screen_person
from hipectrial.simulate.types import Enrolment


@dataclass(frozen=True, slots=True)
class Point:
    x: int
    label: str = "p"
    tags: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Derived(Point):
    when: dt.date = dt.date(2027, 1, 1)


@dataclass(frozen=True, slots=True)
class Empty:
    pass


@dataclass(frozen=True)
class NoSlots:
    value: Decimal


@dataclass(frozen=True, slots=True)
class OwnReduction:
    value: int

    def __reduce__(self) -> tuple[type[OwnReduction], tuple[int]]:
        return OwnReduction, (self.value * 2,)  # deliberately visible: doubles on the way


def test_frozen_slotted_records_come_back_equal() -> None:
    values = [Point(1), Derived(2, "q", ("a", "b"), dt.date(2030, 2, 28)), NoSlots(Decimal("1.10")),
              {"nested": [Point(3)]}, None, (Derived(4),), Empty()]
    back = transfer.loads(transfer.dumps(values))
    assert back == values
    assert type(back[1]) is Derived
    assert back[1].when == dt.date(2030, 2, 28)
    assert back == pickle.loads(pickle.dumps(values))


def test_a_class_with_its_own_reduction_keeps_it() -> None:
    assert transfer.loads(transfer.dumps(OwnReduction(5))) == OwnReduction(10)


def test_shared_objects_stay_shared() -> None:
    p = Point(7)
    a, b = transfer.loads(transfer.dumps([p, p]))
    assert a is b


def test_real_courses_come_back_equal(protocol: Protocol, default_scenario: Scenario) -> None:
    """Three courses of one registered person (the entry point the pool uses), compared
    with the standard pickle."""
    context = ScreeningContext(protocol, default_scenario)
    site = default_scenario.sites[0]
    screening = next(
        s for k in range(50)
        if (s := screen_person(context=context, site=site, participant_id=f"{site.id}-{k:03d}",
                               consent_date=dt.date(2027, 3, 1),
                               rng=stream(8, STREAM_SCREENING, 0, k))).registers)
    assert screening.registration_date is not None
    assert screening.cohort is not None
    enrolment = Enrolment(screening.profile(), screening.registration_date, screening.cohort,
                          "2", "part_b")
    jobs = [CourseJob(enrolment, (0, k), 0.1, 900) for k in range(3)]
    courses = run_courses(protocol, default_scenario.course, simulate_course, 8, jobs)
    back = transfer.loads(transfer.dumps(courses))
    assert back == courses
    assert back == pickle.loads(pickle.dumps(courses))
    assert [c.participant for c in back] == [c.participant for c in courses]
