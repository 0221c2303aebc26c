"""The data dictionary: REDCap's 18 columns, and rows written out by hand from the REDCap
rules the dictionary follows (field types and validations of REDCap 15.7.6
``Resources/sql/install_data.sql``) and the protocol's own fields."""

from __future__ import annotations

import csv
import functools
import io
from typing import Any

import pytest

from hipectrial.errors import InputError
from hipectrial.export.redcap.design import Project, project_design
from hipectrial.export.redcap.dictionary import HEADER, data_dictionary
from hipectrial.protocol import Protocol

from ..protocols import edited_protocol, form_of


def rows_by_name(protocol: Protocol, project: Project | None = None, **options: Any) -> dict[str, tuple[str, ...]]:
    dictionary = data_dictionary(protocol=protocol, project=project or project_design(protocol), **options)
    return {row[0]: row for row in dictionary.rows}


def test_the_header_is_redcaps_18_columns() -> None:
    # REDCap 15.7.6 Classes/MetaData.php getDataDictionaryHeaders(true), in order.
    assert HEADER == (
        "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
        "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
        "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
        "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
        "Matrix Ranking?", "Field Annotation")


def test_the_csv_reads_back_as_header_and_rows(seed_protocol: Protocol, seed_project: Project) -> None:
    dictionary = data_dictionary(protocol=seed_protocol, project=seed_project)
    parsed = list(csv.reader(io.StringIO(dictionary.csv_text())))
    assert tuple(parsed[0]) == HEADER
    assert [tuple(r) for r in parsed[1:]] == list(dictionary.rows)
    assert all(len(r) == 18 for r in parsed)


def test_record_id_is_the_first_variable_of_the_first_instrument(seed_protocol: Protocol,
                                                                  seed_project: Project) -> None:
    first = data_dictionary(protocol=seed_protocol, project=seed_project).rows[0]
    assert first[:4] == ("record_id", "rec_participants", "", "text")


def _expected(name: str, form: str, kind: str, label: str, *, choices: str = "", note: str = "",
              validation: str = "", low: str = "", high: str = "", logic: str = "", required: str = "y",
              annotation: str) -> tuple[str, ...]:
    return (name, form, "", kind, label, choices, note, validation, low, high, "", logic, required, "", "", "",
            "", annotation)


def test_rows_by_column_type(seed_protocol: Protocol, seed_project: Project) -> None:
    rows = rows_by_name(seed_protocol, seed_project)
    label = {f.id: f.label.en for form in seed_protocol.forms for f in form.fields}
    # int with the protocol's range and unit (vital_signs.systolic_bp: 50-260 mmHg)
    assert rows["systolic_bp"] == _expected(
        "systolic_bp", "vital_signs", "text", label["systolic_bp"], note="Unit: mmHg.", validation="integer",
        low="50", high="260", annotation="hipectrial form_vital_signs.systolic_bp")
    # decimal: REDCap's "number" (not number_1dp), the decimals in the note
    assert rows["height_cm"] == _expected(
        "height_cm", "vital_signs", "text", label["height_cm"], note="Unit: cm. Recorded with 1 decimal.",
        validation="number", low="100", high="230", annotation="hipectrial form_vital_signs.height_cm")
    assert rows["vs_date"] == _expected("vs_date", "vital_signs", "text", label["vs_date"], validation="date_ymd",
                                        annotation="hipectrial form_vital_signs.vs_date")
    assert rows["consent_obtained"] == _expected(
        "consent_obtained", "demographics", "yesno", label["consent_obtained"],
        annotation="hipectrial form_demographics.consent_obtained")
    # a choice of 2 codes: radio; "code, label | code, label"
    assert rows["sex"] == _expected("sex", "demographics", "radio", label["sex"], choices="male, Male | female, Female",
                                    annotation="hipectrial form_demographics.sex")
    # a choice of 8 codes: dropdown; labels may hold commas (REDCap splits at the first)
    assert rows["histology"][3] == "dropdown"
    assert rows["histology"][5].startswith("tubular, Tubular adenocarcinoma | papillary, ")
    assert "poorly_cohesive_src, Poorly cohesive carcinoma, signet-ring cell type |" in rows["histology"][5]
    # multi-choice: checkbox, not required (the protocol's crs_procedures is optional)
    assert rows["crs_procedures"][3:6] == ("checkbox", label["crs_procedures"], rows["crs_procedures"][5])
    assert rows["crs_procedures"][12] == ""
    assert rows["consent_version"][3:8] == ("text", label["consent_version"], "", "", "")
    # show_if -> branching logic; the CEL kept in the annotation
    assert rows["her2_ish_ratio"] == _expected(
        "her2_ish_ratio", "biomarkers", "text", label["her2_ish_ratio"], note="Unit: ratio. Recorded with 2 decimals.",
        validation="number", low="0", high="30", logic="[her2_ihc] = 'ihc2plus'",
        annotation="hipectrial form_biomarkers.her2_ish_ratio show_if (CEL): her2_ihc == 'ihc2plus'")


