"""The regimen: agents and their dose rules, treatment phases, HIPEC, dose levels,
the dose-finding design and the dose-modification rules.

The model states the rules; ``hipectrial.clinical`` applies them.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import Field, PositiveInt, model_validator

from hipectrial.errors import InputError
from hipectrial.protocol.common import Id, Label, Model, Text, VarName
from hipectrial.protocol.expressions import Expression
from hipectrial.protocol.phase_stop import PhaseUntil


class DoseBasis(StrEnum):
    FIXED = "fixed"  # mg
    PER_BSA = "per_bsa"  # mg/m2
    PER_WEIGHT = "per_weight"  # mg/kg
    BSA_BANDS = "bsa_bands"  # a fixed amount chosen by the participant's BSA
    DOSE_LEVEL = "dose_level"  # mg/m2 taken from the participant's dose level


BASIS_UNIT = {
    DoseBasis.FIXED: "mg",
    DoseBasis.PER_BSA: "mg/m2",
    DoseBasis.PER_WEIGHT: "mg/kg",
    DoseBasis.BSA_BANDS: "mg",
}


class RoundingMode(StrEnum):
    HALF_UP = "half_up"
    HALF_EVEN = "half_even"
    DOWN = "down"


class Rounding(Model):
    """Round the computed amount to a multiple of ``step`` (in ``unit``)."""

    step: Decimal = Field(gt=0)
    unit: Literal["mg"] = "mg"
    mode: RoundingMode = RoundingMode.HALF_UP


class BsaBand(Model):
    """``amount`` applies when ``min_m2 <= BSA < max_m2`` (lower bound inclusive)."""

    min_m2: Decimal | None = None
    max_m2: Decimal | None = None
    amount: Decimal = Field(gt=0)


class LoadingDose(Model):
    """A first dose different from the maintenance dose."""

    amount: Decimal = Field(gt=0)
    # Give the loading dose again when a dose is given more than this many days late.
    reload_if_late_days: PositiveInt | None = None


class Cap(Model):
    amount: Decimal = Field(gt=0)
    unit: Literal["mg", "m2"]


class DoseRule(Model):
    basis: DoseBasis
    amount: Decimal | None = Field(default=None, gt=0)
    unit: str
    bands: list[BsaBand] = Field(default_factory=list)
    loading: LoadingDose | None = None
    rounding: Rounding | None = None
    # Unit strengths available (capsules, vials) in mg; the dose is made of these.
    strengths_mg: list[Decimal] = Field(default_factory=list)
    cap: Cap | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DoseRule:
        if self.basis is DoseBasis.DOSE_LEVEL:
            if self.unit != "mg/m2":
                raise ValueError("a dose-level dose is given in mg/m2")
            if self.amount is not None or self.bands:
                raise ValueError("a dose-level dose takes its amount from the dose levels")
            return self
        expected = BASIS_UNIT[self.basis]
        if self.unit != expected:
            raise ValueError(f"a {self.basis.value} dose is in {expected}, not {self.unit!r}")
        if self.basis is DoseBasis.BSA_BANDS:
            if not self.bands or self.amount is not None:
                raise ValueError("a bsa_bands dose lists 'bands' and no single 'amount'")
            _check_bands(self.bands)
        elif self.amount is None or self.bands:
            raise ValueError(f"a {self.basis.value} dose has an 'amount' and no 'bands'")
        return self


def _check_bands(bands: list[BsaBand]) -> None:
    """Bands must start open below, end open above, and meet without gap or overlap."""
    if bands[0].min_m2 is not None:
        raise ValueError("the first BSA band must have no lower bound (min_m2 omitted)")
    if bands[-1].max_m2 is not None:
        raise ValueError("the last BSA band must have no upper bound (max_m2 omitted)")
    for i, (low, high) in enumerate(itertools.pairwise(bands)):
        if low.max_m2 is None or high.min_m2 is None or low.max_m2 != high.min_m2:
            raise ValueError(
                f"BSA bands {i} and {i + 1} must meet: band {i} max_m2 {low.max_m2} "
                f"!= band {i + 1} min_m2 {high.min_m2}"
            )
        if not (high.min_m2 < (high.max_m2 if high.max_m2 is not None else Decimal("Infinity"))):
            raise ValueError(f"BSA band {i + 1} is empty")


class AgentSchedule(Model):
    """When in a cycle the agent is given."""

    days: list[PositiveInt] = Field(min_length=1)
    times_per_day: PositiveInt = 1
    infusion_minutes: PositiveInt | None = None


class DoseReduction(Model):
    """Permanent dose reduction: a ladder of amounts from the highest start dose down.

    A participant starts at the rung equal to their start dose; each reduction moves one
    rung down. After ``max_reductions`` reductions, or when no rung is left, a further
    reduction stops the agent.
    """

    ladder: list[Decimal] = Field(min_length=2)
    unit: str
    max_reductions: PositiveInt

    @model_validator(mode="after")
    def _descending(self) -> DoseReduction:
        for a, b in itertools.pairwise(self.ladder):
            if not a > b:
                raise ValueError(f"ladder must be strictly decreasing; {a} is followed by {b}")
        return self


class Agent(Model):
    id: Id
    name: Text
    agent_class: Text = Field(alias="class")
    route: Literal["IV", "oral", "intraperitoneal", "subcutaneous"]
    # The dosage form given, as a CDISC Dosage Form (FRM, C66726) submission value, e.g.
    # CAPSULE or INJECTION (SDTM EXDOSFRM); omitted when the protocol does not say.
    dosage_form: Text | None = None
    # Cohorts that receive the agent; omitted = every cohort.
    cohorts: list[Id] | None = None
    dose: DoseRule
    # When in a cycle it is given; omitted for agents given only during HIPEC sessions.
    schedule: AgentSchedule | None = None
    reduction: DoseReduction | None = None
    # Agents with no dose levels can only be held or stopped (antibodies).
    reducible: bool = True

    @model_validator(mode="after")
    def _reduction(self) -> Agent:
        if not self.reducible and self.reduction is not None:
            raise ValueError("an agent with reducible: false has no 'reduction' ladder")
        if self.reduction is not None and self.reduction.unit != self.dose.unit:
            raise ValueError(
                f"reduction ladder unit {self.reduction.unit!r} differs from dose unit "
                f"{self.dose.unit!r}"
            )
        return self


class Anchor(StrEnum):
    """Events that visit days and phase starts are counted from."""

    REGISTRATION = "registration"
    HIPEC = "hipec"  # day 0: diagnostic laparoscopy + HIPEC
    CYCLE_START = "cycle_start"  # day 1 of a cycle
    SURGERY = "surgery"
    END_OF_TREATMENT = "end_of_treatment"
    LAST_DOSE = "last_dose"
    EVENT = "event"  # unscheduled: a form filled when something happens


class Timing(Model):
    """A target day counted from an anchor event, with its window.

    Days count as clinicians write them. For ``cycle_start`` the cycle's first day is day 1
    ("cycle 3 day 1"; day 36 is 35 days after it) and there is no day 0. For every other
    anchor the event itself is day 0 (HIPEC is "day 0"; day 21 is 21 days after it).
    The window is ``[day - window_before, day + window_after]``.
    """

    anchor: Anchor
    # For cycle_start: which cycle of which phase.
    phase: Id | None = None
    cycle: PositiveInt | None = None
    day: int
    window_before: int = Field(default=0, ge=0)
    window_after: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _no_cycle_day_zero(self) -> Timing:
        if self.anchor is Anchor.CYCLE_START and self.day == 0:
            raise ValueError(
                "cycle days count from 1 (day 1 is the cycle start; the day before is day -1); "
                "there is no day 0"
            )
        return self

    def offset_days(self, day: int | None = None) -> int:
        """Days from the anchor date to ``day`` (default: this timing's day), in this timing's
        day count: for ``cycle_start`` day ``d >= 1`` is ``d - 1`` days after day 1 and day
        ``-d`` is ``d`` days before it (there is no day 0); for any other anchor day ``d`` is
        ``d`` days after the event.

        Examples
        --------
        >>> Timing(anchor="cycle_start", phase="induction", cycle=1, day=21).offset_days()
        20
        >>> Timing(anchor="cycle_start", phase="induction", cycle=1, day=1).offset_days(-1)
        -1
        >>> Timing(anchor="hipec", day=21).offset_days()
        21
        """
        day = self.day if day is None else day
        if self.anchor is Anchor.CYCLE_START and day == 0:
            raise InputError("day", day, "a cycle day other than 0", "day 1 is the cycle start")
        return day - 1 if self.anchor is Anchor.CYCLE_START and day > 0 else day


class Phase(Model):
    """A treatment phase: cycles of some agents."""

    id: Id
    label: Label
    agents: list[Id] = Field(min_length=1)
    cycle_length_days: PositiveInt
    # Fixed number of cycles, or None with ``until`` stating the stop rule.
    cycles: PositiveInt | None = None
    until: PhaseUntil | None = None
    start: Timing
    # Applies only to participants in this branch after re-evaluation.
    branch: Literal["all", "operated", "not_operated"] = "all"

    def last_day_offset(self) -> int:
        """Days from a cycle's day 1 to its last day (day ``cycle_length_days``), by the
        cycle-day convention of :meth:`Timing.offset_days`.

        >>> Phase(id="x", label={"en": "X", "zh": "X"}, agents=["a"], cycle_length_days=21, cycles=3,
        ...       start=Timing(anchor="hipec", day=21)).last_day_offset()
        20
        """
        return Timing(anchor=Anchor.CYCLE_START, phase=self.id, cycle=1,
                      day=self.cycle_length_days).offset_days()

    @model_validator(mode="after")
    def _stop(self) -> Phase:
        if self.cycles is None and self.until is None:
            raise ValueError("a phase gives 'cycles' or 'until'")
        return self


class Perfusion(Model):
    carrier: Text
    volume_ml: PositiveInt
    inflow_temperature_c: Decimal
    temperature_tolerance_c: Decimal = Field(ge=0)
    duration_min: PositiveInt
    flow_ml_min_min: PositiveInt
    flow_ml_min_max: PositiveInt

    @model_validator(mode="after")
    def _ranges(self) -> Perfusion:
        if not Decimal(39) <= self.inflow_temperature_c <= Decimal(45):
            raise ValueError(
                f"inflow_temperature_c must be in [39, 45] degC; got {self.inflow_temperature_c}"
            )
        if self.flow_ml_min_min > self.flow_ml_min_max:
            raise ValueError("flow_ml_min_min is greater than flow_ml_min_max")
        return self


class HipecSession(Model):
    id: Id
    label: Label
    timing: Anchor
    approach: Literal["laparoscopic", "open"]


class Hipec(Model):
    agents: list[Id] = Field(min_length=1)
    perfusion: Perfusion
    sessions: list[HipecSession] = Field(min_length=1)


class DoseLevel(Model):
    id: str = Field(pattern=r"^-?[0-9]+$")
    doses: dict[Id, Decimal]
    unit: str = "mg/m2"


class DltWindow(Model):
    start: Anchor
    end: Timing


class DltCriterion(Model):
    id: Id
    text: Text


class Dlt(Model):
    window: DltWindow
    criteria: list[DltCriterion] = Field(min_length=1)
    evaluable: Text


class BoinSettings(Model):
    method: Literal["boin"]
    target: float = Field(gt=0, lt=1)
    phi1: float = Field(gt=0, lt=1)
    phi2: float = Field(gt=0, lt=1)
    cohort_size: PositiveInt
    max_cohorts: PositiveInt
    max_n: PositiveInt
    stop_n_at_dose: PositiveInt
    elimination_cutoff: float = Field(gt=0, lt=1)
    minimum_for_elimination: PositiveInt = 3
    # How boundaries are counted where n x lambda is a whole number (hipectrial.design.boin,
    # BoundaryConvention): R BOIN 2.7.2 when omitted. It matters only when phi2 = 1 - target
    # (or phi1 = 1 - target); the seed protocol's boundaries are the same under both.
    boundary_convention: Literal["boin-2.7.2", "paper"] = "boin-2.7.2"

    @model_validator(mode="after")
    def _order(self) -> BoinSettings:
        if not self.phi1 < self.target < self.phi2:
            raise ValueError(
                f"BOIN needs phi1 < target < phi2; got {self.phi1} < {self.target} < {self.phi2}"
            )
        if self.max_n != self.cohort_size * self.max_cohorts:
            raise ValueError(
                f"max_n ({self.max_n}) must equal cohort_size x max_cohorts "
                f"({self.cohort_size * self.max_cohorts})"
            )
        return self


class DoseFinding(Model):
    """Part A: the explored component(s), their levels (lowest first) and the design."""

    explored_agents: list[Id] = Field(min_length=1)
    levels: list[DoseLevel] = Field(min_length=1)
    start_level: str
    design: BoinSettings
    dlt: Dlt


class ActionKind(StrEnum):
    GIVE = "give"  # full dose, as planned
    DELAY = "delay"  # hold until the resume criteria hold, then the same dose
    REDUCE = "reduce"  # n levels down (permanent)
    HOLD = "hold"  # withhold within the cycle (e.g. S-1 for the rest of the cycle)
    DISCONTINUE = "discontinue"


class ModificationAction(Model):
    action: ActionKind
    levels: PositiveInt | None = None

    @model_validator(mode="after")
    def _levels(self) -> ModificationAction:
        if (self.action is ActionKind.REDUCE) != (self.levels is not None):
            raise ValueError("'levels' is given with action reduce, and only then")
        return self


class Occurrence(StrEnum):
    ANY = "any"
    FIRST = "first"
    RECURRENT = "recurrent"


class Condition(Model):
    """What triggers a rule: a CTCAE term at a grade, or a lab value against its limit."""

    ctcae_term: Text | None = None
    grade_min: int | None = Field(default=None, ge=1, le=5)
    grade_max: int | None = Field(default=None, ge=1, le=5)
    occurrence: Occurrence = Occurrence.ANY
    # Extra qualifiers a clinician records (e.g. "febrile", "with bleeding", "persisting").
    qualifier: Text | None = None
    # The lab (or derived) variable a lab condition is about, named for screens and audit.
    lab: VarName | None = None
    # A lab condition: a CEL expression over lab and derived variables.
    expression: Expression | None = None

    @model_validator(mode="after")
    def _shape(self) -> Condition:
        if (self.ctcae_term is None) == (self.expression is None):
            raise ValueError("a condition names a ctcae_term or gives a lab 'expression'")
        if self.ctcae_term is not None and self.grade_min is None:
            raise ValueError("a CTCAE condition gives grade_min")
        if self.grade_min and self.grade_max and self.grade_min > self.grade_max:
            raise ValueError(f"grade_min {self.grade_min} > grade_max {self.grade_max}")
        return self


class ModificationRule(Model):
    id: Id
    category: Literal[
        "haematological", "gastrointestinal", "skin", "neurological", "hepatic", "renal",
        "immune-related", "cardiac", "hypersensitivity", "other",
    ]
    when: Condition
    actions: dict[Id, ModificationAction] = Field(min_length=1)
    # Only the agents the event is attributed to are modified.
    by_attribution: bool = True
    resume: Text | None = None
    source: Text


class Retreatment(Model):
    """Day-1 criteria: all must hold, else delay and re-check."""

    criteria: list[RetreatmentCriterion] = Field(min_length=1)
    delay_days: PositiveInt
    max_delay_days: PositiveInt
    # The day-1 labs must be taken at most this many hours before dosing (the seed: 72).
    labs_within_hours: PositiveInt
    # What happens when the delay exceeds max_delay_days.
    on_max_delay: Literal["discontinue_responsible_agent"] = "discontinue_responsible_agent"


class RetreatmentCriterion(Model):
    id: Id
    text: Text
    expression: Expression


class BsaSettings(Model):
    """How body-surface area is computed from the height and weight of one visit."""

    method: Literal["mosteller", "dubois"]
    decimals: int = Field(ge=0, le=4)
    rounding: RoundingMode
    # Largest BSA used for dosing; None = no cap.
    cap_m2: Decimal | None = Field(default=None, gt=0)


class CrclSettings(Model):
    """Creatinine clearance for renal dose rules and eligibility."""

    formula: Literal["cockcroft_gault"]
    weight: Literal["actual"]
    female_factor: Decimal = Field(gt=0, le=1)
    # Serum creatinine umol/L -> mg/dL: divide by this.
    creatinine_umol_per_mg_dl: Decimal = Field(gt=0)
    # Digits the clearance is rounded to (half up) before it is shown or compared.
    decimals: int = Field(ge=0, le=3)


class DoseCalculation(Model):
    bsa: BsaSettings
    crcl: CrclSettings
    # Recalculate doses when weight changed by at least this much from the dosing weight.
    recalculate_weight_change_percent: Decimal = Field(gt=0, lt=100)
    # A dose given that differs from the prescribed dose by more than this is a deviation.
    dose_tolerance_percent: Decimal = Field(ge=0, lt=100)


class DoseModifications(Model):
    retreatment: Retreatment
    rules: list[ModificationRule] = Field(min_length=1)
    # When several rules fire for one agent, the safer action wins, in this order.
    precedence: list[ActionKind] = Field(
        default=[ActionKind.DISCONTINUE, ActionKind.REDUCE, ActionKind.DELAY,
                 ActionKind.HOLD, ActionKind.GIVE]
    )


Retreatment.model_rebuild()
