"""The evaluation of a protocol's CEL expressions over typed values, three-valued.

:class:`Scope` knows every variable's declared type and evaluates expressions on a mapping
of values (see :mod:`hipectrial.protocol.expressions` for the rules: a missing value never
raises; when missing values decide the outcome the verdict is :attr:`Truth.UNKNOWN`). Values
are bound into a CEL context by :mod:`hipectrial.protocol.bound`, which keeps recent
bindings per thread.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
from collections.abc import Iterable, Mapping

from hipectrial.errors import ExpressionError
from hipectrial.protocol.bound import BoundCache
from hipectrial.protocol.expressions import Expression, Truth, ValueType, Variable, Verdict

_EPOCH_TZ = dt.UTC
_NOT_RUN = object()
_UNDEFINED = re.compile(r"Undefined variable or function: '([^']+)'")


class Scope:
    """The variables expressions may use, and the evaluation of expressions over them."""

    def __init__(self, variables: Iterable[Variable]) -> None:
        self.variables: dict[str, Variable] = {v.name: v for v in variables}
        self._bound = BoundCache(self.variables)

    def evaluate(self, expression: Expression, values: Mapping[str, object]) -> object:
        """The value of ``expression``; :attr:`Truth.UNKNOWN` when missing values decide it.

        Raises :class:`ExpressionError` for an error that is not caused by a missing value
        (a type mismatch, a division by zero).
        """
        return self._run(expression, values)

    def _run(self, expression: Expression, values: Mapping[str, object]) -> object:
        """The value of ``expression``, as :meth:`evaluate` (a value ``None`` is missing)."""
        bound = self._bound.get(values)
        source = expression.source
        known = bound.results.get(source, _NOT_RUN)
        if known is not _NOT_RUN:
            return known
        failures = bound.failures
        try:
            result = expression.execute(bound.context)
        except RuntimeError as exc:
            undefined = _UNDEFINED.search(str(exc))
            if undefined and undefined.group(1) in expression.variables \
                    and values.get(undefined.group(1)) is None:
                bound.results[source] = Truth.UNKNOWN
                return Truth.UNKNOWN
            raise ExpressionError(f"{source!r}: {failures[0] if failures else exc}") from None
        except (TypeError, ValueError, ZeroDivisionError, OverflowError) as exc:
            raise ExpressionError(f"{source!r}: {failures[0] if failures else exc}") from None
        if result is None or isinstance(result, bool | int | float | str | dt.datetime):
            bound.results[source] = result
        return result

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
        truth = self.truth_value(expression, values)
        # Only the expression's own variables, in name order: what it used and lacked.
        used_here: dict[str, object] = {}
        missing: list[str] = []
        get = values.get
        for name in expression.ordered_variables:
            value = get(name)
            if value is None:
                missing.append(name)
            else:
                used_here[name] = value
        return Verdict(truth, tuple(missing), used_here)

    def truth_value(self, expression: Expression, values: Mapping[str, object]) -> Truth:
        """The truth :meth:`truth` gives, without the values used and missing (cheaper, for
        a caller that only needs the truth).

        >>> scope = Scope([Variable("anc", ValueType.DECIMAL, "10^9/L")])
        >>> scope.truth_value(Expression("anc >= 1.5"), {"anc": 1.2})
        <Truth.FALSE: 'false'>
        """
        result = self._run(expression, values)
        if result is Truth.UNKNOWN:
            return Truth.UNKNOWN
        if not isinstance(result, bool):
            raise ExpressionError(
                f"{expression.source!r} must give true or false; gave {result!r}"
            )
        return Truth.TRUE if result else Truth.FALSE

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
