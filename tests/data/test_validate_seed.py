"""validate() against the seed protocol (protocols/hipec-pd1-sox.yaml) on a hand-built trial."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hipectrial.data import (
    AdverseEvent,
    AssessmentMethod,
    Attribution,
    Cytology,
    DoseAdministration,
    FollowUp,
    FormRecord,
    LabResult,
    Participant,
    Severity,
    Sex,
    Site,
    TrialData,
    TumourAssessment,
    Visit,
    VitalStatus,
    validate,
)
from hipectrial.protocol import Protocol, load_protocol

from .edits import added, replaced

D = dt.date
P = "SH01-001"


@pytest.fixture(scope="module")
def seed() -> Protocol:
    return load_protocol()


def _dose(agent: str, given: str, unit: str, **where: object) -> DoseAdministration:
    return DoseAdministration(participant_id=P, agent=agent, date=D(2025, 3, 31), prescribed=Decimal(given),
                              given=Decimal(given), unit=unit, **where)  # type: ignore[arg-type]


def _lab(code: str, value: str, unit: str) -> LabResult:
    return LabResult(participant_id=P, test_code=code, value=Decimal(value), unit=unit, date=D(2025, 3, 28))


@pytest.fixture
def seed_trial() -> TrialData:
    """One HER2-negative participant at dose level 1: screening, HIPEC and induction cycle 1."""
    cycle1 = {"phase": "induction", "cycle": 1, "day": 1}
    return TrialData(
        protocol_id="HIPEC-PD1-SOX", protocol_version="1.0",
        generated_at=dt.datetime(2025, 7, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        sites=(Site(id="SH01", name="Shanghai General Hospital", country="CN"),),
        participants=(Participant(id=P, site_id="SH01", sex=Sex.MALE, birth_date=D(1961, 7, 19),
                                  consent_date=D(2025, 3, 3), registration_date=D(2025, 3, 10),
                                  cohort="HER2-negative", dose_level="1"),),
        visits=(
            Visit(participant_id=P, visit_id="screening", actual_date=D(2025, 3, 5)),
            Visit(participant_id=P, visit_id="registration", actual_date=D(2025, 3, 10)),
            Visit(participant_id=P, visit_id="day0-laparoscopy-hipec", actual_date=D(2025, 3, 10)),
            Visit(participant_id=P, visit_id="induction-cycle", repeat=1, actual_date=D(2025, 3, 31)),
        ),
        form_records=(
            FormRecord(participant_id=P, form_id="ecog_assessment", visit_id="screening",
                       values={"ecog_date": D(2025, 3, 5), "ecog": "1"}),
            FormRecord(participant_id=P, form_id="labs", visit_id="screening", values={
                "lab_date": D(2025, 3, 5), "wbc": Decimal("6.2"), "anc": Decimal("3.9"),
                "haemoglobin": Decimal("118"), "platelets": Decimal("212"), "alt": Decimal("24"),
                "alt_uln": Decimal("40"), "ast": Decimal("30"), "ast_uln": Decimal("40"),
                "bilirubin": Decimal("11.2"), "bilirubin_uln": Decimal("21"),
                "creatinine": Decimal("72"), "inr": Decimal("1.02"), "inr_uln": Decimal("1.2"),
            }),
            FormRecord(participant_id=P, form_id="vital_signs", visit_id="induction-cycle", values={
                "vs_date": D(2025, 3, 31), "height_cm": Decimal("168.0"), "weight_kg": Decimal("61.4"),
                "systolic_bp": 124, "diastolic_bp": 78, "heart_rate": 76,
            }),
        ),
        doses=(
            DoseAdministration(participant_id=P, agent="hipec-paclitaxel", date=D(2025, 3, 10),
                               prescribed=Decimal("75"), given=Decimal("75"), unit="mg/m2"),
            _dose("oxaliplatin", "220", "mg", **cycle1),
            _dose("s-1", "60", "mg", **cycle1),
            _dose("tislelizumab", "200", "mg", **cycle1),
        ),
        adverse_events=(
            AdverseEvent(participant_id=P, term="Neutrophil count decreased", grade=3,
                         onset_date=D(2025, 4, 8), resolution_date=D(2025, 4, 15),
                         attribution={"oxaliplatin": Attribution.PROBABLE, "s-1": Attribution.POSSIBLE,
                                      "tislelizumab": Attribution.UNLIKELY}),
        ),
        lab_results=(
            _lab("NEUT", "3.9", "10^9/L"), _lab("PLAT", "212", "10^9/L"), _lab("HGB", "118", "g/L"),
            _lab("CREAT", "72", "umol/L"), _lab("ALT", "24", "U/L"),
        ),
        tumour_assessments=(
            TumourAssessment(participant_id=P, date=D(2025, 3, 10), method=AssessmentMethod.LAPAROSCOPY,
                             pci=(1, 2, 1, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0), cytology=Cytology.CY1),
        ),
        follow_ups=(FollowUp(participant_id=P, date=D(2025, 6, 30), vital_status=VitalStatus.ALIVE),),
    )


def test_hand_built_trial_agrees_with_the_seed_protocol(seed_trial: TrialData, seed: Protocol) -> None:
    assert [str(f) for f in validate(trial=seed_trial, protocol=seed)] == []


def test_seed_protocol_flags_a_trastuzumab_dose_in_the_her2_negative_cohort(
    seed_trial: TrialData, seed: Protocol
) -> None:
    dose = _dose("trastuzumab", "8", "mg/kg", phase="induction", cycle=1, day=1)
    findings = validate(trial=added(seed_trial, "doses", dose), protocol=seed)
    assert [(f.severity, f.location) for f in findings] == [(Severity.ERROR, "doses[4].agent")]
    assert "given to cohorts HER2-positive only" in findings[0].message


def test_seed_protocol_flags_creatinine_in_mg_per_dl(seed_trial: TrialData, seed: Protocol) -> None:
    changed = replaced(seed_trial, "lab_results", 3, value=Decimal("0.81"), unit="mg/dL")
    findings = validate(trial=changed, protocol=seed)
    assert [f.location for f in findings] == ["lab_results[3].unit"]
    assert "CREAT is recorded in umol/L by the protocol (field 'creatinine')" in findings[0].message


def test_seed_protocol_flags_unknown_dose_level_and_out_of_range_weight(
    seed_trial: TrialData, seed: Protocol
) -> None:
    changed = replaced(seed_trial, "participants", 0, dose_level="4")
    record = changed.form_records[2]
    changed = replaced(changed, "form_records", 2, values={**record.values, "weight_kg": Decimal("614")})
    findings = validate(trial=changed, protocol=seed)
    assert [f.location for f in findings] == ["participants[0].dose_level",
                                              "form_records[2].values.weight_kg"]
    assert "levels: 1, 2, 3" in findings[0].message
    assert "weight_kg = 614 kg is outside the range the protocol allows, [25, 250] kg" in findings[1].message


def test_coded_fields_must_be_codes_of_their_protocol_code_list(seed_trial: TrialData, seed: Protocol) -> None:
    from hipectrial.data import Surgery

    changed = replaced(seed_trial, "participants", 0, off_treatment_date=D(2025, 6, 1),
                       off_treatment_reason="bored")
    # The trial's follow-up on 2025-06-30 says alive: the death is after it.
    changed = added(changed, "follow_ups", FollowUp(participant_id=P, date=D(2025, 7, 1),
                                                    vital_status=VitalStatus.DEAD, death_date=D(2025, 7, 1),
                                                    cause_of_death="heart_attack"))
    changed = added(changed, "surgeries", Surgery(participant_id=P, date=D(2025, 3, 12), procedure="gastrectomy"))
    errors = [(f.location, f.message) for f in validate(changed, seed) if f.severity is Severity.ERROR]
    assert errors == [
        ("participants[0].off_treatment_reason",
         "off_treatment_reason 'bored' is not a code of code list 'eot-reason' (completed, progression, toxicity, "
         "participant_withdrawal, investigator_decision, mdt_decision, pregnancy, death, lost_to_follow_up, other)"),
        ("surgeries[0].procedure",
         "procedure 'gastrectomy' is not a code of code list 'operation' (diagnostic_laparoscopy_hipec, "
         "second_look_laparoscopy, conversion_surgery_hipec)"),
        ("follow_ups[1].cause_of_death",
         "cause_of_death 'heart_attack' is not a code of code list 'death-cause' (disease_progression, "
         "treatment_toxicity, surgical_complication, other_cause, unknown)"),
    ]


def test_a_protocol_without_the_code_list_does_not_judge_the_code(trial: TrialData, mini_protocol: Protocol) -> None:
    # The mini protocol has no death-cause list: the clean trial's cause "sepsis" is not judged.
    assert not [f for f in validate(trial, mini_protocol) if f.field == "cause_of_death"]
