"""What screening finds about one person: baseline values drawn from the scenario, written
as the protocol's CRF values (field ids, units and decimals from the protocol's forms).

Nothing here decides eligibility: the values go to
:func:`hipectrial.clinical.evaluate_eligibility`, whose verdict is the only one.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from hipectrial.data.values import FieldValue
from hipectrial.data.vocab import Cytology, Sex
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol
from hipectrial.protocol.forms import FieldDef
from hipectrial.simulate.scenario.world import LabSpec, Normal, Scenario
from hipectrial.simulate.types import LabValue

# Lab codes drawn from the scenario, in drawing order.
LAB_CODES = ("NEUT", "LYM", "HGB", "PLAT", "ALT", "AST", "ALP", "BILI", "CREAT", "K", "SODIUM",
             "ALB", "INR")


@dataclass(frozen=True, slots=True)
class LabField:
    """A labs-form field carrying a CDISC code, with its reference-range companions."""

    code: str
    field: FieldDef
    lln: FieldDef | None
    uln: FieldDef | None


def lab_fields(protocol: Protocol, form_id: str = "labs") -> dict[str, LabField]:
    """The labs form's fields by CDISC code (``NEUT`` -> ``anc`` with ``anc_lln``)."""
    form = protocol.form(form_id)
    return {f.cdisc: LabField(f.cdisc, f, form.field(f"{f.id}_lln"), form.field(f"{f.id}_uln"))
            for f in form.fields if f.cdisc}


def recorded(value: float, field: FieldDef) -> Decimal:
    """``value`` as the field records it: clipped to its min/max, rounded half up to its
    decimals (whole numbers when the field declares none)."""
    if field.min is not None:
        value = max(value, field.min)
    if field.max is not None:
        value = min(value, field.max)
    step = Decimal(1).scaleb(-(field.decimals or 0))
    return Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP)


def _normal(rng: np.random.Generator, spec: Normal) -> float:
    value = float(rng.normal(spec.mean, spec.sd))
    if spec.min is not None:
        value = max(value, spec.min)
    if spec.max is not None:
        value = min(value, spec.max)
    return value


def _choice(rng: np.random.Generator, weights: Mapping[str, float]) -> str:
    """One code, drawn by its relative weight (codes in the mapping's order)."""
    options = tuple(weights.items())
    u = float(rng.random()) * sum(p for _, p in options)
    for code, p in options:
        u -= p
        if u < 0:
            return code
    return options[-1][0]


def _days(rng: np.random.Generator, bounds: tuple[int, int]) -> dt.timedelta:
    return dt.timedelta(days=int(rng.integers(bounds[0], bounds[1] + 1)))


@dataclass(frozen=True, slots=True)
class ScreeningDraw:
    """Everything screening recorded about one person: CRF values by form and the dates."""

    sex: Sex
    birth_date: dt.date
    consent_date: dt.date
    visit_date: dt.date
    laparoscopy_date: dt.date
    echo_date: dt.date | None
    forms: Mapping[str, Mapping[str, FieldValue]]
    labs: Mapping[str, LabValue]
    height_cm: Decimal
    weight_kg: Decimal
    ecog: int
    pci: tuple[int, ...]
    cytology: Cytology
    her2_positive: bool
    lvef_percent: Decimal | None

    @property
    def as_of(self) -> dt.date:
        """When screening ended: the latest date of its records."""
        return max(d for d in (self.visit_date, self.laparoscopy_date, self.echo_date) if d)

    def values(self) -> dict[str, FieldValue]:
        """Every CRF value, keyed by field id (ids are unique across the protocol's forms)."""
        merged: dict[str, FieldValue] = {}
        for values in self.forms.values():
            merged.update(values)
        return merged


