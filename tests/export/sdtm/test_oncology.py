"""TU, TR, RS and RELREC of a hand-built course, every row written out by hand.

Baseline CT (5 Jan 2025, before registration on 8 Jan): T1 liver 50 mm, T2 lymph node short
axis 20 mm (targets), NT1 peritoneum (non-target); sum of diameters 70 mm.
RECIST 1.1 (Eisenhauer 2009, §4.3.1, Table 1):
- 21 Feb: T1 30 + T2 5 = 35 mm, -50 % from 70 (<= -30 %): target PR; NT1 present: non-target
  non-CR/non-PD; overall PR.
- 4 Apr: T1 too small (5 mm), T2 disappeared (0): 5 mm, not PD against the nadir 35, -93 %:
  target PR (T1 is not 0 mm, so not CR); NT1 gone: non-target CR; overall PR.
- 16 May: 5 mm again (no increase over the nadir 5): target PR; non-target CR; a new lesion
  N1: overall PD.
Best overall response: PR on 21 Feb, confirmed by the PR 42 days later (>= 28 days, the
protocol's confirmation interval): PR, dated 21 Feb.
Day-0 laparoscopy (10 Jan): lesion-size scores by PCI region 0-12 (Jacquet & Sugarbaker 1996:
0 central, 1 right upper, 2 epigastrium, 3 left upper, 4 left flank, 5 left lower, 6 pelvis,
7 right lower, 8 right flank, 9 upper jejunum, 10 lower jejunum, 11 upper ileum, 12 lower
ileum) 0,1,2,3,0,0,0,0,0,0,0,1,0 and lavage cytology CY1.
RFSTDTC 10 Jan, RFXENDTC 15 Mar: 5 Jan -> day -5, 10 Jan -> 1, 21 Feb -> 43, 4 Apr -> 85,
16 May -> 127.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hipectrial.data import AssessmentMethod, Cytology, Lesion, LesionRole, LesionStatus, TumourAssessment
from hipectrial.export.sdtm import oncology

from .small import context, dose, trial, visit

D = dt.date
T, NT, NEW = LesionRole.TARGET, LesionRole.NON_TARGET, LesionRole.NEW
S = LesionStatus


def _ct(day, *lesions):
    return TumourAssessment(participant_id="SH01-001", date=day, method=AssessmentMethod.CT, lesions=lesions)


def _t1(status=None, mm=None):
    return Lesion(id="T1", site="liver", role=T, status=status, measurement_mm=None if mm is None else Decimal(mm))


def _t2(status=None, mm=None):
    return Lesion(id="T2", site="lymph_node", role=T, nodal=True, status=status,
                  measurement_mm=None if mm is None else Decimal(mm))


def _nt1(status=None):
    return Lesion(id="NT1", site="peritoneum", role=NT, status=status)


ASSESSMENTS = (
    _ct(D(2025, 5, 16), _t1(S.TOO_SMALL), _t2(S.DISAPPEARED), _nt1(S.DISAPPEARED),
        Lesion(id="N1", site="liver", role=NEW)),
    _ct(D(2025, 1, 5), _t1(mm="50"), _t2(mm="20"), _nt1()),
    TumourAssessment(participant_id="SH01-001", date=D(2025, 1, 10), method=AssessmentMethod.LAPAROSCOPY,
                     pci=(0, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0), cytology=Cytology.CY1),
    _ct(D(2025, 2, 21), _t1(S.MEASURED, "30"), _t2(S.MEASURED, "5"), _nt1(S.PRESENT)),
    _ct(D(2025, 4, 4), _t1(S.TOO_SMALL), _t2(S.DISAPPEARED), _nt1(S.DISAPPEARED)),
)
VISITS = (visit("SH01-001", "screening", D(2025, 1, 5)),
          visit("SH01-001", "day0-laparoscopy-hipec", D(2025, 1, 10)),
          visit("SH01-001", "tumour-assessment-preop", D(2025, 2, 21)),
          visit("SH01-001", "reevaluation", D(2025, 4, 4)),
          visit("SH01-001", "tumour-assessment-preop", D(2025, 5, 16), repeat=2))
SCREEN = (1001, "Screening", "SCREENING", "2025-01-05", -5)
DAY0 = (4001, "Day 0 - diagnostic laparoscopy and HIPEC", "TREATMENT", "2025-01-10", 1)
FU1 = (7001, "Tumour assessment every 6 weeks until surgery, number 1", "TREATMENT", "2025-02-21", 43)
FU2 = (8001, "Re-evaluation after cycle 3 (CT and second-look laparoscopy)", "FOLLOW-UP", "2025-04-04", 85)
FU3 = (7002, "Tumour assessment every 6 weeks until surgery, number 2", "FOLLOW-UP", "2025-05-16", 127)
REGIONS = ("CENTRAL", "RIGHT UPPER", "EPIGASTRIUM", "LEFT UPPER", "LEFT FLANK", "LEFT LOWER", "PELVIS",
           "RIGHT LOWER", "RIGHT FLANK", "UPPER JEJUNUM", "LOWER JEJUNUM", "UPPER ILEUM", "LOWER ILEUM")
SCORES = (0, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0)

TU_COLUMNS = ["TUSEQ", "TULNKID", "TUTESTCD", "TUORRES", "TUSTRESC", "TULOC", "TUMETHOD", "TULOBXFL",
              "TUEVAL", "VISITNUM", "VISIT", "EPOCH", "TUDTC", "TUDY"]
EXPECTED_TU = [
    (1, "T1", "TUMIDENT", "TARGET", "TARGET", "LIVER", "CT SCAN", "Y", "INVESTIGATOR", *SCREEN),
    (2, "T2", "TUMIDENT", "TARGET", "TARGET", "LYMPH NODE", "CT SCAN", "Y", "INVESTIGATOR", *SCREEN),
    (3, "NT1", "TUMIDENT", "NON-TARGET", "NON-TARGET", "PERITONEUM", "CT SCAN", "Y", "INVESTIGATOR", *SCREEN),
    *((4 + n, f"PCI-R{n}", "TUMIDENT", "LOCATION OF INTEREST", "LOCATION OF INTEREST",
       f"PCI REGION {n} {name}", "LAPAROSCOPY", "Y", "INVESTIGATOR", *DAY0) for n, name in enumerate(REGIONS)),
    (17, "CYTOLOGY", "TUMIDENT", "LOCATION OF INTEREST", "LOCATION OF INTEREST", "PERITONEAL CAVITY",
     "LAPAROSCOPY", "Y", "INVESTIGATOR", *DAY0),
    (18, "N1", "TUMIDENT", "NEW", "NEW", "LIVER", "CT SCAN", None, "INVESTIGATOR", *FU3),
]

TR_COLUMNS = ["TRSEQ", "TRGRPID", "TRLNKGRP", "TRLNKID", "TRTESTCD", "TRTEST", "TRORRES", "TRORRESU",
              "TRSTRESC", "TRSTRESN", "TRSTRESU", "TRMETHOD", "TREVAL", "VISITNUM", "VISIT", "EPOCH", "TRDTC",
              "TRDY"]
LD, SA, STATE, LS = ("LDIAM", "Longest Diameter"), ("SAXIS", "Short Axis"), ("TUMSTATE", "Tumor State"), \
    ("LSSCORE", "PCI Lesion Size Score")
CT, INV = "CT SCAN", "INVESTIGATOR"
EXPECTED_TR = [
    (1, "TARGET", "A1", "T1", *LD, "50", "mm", "50", 50.0, "mm", CT, INV, *SCREEN),
    (2, "TARGET", "A1", "T2", *SA, "20", "mm", "20", 20.0, "mm", CT, INV, *SCREEN),
    (3, "NON-TARGET", "A1", "NT1", *STATE, "PRESENT", None, "PRESENT", None, None, CT, INV, *SCREEN),
    *((4 + n, "PCI", None, f"PCI-R{n}", *LS, str(score), None, str(score), float(score), None,
       "LAPAROSCOPY", INV, *DAY0) for n, score in enumerate(SCORES)),
    (17, "CYTOLOGY", None, "CYTOLOGY", *STATE, "CY1", None, "PRESENT", None, None, "CYTOLOGY", INV, *DAY0),
    (18, "TARGET", "A2", "T1", *LD, "30", "mm", "30", 30.0, "mm", CT, INV, *FU1),
    (19, "TARGET", "A2", "T2", *SA, "5", "mm", "5", 5.0, "mm", CT, INV, *FU1),
    (20, "NON-TARGET", "A2", "NT1", *STATE, "PRESENT", None, "PRESENT", None, None, CT, INV, *FU1),
    (21, "TARGET", "A3", "T1", *LD, "TOO SMALL TO MEASURE", "mm", "5", 5.0, "mm", CT, INV, *FU2),
    (22, "TARGET", "A3", "T2", *SA, "0", "mm", "0", 0.0, "mm", CT, INV, *FU2),
    (23, "NON-TARGET", "A3", "NT1", *STATE, "ABSENT", None, "ABSENT", None, None, CT, INV, *FU2),
    (24, "TARGET", "A4", "T1", *LD, "TOO SMALL TO MEASURE", "mm", "5", 5.0, "mm", CT, INV, *FU3),
    (25, "TARGET", "A4", "T2", *SA, "0", "mm", "0", 0.0, "mm", CT, INV, *FU3),
    (26, "NON-TARGET", "A4", "NT1", *STATE, "ABSENT", None, "ABSENT", None, None, CT, INV, *FU3),
    (27, "NEW", "A4", "N1", *STATE, "PRESENT", None, "PRESENT", None, None, CT, INV, *FU3),
]

RS_COLUMNS = ["RSSEQ", "RSLNKGRP", "RSTESTCD", "RSTEST", "RSCAT", "RSORRES", "RSSTRESC", "RSDRVFL",
              "VISITNUM", "VISIT", "EPOCH", "RSDTC", "RSDY"]
R = "RECIST 1.1"
EXPECTED_RS = [
    (1, None, "TRGRESP", "Target Response", R, "PR", "PR", "Y", *FU1),
    (2, None, "NTRGRESP", "Non-target Response", R, "NON-CR/NON-PD", "NON-CR/NON-PD", "Y", *FU1),
    (3, "A2", "OVRLRESP", "Overall Response", R, "PR", "PR", "Y", *FU1),
    (4, None, "TRGRESP", "Target Response", R, "PR", "PR", "Y", *FU2),
    (5, None, "NTRGRESP", "Non-target Response", R, "CR", "CR", "Y", *FU2),
    (6, "A3", "OVRLRESP", "Overall Response", R, "PR", "PR", "Y", *FU2),
    (7, None, "TRGRESP", "Target Response", R, "PR", "PR", "Y", *FU3),
    (8, None, "NTRGRESP", "Non-target Response", R, "CR", "CR", "Y", *FU3),
    (9, "A4", "OVRLRESP", "Overall Response", R, "PD", "PD", "Y", *FU3),
    (10, None, "BESTRSP", "Best Overall Response", R, "PR", "PR", "Y", None, None, "TREATMENT", "2025-02-21",
     43),
]


@pytest.fixture(scope="module")
def built(protocol):
    data = trial(doses=(dose("SH01-001", "hipec-paclitaxel", D(2025, 1, 10)),
                        dose("SH01-001", "oxaliplatin", D(2025, 3, 15))),
                 visits=VISITS, tumour_assessments=ASSESSMENTS)
    return oncology.build(trial=data, protocol=protocol, study=context(data, protocol))


def _rows(dataset, columns):
    return [tuple(r[c] for c in columns) for r in dataset.records()]


def test_tu_identifies_each_lesion_and_peritoneal_location_once(built):
    assert _rows(built[0], TU_COLUMNS) == EXPECTED_TU


def test_tr_holds_each_measurement_linked_to_its_lesion(built):
    assert _rows(built[1], TR_COLUMNS) == EXPECTED_TR
    assert set(built[1].column("TRLNKID")) <= set(built[0].column("TULNKID"))


def test_rs_holds_the_recist_responses_worked_out_by_hand(built):
    assert _rows(built[2], RS_COLUMNS) == EXPECTED_RS
    linked = {g for g in built[2].column("RSLNKGRP") if g is not None}
    assert linked <= set(built[1].column("TRLNKGRP"))


def test_relrec_states_the_two_dataset_links(built):
    assert _rows(built[3], ["RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "RELTYPE", "RELID"]) == [
        ("TU", None, "TULNKID", None, "ONE", "TUTR"), ("TR", None, "TRLNKID", None, "MANY", "TUTR"),
        ("RS", None, "RSLNKGRP", None, "ONE", "TRRS"), ("TR", None, "TRLNKGRP", None, "MANY", "TRRS")]


def test_a_lesion_not_evaluated_is_not_done(protocol):
    assessments = (_ct(D(2025, 1, 5), _t1(mm="50"), _nt1()),
                   _ct(D(2025, 2, 21), _t1(S.NOT_EVALUATED), _nt1(S.NOT_EVALUATED)))
    data = trial(doses=(dose("SH01-001", "hipec-paclitaxel", D(2025, 1, 10)),), tumour_assessments=assessments)
    _tu, tr, rs, _relrec = oncology.build(trial=data, protocol=protocol, study=context(data, protocol))
    got = _rows(tr, ["TRLNKID", "TRTESTCD", "TRORRES", "TRSTAT", "TRREASND"])[2:]
    assert got == [("T1", "LDIAM", None, "NOT DONE", "NOT EVALUATED"),
                   ("NT1", "TUMSTATE", None, "NOT DONE", "NOT EVALUATED")]
    assert ("OVRLRESP", "NE") in {(r["RSTESTCD"], r["RSORRES"]) for r in rs.records()}


def test_counts_follow_the_simulated_trial(simulated_trial, simulated_study, protocol):
    from hipectrial.analysis.facts import collect_facts
    from hipectrial.analysis.response import evaluate_participant

    tu, tr, rs, _relrec = oncology.build(trial=simulated_trial, protocol=protocol, study=simulated_study)
    lesions = {(a.participant_id, les.id) for a in simulated_trial.tumour_assessments for les in a.lesions}
    explored = {a.participant_id for a in simulated_trial.tumour_assessments if any(s is not None for s in a.pci)}
    sampled = {a.participant_id for a in simulated_trial.tumour_assessments
               if a.method in (AssessmentMethod.LAPAROSCOPY, AssessmentMethod.LAPAROTOMY) and a.cytology}
    assert len(tu.rows) == len(lesions) + 13 * len(explored) + len(sampled)
    facts = collect_facts(trial=simulated_trial, protocol=protocol)
    evaluations = [evaluate_participant(protocol=protocol, facts=f) for f in facts.values()]
    assert rs.column("RSTESTCD").count("OVRLRESP") == sum(len(e.timepoints) for e in evaluations) > 0
    assert rs.column("RSTESTCD").count("BESTRSP") == sum(e.bor is not None for e in evaluations) > 0
    measured = sum(len(a.lesions) for a in simulated_trial.tumour_assessments)
    assert len(tr.rows) >= measured
