"""Hand-built enrolments and checks shared by the course tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from typing import Any

import numpy as np

from hipectrial.data import Cytology, Finding, Severity, Sex, Site, TrialData, validate
from hipectrial.protocol import Protocol
from hipectrial.simulate.course.run import Course, simulate_course
from hipectrial.simulate.scenario.course import CourseParameters
from hipectrial.simulate.scenario.world import load_scenario
from hipectrial.simulate.types import Enrolment, LabValue, ScreeningProfile

REGISTRATION = dt.date(2025, 1, 20)
# A 170 cm, 65 kg man: Mosteller sqrt(170 x 65 / 3600) = 1.752 -> 1.75 m2.
HEIGHT, WEIGHT = Decimal("170"), Decimal("65.0")


def enrolment(*, her2: bool = False, part: str = "part_a", level: str = "2",
              pci: tuple[int, ...] = (1, 2, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0),
              cytology: Cytology = Cytology.CY1) -> Enrolment:
    labs = {
        "NEUT": LabValue(Decimal("3.6"), "10^9/L", Decimal("2.0"), Decimal("7.5")),
        "PLAT": LabValue(Decimal("210"), "10^9/L", Decimal("100"), Decimal("300")),
        "HGB": LabValue(Decimal("128"), "g/L", Decimal("120"), Decimal("160")),
        "ALT": LabValue(Decimal("25"), "U/L", None, Decimal("40")),
        "AST": LabValue(Decimal("27"), "U/L", None, Decimal("40")),
        "BILI": LabValue(Decimal("11.2"), "umol/L", Decimal("3.4"), Decimal("20.5")),
        "CREAT": LabValue(Decimal("78"), "umol/L", Decimal("44"), Decimal("133")),
    }
    profile = ScreeningProfile(
        participant_id="SH01-001", site_id="SH01", sex=Sex.MALE, birth_date=dt.date(1965, 3, 2),
        consent_date=dt.date(2025, 1, 6), screening_date=dt.date(2025, 1, 10), height_cm=HEIGHT,
        weight_kg=WEIGHT, ecog=1, labs=labs, pci=pci, cytology=cytology, her2_positive=her2,
        lvef_percent=Decimal("62") if her2 else None)
    return Enrolment(profile=profile, registration_date=REGISTRATION,
                     cohort="HER2-positive" if her2 else "HER2-negative", dose_level=level,
                     study_part=part)


def _merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in changes.items():
        old = out.get(key)
        out[key] = _merged(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
    return out


@cache
def default_params() -> CourseParameters:
    """The course of the shipped default scenario (the code has no defaults)."""
    return load_scenario("default").course


def params(**changes: Any) -> CourseParameters:
    """The default scenario's course with ``changes`` (mappings merge key by key)."""
    return CourseParameters.model_validate(_merged(default_params().model_dump(), changes))


def run(protocol: Protocol, p: CourseParameters | None = None, *, seed: int = 1,
        dlt_probability: float = 0.0, horizon_days: int | None = None, **enrol: Any) -> Course:
    return simulate_course(protocol=protocol, params=p or default_params(), enrolment=enrolment(**enrol),
                           dlt_probability=dlt_probability, rng=np.random.default_rng(seed),
                           horizon_days=horizon_days)


def as_trial(protocol: Protocol, course: Course) -> TrialData:
    return TrialData(
        protocol_id=protocol.study.id, protocol_version=protocol.study.version,
        generated_at=dt.datetime(2031, 1, 1, tzinfo=dt.UTC),
        sites=(Site(id="SH01", name="Shanghai General Hospital", country="CN"),),
        participants=(course.participant,), visits=course.visits, form_records=course.form_records,
        doses=course.doses, adverse_events=course.adverse_events, lab_results=course.lab_results,
        tumour_assessments=course.tumour_assessments, surgeries=course.surgeries,
        follow_ups=course.follow_ups)


def errors(protocol: Protocol, course: Course) -> list[Finding]:
    return [f for f in validate(as_trial(protocol, course), protocol) if f.severity is Severity.ERROR]


NO_COMPLICATION = dict.fromkeys(("I", "II", "IIIa", "IIIb", "IVa", "IVb"), 0.0)
QUIET = {"adverse_events": [], "missed_visit_probability": 0.0, "late_visit_probability": 0.0,
         "missing_lab_probability": 0.0, "weight_change_probability": 0.0,
         "hipec_laparoscopy": {"complications": NO_COMPLICATION, "postoperative_death_probability": 0.0},
         "conversion_surgery": {"complications": NO_COMPLICATION,
                                "postoperative_death_probability": 0.0}}
IMMORTAL = {"death_without_progression_hazard": [{"from_day": 0, "monthly_hazard": 0.0}],
            "progression_hazard": [{"from_day": 0, "monthly_hazard": 0.0}],
            "dropout_monthly_hazard": 0.0}
