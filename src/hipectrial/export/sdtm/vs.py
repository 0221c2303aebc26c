"""VS: one record per vital sign collected on a CRF.

The tests are the form fields whose ``cdisc`` is a VSTESTCD (the seed protocol's vital
signs form: HEIGHT, WEIGHT, SYSBP, DIABP, HR, TEMP). Only what was collected: derived
values (BSA, which dosing computes from height and weight) are not VS records, and a field
left blank gives no record (no reason for "not done" is collected).

- VSORRES/VSORRESU: the value as recorded and the unit the protocol declares for the field
  (CDISC UNIT, e.g. ``degC`` -> ``C``). No conversion: the protocol's units are the standard
  units, so VSSTRESC/VSSTRESN/VSSTRESU copy the original.
- VSDTC: the form's date of measurement (its one date field, ``vs_date`` in the seed
  protocol) when recorded, else the date of the visit (``Visit.actual_date``).
- VISITNUM/VISIT: the visit the form was filled at (:mod:`~hipectrial.export.sdtm.visits`
  numbering, as SV).
- VSLOBXFL: "Y" on each subject's last result of each test dated on or before RFXSTDTC.

Every CDISC code a protocol field declares must be a VS or an LB test the SDTM tables know;
any other is refused, naming the form and the field.

VSSEQ numbers a subject's results in order of date, then VISITNUM, then ``TrialData`` order
of the form records, then the field's place on the form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from hipectrial.data import FormRecord, TrialData
from hipectrial.errors import InputError
from hipectrial.export.sdtm.context import StudyContext
from hipectrial.export.sdtm.kit import (
    EXP,
    REQ,
    C,
    Draft,
    N,
    decimal_text,
    flag,
    identifiers,
    numbered,
    ny_codelist,
    rows,
)
from hipectrial.export.sdtm.model import Dataset, Origin, Variable
from hipectrial.export.sdtm.terms import LAB_TESTS, VITAL_TESTS, codelist_of, unit
from hipectrial.export.sdtm.variables import epoch, epoch_codelist, iso_date, number, study_day
from hipectrial.export.sdtm.visit_match import visit_index, visit_variables
from hipectrial.protocol import Protocol, ValueType
from hipectrial.protocol.forms import FieldDef, FormDef


@dataclass(frozen=True, slots=True)
class _Measure:
    record: int
    position: int
    field: FieldDef
    value: Decimal | int
    date: dt.date | None


def check_test_codes(protocol: Protocol) -> None:
    """Refuse a protocol field whose ``cdisc`` is neither a VS nor an LB test of the tables."""
    for form in protocol.forms:
        for field in form.fields:
            if field.cdisc is not None and field.cdisc not in VITAL_TESTS and field.cdisc not in LAB_TESTS:
                raise InputError(f"forms.{form.id}.fields.{field.id}.cdisc", field.cdisc,
                                 f"a VSTESTCD ({', '.join(VITAL_TESTS)}) or an LBTESTCD "
                                 f"({', '.join(LAB_TESTS)})",
                                 "add it to hipectrial/export/sdtm/terms.py with its CDISC test name")


def _measure_date(form: FormDef, record: FormRecord) -> dt.date | None:
    dates = [f.id for f in form.fields if f.type is ValueType.DATE]
    if len(dates) == 1:
        value = record.values.get(dates[0])
        if isinstance(value, dt.date):
            return value
    return None


def _measures(protocol: Protocol, trial: TrialData) -> list[tuple[FormRecord, _Measure]]:
    forms = {f.id: f for f in protocol.forms}
    found = []
    for i, record in enumerate(trial.form_records):
        form = forms.get(record.form_id)
        if form is None:
            raise InputError("form_id", record.form_id, "a form of the protocol", f"form record {record.key}")
        fields = [(k, f) for k, f in enumerate(form.fields) if f.cdisc in VITAL_TESTS]
        if not fields:
            continue
        when = _measure_date(form, record)
        for k, field in fields:
            value = record.values.get(field.id)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, Decimal | int):
                raise InputError(f"values.{field.id}", value, "a number", f"form record {record.key}")
            found.append((record, _Measure(i, k, field, value, when)))
    return found


def _variables() -> tuple[Variable, ...]:
    derived, collected = Origin.DERIVED, Origin.COLLECTED
    return (
        *identifiers("VS", seq_order="date (VSDTC), then VISITNUM, then the order of the form records, "
                                     "then the field's place on the form"),
        Variable("VSTESTCD", "Vital Signs Test Short Name", C, REQ, "Topic", Origin.ASSIGNED,
                 codelist="VSTESTCD"),
        Variable("VSTEST", "Vital Signs Test Name", C, REQ, "Synonym Qualifier", Origin.ASSIGNED,
                 codelist="VSTEST"),
        Variable("VSORRES", "Result or Finding in Original Units", C, EXP, "Result Qualifier", collected),
        Variable("VSORRESU", "Original Units", C, EXP, "Variable Qualifier", Origin.PROTOCOL,
                 codelist="VSRESU"),
        Variable("VSSTRESC", "Character Result/Finding in Std Format", C, EXP, "Result Qualifier", derived,
                 derivation="VSORRES (no conversion: the protocol's units are the standard units)"),
        Variable("VSSTRESN", "Numeric Result/Finding in Standard Units", N, EXP, "Result Qualifier", derived,
                 derivation="VSSTRESC as a number"),
        Variable("VSSTRESU", "Standard Units", C, EXP, "Variable Qualifier", derived, codelist="VSRESU",
                 derivation="VSORRESU"),
        flag("VSLOBXFL", "Last Observation Before Exposure Flag", EXP,
             "Y on the subject's last result of the test dated on or before RFXSTDTC"),
        *visit_variables(EXP, matched=False),
        epoch(),
        Variable("VSDTC", "Date/Time of Measurements", C, EXP, "Timing", Origin.COLLECTED, iso8601=True),
        study_day("VSDY", "Study Day of Vital Signs", "VSDTC"),
    )


def build(*, trial: TrialData, protocol: Protocol, study: StudyContext) -> tuple[Dataset, ...]:
    """VS (see the module's docstring for every derivation)."""
    check_test_codes(protocol)
    visits = visit_index(trial, protocol)
    actual = {(v.participant_id, v.visit_id, v.repeat): v.actual_date for v in trial.visits}
    measured = _measures(protocol, trial)
    dated = []
    for record, m in measured:
        date = m.date or actual.get((record.participant_id, record.visit_id, record.visit_repeat))
        dated.append((record, m, date))
    last: dict[tuple[str, str], tuple[dt.date, int, int]] = {}
    for record, m, date in dated:
        start = study.subject(record.participant_id).first_treatment
        if date is None or start is None or date > start or m.field.cdisc is None:
            continue
        key = (record.participant_id, m.field.cdisc)
        if key not in last or (date, m.record, m.position) > last[key]:
            last[key] = (date, m.record, m.position)
    flagged = {(k[0], k[1], v[1]) for k, v in last.items()}
    drafts = []
    for record, m, date in dated:
        pid, code = record.participant_id, m.field.cdisc or ""
        where = f"form record {record.key}, field {m.field.id}"
        label = visits.label(record.visit_id, record.visit_repeat)
        original = decimal_text(m.value)
        units = unit(m.field.unit, variable="VSORRESU", where=where)
        values = {
            "VSTESTCD": code, "VSTEST": VITAL_TESTS[code], "VSORRES": original, "VSORRESU": units,
            "VSSTRESC": original, "VSSTRESN": number(m.value), "VSSTRESU": units,
            "VSLOBXFL": "Y" if (pid, code, m.record) in flagged else None,
            "VISITNUM": label.number, "VISIT": label.name, "EPOCH": study.epoch(pid, date),
            "VSDTC": iso_date(date), "VSDY": study.study_day(pid, date),
        }
        drafts.append(Draft(pid, (date or dt.date.min, label.number, m.record, m.position), values))
    records = numbered(drafts, study)
    variables = _variables()
    fields = [f for form in protocol.forms for f in form.fields if f.cdisc in VITAL_TESTS]
    codes = [f.cdisc for f in fields]
    codelists = (
        ny_codelist(), epoch_codelist(),
        codelist_of("VSTESTCD", "Vital Signs Test Code", codes, nci_code="C66741", extensible=True),
        codelist_of("VSTEST", "Vital Signs Test Name", (VITAL_TESTS[c] for c in codes if c is not None),
                    nci_code="C67153", extensible=True),
        codelist_of("VSRESU", "Units for Vital Signs Results",
                    (unit(f.unit, variable="VSORRESU", where=f"field {f.id}") for f in fields),
                    nci_code="C66770", extensible=True),
    )
    dataset = Dataset(domain="VS", label="Vital Signs", observation_class="FINDINGS",
                      structure="One record per vital sign measurement per time point per visit per subject",
                      keys=("STUDYID", "USUBJID", "VSDTC", "VSSEQ"),
                      variables=variables, rows=rows(records, domain="VS", variables=variables, study=study),
                      codelists=codelists)
    return (dataset,)
