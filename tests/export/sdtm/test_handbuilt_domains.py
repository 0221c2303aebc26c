"""DS, SV, EX, EC, TA, TV, TI and TS of the hand-built trial, written out by hand.

Study days are counted by hand from RFSTDTC = 2025-01-13 (the day-0 HIPEC), with no day 0
(SDTMIG 3.4 §4.4.4): 2025-01-02 is day -11, 2025-01-05 day -8, 2025-01-10 day -3,
2025-02-03 day 22 (21 days later), 2025-02-24 day 43, 2025-03-03 day 50, 2025-06-01 day 140.
EPOCH: SCREENING before 2025-01-13, TREATMENT to the last dose given (2025-02-24),
FOLLOW-UP after it. VISITNUM = 1000 x the visit's position in the seed protocol's schedule
+ the occurrence (screening 1st, registration 3rd, day 0 4th, induction cycle 6th, end of
treatment 19th, death 29th).
"""

from __future__ import annotations

S, P1, P2 = "HIPEC-PD1-SOX", "HIPEC-PD1-SOX-SH01-001", "HIPEC-PD1-SOX-SH01-002"


def _rows(dataset, names):
    return [tuple(record[n] for n in names) for record in dataset.records()]


def test_ds_written_by_hand(hand_datasets):
    names = ("USUBJID", "DSSEQ", "DSTERM", "DSDECOD", "DSCAT", "DSSCAT", "EPOCH", "DSSTDTC", "DSSTDY")
    assert _rows(hand_datasets["DS"], names) == [
        (P1, 1, "Informed consent obtained", "INFORMED CONSENT OBTAINED", "PROTOCOL MILESTONE", None,
         "SCREENING", "2025-01-02", -11),
        (P1, 2, "Registered", "ENTERED INTO TRIAL", "PROTOCOL MILESTONE", None, "SCREENING",
         "2025-01-10", -3),
        (P1, 3, "Unacceptable toxicity", "ADVERSE EVENT", "DISPOSITION EVENT", "STUDY TREATMENT",
         "TREATMENT", "2025-02-24", 43),
        (P1, 4, "Death", "DEATH", "DISPOSITION EVENT", "STUDY PARTICIPATION", "FOLLOW-UP",
         "2025-06-01", 140),
        (P2, 1, "Informed consent obtained", "INFORMED CONSENT OBTAINED", "PROTOCOL MILESTONE", None,
         "SCREENING", "2025-02-01", None),
        # the protocol's label of eos-reason screen_failure; never treated: no study day
        (P2, 2, "Screen failure (not eligible; never registered)", "SCREEN FAILURE", "DISPOSITION EVENT",
         "STUDY PARTICIPATION", "SCREENING", "2025-02-10", None),
    ]


def test_sv_written_by_hand(hand_datasets):
    names = ("USUBJID", "VISITNUM", "VISIT", "VISITDY", "EPOCH", "SVSTDTC", "SVENDTC", "SVSTDY",
             "SVUPDES")
    assert _rows(hand_datasets["SV"], names) == [
        (P1, 1001, "Screening", -14, "SCREENING", "2025-01-05", "2025-01-05", -8, None),
        (P1, 3001, "Registration", 1, "SCREENING", "2025-01-10", "2025-01-10", -3, None),
        (P1, 4001, "Day 0 - diagnostic laparoscopy and HIPEC", 1, "TREATMENT", "2025-01-13",
         "2025-01-13", 1, None),
        (P1, 6001, "Induction cycle day 1, cycle 1", 22, "TREATMENT", "2025-02-03", "2025-02-03", 22, None),
        (P1, 6002, "Induction cycle day 1, cycle 2", 43, "TREATMENT", "2025-02-24", "2025-02-24", 43, None),
        # 2025-03-03 is day 8 of cycle 2, whose S-1 (days 1-14) runs to 2025-03-09 = RFXENDTC:
        # still the TREATMENT epoch (context.py: the CRF records S-1's first day only).
        (P1, 19001, "End of treatment", None, "TREATMENT", "2025-03-03", "2025-03-03", 50, None),
        (P1, 29001, "Death", None, "FOLLOW-UP", "2025-06-01", "2025-06-01", 140, "Event visit: Death"),
        (P2, 1001, "Screening", -14, "SCREENING", "2025-02-03", "2025-02-03", None, None),
    ]


