"""The one error tree of hipectrial (STYLE.md, "One error tree").

Every layer raises these; the shells map them: the CLI prints the message and exits 2
(1 for a protocol that does not check), the web maps ``field`` to a form field, the API
renders ``{"code", "message", "field"}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hipectrial.phrases import Phrase, english


class HipectrialError(Exception):
    """Base of every error hipectrial raises on purpose.

    ``phrase`` says what the message says as a code and parameters
    (:mod:`hipectrial.phrases`), for a shell that words it in another language (the EDC's
    Chinese pages); ``None`` when only the English message is known. ``str(exc)`` is the
    English, with or without a phrase.
    """

    code = "error"
    phrase: Phrase | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """One located problem in a protocol file.

    ``path`` is the YAML path (``eligibility[4].expression``); ``line`` and ``column`` are
    1-based and ``None`` when the problem has no single place in the file.
    """

    file: str
    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column}"
        return f"{where} {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ProtocolError(HipectrialError):
    """A protocol file that cannot be used; lists every problem found, each located."""

    code = "protocol_invalid"

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("ProtocolError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in protocol"
        super().__init__(head + ":\n" + "\n".join(str(p) for p in self.problems))


class InputError(HipectrialError):
    """A value a user gave that cannot be accepted: names the field, the value and what was expected.

    >>> str(InputError("weight_kg", -3.0, "a number in (0, 400]"))
    'weight_kg must be a number in (0, 400]; got -3.0'
    """

    code = "invalid_input"

    def __init__(self, field: str, value: object, expected: str, hint: str | None = None, *,
                 phrase: Phrase | None = None) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        self.hint = hint
        self.phrase = phrase
        message = f"{field} must be {expected}; got {shown(value)}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled by its arguments (Exception's default passes the message alone to __init__);
        # a subclass with arguments of its own (an ODM document's refusal) keeps the default
        if type(self) is not InputError:
            return super().__reduce__()
        return (InputError, (self.field, self.value, self.expected, self.hint), {"phrase": self.phrase})


def shown(value: object) -> str:
    """A refused value as an :class:`InputError` message shows it: a Decimal as written,
    anything else as its ``repr``."""
    return str(value) if isinstance(value, Decimal) else repr(value)


def refusal(field: str, value: object, phrase: Phrase, expected: Mapping[str, str],
            hints: Mapping[str, str] | None = None) -> InputError:
    """An :class:`InputError` whose ``expected`` is ``phrase`` in English by ``expected``
    (the template of its code; a nested phrase by its own code's template there), and whose
    ``hint`` is ``phrase`` by ``hints`` when that has a template for the code (none when it
    comes out empty).

    >>> from hipectrial.phrases import Phrase
    >>> str(refusal("ecog", "7", Phrase("one_of", (("codes", ("0", "1")),)), {"one_of": "one of {codes}"}))
    "ecog must be one of 0, 1; got '7'"
    """
    hint = None
    if hints is not None and phrase.code in hints:
        hint = english(phrase, {**expected, phrase.code: hints[phrase.code]}) or None
    return InputError(field, value, english(phrase, expected), hint, phrase=phrase)


class ExpressionError(HipectrialError):
    """A protocol CEL expression that could not be evaluated on the values given."""

    code = "expression_error"


class DataError(HipectrialError):
    """A TrialData document that cannot be read (wrong schema version, malformed record)."""

    code = "data_invalid"


class ConflictError(HipectrialError):
    """A write based on a stale version of a record (optimistic concurrency)."""

    code = "conflict"

    def __init__(self, message: str, *, phrase: Phrase | None = None) -> None:
        self.phrase = phrase
        super().__init__(message)


class PermissionDenied(HipectrialError):
    """The acting user may not do this."""

    code = "permission_denied"
