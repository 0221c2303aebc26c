"""PR and SUPPPR from a hand-built trial, rows written out by hand.

RFSTDTC 10 Jan 2025: 10 Jan -> day 1; 30 May -> day 141 (21 + 28 + 31 + 30 + 30 days after).
PRTRT is the English label of the protocol's ``operation`` code.
"""

from __future__ import annotations

import datetime as dt

from hipectrial.data import CcScore, ResidualTumour, Surgery
from hipectrial.export.sdtm import pr

from .small import amended, by_id, context, dose, trial, visit

D = dt.date
U = "HIPEC-PD1-SOX-SH01-001"
SURGERIES = (
    Surgery(participant_id="SH01-001", date=D(2025, 5, 30), procedure="conversion_surgery_hipec",
            r_status=ResidualTumour.R0, cc_score=CcScore.CC0),
    Surgery(participant_id="SH01-001", date=D(2025, 1, 10), procedure="diagnostic_laparoscopy_hipec"),
)


def _build(protocol):
    data = trial(doses=(dose("SH01-001", "hipec-paclitaxel", D(2025, 1, 10)),
                        dose("SH01-001", "hipec-paclitaxel", D(2025, 5, 30))),
                 visits=(visit("SH01-001", "registration", D(2025, 1, 10)),
                         visit("SH01-001", "day0-laparoscopy-hipec", D(2025, 1, 10)),
                         visit("SH01-001", "conversion-surgery", D(2025, 5, 30))),
                 surgeries=SURGERIES)
    return pr.build(trial=data, protocol=protocol, study=context(data, protocol))


def test_pr_rows_are_those_worked_out_by_hand(protocol):
    dataset, supp = _build(protocol)
    columns = ["USUBJID", "PRSEQ", "PRTRT", "VISITNUM", "VISIT", "EPOCH", "PRSTDTC", "PRSTDY"]
    assert [tuple(r[c] for c in columns) for r in dataset.records()] == [
        # registration shares the date, but only the day-0 visit collects the laparoscopy form
        (U, 1, "Diagnostic laparoscopy + HIPEC (day 0)", 4001, "Day 0 - diagnostic laparoscopy and HIPEC",
         "TREATMENT", "2025-01-10", 1),
        (U, 2, "Conversion surgery + HIPEC", 9001, "Conversion surgery with HIPEC", "TREATMENT", "2025-05-30",
         141),
    ]
    assert [(r["IDVAR"], r["IDVARVAL"], r["QNAM"], r["QLABEL"], r["QVAL"], r["QORIG"]) for r in supp.records()] == [
        ("PRSEQ", "2", "RSTATUS", "Residual Tumor (R) Classification", "R0", "Collected"),
        ("PRSEQ", "2", "CCSCORE", "Completeness of Cytoreduction Score", "CC-0", "Collected"),
    ]


def test_procedure_names_follow_the_protocol(protocol):
    def edit(data):
        item = by_id(data["codelists"], "operation")["items"][2]
        item["submission_value"] = "GASTRECTOMY WITH CYTOREDUCTION AND HIPEC"

    dataset, _ = _build(amended(edit))
    assert dataset.column("PRTRT")[1] == "GASTRECTOMY WITH CYTOREDUCTION AND HIPEC"


def test_one_record_per_operation_of_the_simulated_trial(simulated_trial, simulated_study, protocol):
    dataset, supp = pr.build(trial=simulated_trial, protocol=protocol, study=simulated_study)
    assert len(dataset.rows) == len(simulated_trial.surgeries) > 0
    assert len(supp.rows) == sum((s.r_status is not None) + (s.cc_score is not None) for s in simulated_trial.surgeries)
