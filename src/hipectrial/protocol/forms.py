"""Case report forms, their fields, code lists and edit checks, and derived variables.

Field ids are unique across the whole protocol (as REDCap's variable names are): a field id
is the variable name that eligibility criteria, cohort rules, ``show_if`` conditions and edit
checks use, and the column name in exports. Every form, field and code list carries an OID
for CDISC ODM; unless the file gives one it is derived from the id (``F.LABS``,
``IT.LABS.ANC``, ``CL.SEX``), so it stays stable as long as the id does.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from hipectrial.protocol.common import HasUnit, Id, Label, Model, Oid, Text, VarName, by_id, oid_part
from hipectrial.protocol.expressions import Expression, ValueType


class CodeListItem(Model):
    code: Id
    label: Label
    # The code submitted to CDISC exports when it differs from ``code`` (e.g. "M" for male).
    submission_value: str | None = None


class CodeList(Model):
    id: Id
    label: Label | None = None
    items: list[CodeListItem] = Field(min_length=1)
    oid: Oid | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items)

    @property
    def resolved_oid(self) -> str:
        return self.oid or f"CL.{oid_part(self.id)}"


class EditCheck(Model):
    """A rule a form's values must satisfy: the expression must be true, else ``message``.

    Checks follow three-valued logic: a check whose inputs are missing is not run (the
    ``required`` flags report missing values).
    """

    id: Id
    expression: Expression
    message: Label
    severity: str = Field(default="error", pattern=r"^(error|warning)$")


class FieldDef(HasUnit):
    id: VarName
    label: Label
    type: ValueType
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    # Digits after the decimal point a decimal value is recorded with.
    decimals: int | None = Field(default=None, ge=0, le=6)
    required: bool = False
    codelist: Id | None = None
    show_if: Expression | None = None
    # CDISC controlled-terminology code this field carries (e.g. LBTESTCD "NEUT").
    cdisc: str | None = None
    help: Label | None = None
    oid: Oid | None = None

    @model_validator(mode="after")
    def _consistent(self) -> FieldDef:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is greater than max ({self.max:g})")
        numeric = self.type in (ValueType.INT, ValueType.DECIMAL)
        if (self.min is not None or self.max is not None) and not numeric:
            raise ValueError(f"min/max apply to int and decimal fields, not {self.type.value}")
        coded = self.type in (ValueType.CHOICE, ValueType.MULTI_CHOICE)
        if coded and self.codelist is None:
            raise ValueError(f"a {self.type.value} field needs a codelist")
        if not coded and self.codelist is not None:
            raise ValueError(f"a {self.type.value} field takes no codelist")
        if self.unit is not None and not numeric:
            raise ValueError(f"a unit applies to int and decimal fields, not {self.type.value}")
        if self.decimals is not None and self.type is not ValueType.DECIMAL:
            raise ValueError("decimals applies to decimal fields only")
        return self


class FormDef(Model):
    id: Id
    label: Label
    # A repeating form holds any number of records per visit (adverse events, lesions).
    repeating: bool = False
    fields: list[FieldDef] = Field(min_length=1)
    checks: list[EditCheck] = Field(default_factory=list)
    oid: Oid | None = None

    @property
    def resolved_oid(self) -> str:
        return self.oid or f"F.{oid_part(self.id)}"

    def field_oid(self, field: FieldDef) -> str:
        return field.oid or f"IT.{oid_part(self.id)}.{oid_part(field.id)}"

    def field(self, field_id: str) -> FieldDef | None:
        """The field with id ``field_id`` (the first, were ids repeated); ``None`` if none."""
        return by_id(self, "fields").get(field_id)


class Derivation(StrEnum):
    """Named derivations implemented by ``hipectrial.clinical`` (not CEL: they need units,
    rounding and tables). The protocol names the function and its inputs; the clinical
    engine computes it."""

    AGE_YEARS = "age_in_years"
    BSA = "body_surface_area"
    CRCL = "creatinine_clearance"
    # The input's value at this visit minus the participant's baseline value (the last
    # one recorded before the first study treatment), in the input's unit; e.g. the LVEF
    # fall behind trastuzumab's hold rule.
    CHANGE_FROM_BASELINE = "change_from_baseline"


class DerivedVariable(HasUnit):
    """A variable computed from recorded values, by a CEL expression or a named derivation."""

    id: VarName
    label: Label
    type: ValueType
    unit: str | None = None
    expression: Expression | None = None
    derivation: Derivation | None = None
    # Inputs of a named derivation, by variable name.
    inputs: list[VarName] = Field(default_factory=list)
    description: Text | None = None

    @model_validator(mode="after")
    def _one_source(self) -> DerivedVariable:
        if (self.expression is None) == (self.derivation is None):
            raise ValueError("give exactly one of 'expression' and 'derivation'")
        if self.derivation is not None and not self.inputs:
            raise ValueError("a named derivation lists its 'inputs'")
        if self.expression is not None and self.inputs:
            raise ValueError("'inputs' go with a named derivation; an expression names its own")
        return self