def test_ex_holds_the_doses_given_with_the_reason_for_a_changed_dose(hand_datasets):
    names = ("USUBJID", "EXSEQ", "EXTRT", "EXCAT", "EXSCAT", "EXDOSE", "EXDOSU", "EXDOSFRM",
             "EXDOSFRQ", "EXROUTE", "EXADJ", "EPOCH", "EXSTDTC", "EXENDTC", "EXSTDY", "EXENDY")
    assert _rows(hand_datasets["EX"], names) == [
        (P1, 1, "PACLITAXEL (HIPEC)", "HIPEC", None, 130, "mg", "INJECTION", "ONCE", "INTRAPERITONEAL",
         None, "TREATMENT", "2025-01-13", "2025-01-13", 1, 1),
        (P1, 2, "OXALIPLATIN", "INDUCTION", "CYCLE 1", 215, "mg", "INJECTION", "ONCE", "INTRAVENOUS",
         None, "TREATMENT", "2025-02-03", "2025-02-03", 22, 22),
        # S-1: twice daily on days 1-14; the CRF records the first day only, EXENDTC is day 14
        # of the cycle: 2025-02-03 + 13 = 2025-02-16, study day 22 + 13 = 35
        (P1, 3, "S-1", "INDUCTION", "CYCLE 1", 60, "mg", "CAPSULE", "BID", "ORAL",
         None, "TREATMENT", "2025-02-03", "2025-02-16", 22, 35),
        (P1, 4, "TISLELIZUMAB", "INDUCTION", "CYCLE 1", 200, "mg", "INJECTION", "ONCE", "INTRAVENOUS",
         None, "TREATMENT", "2025-02-03", "2025-02-03", 22, 22),
        # cycle 2: oxaliplatin withheld (not in EX), S-1 reduced
        (P1, 5, "S-1", "INDUCTION", "CYCLE 2", 50, "mg", "CAPSULE", "BID", "ORAL",
         "dose reduced: neutropenia grade 3", "TREATMENT", "2025-02-24", "2025-03-09", 43, 56),
        (P1, 6, "TISLELIZUMAB", "INDUCTION", "CYCLE 2", 200, "mg", "INJECTION", "ONCE", "INTRAVENOUS",
         None, "TREATMENT", "2025-02-24", "2025-02-24", 43, 43),
    ]


def test_ec_holds_prescribed_and_given_doses_and_the_withheld_one(hand_datasets):
    names = ("ECSEQ", "ECTRT", "ECMOOD", "ECOCCUR", "ECREASOC", "ECDOSE", "ECDOSU", "ECADJ", "ECSTDTC")
    assert _rows(hand_datasets["EC"], names) == [
        (1, "PACLITAXEL (HIPEC)", "SCHEDULED", None, None, 130, "mg", None, "2025-01-13"),
        (2, "PACLITAXEL (HIPEC)", "PERFORMED", "Y", None, 130, "mg", None, "2025-01-13"),
        (3, "OXALIPLATIN", "SCHEDULED", None, None, 215, "mg", None, "2025-02-03"),
        (4, "OXALIPLATIN", "PERFORMED", "Y", None, 215, "mg", None, "2025-02-03"),
        (5, "S-1", "SCHEDULED", None, None, 60, "mg", None, "2025-02-03"),
        (6, "S-1", "PERFORMED", "Y", None, 60, "mg", None, "2025-02-03"),
        (7, "TISLELIZUMAB", "SCHEDULED", None, None, 200, "mg", None, "2025-02-03"),
        (8, "TISLELIZUMAB", "PERFORMED", "Y", None, 200, "mg", None, "2025-02-03"),
        (9, "OXALIPLATIN", "SCHEDULED", None, None, 215, "mg", None, "2025-02-24"),
        (10, "OXALIPLATIN", "PERFORMED", "N", "withheld: neutropenia grade 3", None, None, None,
         "2025-02-24"),
        (11, "S-1", "SCHEDULED", None, None, 60, "mg", None, "2025-02-24"),
        (12, "S-1", "PERFORMED", "Y", None, 50, "mg", "dose reduced: neutropenia grade 3", "2025-02-24"),
        (13, "TISLELIZUMAB", "SCHEDULED", None, None, 200, "mg", None, "2025-02-24"),
        (14, "TISLELIZUMAB", "PERFORMED", "Y", None, 200, "mg", None, "2025-02-24"),
    ]


def test_ta_path_of_the_her2_negative_level_1_arm(hand_datasets):
    rows = [r for r in hand_datasets["TA"].records() if r["ARMCD"] == "HER2NEGATIVE_L1"]
    assert [(r["TAETORD"], r["ETCD"], r["EPOCH"], r["TATRANS"]) for r in rows] == [
        (1, "SCRN", "SCREENING", None),
        (2, "HIPEC1", "TREATMENT", None),
        (3, "P1C1", "TREATMENT",
         "If the conversion-surgery criteria are not met at re-evaluation, go to element 7 (P4)"),
        (4, "SURG1", "TREATMENT", None),   # operated branch: surgery, adjuvant, maintenance
        (5, "P2", "TREATMENT", None),
        (6, "P3", "TREATMENT", "Go to element 9 (FU)"),
        (7, "P4", "TREATMENT", None),      # not operated: continuation, maintenance
        (8, "P5", "TREATMENT", None),
        (9, "FU", "FOLLOW-UP", None),
    ]
    # six arms (2 cohorts x 3 dose levels) of nine elements each
    assert len(hand_datasets["TA"].rows) == 6 * 9