def test_system_columns_are_read_only_and_keys_are_required(seed_protocol: Protocol, seed_project: Project) -> None:
    rows = rows_by_name(seed_protocol, seed_project)
    assert rows["par_entered_at"] == _expected(
        "par_entered_at", "rec_participants", "text", "Entered at", required="",
        note="ISO 8601 date-time with its UTC offset, e.g. 2025-03-01T09:30:00+08:00.",
        annotation="@READONLY hipectrial participants.entered_at")
    assert rows["adverse_events_visit_repeat"] == _expected(
        "adverse_events_visit_repeat", "adverse_events", "text", "Visit occurrence", validation="integer", low="1",
        annotation="hipectrial form_adverse_events.visit_repeat")
    assert rows["adverse_events_seq"][17] == "@READONLY hipectrial form_adverse_events.seq"


def test_a_datetime_field_is_iso_text(timed_protocol: Protocol) -> None:
    row = rows_by_name(timed_protocol)["hipec_start_time"]
    assert row[3:10] == ("text", "Perfusion start", "",
                         "ISO 8601 date-time with its UTC offset, e.g. 2025-03-01T09:30:00+08:00.", "", "", "")


def test_a_new_field_and_a_new_code_follow_the_protocol() -> None:
    def edit(document: dict[str, Any]) -> None:
        form_of(document, "vital_signs")["fields"].append(
            {"id": "spo2", "label": {"en": "Oxygen saturation", "zh": "血氧饱和度"}, "type": "int", "unit": "%",
             "min": 50, "max": 100})
        sex = next(c for c in document["codelists"] if c["id"] == "sex")
        sex["items"].append({"code": "intersex", "label": {"en": "Intersex", "zh": "间性"}})

    rows = rows_by_name(edited_protocol(edit))
    assert rows["spo2"] == _expected("spo2", "vital_signs", "text", "Oxygen saturation", note="Unit: %.",
                                     validation="integer", low="50", high="100", required="",
                                     annotation="hipectrial form_vital_signs.spo2")
    assert rows["sex"][5] == "male, Male | female, Female | intersex, Intersex"


def _untranslatable(document: dict[str, Any]) -> None:
    for field in form_of(document, "adverse_events")["fields"]:
        if field["id"] == "ae_steroids":
            field["show_if"] = "size(ae_term) > 3"


@functools.cache
def _untranslatable_protocol() -> Protocol:
    return edited_protocol(_untranslatable)


def test_an_untranslatable_show_if_leaves_the_field_always_shown_and_says_so() -> None:
    protocol = _untranslatable_protocol()
    dictionary = data_dictionary(protocol=protocol, project=project_design(protocol))
    row = next(r for r in dictionary.rows if r[0] == "ae_steroids")
    assert row[11] == ""  # no branching logic
    assert row[6].startswith("Answer only if: size(ae_term) > 3 (protocol condition; REDCap shows the field always")
    (refusal,) = dictionary.refusals
    assert (refusal.form, refusal.field, refusal.construct) == ("adverse_events", "ae_steroids", "call of size()")
    assert "form adverse_events, field ae_steroids" in str(refusal)


def test_a_strict_dictionary_refuses_an_untranslatable_show_if() -> None:
    protocol = _untranslatable_protocol()
    with pytest.raises(InputError, match="call of size"):
        data_dictionary(protocol=protocol, project=project_design(protocol), strict=True)


def test_a_choice_label_with_redcaps_separator_is_refused() -> None:
    def edit(document: dict[str, Any]) -> None:
        sex = next(c for c in document["codelists"] if c["id"] == "sex")
        sex["items"][0]["label"]["en"] = "Male | man"

    protocol = edited_protocol(edit)
    with pytest.raises(InputError, match="without '\\|'") as caught:
        data_dictionary(protocol=protocol, project=project_design(protocol))
    assert caught.value.field == "participants.par_sex code male label"


def test_checkbox_codes_with_one_export_column_are_refused() -> None:
    def edit(document: dict[str, Any]) -> None:
        crs = next(c for c in document["codelists"] if c["id"] == "crs-procedure")
        crs["items"].append({"code": "Other", "label": {"en": "Other (capital)", "zh": "其他"}})

    protocol = edited_protocol(edit)
    with pytest.raises(InputError, match="crs_procedures___other"):
        data_dictionary(protocol=protocol, project=project_design(protocol))


def test_long_names_are_listed(seed_protocol: Protocol, seed_project: Project) -> None:
    dictionary = data_dictionary(protocol=seed_protocol, project=seed_project)
    assert "concomitant_medications_visit_repeat" in dictionary.long_names
    assert all(len(name) > 26 for name in dictionary.long_names)
    assert "ae_attr_hipec_paclitaxel" not in dictionary.long_names  # 24 characters
