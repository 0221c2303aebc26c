"""The clinical data, admin data and header of a small trial, against ODM written out by hand."""

from __future__ import annotations

from dataclasses import replace

import pytest
from lxml import etree

from hipectrial.data import FormRecord, Visit
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol

from .conftest import find, odm_bytes, one
from .small import A, small_trial

# ODM 1.3.2 §3.2: SubjectData / StudyEventData / FormData / ItemGroupData / ItemData, with the
# placement of export/odm/layout.py; CRF seq numbers the participant's CRF records (labs 1, AE 2).
EXPECTED_SUBJECT = """
<SubjectData xmlns="http://www.cdisc.org/ns/odm/v1.3" SubjectKey="SH01-001">
  <SiteRef LocationOID="LOC.SH01"/>
  <StudyEventData StudyEventOID="SE.RECORDS">
    <FormData FormOID="F.RECORDS.PARTICIPANTS">
      <ItemGroupData ItemGroupOID="IG.RECORDS.PARTICIPANTS">
        <AuditRecord>
          <UserRef UserOID="USR.dm.zhao"/>
          <LocationRef LocationOID="LOC.SH01"/>
          <DateTimeStamp>2025-02-05T10:00:00+08:00</DateTimeStamp>
        </AuditRecord>
        <ItemData ItemOID="IT.RECORDS.PARTICIPANTS.SITE_ID" Value="SH01"/>
        <ItemData ItemOID="IT.RECORDS.PARTICIPANTS.SEX" Value="female"/>
        <ItemData ItemOID="IT.RECORDS.PARTICIPANTS.BIRTH_DATE" Value="1962-05-04"/>
        <ItemData ItemOID="IT.RECORDS.PARTICIPANTS.CONSENT_DATE" Value="2025-02-03"/>
        <ItemData ItemOID="IT.RECORDS.PARTICIPANTS.ENTERED_BY" Value="nurse.li"/>
        <ItemData ItemOID="IT.RECORDS.PARTICIPANTS.ENTERED_AT" Value="2025-02-03T09:30:00+08:00"/>
        <ItemData ItemOID="IT.RECORDS.PARTICIPANTS.PROTOCOL_VERSION" Value="1.0"/>
        <ItemData ItemOID="IT.RECORDS.PARTICIPANTS.CHANGED_BY" Value="dm.zhao"/>
        <ItemData ItemOID="IT.RECORDS.PARTICIPANTS.CHANGED_AT" Value="2025-02-05T10:00:00+08:00"/>
      </ItemGroupData>
    </FormData>
    <FormData FormOID="F.RECORDS.DOSES" FormRepeatKey="1">
      <ItemGroupData ItemGroupOID="IG.RECORDS.DOSES">
        <ItemData ItemOID="IT.RECORDS.DOSES.AGENT" Value="s-1"/>
        <ItemData ItemOID="IT.RECORDS.DOSES.DATE" Value="2025-04-02"/>
        <ItemData ItemOID="IT.RECORDS.DOSES.PRESCRIBED" Value="60"/>
        <ItemData ItemOID="IT.RECORDS.DOSES.GIVEN" Value="40"/>
        <ItemData ItemOID="IT.RECORDS.DOSES.UNIT" Value="mg"/>
        <ItemData ItemOID="IT.RECORDS.DOSES.PHASE" Value="induction"/>
        <ItemData ItemOID="IT.RECORDS.DOSES.CYCLE" Value="2"/>
        <ItemData ItemOID="IT.RECORDS.DOSES.DAY" Value="1"/>
      </ItemGroupData>
    </FormData>
  </StudyEventData>
  <StudyEventData StudyEventOID="SE.SCREENING">
    <FormData FormOID="F.RECORDS.VISITS">
      <ItemGroupData ItemGroupOID="IG.RECORDS.VISITS">
        <ItemData ItemOID="IT.RECORDS.VISITS.SEQ" Value="1"/>
        <ItemData ItemOID="IT.RECORDS.VISITS.ACTUAL_DATE" Value="2025-02-10"/>
      </ItemGroupData>
    </FormData>
    <FormData FormOID="F.LABS">
      <ItemGroupData ItemGroupOID="IG.LABS">
        <ItemData ItemOID="IT.LABS.SEQ" Value="1"/>
        <ItemData ItemOID="IT.LABS.ANC" Value="1.50"/>
        <ItemData ItemOID="IT.LABS.ON_ANTICOAGULANT" Value="false"/>
      </ItemGroupData>
    </FormData>
  </StudyEventData>
  <StudyEventData StudyEventOID="SE.INDUCTION-CYCLE" StudyEventRepeatKey="2">
    <FormData FormOID="F.RECORDS.VISITS">
      <ItemGroupData ItemGroupOID="IG.RECORDS.VISITS">
        <ItemData ItemOID="IT.RECORDS.VISITS.SEQ" Value="2"/>
        <ItemData ItemOID="IT.RECORDS.VISITS.ACTUAL_DATE" Value="2025-04-02"/>
      </ItemGroupData>
    </FormData>
  </StudyEventData>
  <StudyEventData StudyEventOID="SE.ADVERSE-EVENT" StudyEventRepeatKey="1">
    <FormData FormOID="F.ADVERSE_EVENTS">
      <ItemGroupData ItemGroupOID="IG.ADVERSE_EVENTS" ItemGroupRepeatKey="1">
        <ItemData ItemOID="IT.ADVERSE_EVENTS.SEQ" Value="2"/>
        <ItemData ItemOID="IT.ADVERSE_EVENTS.AE_TERM" Value="Nausea"/>
        <ItemData ItemOID="IT.ADVERSE_EVENTS.AE_SAE_CRITERIA" Value="death hospitalisation"/>
      </ItemGroupData>
    </FormData>
  </StudyEventData>
</SubjectData>
"""

