"""Screening: accrual, the CRF records of screening, and verdicts that come from the
protocol's eligibility rules (recomputed here from the data as the conventions say)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from pydantic import ValidationError

from hipectrial.clinical import EligibilityResult, EligibilityStatus, evaluate_eligibility
from hipectrial.data import TrialData
from hipectrial.protocol import Protocol
from hipectrial.simulate.scenario.world import Scenario, load_scenario
from hipectrial.simulate.screening.accrual import STREAM_SCREENING, ArrivalStream, stream
from hipectrial.simulate.screening.screen import (
    Screening,
    ScreeningContext,
    eligibility_inputs,
    screen_person,
)
from hipectrial.simulate.trial.run import simulate_trial

from ..conftest import FakeCourseFunction, with_changes

ELIGIBILITY_VISITS = ("screening", "screening-cardiac")


def verdict_from_data(trial: TrialData, protocol: Protocol, participant_id: str) -> EligibilityResult:
    """The conventions' recomputation: the forms at the screening visits plus the staging
    laparoscopy (``lap_context`` diagnostic, unscheduled visit), as of the latest date."""
    values: dict[str, object] = {}
    dates: list[dt.date] = []
    for record in trial.form_records:
        if record.participant_id != participant_id:
            continue
        staging = record.visit_id == "unscheduled" and record.values.get("lap_context") == "diagnostic"
        if record.visit_id in ELIGIBILITY_VISITS or staging:
            values.update(record.values)
            dates += [v for v in record.values.values() if isinstance(v, dt.date)]
    return evaluate_eligibility(protocol=protocol, values=values, as_of=max(dates))


def _screen_many(protocol: Protocol, scenario: Scenario, count: int, seed: int = 7) -> list[Screening]:
    context = ScreeningContext(protocol, scenario)
    site = scenario.sites[0]
    return [screen_person(context=context, site=site, participant_id=f"{site.id}-{k + 1:03d}",
                          consent_date=dt.date(2027, 3, 1) + dt.timedelta(days=k),
                          rng=stream(seed, STREAM_SCREENING, 0, k)) for k in range(count)]


def test_low_anc_for_everyone_fails_i09_for_everyone(protocol: Protocol, default_scenario: Scenario) -> None:
    data = default_scenario.model_dump()
    data["baseline"]["labs"]["NEUT"].update(median=1.0, sd_log=0.0)  # ANC 1.0 < 1.5 x 10^9/L
    scenario = with_changes(default_scenario, baseline=data["baseline"], cutoff={"date": "2027-06-30"})
    result = simulate_trial(protocol, scenario, seed=3, course=FakeCourseFunction())
    trial = result.trial
    assert len(trial.participants) > 10
    assert not any(p.registered for p in trial.participants)
    for p in trial.participants:
        assert p.off_study_reason == "screen_failure"
        verdict = verdict_from_data(trial, protocol, p.id)
        assert verdict.status is EligibilityStatus.INELIGIBLE
        assert "I09" in verdict.failed
        anc = [r.values["anc"] for r in trial.form_records
               if r.participant_id == p.id and r.form_id == "labs"]
        assert anc == [Decimal("1.00")]
    assert result.cohorts == ()
    assert result.rp2d is None


def test_default_scenario_puts_some_outside_the_limits_and_none_incomplete(
        protocol: Protocol, default_scenario: Scenario) -> None:
    screenings = _screen_many(protocol, default_scenario, 60)
    failures = Counter(c for s in screenings for c in s.eligibility.failed)
    assert sum(failures.values()) > 5  # the default scenario puts people outside the limits
    assert Counter(s.eligibility.status for s in screenings)[EligibilityStatus.INCOMPLETE] == 0


def test_verdict_on_eligibility_inputs_equals_verdict_on_the_whole_record(
        protocol: Protocol, default_scenario: Scenario) -> None:
    """The optimised call (only the variables eligibility reads) against the obvious one."""
    for s in _screen_many(protocol, default_scenario, 80, seed=11):
        full = evaluate_eligibility(protocol=protocol, values=s.draw.values(), as_of=s.as_of)
        assert full.status is s.eligibility.status
        assert full.failed == s.eligibility.failed
        assert full.cohort.cohort == s.eligibility.cohort.cohort


def test_eligibility_inputs_cover_the_criteria_and_derived_inputs(protocol: Protocol) -> None:
    inputs = eligibility_inputs(protocol)
    # I15 reads crcl, derived from age (birth and consent dates), sex, weight and creatinine.
    assert {"crcl", "age", "birth_date", "consent_date", "sex", "weight_kg", "creatinine"} <= inputs
    assert {"her2_ihc", "her2_ish_ratio", "lvef", "pci_r12", "bilirubin_uln"} <= inputs
    assert "systolic_bp" not in inputs


def test_screening_records_follow_the_conventions(protocol: Protocol, default_scenario: Scenario) -> None:
    screenings = _screen_many(protocol, default_scenario, 120, seed=5)
    context = ScreeningContext(protocol, default_scenario)
    labs_units = {f.cdisc: f.unit for f in protocol.form("labs").fields if f.cdisc}
    her2_positive = 0
    for s in screenings:
        visits, forms, labs = s.records(context, registration_date=None)
        where = {f.form_id: f.visit_id for f in forms}
        assert {where[f] for f in ("demographics", "medical_history", "diagnosis", "biomarkers",
                                   "vital_signs", "ecog_assessment", "labs")} == {"screening"}
        assert where["laparoscopy"] == "unscheduled"
        lap = next(f for f in forms if f.form_id == "laparoscopy")
        assert lap.values["lap_context"] == "diagnostic"
        assert {v.visit_id for v in visits} >= {"screening", "unscheduled"}
        if s.draw.her2_positive:
            her2_positive += 1
            assert where["echocardiography"] == "screening-cardiac"
        else:
            assert "echocardiography" not in where
        for lab in labs:
            assert lab.unit == labs_units[lab.test_code]
            assert lab.date == s.draw.visit_date
        assert s.cohort == s.eligibility.cohort.cohort
        assert s.cohort == ("HER2-positive" if s.draw.her2_positive else "HER2-negative")
    assert her2_positive > 0


def test_screen_failure_ends_study_on_the_last_screening_date(
        protocol: Protocol, default_scenario: Scenario) -> None:
    failures = [s for s in _screen_many(protocol, default_scenario, 60, seed=2)
                if s.eligibility.status is EligibilityStatus.INELIGIBLE]
    assert failures
    for s in failures:
        participant = s.participant()
        assert participant.registration_date is None
        assert participant.off_study_reason == "screen_failure"
        assert participant.off_study_date == max(s.draw.visit_date, s.draw.laparoscopy_date,
                                                 s.draw.echo_date or s.draw.visit_date)


def test_eligible_people_who_decline_get_the_scenarios_reason(
        protocol: Protocol, default_scenario: Scenario) -> None:
    scenario = with_changes(default_scenario,
                            not_registered={"probability": 1.0, "reason": "consent_withdrawn"})
    for s in _screen_many(protocol, scenario, 30):
        if s.eligibility.status is EligibilityStatus.ELIGIBLE:
            assert not s.registers
            assert s.off_study_reason == "consent_withdrawn"
            assert s.off_study_date is not None
            assert s.off_study_date > s.as_of


def test_accrual_is_poisson_per_site_from_activation(default_scenario: Scenario) -> None:
    accrual = ArrivalStream(default_scenario, seed=1)
    end = default_scenario.start_date + dt.timedelta(days=3653)
    arrivals = []
    while accrual.peek().date < end:
        arrivals.append(accrual.next())
    assert [a.date for a in arrivals] == sorted(a.date for a in arrivals)
    for i, site in enumerate(default_scenario.sites):
        mine = [a for a in arrivals if a.site_index == i]
        activation = default_scenario.start_date + dt.timedelta(days=site.activation_day)
        assert min(a.date for a in mine) >= activation
        assert [a.number for a in mine] == list(range(len(mine)))
        expected = site.screened_per_month * (end - activation).days / 30.4375
        assert abs(len(mine) - expected) < 4 * expected ** 0.5  # Poisson: SD = sqrt(mean)


def test_drawing_arrivals_ahead_changes_none_of_them(default_scenario: Scenario) -> None:
    plain = ArrivalStream(default_scenario, seed=2)
    expected = [plain.next() for _ in range(60)]
    ahead = ArrivalStream(default_scenario, seed=2)
    assert ahead.at(45) == expected[45]      # draws 46 ahead, takes none
    assert ahead.taken == 0
    got = [ahead.next() for _ in range(30)]
    assert ahead.at(59) == expected[59]
    got += [ahead.next() for _ in range(30)]
    assert got == expected
    assert ahead.taken == 60


def test_an_arrival_already_taken_cannot_be_looked_up(default_scenario: Scenario) -> None:
    accrual = ArrivalStream(default_scenario, seed=2)
    accrual.next()
    with pytest.raises(ValueError, match="arrival 0 was taken already"):
        accrual.at(0)


def test_participant_ids_are_numbered_per_site(protocol: Protocol, default_scenario: Scenario) -> None:
    trial = simulate_trial(protocol, default_scenario, seed=4, participants=12,
                           course=FakeCourseFunction()).trial
    by_site: dict[str, list[int]] = {}
    for p in trial.participants:
        site, _, number = p.id.partition("-")
        assert site == p.site_id
        assert len(number) == 3
        by_site.setdefault(site, []).append(int(number))
    for numbers in by_site.values():
        assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize("seed", [1, 2])
def test_verdicts_recomputed_from_the_data_match_the_registrations(
        protocol: Protocol, default_scenario: Scenario, seed: int) -> None:
    trial = simulate_trial(protocol, default_scenario, seed=seed, participants=15,
                           course=FakeCourseFunction()).trial
    for p in trial.participants:
        verdict = verdict_from_data(trial, protocol, p.id)
        if p.registered:
            assert verdict.status is EligibilityStatus.ELIGIBLE
            assert p.cohort == verdict.cohort.cohort
        elif p.off_study_reason == "screen_failure":
            assert verdict.status is EligibilityStatus.INELIGIBLE
            assert verdict.failed


def test_tumour_mixes_come_from_the_scenario(protocol: Protocol, default_scenario: Scenario) -> None:
    data = default_scenario.model_dump()
    data["baseline"]["tumour"].update(
        her2_positive_ihc3=0.0, her2_negative_ihc={"ihc1plus": 1.0}, histology={"mucinous": 1.0},
        lauren={"intestinal": 1.0}, ascites={"massive": 1.0}, egj_siewert={"egj_siewert_iii": 1.0},
        distant_metastasis_sites={"lung": 1.0})
    data["baseline"]["conditions"].update(egj_primary=0.5, distant_metastasis_other=0.5)
    scenario = with_changes(default_scenario, baseline=data["baseline"], her2_positive=0.5)
    screenings = _screen_many(protocol, scenario, 40)
    diagnoses = [s.draw.forms["diagnosis"] for s in screenings]
    assert {d["lauren_type"] for d in diagnoses} == {"intestinal"}
    assert {d["ascites_baseline"] for d in diagnoses} == {"massive"}
    assert {d["histology"] for d in diagnoses} <= {"mucinous", "not_adenocarcinoma"}
    assert {d["primary_site"] for d in diagnoses} == {"stomach", "egj_siewert_iii"}
    assert {d.get("distant_metastasis_sites") for d in diagnoses} == {None, "lung"}
    ihc = {(s.draw.her2_positive, s.draw.forms["biomarkers"]["her2_ihc"]) for s in screenings}
    assert ihc == {(True, "ihc2plus"), (False, "ihc1plus")}


def test_the_tumour_mixes_have_no_code_default(default_scenario: Scenario) -> None:
    for field in ("lauren", "egj_siewert", "distant_metastasis_sites"):
        missing = default_scenario.model_dump()
        del missing["baseline"]["tumour"][field]
        with pytest.raises(ValidationError, match=field):
            Scenario.model_validate(missing)
    for name in ("toxic", "ineffective"):  # inherited from default through extends
        assert load_scenario(name).baseline.tumour == default_scenario.baseline.tumour
