"""The per-participant part of a simulation scenario: how one registered participant's
course unfolds (toxicity, response, surgery, survival, data imperfections).

A scenario file embeds these parameters under the key ``course:`` and states every one
of them (there are no code defaults, so no value hides in the code). Rates are per systemic
cycle (of the length the protocol gives), hazards per month (30.4375 days); probabilities
lie in [0, 1] and grouped probabilities (grade 1-4 of one AE, the four RECIST categories…)
must not sum to more than 1 — what is left is the probability of "none" (no AE, no
complication…), except where a group must sum to exactly 1 (RECIST response, Becker TRG,
PCI change), which is said in the field.

Example
-------
>>> from hipectrial.simulate import load_scenario
>>> params = load_scenario("default").course
>>> params.response.pr, params.dropout_monthly_hazard
(0.5, 0.005)
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Hazard = Annotated[float, Field(ge=0.0)]

_CLAVIEN_DINDO = ("I", "II", "IIIa", "IIIb", "IVa", "IVb", "V")
_BECKER = ("1a", "1b", "2", "3")
_TOLERANCE = 1e-9


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _at_most_one(name: str, values: list[float]) -> None:
    total = sum(values)
    if total > 1.0 + _TOLERANCE:
        raise ValueError(f"{name} probabilities sum to {total:g}; they must sum to at most 1")


def _exactly_one(name: str, values: list[float]) -> None:
    total = sum(values)
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"{name} probabilities sum to {total:g}; they must sum to 1")


class AdverseEventRate(_Model):
    """One CTCAE v5.0 term drawn independently in every systemic cycle.

    ``grade_probabilities`` maps grades 1-4 to the probability that the term's worst grade
    in one cycle is that grade (mutually exclusive; the rest is "not seen this cycle").
    Haematological and hepatic terms (``Neutrophil count decreased``, ``Platelet count
    decreased``, ``Anemia``, ``Alanine aminotransferase increased``, ``Aspartate
    aminotransferase increased``, ``Blood bilirubin increased``) are also written as lab
    values that grade to the drawn grade.
    """

    term: str = Field(min_length=1, description="CTCAE v5.0 term, e.g. 'Diarrhea'")
    grade_probabilities: dict[int, Probability] = Field(
        description="grade (1-4) -> probability per cycle, mutually exclusive")
    attributed_to: tuple[str, ...] = Field(
        description="agent ids the event is at least possibly related to")
    immune_related: bool = Field(description="an immune-related AE (irAE)")
    serious_if_grade_at_least: int = Field(
        ge=1, le=5, description="the event is serious (SAE) at this grade or above")
    duration_days: int = Field(ge=1, le=365, description="mean duration (days) of one episode")
    unrelated_probability: Probability = Field(
        description="share of episodes the investigator judges unrelated to every study agent")
    unlikely_probability: Probability = Field(
        description="share of episodes judged unlikely related to every study agent (the rest "
        "are possible or probable)")
    sequelae_probability: Probability = Field(
        description="share of resolved episodes that resolve with sequelae")

    @field_validator("grade_probabilities")
    @classmethod
    def _grades(cls, value: dict[int, float]) -> dict[int, float]:
        for grade in value:
            if grade not in (1, 2, 3, 4):
                raise ValueError(f"grade {grade} is not a CTCAE grade 1-4 (grade 5 is death)")
        _at_most_one("grade", list(value.values()))
        return value

    @model_validator(mode="after")
    def _attribution(self) -> AdverseEventRate:
        _at_most_one("attribution (unrelated + unlikely)",
                     [self.unrelated_probability, self.unlikely_probability])
        return self


class ClavienDindoRates(_Model):
    """Probability of the worst complication of one operation by Clavien-Dindo grade
    (mutually exclusive; the rest is "no complication"). Grade V (death) is not here: it is
    ``postoperative_death_probability`` of the operation."""

    I: Probability  # noqa: E741 - the grade's own name
    II: Probability
    IIIa: Probability
    IIIb: Probability
    IVa: Probability
    IVb: Probability

    @model_validator(mode="after")
    def _sum(self) -> ClavienDindoRates:
        _at_most_one("Clavien-Dindo", [getattr(self, g) for g in _CLAVIEN_DINDO[:-1]])
        return self

    def items(self) -> tuple[tuple[str, float], ...]:
        """(grade code, probability) in order of severity."""
        return tuple((g, float(getattr(self, g))) for g in _CLAVIEN_DINDO[:-1])


class OperationRisk(_Model):
    """Complications and death after one kind of operation."""

    complications: ClavienDindoRates
    postoperative_death_probability: Probability = Field(
        description="death within 30 days of the operation from a complication")
    fatal_ae_term: str = Field(min_length=1, description="CTCAE v5.0 term of the grade-5 adverse "
                               "event a post-operative death is recorded as")
    fatal_ae_related_probability: Probability = Field(
        description="the fatal complication is judged at least possibly related to the HIPEC "
        "agent (else unlikely related)")


class ResponseRates(_Model):
    """RECIST 1.1 overall response at re-evaluation (after induction cycle 3); must sum to 1.

    Participants without measurable disease (non-target lesions only) read ``pr`` and
    ``sd`` as non-CR/non-PD."""

    cr: Probability
    pr: Probability
    sd: Probability
    pd: Probability

    @model_validator(mode="after")
    def _sum(self) -> ResponseRates:
        _exactly_one("response", [self.cr, self.pr, self.sd, self.pd])
        return self


class PciChange(_Model):
    """One outcome of the PCI change first -> second look: total PCI + ``delta``."""

    delta: int = Field(ge=-39, le=39, description="change of the PCI total (points)")
    probability: Probability


class PciBand(_Model):
    """A probability that applies when the second-look PCI total is at most ``max_pci``."""

    max_pci: int = Field(ge=0, le=39)
    probability: Probability


class HazardPiece(_Model):
    """A constant monthly hazard from ``from_day`` (days since registration) until the next
    piece starts."""

    from_day: int = Field(ge=0)
    monthly_hazard: Hazard


def _pieces(name: str, value: tuple[HazardPiece, ...]) -> tuple[HazardPiece, ...]:
    if not value or value[0].from_day != 0:
        raise ValueError(f"{name} must start with a piece from_day 0")
    days = [p.from_day for p in value]
    if days != sorted(days) or len(set(days)) != len(days):
        raise ValueError(f"{name} pieces must be in strictly increasing from_day order; got {days}")
    return value


class DltEvent(_Model):
    """One kind of DLT-qualifying event (PD §DLT) and its share among DLTs."""

    term: str = Field(min_length=1, description="CTCAE v5.0 term")
    grade: int = Field(ge=3, le=4)
    weight: Annotated[float, Field(gt=0.0)]
    attributed_to: tuple[str, ...] = Field(min_length=1)


class CourseParameters(_Model):
    """How one registered participant's course unfolds; see the module docstring."""

    # -- toxicity ------------------------------------------------------------------------
    adverse_events: tuple[AdverseEventRate, ...] = Field(
        description="AE terms drawn in every systemic cycle")
    dlt_events: tuple[DltEvent, ...] = Field(
        min_length=1,
        description="the DLT-qualifying events a DLT is drawn from (weights need not sum to 1)")
    hipec_laparoscopy: OperationRisk = Field(
        description="day-0 diagnostic laparoscopy + HIPEC")
    conversion_surgery: OperationRisk = Field(
        description="conversion gastrectomy + cytoreduction + HIPEC")
    weight_change_probability: Probability = Field(
        description="the weight measured at a cycle differs from the previous one")
    weight_change_sd_percent: Annotated[float, Field(ge=0.0, le=20.0)] = Field(
        description="SD (% of weight) of a weight change from one cycle to the next")

    # -- response at re-evaluation ------------------------------------------------------
    measurable_disease_probability: Probability = Field(
        description="the participant has at least one RECIST target lesion")
    response: ResponseRates
    progression_at_first_ct_probability: Probability = Field(
        description="share of participants with PD (response) whose progression is already "
        "documented at the first on-treatment CT; their treatment stops there")
    second_look_pci_change: tuple[PciChange, ...] = Field(
        description="PCI change first -> second look (non-PD participants); sums to 1")
    pci_change_at_pd: int = Field(ge=0, le=39,
                                  description="PCI increase at second look when the response is PD")
    cytology_conversion_probability: Probability = Field(
        description="CY1 at day 0 becomes CY0 at second look")
    cytology_reversion_probability: Probability = Field(
        description="CY0 at day 0 becomes CY1 at second look")
    ecog_worsening_probability: Probability = Field(
        description="ECOG >= 2 at re-evaluation")

    # -- conversion surgery --------------------------------------------------------------
    surgery_probability_if_eligible: Probability = Field(
        description="operated when the protocol's conversion criteria are met")
    r0_probability: Probability = Field(
        description="R0 (negative margins, CC-0, CY0 at surgery) given surgery")
    r0_probability_by_pci: tuple[PciBand, ...] = Field(
        description="overrides r0_probability: the first band whose max_pci is at "
        "least the second-look PCI applies")
    cy1_at_surgery_probability: Probability = Field(
        description="share of non-R0 operations that fail on cytology (CY1), the "
        "rest on margins or residual disease")
    r1_probability_if_cy0: Probability = Field(
        description="R1 (microscopic margin, CC-0) among non-R0 operations with negative "
        "cytology at surgery; the rest R2 (CC-1/CC-2)")
    pcr_probability: Probability = Field(description="pCR (ypT0N0) among R0")
    becker_trg_without_pcr: dict[str, Probability] = Field(
        description="Becker TRG among operated participants without pCR; sums to 1")

    # -- progression, death, dropout -----------------------------------------------------
    progression_hazard: tuple[HazardPiece, ...] = Field(
        description="latent progression after re-evaluation (non-PD), per month")
    death_without_progression_hazard: tuple[HazardPiece, ...] = Field(
        description="death before progression, per month")
    death_without_progression_ae_share: Probability = Field(
        description="share of deaths without progression within the SAE reporting period "
        "after the last dose that are due to an adverse event (recorded at grade 5)")
    death_without_progression_treatment_related_share: Probability = Field(
        description="among those, the share at least possibly related to the systemic agents "
        "(cause treatment toxicity); the rest are unlikely related (cause other)")
    fatal_ae_terms: tuple[str, str] = Field(
        description="CTCAE v5.0 terms of those grade-5 events: (treatment-related, other)")
    post_progression_death_monthly_hazard: Hazard = Field(
        description="death after progression, per month")
    hazard_ratio_operated: Annotated[float, Field(gt=0.0)] = Field(
        description="progression and death hazards of operated, non-R0 participants")
    hazard_ratio_r0: Annotated[float, Field(gt=0.0)] = Field(
        description="progression and death hazards of R0 participants")
    dropout_monthly_hazard: Hazard = Field(
        description="withdrawal of consent or loss to follow-up, per month")
    lost_to_follow_up_share: Probability = Field(
        description="share of dropouts that are lost to follow-up (rest withdraw)")
    new_therapy_before_progression_probability: Probability = Field(
        description="new anticancer therapy before progression after stopping "
        "study treatment")
    subsequent_therapy_after_progression_probability: Probability = Field(
        description="new anticancer therapy after progression")

    # -- data imperfections --------------------------------------------------------------
    missed_visit_probability: Probability = Field(
        description="a scheduled visit (not a treatment or operation) is missed")
    late_visit_probability: Probability = Field(
        description="a visit takes place after its window")
    late_visit_days: tuple[int, int] = Field(
        description="how many days beyond the window a late visit is "
        "(uniform, inclusive)")
    missing_lab_probability: Probability = Field(description="one lab value is missing")

    @field_validator("progression_hazard")
    @classmethod
    def _progression(cls, value: tuple[HazardPiece, ...]) -> tuple[HazardPiece, ...]:
        return _pieces("progression_hazard", value)

    @field_validator("death_without_progression_hazard")
    @classmethod
    def _death(cls, value: tuple[HazardPiece, ...]) -> tuple[HazardPiece, ...]:
        return _pieces("death_without_progression_hazard", value)

    @field_validator("second_look_pci_change")
    @classmethod
    def _pci(cls, value: tuple[PciChange, ...]) -> tuple[PciChange, ...]:
        _exactly_one("second_look_pci_change", [c.probability for c in value])
        return value

    @field_validator("r0_probability_by_pci")
    @classmethod
    def _bands(cls, value: tuple[PciBand, ...]) -> tuple[PciBand, ...]:
        bounds = [b.max_pci for b in value]
        if bounds != sorted(bounds):
            raise ValueError(f"r0_probability_by_pci bands must be in increasing max_pci; got {bounds}")
        return value

    @field_validator("becker_trg_without_pcr")
    @classmethod
    def _becker(cls, value: dict[str, float]) -> dict[str, float]:
        for code in value:
            if code not in _BECKER:
                raise ValueError(f"{code!r} is not a Becker grade ({', '.join(_BECKER)})")
        _exactly_one("becker_trg_without_pcr", list(value.values()))
        return value

    @field_validator("late_visit_days")
    @classmethod
    def _late(cls, value: tuple[int, int]) -> tuple[int, int]:
        low, high = value
        if not 1 <= low <= high <= 180:
            raise ValueError(f"late_visit_days must be (low, high) with 1 <= low <= high <= 180; "
                             f"got {value}")
        return value

    def r0_probability_at(self, pci: int) -> float:
        """The probability of R0 given surgery at a second-look PCI total of ``pci``."""
        for band in self.r0_probability_by_pci:
            if pci <= band.max_pci:
                return band.probability
        return self.r0_probability
