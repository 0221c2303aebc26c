"""Checks of CRF records and lab results against the protocol's forms and fields."""

from __future__ import annotations

from hipectrial.data.check_people import check_duplicates
from hipectrial.data.findings import Checker, FindingCode, Severity, listing
from hipectrial.data.form_check import form_findings, range_problem
from hipectrial.data.identity import participant_contradictions
from hipectrial.data.records import FormRecord
from hipectrial.data.vocab import RecordKind
from hipectrial.protocol.forms import FieldDef, FormDef
from hipectrial.protocol.units import is_known_unit


def check_form_records(c: Checker) -> None:
    kind = RecordKind.FORM
    check_duplicates(c, kind, c.trial.form_records, lambda r: f"form record {r.key!r}")
    forms = {f.id: f for f in c.protocol.forms}
    visits = {v.id: v for v in c.protocol.visits}
    occurrences = {(v.participant_id, v.visit_id, v.repeat) for v in c.trial.visits}
    for i, r in enumerate(c.trial.form_records):
        participant = c.participant_of(kind, i, r, r.participant_id)
        visit_def = visits.get(r.visit_id)
        if visit_def is None:
            c.error(kind, i, r, "visit_id", f"unknown visit {r.visit_id!r}; the protocol's visits: "
                    f"{listing(visits)}")
        elif participant is not None and (r.participant_id, r.visit_id, r.visit_repeat) not in occurrences:
            c.warning(kind, i, r, "visit_id", f"no visit record for {r.visit_id!r} occurrence "
                      f"{r.visit_repeat} of participant {r.participant_id!r}")
        form = forms.get(r.form_id)
        if form is None:
            c.error(kind, i, r, "form_id", f"unknown form {r.form_id!r}; the protocol's forms: "
                    f"{listing(forms)}")
            continue
        if visit_def is not None and form.id not in (*visit_def.forms, *visit_def.optional_forms):
            c.warning(kind, i, r, "form_id", f"form {form.id!r} is not one of the forms of visit "
                      f"{visit_def.id!r} ({listing([*visit_def.forms, *visit_def.optional_forms])})")
        if form.repeating and r.repeat is None:
            c.error(kind, i, r, "repeat", f"form {form.id!r} repeats; its records need a repeat number")
        elif not form.repeating and r.repeat is not None:
            c.error(kind, i, r, "repeat", f"form {form.id!r} does not repeat; got repeat {r.repeat}")
        _check_values(c, i, r, form)
        if participant is not None:
            for contradiction in participant_contradictions(participant=participant, form_id=r.form_id,
                                                            values=r.values):
                c.say(Severity.ERROR, kind, i, r, f"values.{contradiction.field}",
                      FindingCode.IDENTITY_CONTRADICTED, **contradiction.params)


def _check_values(c: Checker, i: int, r: FormRecord, form: FormDef) -> None:
    """The record's values by the one implementation (:func:`form_check.form_findings`)."""
    for f in form_findings(c.protocol, form, r.values):
        c.add(f.severity, RecordKind.FORM, i, r, None if f.field is None else f"values.{f.field}", f.message)


def check_lab_results(c: Checker) -> None:
    kind = RecordKind.LAB
    by_code: dict[str, list[FieldDef]] = {}
    for form in c.protocol.forms:
        for field in form.fields:
            if field.cdisc:
                by_code.setdefault(field.cdisc, []).append(field)
    for i, lab in enumerate(c.trial.lab_results):
        participant = c.participant_of(kind, i, lab, lab.participant_id)
        if participant is not None:
            c.in_lifetime(kind, i, lab, participant, "date", lab.date, consent=Severity.WARNING)
        if (lab.reference_lower is not None and lab.reference_upper is not None
                and lab.reference_lower > lab.reference_upper):
            c.error(kind, i, lab, "reference_lower", f"reference range lower {lab.reference_lower} "
                    f"is above upper {lab.reference_upper}")
        fields = by_code.get(lab.test_code)
        if not fields:
            c.warning(kind, i, lab, "test_code", f"lab test {lab.test_code!r} is not one the protocol "
                      f"records (no field with cdisc {lab.test_code!r})")
        if not is_known_unit(lab.unit):
            c.error(kind, i, lab, "unit", f"unknown unit {lab.unit!r}")
            continue
        if not fields:
            continue
        units = {f.unit for f in fields if f.unit is not None}
        matching = [f for f in fields if f.unit is None or f.unit == lab.unit]
        if not matching:
            owners = ", ".join(repr(f.id) for f in fields)
            c.error(kind, i, lab, "unit", f"{lab.test_code} is recorded in {' or '.join(sorted(units))} "
                    f"by the protocol (field {owners}); got {lab.unit!r}")
            continue
        problem = range_problem(lab.test_code, lab.value, matching[0])
        if problem:
            c.error(kind, i, lab, "value", problem)
