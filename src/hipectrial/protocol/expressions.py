"""CEL expressions of a protocol: compiled once, evaluated on typed values, three-valued.

A protocol states its rules (eligibility, cohort assignment, ``show_if``, edit checks,
derived variables) as short CEL expressions (https://cel.dev) over named variables. This
module wraps the ``cel`` package (``common-expression-language``):

* :class:`Expression` compiles the source once; a syntax error raises ``ValueError`` with
  the line and column inside the expression, which the loader turns into a located problem.
* :class:`~hipectrial.protocol.scope.Scope` (its own module) knows every variable's
  declared type and evaluates expressions on a mapping of values. A variable that is
  absent (or ``None``) is *missing*. CEL's logical operators are commutative over errors,
  so ``anc >= 1.5 || age < 75`` is still true when ``anc`` is missing and ``age`` is 70;
  when the missing values decide the outcome, the verdict is :attr:`Truth.UNKNOWN` and
  names them. A missing value never raises.
* Values are bound by their declared type (``decimal`` as CEL double, ``date`` as a UTC
  timestamp at midnight, ``multi_choice`` as a list of codes); a value of the wrong type
  raises :class:`~hipectrial.errors.InputError` naming the variable: nothing is coerced.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from enum import StrEnum
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from hipectrial.protocol.cel_engine import engine as cel


class ValueType(StrEnum):
    """The type of a CRF field or protocol variable."""

    INT = "int"
    DECIMAL = "decimal"
    TEXT = "text"
    DATE = "date"
    DATETIME = "datetime"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    BOOLEAN = "boolean"


class Truth(StrEnum):
    """Kleene three-valued truth: what a rule says when some of its inputs are missing."""

    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"


# Functions a protocol expression may call: CEL's standard library (macros such as has()
# and exists() are not function calls) and hipectrial's own, registered in Scope.
_CEL_STANDARD_FUNCTIONS = frozenset(
    {
        "size", "contains", "startsWith", "endsWith", "matches", "int", "uint", "double",
        "string", "bool", "bytes", "duration", "timestamp", "type", "dyn", "getFullYear",
        "getMonth", "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear", "getHours",
        "getMinutes", "getSeconds", "getMilliseconds", "max", "min",
    }
)


def _days_between(start: Any, end: Any) -> int:
    """Whole days from ``start`` to ``end`` (both CEL timestamps): ``end - start``."""
    if not isinstance(start, dt.datetime) or not isinstance(end, dt.datetime):
        raise TypeError("days_between(start, end) takes two dates")
    return (end.date() - start.date()).days


def _ratio(value: Any, reference: Any) -> float:
    """``value / reference`` computed in decimal, for limits such as "<= 1.5 x ULN".

    CEL has no decimal type: ``bilirubin <= 1.5 * bilirubin_uln`` multiplies doubles, and
    ``1.5 * 1.2`` is ``1.7999999999999998``, so an INR of exactly 1.8 would fail a
    1.5 x ULN limit. Here both numbers are taken at their shortest decimal form (what was
    entered) and divided with 12 significant digits, so ``ratio(1.8, 1.2)`` is exactly 1.5.
    """
    if isinstance(value, bool) or isinstance(reference, bool):
        raise TypeError("ratio(value, reference) takes two numbers")
    if not isinstance(value, int | float) or not isinstance(reference, int | float):
        raise TypeError("ratio(value, reference) takes two numbers")
    denominator = Decimal(repr(reference))
    if denominator == 0:
        raise ZeroDivisionError("ratio(value, reference): division by zero (reference is 0)")
    with localcontext() as context:
        context.prec = 12
        return float(Decimal(repr(value)) / denominator)


EXTRA_FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "days_between": _days_between,
    "ratio": _ratio,
}
ARITHMETIC = frozenset({"_+_", "_-_", "_*_", "_/_", "_%_", "-_"})
ALLOWED_FUNCTIONS = _CEL_STANDARD_FUNCTIONS | frozenset(EXTRA_FUNCTIONS)

_COMPREHENSION = re.compile(r"\.\s*(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_]\w*)\s*,")


class Expression:
    """A compiled CEL expression.

    >>> e = Expression("anc >= 1.5 && platelets >= 100")
    >>> sorted(e.variables)
    ['anc', 'platelets']
    >>> Expression("anc >= ")
    Traceback (most recent call last):
    ...
    ValueError: CEL syntax error at 1:8 of 'anc >= ': mismatched input '<EOF>'
    """

    __slots__ = ("_program", "functions", "operators", "ordered_variables", "source", "variables")

    def __init__(self, source: str) -> None:
        if not isinstance(source, str) or not source.strip():
            raise ValueError("a CEL expression must be a non-empty string")
        try:
            program = cel.compile(source)
        except ValueError as exc:
            raise ValueError(_syntax_message(source, str(exc))) from None
        self.source = source
        self._program = program
        bound = set(_COMPREHENSION.findall(source))
        self.variables: frozenset[str] = frozenset(program.variables()) - bound
        self.ordered_variables: tuple[str, ...] = tuple(sorted(self.variables))
        called = frozenset(program.functions())
        self.functions: frozenset[str] = frozenset(n for n in called if n[0] not in "_@!")
        self.operators: frozenset[str] = called - self.functions

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)

    def execute(self, context: cel.Context) -> Any:
        """Run on a prepared ``cel.Context``; errors propagate as the ``cel`` package raises them."""
        return self._program.execute(context)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source_type: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def parse(value: Any) -> Expression:
            if isinstance(value, Expression):
                return value
            if isinstance(value, bool | int | float):
                # YAML turns `true` or `1` into a non-string; a rule must be written as CEL text.
                raise ValueError(f"must be a CEL expression written as text; got {value!r}")
            return cls(value)

        return core_schema.no_info_plain_validator_function(
            parse,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda e: e.source),
            json_schema_input_schema=core_schema.str_schema(),
        )


def _syntax_message(source: str, raw: str) -> str:
    """Turn the cel package's parse error into one line naming where in the expression."""
    match = re.search(r"<input>:(\d+):(\d+): Syntax error: ([^\n]*)", raw)
    if not match:
        return f"CEL syntax error in {source!r}: {raw}"
    line, col, what = match.groups()  # the cel package counts columns from 1
    what = what.split(" expecting ")[0]
    return f"CEL syntax error at {line}:{col} of {source!r}: {what}"


@dataclass(frozen=True, slots=True)
class Variable:
    """A name an expression may use, with its declared type, unit and allowed codes."""

    name: str
    type: ValueType
    unit: str | None = None
    codes: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of a boolean expression: its truth, what was missing, the values used."""

    truth: Truth
    missing: tuple[str, ...] = ()
    used: Mapping[str, object] = field(default_factory=dict)
