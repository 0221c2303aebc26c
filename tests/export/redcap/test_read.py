"""Reading a REDCap record file back: whole trials come back unchanged (simulated, hand-built
with every optional field), and a malformed file is refused whole, every problem named."""

from __future__ import annotations

import csv
import dataclasses
import io

import pytest

from hipectrial.data import FormRecord, TrialData
from hipectrial.export.redcap.design import Project, project_design
from hipectrial.export.redcap.dictionary import csv_text
from hipectrial.export.redcap.read import RedcapRecordsError, read_redcap_records
from hipectrial.export.redcap.records import record_header, record_rows
from hipectrial.export.tables import canonical
from hipectrial.protocol import Protocol

from ..hand_built import A, hand_built_trial
from .small_trial import P, small_trial


def export(trial: TrialData, protocol: Protocol, project: Project) -> str:
    return csv_text((record_header(project), *record_rows(trial=trial, protocol=protocol, project=project)))


def test_a_simulated_trial_comes_back_whole(seed_protocol: Protocol, seed_project: Project,
                                            simulated_trial: TrialData) -> None:
    back = read_redcap_records(export(simulated_trial, seed_protocol, seed_project), protocol=seed_protocol,
                               project=seed_project)
    assert back == canonical(simulated_trial)
    assert back.to_json() == canonical(simulated_trial).to_json()


def _in_code_list_order(trial: TrialData) -> TrialData:
    """The hand-built trial with its multi-choice value in code-list order (REDCap's checkboxes
    keep no order; the recorded order is refused, see test_records)."""
    records = []
    for record in trial.form_records:
        if "ae_sae_criteria" in record.values:
            record = dataclasses.replace(record, values={**record.values, "ae_sae_criteria": ("death", "hospitalisation")})
        records.append(record)
    return dataclasses.replace(trial, form_records=tuple(records))


def test_a_hand_built_trial_with_every_optional_field_comes_back_whole(timed_protocol: Protocol) -> None:
    project = project_design(timed_protocol)
    trial = _in_code_list_order(hand_built_trial())
    text = export(trial, timed_protocol, project)
    back = read_redcap_records(text, protocol=timed_protocol, project=project)
    assert back == canonical(trial)
    assert back.to_json() == canonical(trial).to_json()
    # The values a careless copy would lose, as REDCap holds them.
    rows = list(csv.DictReader(io.StringIO(text)))
    hipec = next(r for r in rows if r["hipec_date"])
    assert (hipec["record_id"], hipec["hipec_dose_mg"], hipec["hipec_start_time"]) == (
        A, "212.50", "2025-02-25T10:05:30+08:00")
    site = next(r for r in rows if r["sit_site_id"] == "BJ02")
    assert site["sit_name"] == "北京肿瘤医院"


def test_a_byte_order_mark_is_ignored(seed_protocol: Protocol, seed_project: Project) -> None:
    text = export(small_trial(), seed_protocol, seed_project)
    assert read_redcap_records("\ufeff" + text, protocol=seed_protocol) == canonical(small_trial())


def test_redcaps_data_access_group_column_is_ignored(seed_protocol: Protocol, seed_project: Project) -> None:
    rows = _cells(export(small_trial(), seed_protocol, seed_project))
    rows[0].insert(4, "redcap_data_access_group")
    for row in rows[1:]:
        row.insert(4, "shanghai")
    text = csv_text(tuple(tuple(r) for r in rows))
    assert read_redcap_records(text, protocol=seed_protocol) == canonical(small_trial())


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _set(rows: list[list[str]], line: int, column: str, value: str) -> None:
    rows[line - 1][rows[0].index(column)] = value


def _blank_row(rows: list[list[str]], **cells: str) -> None:
    row = [""] * len(rows[0])
    for name, value in cells.items():
        row[rows[0].index(name)] = value
    rows.append(row)


def test_a_malformed_file_is_refused_whole_with_every_problem(seed_protocol: Protocol, seed_project: Project) -> None:
    rows = _cells(export(small_trial(), seed_protocol, seed_project))
    # Lines: 2 trial, 3 site, 4 participant, 5-7 visits, 8 dose, 9 demographics, 10 vital signs,
    # 11-12 dosing, 13 adverse event.
    _set(rows, 9, "sex", "other")
    _set(rows, 9, "consent_obtained", "yes")
    _set(rows, 9, "death_date", "2025-05-01")   # the death form is not entered at screening
    _set(rows, 9, "demographics_complete", "3")
    _set(rows, 10, "vs_date", "2025-13-01")
    _set(rows, 13, "ae_sae_criteria___disability", "2")
    _blank_row(rows, record_id=P, redcap_event_name="screening_arm_2")
    _blank_row(rows, record_id=P, redcap_event_name="screening_arm_1", redcap_repeat_instrument="demographics",
               redcap_repeat_instance="1")
    _blank_row(rows, record_id=P, redcap_event_name="induction_cycle_arm_1", redcap_repeat_instrument="dosing")
    with pytest.raises(RedcapRecordsError) as caught:
        read_redcap_records(csv_text(tuple(tuple(r) for r in rows)), protocol=seed_protocol, project=seed_project)
    found = {(p.line, p.record, p.event, p.instrument, p.variable, p.value): p.expected for p in caught.value.problems}
    expected = {
        (9, P, "screening_arm_1", "", "death_date", "2025-05-01"): "blank: this row holds demographics, medical_history",
        (9, P, "screening_arm_1", "demographics", "demographics_complete", "3"): "blank or a form status 0, 1 or 2",
        (10, P, "induction_cycle_arm_1", "vital_signs", "vs_date", "2025-13-01"): "a date (YYYY-MM-DD)",
        (13, P, "adverse_event_arm_1", "adverse_events", "ae_sae_criteria___disability", "2"): "1 (ticked), 0 or blank",
        (14, P, "screening_arm_2", "", "redcap_event_name", "screening_arm_2"): "a unique event name of the project",
        (15, P, "screening_arm_1", "demographics", "redcap_repeat_instrument", "demographics"):
            "an instrument that repeats at event screening_arm_1 (concomitant_medications, recist_lesions)",
        (16, P, "induction_cycle_arm_1", "dosing", "redcap_repeat_instance", ""):
            "the instance of the repeating instrument",
    }
    for key, phrase in expected.items():
        assert key in found, key
        assert found[key].startswith(phrase), (key, found[key])
    assert found[(9, P, "screening_arm_1", "demographics", "sex", "other")] == "a code of sex (male, female)"
    assert found[(9, P, "screening_arm_1", "demographics", "consent_obtained", "yes")] == "1 (yes) or 0 (no)"
    # The message counts the problems and lists them.
    assert str(caught.value).startswith(f"REDCap record file refused: {len(caught.value.problems)} problems:")


