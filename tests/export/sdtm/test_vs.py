"""VS from the vital-signs forms of a hand-built trial, rows written out by hand.

RFSTDTC 10 January 2025, RFXENDTC 1 March: 5 Jan -> day -5 (SCREENING), 30 Jan -> day 21
(TREATMENT). VSTESTCD and VSTEST are CDISC CT
(C66741/C67153): HEIGHT Height, WEIGHT Weight, SYSBP Systolic Blood Pressure, DIABP Diastolic
Blood Pressure, HR Heart Rate, TEMP Temperature; degrees Celsius is the CDISC unit "C".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hipectrial.data import FormRecord
from hipectrial.errors import InputError
from hipectrial.export.sdtm import vs

from .small import amended, by_id, context, dose, trial, visit

D = dt.date


def _vitals(visit_id, day, **values):
    return FormRecord(participant_id="SH01-001", form_id="vital_signs", visit_id=visit_id,
                      values={"vs_date": day, **values})


SCREENING = _vitals("screening", D(2025, 1, 5), height_cm=Decimal("170.0"), weight_kg=Decimal("60.5"),
                    systolic_bp=120, diastolic_bp=80, heart_rate=72, body_temperature=Decimal("36.8"))
# measured the day before the visit's date; no temperature recorded
CYCLE_1 = _vitals("induction-cycle", D(2025, 1, 30), height_cm=Decimal("170.0"), weight_kg=Decimal("59.0"),
                  systolic_bp=110, diastolic_bp=70, heart_rate=80)
S, C1 = (1001, "Screening", "SCREENING", "2025-01-05", -5), \
    (6001, "Induction cycle day 1, cycle 1", "TREATMENT", "2025-01-30", 21)
COLUMNS = ["VSSEQ", "VSTESTCD", "VSTEST", "VSORRES", "VSORRESU", "VSSTRESC", "VSSTRESN", "VSSTRESU",
           "VSLOBXFL", "VISITNUM", "VISIT", "EPOCH", "VSDTC", "VSDY"]
EXPECTED = [
    (1, "HEIGHT", "Height", "170.0", "cm", "170.0", 170.0, "cm", "Y", *S),
    (2, "WEIGHT", "Weight", "60.5", "kg", "60.5", 60.5, "kg", "Y", *S),
    (3, "SYSBP", "Systolic Blood Pressure", "120", "mmHg", "120", 120, "mmHg", "Y", *S),
    (4, "DIABP", "Diastolic Blood Pressure", "80", "mmHg", "80", 80, "mmHg", "Y", *S),
    (5, "HR", "Heart Rate", "72", "beats/min", "72", 72, "beats/min", "Y", *S),
    (6, "TEMP", "Temperature", "36.8", "C", "36.8", 36.8, "C", "Y", *S),
    (7, "HEIGHT", "Height", "170.0", "cm", "170.0", 170.0, "cm", None, *C1),
    (8, "WEIGHT", "Weight", "59.0", "kg", "59.0", 59.0, "kg", None, *C1),
    (9, "SYSBP", "Systolic Blood Pressure", "110", "mmHg", "110", 110, "mmHg", None, *C1),
    (10, "DIABP", "Diastolic Blood Pressure", "70", "mmHg", "70", 70, "mmHg", None, *C1),
    (11, "HR", "Heart Rate", "80", "beats/min", "80", 80, "beats/min", None, *C1),
]


def _trial(records=(CYCLE_1, SCREENING)):
    return trial(doses=(dose("SH01-001", "hipec-paclitaxel", D(2025, 1, 10)),
                        dose("SH01-001", "oxaliplatin", D(2025, 3, 1))),
                 visits=(visit("SH01-001", "screening", D(2025, 1, 5)),
                         visit("SH01-001", "induction-cycle", D(2025, 1, 31))),
                 form_records=records)


def _build(protocol, data):
    (dataset,) = vs.build(trial=data, protocol=protocol, study=context(data, protocol))
    return dataset


def test_vs_rows_are_those_worked_out_by_hand(protocol):
    dataset = _build(protocol, _trial())
    assert [tuple(r[c] for c in COLUMNS) for r in dataset.records()] == EXPECTED


def test_without_a_date_of_measurement_the_visit_date_is_used(protocol):
    record = FormRecord(participant_id="SH01-001", form_id="vital_signs", visit_id="induction-cycle",
                        values={"weight_kg": Decimal("59.0")})
    dataset = _build(protocol, _trial((record,)))
    assert (dataset.column("VSDTC"), dataset.column("VSDY")) == (("2025-01-31",), (22,))


def test_a_vital_sign_the_protocol_adds_is_exported(protocol):
    def edit(data):
        form = by_id(data["forms"], "vital_signs")
        form["fields"].append({"id": "resp_rate", "label": {"en": "Respiratory rate", "zh": "呼吸频率"},
                               "type": "int", "unit": "breaths/min", "cdisc": "RESP"})

    protocol = amended(edit)
    record = _vitals("screening", D(2025, 1, 5), resp_rate=16)
    dataset = _build(protocol, _trial((record,)))
    assert [(r["VSTESTCD"], r["VSTEST"], r["VSORRES"], r["VSORRESU"]) for r in dataset.records()] == [
        ("RESP", "Respiratory Rate", "16", "breaths/min")]


def test_refuses_a_protocol_field_with_an_unknown_cdisc_code(protocol):
    def edit(data):
        field = by_id(by_id(data["forms"], "vital_signs")["fields"], "heart_rate")
        field["cdisc"] = "HRATE"

    with pytest.raises(InputError) as caught:
        _build(amended(edit), _trial())
    assert caught.value.field == "forms.vital_signs.fields.heart_rate.cdisc"
    assert "HRATE" in str(caught.value)


def test_counts_every_recorded_vital_sign_of_the_simulated_trial(simulated_trial, simulated_study, protocol):
    (dataset,) = vs.build(trial=simulated_trial, protocol=protocol, study=simulated_study)
    fields = [f.id for f in protocol.form("vital_signs").fields if f.cdisc]
    recorded = sum(1 for r in simulated_trial.form_records if r.form_id == "vital_signs"
                   for f in fields if f in r.values)
    assert len(dataset.rows) == recorded > 0
