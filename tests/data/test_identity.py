"""The participant record is the one source of sex, birth date and consent date: the
demographics form must agree with it (participant_contradictions, and validate() with it)."""

from __future__ import annotations

import datetime as dt

import pytest

from hipectrial.data import (
    FormRecord,
    Participant,
    Severity,
    Sex,
    Site,
    TrialData,
    Visit,
    participant_contradictions,
    validate,
)
from hipectrial.protocol import Protocol, load_protocol

from .edits import replaced

D = dt.date
P = "SH01-001"
# the reviewer's case: a participant born 1950 (76 at consent), a form saying 1990 (36)
PERSON = Participant(id=P, site_id="SH01", sex=Sex.MALE, birth_date=D(1950, 3, 1), consent_date=D(2026, 3, 2))
AGREEING = {"consent_obtained": True, "consent_date": D(2026, 3, 2), "consent_version": "1.0",
            "birth_date": D(1950, 3, 1), "sex": "male"}


@pytest.fixture(scope="module")
def seed() -> Protocol:
    return load_protocol()


def _trial(values: dict[str, object], participant: Participant = PERSON) -> TrialData:
    return TrialData(
        protocol_id="HIPEC-PD1-SOX", protocol_version="1.0",
        generated_at=dt.datetime(2026, 3, 5, 9, tzinfo=dt.UTC),
        sites=(Site(id="SH01", name="Shanghai General Hospital", country="CN"),),
        participants=(participant,),
        visits=(Visit(participant_id=P, visit_id="screening", actual_date=D(2026, 3, 3)),),
        form_records=(FormRecord(participant_id=P, form_id="demographics", visit_id="screening",
                                 values=values),),  # type: ignore[arg-type]
    )


def _contradictions(values: dict[str, object], participant: Participant = PERSON) -> list[tuple[str, object, object]]:
    found = participant_contradictions(participant=participant, form_id="demographics",
                                       values=values)  # type: ignore[arg-type]
    return [(c.field, c.recorded, c.given) for c in found]


def test_values_equal_to_the_participant_record_agree() -> None:
    assert _contradictions(AGREEING) == []


def test_a_blank_identity_value_does_not_contradict() -> None:
    assert _contradictions({"consent_obtained": True}) == []
    assert _contradictions({"sex": None, "birth_date": None, "consent_date": None}) == []


def test_a_later_birth_date_on_the_form_contradicts_the_record() -> None:
    assert _contradictions({**AGREEING, "birth_date": D(1990, 3, 1)}) == [
        ("birth_date", D(1950, 3, 1), D(1990, 3, 1))]


def test_an_earlier_birth_date_on_the_form_contradicts_the_record() -> None:
    # the other direction: the record younger than the form, by one day
    assert _contradictions({**AGREEING, "birth_date": D(1950, 2, 28)}) == [
        ("birth_date", D(1950, 3, 1), D(1950, 2, 28))]


def test_the_other_sex_on_the_form_contradicts_the_record_either_way() -> None:
    assert _contradictions({**AGREEING, "sex": "female"}) == [("sex", "male", "female")]
    woman = Participant(id=P, site_id="SH01", sex=Sex.FEMALE, birth_date=D(1950, 3, 1),
                        consent_date=D(2026, 3, 2))
    assert _contradictions({**AGREEING, "sex": "male"}, woman) == [("sex", "female", "male")]
    assert _contradictions({**AGREEING, "sex": "female"}, woman) == []


def test_a_consent_date_a_day_off_contradicts_the_record_both_ways() -> None:
    assert _contradictions({**AGREEING, "consent_date": D(2026, 3, 3)}) == [
        ("consent_date", D(2026, 3, 2), D(2026, 3, 3))]
    assert _contradictions({**AGREEING, "consent_date": D(2026, 3, 1)}) == [
        ("consent_date", D(2026, 3, 2), D(2026, 3, 1))]


def test_a_date_time_is_not_the_records_date() -> None:
    assert _contradictions({"birth_date": dt.datetime(1950, 3, 1, tzinfo=dt.UTC)}) == [
        ("birth_date", D(1950, 3, 1), dt.datetime(1950, 3, 1, tzinfo=dt.UTC))]


def test_every_contradiction_is_reported_in_field_order() -> None:
    values = {"sex": "female", "birth_date": D(1990, 3, 1), "consent_date": D(2026, 3, 1)}
    assert [field for field, _, _ in _contradictions(values)] == ["sex", "birth_date", "consent_date"]


def test_other_forms_are_not_the_identity_form() -> None:
    assert participant_contradictions(participant=PERSON, form_id="medical_history",
                                      values={"sex": "female"}) == ()


def test_validate_accepts_a_demographics_form_that_agrees(seed: Protocol) -> None:
    assert [str(f) for f in validate(_trial(AGREEING), seed)] == []


def test_validate_reports_the_form_contradicting_the_participant(seed: Protocol) -> None:
    findings = validate(_trial({**AGREEING, "birth_date": D(1990, 3, 1)}), seed)
    assert len(findings) == 1, [str(f) for f in findings]
    finding = findings[0]
    assert (finding.severity, finding.location, finding.key) == (
        Severity.ERROR, "form_records[0].values.birth_date", "SH01-001/screening#1/demographics")
    assert "birth_date '1990-03-01' on the demographics form" in finding.message
    assert "participant record's birth_date '1950-03-01'" in finding.message


def test_validate_reports_a_participant_corrected_without_the_form(seed: Protocol) -> None:
    # the participant record's sex changed, the form left as it was
    trial = replaced(_trial(AGREEING), "participants", 0, sex=Sex.FEMALE)
    findings = [f for f in validate(trial, seed) if f.severity is Severity.ERROR]
    assert [(f.location, f.message.split(";")[0]) for f in findings] == [
        ("form_records[0].values.sex",
         "sex 'male' on the demographics form contradicts the participant record's sex 'female'")]


def test_validate_does_not_report_a_blank_identity_value(seed: Protocol) -> None:
    values = {k: v for k, v in AGREEING.items() if k != "birth_date"}
    findings = validate(_trial(values), seed)
    # the blank required field is the form's own warning, not a contradiction
    assert [(f.severity, f.location) for f in findings] == [
        (Severity.WARNING, "form_records[0].values.birth_date")]
    assert "required field 'birth_date' is blank" in findings[0].message


def test_the_simulated_trial_has_no_contradiction(seed: Protocol) -> None:
    from hipectrial.simulate import load_scenario, simulate_trial

    trial = simulate_trial(seed, load_scenario("default"), seed=1, participants=20).trial
    # everyone screened (screen failures too) is a participant with a demographics form
    demographics = [r for r in trial.form_records if r.form_id == "demographics"]
    assert sorted(r.participant_id for r in demographics) == sorted(p.id for p in trial.participants)
    assert [str(f) for f in validate(trial, seed) if "demographics form contradicts" in f.message] == []
