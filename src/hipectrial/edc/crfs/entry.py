"""What a CRF page submitted, read and judged by the core: no rule of the protocol here.

Each field's text goes through :func:`hipectrial.data.parse_field_input`; the branching
through :func:`hipectrial.data.shown_fields`; ranges, decimals, code lists, required fields
and edit checks through :func:`hipectrial.data.check_form_values` and
:func:`hipectrial.data.missing_required` — the same code ``validate()`` runs on a TrialData.

Hidden fields (``show_if`` not TRUE) keep what was typed on the page but are **not saved**:
the values saved are those of the fields shown on the values saved. Hiding a field can show
another (``show_if: !x``), so the shown set is recomputed from the parsed values until it
no longer changes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol as TypingProtocol

from hipectrial.data import FormFinding, check_form_values, missing_required, parse_field_input, shown_fields
from hipectrial.data.findings import Severity
from hipectrial.data.values import FieldValue
from hipectrial.edc.crfs.wording import finding_text, parse_error_text
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol, ValueType
from hipectrial.protocol.forms import FormDef

Raw = str | list[str]
_EDIT_CHECK = re.compile(r"^edit check '([^']+)' fails: ")


class Submitted(TypingProtocol):
    """What a Django ``QueryDict`` offers (``request.POST``)."""

    def get(self, key: str, default: str | None = None) -> str | None: ...

    def getlist(self, key: str) -> list[str]: ...


def read_submission(form: FormDef, data: Submitted) -> dict[str, Raw]:
    """The text of each field of ``form`` as submitted (a list for multi-choice fields)."""
    raw: dict[str, Raw] = {}
    for field in form.fields:
        if field.type is ValueType.MULTI_CHOICE:
            raw[field.id] = list(data.getlist(field.id))
        else:
            raw[field.id] = data.get(field.id) or ""
    return raw


def text_of(value: FieldValue | None) -> Raw:
    """A stored value as the page's input shows it (and ``parse_field_input`` reads back)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | int):
        return str(value)
    return value


def raw_of(values: Mapping[str, FieldValue]) -> dict[str, Raw]:
    return {name: text_of(value) for name, value in values.items()}


@dataclass(frozen=True, slots=True)
class Judged:
    """A submission judged: the values that would be saved and every message, by field.

    ``values`` are the typed values of the shown fields that parsed; ``parse_errors`` the
    refusals of :func:`parse_field_input` on shown fields; ``findings`` the core's checks
    of ``values``; ``missing`` the shown required fields left blank.
    """

    raw: Mapping[str, Raw]
    values: Mapping[str, FieldValue]
    parse_errors: Mapping[str, str]
    shown: frozenset[str]
    findings: tuple[FormFinding, ...]
    missing: tuple[str, ...]

    @property
    def errors(self) -> tuple[FormFinding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    def blocks(self, *, complete: bool) -> bool:
        """Whether a save is refused: a value that does not parse or an error finding
        refuses any save; completing also needs every shown required field filled."""
        return bool(self.parse_errors or self.errors or (complete and self.missing))


def judge(
    *, protocol: Protocol, form: FormDef, raw: Mapping[str, Raw], context: Mapping[str, object] | None = None
) -> Judged:
    """Parse and check what was typed into ``form`` (module docstring); ``context`` holds the
    participant's values from other records that the form's conditions may name (the core's
    ``context``)."""
    parsed: dict[str, FieldValue] = {}
    refused: dict[str, str] = {}
    for field in form.fields:
        given = raw.get(field.id)
        try:
            value = parse_field_input(field=field, raw=given, protocol=protocol, form_id=form.id)
        except InputError as exc:
            refused[field.id] = str(exc)
            continue
        if value is not None:
            parsed[field.id] = value
    values = dict(parsed)
    shown = shown_fields(protocol=protocol, form_id=form.id, values=values, context=context)
    for _ in form.fields:
        kept = {name: value for name, value in parsed.items() if name in shown}
        again = shown_fields(protocol=protocol, form_id=form.id, values=kept, context=context)
        values = kept
        if again == shown:
            break
        shown = again
    return Judged(
        raw=dict(raw),
        values=values,
        parse_errors={name: message for name, message in refused.items() if name in shown},
        shown=shown,
        findings=check_form_values(protocol=protocol, form_id=form.id, values=values, context=context),
        missing=missing_required(protocol=protocol, form_id=form.id, values=values, context=context),
    )


def edit_check_id(finding: FormFinding) -> str | None:
    """The id of the edit check a record-level finding reports, if it is one."""
    match = _EDIT_CHECK.match(finding.message)
    return match.group(1) if match else None


def messages_by_field(
    judged: Judged, form: FormDef, *, complete: bool, zh: bool
) -> tuple[dict[str, list[tuple[str, str]]], list[tuple[str, str]]]:
    """(field id -> [(severity, message)], form-level [(severity, message)]).

    Edit checks are shown at the top, in the check's own words in the page's language, and
    beside each field of the form their expression names. A blank required field is an
    error only when completing (a draft may be incomplete).
    """
    by_field: dict[str, list[tuple[str, str]]] = {}
    top: list[tuple[str, str]] = []
    checks = {c.id: c for c in form.checks}
    for name, message in judged.parse_errors.items():
        by_field.setdefault(name, []).append(("error", parse_error_text(message, form.field(name), zh=zh)))
    for finding in judged.findings:
        severity = finding.severity.value
        if finding.field is not None:
            if finding.field in judged.missing:
                severity = "error" if complete else "warning"  # the draft / complete policy
            by_field.setdefault(finding.field, []).append((severity, finding_text(finding, form, zh=zh)))
            continue
        check = checks.get(edit_check_id(finding) or "")
        if check is None:  # an expression that cannot be evaluated
            text = finding_text(finding, form, zh=zh)
        else:
            text = check.message.zh if zh else check.message.en
        top.append((severity, text))
        if check is not None:
            for name in sorted(check.expression.variables):
                if form.field(name) is not None:
                    by_field.setdefault(name, []).append((severity, text))
    return by_field, top


def as_sequence(raw: Raw) -> Sequence[str]:
    return raw if isinstance(raw, list) else ([raw] if raw else [])
