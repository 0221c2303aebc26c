"""The bedside commands' protocol: :func:`~hipectrial.protocol.load_protocol`, remembered on disk.

Loading the seed protocol (YAML, validation, the cross-checks that evaluate every CEL
expression on sample values) takes about 0.1 s of CPU, a quarter of a ``calc`` command.
So ``calc`` and ``eligibility`` keep the checked protocol in a cache file and read it back
in about a tenth of that time. The cache cannot go stale:

* Its key is a SHA-256 over the protocol file's content hash, size and modification time,
  the source of every module of :mod:`hipectrial.protocol` (and of this module and
  ``errors.py``), and the versions of Python, pydantic, pydantic-core, PyYAML and the CEL
  extension. Editing, replacing or touching the file, changing the code that loads or
  checks it, or upgrading a library gives another key, hence a fresh, full load.
* The text that is hashed is the text that is parsed (read once), so a file changed while
  it is read cannot be stored under the other content's key.
* Only a protocol that loaded without a problem is stored; a broken protocol is reported
  by the loader every time, exactly as without the cache.
* What is stored is each model's declared fields (not its memo tables) and each CEL
  expression's source (compiled again when read), so the protocol read back is the one
  the loader returns, and equal to it (tested field by field).
* The reader builds only classes defined in the module named (no dotted names reaching
  through another module), and from :mod:`hipectrial.protocol` only its models, enums and
  expressions; anything else makes the file count as corrupt.

The cache lives in ``$HIPECTRIAL_CACHE_DIR`` or else ``$XDG_CACHE_HOME/hipectrial`` (by
default ``~/.cache/hipectrial``), in a ``protocols`` folder of mode 0700; an empty
``HIPECTRIAL_CACHE_DIR`` turns it off. A folder or file that is not the user's own, or is
writable by others, is not read; the reader accepts only the protocol's own classes; an
unreadable or corrupt file counts as absent and is replaced. The newest
:data:`KEEP` files are kept. A cache that cannot be written never stops a command.
"""

from __future__ import annotations

import copyreg
import enum
import hashlib
import io
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

import pydantic
import pydantic_core
import yaml
from pydantic import BaseModel

from hipectrial.protocol import Expression, Protocol, load_protocol, parse_protocol, seed_protocol_path
from hipectrial.protocol.cel_engine import engine

__all__ = ["KEEP", "cache_dir", "load_protocol_cached"]

FORMAT = b"hipectrial protocol cache 1"
KEEP = 8  # cache files kept (one per protocol file and code version)
_OWN_MODULES = ("hipectrial.protocol.",)
_ALLOWED = {("datetime", "date"), ("datetime", "datetime"), ("datetime", "timedelta"),
            ("datetime", "timezone"), ("decimal", "Decimal")}
# Errors that mean "this cache file cannot be used", never a problem of the protocol.
_UNUSABLE = (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, IndexError,
             KeyError, TypeError, ValueError, UnicodeDecodeError)


def cache_dir() -> Path | None:
    """The folder of protocol cache files, or None when the cache is turned off."""
    configured = os.environ.get("HIPECTRIAL_CACHE_DIR")
    if configured is not None:
        return Path(configured) / "protocols" if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hipectrial" / "protocols"


def load_protocol_cached(path: Path | None = None) -> Protocol:
    """The protocol at ``path`` (the seed protocol when None), as ``load_protocol`` returns it.

    Errors are the loader's own (a missing file, a file that is not UTF-8, every problem of
    an invalid protocol), raised by the loader itself.
    """
    file = path if path is not None else seed_protocol_path()
    folder = cache_dir()
    try:
        raw = file.read_bytes()
        info = file.stat()
        # Decoded as Path.read_text does (universal newlines), so the loader parses the same text.
        text = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8").read()
    except (OSError, UnicodeDecodeError):
        return load_protocol(file)  # the loader reports the file's problem in its own words
    if folder is None:
        return parse_protocol(text, file.name)
    try:
        entry = folder / f"{_key(raw, info)}.pickle"
    except OSError:  # a source file of the key cannot be read: no cache, a full load
        return parse_protocol(text, file.name)
    cached = _read(entry)
    if cached is not None:
        return cached
    protocol = parse_protocol(text, file.name)
    _write(entry, protocol)
    return protocol


# -- the key ---------------------------------------------------------------------------------


def _key(raw: bytes, info: os.stat_result) -> str:
    digest = hashlib.sha256(FORMAT)
    for part in (hashlib.sha256(raw).hexdigest(), info.st_size, info.st_mtime_ns, _code_version()):
        digest.update(f"\0{part}".encode())
    return digest.hexdigest()


def _code_version() -> str:
    """A hash of the code that turns a protocol file into a checked Protocol."""
    digest = hashlib.sha256()
    package = Path(sys.modules["hipectrial.protocol"].__file__ or "").parent
    sources = [(f"protocol/{p.relative_to(package)}", p) for p in sorted(package.rglob("*.py"))]
    sources += [("errors.py", package.parent / "errors.py"), ("cli/protocol_cache.py", Path(__file__))]
    for name, source in sources:
        digest.update(f"\0{name}\0".encode())
        digest.update(source.read_bytes())
    extension = Path(engine.__file__ or "")
    versions = (sys.version, pydantic.VERSION, pydantic_core.__version__, yaml.__version__,
                extension.name, extension.stat().st_size, extension.stat().st_mtime_ns)
    digest.update(repr(versions).encode())
    return digest.hexdigest()


# -- reading and writing ---------------------------------------------------------------------


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, BaseModel):
            # pydantic's own pickle state, with only the declared fields in __dict__ (not the
            # memo tables that lookups and cached properties keep there).
            cls = type(obj)
            state = {"__dict__": {k: v for k, v in obj.__dict__.items() if k in cls.model_fields},
                     "__pydantic_extra__": obj.__pydantic_extra__,
                     "__pydantic_fields_set__": obj.__pydantic_fields_set__,
                     "__pydantic_private__": obj.__pydantic_private__}
            return copyreg.__newobj__, (cls,), state  # type: ignore[attr-defined]  # the NEWOBJ form
        if isinstance(obj, Expression):
            return Expression, (obj.source,)  # compiled again when read
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    """Builds only the protocol's own classes, dates and Decimals."""

    def find_class(self, module: str, name: str) -> Any:
        own = module.startswith(_OWN_MODULES)
        found = super().find_class(module, name) if (
            "." not in name and (own or (module, name) in _ALLOWED)) else None
        # Only a class defined in that very module (no name reached through another module's
        # attributes), and from the protocol's modules only its models, enums and expressions.
        if not (isinstance(found, type) and found.__module__ == module
                and (not own or issubclass(found, (BaseModel, enum.Enum, Expression)))):
            raise pickle.UnpicklingError(f"not a protocol class: {module}.{name}")
        return found


def _private(path: Path) -> bool:
    """The user's own, and writable by no one else."""
    info = path.stat()
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read(entry: Path) -> Protocol | None:
    try:
        if not (_private(entry.parent) and _private(entry)):
            return None
        with entry.open("rb") as stream:
            found = _Unpickler(stream).load()
    except _UNUSABLE:
        return None  # absent, unreadable or corrupt: load the protocol and write it again
    return found if type(found) is Protocol else None


def _write(entry: Path, protocol: Protocol) -> None:
    try:
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(entry.parent):
            return
        handle, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=entry.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                _Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL).dump(protocol)
            os.replace(temporary, entry)  # readers see the whole file or none
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        kept = sorted(entry.parent.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        # A read-only or full disk, or a value that cannot be stored, costs the next command
        # a full load, nothing more.
        return
