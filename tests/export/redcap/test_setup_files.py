"""The project's setup files: arms, events, instrument-event mapping, repeating setup, the
Chinese labels as a REDCap Multi-Language Management file, and the README. Formats are
REDCap 15.7.6's (``Classes/Arm.php``, ``Classes/Event.php``, ``API/repeatingFormsEvents``,
``Resources/js/MultiLanguage.js``)."""

from __future__ import annotations

import csv
import io
import json

from hipectrial.export.redcap.design import Project
from hipectrial.export.redcap.dictionary import data_dictionary
from hipectrial.export.redcap.files import redcap_project_files
from hipectrial.export.redcap.languages import mlm_language
from hipectrial.export.redcap.setup import arms_csv, events_csv, mapping_csv, repeating_csv
from hipectrial.protocol import Protocol


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_arms(seed_project: Project) -> None:
    assert rows(arms_csv(seed_project)) == [["arm_num", "name"], ["1", "Participants"]]


def test_events(seed_protocol: Protocol, seed_project: Project) -> None:
    table = rows(events_csv(seed_project))
    assert table[0] == ["event_name", "arm_num", "day_offset", "offset_min", "offset_max", "unique_event_name",
                        "custom_event_label"]
    assert table[1] == ["participant", "1", "1", "0", "0", "participant_arm_1", "Participant: typed records"]
    assert table[2] == ["screening", "1", "2", "0", "0", "screening_arm_1", "Screening"]
    assert table[-1][:6] == ["study", "1", str(len(seed_protocol.visits) + 2), "0", "0", "study_arm_1"]
    # REDCap refuses event names over 30 characters (Event::addEvents).
    assert all(len(row[0]) <= 30 for row in table[1:])


def test_mapping(seed_project: Project) -> None:
    table = rows(mapping_csv(seed_project))
    assert table[0] == ["arm_num", "unique_event_name", "form"]
    pairs = {(event, form) for _, event, form in table[1:]}
    assert ("lvef_monitoring_arm_1", "echocardiography") in pairs
    assert ("unscheduled_arm_1", "laparoscopy") in pairs          # an optional form of the visit
    assert ("participant_arm_1", "rec_doses") in pairs
    assert ("study_arm_1", "rec_sites") in pairs
    assert ("screening_arm_1", "dosing") not in pairs


def test_repeating_setup(seed_project: Project) -> None:
    table = rows(repeating_csv(seed_project))
    assert table[0] == ["event_name", "form_name", "custom_form_label"]
    assert ["lvef_monitoring_arm_1", "", ""] in table             # the whole event repeats
    assert ["induction_cycle_arm_1", "dosing", ""] in table
    assert ["induction_cycle_arm_1", "vital_signs", ""] in table  # occurrence = instance
    assert ["screening_arm_1", "recist_lesions", ""] in table
    assert ["participant_arm_1", "rec_lab_results", ""] in table
    assert ["screening_arm_1", "demographics", ""] not in table
    assert ["participant_arm_1", "rec_participants", ""] not in table


def test_chinese_labels_as_a_multi_language_file(seed_protocol: Protocol, seed_project: Project) -> None:
    language = mlm_language(project=seed_project, dictionary=data_dictionary(protocol=seed_protocol,
                                                                             project=seed_project))
    # REDCap imports a file whose creator is "REDCap MLM" (MultiLanguage.js readFile).
    assert (language["creator"], language["key"], language["display"]) == ("REDCap MLM", "zh-Hans", "简体中文")
    forms = {f["id"]: f["name"]["translation"] for f in language["formTranslations"]}
    assert forms["demographics"] == seed_protocol.form("demographics").label.zh
    events = {e["id"]: e["custom_event_label"]["translation"] for e in language["eventTranslations"]}
    assert events["screening_arm_1"] == seed_protocol.visit("screening").name.zh
    fields = {f["id"]: f for f in language["fieldTranslations"]}
    sex = fields["sex"]
    assert sex["form"] == "demographics"
    assert sex["label"]["translation"] == seed_protocol.form("demographics").field("sex").label.zh
    labels = {i.code: i.label.zh for i in seed_protocol.codelist("sex").items}
    assert sex["enum"] == [{"id": "male", "translation": labels["male"]},
                           {"id": "female", "translation": labels["female"]}]
    assert fields["height_cm"]["note"]["translation"] == "单位：cm。记录到小数点后 1 位。"


def test_the_project_files_are_the_same_text_every_time(seed_protocol: Protocol) -> None:
    first = redcap_project_files(protocol=seed_protocol)
    second = redcap_project_files(protocol=seed_protocol)
    assert first.files == second.files
    names = [name for name, _ in first.files]
    assert names == ["redcap_data_dictionary.csv", "redcap_arms.csv", "redcap_events.csv",
                     "redcap_instrument_event_mapping.csv", "redcap_repeating_instruments_events.csv",
                     "redcap_mlm_zh-Hans.json", "README.txt"]
    json.loads(dict(first.files)["redcap_mlm_zh-Hans.json"])
    readme = dict(first.files)["README.txt"]
    assert "Project Setup > Data Dictionary: upload redcap_data_dictionary.csv." in readme
    assert "lvef_monitoring_arm_1: the whole event repeats" in readme
    assert "induction_cycle_arm_1: dosing" in readme
