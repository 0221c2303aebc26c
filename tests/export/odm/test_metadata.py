"""The protocol as ODM 1.3.2 metadata. Expected values are read off the seed protocol's YAML
(``protocols/hipec-pd1-sox.yaml``, line numbers in comments) and the ODM 1.3.2 standard."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from hipectrial.export.odm.layout import odm_layout
from hipectrial.export.odm.metadata import study_element
from hipectrial.protocol import Expression, Protocol, Truth

from ..protocols import edited_protocol, form_of
from .conftest import find, one, texts


@pytest.fixture(scope="module")
def mdv(simulated_root: etree._Element) -> etree._Element:
    return one(simulated_root, "o:Study/o:MetaDataVersion")


def metadata(protocol: Protocol) -> etree._Element:
    return one(study_element(protocol, odm_layout(protocol)), "o:MetaDataVersion")


def item_def(mdv: etree._Element, oid: str) -> etree._Element:
    return one(mdv, f"o:ItemDef[@OID='{oid}']")


def test_study_and_version_name_the_protocol(simulated_root: etree._Element) -> None:
    study = one(simulated_root, "o:Study")
    assert study.get("OID") == "HIPEC-PD1-SOX"
    assert one(study, "o:GlobalVariables/o:ProtocolName").text == "HIPEC-PD1-SOX"
    assert one(study, "o:MetaDataVersion").get("OID") == "MDV.1.0"  # study.version "1.0"


def test_every_visit_is_a_study_event_in_protocol_order(mdv: etree._Element, seed_protocol: Protocol) -> None:
    refs = [r.get("StudyEventOID") for r in find(mdv, "o:Protocol/o:StudyEventRef")]
    assert refs[:3] == ["SE.SCREENING", "SE.SCREENING-CARDIAC", "SE.REGISTRATION"]
    assert refs[-1] == "SE.RECORDS"
    assert len(refs) == len(seed_protocol.visits) + 1


@pytest.mark.parametrize(("oid", "repeating", "kind"), [
    ("SE.SCREENING", "No", "Scheduled"),
    ("SE.INDUCTION-CYCLE", "Yes", "Scheduled"),              # repeat: {per_cycle: induction}
    ("SE.TUMOUR-ASSESSMENT-PREOP", "Yes", "Scheduled"),      # repeat: {every_days: 42, ...}
    ("SE.ADVERSE-EVENT", "Yes", "Unscheduled"),              # timing: {anchor: event}
    ("SE.RECORDS", "No", "Common"),
])
def test_study_events_repeat_as_their_visits_do(mdv: etree._Element, oid: str, repeating: str,
                                                 kind: str) -> None:
    event = one(mdv, f"o:StudyEventDef[@OID='{oid}']")
    assert (event.get("Repeating"), event.get("Type")) == (repeating, kind)


def test_a_visit_carries_its_name_and_timing_in_both_languages(mdv: etree._Element) -> None:
    # screening: name {en: Screening, zh: 筛选期};
    # timing: {anchor: registration, day: -14, window_before: 14, window_after: 13}
    description = texts(one(mdv, "o:StudyEventDef[@OID='SE.SCREENING']/o:Description"))
    assert description["en"] == ("Screening. Day -14 from registration "
                                 "(window 14 days before to 13 days after).")
    assert description["zh-Hans"] == "筛选期。入组登记后第-14天（窗口期：前14天至后13天）。"


def test_a_repeating_visit_says_how_it_repeats_and_ends(mdv: etree._Element) -> None:
    # tumour-assessment-preop: repeat {every_days: 42, until: surgery}, ends_at [progression]
    en = texts(one(mdv, "o:StudyEventDef[@OID='SE.TUMOUR-ASSESSMENT-PREOP']/o:Description"))["en"] or ""
    assert "Day 43 of cycle 1 of Induction" in en
    assert "Repeats every 42 days until surgery." in en
    assert "No longer due after progression." in en


def test_a_visit_offers_its_forms_required_and_optional(mdv: etree._Element) -> None:
    # screening-cardiac: forms [echocardiography]; every visit offers the visit-date form
    refs = find(mdv, "o:StudyEventDef[@OID='SE.SCREENING-CARDIAC']/o:FormRef")
    assert [(r.get("FormOID"), r.get("Mandatory")) for r in refs] == [
        ("F.RECORDS.VISITS", "No"), ("F.ECHOCARDIOGRAPHY", "Yes")]


def test_a_repeating_form_is_a_repeating_item_group(mdv: etree._Element) -> None:
    # adverse_events: repeating: true (ODM 1.3.2: repeats within a form are item groups)
    assert one(mdv, "o:FormDef[@OID='F.ADVERSE_EVENTS']").get("Repeating") == "No"
    assert one(mdv, "o:ItemGroupDef[@OID='IG.ADVERSE_EVENTS']").get("Repeating") == "Yes"
    assert one(mdv, "o:ItemGroupDef[@OID='IG.LABS']").get("Repeating") == "No"


def test_a_decimal_field_is_a_float_with_its_decimals_unit_and_range(mdv: etree._Element) -> None:
    # anc: decimal, unit 10^9/L, min 0, max 100, decimals 2
    anc = item_def(mdv, "IT.LABS.ANC")
    assert (anc.get("DataType"), anc.get("SignificantDigits")) == ("float", "2")
    assert texts(one(anc, "o:Question")) == {"en": "Absolute neutrophil count", "zh-Hans": "中性粒细胞绝对值"}
    assert one(anc, "o:MeasurementUnitRef").get("MeasurementUnitOID") == "MU.10E9-PER-L"
    checks = [(rc.get("Comparator"), rc.get("SoftHard"), one(rc, "o:CheckValue").text)
              for rc in find(anc, "o:RangeCheck")]
    assert checks == [("GE", "Hard", "0.0"), ("LE", "Hard", "100.0")]
    assert texts(one(anc, "o:RangeCheck[@Comparator='LE']/o:ErrorMessage")) == {
        "en": "Absolute neutrophil count must be at most 100.0 10^9/L.",
        "zh-Hans": "中性粒细胞绝对值不得高于100.0 10^9/L。"}
    unit = one(mdv, "../o:BasicDefinitions/o:MeasurementUnit[@OID='MU.10E9-PER-L']")
    assert unit.get("Name") == "10^9/L"


def test_an_integer_field_is_an_integer_with_integer_limits(mdv: etree._Element) -> None:
    # baseline_neuropathy_grade: int, min 0, max 4, required
    grade = item_def(mdv, "IT.MEDICAL_HISTORY.BASELINE_NEUROPATHY_GRADE")
    assert grade.get("DataType") == "integer"
    assert [one(rc, "o:CheckValue").text for rc in find(grade, "o:RangeCheck")] == ["0", "4"]
    ref = one(mdv, "o:ItemGroupDef[@OID='IG.MEDICAL_HISTORY']/o:ItemRef"
                   "[@ItemOID='IT.MEDICAL_HISTORY.BASELINE_NEUROPATHY_GRADE']")
    assert ref.get("Mandatory") == "Yes"


def test_a_code_list_decodes_in_both_languages_with_submission_values(mdv: etree._Element) -> None:
    # codelists: sex: male {en: Male, zh: 男, submission_value: M}, female {Female, 女, F}
    sex = one(mdv, "o:CodeList[@OID='CL.SEX']")
    items = find(sex, "o:CodeListItem")
    assert [i.get("CodedValue") for i in items] == ["male", "female"]
    assert texts(one(items[0], "o:Decode")) == {"en": "Male", "zh-Hans": "男"}
    assert [one(i, "o:Alias[@Context='SDTM']").get("Name") for i in items] == ["M", "F"]
    assert one(item_def(mdv, "IT.DEMOGRAPHICS.SEX"), "o:CodeListRef").get("CodeListOID") == "CL.SEX"


def test_a_multi_choice_field_is_one_text_item_naming_its_code_list(mdv: etree._Element) -> None:
    # ae_sae_criteria: multi_choice, codelist sae-criterion
    item = item_def(mdv, "IT.ADVERSE_EVENTS.AE_SAE_CRITERIA")
    assert item.get("DataType") == "text"
    assert find(item, "o:CodeListRef") == []  # a list of codes is not one CodedValue
    assert "CL.SAE-CRITERION" in (texts(one(item, "o:Description"))["en"] or "")


def test_show_if_is_a_collection_exception_that_negates_it(mdv: etree._Element) -> None:
    # childbearing_potential: show_if: sex == 'female' -> not collected when !(sex == 'female')
    ref = one(mdv, "o:ItemGroupDef/o:ItemRef[@ItemOID='IT.DEMOGRAPHICS.CHILDBEARING_POTENTIAL']")
    condition = one(mdv, f"o:ConditionDef[@OID='{ref.get('CollectionExceptionConditionOID')}']")
    expression = one(condition, "o:FormalExpression")
    assert (expression.get("Context"), expression.text) == ("CEL", "!(sex == 'female')")
    assert set(texts(one(condition, "o:Description"))) == {"en", "zh-Hans"}
    assert one(item_def(mdv, "IT.DEMOGRAPHICS.SEX"), "o:Alias[@Context='CEL']").get("Name") == "sex"


def _negated_disjunction(document: dict[str, Any]) -> None:
    form_of(document, "demographics")["fields"].append(
        {"id": "odm_probe", "label": {"en": "Probe", "zh": "探针"}, "type": "text",
         "show_if": "sex == 'female' || consent_obtained"})


@pytest.fixture(scope="module")
def probe() -> tuple[Protocol, etree._Element]:
    protocol = edited_protocol(_negated_disjunction)
    return protocol, metadata(protocol)


@pytest.mark.parametrize(("sex", "consent"), [("female", True), ("female", False),
                                              ("male", True), ("male", False)])
def test_the_exception_is_true_exactly_when_show_if_is_false(
        probe: tuple[Protocol, etree._Element], sex: str, consent: bool) -> None:
    # ODM 1.3.2: an item is not collected when its CollectionExceptionCondition is true. A
    # negation without parentheses (!a || b) would be wrong for male participants with consent.
    protocol, mdv = probe
    formal = one(mdv, "o:ConditionDef[@OID='CE.DEMOGRAPHICS.ODM_PROBE']/o:FormalExpression").text or ""
    values = {"sex": sex, "consent_obtained": consent}
    shown = protocol.scope.truth_value(Expression("sex == 'female' || consent_obtained"), values)
    exception = protocol.scope.truth_value(Expression(formal), values)
    assert shown in (Truth.TRUE, Truth.FALSE)
    assert (exception is Truth.TRUE) == (shown is Truth.FALSE)


def test_a_blank_input_leaves_the_exception_unknown_as_its_description_says(
        probe: tuple[Protocol, etree._Element]) -> None:
    # Kleene logic has no "is unknown": the description tells readers the item is then not
    # collected (hipectrial shows a field only when show_if is TRUE).
    protocol, mdv = probe
    condition = one(mdv, "o:ConditionDef[@OID='CE.DEMOGRAPHICS.ODM_PROBE']")
    formal = one(condition, "o:FormalExpression").text or ""
    assert protocol.scope.truth_value(Expression(formal), {"consent_obtained": False}) is Truth.UNKNOWN
    assert "not collected either" in (texts(one(condition, "o:Description"))["en"] or "")


def test_an_edit_check_is_a_condition_with_its_message_in_both_languages(mdv: etree._Element) -> None:
    # vital_signs check diastolic-below-systolic: diastolic_bp < systolic_bp, severity error,
    # message "Diastolic pressure must be lower than systolic pressure."
    check = one(mdv, "o:ConditionDef[@OID='RC.VITAL_SIGNS.DIASTOLIC-BELOW-SYSTOLIC']")
    assert one(check, "o:FormalExpression").text == "!(diastolic_bp < systolic_bp)"
    description = texts(one(check, "o:Description"))
    assert "Diastolic pressure must be lower than systolic pressure." in (description["en"] or "")
    assert "(error)" in (description["en"] or "")
    assert "舒张压" in (description["zh-Hans"] or "")
    assert "RC.VITAL_SIGNS.DIASTOLIC-BELOW-SYSTOLIC" in (
        texts(one(mdv, "o:FormDef[@OID='F.VITAL_SIGNS']/o:Description"))["en"] or "")


def test_typed_records_are_forms_of_the_records_event(mdv: etree._Element) -> None:
    refs = [r.get("FormOID") for r in find(mdv, "o:StudyEventDef[@OID='SE.RECORDS']/o:FormRef")]
    assert refs == ["F.RECORDS.PARTICIPANTS", "F.RECORDS.DOSES", "F.RECORDS.ADVERSE_EVENTS",
                    "F.RECORDS.LAB_RESULTS", "F.RECORDS.TUMOUR_ASSESSMENTS", "F.RECORDS.SURGERIES",
                    "F.RECORDS.FOLLOW_UPS"]
    groups = [g.get("ItemGroupOID") for g in
              find(mdv, "o:FormDef[@OID='F.RECORDS.TUMOUR_ASSESSMENTS']/o:ItemGroupRef")]
    assert groups == ["IG.RECORDS.TUMOUR_ASSESSMENTS", "IG.RECORDS.LESIONS"]
    assert one(mdv, "o:FormDef[@OID='F.RECORDS.DOSES']").get("Repeating") == "Yes"


def test_trial_and_sites_are_reference_data(mdv: etree._Element) -> None:
    for oid in ("IG.RECORDS.TRIAL", "IG.RECORDS.SITES"):
        assert one(mdv, f"o:ItemGroupDef[@OID='{oid}']").get("IsReferenceData") == "Yes"


def test_provenance_items_say_why_they_are_items(mdv: etree._Element) -> None:
    entered = item_def(mdv, "IT.RECORDS.DOSES.ENTERED_AT")
    assert entered.get("DataType") == "datetime"
    assert "one user and one time" in (texts(one(entered, "o:Description"))["en"] or "")


def _add_field_code_and_visit(document: dict[str, Any]) -> None:
    form_of(document, "labs")["fields"].append(
        {"id": "ca19_9", "label": {"en": "CA 19-9", "zh": "糖类抗原19-9"}, "type": "decimal",
         "unit": "U/mL", "min": 0, "max": 100000, "decimals": 1})
    next(c for c in document["codelists"] if c["id"] == "sex")["items"].append(
        {"code": "undifferentiated", "label": {"en": "Undifferentiated", "zh": "未分化"}, "submission_value": "U"})
    document["visits"].insert(1, {"id": "baseline-ct", "name": {"en": "Baseline CT", "zh": "基线CT"},
                                  "timing": {"anchor": "registration", "day": -7, "window_before": 7},
                                  "forms": ["tumour_assessment"]})


def test_metadata_follows_a_changed_protocol() -> None:
    mdv = metadata(edited_protocol(_add_field_code_and_visit))
    ca = item_def(mdv, "IT.LABS.CA19_9")
    assert (ca.get("DataType"), ca.get("SignificantDigits")) == ("float", "1")
    assert one(ca, "o:MeasurementUnitRef").get("MeasurementUnitOID") == "MU.U-PER-ML"
    assert "IT.LABS.CA19_9" in [r.get("ItemOID") for r in find(mdv, "o:ItemGroupDef[@OID='IG.LABS']/o:ItemRef")]
    codes = [i.get("CodedValue") for i in find(mdv, "o:CodeList[@OID='CL.SEX']/o:CodeListItem")]
    assert codes == ["male", "female", "undifferentiated"]
    events = [r.get("StudyEventOID") for r in find(mdv, "o:Protocol/o:StudyEventRef")]
    assert events[:2] == ["SE.SCREENING", "SE.BASELINE-CT"]
    assert "Day -7 from registration" in (
        texts(one(mdv, "o:StudyEventDef[@OID='SE.BASELINE-CT']/o:Description"))["en"] or "")
