"""write_report writes the report, its listings as CSV, atomically; check_out_dir refuses at once."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from hipectrial.errors import InputError
from hipectrial.report import write as write_module
from hipectrial.report.document import Align, Cell, Column, Listing, Report, Table
from hipectrial.report.write import check_out_dir, listing_csv, write_report


def test_writes_html_and_pdf_into_a_new_directory(tmp_path: Path, report: Report, html: str, pdf: bytes) -> None:
    out_dir = tmp_path / "dsmb" / "2025-06-30"
    html_path, pdf_path = write_report(report=report, out_dir=out_dir)
    assert (html_path, pdf_path) == (out_dir / "report.html", out_dir / "report.pdf")
    assert html_path.read_text(encoding="utf-8") == html
    assert pdf_path.read_bytes() == pdf
    assert sorted(p.name for p in out_dir.iterdir()) == ["listings", "report.html", "report.pdf"]
    assert sorted(p.name for p in (out_dir / "listings").iterdir()) == ["ae-severe.csv", "participants.csv"]


def test_replaces_an_earlier_report(tmp_path: Path, report: Report, pdf: bytes) -> None:
    (tmp_path / "report.pdf").write_bytes(b"old")
    write_report(report=report, out_dir=tmp_path)
    assert (tmp_path / "report.pdf").read_bytes() == pdf
    assert sorted(p.name for p in tmp_path.iterdir()) == ["listings", "report.html", "report.pdf"]


def test_render_failure_writes_nothing(tmp_path: Path, report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*, report: Report) -> bytes:
        raise RuntimeError("renderer broke")

    monkeypatch.setattr(write_module, "render_pdf", broken)
    out_dir = tmp_path / "out"
    with pytest.raises(RuntimeError, match="renderer broke"):
        write_report(report=report, out_dir=out_dir)
    assert not out_dir.exists()


def test_write_failure_keeps_the_previous_pair_and_no_temporary(
        tmp_path: Path, report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "report.html").write_text("old html")
    (tmp_path / "report.pdf").write_bytes(b"old pdf")
    real = write_module._temporary_copy
    calls: list[Path] = []

    def fail_on_second(path: Path, data: bytes) -> Path:
        calls.append(path)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(path, data)

    monkeypatch.setattr(write_module, "_temporary_copy", fail_on_second)
    with pytest.raises(OSError, match="disk full"):
        write_report(report=report, out_dir=tmp_path)
    assert (tmp_path / "report.html").read_text() == "old html"
    assert (tmp_path / "report.pdf").read_bytes() == b"old pdf"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.pdf"]


def test_listing_csv_is_rfc_4180_utf8_as_shown() -> None:
    table = Table(caption="AEs", columns=(Column(name="Participant"), Column(name="Term, verbatim"),
                                          Column(name="Grade", align=Align.RIGHT), Column(name="CEA")),
                  rows=(("SH01-001", 'Rash "maculo-papular"', 3, 0.5),
                        ("SH01-002", "腹泻\nline two", Cell(text="4", link="x"), None)))
    # header row of the names; a field with a comma, quote or line break in quotes, quotes
    # doubled; None empty; CRLF after every record (RFC 4180, section 2); UTF-8, no BOM
    expected = ('Participant,"Term, verbatim",Grade,CEA\r\n'
                'SH01-001,"Rash ""maculo-papular""",3,0.5\r\n'
                'SH01-002,"腹泻\nline two",4,\r\n').encode()
    assert listing_csv(Listing(table=table, name="ae")) == expected


def test_every_listing_is_written_in_full(tmp_path: Path, report: Report) -> None:
    write_report(report=report, out_dir=tmp_path)
    with (tmp_path / "listings" / "ae-severe.csv").open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == ["Participant", "Onset", "Term", "Grade"]
    assert len(rows) == 1 + 450  # summarised in the report, every row in the file
    assert rows[1] == ["SH01-001", "2028-01-01", "Neutrophil count decreased", "3"]  # i = 0
    # i = 449: SH01-(1 + 449 % 30 = 30), 2028-(1 + 449 % 12 = 6)-(1 + 449 % 28 = 2), TERMS[449 % 3 = 2], 3 + 1
    assert rows[450] == ["SH01-030", "2028-06-02", "Peripheral sensory neuropathy", "4"]
    participants = (tmp_path / "listings" / "participants.csv").read_bytes()
    assert participants.startswith(b"Participant,Site,PCI,CEA (\xc2\xb5g/L)\r\nP-001,Site 2,1,0.5\r\n")
    assert b"\r\nP-007,Site 4,2,\r\n" in participants  # i = 7: site 1 + 7 % 4, PCI 7 % 5, CEA None (7 % 7 == 0)
    assert participants.endswith(b"\r\nP-200,Site 1,0,100.0\r\n")  # i = 200: CEA 200 x 0.5
    assert participants.count(b"\r\n") == 201


