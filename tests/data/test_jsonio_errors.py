"""A document that cannot be read raises DataError naming what is wrong and where."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from hipectrial.data import (
    AdverseEvent,
    AssessmentMethod,
    DocumentError,
    DoseAdministration,
    FormRecord,
    Participant,
    Sex,
    TrialData,
    TumourAssessment,
    Visit,
)
from hipectrial.errors import DataError


def _participant(n: int) -> Participant:
    return Participant(id=f"SH01-00{n}", site_id="SH01", sex=Sex.FEMALE, birth_date=dt.date(1960, 1, n),
                       consent_date=dt.date(2025, 1, 2))


def _document() -> dict[str, Any]:
    trial = TrialData(
        protocol_id="HIPEC-PD1-SOX", protocol_version="1.0",
        generated_at=dt.datetime(2025, 3, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        participants=tuple(_participant(n) for n in range(1, 5)),
        visits=(Visit(participant_id="SH01-001", visit_id="screening"),),
        form_records=(FormRecord(participant_id="SH01-001", form_id="baseline", visit_id="screening",
                                 values={"weight_kg": Decimal("61.5")}),),
        doses=(DoseAdministration(participant_id="SH01-001", agent="oxaliplatin", date=dt.date(2025, 2, 1),
                                  prescribed=Decimal("215"), given=Decimal("215"), unit="mg"),),
        adverse_events=(AdverseEvent(participant_id="SH01-001", term="Diarrhea", grade=2,
                                     onset_date=dt.date(2025, 2, 3)),),
        tumour_assessments=(TumourAssessment(participant_id="SH01-001", date=dt.date(2025, 1, 10),
                                             method=AssessmentMethod.LAPAROSCOPY),),
    )
    document: dict[str, Any] = json.loads(trial.to_json())
    return document


def _read(document: dict[str, Any] | str) -> DocumentError:
    text = document if isinstance(document, str) else json.dumps(document)
    with pytest.raises(DataError) as caught:
        TrialData.from_json(text)
    assert isinstance(caught.value, DocumentError)
    return caught.value


def test_the_unchanged_document_reads() -> None:
    assert TrialData.from_json(json.dumps(_document())).participants[3].id == "SH01-004"


def test_rejects_impossible_birth_date_naming_participant_and_field() -> None:
    document = _document()
    document["participants"][3]["birth_date"] = "1960-13-01"
    error = _read(document)
    assert error.path == "participants[3].birth_date"
    assert str(error) == ("participants[3].birth_date: expected an ISO date (YYYY-MM-DD), "
                          "got '1960-13-01'")


def test_rejects_date_in_another_format() -> None:
    document = _document()
    document["participants"][0]["consent_date"] = "02/01/2025"
    assert _read(document).path == "participants[0].consent_date"


def test_rejects_unknown_schema_version() -> None:
    document = _document()
    document["schema_version"] = 3
    error = _read(document)
    assert error.path == "schema_version"
    assert "unsupported version 3" in str(error)
    assert "reads version 2" in str(error)


def test_rejects_a_lesion_status_contradicting_its_measurement() -> None:
    document = _document()
    document["tumour_assessments"][0]["lesions"] = [
        {"id": "T1", "site": "liver", "role": "target", "nodal": False,
         "measurement_mm": "12", "status": "disappeared"},
    ]
    error = _read(document)
    assert error.path == "tumour_assessments[0].lesions[0].measurement_mm"
    assert "absent for a lesion that is disappeared" in str(error)


def test_rejects_document_without_schema_version() -> None:
    document = _document()
    del document["schema_version"]
    error = _read(document)
    assert error.path == "schema_version"
    assert "required key is missing" in str(error)


def test_rejects_text_that_is_not_json() -> None:
    error = _read('{"schema_version": 1,')
    assert error.path == ""
    assert "not JSON" in str(error)
    assert "line 1" in str(error)


def test_rejects_json_that_is_not_an_object() -> None:
    error = _read("[1, 2]")
    assert "expected a JSON object (a TrialData document), got a list" in str(error)


def test_rejects_nan() -> None:
    assert "NaN is not a JSON number" in str(_read('{"schema_version": NaN}'))


def test_rejects_decimal_written_as_a_json_number() -> None:
    document = _document()
    document["doses"][0]["given"] = 215.5
    error = _read(document)
    assert error.path == "doses[0].given"
    assert "expected a decimal number written as a string" in str(error)
    assert "got 215.5" in str(error)


def test_rejects_decimal_string_that_is_not_a_number() -> None:
    document = _document()
    document["doses"][0]["prescribed"] = "215 mg"
    assert _read(document).path == "doses[0].prescribed"


def test_rejects_datetime_without_offset() -> None:
    document = _document()
    document["generated_at"] = "2025-03-01T08:00:00"
    error = _read(document)
    assert error.path == "generated_at"
    assert "UTC offset" in str(error)


def test_rejects_unknown_key_in_a_record() -> None:
    document = _document()
    document["participants"][1]["weight"] = "70"
    error = _read(document)
    assert error.path == "participants[1].weight"
    assert "unknown key" in str(error)


def test_rejects_record_missing_a_key() -> None:
    document = _document()
    del document["visits"][0]["provenance"]
    error = _read(document)
    assert error.path == "visits[0].provenance"
    assert "required key is missing" in str(error)


def test_rejects_code_outside_vocabulary() -> None:
    document = _document()
    document["participants"][2]["sex"] = "M"
    error = _read(document)
    assert error.path == "participants[2].sex"
    assert "expected one of male, female, got 'M'" in str(error)


def test_rejects_boolean_where_integer_belongs() -> None:
    document = _document()
    document["visits"][0]["repeat"] = True
    error = _read(document)
    assert error.path == "visits[0].repeat"
    assert "expected an integer, got true" in str(error)


def test_reports_record_check_at_the_field_it_names() -> None:
    document = _document()
    document["adverse_events"][0]["grade"] = 7
    error = _read(document)
    assert error.path == "adverse_events[0].grade"
    assert "expected a CTCAE grade, an integer from 1 to 5, got 7" in str(error)


def test_reports_pci_with_wrong_number_of_regions() -> None:
    document = _document()
    document["tumour_assessments"][0]["pci"] = [1, 2, 3]
    error = _read(document)
    assert error.path == "tumour_assessments[0].pci"
    assert "13 region scores" in str(error)


def test_reports_negative_dose_at_its_field() -> None:
    document = _document()
    document["doses"][0]["given"] = "-5"
    error = _read(document)
    assert error.path == "doses[0].given"
    assert "expected a Decimal >= 0, got '-5'" in str(error)


def test_rejects_field_value_with_unknown_type_tag() -> None:
    document = _document()
    document["form_records"][0]["values"]["weight_kg"] = {"type": "float", "value": "61.5"}
    error = _read(document)
    assert error.path == "form_records[0].values.weight_kg.type"
    assert "expected one of int, decimal" in str(error)


def test_rejects_field_value_without_type_tag() -> None:
    document = _document()
    document["form_records"][0]["values"]["weight_kg"] = "61.5"
    error = _read(document)
    assert error.path == "form_records[0].values.weight_kg"


def test_rejects_key_given_twice() -> None:
    text = json.dumps(_document()).replace('"protocol_id": "HIPEC-PD1-SOX"',
                                           '"protocol_id": "HIPEC-PD1-SOX", "protocol_id": "X"')
    error = _read(text)
    assert error.path == "protocol_id"
    assert "given twice" in str(error)


def test_rejects_records_not_in_a_list() -> None:
    document = _document()
    document["surgeries"] = {}
    error = _read(document)
    assert error.path == "surgeries"
    assert "expected a list, got an object" in str(error)
