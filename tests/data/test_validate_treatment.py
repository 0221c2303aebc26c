"""validate(): doses, adverse events and lab results against the protocol."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hipectrial.data import (
    AdverseEvent,
    AeOutcome,
    Attribution,
    DoseAdministration,
    LabResult,
    Participant,
    RecordKind,
    Severity,
    Sex,
    TrialData,
    validate,
)
from hipectrial.protocol import Protocol

from .edits import added, assert_finding, only_finding, replaced

ERROR, WARNING = Severity.ERROR, Severity.WARNING
# doses: [0] HIPEC paclitaxel, [1] oxaliplatin cycle 1, [2] oxaliplatin cycle 2 (reduced,
# with a reason) - all SH01-001, HER2-negative; [3] trastuzumab, SH01-002, HER2-positive.
# adverse_events: [0] diarrhoea, [1] neutropenia (DLT), [2] fatal sepsis of SH01-002.
# lab_results: [0] NEUT, [1] HGB.


@pytest.mark.parametrize(("index", "unit"), [(1, "mg"), (1, "mg/m2"), (0, "mg/m2"), (0, "mg"), (3, "mg/kg")],
                         ids=["oxaliplatin mg", "oxaliplatin mg/m2", "HIPEC level mg/m2", "HIPEC mg",
                              "trastuzumab mg/kg"])
def test_accepts_dose_in_its_rule_unit_or_in_mg(
    trial: TrialData, mini_protocol: Protocol, index: int, unit: str
) -> None:
    assert validate(trial=replaced(trial, "doses", index, unit=unit), protocol=mini_protocol) == []


def test_reports_dose_in_a_unit_the_protocol_does_not_give_it_in(
    trial: TrialData, mini_protocol: Protocol
) -> None:
    changed = replaced(trial, "doses", 1, unit="mg/kg")
    assert_finding(only_finding(changed, mini_protocol), ERROR, "doses[1].unit",
                   "dose of 'oxaliplatin' in 'mg/kg'", "mg or mg/m2")


def test_reports_unknown_agent(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "doses", 1, agent="cisplatin")
    assert_finding(only_finding(changed, mini_protocol), ERROR, "doses[1].agent",
                   "unknown agent 'cisplatin'", "hipec-paclitaxel, oxaliplatin, trastuzumab")


def test_reports_agent_the_cohort_does_not_receive(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "doses", 3, participant_id="SH01-001", date=dt.date(2025, 2, 1))
    assert_finding(only_finding(changed, mini_protocol), ERROR, "doses[3].agent",
                   "'trastuzumab' is given to cohorts HER2-positive only", "'HER2-negative'")


def test_reports_cycle_beyond_the_phase(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "doses", 2, cycle=4)
    assert_finding(only_finding(changed, mini_protocol), ERROR, "doses[2].cycle",
                   "cycle 4 is beyond the 3 cycles of phase 'induction'")


def test_reports_unknown_phase(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "doses", 1, phase="adjuvant")
    assert_finding(only_finding(changed, mini_protocol), ERROR, "doses[1].phase", "unknown phase 'adjuvant'")


def test_reports_agent_not_given_in_the_phase(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "doses", 0, phase="induction", cycle=1, day=1)
    assert_finding(only_finding(changed, mini_protocol), ERROR, "doses[0].agent",
                   "'hipec-paclitaxel' is not given in phase 'induction'")


def test_warns_dose_on_a_day_that_is_not_a_dosing_day(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "doses", 1, day=8)
    assert_finding(only_finding(changed, mini_protocol), WARNING, "doses[1].day",
                   "day 8 is not a dosing day of 'oxaliplatin' (days 1)")


def test_warns_dose_change_without_a_reason(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "doses", 2, change_reason=None)
    assert_finding(only_finding(changed, mini_protocol), WARNING, "doses[2].change_reason",
                   "given 165 mg differs from prescribed 215 mg")


def test_reports_dose_before_registration(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "doses", 0, date=dt.date(2025, 1, 4))
    assert_finding(only_finding(changed, mini_protocol), ERROR, "doses[0].date",
                   "date 2025-01-04 is before registration_date 2025-01-06")


def test_reports_dose_for_participant_who_is_not_registered(
    trial: TrialData, mini_protocol: Protocol
) -> None:
    screened = Participant(id="SH01-003", site_id="SH01", sex=Sex.MALE, birth_date=dt.date(1970, 3, 3),
                           consent_date=dt.date(2025, 3, 1))
    dose = DoseAdministration(participant_id="SH01-003", agent="oxaliplatin", date=dt.date(2025, 3, 10),
                              prescribed=Decimal("230"), given=Decimal("230"), unit="mg")
    changed = added(added(trial, "participants", screened), "doses", dose)
    assert_finding(only_finding(changed, mini_protocol), ERROR, "doses[4].date",
                   "'SH01-003' is not registered (no registration_date)", "dose administration")


def test_warns_dose_after_off_treatment(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "doses", 3, date=dt.date(2025, 6, 5))
    assert_finding(only_finding(changed, mini_protocol), WARNING, "doses[3].date",
                   "after the participant went off treatment (2025-06-01)")


def test_reports_dose_after_death(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "participants", 1, off_treatment_date=None, off_treatment_reason=None)
    changed = replaced(changed, "doses", 3, date=dt.date(2025, 8, 16))
    assert_finding(only_finding(changed, mini_protocol), ERROR, "doses[3].date",
                   "is after the participant's death (2025-08-15")


def test_reports_resolution_before_onset(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "adverse_events", 0, resolution_date=dt.date(2025, 2, 1))
    assert_finding(only_finding(changed, mini_protocol), ERROR, "adverse_events[0].resolution_date",
                   "resolution_date 2025-02-01 is before onset_date 2025-02-03")


def test_reports_attribution_to_unknown_agent(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "adverse_events", 0, attribution={"capecitabine": Attribution.POSSIBLE})
    assert_finding(only_finding(changed, mini_protocol), ERROR, "adverse_events[0].attribution.capecitabine",
                   "unknown agent 'capecitabine'")


def test_reports_attribution_to_agent_the_cohort_does_not_receive(
    trial: TrialData, mini_protocol: Protocol
) -> None:
    changed = replaced(trial, "adverse_events", 0, attribution={"trastuzumab": Attribution.POSSIBLE})
    assert_finding(only_finding(changed, mini_protocol), ERROR, "adverse_events[0].attribution.trastuzumab",
                   "given to cohorts HER2-positive only")


def test_reports_grade_5_event_whose_outcome_is_not_fatal(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "adverse_events", 2, outcome=AeOutcome.RECOVERED)
    assert_finding(only_finding(changed, mini_protocol), ERROR, "adverse_events[2].outcome",
                   "a grade 5 event is fatal")


def test_reports_fatal_event_below_grade_5(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "adverse_events", 2, grade=4)
    assert_finding(only_finding(changed, mini_protocol), ERROR, "adverse_events[2].grade",
                   "a fatal event is grade 5", "got grade 4")


def test_warns_dlt_not_attributed_to_any_agent(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "adverse_events", 1,
                       attribution={"oxaliplatin": Attribution.UNLIKELY})
    assert_finding(only_finding(changed, mini_protocol), WARNING, "adverse_events[1].dlt",
                   "flagged as a DLT but not attributed")


def test_warns_adverse_event_before_consent(trial: TrialData, mini_protocol: Protocol) -> None:
    event = AdverseEvent(participant_id="SH01-001", term="Abdominal pain", grade=1,
                         onset_date=dt.date(2024, 12, 20))
    changed = added(trial, "adverse_events", event)
    assert_finding(only_finding(changed, mini_protocol), WARNING, "adverse_events[3].onset_date",
                   "is before consent_date 2025-01-02")


def test_reports_lab_result_in_another_unit_than_the_protocol_declares(
    trial: TrialData, mini_protocol: Protocol
) -> None:
    changed = replaced(trial, "lab_results", 1, unit="g/dL", value=Decimal("11.8"))
    assert_finding(only_finding(changed, mini_protocol), ERROR, "lab_results[1].unit",
                   "HGB is recorded in g/L by the protocol (field 'hgb'); got 'g/dL'")


def test_reports_lab_value_outside_the_field_range(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "lab_results", 0, value=Decimal("62.0"))
    assert_finding(only_finding(changed, mini_protocol), ERROR, "lab_results[0].value",
                   "NEUT = 62.0 10^9/L is outside the range the protocol allows, [0, 50] 10^9/L")


def test_reports_unknown_unit(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "lab_results", 1, unit="g/l")
    assert_finding(only_finding(changed, mini_protocol), ERROR, "lab_results[1].unit", "unknown unit 'g/l'")


def test_warns_lab_test_the_protocol_does_not_record(trial: TrialData, mini_protocol: Protocol) -> None:
    platelets = LabResult(participant_id="SH01-001", test_code="PLAT", value=Decimal("180"), unit="10^9/L",
                          date=dt.date(2025, 1, 30))
    changed = added(trial, "lab_results", platelets)
    assert_finding(only_finding(changed, mini_protocol), WARNING, "lab_results[2].test_code",
                   "lab test 'PLAT' is not one the protocol records")


def test_reports_reference_range_upside_down(trial: TrialData, mini_protocol: Protocol) -> None:
    changed = replaced(trial, "lab_results", 0, reference_lower=Decimal("7.5"),
                       reference_upper=Decimal("2.0"))
    assert_finding(only_finding(changed, mini_protocol), ERROR, "lab_results[0].reference_lower",
                   "lower 7.5 is above upper 2.0")


def test_reports_lab_result_after_death(trial: TrialData, mini_protocol: Protocol) -> None:
    result = LabResult(participant_id="SH01-002", test_code="NEUT", value=Decimal("0.4"), unit="10^9/L",
                       date=dt.date(2025, 8, 16))
    finding = only_finding(added(trial, "lab_results", result), mini_protocol)
    assert finding.kind is RecordKind.LAB
    assert_finding(finding, ERROR, "lab_results[2].date", "after the participant's death")
