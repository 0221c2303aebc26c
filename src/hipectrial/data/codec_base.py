"""The codecs' common ground: the document error, the codec interface and its three ways
of working, and the helpers they share.

A codec's ``decode`` takes the parsed JSON value and its path in the document
(``participants[3].birth_date``) and either returns the typed value or raises
:class:`DocumentError` saying what was expected there and what was found. Nothing is
coerced: a number where a decimal string belongs, or a date in another format, is an error.

A codec's ``quick()`` gives the same decoding without paths, for reading a large document
fast: it reads JSON parsed with every object as a tuple of its (key, value) pairs (so that a
key given twice is still seen) and raises :class:`Reject` (or ``TypeError``, ``ValueError``,
``InputError``) on anything it does not accept, whereupon the reader decodes the document
again with ``decode``, which names the problem. The contract: whatever a quick decoder
accepts, ``decode`` accepts too and turns into an equal value (and the converse, so that no
valid document is read twice). Quick decoders of values that are strings remember what each
distinct string decoded to, for one reading.

A codec's ``writer(indent)`` writes a value as JSON text directly: exactly
``as_json(codec.encode(value), indent)`` (the document's layout: keys sorted, two-space
indent, UTF-8 not escaped), or an exception for a value not of the codec's type, whereupon
the writer of the document falls back to ``as_json``.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any, Generic, TypeVar

from hipectrial.errors import DataError

T = TypeVar("T")
# A quick decoder: a parsed JSON value (objects as tuples of pairs) -> the typed value.
Quick = Callable[[Any], T]
# A writer: a value -> its JSON text at one indentation.
Writer = Callable[[T], str]


def as_json(plain: Any, indent: str) -> str:
    """``plain`` (str, int, bool, None, list, dict) as the document writes it, its lines
    after the first indented by ``indent``: keys sorted, two spaces per level, UTF-8 text
    not escaped, no NaN."""
    text = json.dumps(plain, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False)
    # A newline in JSON text is always layout: one inside a string is written as \n.
    return text.replace("\n", "\n" + indent) if indent else text


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


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


def key_path(path: str, key: str) -> str:
    """``path.key``, or ``path["key"]`` when the key is not a plain identifier."""
    if _PLAIN_KEY.fullmatch(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{key!r}]"


def fail(path: str, expected: str, raw: object) -> DocumentError:
    return DocumentError(path, f"expected {expected}, got {shown(raw)}")


class Reject(Exception):
    """A quick decoder does not accept a value: the careful ``decode`` says what is wrong."""


class Codec(ABC, Generic[T]):
    """Encodes a value of type ``T`` to JSON and decodes it back (module docstring).

    ``from_string`` is true for a :class:`StringCodec`: one whose ``decode`` accepts only
    strings and depends on nothing but the string.
    """

    from_string = False

    @abstractmethod
    def encode(self, value: T) -> Any:
        """The JSON form of ``value`` (str, int, bool, None, list or dict)."""

    @abstractmethod
    def decode(self, raw: Any, path: str) -> T:
        """The value ``raw`` (parsed JSON found at ``path``) stands for; DocumentError if none."""

    @abstractmethod
    def quick(self) -> Quick[T]:
        """A new quick decoder (see the module docstring)."""

    def writer(self, indent: str) -> Writer[T]:
        """A writer of values at ``indent`` (see the module docstring)."""
        encode = self.encode
        if self.from_string:  # encode gives a string, which JSON writes escaped
            def string(value: T) -> str:
                return encode_basestring(encode(value))

            return string

        def generic(value: T) -> str:
            return as_json(encode(value), indent)

        return generic


class StringCodec(Codec[T]):
    """A codec of values written as strings, whose ``decode`` depends on nothing but the
    string: its quick decoder is ``decode`` remembered per distinct string, and its writer
    writes the encoded string escaped."""

    from_string = True

    def quick(self) -> Quick[T]:
        """A new quick decoder with its own memory of strings."""
        return Remembered(self.decode).__getitem__


class Remembered(dict[Any, Any]):
    """What ``decode`` gave for each string met so far: a hit is a dict look-up, a miss
    calls ``decode`` (whose ``DocumentError`` becomes :class:`Reject`). ``seed`` gives
    values known beforehand (``None`` for an optional value)."""

    def __init__(self, decode: Callable[[Any, str], Any], seed: Mapping[Any, Any] | None = None) -> None:
        super().__init__(seed or {})
        self.decode = decode

    def __missing__(self, raw: Any) -> Any:
        # Only strings are remembered: a string equals nothing but a string, so a look-up
        # can never answer for a number or a boolean that hashes alike.
        if type(raw) is not str:
            raise Reject
        try:
            value = self.decode(raw, "")
        except DocumentError:
            raise Reject from None
        self[raw] = value
        return value


def quick_object(raw: Any) -> dict[str, Any]:
    """A JSON object of the quick reading (a tuple of pairs) as a dict; Reject if it is not
    an object or gives a key twice."""
    if type(raw) is not tuple:
        raise Reject
    obj = dict(raw)
    if len(obj) != len(raw):
        raise Reject
    return obj


def check_object(raw: Any, path: str, what: str = "an object") -> JsonObject:
    if not isinstance(raw, dict):
        raise fail(path, what, raw)
    duplicates = getattr(raw, "duplicates", ())
    if duplicates:
        raise DocumentError(key_path(path, duplicates[0]), "key given twice in one object")
    return raw  # type: ignore[return-value]
