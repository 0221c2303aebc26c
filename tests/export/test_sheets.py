"""The workbook and the CSV files: what they hold, read back with openpyxl and csv and
checked against the TrialData; the same data give the same bytes."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from hipectrial.data import Participant, TrialData
from hipectrial.errors import InputError
from hipectrial.export.sheets import HEADER_ROWS, write_csv, write_xlsx
from hipectrial.export.tables import from_text, table_defs, table_rows
from hipectrial.protocol import Protocol

from .hand_built import A, hand_built_trial
from .protocols import edited_protocol


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def simulated_xlsx(simulated_trial: TrialData, seed_protocol: Protocol, tmp_path_factory: pytest.TempPathFactory
                   ) -> Path:
    path = tmp_path_factory.mktemp("xlsx") / "trial.xlsx"
    write_xlsx(trial=simulated_trial, protocol=seed_protocol, path=path)
    return path


@pytest.fixture(scope="module")
def workbook(simulated_xlsx: Path) -> Any:
    return openpyxl.load_workbook(simulated_xlsx, read_only=False)


@pytest.fixture(scope="module")
def simulated_csv(simulated_trial: TrialData, seed_protocol: Protocol, tmp_path_factory: pytest.TempPathFactory
                  ) -> Path:
    folder = tmp_path_factory.mktemp("csv")
    write_csv(trial=simulated_trial, protocol=seed_protocol, folder=folder)
    return folder


def data_rows(sheet: Any) -> list[tuple[Any, ...]]:
    return list(sheet.iter_rows(min_row=HEADER_ROWS + 1, values_only=True))


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


# -- the workbook -----------------------------------------------------------------------------


def test_the_workbook_is_the_same_bytes_when_written_again(
        simulated_trial: TrialData, seed_protocol: Protocol, simulated_xlsx: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.xlsx"
    write_xlsx(trial=simulated_trial, protocol=seed_protocol, path=again)
    assert sha256(again) == sha256(simulated_xlsx)


def test_one_sheet_per_table_and_a_codebook(workbook: Any, seed_protocol: Protocol) -> None:
    assert workbook.sheetnames == [*(t.id for t in table_defs(seed_protocol)), "codebook"]


def test_the_header_has_labels_unit_and_names_frozen_and_filtered(workbook: Any, seed_protocol: Protocol) -> None:
    sheet = workbook["form_labs"]
    _, anc = seed_protocol.field("anc")
    column = [c.value for c in sheet[1]].index(anc.label.en) + 1
    assert [sheet.cell(row, column).value for row in (1, 2, 3, 4)] == [anc.label.en, anc.label.zh, anc.unit, "anc"]
    # Header rows and the key (participant, visit, occurrence) stay in view.
    assert sheet.freeze_panes == "D5"
    assert sheet.auto_filter.ref.startswith("A4:")


def test_the_adverse_event_sheet_has_one_row_per_adverse_event(workbook: Any, simulated_trial: TrialData) -> None:
    assert len(data_rows(workbook["adverse_events"])) == len(simulated_trial.adverse_events)
    assert len(data_rows(workbook["lesions"])) == sum(len(a.lesions) for a in simulated_trial.tumour_assessments)


def test_a_participants_values_are_typed_cells(workbook: Any, simulated_trial: TrialData) -> None:
    p: Participant = simulated_trial.participants[0]
    sheet = workbook["participants"]
    names = [c.value for c in sheet[HEADER_ROWS]]
    row = dict(zip(names, data_rows(sheet)[0], strict=True))
    assert row["participant_id"] == p.id
    assert row["sex"] == p.sex.value
    assert row["birth_date"] == dt.datetime.combine(p.birth_date, dt.time())  # an Excel date, not text
    assert sheet.cell(HEADER_ROWS + 1, names.index("birth_date") + 1).number_format == "yyyy-mm-dd"
    labs = workbook["lab_results"]
    first_lab = next(r for r in simulated_trial.lab_results if r.participant_id == p.id)
    lab_names = [c.value for c in labs[HEADER_ROWS]]
    value = labs.cell(HEADER_ROWS + 1, lab_names.index("value") + 1)
    assert value.data_type == "n"
    assert value.value == float(first_lab.value)


def test_every_cell_holds_its_table_value(workbook: Any, simulated_trial: TrialData, seed_protocol: Protocol) -> None:
    expected: dict[str, list[tuple[Any, ...]]] = {}
    for table, row in table_rows(simulated_trial, seed_protocol):
        expected.setdefault(table.id, []).append(tuple(_as_excel(v) for v in row))
    for table in table_defs(seed_protocol):
        sheet = workbook[table.id]
        assert [c.value for c in sheet[HEADER_ROWS]] == list(table.names)
        assert data_rows(sheet) == expected.get(table.id, []), table.id


def _as_excel(value: object) -> object:
    """A table value as openpyxl reads its cell back."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, tuple):
        return "|".join(value)
    return value


