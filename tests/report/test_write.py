"""write_report writes both files atomically and leaves nothing half-written behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from hipectrial.report import write as write_module
from hipectrial.report.document import Report
from hipectrial.report.write import write_report


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
