"""The bedside commands' protocol cache (:mod:`hipectrial.cli.protocol_cache`): what it reads
back is the protocol the loader returns, and it never serves a protocol the file, the code
or the libraries no longer give."""

from __future__ import annotations

import io
import os
import pickle
import shutil
import sys
from collections import OrderedDict
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import BaseModel

from hipectrial.cli import protocol_cache
from hipectrial.errors import ProtocolError
from hipectrial.protocol import Expression, Protocol, load_protocol, seed_protocol_path

SOX_MINI = Path(__file__).parent / "fixtures" / "sox-mini.yaml"


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty cache folder of this test; the protocol folder inside it."""
    monkeypatch.setenv("HIPECTRIAL_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "protocols"


@pytest.fixture
def loads(monkeypatch) -> list[str]:
    """The file names the real loader parsed (a cache hit parses nothing)."""
    seen: list[str] = []
    parse = protocol_cache.parse_protocol

    def counting(text: str, filename: str = "<protocol>"):
        seen.append(filename)
        return parse(text, filename)

    monkeypatch.setattr(protocol_cache, "parse_protocol", counting)
    return seen


def _same(a: object, b: object, where: str = "protocol") -> None:
    """``a`` and ``b`` are the same value, model by model: types, fields set, field values."""
    assert type(a) is type(b), where
    if isinstance(a, BaseModel):
        assert isinstance(b, BaseModel)
        assert a.__pydantic_fields_set__ == b.__pydantic_fields_set__, where
        assert a.__pydantic_extra__ == b.__pydantic_extra__, where
        assert a.__pydantic_private__ == b.__pydantic_private__, where
        for name in type(a).model_fields:
            _same(getattr(a, name), getattr(b, name), f"{where}.{name}")
    elif isinstance(a, list | tuple):
        assert isinstance(b, list | tuple), where
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert isinstance(b, dict), where
        assert list(a) == list(b), where
        for key in a:
            _same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, Expression):
        assert isinstance(b, Expression)
        assert (a.source, a.variables, a.functions, a.operators) == (b.source, b.variables, b.functions,
                                                                      b.operators), where
    else:
        assert a == b, where


def _copy(tmp_path: Path, source: Path = SOX_MINI) -> Path:
    target = tmp_path / "protocol.yaml"
    shutil.copyfile(source, target)
    return target


@pytest.mark.parametrize("path", [None, SOX_MINI], ids=["seed", "sox-mini"])
def test_the_second_load_is_read_from_the_cache_and_is_the_loaders_protocol(cache, loads, path):
    first = protocol_cache.load_protocol_cached(path)
    second = protocol_cache.load_protocol_cached(path)
    assert len(loads) == 1
    assert len(list(cache.glob("*.pickle"))) == 1
    fresh = load_protocol(path)
    _same(first, fresh)
    _same(second, fresh)
    assert second == fresh


def test_memo_tables_are_not_stored(cache):
    fresh = protocol_cache.load_protocol_cached(SOX_MINI)  # its cross-checks filled memo tables
    assert set(fresh.__dict__) - set(type(fresh).model_fields)
    cached = protocol_cache.load_protocol_cached(SOX_MINI)
    assert set(cached.__dict__) == set(type(cached).model_fields)


def test_editing_the_file_loads_it_again(cache, loads, tmp_path):
    file = _copy(tmp_path)
    before = protocol_cache.load_protocol_cached(file)
    text = file.read_text(encoding="utf-8")
    assert f"short_title: {before.study.short_title}" in text
    file.write_text(text.replace(f"short_title: {before.study.short_title}", "short_title: Edited"),
                    encoding="utf-8")
    after = protocol_cache.load_protocol_cached(file)
    assert after.study.short_title == "Edited"
    assert loads == ["protocol.yaml", "protocol.yaml"]


def test_an_edit_of_the_same_size_with_the_old_modification_time_loads_again(cache, loads, tmp_path):
    # Only the content hash tells these two files apart.
    file = _copy(tmp_path)
    before = protocol_cache.load_protocol_cached(file)
    info = file.stat()
    title = before.study.short_title
    edited = title[:-1] + ("X" if title[-1] != "X" else "Y")
    file.write_text(file.read_text(encoding="utf-8").replace(f"short_title: {title}", f"short_title: {edited}"),
                    encoding="utf-8")
    os.utime(file, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert (file.stat().st_size, file.stat().st_mtime_ns) == (info.st_size, info.st_mtime_ns)
    assert protocol_cache.load_protocol_cached(file).study.short_title == edited
    assert len(loads) == 2


def test_the_same_content_with_another_modification_time_loads_again(cache, loads, tmp_path):
    file = _copy(tmp_path)
    protocol_cache.load_protocol_cached(file)
    info = file.stat()
    os.utime(file, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    protocol_cache.load_protocol_cached(file)
    protocol_cache.load_protocol_cached(file)
    assert len(loads) == 2


def test_a_change_to_the_protocol_code_loads_again(cache, loads, monkeypatch):
    protocol_cache.load_protocol_cached(SOX_MINI)
    monkeypatch.setattr(protocol_cache, "_code_version", lambda: "another version of the loader")
    protocol_cache.load_protocol_cached(SOX_MINI)
    assert len(loads) == 2


def test_the_code_version_follows_every_protocol_source_file(tmp_path, monkeypatch):
    package = Path(sys.modules["hipectrial.protocol"].__file__ or "").parent
    copy = tmp_path / "hipectrial" / "protocol"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "*.yaml"))
    shutil.copyfile(package.parent / "errors.py", copy.parent / "errors.py")
    monkeypatch.setattr(sys.modules["hipectrial.protocol"], "__file__", str(copy / "__init__.py"))
    original = protocol_cache._code_version()
    checks = copy / "checks.py"
    checks.write_text(checks.read_text(encoding="utf-8") + "\n# a change\n", encoding="utf-8")
    assert protocol_cache._code_version() != original


def test_a_broken_protocol_is_reported_as_the_loader_reports_it_and_not_cached(cache, tmp_path):
    file = _copy(tmp_path)
    file.write_text(file.read_text(encoding="utf-8").replace("  masking: open_label\n", ""), encoding="utf-8")
    with pytest.raises(ProtocolError) as expected:
        load_protocol(file)
    with pytest.raises(ProtocolError) as raised:
        protocol_cache.load_protocol_cached(file)
    assert str(raised.value) == str(expected.value)
    assert "study.masking: required key is missing" in str(raised.value)
    assert not list(cache.glob("*.pickle"))


@pytest.mark.parametrize("content", [None, b"\xff\xfe not UTF-8"], ids=["missing", "not-utf-8"])
def test_a_file_that_cannot_be_read_is_reported_as_the_loader_reports_it(cache, tmp_path, content):
    file = tmp_path / "protocol.yaml"
    if content is not None:
        file.write_bytes(content)
    with pytest.raises(ProtocolError) as expected:
        load_protocol(file)
    with pytest.raises(ProtocolError) as raised:
        protocol_cache.load_protocol_cached(file)
    assert str(raised.value) == str(expected.value)


def test_windows_line_ends_are_read_as_the_loader_reads_them(cache, tmp_path):
    file = tmp_path / "protocol.yaml"
    file.write_bytes(SOX_MINI.read_bytes().replace(b"\n", b"\r\n"))
    _same(protocol_cache.load_protocol_cached(file), load_protocol(file))


def _only_entry(cache: Path) -> Path:
    (entry,) = cache.glob("*.pickle")
    return entry


def test_a_corrupt_cache_file_is_ignored_and_replaced(cache, loads):
    protocol_cache.load_protocol_cached(SOX_MINI)
    entry = _only_entry(cache)
    entry.write_bytes(entry.read_bytes()[:1000])
    _same(protocol_cache.load_protocol_cached(SOX_MINI), load_protocol(SOX_MINI))
    assert len(loads) == 2
    protocol_cache.load_protocol_cached(SOX_MINI)
    assert len(loads) == 2  # the rewritten file is read


@pytest.mark.parametrize("payload", [OrderedDict(a=1), Path("/etc/passwd"), print],
                         ids=["foreign-class", "path", "function"])
def test_a_cache_file_naming_anything_but_protocol_classes_is_refused(cache, loads, payload):
    protocol_cache.load_protocol_cached(SOX_MINI)
    _only_entry(cache).write_bytes(pickle.dumps(payload))
    assert protocol_cache.load_protocol_cached(SOX_MINI) == load_protocol(SOX_MINI)
    assert len(loads) == 2


@pytest.mark.parametrize(("module", "name"), [
    ("hipectrial.protocol.expressions", "re.functools.partial"),  # a dotted name through a module
    ("hipectrial.protocol.expressions", "re"),                   # a module, not a class
    ("hipectrial.protocol.loader", "Path"),                      # a class imported there, not defined
    ("datetime", "datetime.now"),
], ids=["dotted", "module", "imported-class", "dotted-allowed-module"])
def test_the_reader_builds_only_classes_defined_in_the_protocols_modules(module, name):
    unpickler = protocol_cache._Unpickler(io.BytesIO(b""))
    with pytest.raises(pickle.UnpicklingError, match="not a protocol class"):
        unpickler.find_class(module, name)
    # what it does build: a protocol model, an enum, a Decimal
    assert unpickler.find_class("hipectrial.protocol.model", "Protocol") is Protocol
    assert unpickler.find_class("decimal", "Decimal") is Decimal


def test_a_cache_folder_others_can_write_is_neither_read_nor_written(cache, loads):
    protocol_cache.load_protocol_cached(SOX_MINI)
    cache.chmod(0o777)
    protocol_cache.load_protocol_cached(SOX_MINI)
    assert len(loads) == 2
    _only_entry(cache).unlink()
    protocol_cache.load_protocol_cached(SOX_MINI)
    assert not list(cache.glob("*.pickle"))


def test_an_empty_cache_setting_turns_the_cache_off(monkeypatch, loads, tmp_path):
    monkeypatch.setenv("HIPECTRIAL_CACHE_DIR", "")
    monkeypatch.chdir(tmp_path)
    assert protocol_cache.cache_dir() is None
    protocol_cache.load_protocol_cached(SOX_MINI)
    protocol_cache.load_protocol_cached(SOX_MINI)
    assert len(loads) == 2
    assert not list(tmp_path.rglob("*.pickle"))


def test_the_default_folder_is_the_users_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("HIPECTRIAL_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert protocol_cache.cache_dir() == tmp_path / "hipectrial" / "protocols"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert protocol_cache.cache_dir() == Path.home() / ".cache" / "hipectrial" / "protocols"


def test_a_cache_that_cannot_be_written_does_not_stop_the_load(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("HIPECTRIAL_CACHE_DIR", str(blocker / "cache"))
    assert protocol_cache.load_protocol_cached(SOX_MINI) == load_protocol(SOX_MINI)


def test_only_the_newest_files_are_kept(cache, monkeypatch):
    for version in range(protocol_cache.KEEP + 3):
        monkeypatch.setattr(protocol_cache, "_code_version", lambda v=version: f"version {v}")
        protocol_cache.load_protocol_cached(SOX_MINI)
    assert len(list(cache.glob("*.pickle"))) == protocol_cache.KEEP
    assert not list(cache.glob(".*.tmp"))


@pytest.mark.parametrize(
    "args",
    [["calc", "bsa", "--height-cm", "170", "--weight-kg", "65"],
     ["calc", "dose", "--cohort", "HER2-positive", "--dose-level", "1", "--height-cm", "170",
      "--weight-kg", "65", "--creatinine", "80", "--unit", "umol/L", "--age", "60", "--sex", "male", "--json"],
     ["eligibility", "--file", str(Path(__file__).parents[2] / "examples" / "screening.json"),
      "--as-of", "2026-11-20", "--json"]],
    ids=["calc-bsa", "calc-dose", "eligibility"],
)
def test_commands_print_the_same_with_the_cache_off_on_first_use_and_read_back(invoke, monkeypatch, tmp_path,
                                                                                args):
    outputs = []
    for setting in ("", str(tmp_path / "cache"), str(tmp_path / "cache")):
        monkeypatch.setenv("HIPECTRIAL_CACHE_DIR", setting)
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(list((tmp_path / "cache" / "protocols").glob("*.pickle"))) == 1


def test_the_seed_protocol_is_the_default(cache):
    assert protocol_cache.load_protocol_cached(None) == load_protocol(seed_protocol_path())
