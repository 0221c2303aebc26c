"""Building blocks shared by every part of the protocol model."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from hipectrial.protocol.units import is_known_unit, known_units_text


class Model(BaseModel):
    """Base of every protocol model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


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
