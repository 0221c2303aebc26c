"""CEL expressions of a protocol: compiled once, evaluated on typed values, three-valued.

A protocol states its rules (eligibility, cohort assignment, ``show_if``, edit checks,
derived variables) as short CEL expressions (https://cel.dev) over named variables. This
module wraps the ``cel`` package (``common-expression-language``):

* :class:`Expression` compiles the source once; a syntax error raises ``ValueError`` with
  the line and column inside the expression, which the loader turns into a located problem.
* :class:`Scope` knows every variable's declared type and evaluates expressions on a
  mapping of values. A variable that is absent (or ``None``) is *missing*. CEL's logical
  operators are commutative over errors, so ``anc >= 1.5 || age < 75`` is still true when
  ``anc`` is missing and ``age`` is 70; when the missing values decide the outcome, the
  verdict is :attr:`Truth.UNKNOWN` and names them. A missing value never raises.
* Values are bound by their declared type (``decimal`` as CEL double, ``date`` as a UTC
  timestamp at midnight, ``multi_choice`` as a list of codes); a value of the wrong type
  raises :class:`~hipectrial.errors.InputError` naming the variable: nothing is coerced.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from enum import StrEnum
from typing import Any

import cel
from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from hipectrial.errors import ExpressionError, InputError


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
_UNDEFINED = re.compile(r"Undefined variable or function: '([^']+)'")


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


_EPOCH_TZ = dt.UTC
_NOT_RUN = object()


def _bind(var: Variable, value: object) -> Any:
    """Convert a Python value to the CEL value of ``var``'s declared type, or raise InputError."""
    kind = var.type
    if kind is ValueType.BOOLEAN:
        if isinstance(value, bool):
            return value
    elif kind is ValueType.INT:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif kind is ValueType.DECIMAL:
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return float(value)
    elif kind in (ValueType.TEXT, ValueType.CHOICE):
        if isinstance(value, str):
            if kind is ValueType.CHOICE and var.codes and value not in var.codes:
                raise InputError(var.name, value, "one of " + ", ".join(var.codes))
            return value
    elif kind is ValueType.MULTI_CHOICE:
        if isinstance(value, list | tuple | frozenset | set) and all(
            isinstance(v, str) for v in value
        ):
            unknown = [v for v in value if var.codes and v not in var.codes]
            if unknown:
                raise InputError(var.name, unknown, "codes among " + ", ".join(var.codes))
            return sorted(value)
    elif kind is ValueType.DATE:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return dt.datetime(value.year, value.month, value.day, tzinfo=_EPOCH_TZ)
    elif kind is ValueType.DATETIME and isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise InputError(var.name, value, "a date-time with a time zone")
        return value
    raise InputError(var.name, value, f"a value of type {kind.value}")


class _Bound:
    """One set of values bound into a ``cel.Context``, with the failure list its guarded
    functions write to (cleared before each evaluation)."""

    __slots__ = ("context", "failures", "results")

    def __init__(self, context: cel.Context, failures: list[str]) -> None:
        self.context = context
        self.failures = failures
        # Results of expressions already run on this context, by source: the same program
        # on the same bound values gives the same value (our functions are pure). Only
        # immutable results of runs that did not raise are kept.
        self.results: dict[str, object] = {}


# How many recent value sets each thread keeps bound per Scope. The dose-modification engine
# evaluates a dozen rules on one set of lab values, so reusing the bound context saves
# re-binding every value (and re-registering the functions) for each rule.
_BOUND_CACHE_SIZE = 8


