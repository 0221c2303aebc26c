"""LB from a hand-built trial whose rows are written out by hand.

Grades are CTCAE v5.0's bands (NCI, 27 Nov 2017), read at their edges:
- Neutrophil count decreased: grade 2 "<1.5 - 1.0 x 10e9/L", grade 3 "<1.0 - 0.5": exactly
  1.0 is grade 2.
- Platelet count decreased: grade 1 "<LLN - 75.0 x 10e9/L", grade 2 "<75.0 - 50.0": exactly 75
  is grade 1.
- ALT increased (baseline normal): grade 1 ">ULN - 3.0 x ULN", grade 2 ">3.0 - 5.0 x ULN": 120 U/L
  with ULN 40 is exactly 3.0 x ULN, grade 1.
- Anemia: grade 2 "Hgb <10.0 - 8.0 g/dL": 9.5 g/dL is grade 2; in SI units 9.5 g/dL x 10 =
  95 g/L (and the range 12.0-16.0 g/dL = 120-160 g/L).
RFSTDTC is 10 January 2025: 5 Jan -> day -5, 10 Jan -> 1, 31 Jan -> 22, 5 Feb -> 27.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hipectrial.data import LabResult
from hipectrial.errors import InputError
from hipectrial.export.sdtm import lb

from .small import context, dose, trial, visit

D = dt.date
U = "HIPEC-PD1-SOX-SH01-001"


def _lab(code, value, unit, day, low=None, high=None):
    return LabResult(participant_id="SH01-001", test_code=code, value=Decimal(value), unit=unit, date=day,
                     reference_lower=None if low is None else Decimal(low),
                     reference_upper=None if high is None else Decimal(high))


LABS = (
    _lab("NEUT", "2.10", "10^9/L", D(2025, 1, 5), "2.0", "7.5"),
    _lab("NEUT", "1.0", "10^9/L", D(2025, 1, 10), "2.0", "7.5"),
    _lab("PLAT", "75", "10^9/L", D(2025, 1, 31), "150", "400"),
    _lab("ALT", "120", "U/L", D(2025, 1, 31), None, "40"),
    _lab("ALT", "50", "U/L", D(2025, 2, 5)),
    _lab("HGB", "9.5", "g/dL", D(2025, 1, 31), "12.0", "16.0"),
    _lab("INR", "1.10", "ratio", D(2025, 1, 31), "0.80", "1.20"),
)
COLUMNS = ["LBSEQ", "LBTESTCD", "LBTEST", "LBCAT", "LBORRES", "LBORRESU", "LBORNRLO", "LBORNRHI", "LBSTRESC",
           "LBSTRESN", "LBSTRESU", "LBSTNRLO", "LBSTNRHI", "LBNRIND", "LBLOBXFL", "LBTOX", "LBTOXGR",
           "VISITNUM", "VISIT", "EPOCH", "LBDTC", "LBDY"]
CYCLE_1 = (6001, "Induction cycle day 1, cycle 1")
# Order: date, then the test's place on the labs form (WBC, NEUT, LYM, HGB, PLAT, ALT ... INR).
EXPECTED = [
    (1, "NEUT", "Neutrophils", "HEMATOLOGY", "2.10", "10^9/L", "2.0", "7.5", "2.1", 2.1, "10^9/L", 2.0, 7.5,
     "NORMAL", None, "Neutrophil count decreased", "0", 1001, "Screening", "SCREENING", "2025-01-05", -5),
    (2, "NEUT", "Neutrophils", "HEMATOLOGY", "1.0", "10^9/L", "2.0", "7.5", "1", 1.0, "10^9/L", 2.0, 7.5,
     "LOW", "Y", "Neutrophil count decreased", "2", None, None, "TREATMENT", "2025-01-10", 1),
    (3, "HGB", "Hemoglobin", "HEMATOLOGY", "9.5", "g/dL", "12.0", "16.0", "95", 95.0, "g/L", 120.0, 160.0,
     "LOW", None, "Anemia", "2", *CYCLE_1, "TREATMENT", "2025-01-31", 22),
    (4, "PLAT", "Platelets", "HEMATOLOGY", "75", "10^9/L", "150", "400", "75", 75.0, "10^9/L", 150.0, 400.0,
     "LOW", None, "Platelet count decreased", "1", *CYCLE_1, "TREATMENT", "2025-01-31", 22),
    (5, "ALT", "Alanine Aminotransferase", "CHEMISTRY", "120", "U/L", None, "40", "120", 120.0, "U/L", None,
     40.0, "HIGH", None, "Alanine aminotransferase increased", "1", *CYCLE_1, "TREATMENT", "2025-01-31", 22),
    (6, "INR", "Prothrombin Intl. Normalized Ratio", "COAGULATION", "1.10", None, "0.80", "1.20", "1.1", 1.1,
     None, 0.8, 1.2, "NORMAL", None, None, None, *CYCLE_1, "TREATMENT", "2025-01-31", 22),
    (7, "ALT", "Alanine Aminotransferase", "CHEMISTRY", "50", "U/L", None, None, "50", 50.0, "U/L", None, None,
     None, None, None, None, None, None, "TREATMENT", "2025-02-05", 27),
]


def _trial(labs=LABS):
    return trial(doses=(dose("SH01-001", "hipec-paclitaxel", D(2025, 1, 10)),
                        dose("SH01-001", "oxaliplatin", D(2025, 3, 1))),
                 visits=(visit("SH01-001", "screening", D(2025, 1, 5)),
                         visit("SH01-001", "induction-cycle", D(2025, 1, 31)),
                         # a visit on 5 February that does not collect labs
                         visit("SH01-001", "post-hipec-review", D(2025, 2, 5))),
                 lab_results=labs)


def _build(protocol, data):
    (dataset,) = lb.build(trial=data, protocol=protocol, study=context(data, protocol))
    return dataset


def test_lb_rows_are_those_worked_out_by_hand(protocol):
    dataset = _build(protocol, _trial())
    assert [tuple(r[c] for c in COLUMNS) for r in dataset.records()] == EXPECTED
    assert set(dataset.column("USUBJID")) == {U}


def test_a_lab_without_the_limit_its_grade_needs_has_no_grade(protocol):
    # Creatinine grades against the ULN (CTCAE v5.0 "Creatinine increased"); no range reported.
    dataset = _build(protocol, _trial((_lab("CREAT", "300", "umol/L", D(2025, 1, 31)),)))
    assert (dataset.column("LBTOXGR"), dataset.column("LBTOX"), dataset.column("LBNRIND")) == (
        (None,), (None,), (None,))


def test_refuses_a_unit_the_test_is_not_measured_in(protocol):
    with pytest.raises(InputError) as caught:
        _build(protocol, _trial((_lab("NEUT", "3.1", "g/L", D(2025, 1, 31)),)))
    assert caught.value.field == "unit"
    assert "SH01-001/NEUT/2025-01-31" in str(caught.value)


def test_refuses_a_test_code_without_an_sdtm_name(protocol):
    with pytest.raises(InputError) as caught:
        _build(protocol, _trial((_lab("GGT", "30", "U/L", D(2025, 1, 31)),)))
    assert caught.value.field == "test_code"
    assert "GGT" in str(caught.value)


def test_grades_the_simulated_labs_as_the_clinical_engine_does(simulated_trial, simulated_study, protocol):
    from hipectrial.clinical import grade_lab

    (dataset,) = lb.build(trial=simulated_trial, protocol=protocol, study=simulated_study)
    assert len(dataset.rows) == len(simulated_trial.lab_results)
    by_key = {(r["USUBJID"], r["LBTESTCD"], r["LBDTC"], r["LBORRES"]): r["LBTOXGR"] for r in dataset.records()}
    checked = 0
    for lab in simulated_trial.lab_results[:400]:
        if lab.test_code not in ("NEUT", "PLAT", "HGB", "ALT", "AST", "BILI"):
            continue
        grade = grade_lab(test=lab.test_code, value=lab.value, unit=lab.unit, lln=lab.reference_lower,
                          uln=lab.reference_upper).grade
        key = (simulated_study.usubjid(lab.participant_id), lab.test_code, lab.date.isoformat(),
               format(lab.value, "f"))
        assert by_key[key] == str(grade)
        checked += 1
    assert checked > 100
