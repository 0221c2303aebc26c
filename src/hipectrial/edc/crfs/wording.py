"""The core's CRF findings in the page's language.

The core decides (:func:`hipectrial.data.check_form_values`, :func:`parse_field_input`) and
says what it found in English, with a ``code`` and parameters; an English page shows the
core's message as it is, a Chinese page words the same finding from the code, with the
field's Chinese label. Nothing here decides whether a value is acceptable.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from hipectrial.data import FormFinding, FormFindingCode
from hipectrial.protocol import ValueType
from hipectrial.protocol.forms import FieldDef, FormDef

# Each code's wording (a failing edit check is said in the check's own words, the
# protocol's message in the page's language: entry.messages_by_field).
FINDINGS = {
    FormFindingCode.OUT_OF_RANGE: gettext_lazy(
        "%(label)s = %(value)s %(unit)s is outside the range the protocol allows, %(allowed)s %(unit)s"),
    FormFindingCode.NOT_A_CODE: gettext_lazy("%(code)s is not one of the answers of %(label)s"),
    FormFindingCode.WRONG_TYPE: gettext_lazy("%(label)s: the value %(value)s is not of the field's type"),
    FormFindingCode.DUPLICATE_CODE: gettext_lazy("%(label)s gives an answer more than once"),
    FormFindingCode.DECIMALS: gettext_lazy(
        "%(label)s = %(value)s has more decimals than the protocol records (%(decimals)s)"),
    FormFindingCode.REQUIRED_BLANK: gettext_lazy("%(label)s is required"),
    FormFindingCode.UNKNOWN_FIELD: gettext_lazy("%(label)s is not a field of this form"),
    FormFindingCode.NOT_EVALUABLE: gettext_lazy(
        "the condition %(expression)s cannot be evaluated on these values; it counts as unknown"),
}

# What to type, by field type, when what was typed could not be read at all.
TYPED = {
    ValueType.INT: gettext_lazy("%(label)s: enter a whole number%(unit)s"),
    ValueType.DECIMAL: gettext_lazy("%(label)s: enter a number with a decimal point%(unit)s, e.g. 1.25"),
    ValueType.DATE: gettext_lazy("%(label)s: enter a date as YYYY-MM-DD"),
    ValueType.DATETIME: gettext_lazy(
        "%(label)s: enter a date and time with its UTC offset, e.g. 2025-03-01T14:30+08:00"),
    ValueType.CHOICE: gettext_lazy("%(label)s: choose one of the answers listed"),
    ValueType.MULTI_CHOICE: gettext_lazy("%(label)s: choose among the answers listed, each once"),
    ValueType.BOOLEAN: gettext_lazy("%(label)s: answer yes or no"),
    ValueType.TEXT: gettext_lazy("%(label)s: this text cannot be stored"),
}


def _label(field: FieldDef | None, name: str, zh: bool) -> str:
    if field is None:
        return name
    return field.label.zh if zh else field.label.en


def finding_text(finding: FormFinding, form: FormDef, *, zh: bool) -> str:
    """The finding in the page's language: the core's message on an English page; on a
    Chinese page the code's wording (the core's message when the code has none)."""
    template = FINDINGS.get(finding.code)
    if not zh or template is None:
        return finding.message
    name = finding.field or ""
    params = {"label": _label(form.field(name), name, zh), **dict(finding.params)}
    params.setdefault("unit", "")
    return str(template) % params


def parse_error_text(message: str, field: FieldDef | None, *, zh: bool) -> str:
    """What could not be read, in the page's language (the core's message on an English page)."""
    if not zh or field is None:
        return message
    unit = f" ({field.unit})" if field.unit else ""
    return str(TYPED[field.type]) % {"label": _label(field, field.id, zh), "unit": unit}

