"""The protocol's checks of one CRF record's values: the one implementation that
:func:`hipectrial.data.validate` runs on every form record and the EDC runs on a form being
entered.

On one record of form ``form_id`` with ``values`` (field id -> typed value; a blank field is
absent), in this order:

* per value, in field-id order: a field the form does not have (error); a value of the
  wrong type for its field (error); a code not in the field's code list (error) or listed
  twice (warning); a number outside the field's ``min``/``max`` (error, naming value, range
  and unit); more decimals than the field records (warning);
* per field, in form order: a ``required`` field left blank where it is *shown* (warning):
  a field is shown when it has no ``show_if`` or its ``show_if`` is TRUE on the record's
  values (three-valued: an unanswered input leaves it UNKNOWN, and the field is then not
  shown, so not required yet);
* per edit check, in form order: a check FALSE on the record's values (at the check's
  severity); a check that is UNKNOWN (an input blank) is not run.

``show_if`` conditions and edit checks see only the values that passed the per-value type
and code checks (``valid_values``), and, when the caller gives a ``context``, values from the
participant's other records (``validate()`` gives none); an expression that cannot be
evaluated is a warning and counts as UNKNOWN. :func:`shown_fields` and
:func:`missing_required` give the web form the same branching that the required rule uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import Decimal
from enum import StrEnum

from hipectrial.data.findings import Severity, listing
from hipectrial.data.values import FieldValue
from hipectrial.errors import ExpressionError, InputError
from hipectrial.protocol import Expression, Protocol, Truth, ValueType
from hipectrial.protocol.forms import FieldDef, FormDef

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


class FormFindingCode(StrEnum):
    """What a :class:`FormFinding` is (its parameters: see :class:`FormFinding`)."""

    OUT_OF_RANGE = "out_of_range"
    NOT_A_CODE = "not_a_code"
    WRONG_TYPE = "wrong_type"
    DUPLICATE_CODE = "duplicate_code"
    DECIMALS = "decimals"
    REQUIRED_BLANK = "required_blank"
    EDIT_CHECK = "edit_check"
    NOT_EVALUABLE = "not_evaluable"
    UNKNOWN_FIELD = "unknown_field"


@dataclass(frozen=True, slots=True)
class FormFinding:
    """One problem of one CRF record: ``field`` is the field id concerned, ``None`` for the
    record as a whole (an edit check, an expression that cannot be evaluated).

    ``message`` is the English wording; ``code`` and ``params`` say what the finding is
    (``out_of_range`` with ``value``, ``allowed``, ``unit``; ``not_a_code`` with ``code``;
    ``wrong_type``, ``duplicate_code``, ``decimals``, ``required_blank``, ``edit_check``
    with ``check``, ``not_evaluable``, ``unknown_field``), so that a shell can word it in
    another language without reading the English. They take no part in equality.
    """

    severity: Severity
    field: str | None
    message: str
    code: str = dc_field(default="", compare=False)
    params: tuple[tuple[str, str], ...] = dc_field(default=(), compare=False)


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


Problem = tuple[Severity, str, str, tuple[tuple[str, str], ...]]


def _allowed(field: FieldDef) -> str:
    low, high = field.min, field.max
    if low is not None and high is not None:
        return f"[{_number(low)}, {_number(high)}]"
    return f">= {_number(low)}" if low is not None else f"<= {_number(high or 0)}"


def value_problems(protocol: Protocol, field: FieldDef, value: FieldValue) -> list[Problem]:
    """What is wrong with one CRF value for its field: type, code list, range, precision;
    each as (severity, English message, code, params) (see :class:`FormFinding`)."""
    if not _has_type(field.type, value):
        return [(Severity.ERROR, f"{field.id} is a field of type {field.type.value} and takes "
                 f"{_EXPECTED[field.type]}; got {value!r}", FormFindingCode.WRONG_TYPE,
                 (("value", repr(value)),))]
    problems: list[Problem] = []
    if field.codelist is not None:
        codes = protocol.codelist(field.codelist).codes
        given = value if isinstance(value, tuple) else (value,)
        for code in given:
            if code not in codes:
                message = f"{code!r} is not a code of code list {field.codelist!r} ({', '.join(codes)})"
                problems.append((Severity.ERROR, message, FormFindingCode.NOT_A_CODE, (("code", str(code)),)))
        if len(set(given)) != len(given):
            message = f"{field.id} lists a code more than once"
            problems.append((Severity.WARNING, message, FormFindingCode.DUPLICATE_CODE, ()))
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        problem = range_problem(field.id, value, field)
        if problem:
            params = (("value", str(value)), ("allowed", _allowed(field)), ("unit", field.unit or ""))
            problems.append((Severity.ERROR, problem, FormFindingCode.OUT_OF_RANGE, params))
    if isinstance(value, Decimal) and field.decimals is not None:
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if places > field.decimals:
            problems.append((Severity.WARNING, f"{field.id} = {value} has {places} decimals; the "
                             f"protocol records it with {field.decimals}", FormFindingCode.DECIMALS,
                             (("value", str(value)), (FormFindingCode.DECIMALS, str(field.decimals)))))
    return problems


def _truth(protocol: Protocol, expression: Expression, values: Mapping[str, object],
           findings: list[FormFinding]) -> Truth:
    """Evaluate a protocol expression on a record's valid values; UNKNOWN (and a warning)
    when it cannot run."""
    try:
        return protocol.scope.truth_value(expression, values)
    except ExpressionError as exc:
        findings.append(FormFinding(Severity.WARNING, None, f"cannot evaluate {expression.source!r}: {exc}",
                                    FormFindingCode.NOT_EVALUABLE, (("expression", expression.source),)))
        return Truth.UNKNOWN


def _value_findings(protocol: Protocol, form: FormDef, values: Mapping[str, FieldValue],
                    findings: list[FormFinding]) -> dict[str, FieldValue]:
    """The per-value findings (appended) and the values that passed them."""
    valid: dict[str, FieldValue] = {}
    for name, value in sorted(values.items()):
        field = form.field(name)
        if field is None:
            findings.append(FormFinding(Severity.ERROR, name, f"form {form.id!r} has no field {name!r}; its "
                                        f"fields: {listing(f.id for f in form.fields)}",
                                        FormFindingCode.UNKNOWN_FIELD))
            continue
        problems = value_problems(protocol, field, value)
        findings.extend(FormFinding(severity, name, message, code, params)
                        for severity, message, code, params in problems)
        if not any(problem[0] is Severity.ERROR for problem in problems):
            valid[name] = value
    return valid


def _is_shown(protocol: Protocol, field: FieldDef, valid: Mapping[str, object],
              findings: list[FormFinding]) -> bool:
    return field.show_if is None or _truth(protocol, field.show_if, valid, findings) is Truth.TRUE


def _required_blank(protocol: Protocol, form: FormDef, values: Mapping[str, FieldValue],
                    valid: Mapping[str, object], findings: list[FormFinding]) -> list[str]:
    return [field.id for field in form.fields
            if field.required and field.id not in values and _is_shown(protocol, field, valid, findings)]


def _seen(form: FormDef, valid: Mapping[str, FieldValue],
          context: Mapping[str, object] | None) -> dict[str, object]:
    """What ``show_if`` conditions and edit checks see: ``context`` (values of the
    participant's other records) under the record's valid values. A name that is a field
    of the form is taken from the record only: its absence there is not filled from outside."""
    if not context:
        return dict(valid)
    return {**{k: v for k, v in context.items() if form.field(k) is None}, **valid}


def form_findings(protocol: Protocol, form: FormDef, values: Mapping[str, FieldValue],
                  context: Mapping[str, object] | None = None) -> list[FormFinding]:
    """Every finding of the module docstring on one record of ``form`` (``validate``'s path;
    :func:`check_form_values` is the public entry)."""
    findings: list[FormFinding] = []
    valid = _seen(form, _value_findings(protocol, form, values, findings), context)
    for field_id in _required_blank(protocol, form, values, valid, findings):
        findings.append(FormFinding(Severity.WARNING, field_id, f"required field {field_id!r} is blank",
                                    FormFindingCode.REQUIRED_BLANK))
    for check in form.checks:
        if _truth(protocol, check.expression, valid, findings) is Truth.FALSE:
            findings.append(FormFinding(Severity(check.severity), None,
                                        f"edit check {check.id!r} fails: {check.message.en}",
                                        FormFindingCode.EDIT_CHECK, (("check", check.id),)))
    return findings


def _form(protocol: Protocol, form_id: str) -> FormDef:
    try:
        return protocol.form(form_id)
    except KeyError:
        forms = listing((f.id for f in protocol.forms), limit=len(protocol.forms))
        raise InputError("form_id", form_id, "a form of the protocol", f"its forms: {forms}") from None


def _present(values: Mapping[str, FieldValue | None]) -> dict[str, FieldValue]:
    return {name: value for name, value in values.items() if value is not None}


def check_form_values(*, protocol: Protocol, form_id: str, values: Mapping[str, FieldValue | None],
                      context: Mapping[str, object] | None = None) -> tuple[FormFinding, ...]:
    """The protocol's checks of one record of form ``form_id``: exactly those
    :func:`hipectrial.data.validate` runs on a form record (module docstring).

    Parameters
    ----------
    protocol
        The protocol the form belongs to.
    form_id
        The form's id.
    values
        Field id -> typed value (:func:`hipectrial.data.entry.parse_field_input`); a blank
        field is absent or ``None``.
    context
        Values from outside the record that ``show_if`` conditions and edit checks may name
        (the participant's ``sex``, a ``childbearing_potential`` answered on another form, a
        derived ``her2_positive``): variable name -> value. They are not checked and not part
        of the record; a name that is a field of this form is ignored (the record decides).
        ``validate()`` gives none, so a condition on another form's value is UNKNOWN there.

    Returns
    -------
    tuple of FormFinding
        Errors and warnings in the order of the module docstring; empty when the values
        satisfy the protocol.

    Raises
    ------
    InputError
        ``form_id`` is not a form of the protocol.

    Examples
    --------
    >>> from decimal import Decimal
    >>> from hipectrial.protocol import load_protocol
    >>> protocol = load_protocol()
    >>> for f in check_form_values(protocol=protocol, form_id="vital_signs", values={
    ...         "vs_date": dt.date(2025, 3, 1), "height_cm": Decimal("231.0"), "weight_kg": Decimal("60.0"),
    ...         "systolic_bp": 80, "diastolic_bp": 90, "heart_rate": 70}):
    ...     print(f.severity.value, f.field, f.message)
    error height_cm height_cm = 231.0 cm is outside the range the protocol allows, [100, 230] cm
    error None edit check 'diastolic-below-systolic' fails: Diastolic pressure must be lower than \
systolic pressure.
    """
    return tuple(form_findings(protocol, _form(protocol, form_id), _present(values), context))


def shown_fields(*, protocol: Protocol, form_id: str, values: Mapping[str, FieldValue | None],
                 context: Mapping[str, object] | None = None) -> frozenset[str]:
    """The fields of form ``form_id`` shown on these values: those with no ``show_if`` and
    those whose ``show_if`` is TRUE (UNKNOWN, e.g. an input not answered yet, hides the
    field), evaluated on the values that pass the per-value checks, as the required rule
    does (module docstring).

    >>> from hipectrial.protocol import load_protocol
    >>> protocol = load_protocol()
    >>> sorted(shown_fields(protocol=protocol, form_id="biomarkers", values={"her2_ihc": "ihc2plus"}))[:3]
    ['her2_ihc', 'her2_ish_ratio', 'her2_specimen']
    >>> shown = shown_fields(protocol=protocol, form_id="biomarkers", values={"her2_ihc": "ihc3plus"})
    >>> "her2_ish_ratio" in shown
    False

    ``context`` (as in :func:`check_form_values`) answers a condition on another form: the
    pregnancy test of the medical history is asked of a woman of childbearing potential,
    which the demographics form records.

    >>> "pregnancy_test" in shown_fields(protocol=protocol, form_id="medical_history", values={})
    False
    >>> "pregnancy_test" in shown_fields(protocol=protocol, form_id="medical_history", values={},
    ...                                  context={"childbearing_potential": True})
    True
    """
    form = _form(protocol, form_id)
    findings: list[FormFinding] = []
    valid = _seen(form, _value_findings(protocol, form, _present(values), findings), context)
    return frozenset(field.id for field in form.fields if _is_shown(protocol, field, valid, findings))


def missing_required(*, protocol: Protocol, form_id: str, values: Mapping[str, FieldValue | None],
                     context: Mapping[str, object] | None = None) -> tuple[str, ...]:
    """The required fields of form ``form_id`` that are shown (:func:`shown_fields`) and
    blank, in form order: the fields of the "required field is blank" warnings of
    :func:`check_form_values` (``context`` as there)."""
    form = _form(protocol, form_id)
    present = _present(values)
    findings: list[FormFinding] = []
    valid = _seen(form, _value_findings(protocol, form, present, findings), context)
    return tuple(_required_blank(protocol, form, present, valid, findings))
