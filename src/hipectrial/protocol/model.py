"""The protocol: one pydantic model of the whole trial, read from one YAML file."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Literal

from pydantic import Field, PositiveInt

from hipectrial.protocol.common import Id, Label, Model, Text, by_id, lookup
from hipectrial.protocol.endpoints import Endpoint, ResponseAssessment, Statistics
from hipectrial.protocol.expressions import Expression, ValueType, Variable
from hipectrial.protocol.forms import CodeList, DerivedVariable, FieldDef, FormDef
from hipectrial.protocol.regimen import (
    Agent,
    DoseCalculation,
    DoseFinding,
    DoseModifications,
    Hipec,
    Phase,
)
from hipectrial.protocol.schedule import Visit
from hipectrial.protocol.scope import Scope

SCHEMA_VERSION = 1


class Study(Model):
    id: Id
    short_title: Text
    full_title: Text
    phase: Literal["1", "1/2", "2", "2/3", "3"]
    design_summary: Text
    version: Text
    date: dt.date
    registry_id: Text | None = None
    multicenter: bool
    masking: Literal["open_label", "single_blind", "double_blind"]
    conditions: list[Text] = Field(default_factory=list)


class Cohort(Model):
    id: Id
    label: Label
    # CEL: true for the participants this cohort takes. Exactly one cohort must hold.
    rule: Expression


class EligibilityCriterion(Model):
    id: Id
    kind: Literal["inclusion", "exclusion"]
    text: Label
    # Inclusion: must be true. Exclusion: true excludes the participant.
    expression: Expression
    # Cohorts the criterion applies to; omitted = all.
    cohorts: list[Id] | None = None


class DataManagement(Model):
    """How data entry is judged: a record entered more than ``entry_within_days`` after the
    visit or event it records is late (the DSMB report's data currency)."""

    entry_within_days: PositiveInt


class Protocol(Model):
    """A whole trial protocol. Build it with :func:`hipectrial.protocol.load_protocol`."""

    schema_version: Literal[1]
    study: Study
    cohorts: list[Cohort] = Field(min_length=1)
    codelists: list[CodeList] = Field(default_factory=list)
    forms: list[FormDef] = Field(min_length=1)
    variables: list[DerivedVariable] = Field(default_factory=list)
    agents: list[Agent] = Field(min_length=1)
    phases: list[Phase] = Field(min_length=1)
    hipec: Hipec
    dose_calculation: DoseCalculation
    dose_finding: DoseFinding
    dose_modifications: DoseModifications
    eligibility: list[EligibilityCriterion] = Field(min_length=1)
    visits: list[Visit] = Field(min_length=1)
    endpoints: list[Endpoint] = Field(min_length=1)
    response_assessment: ResponseAssessment
    statistics: Statistics
    data_management: DataManagement | None = None

    # -- look-ups -------------------------------------------------------------------------

    # Look-ups by id are dict look-ups built once per protocol (see ``common.lookup`` for
    # why they cannot go stale); a repeated id finds its first holder, as a scan would.

    def form(self, form_id: str) -> FormDef:
        """The form with id ``form_id``; ``KeyError`` if there is none."""
        found: FormDef = by_id(self, "forms")[form_id]
        return found

    def field(self, field_id: str) -> tuple[FormDef, FieldDef]:
        """The form and field that define variable ``field_id``; ``KeyError`` if none."""
        def build() -> dict[str, tuple[FormDef, FieldDef]]:
            table: dict[str, tuple[FormDef, FieldDef]] = {}
            for form in self.forms:
                for f in form.fields:
                    table.setdefault(f.id, (form, f))
            return table

        found: tuple[FormDef, FieldDef] = lookup(self, "_fields_by_id", self.forms, build)[field_id]
        return found

    def codelist(self, codelist_id: str) -> CodeList:
        found: CodeList = by_id(self, "codelists")[codelist_id]
        return found

    def agent(self, agent_id: str) -> Agent:
        found: Agent = by_id(self, "agents")[agent_id]
        return found

    def visit(self, visit_id: str) -> Visit:
        found: Visit = by_id(self, "visits")[visit_id]
        return found

    def phase(self, phase_id: str) -> Phase:
        found: Phase = by_id(self, "phases")[phase_id]
        return found

    def agents_for(self, cohort_id: str) -> list[Agent]:
        """The agents a cohort receives, in protocol order."""
        return [a for a in self.agents if a.cohorts is None or cohort_id in a.cohorts]

    def visits_for(self, cohort_id: str) -> list[Visit]:
        return [v for v in self.visits if v.cohorts is None or cohort_id in v.cohorts]

    # -- expressions ----------------------------------------------------------------------

    @cached_property
    def scope(self) -> Scope:
        """Every variable expressions may use: each CRF field and each derived variable."""
        known_codes = {c.id: c.codes for c in self.codelists}
        variables: list[Variable] = []
        for form in self.forms:
            for f in form.fields:
                codes = known_codes.get(f.codelist, ()) if f.codelist else ()
                variables.append(Variable(f.id, f.type, f.unit, codes, f.min, f.max))
        for d in self.variables:
            variables.append(Variable(d.id, d.type, d.unit))
        return Scope(variables)

    def expressions(self) -> list[tuple[tuple[str | int, ...], Expression, bool]]:
        """Every expression in the protocol with its path and whether it must be boolean."""
        found: list[tuple[tuple[str | int, ...], Expression, bool]] = []
        for i, cohort in enumerate(self.cohorts):
            found.append((("cohorts", i, "rule"), cohort.rule, True))
        for i, form in enumerate(self.forms):
            for j, f in enumerate(form.fields):
                if f.show_if is not None:
                    found.append((("forms", i, "fields", j, "show_if"), f.show_if, True))
            for j, check in enumerate(form.checks):
                found.append((("forms", i, "checks", j, "expression"), check.expression, True))
        for i, d in enumerate(self.variables):
            if d.expression is not None:
                found.append((("variables", i, "expression"), d.expression, d.type is ValueType.BOOLEAN))
        for i, criterion in enumerate(self.eligibility):
            found.append((("eligibility", i, "expression"), criterion.expression, True))
        retreatment = self.dose_modifications.retreatment
        for i, rc in enumerate(retreatment.criteria):
            found.append(
                (("dose_modifications", "retreatment", "criteria", i, "expression"),
                 rc.expression, True)
            )
        for i, rule in enumerate(self.dose_modifications.rules):
            if rule.when.expression is not None:
                found.append(
                    (("dose_modifications", "rules", i, "when", "expression"),
                     rule.when.expression, True)
                )
        return found