def test_wrong_values_name_what_was_expected(seed_protocol: Protocol, seed_project: Project) -> None:
    rows = _cells(export(small_trial(), seed_protocol, seed_project))
    _set(rows, 9, "sex", "other")
    _set(rows, 9, "consent_obtained", "yes")
    with pytest.raises(RedcapRecordsError) as caught:
        read_redcap_records(csv_text(tuple(tuple(r) for r in rows)), protocol=seed_protocol, project=seed_project)
    found = {(p.line, p.instrument, p.variable, p.value): p.expected for p in caught.value.problems}
    assert found == {
        (9, "demographics", "sex", "other"): "a code of sex (male, female)",
        (9, "demographics", "consent_obtained", "yes"): "1 (yes) or 0 (no)",
    }


def test_an_unknown_or_missing_column_is_refused_before_any_row(seed_protocol: Protocol,
                                                                 seed_project: Project) -> None:
    rows = _cells(export(small_trial(), seed_protocol, seed_project))
    rows[0][rows[0].index("sex")] = "gender"
    with pytest.raises(RedcapRecordsError) as caught:
        read_redcap_records(csv_text(tuple(tuple(r) for r in rows)), protocol=seed_protocol, project=seed_project)
    problems = {(p.line, p.variable): p.expected for p in caught.value.problems}
    assert problems.keys() == {(None, "gender"), (None, "sex")}
    assert problems[(None, "gender")].startswith("a column of the project's record file")
    assert problems[(None, "sex")].startswith("column sex (export every instrument")


def test_text_that_is_not_csv_is_refused_with_its_line(seed_protocol: Protocol, seed_project: Project) -> None:
    text = export(small_trial(), seed_protocol, seed_project)
    lines = text.split("\n")
    lines[4] = lines[4].replace("screening", "x" * 200_000, 1)  # over the csv module's cell limit, line 5
    with pytest.raises(RedcapRecordsError) as caught:
        read_redcap_records("\n".join(lines), protocol=seed_protocol, project=seed_project)
    (problem,) = caught.value.problems
    assert problem.line == 5
    assert problem.expected.startswith("comma-separated values (")


def test_the_tables_refusals_are_named_by_line(seed_protocol: Protocol, seed_project: Project) -> None:
    rows = _cells(export(small_trial(), seed_protocol, seed_project))
    del rows[3]  # line 4: the participant's own row
    with pytest.raises(RedcapRecordsError) as caught:
        read_redcap_records(csv_text(tuple(tuple(r) for r in rows)), protocol=seed_protocol, project=seed_project)
    lines = {p.line for p in caught.value.problems}
    # Every row of the participant (lines 4-12 once line 4 is gone) lacks its participant.
    assert lines == set(range(4, 13))
    visit = next(p for p in caught.value.problems if p.line == 4)
    assert (visit.record, visit.event, visit.instrument) == (P, "participant_arm_1", "rec_visits")
    assert "participant" in visit.expected


def test_a_repeating_forms_record_without_its_keys_is_refused(seed_protocol: Protocol,
                                                               seed_project: Project) -> None:
    rows = _cells(export(small_trial(), seed_protocol, seed_project))
    _set(rows, 11, "dosing_repeat", "")
    with pytest.raises(RedcapRecordsError) as caught:
        read_redcap_records(csv_text(tuple(tuple(r) for r in rows)), protocol=seed_protocol, project=seed_project)
    (problem,) = caught.value.problems
    assert (problem.line, problem.instrument, problem.variable) == (11, "dosing", "dosing_repeat")


def test_a_form_record_left_blank_but_complete_comes_back(seed_protocol: Protocol, seed_project: Project) -> None:
    trial = dataclasses.replace(small_trial(), form_records=(
        *small_trial().form_records,
        FormRecord(participant_id=P, form_id="labs", visit_id="screening", values={})))
    assert read_redcap_records(export(trial, seed_protocol, seed_project), protocol=seed_protocol) == canonical(trial)
