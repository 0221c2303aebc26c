"""A small protocol and a small trial that satisfies it, for the validate() tests.

The protocol has every section a protocol needs and no more: two cohorts, three forms (one
repeating, one with lab fields carrying CDISC codes), three agents (one for HER2-positive
only, one HIPEC agent with dose levels), one phase of three cycles, three visits.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hipectrial.data import (
    AdverseEvent,
    AeOutcome,
    AssessmentMethod,
    Attribution,
    CcScore,
    ClavienDindo,
    Complication,
    Cytology,
    DoseAdministration,
    FollowUp,
    FormRecord,
    LabResult,
    Lesion,
    LesionRole,
    Participant,
    Pathology,
    Provenance,
    ResidualTumour,
    Sex,
    Site,
    Surgery,
    TrialData,
    TumourAssessment,
    Visit,
    VitalStatus,
)

MINI_PROTOCOL_YAML = """\
schema_version: 1
study:
  id: MINI
  short_title: Mini trial
  full_title: A minimal trial for data tests
  phase: "2"
  design_summary: Single arm, two cohorts.
  version: "1.0"
  date: 2025-01-15
  multicenter: true
  masking: open_label
cohorts:
  - id: HER2-negative
    label: {en: HER2 negative, zh: HER2阴性}
    rule: her2_status == "negative"
  - id: HER2-positive
    label: {en: HER2 positive, zh: HER2阳性}
    rule: her2_status == "positive"
codelists:
  - id: her2
    items:
      - {code: negative, label: {en: Negative, zh: 阴性}}
      - {code: positive, label: {en: Positive, zh: 阳性}}
  - id: symptoms
    items:
      - {code: pain, label: {en: Pain, zh: 疼痛}}
      - {code: ascites, label: {en: Ascites, zh: 腹水}}
forms:
  - id: baseline
    label: {en: Baseline, zh: 基线}
    fields:
      - {id: her2_status, label: {en: HER2, zh: HER2}, type: choice, codelist: her2, required: true}
      - {id: weight_kg, label: {en: Weight, zh: 体重}, type: decimal, unit: kg, min: 30, max: 200,
         decimals: 1, required: true}
      - {id: ecog, label: {en: ECOG, zh: ECOG}, type: int, min: 0, max: 4}
      - {id: symptoms_present, label: {en: Symptoms, zh: 症状}, type: multi_choice, codelist: symptoms}
      - {id: diagnosis_date, label: {en: Diagnosis date, zh: 诊断日期}, type: date}
      - {id: smoker, label: {en: Smoker, zh: 吸烟}, type: boolean}
      - {id: notes, label: {en: Notes, zh: 备注}, type: text}
      - {id: pregnant, label: {en: Pregnant, zh: 怀孕}, type: boolean, required: true,
         show_if: "weight_kg < 40.0"}
    checks:
      - id: ecog_low
        expression: ecog <= 2
        message: {en: ECOG must be 2 or less, zh: ECOG须不大于2}
  - id: labs
    label: {en: Labs, zh: 实验室检查}
    fields:
      - {id: anc, label: {en: ANC, zh: 中性粒细胞}, type: decimal, unit: 10^9/L, min: 0, max: 50, cdisc: NEUT}
      - {id: hgb, label: {en: Haemoglobin, zh: 血红蛋白}, type: decimal, unit: g/L, min: 20, max: 250,
         cdisc: HGB}
  - id: ae
    label: {en: Adverse event, zh: 不良事件}
    repeating: true
    fields:
      - {id: ae_term, label: {en: Term, zh: 术语}, type: text}
      - {id: ae_start, label: {en: Start, zh: 开始}, type: datetime}