_PARSER = etree.XMLParser(remove_blank_text=True)


def canonical_xml(node: etree._Element) -> bytes:
    return etree.tostring(etree.fromstring(etree.tostring(node), _PARSER), method="c14n")


@pytest.fixture(scope="module")
def root(seed_protocol: Protocol) -> etree._Element:
    return etree.fromstring(odm_bytes(small_trial(), seed_protocol))


def test_a_participant_is_written_as_written_out_by_hand(root: etree._Element) -> None:
    subject = one(root, "o:ClinicalData/o:SubjectData")
    assert canonical_xml(subject) == canonical_xml(etree.fromstring(EXPECTED_SUBJECT, _PARSER))


def test_the_header_is_on_the_root_with_times_from_the_data(root: etree._Element) -> None:
    assert dict(root.attrib) == {
        "Description": "Trial data of HIPEC-PD1-SOX (protocol version 1.0), data cut-off "
                       "2025-06-01T00:00:00+08:00; source: edc, EDC snapshot",
        "FileType": "Snapshot", "Granularity": "All",
        "FileOID": "ODM.HIPEC-PD1-SOX.2025-06-01T00:00:00+08:00",
        "CreationDateTime": "2025-06-01T00:00:00+08:00", "AsOfDateTime": "2025-06-01T00:00:00+08:00",
        "ODMVersion": "1.3.2", "SourceSystem": "hipectrial",
    }
    clinical = one(root, "o:ClinicalData")
    assert (clinical.get("StudyOID"), clinical.get("MetaDataVersionOID")) == ("HIPEC-PD1-SOX", "MDV.1.0")


def test_the_trial_header_and_sites_are_reference_data(root: etree._Element) -> None:
    trial = one(root, "o:ReferenceData/o:ItemGroupData[@ItemGroupOID='IG.RECORDS.TRIAL']")
    assert {i.get("ItemOID"): i.get("Value") for i in find(trial, "o:ItemData")} == {
        "IT.RECORDS.TRIAL.PROTOCOL_ID": "HIPEC-PD1-SOX", "IT.RECORDS.TRIAL.PROTOCOL_VERSION": "1.0",
        "IT.RECORDS.TRIAL.GENERATED_AT": "2025-06-01T00:00:00+08:00",
        "IT.RECORDS.TRIAL.SOURCE_KIND": "edc", "IT.RECORDS.TRIAL.SOURCE_DESCRIPTION": "EDC snapshot"}
    sites = find(root, "o:ReferenceData/o:ItemGroupData[@ItemGroupOID='IG.RECORDS.SITES']")
    assert [s.get("ItemGroupRepeatKey") for s in sites] == ["SH01", "BJ02"]
    assert one(sites[1], "o:ItemData[@ItemOID='IT.RECORDS.SITES.NAME']").get("Value") == "北京肿瘤医院"