def _pci(rng: np.random.Generator, scenario: Scenario) -> tuple[tuple[int, ...], str]:
    """13 region scores (Sugarbaker, 0-3) and the P status. P1: a log-normal PCI total spread
    over the regions by the scenario's weights; P0: all zero (CR §5.1, §5.3)."""
    spec = scenario.baseline.peritoneum
    scores = [0] * 13
    if float(rng.random()) >= spec.p1_probability:
        return tuple(scores), "P0"
    total = min(39, max(1, round(spec.pci_median * math.exp(float(rng.normal(0.0, spec.pci_sd_log))))))
    weights = np.asarray(spec.region_weights, dtype=float)
    for _ in range(total):
        open_regions = np.array([s < 3 for s in scores])
        w = weights * open_regions
        region = int(rng.choice(13, p=w / w.sum()))
        scores[region] += 1
    return tuple(scores), "P1"


def _p1_extent(scores: tuple[int, ...]) -> str:
    """JGCA P1 extent from the involved regions (CR §5.3/5.7): a = stomach-adjacent only
    (central, epigastrium), b = upper abdomen (right/left upper), c = middle/lower abdomen."""
    if any(scores[r] for r in range(4, 13)):
        return "P1c"
    if scores[1] or scores[3]:
        return "P1b"
    return "P1a"


def _lab(rng: np.random.Generator, spec: LabSpec, female: bool) -> tuple[float, Decimal | None,
                                                                          Decimal | None]:
    median = spec.female_median if female and spec.female_median is not None else spec.median
    lower = spec.female_lower if female and spec.female_lower is not None else spec.lower
    upper = spec.female_upper if female and spec.female_upper is not None else spec.upper
    return median * math.exp(float(rng.normal(0.0, spec.sd_log))), lower, upper


