"""validate(): the trial header, sites, participants and visits against the protocol."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from hipectrial.data import Participant, RecordKind, Severity, Sex, TrialData, Visit, validate
from hipectrial.protocol import Protocol

from .edits import added, assert_finding, only_finding, replaced

ERROR, WARNING = Severity.ERROR, Severity.WARNING


def test_clean_trial_has_no_findings(trial: TrialData, mini_protocol: Protocol) -> None:
    assert validate(trial=trial, protocol=mini_protocol) == []


def test_reports_data_built_under_another_protocol(trial: TrialData, mini_protocol: Protocol) -> None:
    finding = only_finding(dataclasses.replace(trial, protocol_id="OTHER"), mini_protocol)
    assert finding.kind is RecordKind.TRIAL
    assert_finding(finding, ERROR, "protocol_id", "built under protocol 'OTHER'", "'MINI'")


def test_warns_about_another_protocol_version(trial: TrialData, mini_protocol: Protocol) -> None:
    finding = only_finding(dataclasses.replace(trial, protocol_version="0.9"), mini_protocol)
    assert_finding(finding, WARNING, "protocol_version", "'0.9'", "'1.0'")


def test_reports_duplicate_site(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = added(trial, "sites", trial.sites[1])
    assert_finding(only_finding(changed, mini_protocol), ERROR, "sites[2]", "duplicate site id 'BJ02'",
                   "sites[1]")


def test_reports_duplicate_participant(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = added(trial, "participants", trial.participants[0])
    assert_finding(only_finding(changed, mini_protocol), ERROR, "participants[2]",
                   "duplicate participant id 'SH01-001'")


def test_reports_participant_of_unknown_site(trial: TrialData, mini_protocol: Protocol) -> None:
    newcomer = Participant(id="GZ03-001", site_id="GZ03", sex=Sex.MALE, birth_date=dt.date(1970, 1, 1),
                           consent_date=dt.date(2025, 3, 1))
    finding = only_finding(added(trial, "participants", newcomer), mini_protocol)
    assert_finding(finding, ERROR, "participants[2].site_id", "unknown site 'GZ03'", "BJ02, SH01")


def test_reports_participant_id_not_prefixed_by_its_site(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "participants", 1, site_id="BJ02")
    finding = only_finding(changed, mini_protocol)
    assert_finding(finding, ERROR, "participants[1].id", "'SH01-002' is not prefixed", "(BJ02-)")


def test_reports_unknown_cohort(trial: TrialData, mini_protocol: Protocol) -> None:
    finding = only_finding(replaced(trial, "participants", 0, cohort="HER2-low"), mini_protocol)
    assert_finding(finding, ERROR, "participants[0].cohort", "unknown cohort 'HER2-low'",
                   "HER2-negative, HER2-positive")


def test_reports_unknown_dose_level(trial: TrialData, mini_protocol: Protocol) -> None:
    finding = only_finding(replaced(trial, "participants", 0, dose_level="3"), mini_protocol)
    assert_finding(finding, ERROR, "participants[0].dose_level", "unknown dose level '3'", "1, 2")


def test_warns_registered_participant_without_cohort(trial: TrialData, mini_protocol: Protocol) -> None:
    finding = only_finding(replaced(trial, "participants", 0, cohort=None), mini_protocol)
    assert_finding(finding, WARNING, "participants[0].cohort", "registered without a cohort")


def test_reports_registration_before_consent(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "participants", 0, consent_date=dt.date(2025, 1, 3),
                       registration_date=dt.date(2025, 1, 2))
    findings = validate(trial=changed, protocol=mini_protocol)
    assert_finding(findings[0], ERROR, "participants[0].registration_date",
                   "registration_date 2025-01-02 is before consent_date 2025-01-03")


def test_reports_consent_before_birth(trial: TrialData, mini_protocol: Protocol) -> None:
    finding = only_finding(replaced(trial, "participants", 0, birth_date=dt.date(2025, 1, 5)), mini_protocol)
    assert_finding(finding, ERROR, "participants[0].consent_date", "is before birth_date 2025-01-05")


def test_reports_off_study_before_off_treatment(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "participants", 1, off_study_date=dt.date(2025, 5, 1))
    finding = only_finding(changed, mini_protocol)
    assert_finding(finding, ERROR, "participants[1].off_study_date",
                   "off_study_date 2025-05-01 is before off_treatment_date 2025-06-01")


def test_warns_off_treatment_without_reason(trial: TrialData, mini_protocol: Protocol) -> None:
    finding = only_finding(replaced(trial, "participants", 1, off_treatment_reason=None), mini_protocol)
    assert_finding(finding, WARNING, "participants[1].off_treatment_reason", "without a reason")


def test_reports_unknown_visit(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = added(trial, "visits", Visit(participant_id="SH01-001", visit_id="week-6"))
    finding = only_finding(changed, mini_protocol)
    assert_finding(finding, ERROR, "visits[5].visit_id", "unknown visit 'week-6'",
                   "adverse-event, cardiac, cycle, screening")


def test_reports_cycle_visit_beyond_the_phase(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = added(trial, "visits", Visit(participant_id="SH01-001", visit_id="cycle", repeat=4))
    finding = only_finding(changed, mini_protocol)
    assert_finding(finding, ERROR, "visits[5].repeat", "occurrence 4", "at most 3")


def test_reports_second_occurrence_of_a_visit_that_does_not_repeat(
    trial: TrialData, mini_protocol: Protocol
) -> None:
    changed = added(trial, "visits", Visit(participant_id="SH01-001", visit_id="screening", repeat=2))
    assert_finding(only_finding(changed, mini_protocol), ERROR, "visits[5].repeat", "schedules it once")


def test_reports_visit_of_another_cohort(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = added(trial, "visits", Visit(participant_id="SH01-001", visit_id="cardiac"))
    assert_finding(only_finding(changed, mini_protocol), ERROR, "visits[5].visit_id",
                   "for cohorts HER2-positive", "'HER2-negative'")


def test_reports_duplicate_visit(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = added(trial, "visits", Visit(participant_id="SH01-001", visit_id="cycle", repeat=2))
    assert_finding(only_finding(changed, mini_protocol), ERROR, "visits[5]",
                   "duplicate visit 'SH01-001/cycle#2'")


def test_reports_actual_visit_date_before_registration(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "visits", 1, actual_date=dt.date(2025, 1, 5))
    finding = only_finding(changed, mini_protocol)
    assert_finding(finding, ERROR, "visits[1].actual_date",
                   "actual_date 2025-01-05 is before registration_date 2025-01-06")


def test_allows_screening_visit_before_registration(trial: TrialData, mini_protocol: Protocol) -> None:
    screening = trial.visits[0]
    assert screening.actual_date is not None
    assert screening.actual_date < trial.participants[0].registration_date  # type: ignore[operator]
    assert validate(trial=trial, protocol=mini_protocol) == []


def test_reports_screening_visit_before_consent(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "visits", 0, actual_date=dt.date(2024, 12, 30))
    assert_finding(only_finding(changed, mini_protocol), ERROR, "visits[0].actual_date",
                   "is before consent_date 2025-01-02")


def test_reports_record_of_participant_not_in_the_data(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = added(trial, "visits", Visit(participant_id="SH01-009", visit_id="screening"))
    finding = only_finding(changed, mini_protocol)
    assert_finding(finding, ERROR, "visits[5].participant_id", "participant 'SH01-009' is not registered")
    assert finding.key == "SH01-009/screening#1"


def test_finding_location_is_the_path_in_the_json_document(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "participants", 1, cohort="HER2-low")
    finding = only_finding(changed, mini_protocol)
    document = json.loads(changed.to_json())
    assert finding.location == "participants[1].cohort"
    assert document["participants"][1]["cohort"] == "HER2-low"
    assert str(finding).startswith("error participants[1].cohort (SH01-002): unknown cohort")


def test_findings_come_in_document_order(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "follow_ups", 0, cause_of_death="sepsis")
    changed = replaced(changed, "doses", 1, unit="mg/kg")
    changed = replaced(changed, "participants", 1, cohort="HER2-low")
    changed = added(changed, "visits", Visit(participant_id="SH01-001", visit_id="cycle", repeat=2))
    changed = dataclasses.replace(changed, protocol_version="0.9")
    locations = [f.location for f in validate(trial=changed, protocol=mini_protocol)]
    assert locations == ["protocol_version", "participants[1].cohort", "visits[5]", "doses[1].unit",
                         "follow_ups[0].cause_of_death"]


def test_validate_takes_trial_and_protocol_positionally() -> None:
    # The signature: validate(trial, protocol) -> list[Finding]
    from hipectrial.data import validate
    from hipectrial.protocol import parse_protocol

    from .sample import MINI_PROTOCOL_YAML, clean_trial

    assert validate(clean_trial(), parse_protocol(MINI_PROTOCOL_YAML)) == []
