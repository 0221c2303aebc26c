"""simulate_course: determinism, validity, doses, modifications, DLT, surgery, survival."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from tests.simulate.course.helpers import IMMORTAL, QUIET, enrolment, errors, params, run

from hipectrial.data import AssessmentMethod, CcScore, Cytology, ResidualTumour, VitalStatus
from hipectrial.protocol import Protocol
from hipectrial.simulate.course.run import simulate_course

SD = {"cr": 0.0, "pr": 0.0, "sd": 1.0, "pd": 0.0}


def _round5(x: Decimal) -> Decimal:
    return (x / 5).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 5


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_seed_gives_the_same_course(protocol: Protocol, seed: int) -> None:
    assert run(protocol, seed=seed, dlt_probability=0.3) == run(protocol, seed=seed, dlt_probability=0.3)


def test_different_seeds_give_different_courses(protocol: Protocol) -> None:
    assert run(protocol, seed=1).doses != run(protocol, seed=2).doses or \
        run(protocol, seed=1).adverse_events != run(protocol, seed=2).adverse_events


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(("her2", "part"), [(False, "part_a"), (True, "part_b")])
def test_records_pass_validation(protocol: Protocol, seed: int, her2: bool, part: str) -> None:
    course = run(protocol, seed=seed, dlt_probability=0.3, her2=her2, part=part)
    assert errors(protocol, course) == []


def test_doses_are_the_protocol_doses_for_the_recorded_body(protocol: Protocol) -> None:
    # 170 cm, 65 kg (PD §Dose calculation): BSA sqrt(170 x 65 / 3600) = 1.752 -> 1.75 m2;
    # oxaliplatin 130 x 1.75 = 227.5 -> 230 mg; S-1 band >= 1.50 m2 -> 60 mg; tislelizumab
    # 200 mg; HIPEC paclitaxel level 2: 125 x 1.75 = 218.75 -> 220 mg.
    course = run(protocol, params(**QUIET, **IMMORTAL, response=SD))
    doses = {(d.agent, d.phase, d.cycle): d for d in course.doses}
    bsa = Decimal(math.sqrt(170 * 65 / 3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert bsa == Decimal("1.75")
    assert doses[("oxaliplatin", "induction", 1)].prescribed == _round5(130 * bsa) == Decimal(230)
    assert doses[("s-1", "induction", 1)].given == Decimal(60)
    assert doses[("tislelizumab", "induction", 1)].given == Decimal(200)
    assert doses[("hipec-paclitaxel", None, None)].given == _round5(125 * bsa) == Decimal(220)
    weights = {f.visit_repeat: f.values["weight_kg"] for f in course.form_records
               if f.form_id == "vital_signs" and f.visit_id == "induction-cycle"}
    assert weights == {1: Decimal("65.0"), 2: Decimal("65.0"), 3: Decimal("65.0")}


def test_trastuzumab_loads_at_8_then_6_mg_per_kg(protocol: Protocol) -> None:
    course = run(protocol, params(**QUIET, **IMMORTAL, response=SD), her2=True)
    given = [d.given for d in course.doses if d.agent == "trastuzumab"]
    # 8 x 65 = 520 mg, then 6 x 65 = 390 mg (PD §Treatment flow 3).
    assert given[:3] == [Decimal(520), Decimal(390), Decimal(390)]


def test_grade_3_diarrhoea_reduces_s1_one_level_each_cycle(protocol: Protocol) -> None:
    # Diarrhoea grade 3 attributed to S-1 every cycle: rule diarrhoea-g3, S-1 -1 level
    # (60 -> 50 -> 40), at most two reductions, then S-1 stops (PD §Dose levels).
    diarrhoea = [{"term": "Diarrhea", "grade_probabilities": {3: 1.0}, "attributed_to": ["s-1"],
                  "immune_related": False, "serious_if_grade_at_least": 4, "unrelated_probability": 0.0,
                  "unlikely_probability": 0.0, "sequelae_probability": 0.0,
                  "duration_days": 3}]
    course = run(protocol, params(**{**QUIET, **IMMORTAL, "adverse_events": diarrhoea}, response=SD))
    s1 = [(d.cycle, d.given, d.change_reason) for d in course.doses
          if d.agent == "s-1" and d.phase == "induction"]
    assert [g for _, g, _ in s1] == [Decimal(60), Decimal(50), Decimal(40)]
    assert "diarrhoea-g3" in (s1[1][2] or "")
    oxaliplatin = [d.given for d in course.doses if d.agent == "oxaliplatin" and d.phase == "induction"]
    assert oxaliplatin == [Decimal(230)] * 3       # not attributed to oxaliplatin: full dose
    later = [d for d in course.doses if d.agent == "s-1" and d.phase != "induction"]
    assert later
    assert later[0].given == 0
    assert "discontinued" in (later[0].change_reason or "")


@pytest.mark.parametrize(("part", "flagged"), [("part_a", True), ("part_b", False)])
def test_dlt_probability_one_gives_a_dlt_in_the_window(protocol: Protocol, part: str, flagged: bool) -> None:
    course = run(protocol, params(**QUIET, **IMMORTAL), dlt_probability=1.0, part=part)
    serious = [e for e in course.adverse_events if e.grade >= 3 and e.related_agents]
    assert course.dlt
    assert course.dlt_evaluable
    hipec = next(d.date for d in course.doses if d.agent == "hipec-paclitaxel")
    c1 = next(d.date for d in course.doses if d.phase == "induction" and d.cycle == 1)
    window_end = max(c1, hipec + dt.timedelta(days=21)) + dt.timedelta(days=20)
    assert any(hipec <= e.onset_date <= window_end for e in serious)
    assert any(e.dlt for e in course.adverse_events) is flagged
    assert course.dlt_known_on <= window_end


def test_dlt_probability_zero_gives_no_dlt(protocol: Protocol) -> None:
    course = run(protocol, params(**QUIET, **IMMORTAL), dlt_probability=0.0)
    assert not course.dlt
    assert course.dlt_evaluable
    assert not any(e.dlt for e in course.adverse_events)
    c1 = next(d.date for d in course.doses if d.phase == "induction" and d.cycle == 1)
    assert course.dlt_known_on == c1 + dt.timedelta(days=20)


@pytest.mark.parametrize(("r1_share", "expected"), [(1.0, ResidualTumour.R1), (0.0, ResidualTumour.R2)])
def test_r1_or_r2_of_a_cy0_non_r0_operation_is_the_scenarios_rate(
        protocol: Protocol, r1_share: float, expected: ResidualTumour) -> None:
    forced = params(**QUIET, **IMMORTAL, response={"cr": 0, "pr": 1, "sd": 0, "pd": 0},
                    second_look_pci_change=[{"delta": -4, "probability": 1.0}],
                    cytology_reversion_probability=0.0, ecog_worsening_probability=0.0,
                    surgery_probability_if_eligible=1.0, r0_probability=0.0,
                    cy1_at_surgery_probability=0.0, r1_probability_if_cy0=r1_share,
                    measurable_disease_probability=1.0)
    for seed in range(1, 6):
        course = run(protocol, forced, seed=seed, cytology=Cytology.CY0)
        (surgery,) = [s for s in course.surgeries if s.procedure == "conversion_surgery_hipec"]
        assert surgery.r_status is expected
        assert (surgery.cc_score is CcScore.CC0) == (expected is ResidualTumour.R1)


def test_forced_surgery_and_r0_follow_the_conventions(protocol: Protocol) -> None:
    forced = params(**QUIET, **IMMORTAL, response={"cr": 0, "pr": 1, "sd": 0, "pd": 0},
                    second_look_pci_change=[{"delta": -4, "probability": 1.0}],
                    cytology_reversion_probability=0.0, ecog_worsening_probability=0.0,
                    surgery_probability_if_eligible=1.0, r0_probability=1.0, pcr_probability=0.0,
                    measurable_disease_probability=1.0)
    course = run(protocol, forced, cytology=Cytology.CY0)
    conversion = [s for s in course.surgeries if s.procedure == "conversion_surgery_hipec"]
    assert len(conversion) == 1
    surgery = conversion[0]
    assert (surgery.r_status, surgery.cc_score) == (ResidualTumour.R0, CcScore.CC0)
    at_surgery = [a for a in course.tumour_assessments
                  if a.method is AssessmentMethod.LAPAROTOMY and a.date == surgery.date]
    assert [a.cytology for a in at_surgery] == [Cytology.CY0]
    assert course.r0
    assert course.r0_known_on == surgery.date
    assert surgery.pathology is not None
    assert surgery.pathology.pcr is False
    assert [s.procedure for s in course.surgeries] == [
        "diagnostic_laparoscopy_hipec", "second_look_laparoscopy", "conversion_surgery_hipec"]
    hipec = [d for d in course.doses if d.agent == "hipec-paclitaxel"]
    assert [d.date for d in hipec][1] == surgery.date
    assert {d.phase for d in course.doses} >= {"induction", "adjuvant", "maintenance-operated"}
    mdt = [f for f in course.form_records if f.form_id == "reevaluation"]
    assert mdt[0].values["mdt_decision"] == "conversion_surgery"


def test_progression_at_reevaluation_stops_treatment(protocol: Protocol) -> None:
    course = run(protocol, params(**QUIET, response={"cr": 0, "pr": 0, "sd": 0, "pd": 1},
                                  progression_at_first_ct_probability=0.0))
    reevaluation = next(v.actual_date for v in course.visits if v.visit_id == "reevaluation")
    progressed = [f for f in course.follow_ups if f.progression_date is not None]
    assert progressed[0].progression_date == reevaluation
    assert course.participant.off_treatment_reason == "progression"
    assert not course.r0
    assert course.r0_known_on == reevaluation
    assert errors(protocol, course) == []


def test_without_hazards_the_participant_is_alive_at_the_horizon(protocol: Protocol) -> None:
    course = run(protocol, params(**QUIET, **IMMORTAL, response=SD), horizon_days=1826)
    assert all(f.vital_status is VitalStatus.ALIVE for f in course.follow_ups)
    assert course.participant.off_study_reason == "completed_follow_up"
    assert course.participant.off_study_date == dt.date(2025, 1, 20) + dt.timedelta(days=1826)
    assert max(f.date for f in course.follow_ups) > dt.date(2029, 1, 20)


def test_visits_have_planned_dates_and_missed_visits_have_no_record(protocol: Protocol) -> None:
    course = run(protocol, params(**IMMORTAL, response=SD, missed_visit_probability=1.0))
    scheduled = {v.visit_id for v in course.visits}
    assert "follow-up-3-monthly" not in scheduled
    assert "tumour-assessment-preop" not in scheduled
    assert "induction-cycle" in scheduled          # treatment visits are never missed
    assert all(v.planned_date is not None for v in course.visits
               if v.visit_id not in ("progression", "death", "end-of-study"))


@pytest.mark.parametrize(("start", "limit"), [("26.0", Decimal(25)), ("245.0", Decimal(250))])
def test_simulated_weight_stays_in_the_crfs_weight_range(protocol: Protocol, start: str,
                                                         limit: Decimal) -> None:
    """The CRF field weight_kg accepts 25-250 kg (the protocol's forms); a weight drifting
    past either end is recorded at that end (the old simulator clamped at 30 kg, below
    which the CRF still accepts a weight, and not at all above)."""
    drifting = params(**{**QUIET, "weight_change_probability": 1.0, "weight_change_sd_percent": 20.0},
                      **IMMORTAL, response={"cr": 0, "pr": 0, "sd": 1, "pd": 0})
    base = enrolment()
    person = dataclasses.replace(base, profile=dataclasses.replace(base.profile, weight_kg=Decimal(start)))
    reached = False
    for seed in (1, 2, 3):
        course = simulate_course(protocol=protocol, params=drifting, enrolment=person, dlt_probability=0.0,
                                 rng=np.random.default_rng(seed))
        weights = [r.values["weight_kg"] for r in course.form_records if r.form_id == "vital_signs"]
        assert len(weights) > 10
        assert all(isinstance(w, Decimal) and Decimal(25) <= w <= Decimal(250) for w in weights)
        reached = reached or limit in weights
    assert reached
