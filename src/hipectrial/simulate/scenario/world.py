"""A simulation scenario: the world a virtual trial runs in, read from a YAML file.

A scenario says who comes to screening and when (sites, accrual rates, baseline
distributions that put a realistic share of people outside the eligibility limits), how
toxic each dose level truly is, how Part B is run and when the data are cut off, and how a
registered participant's course unfolds (``course:``, a
:class:`~hipectrial.simulate.scenario.course.CourseParameters`). The protocol is not part of
the scenario: the same scenario runs against any protocol with the same ids (dose levels,
codes), and :func:`hipectrial.simulate.simulate` checks that they match.

Shipped scenarios (``default``, ``toxic``, ``ineffective``) live in the package folder
``hipectrial/simulate/scenarios`` (the repository's ``scenarios/`` links to it); a bare name
finds them, anything else is read as a path. A file may start from another with
``extends: NAME_OR_PATH`` and give only what differs: mappings merge key by key, lists and
values replace.

>>> scenario = load_scenario("default")
>>> scenario.name, scenario_names()
('default', ('default', 'ineffective', 'toxic'))
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from hipectrial.errors import HipectrialError, Problem

# One located-error style for every YAML file we read: the protocol package's.
from hipectrial.protocol.located_yaml import LocatedYaml, read_located_yaml
from hipectrial.simulate.scenario.course import CourseParameters

__all__ = [
    "Conditions",
    "Cutoff",
    "LabSpec",
    "Labs",
    "Normal",
    "NotRegistered",
    "PartB",
    "Peritoneum",
    "Scenario",
    "ScenarioError",
    "ScreeningDays",
    "SexNormal",
    "SiteSpec",
    "load_scenario",
    "scenario_names",
    "scenarios_folder",
]

Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class ScenarioError(HipectrialError):
    """A scenario that cannot be used: every problem, each as ``file:line:column path: message``."""

    code = "scenario_invalid"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in scenario"
        super().__init__(head + ":\n" + "\n".join(str(p) for p in self.problems))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Normal(_Model):
    """A normal distribution, clipped to ``[min, max]`` where given."""

    mean: float
    sd: float = Field(ge=0.0)
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Normal:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) must not exceed max ({self.max})")
        return self


class SexNormal(_Model):
    """A normal distribution by sex."""

    male: Normal
    female: Normal


class SiteSpec(_Model):
    """A participating hospital and its screening rate."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9]{1,9}$", description="site id, e.g. SH01")
    name: str = Field(min_length=1)
    city: str = Field(min_length=1)
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    principal_investigator: str | None = None
    activation_day: int = Field(ge=0, description="days after start_date the site opens")
    screened_per_month: float = Field(gt=0.0, description="mean people consented and screened "
                                      "per month (Poisson process); 1 month = 30.4375 days")


class LabSpec(_Model):
    """A screening lab value: log-normal with ``median`` and ``sd_log`` (natural log), in the
    unit the protocol's labs field declares; ``lower``/``upper`` are the site's reference
    range. ``female_*`` override for women where the range or the distribution differs."""

    median: float = Field(gt=0.0)
    sd_log: float = Field(ge=0.0, le=3.0)
    lower: Decimal | None = None
    upper: Decimal | None = None
    female_median: float | None = Field(default=None, gt=0.0)
    female_lower: Decimal | None = None
    female_upper: Decimal | None = None


class Labs(_Model):
    """Screening labs by CDISC LBTESTCD. ``WBC`` is the sum of ``NEUT``, ``LYM`` and
    ``other_leukocytes`` (monocytes, eosinophils, basophils), so that ANC and lymphocytes
    never exceed the white-cell count."""

    NEUT: LabSpec
    LYM: LabSpec
    other_leukocytes: LabSpec
    WBC: LabSpec = Field(description="only its reference range is used; the value is a sum")
    HGB: LabSpec
    PLAT: LabSpec
    ALT: LabSpec
    AST: LabSpec
    ALP: LabSpec
    BILI: LabSpec
    CREAT: LabSpec
    K: LabSpec
    SODIUM: LabSpec
    ALB: LabSpec
    INR: LabSpec


