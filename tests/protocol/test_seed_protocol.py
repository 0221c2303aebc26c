"""The seed protocol says what shared/reference/protocol-decisions.md (PD) says.

Every expected value below is copied from PD (section named in the comment), not from the
YAML file.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from hipectrial.protocol import Protocol, Truth, dump_protocol, load_protocol, parse_protocol
from hipectrial.protocol.phase_stop import PhaseUntil, StopEvent
from hipectrial.protocol.regimen import Anchor, DoseBasis


@pytest.fixture(scope="module")
def seed() -> Protocol:
    return load_protocol()


def test_study_identity(seed: Protocol) -> None:  # PD §Study
    assert seed.study.id == "HIPEC-PD1-SOX"
    assert seed.study.phase == "2"
    assert seed.study.multicenter is True
    assert seed.study.masking == "open_label"
    assert seed.study.full_title.startswith("The Efficacy and Safety of HIPEC Combined With PD-1")
    assert [c.id for c in seed.cohorts] == ["HER2-negative", "HER2-positive"]


def test_agent_identifiers(seed: Protocol) -> None:  # PD §Identifiers
    assert [a.id for a in seed.agents] == [
        "hipec-paclitaxel", "oxaliplatin", "s-1", "tislelizumab", "trastuzumab"]


def test_oxaliplatin(seed: Protocol) -> None:  # PD §Treatment flow 3, §Dose levels
    ox = seed.agent("oxaliplatin")
    assert (ox.route, ox.dose.basis, ox.dose.amount, ox.dose.unit) == ("IV", DoseBasis.PER_BSA, 130, "mg/m2")
    assert ox.schedule is not None
    assert ox.schedule.days == [1]
    assert ox.reduction is not None
    assert ox.reduction.ladder == [130, 100, 85]
    assert ox.reduction.max_reductions == 2
    assert ox.dose.rounding is not None
    assert ox.dose.rounding.step == 5


def test_s1_bands_capsules_and_ladder(seed: Protocol) -> None:  # PD §Treatment flow 3, §Dose calc, §Dose levels
    s1 = seed.agent("s-1")
    assert s1.route == "oral"
    bands = [(b.min_m2, b.max_m2, b.amount) for b in s1.dose.bands]
    assert bands == [(None, Decimal("1.25"), 40), (Decimal("1.25"), Decimal("1.50"), 50), (Decimal("1.50"), None, 60)]
    assert s1.dose.strengths_mg == [20, 25]
    assert s1.schedule is not None
    assert s1.schedule.days == list(range(1, 15))
    assert s1.schedule.times_per_day == 2
    assert s1.reduction is not None
    # 60 -> 50 -> 40; 50 -> 40 -> 25; 40 -> 25 -> stop: one ladder, two reductions at most.
    assert s1.reduction.ladder == [60, 50, 40, 25]
    assert s1.reduction.max_reductions == 2


def test_antibodies(seed: Protocol) -> None:  # PD §Treatment flow 3, §Dose levels
    tis = seed.agent("tislelizumab")
    assert (tis.dose.basis, tis.dose.amount, tis.dose.unit, tis.reducible) == (DoseBasis.FIXED, 200, "mg", False)
    tra = seed.agent("trastuzumab")
    assert tra.cohorts == ["HER2-positive"]
    assert (tra.dose.basis, tra.dose.amount, tra.dose.unit) == (DoseBasis.PER_WEIGHT, 6, "mg/kg")
    assert tra.dose.loading is not None
    assert (tra.dose.loading.amount, tra.dose.loading.reload_if_late_days) == (8, 7)
    assert tra.reducible is False
    assert [a.id for a in seed.agents_for("HER2-negative")] == [
        "hipec-paclitaxel", "oxaliplatin", "s-1", "tislelizumab"]


def test_hipec(seed: Protocol) -> None:  # PD §Treatment flow 2 and 5
    h = seed.hipec
    assert h.agents == ["hipec-paclitaxel"]
    assert (h.perfusion.volume_ml, h.perfusion.inflow_temperature_c, h.perfusion.temperature_tolerance_c,
            h.perfusion.duration_min, h.perfusion.flow_ml_min_min, h.perfusion.flow_ml_min_max) == (
        3000, 43, Decimal("0.5"), 60, 400, 600)
    assert [(s.timing, s.approach) for s in h.sessions] == [
        (Anchor.HIPEC, "laparoscopic"), (Anchor.SURGERY, "open")]


def test_dose_exploration(seed: Protocol) -> None:  # PD §Study Part A, §DLT
    df = seed.dose_finding
    assert [(lv.id, lv.doses["hipec-paclitaxel"], lv.unit) for lv in df.levels] == [
        ("1", 75, "mg/m2"), ("2", 125, "mg/m2"), ("3", 175, "mg/m2")]
    assert df.start_level == "1"
    d = df.design
    assert (d.target, d.phi1, d.phi2, d.cohort_size, d.max_cohorts, d.max_n, d.stop_n_at_dose,
            d.elimination_cutoff) == (0.30, 0.18, 0.42, 3, 6, 18, 9, 0.95)
    assert df.dlt.window.start is Anchor.HIPEC
    end = df.dlt.window.end
    assert (end.anchor, end.phase, end.cycle, end.day) == (Anchor.CYCLE_START, "induction", 1, 21)
    assert len(df.dlt.criteria) == 8


def test_phases(seed: Protocol) -> None:  # PD §Treatment flow 3 and 6
    induction = seed.phase("induction")
    assert (induction.cycles, induction.cycle_length_days) == (3, 21)
    start = induction.start
    assert (start.anchor, start.day, start.window_before, start.window_after) == (Anchor.HIPEC, 21, 7, 7)
    adjuvant = seed.phase("adjuvant")
    assert (adjuvant.cycles, adjuvant.branch) == (5, "operated")
    # 28-42 days after surgery
    a = adjuvant.start
    assert (a.anchor, a.day - a.window_before, a.day + a.window_after) == (Anchor.SURGERY, 28, 42)
    continuation = seed.phase("continuation")
    assert induction.cycles + (continuation.cycles or 0) == 6  # "to 6 cycles in total"


def test_maintenance_stops(seed: Protocol) -> None:  # PD §Treatment flow 6
    # "1 year from induction cycle 1 day 1, progression or unacceptable toxicity" (operated);
    # "progression, unacceptable toxicity or 2 years from induction cycle 1 day 1" (not operated)
    for phase_id, max_days in (("maintenance-operated", 365), ("maintenance-not-operated", 730)):
        phase = seed.phase(phase_id)
        assert phase.cycles is None
        assert phase.until is not None
        until = phase.until
        assert until.max_days == max_days
        assert until.counted_from is not None
        origin = until.counted_from
        assert (origin.phase, origin.cycle, origin.day) == ("induction", 1, 1)
        assert until.events == [StopEvent.PROGRESSION, StopEvent.UNACCEPTABLE_TOXICITY]
        assert "induction cycle 1 day 1" in str(until)


@pytest.mark.parametrize(("fields", "phrase"), [
    ({"max_days": 365}, "'max_days' and 'counted_from' go together"),
    ({"counted_from": {"phase": "induction", "cycle": 1, "day": 1}}, "go together"),
    ({}, "gives 'max_days' with 'counted_from', or 'events'"),
    ({"events": ["progression"], "max_days": 30,
      "counted_from": {"phase": "induction", "cycle": 1, "day": 0}}, "there is no day 0"),
])
def test_phase_stop_rule_is_complete(fields: dict[str, object], phrase: str) -> None:
    with pytest.raises(ValidationError, match=phrase):
        PhaseUntil.model_validate({"label": "until something", **fields})


def _window(seed: Protocol, visit_id: str) -> tuple[object, ...]:
    t = seed.visit(visit_id).timing
    return (t.anchor.value, t.phase, t.cycle, t.day - t.window_before, t.day + t.window_after)


def test_schedule_of_assessments(seed: Protocol) -> None:  # PD §Treatment flow and timing
    # screening D-28..D-1 (clinical.md §9); registration at most 7 days before day 0
    assert _window(seed, "screening") == ("registration", None, None, -28, -1)
    assert _window(seed, "day0-laparoscopy-hipec") == ("registration", None, None, 0, 7)
    # cycle day 1 +-3 in every induction cycle
    assert _window(seed, "induction-cycle") == ("cycle_start", "induction", None, -2, 4)
    assert seed.visit("induction-cycle").repeat is not None
    assert seed.visit("induction-cycle").repeat.per_cycle == "induction"
    # re-evaluation at day 15-21 of cycle 3
    assert _window(seed, "reevaluation") == ("cycle_start", "induction", 3, 15, 21)
    # surgery 35 days after cycle 3 day 1 (day 36), -7/+7
    assert _window(seed, "conversion-surgery") == ("cycle_start", "induction", 3, 29, 43)
    # CT every 6 weeks +-7 days from C1D1 until surgery
    pre = seed.visit("tumour-assessment-preop")
    assert _window(seed, "tumour-assessment-preop") == ("cycle_start", "induction", 1, 36, 50)
    assert pre.repeat is not None
    assert (pre.repeat.every_days, pre.repeat.until) == (42, Anchor.SURGERY)
    # after surgery every 12 weeks +-14
    post = seed.visit("tumour-assessment-postop")
    assert _window(seed, "tumour-assessment-postop") == ("surgery", None, None, 70, 98)
    assert post.repeat is not None
    assert post.repeat.every_days == 84
    # follow-up every 3 months +-14 for 2 years, then every 6 months to 5 years
    three = seed.visit("follow-up-3-monthly")
    six = seed.visit("follow-up-6-monthly")
    assert three.repeat is not None
    assert (three.repeat.every_days, three.repeat.until_day) == (91, 730)
    assert six.repeat is not None
    assert (six.repeat.every_days, six.repeat.until_day) == (182, 1826)
    assert (three.timing.window_before, three.timing.window_after) == (14, 14)
    # safety follow-up 30 and 90 days after the last dose
    assert seed.visit("safety-follow-up-30").timing.day == 30
    assert seed.visit("safety-follow-up-90").timing.day == 90
    assert seed.visit("safety-follow-up-90").timing.anchor is Anchor.LAST_DOSE
    # LVEF every 12 weeks, HER2-positive only
    lvef = seed.visit("lvef-monitoring")
    assert lvef.cohorts == ["HER2-positive"]
    assert lvef.repeat is not None
    assert lvef.repeat.every_days == 84


def test_every_required_crf_exists(seed: Protocol) -> None:  # issue 2 item 3
    forms = {f.id for f in seed.forms}
    for needed in ["demographics", "medical_history", "biomarkers", "vital_signs", "labs",
                   "ecog_assessment", "laparoscopy", "hipec_procedure", "dosing", "adverse_events",
                   "tumour_assessment", "recist_lesions", "surgery", "pathology", "follow_up",
                   "end_of_treatment", "end_of_study", "death"]:
        assert needed in forms
    assert all(seed.form(f).repeating for f in ("adverse_events", "recist_lesions", "dosing"))
    pci = [f.id for f in seed.form("laparoscopy").fields if f.id.startswith("pci_r")]
    assert pci == [f"pci_r{i}" for i in range(13)]


def test_lab_fields_carry_cdisc_codes_and_report_units(seed: Protocol) -> None:  # PD §Identifiers
    labs = {f.cdisc: f.unit for f in seed.form("labs").fields if f.cdisc}
    assert labs["NEUT"] == "10^9/L"
    assert labs["PLAT"] == "10^9/L"
    assert labs["HGB"] == "g/L"
    assert labs["CREAT"] == "umol/L"
    assert {"NEUT", "PLAT", "HGB", "WBC", "LYM", "ALT", "AST", "ALP", "BILI", "CREAT", "K",
            "SODIUM", "ALB", "INR"} <= set(labs)


def criterion(seed: Protocol, cid: str) -> Truth:
    return next(c for c in seed.eligibility if c.id == cid)  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("cid", "values", "expected"),
    [
        ("I01", {"age": 18}, Truth.TRUE), ("I01", {"age": 75}, Truth.TRUE),
        ("I01", {"age": 17}, Truth.FALSE), ("I01", {"age": 76}, Truth.FALSE), ("I01", {}, Truth.UNKNOWN),
        ("I04", {"pci_total": 20}, Truth.TRUE), ("I04", {"pci_total": 21}, Truth.FALSE),
        ("I09", {"anc": Decimal("1.5")}, Truth.TRUE), ("I09", {"anc": Decimal("1.49")}, Truth.FALSE),
        ("I09", {}, Truth.UNKNOWN),
        ("I10", {"platelets": Decimal("100")}, Truth.TRUE), ("I10", {"platelets": Decimal("99")}, Truth.FALSE),
        ("I11", {"haemoglobin": Decimal("90")}, Truth.TRUE), ("I11", {"haemoglobin": Decimal("89")}, Truth.FALSE),
        # bilirubin <= 1.5 x ULN: ULN 17.1 -> limit 25.65 umol/L
        ("I12", {"bilirubin": Decimal("25.65"), "bilirubin_uln": Decimal("17.1")}, Truth.TRUE),
        ("I12", {"bilirubin": Decimal("25.7"), "bilirubin_uln": Decimal("17.1")}, Truth.FALSE),
        ("I12", {"bilirubin": Decimal("20")}, Truth.UNKNOWN),
        # AST/ALT <= 2.5 x ULN: ULN 40 -> 100 U/L
        ("I13", {"ast": Decimal("100"), "ast_uln": Decimal("40")}, Truth.TRUE),
        ("I13", {"ast": Decimal("101"), "ast_uln": Decimal("40")}, Truth.FALSE),
        ("I14", {"alt": Decimal("100"), "alt_uln": Decimal("40")}, Truth.TRUE),
        ("I14", {"alt": Decimal("100.5"), "alt_uln": Decimal("40")}, Truth.FALSE),
        ("I15", {"crcl": Decimal("60")}, Truth.TRUE), ("I15", {"crcl": Decimal("59.9")}, Truth.FALSE),
        # INR <= 1.5 x ULN with ULN 1.2: 1.8 is at the limit (a double product says 1.79999...)
        ("I16", {"inr": Decimal("1.8"), "inr_uln": Decimal("1.2")}, Truth.TRUE),
        ("I16", {"inr": Decimal("1.81"), "inr_uln": Decimal("1.2")}, Truth.FALSE),
        ("I17", {"lvef": Decimal("50")}, Truth.TRUE), ("I17", {"lvef": Decimal("49")}, Truth.FALSE),
        ("I07", {"ecog": "1"}, Truth.TRUE), ("I07", {"ecog": "2"}, Truth.FALSE),
        # exclusions: TRUE means excluded
        ("E05", {"hbv_serology_positive": True, "hbv_dna": Decimal("500")}, Truth.FALSE),
        ("E05", {"hbv_serology_positive": True, "hbv_dna": Decimal("501")}, Truth.TRUE),
        ("E05", {"hbv_serology_positive": False}, Truth.FALSE),
        ("E08", {"baseline_neuropathy_grade": 1}, Truth.FALSE),
        ("E08", {"baseline_neuropathy_grade": 2}, Truth.TRUE),
        ("E10", {"sex": "male"}, Truth.FALSE),
        ("E10", {"sex": "female", "pregnant_or_breastfeeding": True}, Truth.TRUE),
    ],
)
def test_eligibility_thresholds(seed: Protocol, cid: str, values: dict[str, object], expected: Truth) -> None:
    rule = next(c for c in seed.eligibility if c.id == cid)
    assert seed.scope.truth(rule.expression, values).truth is expected


def test_lvef_criterion_applies_to_her2_positive_only(seed: Protocol) -> None:
    assert next(c for c in seed.eligibility if c.id == "I17").cohorts == ["HER2-positive"]


@pytest.mark.parametrize(
    ("values", "cohort"),
    [
        ({"her2_ihc": "ihc3plus"}, "HER2-positive"),
        ({"her2_ihc": "ihc2plus", "her2_ish_ratio": Decimal("2.0")}, "HER2-positive"),
        ({"her2_ihc": "ihc2plus", "her2_ish_ratio": Decimal("1.99")}, "HER2-negative"),
        ({"her2_ihc": "ihc1plus"}, "HER2-negative"),
        ({"her2_ihc": "ihc0"}, "HER2-negative"),
    ],
)
def test_her2_status_assigns_the_cohort(seed: Protocol, values: dict[str, object], cohort: str) -> None:
    # PD §Eligibility: HER2-positive = IHC 3+, or IHC 2+ with ISH ratio >= 2.0
    her2 = next(v for v in seed.variables if v.id == "her2_positive")
    assert her2.expression is not None
    positive = seed.scope.truth(her2.expression, values).truth
    assert positive is not Truth.UNKNOWN
    derived = {"her2_positive": positive is Truth.TRUE}
    holding = [c.id for c in seed.cohorts if seed.scope.truth(c.rule, derived).truth is Truth.TRUE]
    assert holding == [cohort]


def test_her2_ihc2plus_without_ish_is_undecided(seed: Protocol) -> None:
    her2 = next(v for v in seed.variables if v.id == "her2_positive")
    assert her2.expression is not None
    verdict = seed.scope.truth(her2.expression, {"her2_ihc": "ihc2plus"})
    assert (verdict.truth, verdict.missing) == (Truth.UNKNOWN, ("her2_ish_ratio",))


@pytest.mark.parametrize(
    ("cid", "values", "expected"),
    [
        ("anc", {"anc": Decimal("1.5")}, Truth.TRUE), ("anc", {"anc": Decimal("1.4")}, Truth.FALSE),
        ("platelets", {"platelets": Decimal("100")}, Truth.TRUE),
        ("platelets", {"platelets": Decimal("99")}, Truth.FALSE),
        ("crcl", {"crcl": Decimal("30")}, Truth.TRUE), ("crcl", {"crcl": Decimal("29.9")}, Truth.FALSE),
        ("sensory-neuropathy", {"sensory_neuropathy_grade": 2}, Truth.TRUE),
        ("sensory-neuropathy", {"sensory_neuropathy_grade": 3}, Truth.FALSE),
    ],
)
def test_day1_retreatment_criteria(seed: Protocol, cid: str, values: dict[str, object], expected: Truth) -> None:
    # PD §Day-1 retreatment criteria
    rt = seed.dose_modifications.retreatment
    rule = next(c for c in rt.criteria if c.id == cid)
    assert seed.scope.truth(rule.expression, values).truth is expected
    assert (rt.delay_days, rt.max_delay_days) == (7, 21)


def test_statistical_design(seed: Protocol) -> None:  # PD §Study Part B
    s = seed.statistics.primary
    assert (s.variant, s.p0, s.p1, s.alpha, s.power) == ("optimal", 0.20, 0.40, 0.05, 0.80)
    assert (s.stage1.n, s.stage1.r, s.total.n, s.total.r, s.enrol) == (13, 3, 43, 12, 48)
    primary = next(e for e in seed.endpoints if e.id == s.endpoint)
    assert (primary.role, primary.kind.value, primary.population.value) == ("primary", "binary", "itt")
    m = seed.statistics.safety_monitoring
    assert m is not None
    assert (m.threshold, m.posterior_cutoff, m.prior_a, m.prior_b, m.every_n) == (0.30, 0.90, 1, 1, 5)


def test_time_to_event_endpoints(seed: Protocol) -> None:  # PD §Endpoints
    by_id = {e.id: e for e in seed.endpoints}
    assert (by_id["pfs"].origin, by_id["pfs"].censoring.value) == (Anchor.REGISTRATION, "fda_pfs")  # type: ignore[union-attr]
    assert by_id["os"].origin is Anchor.REGISTRATION


def test_seed_round_trips(seed: Protocol) -> None:
    assert parse_protocol(dump_protocol(seed)) == seed


def test_every_codelist_is_used(seed: Protocol) -> None:
    used = {f.codelist for form in seed.forms for f in form.fields if f.codelist}
    assert {c.id for c in seed.codelists} == used


def test_response_assessment_settings(seed: Protocol) -> None:  # PD §Endpoints
    ra = seed.response_assessment
    assert (ra.criteria, ra.confirmation_days, ra.sd_minimum_days) == ("recist_1_1", 28, 35)
    assert (ra.sd_reference, ra.window_ends_at) == (Anchor.REGISTRATION, Anchor.SURGERY)


def test_dose_calculation_settings(seed: Protocol) -> None:  # PD §Dose calculation
    dc = seed.dose_calculation
    assert (dc.bsa.method, dc.bsa.decimals, dc.bsa.rounding.value, dc.bsa.cap_m2) == ("mosteller", 2, "half_up", None)
    assert (dc.crcl.weight, dc.crcl.female_factor, dc.crcl.creatinine_umol_per_mg_dl) == (
        "actual", Decimal("0.85"), Decimal("88.4"))
    assert dc.recalculate_weight_change_percent == 10


def test_creatinine_factor_agrees_with_the_lab_unit_table(seed: Protocol) -> None:
    # The protocol's CrCl setting and CTCAE grading's unit table must never disagree.
    from hipectrial.clinical.labs.units import LabTest, unit_conversion

    assert unit_conversion(LabTest.CREAT, "mg/dL").factor == seed.dose_calculation.crcl.creatinine_umol_per_mg_dl
