"""The flat record file: rows written out by hand for a small trial (where REDCap puts each
kind of record), and the records REDCap has no place for, refused with their names."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from hipectrial.data import FormRecord, TrialData
from hipectrial.errors import InputError
from hipectrial.export.redcap.design import Project
from hipectrial.export.redcap.records import record_header, record_rows
from hipectrial.protocol import Protocol

from .small_trial import P, small_trial

STUDY = "HIPEC-PD1-SOX"


def filled(protocol: Protocol, project: Project, trial: TrialData) -> list[dict[str, str]]:
    """Each row as {column: text} of its non-blank cells."""
    header = record_header(project)
    return [{name: cell for name, cell in zip(header, row, strict=True) if cell}
            for row in record_rows(trial=trial, protocol=protocol, project=project)]


def test_the_header_starts_with_redcaps_columns_and_expands_checkboxes(seed_project: Project) -> None:
    header = record_header(seed_project)
    assert header[:6] == ("record_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance",
                          "par_site_id", "par_sex")
    assert header.count("record_id") == 1
    start = header.index("ae_sae_criteria___death")
    assert header[start:start + 6] == tuple(f"ae_sae_criteria___{c}" for c in (
        "death", "life_threatening", "hospitalisation", "disability", "congenital_anomaly",
        "important_medical_event"))
    assert header[header.index("ae_outcome") + 1:header.index("ae_outcome") + 8] == (
        "adverse_events_seq", "adverse_events_entered_by", "adverse_events_entered_at",
        "adverse_events_protocol_version", "adverse_events_changed_by", "adverse_events_changed_at",
        "adverse_events_complete")
    assert header[-1] == "rec_sites_complete"
    assert len(set(header)) == len(header)


def test_rows_of_a_small_trial(seed_protocol: Protocol, seed_project: Project) -> None:
    def row(record: str, event: str, instrument: str = "", instance: str = "", **cells: str) -> dict[str, str]:
        fixed = {"record_id": record, "redcap_event_name": event, "redcap_repeat_instrument": instrument,
                 "redcap_repeat_instance": instance}
        return {k: v for k, v in {**fixed, **cells}.items() if v}

    unticked = {f"ae_sae_criteria___{c}": "0" for c in (
        "life_threatening", "disability", "congenital_anomaly", "important_medical_event")}
    assert filled(seed_protocol, seed_project, small_trial()) == [
        row(STUDY, "study_arm_1", trl_protocol_id=STUDY, trl_protocol_version="1.0",
            trl_generated_at="2025-06-01T12:00:00+00:00", trl_source_kind="edc",
            trl_source_description="EDC snapshot", rec_trial_complete="2"),
        row(STUDY, "study_arm_1", "rec_sites", "1", sit_site_id="SH01", sit_name="Shanghai, General Hospital",
            sit_country="CN", rec_sites_complete="2"),
        row(P, "participant_arm_1", par_site_id="SH01", par_sex="female", par_birth_date="1962-05-04",
            par_consent_date="2025-02-03", par_registration_date="2025-02-20", par_cohort="HER2-negative",
            par_dose_level="1", rec_participants_complete="2"),
        # Visits are numbered; their keys are variables.
        row(P, "participant_arm_1", "rec_visits", "1", vis_visit_id="screening", vis_repeat="1", vis_seq="1",
            vis_actual_date="2025-02-10", rec_visits_complete="2"),
        row(P, "participant_arm_1", "rec_visits", "2", vis_visit_id="induction-cycle", vis_repeat="2",
            vis_seq="2", vis_actual_date="2025-04-02", rec_visits_complete="2"),
        row(P, "participant_arm_1", "rec_visits", "3", vis_visit_id="adverse-event", vis_repeat="1",
            vis_seq="3", vis_actual_date="2025-04-09", rec_visits_complete="2"),
        # A dose's seq is its instance.
        row(P, "participant_arm_1", "rec_doses", "1", dos_agent="oxaliplatin", dos_date="2025-04-02",
            dos_given="130", dos_unit="mg", dos_phase="induction", dos_cycle="2", dos_day="1",
            rec_doses_complete="2"),
        # yes/no as 1/0; the CRF's seq counts the participant's CRF records.
        row(P, "screening_arm_1", consent_obtained="1", sex="female", childbearing_potential="0",
            demographics_seq="1", demographics_complete="2"),
        # A non-repeating form of a repeating visit with a repeating form: instance = occurrence 2.
        row(P, "induction_cycle_arm_1", "vital_signs", "2", vs_date="2025-04-02", weight_kg="61.50",
            vital_signs_seq="2", vital_signs_complete="2"),
        # A repeating form: numbered, its occurrence and repeat number as variables.
        row(P, "induction_cycle_arm_1", "dosing", "1", dosing_visit_repeat="2", dosing_repeat="1",
            dose_agent="oxaliplatin", dose_given="130", dosing_seq="3", dosing_complete="2"),
        row(P, "induction_cycle_arm_1", "dosing", "2", dosing_visit_repeat="2", dosing_repeat="3",
            dose_agent="s-1", dosing_seq="4", dosing_complete="2"),
        row(P, "adverse_event_arm_1", "adverse_events", "1", adverse_events_visit_repeat="1",
            adverse_events_repeat="1", ae_term="Nausea", ae_serious="1", ae_sae_criteria___death="1",
            ae_sae_criteria___hospitalisation="1", **unticked, adverse_events_seq="5",
            adverse_events_complete="2"),
    ]


def _with_forms(trial: TrialData, *records: FormRecord) -> TrialData:
    return dataclasses.replace(trial, form_records=(*trial.form_records, *records))


def test_a_form_at_a_visit_that_does_not_list_it_is_refused(seed_protocol: Protocol, seed_project: Project) -> None:
    trial = _with_forms(small_trial(), FormRecord(participant_id=P, form_id="death", visit_id="screening",
                                                  values={"death_date": dt.date(2025, 5, 1)}))
    with pytest.raises(InputError, match="REDCap enters an instrument only at the events it is designated to") as e:
        list(record_rows(trial=trial, protocol=seed_protocol, project=seed_project))
    assert e.value.field == f"{P} death at screening"
    assert "a form of visit screening (the protocol lists demographics" in str(e.value)


def test_a_second_occurrence_of_a_visit_that_does_not_repeat_is_refused(seed_protocol: Protocol,
                                                                         seed_project: Project) -> None:
    trial = _with_forms(small_trial(), FormRecord(participant_id=P, form_id="labs", visit_id="screening",
                                                  visit_repeat=2, values={}))
    with pytest.raises(InputError, match="occurrence 1") as caught:
        list(record_rows(trial=trial, protocol=seed_protocol, project=seed_project))
    assert caught.value.field == f"{P} labs at screening"


def test_a_multi_choice_value_out_of_code_list_order_is_refused(seed_protocol: Protocol,
                                                                 seed_project: Project) -> None:
    trial = _with_forms(small_trial(), FormRecord(
        participant_id=P, form_id="adverse_events", visit_id="adverse-event", repeat=2,
        values={"ae_sae_criteria": ("hospitalisation", "death")}))
    with pytest.raises(InputError, match="code-list order") as caught:
        list(record_rows(trial=trial, protocol=seed_protocol, project=seed_project))
    assert caught.value.field == f"{P} adverse_events ae_sae_criteria"
    assert caught.value.value == "hospitalisation|death"


def test_a_participant_named_like_the_study_is_refused(seed_protocol: Protocol, seed_project: Project) -> None:
    trial = small_trial()
    twin = dataclasses.replace(trial.participants[0], id=STUDY)
    with pytest.raises(InputError, match="a participant id other than the study id"):
        list(record_rows(trial=dataclasses.replace(trial, participants=(*trial.participants, twin)),
                         protocol=seed_protocol, project=seed_project))
