"""Explicit JSON codecs: one small object per value type, each encoding to plain JSON and
decoding with a located error.

A codec's ``decode`` takes the parsed JSON value and its path in the document
(``participants[3].birth_date``) and either returns the typed value or raises
:class:`DocumentError` saying what was expected there and what was found. Nothing is
coerced: a number where a decimal string belongs, or a date in another format, is an error.
"""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Any, Generic, TypeVar

from hipectrial.data.values import FrozenMap
from hipectrial.errors import DataError, InputError

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


class DocumentError(DataError):
    """A TrialData document that cannot be read, with the path of the first problem.

    ``path`` is where in the document (``participants[3].birth_date``; empty for the whole
    document) and ``problem`` what is wrong there.

    >>> str(DocumentError("participants[3].birth_date", "expected an ISO date, got 'x'"))
    "participants[3].birth_date: expected an ISO date, got 'x'"
    """

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path else problem)


class JsonObject(dict[str, Any]):
    """A parsed JSON object that remembers keys the text gave twice (json keeps the last)."""

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        seen: set[str] = set()
        duplicates: list[str] = []
        for key, _ in pairs:
            if key in seen:
                duplicates.append(key)
            seen.add(key)
        self.duplicates = tuple(duplicates)


def shown(raw: object) -> str:
    """A parsed JSON value as an error message shows it."""
    if raw is None:
        return "null"
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, dict):
        return "an object"
    if isinstance(raw, list):
        return "a list"
    if isinstance(raw, int | Decimal):
        return str(raw)
    return repr(raw)