class Scope:
    """The variables expressions may use, and the evaluation of expressions over them."""

    def __init__(self, variables: Iterable[Variable]) -> None:
        self.variables: dict[str, Variable] = {v.name: v for v in variables}
        self._local = threading.local()

    def _context(self, values: Mapping[str, object]) -> tuple[_Bound, dict[str, object]]:
        used = {name: value for name, value in values.items() if value is not None}
        # Safe to reuse: the key holds every (name, type, value) given, so equal keys bind
        # the same CEL values (a value's type decides how it binds; equal values of one type
        # bind equally). Only values that bound without error are cached, so an invalid
        # value still raises every time. The context is never mutated after binding and the
        # cache is per thread; ``used`` (the caller's own objects) is rebuilt on each call.
        try:
            key: tuple[object, ...] | None = (tuple(values.items()), tuple(map(type, values.values())))
            hash(key)
        except TypeError:  # an unhashable value (a multi_choice list): bind afresh
            key = None
        cache: dict[tuple[object, ...], _Bound] | None = getattr(self._local, "bound", None)
        if cache is None:
            cache = self._local.bound = {}
        bound = cache.get(key) if key is not None else None
        if bound is None:
            bound = self._bind_all(values)
            if key is not None and _BOUND_CACHE_SIZE > 0:
                if len(cache) >= _BOUND_CACHE_SIZE:
                    del cache[next(iter(cache))]
                cache[key] = bound
        bound.failures.clear()
        return bound, used

    def _bind_all(self, values: Mapping[str, object]) -> _Bound:
        context = cel.Context()
        # The cel package prints a Python function's exception to stderr before raising;
        # so our functions never raise into it: a failure is recorded here and the call
        # returns null, which makes the enclosing operation fail with a type error.
        failures: list[str] = []
        for name, function in EXTRA_FUNCTIONS.items():
            context.add_function(name, _guarded(name, function, failures))
        for name, value in values.items():
            if value is None:
                continue
            var = self.variables.get(name)
            if var is None:
                raise InputError(name, value, "a variable the protocol declares")
            context.add_variable(name, _bind(var, value))
        return _Bound(context, failures)

    def evaluate(self, expression: Expression, values: Mapping[str, object]) -> object:
        """The value of ``expression``; :attr:`Truth.UNKNOWN` when missing values decide it.

        Raises :class:`ExpressionError` for an error that is not caused by a missing value
        (a type mismatch, a division by zero).
        """
        return self._run(expression, values)[0]

    def _run(self, expression: Expression, values: Mapping[str, object]) -> tuple[object, dict[str, object]]:
        """The value of ``expression`` (as :meth:`evaluate`) and the non-missing values."""
        bound, used = self._context(values)
        known = bound.results.get(expression.source, _NOT_RUN)
        if known is not _NOT_RUN:
            return known, used
        failures = bound.failures
        try:
            result = expression.execute(bound.context)
        except RuntimeError as exc:
            undefined = _UNDEFINED.search(str(exc))
            if undefined and undefined.group(1) in expression.variables and undefined.group(1) not in used:
                bound.results[expression.source] = Truth.UNKNOWN
                return Truth.UNKNOWN, used
            raise ExpressionError(f"{expression.source!r}: {failures[0] if failures else exc}") from None
        except (TypeError, ValueError, ZeroDivisionError, OverflowError) as exc:
            raise ExpressionError(f"{expression.source!r}: {failures[0] if failures else exc}") from None
        if result is None or isinstance(result, bool | int | float | str | dt.datetime):
            bound.results[expression.source] = result
        return result, used

    def truth(self, expression: Expression, values: Mapping[str, object]) -> Verdict:
        """Evaluate a boolean expression in three-valued logic.

        >>> scope = Scope([Variable("anc", ValueType.DECIMAL, "10^9/L"),
        ...                Variable("age", ValueType.INT, "years")])
        >>> scope.truth(Expression("anc >= 1.5 && age <= 75"), {"age": 80}).truth
        <Truth.FALSE: 'false'>
        >>> v = scope.truth(Expression("anc >= 1.5 && age <= 75"), {"age": 70})
        >>> v.truth, v.missing
        (<Truth.UNKNOWN: 'unknown'>, ('anc',))
        """
        result, used = self._run(expression, values)
        ordered = expression.ordered_variables
        missing = tuple(v for v in ordered if v not in used)
        used_here = {k: used[k] for k in ordered if k in used}
        if result is Truth.UNKNOWN:
            return Verdict(Truth.UNKNOWN, missing, used_here)
        if not isinstance(result, bool):
            raise ExpressionError(
                f"{expression.source!r} must give true or false; gave {result!r}"
            )
        return Verdict(Truth.TRUE if result else Truth.FALSE, missing, used_here)

    def type_problems(self, expression: Expression, *, boolean: bool) -> list[str]:
        """Probe ``expression`` with typed sample values and report type errors.

        CEL here has no static type checker, so the loader evaluates each expression on a
        fixed, seeded set of sample values of the declared types (ranges and codes
        included). This finds mismatches such as comparing a date with a number or a choice
        code that is not in its code list, on the branches the samples reach; it is a
        check, not a proof.
        """
        names = sorted(expression.variables & self.variables.keys())
        samples = [_samples(self.variables[n]) for n in names]
        problems: list[str] = []
        for combo in _combinations(samples):
            values = dict(zip(names, combo, strict=True))
            try:
                result = self.evaluate(expression, values)
            except ExpressionError as exc:
                if "division by zero" in str(exc) or "overflow" in str(exc).lower():
                    continue
                shown = ", ".join(f"{k}={v!r}" for k, v in values.items())
                problems.append(f"cannot be evaluated with {shown}: {_short(exc)}")
                break
            if boolean and result is not Truth.UNKNOWN and not isinstance(result, bool):
                problems.append(f"must give true or false; gives {type(result).__name__}")
                break
        return problems

    def code_problems(self, expression: Expression) -> list[str]:
        """String literals compared with a choice variable that are not among its codes."""
        problems = []
        for name in sorted(expression.variables & self.variables.keys()):
            var = self.variables[name]
            if var.type not in (ValueType.CHOICE, ValueType.MULTI_CHOICE) or not var.codes:
                continue
            pattern = (
                rf"\b{re.escape(name)}\s*(?:==|!=)\s*['\"]([^'\"]*)['\"]"
                rf"|['\"]([^'\"]*)['\"]\s*(?:==|!=|in)\s*{re.escape(name)}\b"
            )
            for match in re.finditer(pattern, expression.source):
                code = match.group(1) if match.group(1) is not None else match.group(2)
                if code not in var.codes:
                    problems.append(
                        f"'{code}' is not a code of {name}; its codes: {', '.join(var.codes)}"
                    )
        return problems