def test_te_induction_differs_by_cohort_because_of_trastuzumab(hand_datasets):
    elements = {r["ETCD"]: r for r in hand_datasets["TE"].records()}
    assert elements["P1C2"]["ELEMENT"] == ("Induction: Oxaliplatin + S-1 + Tislelizumab + Trastuzumab, "
                                           "3 21-day cycles (HER2-positive)")
    assert elements["P1C1"]["TEDUR"] == "P63D"   # 3 cycles x 21 days
    assert elements["HIPEC2"]["ELEMENT"] == "Day-0 HIPEC: Paclitaxel (HIPEC) 125 mg/m2 (dose level 2)"
    assert elements["HIPEC2"]["TEDUR"] == "P21D"  # induction cycle 1 starts on day 21 after HIPEC


def test_tv_planned_days_and_cohort_visits(hand_datasets):
    records = hand_datasets["TV"].records()
    induction = [(r["VISITNUM"], r["VISITDY"]) for r in records if 6000 < r["VISITNUM"] < 7000]
    assert induction == [(6001, 22), (6002, 43), (6003, 64)]  # day 21 after HIPEC, then every 21 days
    lvef = {r["ARMCD"] for r in records if r["VISITNUM"] == 18001}
    assert lvef == {"HER2POSITIVE_L1", "HER2POSITIVE_L2", "HER2POSITIVE_L3"}
    screening = next(r for r in records if r["VISITNUM"] == 1001)
    assert (screening["VISITDY"], screening["ARMCD"]) == (-14, None)
    assert not [r for r in records if r["VISITNUM"] >= 24000]  # event visits are not planned


def test_ti_criteria_and_the_cohort_limited_one(hand_datasets):
    records = hand_datasets["TI"].records()
    assert len(records) == 31  # 19 inclusion + 12 exclusion criteria in the seed protocol
    first = records[0]
    assert (first["IETESTCD"], first["IETEST"], first["IECAT"], first["TIRL"]) == (
        "I01", "Age 18 to 75 years", "INCLUSION", "age >= 18 && age <= 75")
    lvef = next(r for r in records if r["IETESTCD"] == "I17")
    assert lvef["IESCAT"] == "HER2-positive only"


def test_ts_parameters_from_the_protocol(hand_datasets):
    ts = {(r["TSPARMCD"], r["TSSEQ"]): r for r in hand_datasets["TS"].records()}
    assert (ts["TPHASE", 1]["TSVAL"], ts["TPHASE", 1]["TSVALCD"]) == ("PHASE II TRIAL", "C15601")
    assert (ts["AGEMIN", 1]["TSVAL"], ts["AGEMAX", 1]["TSVAL"]) == ("P18Y", "P75Y")
    assert ts["PLANSUB", 1]["TSVAL"] == "66"   # BOIN max_n 18 + Part B enrolment 48
    assert ts["NARMS", 1]["TSVAL"] == "6"
    assert ts["ACTSUB", 1]["TSVAL"] == "1"     # SH01-001 registered, SH01-002 not
    assert ts["SSTDTC", 1]["TSVAL"] == "2025-01-02"
    assert ts["DCUTDTC", 1]["TSVAL"] == "2025-07-01"
    assert (ts["FCNTRY", 1]["TSVAL"], ts["TBLIND", 1]["TSVAL"]) == ("CHN", "OPEN LABEL")
    assert (ts["SPONSOR", 1]["TSVAL"], ts["SPONSOR", 1]["TSVALNF"]) == (None, "NI")
    assert [ts["INDIC", n]["TSVAL"] for n in (1, 2)] == [
        "Gastric adenocarcinoma with peritoneal metastasis",
        "Oesophagogastric junction adenocarcinoma with peritoneal metastasis"]
    title = ts["TITLE", 1]
    assert len(title["TSVAL"]) <= 200
    assert title["TSVAL"] + title["TSVAL1"] == (
        "The Efficacy and Safety of HIPEC Combined With PD-1 and SOX Chemotherapy for the "
        "Translational Treatment of Gastric or Esophagogastric Junctional Cancer With Peritoneal "
        "Metastasis: A Prospective, Multicenter Phase II Study")