def test_sites_are_locations_and_provenance_names_users(root: etree._Element) -> None:
    admin = one(root, "o:AdminData")
    assert [(u.get("OID"), one(u, "o:LoginName").text) for u in find(admin, "o:User")] == [
        ("USR.dm.zhao", "dm.zhao"), ("USR.nurse.li", "nurse.li")]
    locations = find(admin, "o:Location")
    assert [(loc.get("OID"), loc.get("Name"), loc.get("LocationType")) for loc in locations] == [
        ("LOC.SH01", "Shanghai General Hospital", "Site"), ("LOC.BJ02", "北京肿瘤医院", "Site")]
    # EffectiveDate: the site's activation date; without one the protocol version's date
    # (study.date 2026-11-23 in the seed protocol).
    assert [one(loc, "o:MetaDataVersionRef").get("EffectiveDate") for loc in locations] == [
        "2025-01-10", "2026-11-23"]


def test_the_same_trial_gives_the_same_bytes(seed_protocol: Protocol) -> None:
    assert odm_bytes(small_trial(), seed_protocol) == odm_bytes(small_trial(), seed_protocol)


def test_a_second_occurrence_of_a_visit_that_does_not_repeat_keeps_its_number(seed_protocol: Protocol) -> None:
    trial = small_trial()
    trial = replace(trial, visits=(*trial.visits, Visit(participant_id=A, visit_id="screening", repeat=2)))
    root = etree.fromstring(odm_bytes(trial, seed_protocol))
    keys = [e.get("StudyEventRepeatKey") for e in find(root, "//o:StudyEventData[@StudyEventOID='SE.SCREENING']")]
    assert keys == [None, "2"]  # ODM 1.3.2: the key is needed for repeating events only


def test_refuses_a_control_character_naming_record_and_field(seed_protocol: Protocol) -> None:
    trial = small_trial()
    bad = FormRecord(participant_id=A, form_id="demographics", visit_id="screening",
                     values={"ethnic_group": "Han\x07"})
    with pytest.raises(InputError, match="control characters") as caught:
        odm_bytes(replace(trial, form_records=(*trial.form_records, bad)), seed_protocol)
    assert caught.value.field == "form_demographics (SH01-001/screening/1).ethnic_group"


def test_refuses_a_trial_of_another_study(seed_protocol: Protocol) -> None:
    with pytest.raises(InputError, match="the protocol's id 'HIPEC-PD1-SOX'") as caught:
        odm_bytes(replace(small_trial(), protocol_id="OTHER"), seed_protocol)
    assert caught.value.field == "protocol_id"


def test_an_audit_record_without_a_change_states_the_entry(hand_built_root: etree._Element) -> None:
    # tests/export/hand_built.py: site SH01 was entered by nurse.li at 2025-03-02 09:30 +08:00
    # and never changed; participant SH01-001 was last changed by dm.zhao at 2025-04-01 08:15
    # -05:00.
    site = one(hand_built_root, "o:ReferenceData/o:ItemGroupData[@ItemGroupRepeatKey='SH01']/o:AuditRecord")
    assert (one(site, "o:UserRef").get("UserOID"), one(site, "o:LocationRef").get("LocationOID"),
            one(site, "o:DateTimeStamp").text) == ("USR.nurse.li", "LOC.SH01", "2025-03-02T09:30:00+08:00")
    participant = one(hand_built_root, "//o:SubjectData[@SubjectKey='SH01-001']//o:ItemGroupData"
                                       "[@ItemGroupOID='IG.RECORDS.PARTICIPANTS']/o:AuditRecord")
    assert (one(participant, "o:UserRef").get("UserOID"), one(participant, "o:DateTimeStamp").text) == (
        "USR.dm.zhao", "2025-04-01T08:15:00-05:00")
    # BJ02-001's only record with provenance is its neutrophil count, entered by nurse.li: the
    # audit record names the participant's site.
    audits = find(hand_built_root, "//o:SubjectData[@SubjectKey='BJ02-001']//o:AuditRecord")
    assert [(one(a, "o:UserRef").get("UserOID"), one(a, "o:LocationRef").get("LocationOID"))
            for a in audits] == [("USR.nurse.li", "LOC.BJ02")]
    assert audits[0].getparent().get("ItemGroupOID") == "IG.RECORDS.LAB_RESULTS"
