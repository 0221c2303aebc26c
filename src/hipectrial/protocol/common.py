"""Building blocks shared by every part of the protocol model."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from hipectrial.protocol.units import is_known_unit, known_units_text


class Model(BaseModel):
    """Base of every protocol model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def lookup(model: BaseModel, name: str, source: Sequence[Any],
           build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``build()`` once per model instance, kept in the instance's ``__dict__`` under ``name``.

    Why this is safe: protocol models are frozen and their lists are never mutated after
    validation (``Protocol.scope`` relies on the same), so a table built from them stays
    true. The table is rebuilt when ``source`` (the list it was built from) is no longer the
    very object the model holds, as after ``model_copy(update=...)``. pydantic compares,
    dumps and represents models by their declared fields only, so the extra ``__dict__`` entry
    changes no equality, dump or round trip (the same holds for ``functools.cached_property``).
    """
    cached = model.__dict__.get(name)
    if cached is None or cached[0] is not source:
        cached = (source, build())
        model.__dict__[name] = cached  # bypasses the frozen __setattr__, as cached_property does
    table: dict[str, Any] = cached[1]
    return table


def by_id(model: BaseModel, attribute: str) -> dict[str, Any]:
    """The items of the list ``model.<attribute>`` by their ``id``; the first of a repeated id."""
    items: Sequence[Any] = getattr(model, attribute)

    def build() -> dict[str, Any]:
        table: dict[str, Any] = {}
        for item in items:
            table.setdefault(item.id, item)
        return table

    return lookup(model, f"_by_id_{attribute}", items, build)


# Identifiers users and exports rely on. Letters, digits, '_' and '-', starting with a
# letter or digit; dose-level ids such as "-1" are a separate type.
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$", max_length=64)]
# A variable (field or derived) usable in CEL: a CEL identifier.
VarName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)]
# CDISC ODM OIDs: letters, digits, '.', '_' and '-'.
Oid = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9._\-]*$", max_length=100)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class Label(Model):
    """A text in English and Simplified Chinese (both required: the EDC shows either)."""

    en: Text
    zh: Text


def check_unit(value: str | None) -> str | None:
    if value is not None and not is_known_unit(value):
        raise ValueError(f"unknown unit {value!r}; known units: {known_units_text()}")
    return value


class HasUnit(Model):
    """Mixin validator: a ``unit`` field must be a known unit."""

    @field_validator("unit", check_fields=False)
    @classmethod
    def _known_unit(cls, value: str | None) -> str | None:
        return check_unit(value)


def oid_part(identifier: str) -> str:
    """An identifier as an OID segment: upper case, '-' kept, other characters as '_'.

    >>> oid_part("s-1"), oid_part("labs"), oid_part("HER2-positive")
    ('S-1', 'LABS', 'HER2-POSITIVE')
    """
    return re.sub(r"[^A-Za-z0-9\-]", "_", identifier).upper()
