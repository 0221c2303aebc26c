"""``staged_out_dir``: an export lands whole in --out, with an ordinary folder's mode, or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hipectrial.cli.export import staged_out_dir
from hipectrial.errors import InputError


def test_the_written_folder_gets_the_mode_mkdir_would_give(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with staged_out_dir(tmp_path / "out") as staged:
            (staged / "a.txt").write_text("a", encoding="utf-8")
    finally:
        os.umask(old)
    assert (tmp_path / "out" / "a.txt").read_text(encoding="utf-8") == "a"
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o755


def _half_write(out: Path) -> None:
    with staged_out_dir(out) as staged:
        (staged / "half.txt").write_text("half", encoding="utf-8")
        raise RuntimeError("the writer failed")


def test_an_error_inside_leaves_nothing_behind(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        _half_write(tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_an_empty_existing_folder_is_filled(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with staged_out_dir(tmp_path / "out") as staged:
        (staged / "b.txt").write_text("b", encoding="utf-8")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["b.txt"]


def test_a_folder_with_something_in_it_is_refused_untouched(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(InputError) as caught, staged_out_dir(tmp_path / "out"):
        pass
    assert caught.value.field == "out"
    assert "new or empty folder" in str(caught.value)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert (tmp_path / "out" / "keep.txt").read_text(encoding="utf-8") == "keep"