agents:
  - id: hipec-paclitaxel
    name: Paclitaxel (HIPEC)
    class: taxane
    route: intraperitoneal
    dose: {basis: dose_level, unit: mg/m2}
  - id: oxaliplatin
    name: Oxaliplatin
    class: platinum
    route: IV
    dose: {basis: per_bsa, amount: 130, unit: mg/m2, rounding: {step: 5}}
    schedule: {days: [1]}
    reduction: {ladder: [130, 100, 85], unit: mg/m2, max_reductions: 2}
  - id: trastuzumab
    name: Trastuzumab
    class: anti-HER2
    route: IV
    cohorts: [HER2-positive]
    dose: {basis: per_weight, amount: 6, unit: mg/kg, loading: {amount: 8}}
    schedule: {days: [1]}
    reducible: false
phases:
  - id: induction
    label: {en: Induction, zh: 诱导}
    agents: [oxaliplatin, trastuzumab]
    cycle_length_days: 21
    cycles: 3
    start: {anchor: hipec, day: 21, window_before: 7, window_after: 7}
hipec:
  agents: [hipec-paclitaxel]
  perfusion:
    carrier: normal saline
    volume_ml: 3000
    inflow_temperature_c: 43
    temperature_tolerance_c: 0.5
    duration_min: 60
    flow_ml_min_min: 400
    flow_ml_min_max: 600
  sessions:
    - id: laparoscopic
      label: {en: Laparoscopic HIPEC, zh: 腹腔镜HIPEC}
      timing: hipec
      approach: laparoscopic
dose_finding:
  explored_agents: [hipec-paclitaxel]
  levels:
    - {id: "1", doses: {hipec-paclitaxel: 75}}
    - {id: "2", doses: {hipec-paclitaxel: 125}}
  start_level: "1"
  design:
    method: boin
    target: 0.3
    phi1: 0.18
    phi2: 0.42
    cohort_size: 3
    max_cohorts: 4
    max_n: 12
    stop_n_at_dose: 9
    elimination_cutoff: 0.95
  dlt:
    window:
      start: hipec
      end: {anchor: cycle_start, phase: induction, cycle: 1, day: 21}
    criteria:
      - {id: fn, text: Febrile neutropenia}
    evaluable: Received HIPEC and cycle 1.
dose_modifications:
  retreatment:
    criteria:
      - {id: anc_ok, text: ANC at least 1.5, expression: anc >= 1.5}
    delay_days: 7
    max_delay_days: 21
    labs_within_hours: 72
  rules:
    - id: neutropenia_g4
      category: haematological
      when: {ctcae_term: Neutrophil count decreased, grade_min: 4}
      actions: {oxaliplatin: {action: reduce, levels: 1}}
      source: test
eligibility:
  - id: ecog_ok
    kind: inclusion
    text: {en: ECOG 0-1, zh: ECOG 0-1}
    expression: ecog <= 1
visits:
  - id: screening
    name: {en: Screening, zh: 筛选}
    timing: {anchor: registration, day: -7, window_before: 21, window_after: 7}
    forms: [baseline, labs]
  - id: cycle
    name: {en: Cycle day 1, zh: 周期第1天}
    timing: {anchor: cycle_start, phase: induction, day: 1, window_before: 3, window_after: 3}
    repeat: {per_cycle: induction}
    forms: [labs]
  - id: cardiac
    name: {en: Cardiac check, zh: 心脏检查}
    timing: {anchor: hipec, day: 84, window_before: 14, window_after: 14}
    cohorts: [HER2-positive]
    forms: [labs]
  - id: adverse-event
    name: {en: Adverse event, zh: 不良事件}
    timing: {anchor: event, day: 0}
    forms: [ae]
endpoints:
  - id: r0
    name: {en: R0 resection, zh: R0切除}
    role: primary
    kind: binary
    population: itt
    derivation: r0_resection
    definition: R0 over ITT.
statistics:
  primary:
    method: simon_two_stage
    endpoint: r0
    variant: optimal
    p0: 0.2
    p1: 0.4
    alpha: 0.05
    power: 0.8
    stage1: {n: 13, r: 3}
    total: {n: 43, r: 12}
    enrol: 48
