"""The tables follow the protocol: its forms, fields, code lists and agents; labels exist in
English and Chinese for every table, column and code."""

from __future__ import annotations

from typing import Any

import pytest

from hipectrial.data.vocab import RecordKind
from hipectrial.errors import InputError
from hipectrial.export.table_labels import CODE_LABELS
from hipectrial.export.tables import ColumnType, TableDef, table_defs
from hipectrial.protocol import Protocol

from .protocols import edited_protocol, form_of


def tables_of(protocol: Protocol) -> dict[str, TableDef]:
    return {t.id: t for t in table_defs(protocol)}


def test_a_crf_table_has_the_key_then_the_forms_fields_then_provenance(seed_protocol: Protocol) -> None:
    table = tables_of(seed_protocol)["form_adverse_events"]
    form = seed_protocol.form("adverse_events")
    assert table.names == ("participant_id", "visit_id", "visit_repeat", "repeat", "seq",
                           *(f.id for f in form.fields),
                           "entered_by", "entered_at", "protocol_version", "changed_by", "changed_at")
    assert [c.name for c in table.key] == ["participant_id", "visit_id", "visit_repeat", "repeat"]
    assert table.kind is RecordKind.FORM
    assert table.form is form
    assert (table.label_en, table.label_zh) == (form.label.en, form.label.zh)


def test_a_crf_column_carries_the_fields_type_unit_range_and_codes(seed_protocol: Protocol) -> None:
    labs = tables_of(seed_protocol)["form_labs"]
    anc = labs.column("anc")
    _, field = seed_protocol.field("anc")
    assert (anc.type, anc.unit, anc.min, anc.max, anc.decimals) == (
        ColumnType.DECIMAL, field.unit, field.min, field.max, field.decimals)
    assert (anc.label_en, anc.label_zh, anc.field) == (field.label.en, field.label.zh, field)
    criteria = tables_of(seed_protocol)["form_adverse_events"].column("ae_sae_criteria")
    assert criteria.type is ColumnType.CODES
    assert criteria.codelist == "sae-criterion"
    assert [c.code for c in criteria.codes] == list(seed_protocol.codelist("sae-criterion").codes)


def test_a_field_added_to_the_protocol_becomes_a_column() -> None:
    def add(document: dict[str, Any]) -> None:
        form_of(document, "labs")["fields"].append(
            {"id": "ldh", "label": {"en": "LDH", "zh": "乳酸脱氢酶"}, "type": "decimal", "unit": "U/L",
             "min": 0, "max": 5000, "decimals": 1})

    column = tables_of(edited_protocol(add))["form_labs"].column("ldh")
    assert (column.type, column.unit, column.max, column.decimals, column.label_zh) == (
        ColumnType.DECIMAL, "U/L", 5000, 1, "乳酸脱氢酶")


def test_a_code_added_to_a_code_list_is_a_code_of_its_columns() -> None:
    def add(document: dict[str, Any]) -> None:
        codelist = next(c for c in document["codelists"] if c["id"] == "sae-criterion")
        codelist["items"].append({"code": "overdose", "label": {"en": "Overdose", "zh": "药物过量"}})

    column = tables_of(edited_protocol(add))["form_adverse_events"].column("ae_sae_criteria")
    assert ("overdose", "Overdose", "药物过量") in [(c.code, c.label_en, c.label_zh) for c in column.codes]


def test_each_agent_of_the_protocol_has_an_attribution_column(seed_protocol: Protocol) -> None:
    names = [c.name for c in tables_of(seed_protocol)["adverse_events"].columns if c.name.startswith("attr")]
    assert names == ["attribution_hipec_paclitaxel", "attribution_oxaliplatin", "attribution_s_1",
                     "attribution_tislelizumab", "attribution_trastuzumab"]


def test_a_field_named_like_a_key_column_is_refused() -> None:
    def add(document: dict[str, Any]) -> None:
        form_of(document, "labs")["fields"].append(
            {"id": "seq", "label": {"en": "Sequence", "zh": "序号"}, "type": "int"})

    with pytest.raises(InputError, match=r"forms\.labs\.fields\.seq"):
        table_defs(edited_protocol(add))


def test_typed_codes_take_the_protocols_labels_and_submission_values(seed_protocol: Protocol) -> None:
    sex = tables_of(seed_protocol)["participants"].column("sex")
    items = seed_protocol.codelist("sex").items
    assert sex.codelist == "sex"
    assert [(c.code, c.label_en, c.label_zh, c.submission_value) for c in sex.codes] == [
        (i.code, i.label.en, i.label.zh, i.submission_value) for i in items]


def test_a_vocabulary_the_protocol_lists_only_in_part_keeps_its_own_labels(seed_protocol: Protocol) -> None:
    # The seed's assessment-method list has no laparoscopy or laparotomy (surgical findings).
    method = tables_of(seed_protocol)["tumour_assessments"].column("method")
    assert method.codelist == "vocab.AssessmentMethod"
    assert ("laparoscopy", "Laparoscopy", "腹腔镜探查") in [(c.code, c.label_en, c.label_zh) for c in method.codes]


def test_protocol_ids_are_code_lists_of_their_columns(seed_protocol: Protocol) -> None:
    tables = tables_of(seed_protocol)
    assert [c.code for c in tables["visits"].column("visit_id").codes] == [v.id for v in seed_protocol.visits]
    assert [c.code for c in tables["doses"].column("phase").codes] == [p.id for p in seed_protocol.phases]
    levels = tables["participants"].column("dose_level").codes
    assert [c.code for c in levels] == ["1", "2", "3"]
    assert levels[0].label_en == "Level 1: Paclitaxel (HIPEC) 75 mg/m2"  # agents[0].name, levels[0]


def test_every_table_column_and_code_has_both_labels(seed_protocol: Protocol) -> None:
    for table in table_defs(seed_protocol):
        assert table.label_en.strip()
        assert table.label_zh.strip()
        assert table.columns[: len(table.key)] == table.key  # key columns first
        for column in table.columns:
            assert column.label_en.strip(), (table.id, column.name)
            assert column.label_zh.strip(), (table.id, column.name)
            assert all(c.label_en.strip() and c.label_zh.strip() for c in column.codes)


def test_the_label_table_covers_every_vocabulary_member() -> None:
    for enum, labels in CODE_LABELS.items():
        assert set(labels) == {m.value for m in enum}, enum.__name__
