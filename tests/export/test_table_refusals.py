"""Rows that do not fit are refused, each problem named by table, row, key, column, value and
what was expected; records that a table cannot hold are refused on the way out."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from hipectrial.data import Attribution, FormRecord, Lesion, LesionRole, TrialData
from hipectrial.export.tables import TableProblem, TablesError, table_rows, trial_from_tables
from hipectrial.protocol import Protocol

from .hand_built import A, hand_built_trial

Rows = list[tuple[str, dict[str, object]]]


def good_rows(protocol: Protocol) -> Rows:
    return [(t.id, dict(zip(t.names, row, strict=True))) for t, row in table_rows(hand_built_trial(), protocol)]


def refused(protocol: Protocol, change: Callable[[Rows], None]) -> tuple[TableProblem, ...]:
    rows = good_rows(protocol)
    change(rows)
    with pytest.raises(TablesError) as caught:
        trial_from_tables(protocol, rows)
    return caught.value.problems


def first(rows: Rows, table: str) -> dict[str, object]:
    return next(row for tid, row in rows if tid == table)


def test_refuses_an_unknown_table(timed_protocol: Protocol) -> None:
    (problem,) = refused(timed_protocol, lambda rows: rows.append(("form_nonsense", {"participant_id": A})))
    assert problem.table == "form_nonsense"
    assert "a table of the protocol" in problem.expected


def test_refuses_an_unknown_column_naming_row_and_key(timed_protocol: Protocol) -> None:
    (problem,) = refused(timed_protocol, lambda rows: first(rows, "doses").update(dose_mg=Decimal("5")))
    assert (problem.table, problem.row, problem.key, problem.column, problem.value) == (
        "doses", 1, f"{A}, 1", "dose_mg", Decimal("5"))
    assert "dose_mg" in str(TablesError([problem]))
    assert "doses row 1" in str(TablesError([problem]))


def test_refuses_a_key_given_twice(timed_protocol: Protocol) -> None:
    def twice(rows: Rows) -> None:
        rows.append(("adverse_events", dict(first(rows, "adverse_events"))))

    (problem,) = refused(timed_protocol, twice)
    assert problem.table == "adverse_events"
    assert problem.row == 3
    assert "given once" in problem.expected


def test_refuses_a_lesion_without_its_assessment(timed_protocol: Protocol) -> None:
    (problem,) = refused(timed_protocol, lambda rows: first(rows, "lesions").update(assessment_seq=9))
    assert (problem.table, problem.column, problem.value) == ("lesions", "assessment_seq", 9)
    assert "tumour_assessments" in problem.expected


def test_refuses_records_of_a_participant_without_a_row(timed_protocol: Protocol) -> None:
    (problem,) = refused(timed_protocol, lambda rows: first(rows, "follow_ups").update(participant_id="XX99-001"))
    assert (problem.table, problem.column, problem.value) == ("follow_ups", "participant_id", "XX99-001")
    assert "participants table" in problem.expected


def test_refuses_a_missing_required_value(timed_protocol: Protocol) -> None:
    (problem,) = refused(timed_protocol, lambda rows: first(rows, "lab_results").update(value=None))
    assert (problem.table, problem.column, problem.value) == ("lab_results", "value", None)
    assert "decimal" in problem.expected


def test_refuses_a_value_of_the_wrong_type(timed_protocol: Protocol) -> None:
    (problem,) = refused(timed_protocol, lambda rows: first(rows, "form_labs").update(anc=1.5))
    assert (problem.table, problem.column, problem.value) == ("form_labs", "anc", 1.5)
    assert problem.expected.startswith("a decimal number")


def test_refuses_a_date_where_a_date_time_belongs(timed_protocol: Protocol) -> None:
    problems = refused(timed_protocol, lambda rows: first(rows, "form_hipec_procedure").update(
        hipec_start_time=dt.date(2025, 2, 25)))
    assert [p.column for p in problems] == ["hipec_start_time"]


def test_refuses_an_unknown_code_listing_the_codes(timed_protocol: Protocol) -> None:
    (problem,) = refused(timed_protocol, lambda rows: first(rows, "participants").update(sex="m"))
    assert (problem.table, problem.column, problem.value) == ("participants", "sex", "m")
    assert "male, female" in problem.expected


def test_refuses_an_unknown_code_in_a_multi_choice(timed_protocol: Protocol) -> None:
    (problem,) = refused(timed_protocol, lambda rows: first(rows, "form_adverse_events").update(
        ae_sae_criteria=("death", "ennui")))
    assert problem.column == "ae_sae_criteria"
    assert "sae-criterion" in problem.expected


def test_refuses_provenance_without_its_author(timed_protocol: Protocol) -> None:
    (problem,) = refused(timed_protocol, lambda rows: first(rows, "visits").update(entered_by=None))
    assert (problem.table, problem.column) == ("visits", "entered_by")


def test_refuses_a_change_without_its_time(timed_protocol: Protocol) -> None:
    (problem,) = refused(timed_protocol, lambda rows: first(rows, "participants").update(changed_at=None))
    assert problem.table == "participants"
    assert problem.column == "changed_at"


def test_refuses_pathology_values_when_no_pathology_is_recorded(timed_protocol: Protocol) -> None:
    (problem,) = refused(timed_protocol, lambda rows: first(rows, "surgeries").update(pathology=False))
    assert (problem.column, problem.value) == ("pathology_ypt", "ypT2")


def test_refuses_a_value_the_record_does_not_accept(timed_protocol: Protocol) -> None:
    # grade is an INTEGER column; AdverseEvent accepts 1-5 only.
    (problem,) = refused(timed_protocol, lambda rows: first(rows, "adverse_events").update(grade=7))
    assert (problem.table, problem.column, problem.value) == ("adverse_events", "grade", 7)


def test_refuses_a_trial_without_its_trial_row(timed_protocol: Protocol) -> None:
    problems = refused(timed_protocol, lambda rows: rows.pop(0))
    assert [p.table for p in problems] == ["trial"]
    assert "exactly one row" in problems[0].expected


def test_lists_every_problem_and_caps_the_message(timed_protocol: Protocol) -> None:
    def many(rows: Rows) -> None:
        for tid, row in rows:
            if tid == "lab_results":
                row["unit"] = 1
            if tid == "doses":
                row["given"] = "lots"
        rows.extend(("nowhere", {}) for _ in range(30))

    problems = refused(timed_protocol, many)
    assert len(problems) == 2 + 3 + 1  # two lab units, three doses, one unknown table (once)
    rows = good_rows(timed_protocol)
    rows.extend((f"nowhere_{i}", {}) for i in range(25))
    with pytest.raises(TablesError, match=r"25 problems in the tables:[\s\S]*\.\.\. and 5 more"):
        trial_from_tables(timed_protocol, rows)


# -- records that a table cannot hold are refused on the way out ---------------------------


def refused_export(trial: TrialData, protocol: Protocol) -> TableProblem:
    with pytest.raises(TablesError) as caught:
        for _ in table_rows(trial, protocol):
            pass
    (problem,) = caught.value.problems
    return problem


def with_form_record(trial: TrialData, record: FormRecord) -> TrialData:
    return dataclasses.replace(trial, form_records=(*trial.form_records, record))


def test_export_refuses_a_field_the_form_does_not_have(timed_protocol: Protocol) -> None:
    trial = with_form_record(hand_built_trial(), FormRecord(
        participant_id=A, form_id="labs", visit_id="induction-cycle", visit_repeat=2, values={"mood": "fine"}))
    problem = refused_export(trial, timed_protocol)
    assert (problem.table, problem.column, problem.value) == ("form_labs", "values.mood", "fine")


def test_export_refuses_a_value_of_the_wrong_type_for_its_field(timed_protocol: Protocol) -> None:
    trial = with_form_record(hand_built_trial(), FormRecord(
        participant_id=A, form_id="labs", visit_id="induction-cycle", visit_repeat=2, values={"anc": 2}))
    problem = refused_export(trial, timed_protocol)
    assert (problem.table, problem.row, problem.column, problem.value) == ("form_labs", 2, "anc", 2)


def test_export_refuses_an_empty_multi_choice(timed_protocol: Protocol) -> None:
    trial = with_form_record(hand_built_trial(), FormRecord(
        participant_id=A, form_id="adverse_events", visit_id="adverse-event", repeat=3,
        values={"ae_sae_criteria": ()}))
    assert refused_export(trial, timed_protocol).column == "ae_sae_criteria"


def test_export_refuses_a_repeat_number_on_a_form_that_does_not_repeat(timed_protocol: Protocol) -> None:
    trial = with_form_record(hand_built_trial(), FormRecord(
        participant_id=A, form_id="labs", visit_id="induction-cycle", visit_repeat=2, repeat=1))
    assert refused_export(trial, timed_protocol).column == "repeat"


def test_export_refuses_a_form_record_given_twice(timed_protocol: Protocol) -> None:
    trial = hand_built_trial()
    trial = with_form_record(trial, trial.form_records[0])
    problem = refused_export(trial, timed_protocol)
    assert problem.table == "form_labs"
    assert "given once" in problem.expected


def test_export_refuses_an_unknown_form(timed_protocol: Protocol) -> None:
    trial = with_form_record(hand_built_trial(), FormRecord(participant_id=A, form_id="diary", visit_id="screening"))
    assert refused_export(trial, timed_protocol).value == "diary"


def test_export_refuses_records_of_an_unknown_participant(timed_protocol: Protocol) -> None:
    trial = hand_built_trial()
    trial = dataclasses.replace(trial, follow_ups=(
        *trial.follow_ups, dataclasses.replace(trial.follow_ups[0], participant_id="XX99-001")))
    problem = refused_export(trial, timed_protocol)
    assert (problem.table, problem.column, problem.value) == ("follow_ups", "participant_id", "XX99-001")


def test_export_refuses_an_attribution_to_an_agent_the_protocol_lacks(timed_protocol: Protocol) -> None:
    trial = hand_built_trial()
    trial = dataclasses.replace(trial, adverse_events=(dataclasses.replace(
        trial.adverse_events[1], attribution={"aspirin": Attribution.POSSIBLE}),))
    assert refused_export(trial, timed_protocol).column == "attribution.aspirin"


def test_export_refuses_an_empty_text(timed_protocol: Protocol) -> None:
    trial = hand_built_trial()
    trial = dataclasses.replace(trial, tumour_assessments=(dataclasses.replace(
        trial.tumour_assessments[0], lesions=(Lesion(id="T1", site="", role=LesionRole.TARGET,
                                                     measurement_mm=Decimal("10")),)),))
    problem = refused_export(trial, timed_protocol)
    assert (problem.table, problem.column, problem.value) == ("lesions", "site", "")


def _drop(table: str, **match: object) -> Callable[[Rows], None]:
    def change(rows: Rows) -> None:
        index = next(i for i, (tid, row) in enumerate(rows)
                     if tid == table and all(row.get(k) == v for k, v in match.items()))
        del rows[index]
    return change


def test_refuses_a_record_deleted_from_the_middle_of_a_participants_numbering(timed_protocol: Protocol) -> None:
    # SH01-001 has adverse events 1 and 2 and doses 1 and 2: without dose 1, dose 2 would be
    # read back as dose 1, and every later record renumbered without a word.
    (problem,) = refused(timed_protocol, _drop("doses", participant_id=A, seq=1))
    assert (problem.table, problem.column, problem.value) == ("doses", "seq", 2)
    assert problem.expected == (f"the doses records of participant {A!r} numbered from 1 without a gap "
                                "(number 1 is missing: a record deleted from the file?)")


def test_refuses_a_child_deleted_from_the_middle_of_its_parent(timed_protocol: Protocol) -> None:
    # The third assessment of SH01-001 has lesions 1, 2 and 3; lesion 2 is deleted.
    (problem,) = refused(timed_protocol, _drop("lesions", participant_id=A, assessment_seq=3, seq=2))
    assert (problem.table, problem.column, problem.value) == ("lesions", "seq", 3)
    assert "number 2 is missing" in problem.expected


def test_the_last_record_deleted_leaves_no_gap_to_see(timed_protocol: Protocol) -> None:
    # What numbering cannot tell: the last record gone. The trial comes back one dose short.
    rows = good_rows(timed_protocol)
    _drop("doses", participant_id=A, seq=2)(rows)
    assert len(trial_from_tables(timed_protocol, rows).doses_of(A)) == 1