def test_same_report_writes_the_same_bytes(tmp_path: Path, report: Report) -> None:
    write_report(report=report, out_dir=tmp_path / "a")
    write_report(report=report, out_dir=tmp_path / "b")
    for name in ("report.html", "report.pdf", "listings/ae-severe.csv", "listings/participants.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_listing_of_an_earlier_report_is_removed(tmp_path: Path, report: Report) -> None:
    (tmp_path / "listings").mkdir()
    (tmp_path / "listings" / "deaths.csv").write_text("old")
    (tmp_path / "listings" / "README.txt").write_text("kept: not a listing")
    write_report(report=report, out_dir=tmp_path)
    assert sorted(p.name for p in (tmp_path / "listings").iterdir()) == [
        "README.txt", "ae-severe.csv", "participants.csv"]


def test_failed_write_keeps_earlier_listings_and_creates_no_folder(
        tmp_path: Path, report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    real = write_module._temporary_copy

    def fail_on_csv(path: Path, data: bytes) -> Path:
        if path.suffix == ".csv":
            raise OSError("disk full")
        return real(path, data)

    monkeypatch.setattr(write_module, "_temporary_copy", fail_on_csv)
    with pytest.raises(OSError, match="disk full"):
        write_report(report=report, out_dir=tmp_path / "new")
    assert list((tmp_path / "new").iterdir()) == []  # no listings/ left behind, no temporary
    (tmp_path / "old" / "listings").mkdir(parents=True)
    (tmp_path / "old" / "listings" / "ae-severe.csv").write_text("old listing")
    with pytest.raises(OSError, match="disk full"):
        write_report(report=report, out_dir=tmp_path / "old")
    assert (tmp_path / "old" / "listings" / "ae-severe.csv").read_text() == "old listing"
    assert sorted(p.name for p in (tmp_path / "old").rglob("*")) == ["ae-severe.csv", "listings"]


def test_check_out_dir_accepts_an_existing_or_creatable_folder_and_creates_nothing(tmp_path: Path) -> None:
    assert check_out_dir(tmp_path) == tmp_path
    nested = tmp_path / "dsmb" / "2025-06-30"
    assert check_out_dir(nested) == nested
    assert not (tmp_path / "dsmb").exists()
    (tmp_path / "listings").mkdir()
    (tmp_path / "report.pdf").write_bytes(b"old")
    assert check_out_dir(tmp_path) == tmp_path  # an earlier report is replaced, not refused


def test_check_out_dir_makes_a_relative_path_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert check_out_dir(Path("out")) == tmp_path / "out"


@pytest.mark.parametrize(("make", "given", "phrase"), [
    (lambda d: (d / "report").write_text("x"), "report", "is a file, not a folder"),
    (lambda d: (d / "file").write_text("x"), "file/sub/dir", "is a file, not a folder"),
    (lambda d: (d / "out" / "report.pdf").mkdir(parents=True), "out", "report.pdf exists and is not a file"),
    (lambda d: [(d / "out").mkdir(), (d / "out" / "listings").write_text("x")], "out",
     "listings exists and is not a folder"),
])
def test_check_out_dir_refuses_paths_of_the_wrong_kind(
        tmp_path: Path, make: Callable[[Path], object], given: str, phrase: str) -> None:
    make(tmp_path)
    with pytest.raises(InputError) as caught:
        check_out_dir(tmp_path / given)
    assert caught.value.field == "out"
    assert phrase in str(caught.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder: the check would pass vacuously")
def test_check_out_dir_refuses_a_folder_without_write_permission(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        for given in (locked, locked / "new"):
            with pytest.raises(InputError) as caught:
                check_out_dir(given)
            assert caught.value.field == "out"
            assert "no permission to write into" in str(caught.value)
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def test_check_out_dir_refuses_when_the_kernel_denies_writing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the same refusal when os.access says no, as it does for a non-root user in a 0555
    # folder or on a read-only mount: runs even as root
    monkeypatch.setattr(write_module.os, "access", lambda path, mode: False)
    with pytest.raises(InputError) as caught:
        check_out_dir(tmp_path / "new")
    assert caught.value.field == "out"
    assert f"no permission to write into the folder that would hold it ({tmp_path})" in str(caught.value)
