"""TrialData -> JSON -> TrialData gives the same value, and the same TrialData the same bytes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipectrial.data import (
    SCHEMA_VERSION,
    DoseAdministration,
    FormRecord,
    Provenance,
    RecordKind,
    TrialData,
    jsonio,
)
from hipectrial.data.codecs import RecordCodec

from .strategies import RECORDS, trials

SLOW = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SLOW
@given(trials)
def test_round_trip_gives_an_equal_trial(trial: TrialData) -> None:
    assert TrialData.from_json(trial.to_json()) == trial


@SLOW
@given(trials)
def test_same_trial_gives_the_same_bytes(trial: TrialData) -> None:
    text = trial.to_json()
    again = TrialData.from_json(text).to_json()
    assert again.encode("utf-8") == text.encode("utf-8")
    assert trial.to_json() == text


@pytest.mark.parametrize("kind", sorted(RECORDS))
def test_each_record_kind_round_trips(kind: str) -> None:
    @SLOW
    @given(st.lists(RECORDS[kind], min_size=1, max_size=4).map(tuple))
    def check(records: tuple[Any, ...]) -> None:
        trial = TrialData(protocol_id="P", protocol_version="1",
                          generated_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), **{kind: records})
        back = TrialData.from_json(trial.to_json())
        assert back.records(RecordKind(kind)) == records

    check()


@pytest.mark.parametrize("kind", [k for k in RecordKind if k is not RecordKind.TRIAL])
def test_codec_writes_every_field_of_its_record(kind: RecordKind) -> None:
    codec = jsonio.TRIAL.fields[kind.value].inner  # type: ignore[attr-defined]
    record_codec: RecordCodec[Any] = codec
    record_type = record_codec.factory
    assert isinstance(record_type, type)
    assert list(record_codec.fields) == [f.name for f in dataclasses.fields(record_type)]


def test_trial_codec_writes_every_field_of_trial_data() -> None:
    assert list(jsonio.TRIAL.fields) == [f.name for f in dataclasses.fields(TrialData)]


def test_document_writes_decimals_as_strings_and_datetimes_with_offset() -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    provenance = Provenance(entered_by="nurse.li", entered_at=dt.datetime(2025, 3, 1, 9, 30, tzinfo=shanghai),
                            protocol_version="1.0")
    trial = TrialData(
        protocol_id="HIPEC-PD1-SOX", protocol_version="1.0",
        generated_at=dt.datetime(2025, 3, 2, tzinfo=shanghai),
        doses=(DoseAdministration(participant_id="SH01-001", agent="oxaliplatin",
                                  date=dt.date(2025, 3, 1), prescribed=Decimal("215.50"),
                                  given=Decimal("215.50"), unit="mg", phase="induction", cycle=1,
                                  day=1, provenance=provenance),),
        form_records=(FormRecord(participant_id="SH01-001", form_id="baseline", visit_id="screening",
                                 values={"weight_kg": Decimal("61.50"), "ecog": 1,
                                         "symptoms": ("pain", "ascites")}),),
    )
    document = json.loads(trial.to_json())
    assert document["schema_version"] == SCHEMA_VERSION == 3
    assert document["generated_at"] == "2025-03-02T00:00:00+08:00"
    dose = document["doses"][0]
    assert (dose["given"], dose["prescribed"], dose["date"]) == ("215.50", "215.50", "2025-03-01")
    assert dose["provenance"]["entered_at"] == "2025-03-01T09:30:00+08:00"
    assert dose["provenance"]["changed_by"] is None
    values = document["form_records"][0]["values"]
    assert values == {
        "ecog": {"type": "int", "value": 1},
        "symptoms": {"type": "multi_choice", "value": ["pain", "ascites"]},
        "weight_kg": {"type": "decimal", "value": "61.50"},
    }
    # Provenance is written even when a record has none (simulated records).
    assert document["form_records"][0]["provenance"] is None


def test_document_keys_are_sorted_and_text_ends_with_a_newline() -> None:
    trial = TrialData(protocol_id="P", protocol_version="1",
                      generated_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    text = trial.to_json()
    assert text.endswith("}\n")
    keys = list(json.loads(text))
    assert keys == sorted(keys)
    assert "schema_version" in keys


def test_decimal_keeps_its_written_precision() -> None:
    record = FormRecord(participant_id="p", form_id="f", visit_id="v",
                        values={"creatinine": Decimal("88.40"), "tiny": Decimal("1E-7")})
    trial = TrialData(protocol_id="P", protocol_version="1",
                      generated_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), form_records=(record,))
    values = TrialData.from_json(trial.to_json()).form_records[0].values
    assert str(values["creatinine"]) == "88.40"
    assert str(values["tiny"]) == "1E-7"
