"""Reading ODM back: a document that does not match the protocol is refused whole, with every
problem named by its line and its path (subject, event, form, item group, item)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hipectrial.export.odm import OdmError, read_odm
from hipectrial.export.tables import TablesError
from hipectrial.protocol import Protocol

from ..protocols import edited_protocol
from .conftest import odm_bytes
from .small import small_trial

LABS = "SubjectData SH01-001 / StudyEventData SE.SCREENING / FormData F.LABS / ItemGroupData IG.LABS"
VISIT = ("SubjectData SH01-001 / StudyEventData SE.SCREENING / FormData F.RECORDS.VISITS / "
         "ItemGroupData IG.RECORDS.VISITS")
PARTICIPANT = ("SubjectData SH01-001 / StudyEventData SE.RECORDS / FormData F.RECORDS.PARTICIPANTS / "
               "ItemGroupData IG.RECORDS.PARTICIPANTS")


@pytest.fixture(scope="module")
def document(seed_protocol: Protocol) -> bytes:
    return odm_bytes(small_trial(), seed_protocol)


def refused(document: bytes, protocol: Protocol, *edits: tuple[bytes, bytes]) -> list[str]:
    for old, new in edits:
        assert old in document, old
        document = document.replace(old, new, 1)
    with pytest.raises(OdmError) as caught:
        read_odm(document, protocol, name="edited.odm.xml")
    assert caught.value.field == "odm"
    assert "edited.odm.xml" in str(caught.value)
    return [str(p) for p in caught.value.problems]


def only(problems: list[str]) -> str:
    assert len(problems) == 1, problems
    return problems[0]


def test_the_small_trial_reads_back(document: bytes, seed_protocol: Protocol) -> None:
    assert read_odm(document, seed_protocol) == small_trial()


ANC = b'<ItemData ItemOID="IT.LABS.ANC"', b'<ItemData ItemOID="IT.LABS.NEUTRO"'


def test_refuses_an_unknown_item_naming_where_it_is(document: bytes, seed_protocol: Protocol) -> None:
    problem = only(refused(document, seed_protocol, ANC))
    assert f"{LABS} / ItemData IT.LABS.NEUTRO: an item of item group IG.LABS (IT.LABS.SEQ, " in problem
    assert problem.startswith("line ")


def test_refuses_a_code_not_in_its_code_list(document: bytes, seed_protocol: Protocol) -> None:
    problem = only(refused(document, seed_protocol, (b'SEX" Value="female"', b'SEX" Value="woman"')))
    assert f"{PARTICIPANT} / ItemData IT.RECORDS.PARTICIPANTS.SEX: value 'woman' is not a code of sex" in problem


def test_refuses_a_date_that_does_not_exist(document: bytes, seed_protocol: Protocol) -> None:
    problem = only(refused(document, seed_protocol, (b'Value="2025-02-10"', b'Value="2025-02-30"')))
    assert f"{VISIT} / ItemData IT.RECORDS.VISITS.ACTUAL_DATE: value '2025-02-30' is not a date" in problem


def test_lists_every_problem_at_once(document: bytes, seed_protocol: Protocol) -> None:
    problems = refused(document, seed_protocol,
                       ANC,
                       (b'SEX" Value="female"', b'SEX" Value="woman"'),
                       (b'Value="2025-02-10"', b'Value="2025-02-30"'))
    assert len(problems) == 3


def test_refuses_another_study(document: bytes, seed_protocol: Protocol) -> None:
    problem = only(refused(document, seed_protocol,
                           (b'<ClinicalData StudyOID="HIPEC-PD1-SOX"', b'<ClinicalData StudyOID="OTHER"')))
    assert "ClinicalData: StudyOID 'OTHER'; the protocol's study is 'HIPEC-PD1-SOX'" in problem


def test_refuses_data_of_another_protocol_version(document: bytes) -> None:
    def version_2(document: dict) -> None:  # type: ignore[type-arg]
        document["study"]["version"] = "2.0"

    problems = refused(document, edited_protocol(version_2))
    assert any("MetaDataVersionOID 'MDV.1.0'; protocol version 2.0 is 'MDV.2.0'" in p for p in problems)


def test_refuses_an_unknown_study_event(document: bytes, seed_protocol: Protocol) -> None:
    problem = only(refused(document, seed_protocol, (b'<StudyEventData StudyEventOID="SE.SCREENING"',
                                                     b'<StudyEventData StudyEventOID="SE.BASELINE"')))
    assert "StudyEventData SE.BASELINE: a study event of the protocol (SE.SCREENING, " in problem


def test_refuses_a_repeat_key_that_is_not_a_positive_integer(document: bytes, seed_protocol: Protocol) -> None:
    problem = only(refused(document, seed_protocol, (b'StudyEventRepeatKey="2"', b'StudyEventRepeatKey="C2"')))
    assert "StudyEventRepeatKey 'C2': expected a positive integer" in problem


def test_refuses_an_annotation_rather_than_dropping_it(document: bytes, seed_protocol: Protocol) -> None:
    problem = only(refused(document, seed_protocol, (
        b'<FormData FormOID="F.LABS">',
        b'<FormData FormOID="F.LABS"><Annotation SeqNum="1"><Comment>query closed</Comment></Annotation>')))
    assert "FormData F.LABS: Annotation is not kept" in problem


def test_refuses_an_audit_record_that_contradicts_the_provenance(document: bytes, seed_protocol: Protocol) -> None:
    # The participant was last changed by dm.zhao; the AuditRecord must say so.
    problem = only(refused(document, seed_protocol, (b'<UserRef UserOID="USR.dm.zhao"/>',
                                                     b'<UserRef UserOID="USR.nurse.li"/>')))
    assert f"{PARTICIPANT} / AuditRecord: UserOID 'USR.nurse.li'; the record was last entered or changed by 'dm.zhao'" in problem


def test_refuses_a_site_ref_other_than_the_participants_site(document: bytes, seed_protocol: Protocol) -> None:
    problems = refused(document, seed_protocol, (b'<SiteRef LocationOID="LOC.SH01"/>', b'<SiteRef LocationOID="LOC.BJ02"/>'))
    assert any("SiteRef: LocationOID 'LOC.BJ02'; the participant's site 'SH01' is 'LOC.SH01'" in p for p in problems)


def test_refuses_a_document_without_the_trial_header(document: bytes, seed_protocol: Protocol) -> None:
    start = document.index(b'<ItemGroupData ItemGroupOID="IG.RECORDS.TRIAL">')
    end = document.index(b"</ItemGroupData>", start) + len(b"</ItemGroupData>")
    problems = refused(document[:start] + document[end:], seed_protocol)
    assert any("exactly one trial header" in p and "found 0" in p for p in problems)


def test_refuses_a_remove_transaction(document: bytes, seed_protocol: Protocol) -> None:
    problem = only(refused(document, seed_protocol, (b'<FormData FormOID="F.LABS">',
                                                     b'<FormData FormOID="F.LABS" TransactionType="Remove">')))
    assert "TransactionType 'Remove'" in problem


def test_refuses_a_document_the_schema_refuses(document: bytes, seed_protocol: Protocol) -> None:
    problems = refused(document, seed_protocol, (b'<SiteRef LocationOID="LOC.SH01"/>', b"<SiteRef/>"))
    assert any("LocationOID' is required" in p for p in problems)


@pytest.mark.parametrize("cut", [40, 2000])
def test_refuses_a_truncated_document(document: bytes, seed_protocol: Protocol, cut: int) -> None:
    problems = refused(document[:-cut], seed_protocol)
    assert problems
    assert all(p.startswith("line ") for p in problems)


def test_refuses_a_truncated_file(document: bytes, seed_protocol: Protocol, tmp_path: Path) -> None:
    path = tmp_path / "cut.odm.xml"
    path.write_bytes(document[:-40])
    with pytest.raises(OdmError, match="well-formed"):
        read_odm(path, seed_protocol)


def test_does_not_expand_entities(document: bytes, seed_protocol: Protocol, tmp_path: object) -> None:
    # An external entity (XXE) would read a local file into a value; the parser leaves it.
    hostile = document.replace(
        b"<?xml version='1.0' encoding='UTF-8'?>",
        b"<?xml version='1.0' encoding='UTF-8'?>\n"
        b'<!DOCTYPE ODM [<!ENTITY secret SYSTEM "file:///etc/hostname">]>', 1,
    ).replace(b'<ItemData ItemOID="IT.LABS.ANC" Value="1.50"/>',
              b'<ItemData ItemOID="IT.LABS.ANC" Value="1.50"/>&secret;', 1)
    with pytest.raises(OdmError) as caught:
        read_odm(hostile, seed_protocol)
    with open("/etc/hostname", encoding="utf-8") as handle:
        secret = handle.read().strip()
    assert secret not in str(caught.value)


def test_refuses_metadata_of_another_protocol_under_the_same_version(
        document: bytes, seed_protocol: Protocol) -> None:
    # The file's own metadata say ANC is an integer and lists an item the protocol lacks.
    problems = refused(document, seed_protocol,
                       (b'<ItemDef OID="IT.LABS.ANC" Name="anc" DataType="float"',
                        b'<ItemDef OID="IT.LABS.ANC" Name="anc" DataType="integer"'),
                       (b'<ItemRef ItemOID="IT.LABS.WBC"', b'<ItemRef ItemOID="IT.LABS.LEUCO"'))
    assert any("Study / MetaDataVersion / ItemDef IT.LABS.ANC: DataType 'integer'; the protocol's is "
               "'float' (protocol HIPEC-PD1-SOX version 1.0)" in p for p in problems)
    assert any("ItemGroupDef IG.LABS: items" in p and "IT.LABS.LEUCO" in p for p in problems)


def test_reads_data_whose_metadata_differ_only_in_labels(document: bytes, seed_protocol: Protocol) -> None:
    relabelled = document.replace(b">Absolute neutrophil count<", b">Neutrophils (absolute)<")
    assert relabelled != document
    assert read_odm(relabelled, seed_protocol) == small_trial()


def test_rows_that_do_not_make_a_trial_are_refused_by_the_tables(document: bytes, seed_protocol: Protocol) -> None:
    # The same participant twice: the tables refuse a key given twice.
    start = document.index(b"<SubjectData ")
    end = document.index(b"</SubjectData>") + len(b"</SubjectData>")
    twice = document[:end] + b"\n" + document[start:end] + document[end:]
    with pytest.raises(TablesError, match="SH01-001"):
        read_odm(twice, seed_protocol)

