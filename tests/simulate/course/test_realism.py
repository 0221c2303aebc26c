"""The scenario's realism rates reach the records: attribution judged unrelated or unlikely,
outcomes with sequelae, and deaths due to an adverse event recorded at grade 5 (CTCAE v5.0)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.simulate.course.helpers import IMMORTAL, NO_COMPLICATION, QUIET, errors, params, run

from hipectrial.clinical.dosing.inputs import Attribution
from hipectrial.data import AeOutcome, AssessmentMethod
from hipectrial.protocol import Protocol

SD = {"cr": 0.0, "pr": 0.0, "sd": 1.0, "pd": 0.0}


def _diarrhoea(**judged: float) -> list[dict[str, Any]]:
    return [{"term": "Diarrhea", "grade_probabilities": {3: 1.0}, "attributed_to": ["s-1"],
             "immune_related": False, "serious_if_grade_at_least": 4, "duration_days": 3,
             "unrelated_probability": 0.0, "unlikely_probability": 0.0, "sequelae_probability": 0.0,
             **judged}]


@pytest.mark.parametrize(("judged", "level"), [({"unrelated_probability": 1.0}, Attribution.UNRELATED),
                                               ({"unlikely_probability": 1.0}, Attribution.UNLIKELY)])
def test_an_event_judged_not_related_does_not_reduce_the_agent(protocol: Protocol, judged: dict[str, float],
                                                               level: Attribution) -> None:
    # Rule diarrhoea-g3 reduces S-1 by attribution: an unrelated or unlikely-related episode
    # reduces nothing (PD §Dose modification: agents are modified by attribution).
    course = run(protocol, params(**{**QUIET, **IMMORTAL, "adverse_events": _diarrhoea(**judged)},
                                  response=SD))
    diarrhoea = [e for e in course.adverse_events if e.term == "Diarrhea"]
    assert diarrhoea
    assert all(e.attribution == {"s-1": level} for e in diarrhoea)
    assert not any(e.related_agents for e in diarrhoea)
    s1 = [d for d in course.doses if d.agent == "s-1" and d.phase == "induction"]
    assert {d.given for d in s1} == {s1[0].prescribed}
    assert errors(protocol, course) == []


def test_related_episodes_keep_possible_or_probable(protocol: Protocol) -> None:
    course = run(protocol, params(**{**QUIET, **IMMORTAL, "adverse_events": _diarrhoea()}, response=SD))
    assert all(e.attribution == {"s-1": Attribution.PROBABLE}
               for e in course.adverse_events if e.term == "Diarrhea")


def test_resolved_episodes_can_leave_sequelae(protocol: Protocol) -> None:
    aes = _diarrhoea(sequelae_probability=1.0)
    course = run(protocol, params(**{**QUIET, **IMMORTAL, "adverse_events": aes}, response=SD))
    outcomes = {e.outcome for e in course.adverse_events if e.resolution_date is not None}
    assert outcomes == {AeOutcome.RECOVERED_WITH_SEQUELAE}
    assert errors(protocol, course) == []


@pytest.mark.parametrize(("related", "level"), [(1.0, Attribution.POSSIBLE), (0.0, Attribution.UNLIKELY)])
def test_a_post_operative_death_is_its_complication_at_grade_5(protocol: Protocol, related: float,
                                                                level: Attribution) -> None:
    fatal = {"complications": NO_COMPLICATION, "postoperative_death_probability": 1.0,
             "fatal_ae_term": "Multi-organ failure", "fatal_ae_related_probability": related}
    course = run(protocol, params(**{**QUIET, **IMMORTAL, "hipec_laparoscopy": fatal}, response=SD))
    death = next(f for f in course.follow_ups if f.death_date is not None)
    assert death.cause_of_death == "surgical_complication"
    grade5 = [e for e in course.adverse_events if e.grade == 5]
    assert [(e.term, e.outcome, e.onset_date, e.serious) for e in grade5] == [
        ("Multi-organ failure", AeOutcome.FATAL, death.death_date, True)]
    assert grade5[0].attribution == {"hipec-paclitaxel": level}
    assert errors(protocol, course) == []


def _dies_on_treatment(ae_share: float, related_share: float) -> dict[str, Any]:
    return {**QUIET, "response": SD, "dropout_monthly_hazard": 0.0,
            "progression_hazard": [{"from_day": 0, "monthly_hazard": 0.0}],
            "death_without_progression_hazard": [{"from_day": 0, "monthly_hazard": 0.5}],
            "death_without_progression_ae_share": ae_share,
            "death_without_progression_treatment_related_share": related_share,
            "fatal_ae_terms": ["Sepsis", "Death NOS"]}


@pytest.mark.parametrize(("related_share", "term", "cause"), [(1.0, "Sepsis", "treatment_toxicity"),
                                                              (0.0, "Death NOS", "other_cause")])
def test_a_death_due_to_an_adverse_event_on_treatment_is_recorded_at_grade_5(
        protocol: Protocol, related_share: float, term: str, cause: str) -> None:
    found = 0
    for seed in range(1, 9):
        course = run(protocol, params(**_dies_on_treatment(1.0, related_share)), seed=seed)
        deaths = [f for f in course.follow_ups if f.death_date is not None]
        systemic = [d.date for d in course.doses if d.phase is not None]
        if not deaths or not systemic or (deaths[0].death_date - max(systemic)).days > 90:
            continue   # no systemic dose, or after the SAE period (90 days after the last dose)
        found += 1
        grade5 = [e for e in course.adverse_events if e.grade == 5]
        assert [(e.term, e.onset_date) for e in grade5] == [(term, deaths[0].death_date)]
        assert deaths[0].cause_of_death == cause
        assert bool(grade5[0].related_agents) is (related_share == 1.0)
        assert errors(protocol, course) == []
    assert found >= 3


def test_deaths_not_due_to_an_adverse_event_have_no_grade_5_event(protocol: Protocol) -> None:
    for seed in range(1, 6):
        course = run(protocol, params(**_dies_on_treatment(0.0, 1.0)), seed=seed)
        assert not any(e.grade == 5 for e in course.adverse_events)
        assert all(f.cause_of_death in (None, "other_cause") for f in course.follow_ups)


def test_progression_can_be_found_at_the_first_ct(protocol: Protocol) -> None:
    # Every participant has PD, all of them at the first on-treatment CT (6 weeks after C1D1,
    # -7/+7 days: the protocol's tumour-assessment-preop visit); treatment stops there and
    # there is no re-evaluation.
    early = params(**QUIET, **IMMORTAL, response={"cr": 0, "pr": 0, "sd": 0, "pd": 1},
                   progression_at_first_ct_probability=1.0, measurable_disease_probability=1.0)
    for seed in range(1, 6):
        course = run(protocol, early, seed=seed)
        c1 = min(d.date for d in course.doses if d.phase == "induction")
        on_treatment = [a for a in course.tumour_assessments
                        if a.method is AssessmentMethod.CT and a.date > c1]
        assert len(on_treatment) == 1
        first = on_treatment[0].date
        assert abs((first - (c1 + dt.timedelta(days=42))).days) <= 7
        assert [f.progression_date for f in course.follow_ups if f.progression_date] [:1] == [first]
        assert course.participant.off_treatment_reason == "progression"
        assert not any(v.visit_id == "reevaluation" for v in course.visits)
        assert not course.r0
        assert course.r0_known_on == first
        assert all(d.date < first for d in course.doses if d.phase is not None)
        assert errors(protocol, course) == []


def test_without_early_progression_every_progressor_is_seen_at_reevaluation(protocol: Protocol) -> None:
    late = params(**QUIET, **IMMORTAL, response={"cr": 0, "pr": 0, "sd": 0, "pd": 1},
                  progression_at_first_ct_probability=0.0)
    course = run(protocol, late, seed=1)
    reevaluation = next(v.actual_date for v in course.visits if v.visit_id == "reevaluation")
    assert [f.progression_date for f in course.follow_ups if f.progression_date][:1] == [reevaluation]
