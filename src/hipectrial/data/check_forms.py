"""Checks of CRF records and lab results against the protocol's forms and fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from hipectrial.data.check_people import check_duplicates
from hipectrial.data.findings import Checker, Severity, listing
from hipectrial.data.records import FormRecord
from hipectrial.data.values import FieldValue
from hipectrial.data.vocab import RecordKind
from hipectrial.errors import ExpressionError
from hipectrial.protocol import Expression, Truth, ValueType
from hipectrial.protocol.forms import FieldDef, FormDef
from hipectrial.protocol.units import is_known_unit

_EXPECTED = {
    ValueType.INT: "an integer",
    ValueType.DECIMAL: "a Decimal",
    ValueType.TEXT: "text",
    ValueType.DATE: "a date",
    ValueType.DATETIME: "a date-time with a UTC offset",
    ValueType.CHOICE: "a code (text)",
    ValueType.MULTI_CHOICE: "a tuple of codes",
    ValueType.BOOLEAN: "true or false",
}


def _has_type(kind: ValueType, value: FieldValue) -> bool:
    if kind is ValueType.BOOLEAN:
        return isinstance(value, bool)
    if kind is ValueType.INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is ValueType.DECIMAL:
        return isinstance(value, Decimal)
    if kind in (ValueType.TEXT, ValueType.CHOICE):
        return isinstance(value, str)
    if kind is ValueType.DATE:
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    if kind is ValueType.DATETIME:
        return isinstance(value, dt.datetime) and value.utcoffset() is not None
    return isinstance(value, tuple)


def _number(x: float) -> str:
    return f"{x:g}"


def range_problem(name: str, value: int | Decimal, field: FieldDef) -> str | None:
    """The message for a number outside the field's declared range, or None.

    >>> from hipectrial.protocol.forms import FieldDef
    >>> anc = FieldDef.model_validate({"id": "anc", "label": {"en": "ANC", "zh": "ANC"},
    ...     "type": "decimal", "unit": "10^9/L", "min": 0, "max": 50})
    >>> range_problem("anc", Decimal("62.0"), anc)
    'anc = 62.0 10^9/L is outside the range the protocol allows, [0, 50] 10^9/L'
    """
    low, high = field.min, field.max
    if (low is None or value >= low) and (high is None or value <= high):
        return None
    unit = f" {field.unit}" if field.unit else ""
    if low is not None and high is not None:
        allowed = f"[{_number(low)}, {_number(high)}]{unit}"
    elif low is not None:
        allowed = f">= {_number(low)}{unit}"
    else:
        allowed = f"<= {_number(high or 0)}{unit}"
    return f"{name} = {value}{unit} is outside the range the protocol allows, {allowed}"


def value_problems(c: Checker, field: FieldDef, value: FieldValue) -> list[tuple[Severity, str]]:
    """What is wrong with one CRF value for its field: type, code list, range, precision."""
    if not _has_type(field.type, value):
        return [(Severity.ERROR, f"{field.id} is a field of type {field.type.value} and takes "
                 f"{_EXPECTED[field.type]}; got {value!r}")]
    problems: list[tuple[Severity, str]] = []
    if field.codelist is not None:
        codes = c.protocol.codelist(field.codelist).codes
        given = value if isinstance(value, tuple) else (value,)
        for code in given:
            if code not in codes:
                problems.append((Severity.ERROR, f"{code!r} is not a code of code list "
                                 f"{field.codelist!r} ({', '.join(codes)})"))
        if len(set(given)) != len(given):
            problems.append((Severity.WARNING, f"{field.id} lists a code more than once"))
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        problem = range_problem(field.id, value, field)
        if problem:
            problems.append((Severity.ERROR, problem))
    if isinstance(value, Decimal) and field.decimals is not None:
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if places > field.decimals:
            problems.append((Severity.WARNING, f"{field.id} = {value} has {places} decimals; the "
                             f"protocol records it with {field.decimals}"))
    return problems


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


def _check_values(c: Checker, i: int, r: FormRecord, form: FormDef) -> None:
    kind = RecordKind.FORM
    valid: dict[str, FieldValue] = {}
    for name, value in r.values.items():
        field = form.field(name)
        if field is None:
            c.error(kind, i, r, f"values.{name}", f"form {form.id!r} has no field {name!r}; its "
                    f"fields: {listing(f.id for f in form.fields)}")
            continue
        problems = value_problems(c, field, value)
        for severity, message in problems:
            c.add(severity, kind, i, r, f"values.{name}", message)
        if not any(severity is Severity.ERROR for severity, _ in problems):
            valid[name] = value
    for field in form.fields:
        if field.required and field.id not in r.values:
            shown = True
            if field.show_if is not None:
                shown = _truth(c, i, r, field.show_if, valid) is Truth.TRUE
            if shown:
                c.warning(kind, i, r, f"values.{field.id}", f"required field {field.id!r} is blank")
    for check in form.checks:
        if _truth(c, i, r, check.expression, valid) is Truth.FALSE:
            severity = Severity(check.severity)
            c.add(severity, kind, i, r, None, f"edit check {check.id!r} fails: {check.message.en}")


def _truth(c: Checker, i: int, r: FormRecord, expression: Expression,
           values: Mapping[str, FieldValue]) -> Truth:
    """Evaluate a protocol expression on a record's valid values; UNKNOWN when it cannot run."""
    try:
        return c.protocol.scope.truth_value(expression, values)
    except ExpressionError as exc:
        c.warning(RecordKind.FORM, i, r, None, f"cannot evaluate {expression.source!r}: {exc}")
        return Truth.UNKNOWN


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
