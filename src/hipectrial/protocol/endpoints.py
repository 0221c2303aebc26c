"""Endpoints and the statistical design of the primary endpoint and safety monitoring."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, PositiveInt, model_validator

from hipectrial.protocol.common import Id, Label, Model, Text
from hipectrial.protocol.regimen import Anchor


class EndpointKind(StrEnum):
    BINARY = "binary"
    TIME_TO_EVENT = "time_to_event"
    COUNT = "count"
    CONTINUOUS = "continuous"
    CATEGORICAL = "categorical"


class Population(StrEnum):
    """Analysis sets. ``itt``: registered and received HIPEC; ``safety``: any study
    treatment; ``per_protocol``: ITT without major deviations; ``operated``: had conversion
    surgery; ``measurable``: measurable disease at baseline (RECIST 1.1);
    ``dlt_evaluable``: Part A participants evaluable for DLT; ``cy1_baseline``: positive
    cytology at the first look."""

    ITT = "itt"
    SAFETY = "safety"
    PER_PROTOCOL = "per_protocol"
    OPERATED = "operated"
    MEASURABLE = "measurable"
    DLT_EVALUABLE = "dlt_evaluable"
    CY1_BASELINE = "cy1_baseline"


class Censoring(StrEnum):
    """Censoring rules for time-to-event endpoints (clinical.md §6)."""

    LAST_KNOWN_ALIVE = "last_known_alive"
    FDA_PFS = "fda_pfs"


class Derivation(StrEnum):
    """Named endpoint derivations implemented by ``hipectrial.analysis``."""

    R0_RESECTION = "r0_resection"
    CONVERSION_SURGERY = "conversion_surgery"
    CONFIRMED_OBJECTIVE_RESPONSE = "confirmed_objective_response"
    DISEASE_CONTROL = "disease_control"
    PCI_CHANGE = "pci_change"
    CYTOLOGY_CONVERSION = "cytology_conversion"
    PATHOLOGICAL_COMPLETE_RESPONSE = "pathological_complete_response"
    TUMOUR_REGRESSION_GRADE = "tumour_regression_grade"
    PROGRESSION_FREE_SURVIVAL = "progression_free_survival"
    OVERALL_SURVIVAL = "overall_survival"
    SURVIVAL_AT = "survival_at"
    ADVERSE_EVENTS = "adverse_events"
    SURGICAL_MORBIDITY = "surgical_morbidity"
    MORTALITY_AT = "mortality_at"
    DLT_RATE = "dlt_rate"


class Endpoint(Model):
    id: Id
    name: Label
    role: Literal["primary", "secondary", "exploratory"]
    kind: EndpointKind
    population: Population
    # Further populations the endpoint is also reported in.
    also_reported_in: list[Population] = Field(default_factory=list)
    derivation: Derivation
    definition: Text
    # Time-to-event: origin and censoring; "at" endpoints: the time point in days.
    origin: Anchor | None = None
    censoring: Censoring | None = None
    at_days: PositiveInt | None = None

    @model_validator(mode="after")
    def _tte(self) -> Endpoint:
        if self.kind is EndpointKind.TIME_TO_EVENT:
            if self.origin is None or self.censoring is None:
                raise ValueError("a time_to_event endpoint gives 'origin' and 'censoring'")
        elif self.censoring is not None:
            raise ValueError(f"'censoring' applies to time_to_event endpoints, not {self.kind}")
        return self


class ResponseAssessment(Model):
    """How tumour response is judged for the response endpoints (RECIST 1.1)."""

    criteria: Literal["recist_1_1"]
    # CR/PR count only when a repeat assessment at least this many days later confirms them.
    confirmation_days: PositiveInt
    # SD counts only when documented at least this many days after ``sd_reference``.
    sd_minimum_days: PositiveInt
    sd_reference: Anchor
    # Assessments on or after this event (or new anticancer therapy) leave the window.
    window_ends_at: Anchor


class SimonStage(Model):
    """Stop (stage 1) or fail (end) when responses <= r among n."""

    n: PositiveInt
    r: int = Field(ge=0)


class SimonSettings(Model):
    method: Literal["simon_two_stage"]
    endpoint: Id
    variant: Literal["optimal", "minimax"]
    p0: float = Field(gt=0, lt=1)
    p1: float = Field(gt=0, lt=1)
    alpha: float = Field(gt=0, lt=1)
    power: float = Field(gt=0, lt=1)
    stage1: SimonStage
    total: SimonStage
    # Participants to enrol to reach ``total.n`` evaluable ones.
    enrol: PositiveInt

    @model_validator(mode="after")
    def _consistent(self) -> SimonSettings:
        if not self.p0 < self.p1:
            raise ValueError(f"p1 must exceed p0; got p0={self.p0}, p1={self.p1}")
        if not self.stage1.n < self.total.n:
            raise ValueError("stage1.n must be smaller than total.n")
        if not self.stage1.r < self.total.r:
            raise ValueError("stage1.r must be smaller than total.r")
        if self.enrol < self.total.n:
            raise ValueError(f"enrol ({self.enrol}) is smaller than total.n ({self.total.n})")
        return self


class SafetyMonitoring(Model):
    """Bayesian beta-binomial stopping rule for excess severe toxicity."""

    event: Text
    threshold: float = Field(gt=0, lt=1)
    posterior_cutoff: float = Field(gt=0, lt=1)
    prior_a: float = Field(gt=0)
    prior_b: float = Field(gt=0)
    every_n: PositiveInt


class Statistics(Model):
    primary: SimonSettings
    safety_monitoring: SafetyMonitoring | None = None
    notes: Label | None = None
