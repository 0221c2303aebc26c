"""Explicit JSON codecs: one small object per value type, each encoding to plain JSON,
decoding with a located error, decoding quickly and writing JSON text (the three ways of
working are described in :mod:`hipectrial.data.codec_base`).
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import StrEnum
from json.encoder import encode_basestring
from operator import attrgetter, call, itemgetter
from typing import Any, TypeVar

from hipectrial.data.codec_base import (
    Codec,
    DocumentError,
    Quick,
    Reject,
    Remembered,
    StringCodec,
    Writer,
    check_object,
    fail,
    key_path,
    quick_object,
    shown,
)
from hipectrial.data.values import FrozenMap
from hipectrial.errors import InputError

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


class Text(StringCodec[str]):

    def encode(self, value: str) -> Any:
        return value

    def decode(self, raw: Any, path: str) -> str:
        if not isinstance(raw, str):
            raise fail(path, "a string", raw)
        return raw

    def writer(self, indent: str) -> Writer[str]:
        writer: Writer[str] = encode_basestring  # TypeError for anything but a string
        return writer


def _quick_int(raw: Any) -> int:
    if type(raw) is int:  # not a bool, which is an int too
        return raw
    raise Reject


def _quick_bool(raw: Any) -> bool:
    if type(raw) is bool:
        return raw
    raise Reject


class Int(Codec[int]):
    def encode(self, value: int) -> Any:
        return value

    def decode(self, raw: Any, path: str) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise fail(path, "an integer", raw)
        return raw

    def quick(self) -> Quick[int]:
        return _quick_int

    def writer(self, indent: str) -> Writer[int]:
        generic = super().writer(indent)

        def integer(value: int) -> str:
            return int.__repr__(value) if type(value) is int else generic(value)

        return integer


class Bool(Codec[bool]):
    def encode(self, value: bool) -> Any:
        return value

    def decode(self, raw: Any, path: str) -> bool:
        if not isinstance(raw, bool):
            raise fail(path, "true or false", raw)
        return raw

    def quick(self) -> Quick[bool]:
        return _quick_bool

    def writer(self, indent: str) -> Writer[bool]:
        generic = super().writer(indent)

        def boolean(value: bool) -> str:
            if value is True:
                return "true"
            return "false" if value is False else generic(value)

        return boolean


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DECIMAL = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


class Date(StringCodec[dt.date]):
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


class DateTime(StringCodec[dt.datetime]):
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


class Dec(StringCodec[Decimal]):
    """A Decimal, written as a JSON string so that it stays exact (``"72.50"``)."""

    expected = 'a decimal number written as a string (e.g. "1.5")'

    def encode(self, value: Decimal) -> Any:
        return str(value)

    def decode(self, raw: Any, path: str) -> Decimal:
        if not isinstance(raw, str) or not _DECIMAL.fullmatch(raw):
            raise fail(path, self.expected, raw)
        return Decimal(raw)


class EnumOf(StringCodec[E]):

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

    def quick(self) -> Quick[T | None]:
        if self.inner.from_string:
            return Remembered(self.inner.decode, seed={None: None}).__getitem__
        inner = self.inner.quick()

        def optional(raw: Any) -> T | None:
            return None if raw is None else inner(raw)

        return optional

    def writer(self, indent: str) -> Writer[T | None]:
        inner = self.inner.writer(indent)

        def optional(value: T | None) -> str:
            return "null" if value is None else inner(value)

        return optional


class TupleOf(Codec[tuple[T, ...]]):
    def __init__(self, inner: Codec[T]) -> None:
        self.inner = inner

    def encode(self, value: tuple[T, ...]) -> Any:
        return [self.inner.encode(item) for item in value]

    def decode(self, raw: Any, path: str) -> tuple[T, ...]:
        if not isinstance(raw, list):
            raise fail(path, "a list", raw)
        return tuple(self.inner.decode(item, f"{path}[{i}]") for i, item in enumerate(raw))

    def quick(self) -> Quick[tuple[T, ...]]:
        inner = self.inner.quick()

        def items(raw: Any) -> tuple[T, ...]:
            if type(raw) is not list:
                raise Reject
            return tuple(map(inner, raw))

        return items

    def writer(self, indent: str) -> Writer[tuple[T, ...]]:
        deeper = indent + "  "
        inner = self.inner.writer(deeper)
        opening, separator, closing = "[\n" + deeper, ",\n" + deeper, "\n" + indent + "]"

        def items(value: tuple[T, ...]) -> str:
            texts = list(map(inner, value))
            return opening + separator.join(texts) + closing if texts else "[]"

        return items


class MapOf(Codec[Mapping[str, T]]):
    """A mapping with string keys, as a JSON object (keys sorted on output)."""

    def __init__(self, inner: Codec[T]) -> None:
        self.inner = inner

    def encode(self, value: Mapping[str, T]) -> Any:
        return {key: self.inner.encode(item) for key, item in value.items()}

    def decode(self, raw: Any, path: str) -> Mapping[str, T]:
        obj = check_object(raw, path)
        return FrozenMap({k: self.inner.decode(v, key_path(path, k)) for k, v in obj.items()})

    def quick(self) -> Quick[Mapping[str, T]]:
        inner = self.inner.quick()

        def mapping(raw: Any) -> Mapping[str, T]:
            obj = quick_object(raw)
            return FrozenMap(zip(obj.keys(), map(inner, obj.values()), strict=True))

        return mapping

    def writer(self, indent: str) -> Writer[Mapping[str, T]]:
        return object_writer(self.inner.writer(indent + "  "), indent)


def object_writer(inner: Writer[Any], indent: str) -> Writer[Mapping[str, Any]]:
    """A writer of a mapping (string keys, sorted on output) whose values ``inner`` writes."""
    deeper = indent + "  "
    opening, separator, closing = "{\n" + deeper, ",\n" + deeper, "\n" + indent + "}"

    def mapping(value: Mapping[str, Any]) -> str:
        texts = [encode_basestring(key) + ": " + inner(item)
                 for key, item in sorted(value.items(), key=_FIRST)]
        return opening + separator.join(texts) + closing if texts else "{}"

    return mapping


_FIRST = itemgetter(0)


def _getter(items: tuple[Any, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """``itemgetter(*items)`` that gives a tuple for any number of items (itemgetter of one
    item gives the item itself)."""
    if len(items) == 1:
        (item,) = items
        return lambda obj: (obj[item],)
    return itemgetter(*items)


class RecordCodec(Codec[T]):
    """A record (frozen dataclass) as a JSON object with exactly the record's fields.

    Every field is written, ``null`` included; reading requires every field and rejects
    unknown ones. The record's own checks run on construction; an ``InputError`` they raise
    is reported at the path of the field it names.
    """

    def __init__(self, factory: Callable[..., T], fields: Mapping[str, Codec[Any]]) -> None:
        self.factory = factory
        self.fields = dict(fields)
        # The quick decoder passes values by position: the fields must be the factory's
        # first parameters, in order (any parameters after them keep their defaults).
        parameters = list(inspect.signature(factory).parameters.values())
        leading = [p.name for p in parameters[:len(self.fields)]]
        if leading != list(self.fields) or any(p.default is p.empty for p in parameters[len(leading):]):
            raise ValueError(f"the fields of a {getattr(factory, '__name__', factory)} codec must be its "
                             f"leading parameters in order ({', '.join(p.name for p in parameters)}); "
                             f"got {', '.join(self.fields)}")

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

    def quick(self) -> Quick[T]:
        # The document writes keys sorted: take the values in that order, and hand them to
        # their decoders and to the factory in the factory's own (the dataclass's) order.
        names = tuple(self.fields)
        written = tuple(sorted(names))
        keys = frozenset(names)
        decoders = tuple(self.fields[name].quick() for name in names)
        by_name = _getter(written)
        in_call_order = _getter(tuple(written.index(name) for name in names))
        factory, size = self.factory, len(names)

        def record(raw: Any) -> T:
            if type(raw) is not tuple or len(raw) != size:
                raise Reject
            given, values = zip(*raw)  # noqa: B905 (every pair has two items)
            if given != written:  # keys in another order, or keys missing, unknown or twice
                obj = quick_object(raw)
                if obj.keys() != keys:
                    raise Reject
                values = by_name(obj)
            return factory(*map(call, decoders, in_call_order(values)))

        return record

    def writer(self, indent: str, constants: Mapping[str, str] | None = None) -> Writer[T]:
        """A writer of records at ``indent``; ``constants`` adds keys whose JSON text is given
        (the document's ``schema_version``)."""
        deeper = indent + "  "
        names = tuple(sorted(self.fields))
        writers = tuple(self.fields[name].writer(deeper) for name in names)
        keys = sorted([*((name, "%s") for name in names),
                       *((key, text.replace("%", "%%")) for key, text in (constants or {}).items())])
        template = ("{\n" + ",\n".join(f"{deeper}{encode_basestring(key)}: {text}" for key, text in keys)
                    + "\n" + indent + "}")
        values = attrgetter(*names)

        def record(value: T) -> str:
            return template % tuple(map(call, writers, values(value)))

        return record


def _as_written(value: object) -> str:
    """A constructed value as the document wrote it (decimals and dates are strings there)."""
    if isinstance(value, Decimal | dt.date):
        return repr(str(value) if isinstance(value, Decimal) else value.isoformat())
    if isinstance(value, tuple):
        return "[" + ", ".join(_as_written(v) for v in value) + "]"
    return shown(value)