def test_the_codebook_describes_columns_with_their_codes(workbook: Any, seed_protocol: Protocol) -> None:
    sheet = workbook["codebook"]
    rows = list(sheet.iter_rows(values_only=True))
    names = rows[0]
    book = {(r[0], r[2]): dict(zip(names, r, strict=True)) for r in rows[1:]}
    grade = book[("adverse_events", "grade")]
    assert (grade["type"], grade["range"], grade["required"]) == ("integer", "1 to 5", "yes")
    sex = book[("participants", "sex")]
    items = seed_protocol.codelist("sex").items
    assert sex["codes_en"] == "; ".join(f"{i.code} = {i.label.en}" for i in items)
    assert sex["codes_zh"] == "; ".join(f"{i.code} = {i.label.zh}" for i in items)
    _, anc = seed_protocol.field("anc")
    assert book[("form_labs", "anc")]["unit"] == anc.unit
    assert book[("visits", "entered_at")]["unit"] == "UTC"
    assert len(rows) - 1 == sum(len(t.columns) for t in table_defs(seed_protocol))


def test_date_times_are_written_in_utc(timed_protocol: Protocol, tmp_path: Path) -> None:
    write_xlsx(trial=hand_built_trial(), protocol=timed_protocol, path=tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["form_hipec_procedure"]
    names = [c.value for c in sheet[HEADER_ROWS]]
    # 2025-02-25 10:05:30 at +08:00 is 02:05:30 UTC.
    assert data_rows(sheet)[0][names.index("hipec_start_time")] == dt.datetime(2025, 2, 25, 2, 5, 30)
    assert sheet.cell(3, names.index("hipec_start_time") + 1).value == "UTC"


def test_a_form_id_too_long_for_a_sheet_name_is_shortened_and_kept_unique(tmp_path: Path) -> None:
    def rename(document: dict[str, Any]) -> None:
        for form in document["forms"]:
            if form["id"] in ("concomitant_medications", "safety_follow_up"):
                form["id"] = "x" * 30 + "_" + form["id"]
        for visit in document["visits"]:
            for key in ("forms", "optional_forms"):
                visit[key] = ["x" * 30 + "_" + f if f in ("concomitant_medications", "safety_follow_up") else f
                              for f in visit.get(key, [])]

    protocol = edited_protocol(rename)
    trial = dataclasses.replace(hand_built_trial(), form_records=())
    write_xlsx(trial=trial, protocol=protocol, path=tmp_path / "long.xlsx")
    names = openpyxl.load_workbook(tmp_path / "long.xlsx").sheetnames
    assert "form_xxxxxxxxxxxxxxxxxxxxxxxxxx" in names
    assert "form_xxxxxxxxxxxxxxxxxxxxxxxx~2" in names
    assert all(len(n) <= 31 for n in names)


def test_refuses_a_date_excel_cannot_hold_and_writes_no_silent_text(timed_protocol: Protocol, tmp_path: Path) -> None:
    trial = hand_built_trial()
    old = dataclasses.replace(trial.participants[1], birth_date=dt.date(1899, 12, 31))
    trial = dataclasses.replace(trial, participants=(trial.participants[0], old))
    with pytest.raises(InputError, match=r"participants row 2 column birth_date must be a date from 1900-03-01"):
        write_xlsx(trial=trial, protocol=timed_protocol, path=tmp_path / "old.xlsx")


# -- CSV --------------------------------------------------------------------------------------


def test_csv_files_are_one_per_table_and_a_codebook(simulated_csv: Path, seed_protocol: Protocol) -> None:
    expected = {f"{t.id}.csv" for t in table_defs(seed_protocol)} | {"codebook.csv"}
    assert {p.name for p in simulated_csv.iterdir()} == expected


def test_csv_files_are_the_same_bytes_when_written_again(
        simulated_trial: TrialData, seed_protocol: Protocol, simulated_csv: Path, tmp_path: Path) -> None:
    write_csv(trial=simulated_trial, protocol=seed_protocol, folder=tmp_path)
    for path in simulated_csv.iterdir():
        assert sha256(tmp_path / path.name) == sha256(path), path.name


def test_the_adverse_event_csv_has_a_header_and_one_line_per_event(
        simulated_csv: Path, simulated_trial: TrialData, seed_protocol: Protocol) -> None:
    lines = read_csv(simulated_csv / "adverse_events.csv")
    tables = {t.id: t for t in table_defs(seed_protocol)}
    assert lines[0] == list(tables["adverse_events"].names)
    assert len(lines) - 1 == len(simulated_trial.adverse_events)
    first = dict(zip(lines[0], lines[1], strict=True))
    event = simulated_trial.adverse_events[0]
    assert (first["participant_id"], first["term"], first["grade"]) == (event.participant_id, event.term,
                                                                         str(event.grade))
    assert first["onset_date"] == event.onset_date.isoformat()
    assert first["serious"] == ("true" if event.serious else "false")


def test_every_csv_text_reads_back_as_its_table_value(timed_protocol: Protocol, tmp_path: Path) -> None:
    trial = hand_built_trial()
    write_csv(trial=trial, protocol=timed_protocol, folder=tmp_path)
    expected: dict[str, list[tuple[object, ...]]] = {}
    for table, row in table_rows(trial, timed_protocol):
        expected.setdefault(table.id, []).append(row)
    for table in table_defs(timed_protocol):
        lines = read_csv(tmp_path / f"{table.id}.csv")
        back = [tuple(from_text(c, text, where=table.id) for c, text in zip(table.columns, line, strict=True))
                for line in lines[1:]]
        assert back == expected.get(table.id, []), table.id


def test_csv_keeps_digits_offsets_codes_and_chinese(timed_protocol: Protocol, tmp_path: Path) -> None:
    write_csv(trial=hand_built_trial(), protocol=timed_protocol, folder=tmp_path)

    def rows(name: str) -> list[dict[str, str]]:
        lines = read_csv(tmp_path / name)
        return [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]

    assert rows("form_labs.csv")[0]["anc"] == "1.50"
    assert rows("form_hipec_procedure.csv")[0]["hipec_start_time"] == "2025-02-25T10:05:30+08:00"
    assert rows("form_adverse_events.csv")[0]["ae_sae_criteria"] == "hospitalisation|death"
    assert rows("sites.csv")[1]["name"] == "北京肿瘤医院"
    assert rows("participants.csv")[0]["changed_at"] == "2025-04-01T08:15:00-05:00"
    assert rows("participants.csv")[0]["participant_id"] == A
    assert (tmp_path / "sites.csv").read_bytes()[:3] != b"\xef\xbb\xbf"  # no byte-order mark
