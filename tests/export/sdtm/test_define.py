"""Define-XML 2.1: valid against the schema odmlib ships; a broken document is not."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from hipectrial.export.sdtm.define import DEF_NS, ODM_NS, define_xml, validate_define

NS = {"odm": ODM_NS, "def": DEF_NS}
CREATED = dt.datetime(2031, 2, 6, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def document(simulated_datasets, protocol):
    return define_xml(simulated_datasets, study_id=protocol.study.id, study_name="HIPEC study",
                      description="SDTM", created=CREATED, source_version="test")


@pytest.fixture(scope="module")
def root(document):
    return etree.fromstring(document)


def test_the_define_of_a_simulated_trial_validates(document):
    assert validate_define(document) == []


def test_a_define_without_its_required_structure_attribute_does_not_validate(root):
    broken = etree.fromstring(etree.tostring(root))
    group = broken.find(".//odm:ItemGroupDef", NS)
    del group.attrib[f"{{{DEF_NS}}}Structure"]  # def:Structure is use="required" in define-ns.xsd
    errors = validate_define(etree.tostring(broken))
    assert errors
    assert any("Structure" in e for e in errors)


def test_a_define_with_an_unknown_origin_type_does_not_validate(root):
    broken = etree.fromstring(etree.tostring(root))
    broken.find(".//def:Origin", NS).set("Type", "Guessed")  # not in def:OriginType
    assert validate_define(etree.tostring(broken))


def test_malformed_xml_is_reported_not_raised():
    assert validate_define(b"<ODM><unclosed></ODM>")[0].startswith("not well-formed XML")


def test_every_dataset_has_its_class_structure_keys_and_file(root, simulated_datasets):
    groups = {g.get("Name"): g for g in root.iterfind(".//odm:ItemGroupDef", NS)}
    assert list(groups) == [d.domain for d in simulated_datasets]
    dm = groups["DM"]
    assert (dm.get("Purpose"), dm.get("Repeating"), dm.get(f"{{{DEF_NS}}}Structure")) == (
        "Tabulation", "No", "One record per subject")
    assert dm.find("def:Class", NS).get("Name") == "SPECIAL PURPOSE"
    assert dm.find("def:leaf", NS).get("{http://www.w3.org/1999/xlink}href") == "dm.xpt"
    keys = {r.get("ItemOID"): r.get("KeySequence") for r in dm.iterfind("odm:ItemRef", NS)
            if r.get("KeySequence")}
    assert keys == {"IT.DM.STUDYID": "1", "IT.DM.USUBJID": "2"}
    assert groups["TS"].get("IsReferenceData") == "Yes"


def test_every_variable_is_described_with_its_origin(root, simulated_datasets):
    items = {i.get("OID"): i for i in root.iterfind(".//odm:ItemDef", NS)}
    for dataset in simulated_datasets:
        for variable in dataset.variables:
            item = items[f"IT.{dataset.domain}.{variable.name}"]
            assert item.find("def:Origin", NS).get("Type") == variable.origin.value


def test_derived_variables_point_to_their_method(root):
    ref = root.find(".//odm:ItemRef[@ItemOID='IT.DM.AGE']", NS)
    method = root.find(f".//odm:MethodDef[@OID='{ref.get('MethodOID')}']", NS)
    assert "Completed years from BRTHDTC to RFICDTC" in method.findtext(".//odm:TranslatedText", None, NS)


def test_lengths_and_types_come_from_the_values(root):
    age = root.find(".//odm:ItemDef[@OID='IT.DM.AGE']", NS)
    assert (age.get("DataType"), age.get("Length")) == ("integer", "2")
    usubjid = root.find(".//odm:ItemDef[@OID='IT.DM.USUBJID']", NS)
    assert usubjid.get("Length") == str(len("HIPEC-PD1-SOX-SH01-001"))
    rfstdtc = root.find(".//odm:ItemDef[@OID='IT.DM.RFSTDTC']", NS)
    assert (rfstdtc.get("DataType"), rfstdtc.get("Length")) == ("date", None)


def test_cdisc_code_lists_carry_their_nci_codes(root):
    sex = root.find(".//odm:CodeList[@OID='CL.SEX']", NS)
    assert sex.find("odm:Alias", NS).get("Name") == "C66731"  # CDISC CT Sex
    female = sex.find("odm:CodeListItem[@CodedValue='F']", NS)
    assert female.find("odm:Alias", NS).get("Name") == "C16576"
    assert female.findtext("odm:Decode/odm:TranslatedText", None, NS) == "Female"
    epoch = root.find(".//odm:CodeList[@OID='CL.EPOCH']", NS)
    assert epoch.find("odm:EnumeratedItem[@CodedValue='SCREENING']/odm:Alias", NS).get("Name") == "C202487"


def test_standards_name_sdtmig_and_the_ct_version(root):
    standards = [(s.get("Name"), s.get("Version")) for s in root.iterfind(".//def:Standard", NS)]
    assert standards == [("SDTMIG", "3.4"), ("CDISC/NCI", "2025-03-25")]


def test_suppdm_qval_has_value_level_metadata_per_qnam(root):
    value_list = root.find(".//def:ValueListDef[@OID='VL.SUPPDM.QVAL']", NS)
    assert [r.get("ItemOID") for r in value_list.iterfind("odm:ItemRef", NS)] == [
        "IT.SUPPDM.QVAL.COHORT", "IT.SUPPDM.QVAL.STUDYPRT"]
    clause = root.find(".//def:WhereClauseDef[@OID='WC.SUPPDM.QNAM.STUDYPRT']", NS)
    assert clause.findtext(".//odm:CheckValue", None, NS) == "STUDYPRT"


@pytest.mark.parametrize("name", ["SUPPDM", "SUPPAE", "SUPPPR"])
def test_each_supplemental_qval_lists_a_value_level_item_per_qnam(root, simulated_datasets, name):
    dataset = next(d for d in simulated_datasets if d.domain == name)
    qnams = set(dataset.column("QNAM"))
    assert qnams, f"the simulated trial has no {name} records"
    value_list = root.find(f".//def:ValueListDef[@OID='VL.{name}.QVAL']", NS)
    assert {r.get("ItemOID") for r in value_list.iterfind("odm:ItemRef", NS)} >= {
        f"IT.{name}.QVAL.{q}" for q in qnams}
    for qnam in qnams:
        clause = root.find(f".//def:WhereClauseDef[@OID='WC.{name}.QNAM.{qnam}']", NS)
        assert clause.findtext(".//odm:CheckValue", None, NS) == qnam


def test_value_lists_of_three_supplemental_datasets_validate(simulated_datasets):
    # Define-XML 2.1 schema: MetaDataVersion holds every def:ValueListDef before every
    # def:WhereClauseDef, so the value levels of a second dataset may not follow the
    # where clauses of the first.
    supps = [d for d in simulated_datasets if d.domain in ("SUPPDM", "SUPPAE", "SUPPPR")]
    assert [d.domain for d in supps if d.value_levels] == ["SUPPDM", "SUPPAE", "SUPPPR"]
    document = define_xml(supps, study_id="S", study_name="S", description="S", created=CREATED,
                          source_version="t")
    assert validate_define(document) == []
    tags = [etree.QName(e).localname for e in etree.fromstring(document).find(".//odm:MetaDataVersion", NS)]
    assert tags.index("WhereClauseDef") > max(i for i, t in enumerate(tags) if t == "ValueListDef")


def test_a_sponsor_extension_of_ncomplt_is_marked_extended(hand_datasets, protocol, hand_trial):
    from dataclasses import replace

    from hipectrial.export.sdtm import study_context
    from hipectrial.export.sdtm.ds import build

    people = (replace(hand_trial.participants[0], off_study_reason="other"), hand_trial.participants[1])
    trial = replace(hand_trial, participants=people)
    ds = build(trial=trial, protocol=protocol, study=study_context(trial, protocol))[0]
    document = define_xml([hand_datasets["DM"], ds], study_id="S", study_name="S", description="S",
                          created=CREATED, source_version="t")
    assert validate_define(document) == []
    other = etree.fromstring(document).find(".//odm:CodeList[@OID='CL.DSDECOD']/*[@CodedValue='OTHER']", NS)
    assert other.get(f"{{{DEF_NS}}}ExtendedValue") == "Yes"