def key_path(path: str, key: str) -> str:
    """``path.key``, or ``path["key"]`` when the key is not a plain identifier."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-]*", key):
        return f"{path}.{key}" if path else key
    return f"{path}[{key!r}]"


def fail(path: str, expected: str, raw: object) -> DocumentError:
    return DocumentError(path, f"expected {expected}, got {shown(raw)}")


class Codec(ABC, Generic[T]):
    """Encodes a value of type ``T`` to JSON and decodes it back."""

    @abstractmethod
    def encode(self, value: T) -> Any:
        """The JSON form of ``value`` (str, int, bool, None, list or dict)."""

    @abstractmethod
    def decode(self, raw: Any, path: str) -> T:
        """The value ``raw`` (parsed JSON found at ``path``) stands for; DocumentError if none."""


class Text(Codec[str]):
    def encode(self, value: str) -> Any:
        return value

    def decode(self, raw: Any, path: str) -> str:
        if not isinstance(raw, str):
            raise fail(path, "a string", raw)
        return raw


class Int(Codec[int]):
    def encode(self, value: int) -> Any:
        return value

    def decode(self, raw: Any, path: str) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise fail(path, "an integer", raw)
        return raw


class Bool(Codec[bool]):
    def encode(self, value: bool) -> Any:
        return value

    def decode(self, raw: Any, path: str) -> bool:
        if not isinstance(raw, bool):
            raise fail(path, "true or false", raw)
        return raw


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DECIMAL = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


class Date(Codec[dt.date]):
    expected = "an ISO date (YYYY-MM-DD)"

    def encode(self, value: dt.date) -> Any:
        return value.isoformat()

    def decode(self, raw: Any, path: str) -> dt.date:
        if not isinstance(raw, str) or not _DATE.fullmatch(raw):
            raise fail(path, self.expected, raw)
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise fail(path, self.expected, raw) from None


class DateTime(Codec[dt.datetime]):
    expected = "an ISO date-time with a UTC offset (YYYY-MM-DDThh:mm:ss+hh:mm)"

    def encode(self, value: dt.datetime) -> Any:
        return value.isoformat()

    def decode(self, raw: Any, path: str) -> dt.datetime:
        if not isinstance(raw, str) or not _DATE.match(raw) or raw[10:11] != "T":
            raise fail(path, self.expected, raw)
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise fail(path, self.expected, raw) from None
        if value.utcoffset() is None:
            raise DocumentError(path, f"expected a date-time with a UTC offset, got {raw!r} (no offset)")
        return value


class Dec(Codec[Decimal]):
    """A Decimal, written as a JSON string so that it stays exact (``"72.50"``)."""

    expected = 'a decimal number written as a string (e.g. "1.5")'

    def encode(self, value: Decimal) -> Any:
        return str(value)

    def decode(self, raw: Any, path: str) -> Decimal:
        if not isinstance(raw, str) or not _DECIMAL.fullmatch(raw):
            raise fail(path, self.expected, raw)
        return Decimal(raw)


class EnumOf(Codec[E]):
    def __init__(self, enum: type[E]) -> None:
        self.enum = enum

    def encode(self, value: E) -> Any:
        return str(value)

    def decode(self, raw: Any, path: str) -> E:
        codes = [member.value for member in self.enum]
        if not isinstance(raw, str) or raw not in codes:
            raise fail(path, "one of " + ", ".join(codes), raw)
        return self.enum(raw)


class OptionalOf(Codec[T | None]):
    def __init__(self, inner: Codec[T]) -> None:
        self.inner = inner

    def encode(self, value: T | None) -> Any:
        return None if value is None else self.inner.encode(value)

    def decode(self, raw: Any, path: str) -> T | None:
        return None if raw is None else self.inner.decode(raw, path)


class TupleOf(Codec[tuple[T, ...]]):
    def __init__(self, inner: Codec[T]) -> None:
        self.inner = inner

    def encode(self, value: tuple[T, ...]) -> Any:
        return [self.inner.encode(item) for item in value]

    def decode(self, raw: Any, path: str) -> tuple[T, ...]:
        if not isinstance(raw, list):
            raise fail(path, "a list", raw)
        return tuple(self.inner.decode(item, f"{path}[{i}]") for i, item in enumerate(raw))


def check_object(raw: Any, path: str, what: str = "an object") -> JsonObject:
    if not isinstance(raw, dict):
        raise fail(path, what, raw)
    duplicates = getattr(raw, "duplicates", ())
    if duplicates:
        raise DocumentError(key_path(path, duplicates[0]), "key given twice in one object")
    return raw  # type: ignore[return-value]


class MapOf(Codec[Mapping[str, T]]):
    """A mapping with string keys, as a JSON object (keys sorted on output)."""

    def __init__(self, inner: Codec[T]) -> None:
        self.inner = inner

    def encode(self, value: Mapping[str, T]) -> Any:
        return {key: self.inner.encode(item) for key, item in value.items()}

    def decode(self, raw: Any, path: str) -> Mapping[str, T]:
        obj = check_object(raw, path)
        return FrozenMap({k: self.inner.decode(v, key_path(path, k)) for k, v in obj.items()})


class RecordCodec(Codec[T]):
    """A record (frozen dataclass) as a JSON object with exactly the record's fields.

    Every field is written, ``null`` included; reading requires every field and rejects
    unknown ones. The record's own checks run on construction; an ``InputError`` they raise
    is reported at the path of the field it names.
    """

    def __init__(self, factory: Callable[..., T], fields: Mapping[str, Codec[Any]]) -> None:
        self.factory = factory
        self.fields = dict(fields)

    def encode(self, value: T) -> Any:
        return {name: codec.encode(getattr(value, name)) for name, codec in self.fields.items()}

    def decode(self, raw: Any, path: str) -> T:
        obj = check_object(raw, path)
        for name in self.fields:
            if name not in obj:
                raise DocumentError(key_path(path, name), "required key is missing")
        unknown = sorted(set(obj) - self.fields.keys())
        if unknown:
            raise DocumentError(
                key_path(path, unknown[0]),
                "unknown key; expected only " + ", ".join(self.fields),
            )
        kwargs = {name: codec.decode(obj[name], key_path(path, name)) for name, codec in self.fields.items()}
        try:
            return self.factory(**kwargs)
        except InputError as exc:
            where = path
            for part in exc.field.split(".") if exc.field else ():
                where = key_path(where, part)
            hint = f" ({exc.hint})" if exc.hint else ""
            got = _as_written(exc.value)
            raise DocumentError(where, f"expected {exc.expected}, got {got}{hint}") from None


def _as_written(value: object) -> str:
    """A constructed value as the document wrote it (decimals and dates are strings there)."""
    if isinstance(value, Decimal | dt.date):
        return repr(str(value) if isinstance(value, Decimal) else value.isoformat())
    if isinstance(value, tuple):
        return "[" + ", ".join(_as_written(v) for v in value) + "]"
    return shown(value)
