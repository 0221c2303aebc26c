"""validate(): tumour assessments, surgeries and follow-ups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hipectrial.data import (
    AssessmentMethod,
    Complication,
    FollowUp,
    Lesion,
    LesionRole,
    Severity,
    TrialData,
    TumourAssessment,
    VitalStatus,
    validate,
)
from hipectrial.data.assessments import PCI_NOT_ASSESSED
from hipectrial.protocol import Protocol

from .edits import added, assert_finding, only_finding, replaced

ERROR, WARNING = Severity.ERROR, Severity.WARNING
# tumour_assessments: [0] baseline CT, [1] diagnostic laparoscopy (PCI, CY1) of SH01-001.
# surgeries: [0] SH01-001's conversion surgery on 2025-04-20.
# follow_ups: [0] SH01-001 alive; [1] SH01-002 progressed; [2] SH01-002 dead on 2025-08-15.


def test_reports_lesion_id_given_twice(trial: TrialData, mini_protocol: Protocol) -> None:
    ct = trial.tumour_assessments[0]
    changed = replaced(trial, "tumour_assessments", 0, lesions=(*ct.lesions, ct.lesions[0]))
    assert_finding(only_finding(changed, mini_protocol), ERROR, "tumour_assessments[0].lesions[2].id",
                   "lesion id 'T1' is given twice")


def test_reports_target_lesion_without_measurement(trial: TrialData, mini_protocol: Protocol) -> None:
    lesions = (Lesion(id="T1", site="peritoneum", role=LesionRole.TARGET),)
    changed = replaced(trial, "tumour_assessments", 0, lesions=lesions)
    assert_finding(only_finding(changed, mini_protocol), ERROR,
                   "tumour_assessments[0].lesions[0].measurement_mm", "target lesion 'T1' has no measurement")


def test_warns_pci_scored_on_imaging(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "tumour_assessments", 0, pci=(1, *PCI_NOT_ASSESSED[1:]))
    assert_finding(only_finding(changed, mini_protocol), WARNING, "tumour_assessments[0].pci",
                   "PCI scored at a ct assessment")


def test_warns_imaging_before_consent(trial: TrialData, mini_protocol: Protocol) -> None:
    scan = TumourAssessment(participant_id="SH01-001", date=dt.date(2024, 12, 20), method=AssessmentMethod.CT,
                            lesions=(Lesion(id="T1", site="liver", role=LesionRole.TARGET,
                                            measurement_mm=Decimal("25")),))
    changed = added(trial, "tumour_assessments", scan)
    assert_finding(only_finding(changed, mini_protocol), WARNING, "tumour_assessments[2].date",
                   "before consent_date 2025-01-02")


def test_reports_complication_before_its_surgery(trial: TrialData, mini_protocol: Protocol) -> None:
    leak = Complication(description="anastomotic leak", grade=trial.surgeries[0].complications[0].grade,
                        onset_date=dt.date(2025, 4, 18))
    changed = replaced(trial, "surgeries", 0, complications=(leak,))
    assert_finding(only_finding(changed, mini_protocol), ERROR, "surgeries[0].complications[0].onset_date",
                   "2025-04-18 is before the surgery date 2025-04-20")


def test_reports_surgery_before_registration(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "surgeries", 0, date=dt.date(2025, 1, 5), complications=())
    assert_finding(only_finding(changed, mini_protocol), ERROR, "surgeries[0].date",
                   "before registration_date 2025-01-06")


def test_reports_death_before_registration(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "follow_ups", 2, death_date=dt.date(2025, 1, 21))
    # The records dated after that death are reported too: they contradict it as well.
    findings = [f for f in validate(trial=changed, protocol=mini_protocol)
                if f.location == "follow_ups[2].death_date"]
    assert_finding(findings[0], ERROR, "follow_ups[2].death_date",
                   "death_date 2025-01-21 is before registration_date 2025-01-22")


def test_reports_dead_without_death_date(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "follow_ups", 2, death_date=None)
    assert_finding(only_finding(changed, mini_protocol), ERROR, "follow_ups[2].death_date",
                   "vital status dead without a death date")


def test_reports_death_date_of_a_living_participant(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "follow_ups", 0, death_date=dt.date(2025, 9, 1))
    assert_finding(only_finding(changed, mini_protocol), ERROR, "follow_ups[0].death_date",
                   "a death date with vital status alive")


def test_reports_cause_of_death_of_a_living_participant(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "follow_ups", 0, cause_of_death="sepsis")
    assert_finding(only_finding(changed, mini_protocol), ERROR, "follow_ups[0].cause_of_death",
                   "a cause of death with vital status alive")


def test_reports_death_after_the_follow_up_reporting_it(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "follow_ups", 2, death_date=dt.date(2025, 8, 25))
    assert_finding(only_finding(changed, mini_protocol), ERROR, "follow_ups[2].date",
                   "date 2025-08-20 is before death_date 2025-08-25")


def test_reports_progression_after_the_follow_up_reporting_it(
    trial: TrialData, mini_protocol: Protocol
) -> None:
    changed = replaced(trial, "follow_ups", 1, progression_date=dt.date(2025, 6, 2))
    assert_finding(only_finding(changed, mini_protocol), ERROR, "follow_ups[1].date",
                   "date 2025-05-30 is before progression_date 2025-06-02")


def test_reports_alive_after_recorded_death(trial: TrialData, mini_protocol: Protocol) -> None:
    later = FollowUp(participant_id="SH01-002", date=dt.date(2025, 9, 30), vital_status=VitalStatus.ALIVE)
    changed = added(trial, "follow_ups", later)
    assert_finding(only_finding(changed, mini_protocol), ERROR, "follow_ups[3].vital_status",
                   "alive on 2025-09-30 but died on 2025-08-15")


def test_reports_follow_ups_disagreeing_on_the_death_date(trial: TrialData, mini_protocol: Protocol) -> None:
    again = FollowUp(participant_id="SH01-002", date=dt.date(2025, 9, 30), vital_status=VitalStatus.DEAD,
                     death_date=dt.date(2025, 8, 17))
    changed = added(trial, "follow_ups", again)
    assert_finding(only_finding(changed, mini_protocol), ERROR, "follow_ups[3].death_date",
                   "death date 2025-08-17 differs from 2025-08-15")

