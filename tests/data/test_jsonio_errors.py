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


@pytest.mark.parametrize("version", [1, 4])
def test_rejects_unknown_schema_version(version: int) -> None:
    document = _document()
    document["schema_version"] = version
    error = _read(document)
    assert error.path == "schema_version"
    assert f"unsupported version {version}" in str(error)
    assert "reads versions 2 and 3" in str(error)


def test_rejects_schema_version_given_as_a_boolean() -> None:
    document = _document()
    document["schema_version"] = True
    error = _read(document)
    assert error.path == "schema_version"
    assert "expected an integer, got true" in str(error)


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


# -- every strictness rule, at every level the quick reading handles differently --------------
# Each case changes the good document in one place; the error must name that place. Keys
# given twice are written into the text (a parsed dict cannot hold them), with the same value
# twice where possible: the object then parses to the very dict the good document gives.


def _text_with(document: dict[str, Any], old: str, new: str) -> str:
    text = json.dumps(document)
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _twice_in_a_record(document: dict[str, Any]) -> str:
    return _text_with(document, '"birth_date": "1960-01-02"',
                      '"birth_date": "1960-01-02", "birth_date": "1960-01-02"')


def _twice_in_a_crf_value(document: dict[str, Any]) -> str:
    return _text_with(document, '"type": "decimal"', '"type": "decimal", "type": "decimal"')


def _twice_in_crf_values(document: dict[str, Any]) -> str:
    return _text_with(document, '"values": {', '"values": {"weight_kg": {"type": "decimal", "value": "61.5"}, ')


def _twice_in_attribution(document: dict[str, Any]) -> str:
    document["adverse_events"][0]["attribution"] = {"oxaliplatin": "possible"}
    return _text_with(document, '"attribution": {', '"attribution": {"oxaliplatin": "possible", ')


def _twice_in_source(document: dict[str, Any]) -> str:
    document["source"] = {"kind": "edc", "description": "snapshot"}
    return _text_with(document, '"kind": "edc"', '"kind": "edc", "kind": "edc"')


def _schema_version_twice(document: dict[str, Any]) -> str:
    return _text_with(document, '"schema_version": 3', '"schema_version": 3, "schema_version": 3')


def _set(path: str, value: Any) -> Any:
    """A change that sets the value at ``path`` (keys and list indexes, dot-separated)."""
    def change(document: dict[str, Any]) -> dict[str, Any]:
        *parents, last = path.split(".")
        node: Any = document
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
        return document
    return change


def _delete(path: str) -> Any:
    def change(document: dict[str, Any]) -> dict[str, Any]:
        *parents, last = path.split(".")
        node: Any = document
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        del node[last]
        return document
    return change


def _then(*changes: Any) -> Any:
    def change(document: dict[str, Any]) -> Any:
        for one in changes:
            document = one(document)
        return document
    return change


_PROVENANCE = {"entered_by": "nurse.li", "entered_at": "2025-03-01T09:30:00+08:00",
               "protocol_version": "1.0", "changed_by": None, "changed_at": None}
_LESION = {"id": "T1", "site": "liver", "role": "target", "nodal": False, "measurement_mm": "12",
           "status": "measured"}