def _guarded(name: str, function: Callable[..., Any], failures: list[str]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        try:
            return function(*args)
        except (TypeError, ValueError, ArithmeticError) as exc:
            failures.append(f"{name}(): {exc}")
            return None

    return call


def _short(exc: Exception) -> str:
    text = str(exc)
    return text.split(". CEL does not coerce")[0].split(". Convert explicitly")[0]


def _samples(var: Variable) -> list[object]:
    kind = var.type
    if kind is ValueType.BOOLEAN:
        return [True, False]
    if kind in (ValueType.INT, ValueType.DECIMAL):
        low = var.minimum if var.minimum is not None else 0
        high = var.maximum if var.maximum is not None else 1000
        points = [low, (low + high) / 2, high]
        return [int(p) for p in points] if kind is ValueType.INT else [float(p) for p in points]
    if kind is ValueType.CHOICE:
        return list(var.codes) or ["x"]
    if kind is ValueType.MULTI_CHOICE:
        return [[], list(var.codes[:1]), list(var.codes)]
    if kind is ValueType.DATE:
        return [dt.date(2000, 1, 1), dt.date(2030, 6, 30)]
    if kind is ValueType.DATETIME:
        return [dt.datetime(2000, 1, 1, tzinfo=_EPOCH_TZ), dt.datetime(2030, 6, 30, 12, tzinfo=_EPOCH_TZ)]
    return ["", "text"]


def _combinations(samples: list[list[object]], limit: int = 48) -> Iterable[tuple[object, ...]]:
    if not samples:
        yield ()
        return
    total = 1
    for s in samples:
        total *= len(s)
    if total <= limit:
        yield from itertools.product(*samples)
        return
    width = max(len(s) for s in samples)
    for k in range(width):  # aligned rows: every sample of every variable appears
        yield tuple(s[k % len(s)] for s in samples)
    rng = random.Random(20261123)  # fixed seed: the load check is deterministic
    for _ in range(limit - width):
        yield tuple(rng.choice(s) for s in samples)