class Peritoneum(_Model):
    """The staging laparoscopy: P status, PCI and lavage cytology."""

    p1_probability: Probability = Field(description="peritoneal deposits seen (P1); else P0")
    pci_median: float = Field(gt=0.0, description="median PCI total among P1 (log-normal)")
    pci_sd_log: float = Field(ge=0.0, le=3.0)
    cytology_positive_if_p1: Probability
    cytology_positive_if_p0: Probability
    region_weights: tuple[float, ...] = Field(
        description="relative chance of each Sugarbaker region 0-12 being involved")

    @field_validator("region_weights")
    @classmethod
    def _regions(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if len(value) != 13 or any(w <= 0 for w in value):
            raise ValueError(f"region_weights needs 13 positive weights (regions 0-12); got {len(value)}")
        return value


class Conditions(_Model):
    """Probabilities of the findings that decide the other criteria (each drawn independently)."""

    egj_primary: Probability = Field(description="oesophagogastric junction primary (Siewert II/III)")
    histology_not_confirmed: Probability
    not_adenocarcinoma: Probability
    distant_metastasis_other: Probability
    prior_systemic_advanced: Probability
    prior_adjuvant_therapy: Probability
    prior_checkpoint_inhibitor: Probability
    autoimmune_systemic_2y: Probability
    steroids_gt10mg_14d: Probability
    ild_pneumonitis: Probability
    hbv_serology_positive: Probability
    hbv_dna_over_500_if_positive: Probability
    hcv_active: Probability
    hiv_positive: Probability
    neuropathy_grade_1: Probability
    neuropathy_grade_2_or_more: Probability
    gastric_outlet_obstruction: Probability
    oral_intake_impossible_otherwise: Probability = Field(
        description="cannot take oral medication without gastric outlet obstruction")
    childbearing_potential_if_female_under_50: Probability
    pregnant_or_breastfeeding_if_childbearing: Probability
    major_surgery_28d: Probability
    other_malignancy_5y: Probability
    life_expectancy_under_3m: Probability


def _mix(value: dict[str, float]) -> dict[str, float]:
    if not value:
        raise ValueError("a mix needs at least one code")
    bad = [k for k, w in value.items() if w <= 0]
    if bad:
        raise ValueError(f"mix weights must be positive; got {bad}")
    return value


# Relative frequencies of a CRF field's codes (code -> weight; drawn in file order).
Mix = Annotated[dict[str, float], AfterValidator(_mix)]


class Tumour(_Model):
    """How the tumours of the screened people are described (CRF diagnosis and biomarkers)."""

    her2_positive_ihc3: Probability = Field(
        description="IHC 3+ among HER2-positive people (the rest IHC 2+ with ISH >= 2.0)")
    her2_negative_ihc: Mix = Field(description="IHC score among HER2-negative people")
    histology: Mix = Field(description="histology among confirmed adenocarcinomas")
    lauren: Mix
    ascites: Mix = Field(description="ascites at baseline")
    egj_siewert: Mix = Field(description="Siewert type among oesophagogastric-junction primaries")
    distant_metastasis_sites: Mix = Field(
        description="site of the distant (non-peritoneal) metastasis of people who have one")


class Baseline(_Model):
    """Who the screened people are."""

    age_years: Normal
    female: Probability
    height_cm: SexNormal
    bmi_kg_m2: Normal
    ecog: dict[str, Probability] = Field(description="ECOG code -> probability; sums to 1")
    labs: Labs
    peritoneum: Peritoneum
    conditions: Conditions
    tumour: Tumour
    lvef_percent: Normal = Field(description="screening LVEF of HER2-positive people")

    @field_validator("ecog")
    @classmethod
    def _ecog(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = [k for k in value if k not in ("0", "1", "2", "3", "4")]
        if unknown:
            raise ValueError(f"ECOG codes are '0' to '4'; got {unknown}")
        if abs(sum(value.values()) - 1.0) > 1e-6:
            raise ValueError(f"ECOG probabilities sum to {sum(value.values()):g}; they must sum to 1")
        return value


class ScreeningDays(_Model):
    """Days between the steps of screening (uniform, inclusive ranges)."""

    consent_to_visit: tuple[int, int] = Field(description="consent -> screening "
                                              "visit (vital signs, ECOG, labs)")
    consent_to_laparoscopy: tuple[int, int] = Field(description="consent -> staging laparoscopy")
    verdict_to_registration: tuple[int, int] = Field(
        description="last screening result -> registration")

    @field_validator("consent_to_visit", "consent_to_laparoscopy", "verdict_to_registration")
    @classmethod
    def _range(cls, value: tuple[int, int]) -> tuple[int, int]:
        low, high = value
        if not 0 <= low <= high <= 28:
            raise ValueError(f"a range (low, high) with 0 <= low <= high <= 28 days; got {value}")
        return value


class NotRegistered(_Model):
    """Eligible people who still do not register, and the ``eos-reason`` code written."""

    probability: Probability
    reason: str = Field(min_length=1)


class PartB(_Model):
    """Part B (Simon two-stage) at the RP2D."""

    enrol: int | None = Field(ge=1, description="participants to register in "
                              "Part B; null: the protocol's statistics.primary.enrol")
    pause_for_stage1: bool = Field(description="registration pauses after n1 "
                                   "Part B participants until their R0 outcomes are known")


class Cutoff(_Model):
    """The data cut-off: a fixed date, or a number of months after the last registration."""

    months_after_last_registration: int | None = Field(default=None, ge=0, le=120)
    date: dt.date | None = None

    @model_validator(mode="after")
    def _one(self) -> Cutoff:
        if (self.months_after_last_registration is None) == (self.date is None):
            raise ValueError("give exactly one of months_after_last_registration and date")
        return self


class Scenario(_Model):
    """A simulation scenario; see the module docstring and ``scenarios/default.yaml``."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = Field(min_length=1)
    start_date: dt.date = Field(description="the trial opens; sites activate from this day")
    sites: tuple[SiteSpec, ...] = Field(min_length=1)
    her2_positive: Probability = Field(description="HER2-positive prevalence among the screened")
    baseline: Baseline
    screening_days: ScreeningDays
    not_registered: NotRegistered
    dlt_probability: dict[str, Probability] = Field(
        min_length=1, description="true DLT probability per protocol dose-level id")
    part_b: PartB
    cutoff: Cutoff
    course: CourseParameters

    @field_validator("sites")
    @classmethod
    def _unique_sites(cls, value: tuple[SiteSpec, ...]) -> tuple[SiteSpec, ...]:
        ids = [s.id for s in value]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"site ids must be unique; repeated: {', '.join(twice)}")
        return value


# -- loading --------------------------------------------------------------------------------


def scenarios_folder() -> Path:
    """Where the shipped scenarios live."""
    return Path(str(resources.files("hipectrial.simulate") / "scenarios"))


def scenario_names() -> tuple[str, ...]:
    """The names of the shipped scenarios, sorted."""
    return tuple(sorted(p.stem for p in scenarios_folder().glob("*.yaml")))


def _file_of(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    shipped = scenarios_folder() / f"{text}.yaml"
    if isinstance(name_or_path, str) and "/" not in text and "\\" not in text \
            and not text.endswith((".yaml", ".yml")):
        if shipped.is_file():
            return shipped
        raise ScenarioError([Problem(text, "", "no shipped scenario of that name; shipped: "
                                     + ", ".join(scenario_names())
                                     + " (or give the path of a .yaml file)")])
    return Path(name_or_path)


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a scenario: a shipped one by bare name (``default``) or a YAML file by path.

    ``extends`` applies first: a shipped name, or a path relative to the extending file.

    Raises
    ------
    ScenarioError
        Listing every problem found, each as ``file:line:column yaml.path: message`` (an
        unknown name, an unreadable file, YAML syntax, an unknown key, a value out of range).

    Examples
    --------
    >>> load_scenario("toxic").dlt_probability["1"]
    0.35
    >>> load_scenario("nosuch")
    Traceback (most recent call last):
    ...
    hipectrial.simulate.scenario.world.ScenarioError: 1 problem in scenario:
    nosuch: no shipped scenario of that name; shipped: default, ineffective, toxic (or give ...
    """
    data, doc = _raw(name_or_path, ())
    return _validated(data, doc)


def _merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` applied: mappings merge key by key, anything else replaces."""
    out = dict(base)
    for key, value in changes.items():
        old = out.get(key)
        out[key] = _merged(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
    return out


def _raw(name_or_path: str | Path, seen: tuple[str, ...]) -> tuple[dict[str, Any], LocatedYaml]:
    """The mapping of a scenario file with its ``extends`` chain applied, and the file as read
    (whose positions locate the problems of the merged mapping)."""
    file = _file_of(name_or_path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError([Problem(str(file), "", f"cannot read file: {exc.strerror}")]) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError([Problem(str(file), "", f"not UTF-8 text: {exc.reason}")]) from None
    doc = read_located_yaml(text, str(file))
    if doc.problems:
        raise ScenarioError(doc.problems)
    data = dict(doc.mapping())
    filename = doc.filename
    parent = data.pop("extends", None)
    if parent is None:
        return data, doc
    line, column = doc.marks.get(("extends",), (None, None))
    if not isinstance(parent, str) or str(file.resolve()) in seen:
        raise ScenarioError([Problem(filename, "extends", "must name another scenario (a shipped "
                                     "name or a path relative to this file), without a cycle",
                                     line, column)])
    target: str | Path = parent
    if "/" in parent or parent.endswith((".yaml", ".yml")):
        target = file.parent / parent
    base, _ = _raw(target, (*seen, str(file.resolve())))
    return _merged(base, data), doc


def parse_scenario(text: str, filename: str = "<scenario>") -> Scenario:
    """Parse scenario YAML text (without ``extends``); ``filename`` is used in messages only."""
    doc = read_located_yaml(text, filename)
    if doc.problems:
        raise ScenarioError(doc.problems)
    return _validated(doc.mapping(), doc)


def _validated(data: dict[str, Any], doc: LocatedYaml) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(doc.validation_problems(exc)) from None