def draw_screening(*, protocol: Protocol, scenario: Scenario, consent_date: dt.date,
                   rng: np.random.Generator, labs: Mapping[str, LabField]) -> ScreeningDraw:
    """Draw one screened person's findings and write them as CRF values.

    Forms: ``demographics``, ``medical_history``, ``diagnosis``, ``biomarkers``,
    ``vital_signs``, ``ecog_assessment``, ``labs`` (screening visit), ``laparoscopy`` (the
    staging laparoscopy) and, for HER2-positive people, ``echocardiography``.
    """
    base, cond, days = scenario.baseline, scenario.baseline.conditions, scenario.screening_days
    tumour = base.tumour

    def chance(p: float) -> bool:
        return float(rng.random()) < p

    female = chance(base.female)
    sex = Sex.FEMALE if female else Sex.MALE
    age_years = _normal(rng, base.age_years)
    birth_date = consent_date - dt.timedelta(days=int(age_years * 365.25))
    visit_date = consent_date + _days(rng, days.consent_to_visit)
    lap_date = consent_date + _days(rng, days.consent_to_laparoscopy)

    demographics: dict[str, FieldValue] = {
        "consent_obtained": True, "consent_date": consent_date,
        "consent_version": protocol.study.version, "birth_date": birth_date, "sex": sex.value,
    }
    childbearing = female and age_years < 50 and chance(cond.childbearing_potential_if_female_under_50)
    if female:
        demographics["childbearing_potential"] = childbearing

    # -- medical history --------------------------------------------------------------------
    outlet = chance(cond.gastric_outlet_obstruction)
    neuropathy_u = float(rng.random())
    neuropathy = 2 if neuropathy_u < cond.neuropathy_grade_2_or_more else \
        1 if neuropathy_u < cond.neuropathy_grade_2_or_more + cond.neuropathy_grade_1 else 0
    hbv = chance(cond.hbv_serology_positive)
    history: dict[str, FieldValue] = {
        "prior_systemic_advanced": chance(cond.prior_systemic_advanced),
        "prior_adjuvant_therapy": chance(cond.prior_adjuvant_therapy),
        "prior_checkpoint_inhibitor": chance(cond.prior_checkpoint_inhibitor),
        "autoimmune_systemic_2y": chance(cond.autoimmune_systemic_2y),
        "steroids_gt10mg_14d": chance(cond.steroids_gt10mg_14d),
        "ild_pneumonitis": chance(cond.ild_pneumonitis),
        "hbv_serology_positive": hbv,
        "hcv_active": chance(cond.hcv_active),
        "hiv_positive": chance(cond.hiv_positive),
        "baseline_neuropathy_grade": neuropathy,
        "gastric_outlet_obstruction": outlet,
        "oral_intake_possible": not outlet and not chance(cond.oral_intake_impossible_otherwise),
        "major_surgery_28d": chance(cond.major_surgery_28d),
        "other_malignancy_5y": chance(cond.other_malignancy_5y),
        "life_expectancy_3m": not chance(cond.life_expectancy_under_3m),
    }
    if history["prior_adjuvant_therapy"]:
        history["prior_adjuvant_end_date"] = consent_date - dt.timedelta(days=int(rng.integers(200, 900)))
    if hbv:
        # HBV DNA (IU/mL): active replication above the protocol's 500 IU/mL, else low.
        active = chance(cond.hbv_dna_over_500_if_positive)
        dna = 10 ** float(rng.uniform(3.0, 6.0)) if active else float(rng.uniform(0.0, 400.0))
        history["hbv_dna"] = recorded(dna, protocol.field("hbv_dna")[1])
    if female:
        pregnant = childbearing and chance(cond.pregnant_or_breastfeeding_if_childbearing)
        history["pregnant_or_breastfeeding"] = pregnant
        if childbearing:
            history["pregnancy_test"] = "positive" if pregnant else "negative"

    # -- diagnosis and biomarkers -------------------------------------------------------------
    egj = chance(cond.egj_primary)
    confirmed = not chance(cond.histology_not_confirmed)
    histology = "not_adenocarcinoma" if chance(cond.not_adenocarcinoma) else _choice(rng, tumour.histology)
    distant = chance(cond.distant_metastasis_other)
    diagnosis: dict[str, FieldValue] = {
        "diagnosis_date": consent_date - dt.timedelta(days=int(rng.integers(5, 60))),
        "primary_site": _choice(rng, tumour.egj_siewert) if egj else "stomach",
        "histology_confirmed": confirmed,
        "histology": histology,
        "lauren_type": _choice(rng, tumour.lauren),
        "distant_metastasis_other": distant,
        "ascites_baseline": _choice(rng, tumour.ascites),
    }
    if distant:
        diagnosis["distant_metastasis_sites"] = _choice(rng, tumour.distant_metastasis_sites)
    her2 = chance(scenario.her2_positive)
    ish: float | None = None
    if her2:
        ihc = "ihc3plus" if chance(tumour.her2_positive_ihc3) else "ihc2plus"
        if ihc == "ihc2plus":
            ish = float(rng.uniform(2.0, 6.0))
    else:
        ihc = _choice(rng, tumour.her2_negative_ihc)
        if ihc == "ihc2plus":
            ish = float(rng.uniform(0.8, 1.95))
    biomarkers: dict[str, FieldValue] = {
        "her2_specimen": "biopsy", "her2_ihc": ihc,
        "pdl1_cps": int(min(100, rng.geometric(0.15) - 1)),
        "mmr_status": "dmmr" if chance(0.05) else "pmmr",
    }
    if ish is not None:
        biomarkers["her2_ish_ratio"] = recorded(ish, protocol.field("her2_ish_ratio")[1])

    # -- vital signs, ECOG --------------------------------------------------------------------
    height = _normal(rng, base.height_cm.female if female else base.height_cm.male)
    bmi = _normal(rng, base.bmi_kg_m2)
    height_cm = recorded(height, protocol.field("height_cm")[1])
    weight_kg = recorded(bmi * (float(height_cm) / 100) ** 2, protocol.field("weight_kg")[1])
    systolic = max(80, int(rng.normal(124, 14)))
    vitals: dict[str, FieldValue] = {
        "vs_date": visit_date, "height_cm": height_cm, "weight_kg": weight_kg,
        "systolic_bp": systolic, "diastolic_bp": max(40, min(systolic - 20, int(rng.normal(76, 9)))),
        "heart_rate": int(rng.normal(78, 10)),
        "body_temperature": recorded(float(rng.normal(36.6, 0.25)), protocol.field("body_temperature")[1]),
    }
    ecog = _choice(rng, base.ecog)
    ecog_form: dict[str, FieldValue] = {"ecog_date": visit_date, "ecog": ecog}

    # -- labs ---------------------------------------------------------------------------------
    lab_values: dict[str, LabValue] = {}
    raw: dict[str, tuple[float, Decimal | None, Decimal | None]] = {
        code: _lab(rng, getattr(base.labs, code), female) for code in LAB_CODES}
    other, _, _ = _lab(rng, base.labs.other_leukocytes, female)
    wbc_spec = base.labs.WBC
    raw["WBC"] = (raw["NEUT"][0] + raw["LYM"][0] + other, wbc_spec.lower, wbc_spec.upper)
    labs_form: dict[str, FieldValue] = {"lab_date": visit_date}
    for code in ("WBC", *LAB_CODES):
        where = labs.get(code)
        if where is None:
            continue
        value, lower, upper = raw[code]
        decimal_value = recorded(value, where.field)
        labs_form[where.field.id] = decimal_value
        if where.lln is not None and lower is not None:
            labs_form[where.lln.id] = recorded(float(lower), where.lln)
        if where.uln is not None and upper is not None:
            labs_form[where.uln.id] = recorded(float(upper), where.uln)
        lab_values[code] = LabValue(decimal_value, where.field.unit or "", lower, upper)

    # -- staging laparoscopy ------------------------------------------------------------------
    scores, p_status = _pci(rng, scenario)
    peritoneum = scenario.baseline.peritoneum
    positive = peritoneum.cytology_positive_if_p1 if p_status == "P1" else peritoneum.cytology_positive_if_p0
    cytology = Cytology.CY1 if chance(positive) else Cytology.CY0
    laparoscopy: dict[str, FieldValue] = {"lap_date": lap_date, "lap_context": "diagnostic"}
    laparoscopy.update({f"pci_r{i}": s for i, s in enumerate(scores)})
    laparoscopy["p_status"] = p_status
    if p_status == "P1":
        laparoscopy["p1_extent"] = _p1_extent(scores)
        laparoscopy["peritoneal_biopsy_taken"] = True
        laparoscopy["peritoneal_biopsy_positive"] = True
    laparoscopy["cytology"] = cytology.value

    forms: dict[str, Mapping[str, FieldValue]] = {
        "demographics": demographics, "medical_history": history, "diagnosis": diagnosis,
        "biomarkers": biomarkers, "vital_signs": vitals, "ecog_assessment": ecog_form,
        "labs": labs_form, "laparoscopy": laparoscopy,
    }
    echo_date: dt.date | None = None
    lvef: Decimal | None = None
    if her2:
        echo_date = consent_date + _days(rng, days.consent_to_visit)
        lvef = recorded(_normal(rng, base.lvef_percent), protocol.field("lvef")[1])
        forms["echocardiography"] = {"echo_date": echo_date, "echo_method": "echo", "lvef": lvef,
                                     "lvef_lln": recorded(50.0, protocol.field("lvef_lln")[1])}
    return ScreeningDraw(sex, birth_date, consent_date, visit_date, lap_date, echo_date, forms,
                         lab_values, height_cm, weight_kg, int(ecog), scores, cytology, her2, lvef)


def check_lab_units(labs: Mapping[str, LabField]) -> None:
    """Every lab the scenario draws must have a labs-form field carrying its CDISC code."""
    missing = [code for code in ("NEUT", "PLAT", "HGB", "BILI", "CREAT") if code not in labs]
    if missing:
        raise InputError("protocol", "labs form", "a form whose fields carry the CDISC codes "
                         "the simulator needs", f"no field with code {', '.join(missing)}")
