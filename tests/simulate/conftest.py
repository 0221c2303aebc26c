"""Fixtures of the simulator tests: the seed protocol, the shipped scenarios, and a small
fake course for testing the orchestration alone (the real one is
``hipectrial.simulate.course.run.simulate_course``, run end to end in ``tests/simulate/trial/test_run.py``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from hipectrial.data import DoseAdministration, FormRecord, Participant, Visit
from hipectrial.protocol import Protocol, load_protocol
from hipectrial.simulate.scenario.world import Scenario, load_scenario
from hipectrial.simulate.types import Enrolment


@pytest.fixture(scope="session")
def protocol() -> Protocol:
    return load_protocol()


@pytest.fixture(scope="session")
def default_scenario() -> Scenario:
    return load_scenario("default")


def with_changes(scenario: Scenario, **changes: Any) -> Scenario:
    """The scenario with top-level fields replaced (validated again)."""
    data = scenario.model_dump()
    data.update(changes)
    return Scenario.model_validate(data)


@dataclass(frozen=True, slots=True)
class FakeCourse:
    """Registration records and the day-0 HIPEC dose (everyone is ITT) only; DLT and R0 drawn
    from the given probabilities."""

    participant: Participant
    visits: tuple[Visit, ...]
    form_records: tuple[FormRecord, ...]
    dlt: bool
    dlt_evaluable: bool
    dlt_known_on: dt.date
    r0: bool
    r0_known_on: dt.date
    doses: tuple[DoseAdministration, ...] = ()
    adverse_events: tuple[()] = ()
    lab_results: tuple[()] = ()
    tumour_assessments: tuple[()] = ()
    surgeries: tuple[()] = ()
    follow_ups: tuple[()] = ()

    def truncated(self, cutoff: dt.date) -> FakeCourse:
        return replace(self, visits=tuple(v for v in self.visits
                                          if v.actual_date is None or v.actual_date <= cutoff),
                       doses=tuple(d for d in self.doses if d.date <= cutoff))


class FakeCourseFunction:
    """``simulate_course`` stand-in: DLT with the level's probability, R0 with ``r0``;
    records every enrolment it was called with."""

    def __init__(self, r0: float = 0.4, dlt_days: int = 35, r0_days: int = 120) -> None:
        self.r0, self.dlt_days, self.r0_days = r0, dlt_days, r0_days
        self.enrolments: list[Enrolment] = []

    def __call__(self, *, protocol: Protocol, params: object, enrolment: Enrolment,
                 dlt_probability: float, rng: np.random.Generator,
                 horizon_days: int = 1826) -> FakeCourse:
        self.enrolments.append(enrolment)
        profile, reg = enrolment.profile, enrolment.registration_date
        pid = profile.participant_id
        participant = Participant(id=pid, site_id=profile.site_id, sex=profile.sex,
                                  birth_date=profile.birth_date, consent_date=profile.consent_date,
                                  registration_date=reg, cohort=enrolment.cohort,
                                  dose_level=enrolment.dose_level)
        form = FormRecord(participant_id=pid, form_id="registration", visit_id="registration",
                          values={"registration_date": reg, "eligibility_confirmed": True,
                                  "study_part": enrolment.study_part,
                                  "dose_level": enrolment.dose_level})
        hipec = DoseAdministration(participant_id=pid, agent=protocol.hipec.agents[0],
                                   date=reg + dt.timedelta(days=7), prescribed=Decimal(130),
                                   given=Decimal(130), unit="mg")
        return FakeCourse(participant=participant,
                          visits=(Visit(pid, "registration", 1, reg, reg),), form_records=(form,),
                          doses=(hipec,),
                          dlt=bool(rng.random() < dlt_probability), dlt_evaluable=True,
                          dlt_known_on=reg + dt.timedelta(days=self.dlt_days),
                          r0=bool(rng.random() < self.r0),
                          r0_known_on=reg + dt.timedelta(days=self.r0_days))
