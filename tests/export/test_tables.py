"""TrialData -> tables -> TrialData loses nothing; the rows hold what the records hold."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

from hipectrial.data import TrialData
from hipectrial.export.tables import canonical, table_defs, table_rows, trial_from_tables
from hipectrial.protocol import Protocol

from .hand_built import BEIJING, NEW_YORK, A, B, hand_built_trial


def as_dicts(trial: TrialData, protocol: Protocol) -> Iterator[tuple[str, dict[str, object]]]:
    for table, row in table_rows(trial, protocol):
        yield table.id, dict(zip(table.names, row, strict=True))


def rows_of(trial: TrialData, protocol: Protocol, table_id: str) -> list[dict[str, object]]:
    return [row for tid, row in as_dicts(trial, protocol) if tid == table_id]


def assert_same_trial(back: TrialData, expected: TrialData) -> None:
    # Decimal("1.50") == Decimal("1.5"): the JSON texts tell them apart.
    assert back == expected
    assert back.to_json() == expected.to_json()


# -- round trips --------------------------------------------------------------------------


def test_a_simulated_trial_comes_back_whole(simulated_trial: TrialData, seed_protocol: Protocol) -> None:
    back = trial_from_tables(seed_protocol, as_dicts(simulated_trial, seed_protocol))
    assert_same_trial(back, canonical(simulated_trial))


def test_the_simulated_trial_is_already_canonical(simulated_trial: TrialData) -> None:
    assert canonical(simulated_trial) is simulated_trial


def test_a_hand_built_trial_with_every_optional_field_comes_back_whole(timed_protocol: Protocol) -> None:
    trial = hand_built_trial()
    back = trial_from_tables(timed_protocol, as_dicts(trial, timed_protocol))
    assert_same_trial(back, canonical(trial))


def test_rows_given_in_reverse_order_make_the_same_trial(timed_protocol: Protocol) -> None:
    # Every table's rows reversed, children before parents, except sites and participants,
    # whose row order is the order of the trial's sites and participants.
    trial = hand_built_trial()
    rows = list(as_dicts(trial, timed_protocol))
    ordered = [r for r in rows if r[0] in ("sites", "participants")]
    back = trial_from_tables(timed_protocol, [*reversed([r for r in rows if r not in ordered]), *ordered])
    assert_same_trial(back, canonical(trial))


def test_crf_records_without_seq_come_in_row_order_within_each_form(timed_protocol: Protocol) -> None:
    trial = hand_built_trial()
    rows = [(tid, {k: v for k, v in row.items() if not (tid.startswith("form_") and k == "seq")})
            for tid, row in as_dicts(trial, timed_protocol)]
    back = trial_from_tables(timed_protocol, rows)
    # Participant A's CRF records: by table (protocol form order), then row order.
    keys = [(r.form_id, r.repeat) for r in back.form_records if r.participant_id == A]
    assert keys == [("labs", None), ("hipec_procedure", None), ("adverse_events", 2), ("adverse_events", 1)]


# -- canonical order ----------------------------------------------------------------------


def test_canonical_groups_records_by_participant_keeping_their_order() -> None:
    trial = hand_built_trial()
    ordered = canonical(trial)
    assert [v.participant_id for v in ordered.visits] == [A, A, A, B]
    assert [(v.visit_id, v.repeat) for v in ordered.visits][:3] == [
        ("screening", 1), ("induction-cycle", 2), ("day0-laparoscopy-hipec", 1)]
    assert [d.agent for d in ordered.doses] == ["hipec-paclitaxel", "s-1", "oxaliplatin"]
    assert [r.test_code for r in ordered.lab_results] == ["HGB", "NEUT"]
    assert ordered.participants == trial.participants
    assert ordered.sites == trial.sites


# -- the rows, checked against the records by hand -----------------------------------------


def test_tables_come_in_the_fixed_order(seed_protocol: Protocol) -> None:
    ids = [t.id for t in table_defs(seed_protocol)]
    forms = [f"form_{f.id}" for f in seed_protocol.forms]
    assert ids == ["trial", "sites", "participants", "visits", *forms, "doses", "adverse_events",
                   "lab_results", "tumour_assessments", "lesions", "surgeries", "complications",
                   "follow_ups"]


def test_row_counts_match_the_records(simulated_trial: TrialData, seed_protocol: Protocol) -> None:
    counts = Counter(table.id for table, _ in table_rows(simulated_trial, seed_protocol))
    t = simulated_trial
    assert counts["trial"] == 1
    assert counts["participants"] == len(t.participants)
    assert counts["adverse_events"] == len(t.adverse_events)
    assert counts["lab_results"] == len(t.lab_results)
    assert counts["lesions"] == sum(len(a.lesions) for a in t.tumour_assessments)
    assert counts["complications"] == sum(len(s.complications) for s in t.surgeries)
    assert counts["form_vital_signs"] == sum(1 for r in t.form_records if r.form_id == "vital_signs")


def test_the_trial_row_holds_the_document(timed_protocol: Protocol) -> None:
    assert rows_of(hand_built_trial(), timed_protocol, "trial") == [{
        "protocol_id": "HIPEC-PD1-SOX", "protocol_version": "1.0",
        "generated_at": dt.datetime(2026, 2, 1, tzinfo=BEIJING),
        "source_kind": "edc", "source_description": "EDC snapshot, test site",
    }]


def test_an_adverse_event_row_holds_every_field(timed_protocol: Protocol) -> None:
    first = rows_of(hand_built_trial(), timed_protocol, "adverse_events")[0]
    assert first == {
        "participant_id": A, "seq": 1, "term": "Diarrhea", "grade": 3,
        "onset_date": dt.date(2025, 4, 9), "resolution_date": dt.date(2025, 4, 20), "serious": True,
        "attribution_hipec_paclitaxel": None, "attribution_oxaliplatin": "unlikely",
        "attribution_s_1": "probable", "attribution_tislelizumab": None, "attribution_trastuzumab": None,
        "dlt": True, "immune_related": False, "led_to_discontinuation": True,
        "outcome": "recovered_with_sequelae",
        "entered_by": "crc.wang", "entered_at": dt.datetime(2025, 3, 5, 14, 0, 5, tzinfo=BEIJING),
        "protocol_version": "1.0", "changed_by": "dm.zhao",
        "changed_at": dt.datetime(2025, 4, 1, 8, 15, tzinfo=NEW_YORK),
    }


def test_crf_rows_carry_the_key_the_seq_across_forms_and_the_typed_values(timed_protocol: Protocol) -> None:
    trial = hand_built_trial()
    labs = rows_of(trial, timed_protocol, "form_labs")
    assert len(labs) == 1
    assert labs[0]["participant_id"] == A
    assert labs[0]["visit_id"] == "screening"
    assert labs[0]["visit_repeat"] == 1
    assert "repeat" not in labs[0]
    assert labs[0]["seq"] == 1
    assert labs[0]["anc"] == Decimal("1.50")
    assert str(labs[0]["anc"]) == "1.50"
    assert labs[0]["on_anticoagulant"] is False
    assert labs[0]["haemoglobin"] is None
    aes = rows_of(trial, timed_protocol, "form_adverse_events")
    # A's CRF records in order: labs (1), adverse event repeat 2 (2), HIPEC (3), repeat 1 (4).
    assert [(r["repeat"], r["seq"]) for r in aes] == [(2, 2), (1, 4)]
    assert aes[0]["ae_sae_criteria"] == ("hospitalisation", "death")
    hipec = rows_of(trial, timed_protocol, "form_hipec_procedure")[0]
    assert hipec["hipec_start_time"] == dt.datetime(2025, 2, 25, 10, 5, 30, tzinfo=BEIJING)


def test_children_carry_their_parents_seq_and_their_own(timed_protocol: Protocol) -> None:
    trial = hand_built_trial()
    lesions = rows_of(trial, timed_protocol, "lesions")
    assert [(r["assessment_seq"], r["seq"], r["lesion_id"], r["status"]) for r in lesions] == [
        (1, 1, "T1", None), (1, 2, "NT1", None),
        (3, 1, "T1", "measured"), (3, 2, "NT1", "present"), (3, 3, "N1", "unequivocal_progression")]
    assert lesions[2]["measurement_mm"] == Decimal("12.40")
    assert lesions[4]["nodal"] is True
    complications = rows_of(trial, timed_protocol, "complications")
    assert [(r["surgery_seq"], r["seq"], r["grade"]) for r in complications] == [(1, 1, "IIIb"), (1, 2, "I")]


def test_pci_is_thirteen_columns_with_unscored_regions_empty(timed_protocol: Protocol) -> None:
    laparoscopy = rows_of(hand_built_trial(), timed_protocol, "tumour_assessments")[1]
    assert [laparoscopy[f"pci_{i}"] for i in range(13)] == [2, None, 3, 0, 0, 1, None, 0, 0, 0, 0, 1, 2]
    assert laparoscopy["cytology"] == "CY1"
    assert laparoscopy["method"] == "laparoscopy"


def test_a_pathology_recorded_without_values_differs_from_none(timed_protocol: Protocol) -> None:
    surgeries = rows_of(hand_built_trial(), timed_protocol, "surgeries")
    assert [(r["pathology"], r["pathology_ypt"], r["pathology_regression_grade"]) for r in surgeries] == [
        (True, "ypT2", "1b"), (True, None, None)]
    trial = hand_built_trial()
    without = dataclasses.replace(trial, surgeries=(dataclasses.replace(trial.surgeries[1], pathology=None),))
    assert rows_of(without, timed_protocol, "surgeries")[0]["pathology"] is False


def test_a_trial_of_unknown_source_has_empty_source_columns(timed_protocol: Protocol) -> None:
    trial = dataclasses.replace(hand_built_trial(), source=None)
    row = rows_of(trial, timed_protocol, "trial")[0]
    assert row["source_kind"] is None
    assert row["source_description"] is None
    assert trial_from_tables(timed_protocol, as_dicts(trial, timed_protocol)).source is None


def test_values_are_plain_types_not_enums(simulated_trial: TrialData, seed_protocol: Protocol) -> None:
    plain = (str, int, Decimal, dt.date, dt.datetime, bool, tuple, type(None))
    for _, row in table_rows(simulated_trial, seed_protocol):
        assert all(type(v) in plain for v in row)


def test_every_row_has_a_value_per_column(simulated_trial: TrialData, seed_protocol: Protocol) -> None:
    for table, row in table_rows(simulated_trial, seed_protocol):
        assert len(row) == len(table.columns)