STRICTNESS = [
    # (case, change, path, phrase)
    ("key twice in a record", _twice_in_a_record, "participants[1].birth_date", "key given twice"),
    ("key twice in a CRF value", _twice_in_a_crf_value, "form_records[0].values.weight_kg.type",
     "key given twice"),
    ("field twice in CRF values", _twice_in_crf_values, "form_records[0].values.weight_kg",
     "key given twice"),
    ("agent twice in attribution", _twice_in_attribution, "adverse_events[0].attribution.oxaliplatin",
     "key given twice"),
    ("key twice in source", _twice_in_source, "source.kind", "key given twice"),
    ("schema_version twice", _schema_version_twice, "schema_version", "key given twice"),
    ("text where an integer belongs", _set("visits.0.repeat", "1"), "visits[0].repeat",
     "expected an integer, got '1'"),
    ("repeat 0 (counts start at 1)", _set("visits.0.repeat", 0), "visits[0].repeat",
     "expected an integer >= 1, got 0"),
    ("number where text belongs", _set("participants.0.id", 5), "participants[0].id",
     "expected a string, got 5"),
    ("float in a CRF decimal", _set("form_records.0.values.weight_kg.value", 61.5),
     "form_records[0].values.weight_kg.value", 'a decimal number written as a string (e.g. "1.5"), got 61.5'),
    ("1 where a boolean belongs", _set("adverse_events.0.serious", 1), "adverse_events[0].serious",
     "expected true or false, got 1"),
    ("null where a value is required", _set("doses.0.given", None), "doses[0].given",
     'a decimal number written as a string (e.g. "1.5"), got null'),
    ("NaN as a decimal string", _set("doses.0.given", "NaN"), "doses[0].given",
     'a decimal number written as a string (e.g. "1.5"), got \'NaN\''),
    ("30 February", _set("visits.0.planned_date", "2025-02-30"), "visits[0].planned_date",
     "expected an ISO date (YYYY-MM-DD), got '2025-02-30'"),
    ("a date where a date-time belongs", _set("generated_at", "2025-03-01"), "generated_at",
     "expected an ISO date-time with a UTC offset"),
    ("unknown attribution code", _set("adverse_events.0.attribution", {"oxaliplatin": "likely"}),
     "adverse_events[0].attribution.oxaliplatin", "expected one of unrelated, unlikely, possible"),
    ("CRF field id that is not an identifier",
     _set("form_records.0.values", {"weight kg": {"type": "decimal", "value": "x"}}),
     "form_records[0].values['weight kg'].value", "expected a decimal number written as a string"),
    ("CRF value with a third key",
     _set("form_records.0.values.weight_kg", {"type": "int", "value": 1, "unit": "kg"}),
     "form_records[0].values.weight_kg", 'expected an object with keys "type" and "value"'),
    ("true as a CRF integer", _set("form_records.0.values.weight_kg", {"type": "int", "value": True}),
     "form_records[0].values.weight_kg.value", "expected an integer, got true"),
    ("1 as a CRF boolean", _set("form_records.0.values.weight_kg", {"type": "boolean", "value": 1}),
     "form_records[0].values.weight_kg.value", "expected true or false, got 1"),
    ("a string as a CRF integer", _set("form_records.0.values.weight_kg", {"type": "int", "value": "1"}),
     "form_records[0].values.weight_kg.value", "expected an integer, got '1'"),
    ("multiple choice holding a number",
     _set("form_records.0.values.weight_kg", {"type": "multi_choice", "value": ["a", 1]}),
     "form_records[0].values.weight_kg.value[1]", "expected a string, got 1"),
    ("change without its date", _set("visits.0.provenance", {**_PROVENANCE, "changed_by": "dr.wang"}),
     "visits[0].provenance.changed_at", "given together with changed_by"),
    ("entry time without offset",
     _set("visits.0.provenance", {**_PROVENANCE, "entered_at": "2025-03-01T09:30:00"}),
     "visits[0].provenance.entered_at", "UTC offset"),
    ("PCI region scored 4", _set("tumour_assessments.0.pci", [0] * 12 + [4]), "tumour_assessments[0].pci",
     "13 region scores, each 0-3 or None"),
    ("lesion without a status", _then(_set("tumour_assessments.0.lesions", [dict(_LESION)]),
                                      _delete("tumour_assessments.0.lesions.0.status")),
     "tumour_assessments[0].lesions[0].status", "required key is missing"),
    ("a list where a record belongs", _set("participants.0", []), "participants[0]",
     "expected an object, got a list"),
    ("unknown source kind", _set("source", {"kind": "registry", "description": "x"}), "source.kind",
     "expected one of simulation, edc, import, got 'registry'"),
    ("empty source description", _set("source", {"kind": "edc", "description": ""}), "source.description",
     "expected a non-empty text naming the producer, got ''"),
    ("version 3 without source", _delete("source"), "source", "required key is missing"),
    ("version 2 with source", _set("schema_version", 2), "source", "unknown key"),
]


@pytest.mark.parametrize(("change", "path", "phrase"), [case[1:] for case in STRICTNESS],
                         ids=[case[0] for case in STRICTNESS])
def test_names_the_path_of_each_strictness_rule(change: Any, path: str, phrase: str) -> None:
    error = _read(change(_document()))
    assert error.path == path, str(error)
    assert phrase in str(error)