dose_calculation:
  bsa: {method: mosteller, decimals: 2, rounding: half_up}
  crcl: {formula: cockcroft_gault, weight: actual, female_factor: 0.85, creatinine_umol_per_mg_dl: 88.4, decimals: 1}
  recalculate_weight_change_percent: 10
  dose_tolerance_percent: 5
response_assessment: {criteria: recist_1_1, confirmation_days: 28, sd_minimum_days: 35, sd_reference: registration, window_ends_at: surgery}
"""

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
D = dt.date


def provenance(day: dt.date) -> Provenance:
    return Provenance(entered_by="crc.zhang", entered_at=dt.datetime(day.year, day.month, day.day, 17,
                                                                      tzinfo=SHANGHAI),
                      protocol_version="1.0")


def clean_trial() -> TrialData:
    """Two participants at site SH01 whose records agree with the mini protocol.

    SH01-001 (HER2-negative, level 1) is operated and alive; SH01-002 (HER2-positive,
    level 2) goes off treatment at progression and dies.
    """
    a, b = "SH01-001", "SH01-002"
    return TrialData(
        protocol_id="MINI", protocol_version="1.0",
        generated_at=dt.datetime(2025, 11, 1, 8, tzinfo=SHANGHAI),
        sites=(
            Site(id="SH01", name="Shanghai General Hospital", country="CN", city="Shanghai"),
            Site(id="BJ02", name="Peking University Cancer Hospital", country="CN"),
        ),
        participants=(
            Participant(id=a, site_id="SH01", sex=Sex.FEMALE, birth_date=D(1962, 5, 4),
                        consent_date=D(2025, 1, 2), registration_date=D(2025, 1, 6),
                        cohort="HER2-negative", dose_level="1", provenance=provenance(D(2025, 1, 6))),
            Participant(id=b, site_id="SH01", sex=Sex.MALE, birth_date=D(1958, 11, 30),
                        consent_date=D(2025, 1, 20), registration_date=D(2025, 1, 22),
                        cohort="HER2-positive", dose_level="2",
                        off_treatment_date=D(2025, 6, 1), off_treatment_reason="progression",
                        off_study_date=D(2025, 8, 15), off_study_reason="death"),
        ),
        visits=(
            Visit(participant_id=a, visit_id="screening", planned_date=D(2025, 1, 3),
                  actual_date=D(2025, 1, 3)),
            Visit(participant_id=a, visit_id="cycle", repeat=1, planned_date=D(2025, 1, 31),
                  actual_date=D(2025, 1, 31)),
            Visit(participant_id=a, visit_id="cycle", repeat=2, planned_date=D(2025, 2, 21),
                  actual_date=D(2025, 2, 24)),
            Visit(participant_id=a, visit_id="adverse-event", actual_date=D(2025, 2, 3)),
            Visit(participant_id=b, visit_id="screening", actual_date=D(2025, 1, 21)),
        ),
        form_records=(
            FormRecord(participant_id=a, form_id="baseline", visit_id="screening", values={
                "her2_status": "negative", "weight_kg": Decimal("61.5"), "ecog": 1,
                "symptoms_present": ("pain", "ascites"), "diagnosis_date": D(2024, 12, 10),
                "smoker": False, "notes": "lavage cytology positive",
            }, provenance=provenance(D(2025, 1, 3))),
            FormRecord(participant_id=a, form_id="labs", visit_id="cycle", visit_repeat=1,
                       values={"anc": Decimal("2.10"), "hgb": Decimal("118")}),
            FormRecord(participant_id=a, form_id="ae", visit_id="adverse-event", repeat=1, values={
                "ae_term": "Diarrhea", "ae_start": dt.datetime(2025, 2, 3, 7, 30, tzinfo=SHANGHAI),
            }),
            FormRecord(participant_id=b, form_id="baseline", visit_id="screening", values={
                "her2_status": "positive", "weight_kg": Decimal("38.2"), "ecog": 0, "pregnant": False,
            }),
        ),
        doses=(
            DoseAdministration(participant_id=a, agent="hipec-paclitaxel", date=D(2025, 1, 10),
                               prescribed=Decimal("75"), given=Decimal("75"), unit="mg/m2"),
            DoseAdministration(participant_id=a, agent="oxaliplatin", date=D(2025, 1, 31),
                               prescribed=Decimal("215"), given=Decimal("215"), unit="mg",
                               phase="induction", cycle=1, day=1),
            DoseAdministration(participant_id=a, agent="oxaliplatin", date=D(2025, 2, 24),
                               prescribed=Decimal("215"), given=Decimal("165"), unit="mg",
                               phase="induction", cycle=2, day=1,
                               change_reason="reduced to 100 mg/m2 after grade 4 neutropenia"),
            DoseAdministration(participant_id=b, agent="trastuzumab", date=D(2025, 2, 14),
                               prescribed=Decimal("8"), given=Decimal("8"), unit="mg/kg",
                               phase="induction", cycle=1, day=1),
        ),
        adverse_events=(
            AdverseEvent(participant_id=a, term="Diarrhea", grade=2, onset_date=D(2025, 2, 3),
                         resolution_date=D(2025, 2, 8),
                         attribution={"oxaliplatin": Attribution.POSSIBLE},
                         outcome=AeOutcome.RECOVERED),
            AdverseEvent(participant_id=a, term="Neutrophil count decreased", grade=4,
                         onset_date=D(2025, 2, 12), resolution_date=D(2025, 2, 20), serious=True,
                         attribution={"oxaliplatin": Attribution.PROBABLE,
                                      "hipec-paclitaxel": Attribution.POSSIBLE},
                         dlt=True, outcome=AeOutcome.RECOVERED),
            AdverseEvent(participant_id=b, term="Sepsis", grade=5, onset_date=D(2025, 8, 10),
                         resolution_date=D(2025, 8, 15), serious=True,
                         attribution={"trastuzumab": Attribution.UNLIKELY}, outcome=AeOutcome.FATAL),
        ),
        lab_results=(
            LabResult(participant_id=a, test_code="NEUT", value=Decimal("2.10"), unit="10^9/L",
                      date=D(2025, 1, 30), reference_lower=Decimal("2.0"), reference_upper=Decimal("7.5")),
            LabResult(participant_id=a, test_code="HGB", value=Decimal("118"), unit="g/L",
                      date=D(2025, 1, 30), reference_lower=Decimal("115"), reference_upper=Decimal("150")),
        ),
        tumour_assessments=(
            TumourAssessment(participant_id=a, date=D(2025, 1, 4), method=AssessmentMethod.CT, lesions=(
                Lesion(id="T1", site="peritoneum", role=LesionRole.TARGET, measurement_mm=Decimal("23")),
                Lesion(id="N1", site="ascites", role=LesionRole.NON_TARGET),
            )),
            TumourAssessment(participant_id=a, date=D(2025, 1, 10), method=AssessmentMethod.LAPAROSCOPY,
                             pci=(1, 2, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0), cytology=Cytology.CY1),
        ),
        surgeries=(
            Surgery(participant_id=a, date=D(2025, 4, 20), procedure="D2 gastrectomy + cytoreduction",
                    r_status=ResidualTumour.R0, cc_score=CcScore.CC0,
                    complications=(Complication(description="anastomotic leak", grade=ClavienDindo.IIIA,
                                                onset_date=D(2025, 4, 25)),),
                    pathology=Pathology(ypt="ypT0", ypn="ypN0", regression_grade="1a", pcr=True)),
        ),
        follow_ups=(
            FollowUp(participant_id=a, date=D(2025, 10, 1), vital_status=VitalStatus.ALIVE),
            FollowUp(participant_id=b, date=D(2025, 5, 30), vital_status=VitalStatus.ALIVE,
                     progression_date=D(2025, 5, 28)),
            FollowUp(participant_id=b, date=D(2025, 8, 20), vital_status=VitalStatus.DEAD,
                     progression_date=D(2025, 5, 28), death_date=D(2025, 8, 15),
                     cause_of_death="sepsis"),
        ),
    )
