"""Values bound into a ``cel.Context``, and the per-thread cache of recent bindings.

Binding a set of values (converting each by its declared type and registering our
functions) costs far more than running a compiled program on it, and the engines evaluate
many expressions on one set of values: the dose-modification engine a dozen rules on one set
of labs, eligibility thirty criteria on one record. :class:`BoundCache` keeps the last few
bindings per thread, so each set of values is bound once.

Why a cached binding is never stale:

* **By the object** (the fastest path): a :class:`~hipectrial.protocol.frozen.FrozenValues`
  whose values are all of immutable types cannot change, and the entry holds it, so its
  ``id()`` cannot be reused while the entry lives.
* **By identity** (the fast path): the key is the variable names in order with the ``id()``
  of each value, and the entry holds the values themselves, so none of them can be freed and
  its ``id()`` reused while the entry lives. Only values of immutable types take this path,
  so the same objects are the same values.
* **By value** (as before this split): the key holds every (name, value) and each value's
  type, so equal keys bind the same CEL values (a value's type decides how it binds; equal
  values of one type bind equally). Unhashable values (a multi_choice list) are bound afresh.

Only value sets that bound without error are cached, so an invalid value raises every time.
A context is never changed after binding; only the results memo of :class:`Bound` grows, and
a program on the same bound values gives the same value (our functions are pure).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from hipectrial.errors import InputError
from hipectrial.protocol.cel_engine import engine as cel
from hipectrial.protocol.expressions import EXTRA_FUNCTIONS, ValueType, Variable
from hipectrial.protocol.frozen import IMMUTABLE_TYPES, FrozenValues

# How many recent value sets each thread keeps bound per Scope (per kind of key). The
# benchmark sets it to 0 to time the unoptimised path.
BOUND_CACHE_SIZE = 8

_EPOCH_TZ = dt.UTC


def bind(var: Variable, value: object) -> Any:
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


class Bound:
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


def bind_all(variables: Mapping[str, Variable], values: Mapping[str, object]) -> Bound:
    """A fresh context holding ``values`` (``None`` left out) and our functions."""
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
        var = variables.get(name)
        if var is None:
            raise InputError(name, value, "a variable the protocol declares")
        context.add_variable(name, bind(var, value))
    return Bound(context, failures)


def _guarded(name: str, function: Callable[..., Any], failures: list[str]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        try:
            return function(*args)
        except (TypeError, ValueError, ArithmeticError) as exc:
            failures.append(f"{name}(): {exc}")
            return None

    return call


class BoundCache:
    """The last :data:`BOUND_CACHE_SIZE` bindings per thread, by identity and by value."""

    def __init__(self, variables: Mapping[str, Variable]) -> None:
        self._variables = variables
        self._local = threading.local()

    def get(self, values: Mapping[str, object]) -> Bound:
        """The binding of ``values``, from the cache when it is known (see the module's notes)."""
        local = self._local
        by_identity: OrderedDict[tuple[object, ...], tuple[tuple[object, ...], Bound]] | None = getattr(
            local, "by_identity", None)
        if by_identity is None:
            by_identity = local.by_identity = OrderedDict()
            local.by_value = OrderedDict()
            local.by_frozen = OrderedDict()
        by_frozen: OrderedDict[int, tuple[FrozenValues, Bound]] = local.by_frozen
        frozen = type(values) is FrozenValues and values.immutable
        if frozen:
            known = by_frozen.get(id(values))
            if known is not None and known[0] is values:
                bound = known[1]
                bound.failures.clear()
                return bound
        bound = self._get(local, by_identity, values)
        if frozen:
            _put(by_frozen, id(values), (values, bound))  # the entry keeps ``values`` alive
        return bound

    def _get(self, local: threading.local,
             by_identity: OrderedDict[tuple[object, ...], tuple[tuple[object, ...], Bound]],
             values: Mapping[str, object]) -> Bound:
        by_value: OrderedDict[tuple[object, ...], Bound] = local.by_value
        held = tuple(values.values())
        identity: tuple[object, ...] | None = None
        if IMMUTABLE_TYPES.issuperset(map(type, held)):
            identity = (tuple(values), tuple(map(id, held)))
            entry = by_identity.get(identity)
            if entry is not None:
                bound = entry[1]
                bound.failures.clear()
                return bound
        try:
            key: tuple[object, ...] | None = (tuple(values.items()), tuple(map(type, held)))
            hash(key)
        except TypeError:  # an unhashable value (a multi_choice list): bind afresh
            key = None
        bound_or_none = by_value.get(key) if key is not None else None
        if bound_or_none is None:
            bound = bind_all(self._variables, values)
            if key is not None:
                _put(by_value, key, bound)
        else:
            bound = bound_or_none
        if identity is not None:
            _put(by_identity, identity, (held, bound))  # ``held`` keeps the ids from reuse
        bound.failures.clear()
        return bound


def _put(cache: OrderedDict[Any, Any], key: object, entry: object) -> None:
    """Store ``entry``, dropping the oldest one beyond :data:`BOUND_CACHE_SIZE`.

    An ``OrderedDict`` pops its oldest entry in constant time; deleting the first key of a
    plain dict again and again leaves a run of dead slots every ``iter()`` has to skip.
    """
    if BOUND_CACHE_SIZE <= 0:
        return
    if len(cache) >= BOUND_CACHE_SIZE:
        cache.popitem(last=False)
    cache[key] = entry
