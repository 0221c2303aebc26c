"""How each protocol field is drawn: the widget for its type, its label, unit, range and codes.

Presentation only: the range shown as a hint is the protocol's ``min``/``max`` as written;
whether a value is within it is decided by the core when the form is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hipectrial.edc.crfs.entry import Raw, as_sequence, text_of
from hipectrial.protocol import Protocol, ValueType
from hipectrial.protocol.forms import FieldDef, FormDef

# Free-text fields that take a sentence or more (a textarea); other text fields are one line.
_LONG_TEXT = ("_detail", "_description", "_rationale", "_deviation", "_sites", "comorbidities", "_indication")
# A code list this short is drawn as radio buttons, a longer one as a drop-down.
_RADIO_LIMIT = 4


@dataclass(frozen=True, slots=True)
class Choice:
    code: str
    label: str
    checked: bool


@dataclass(frozen=True, slots=True)
class FieldView:
    id: str
    label: str
    widget: str  # number | date | datetime | radios | select | checkboxes | text | textarea
    inputmode: str
    unit: str | None
    range_hint: str
    required: bool
    help: str
    value: str
    choices: tuple[Choice, ...]
    shown: bool
    conditional: bool
    messages: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def _number(x: float) -> str:
    return f"{x:g}"


def range_hint(f: FieldDef) -> str:
    if f.min is not None and f.max is not None:
        return f"{_number(f.min)}–{_number(f.max)}"
    if f.min is not None:
        return f"≥ {_number(f.min)}"
    if f.max is not None:
        return f"≤ {_number(f.max)}"
    return ""


def _widget(f: FieldDef, protocol: Protocol) -> str:
    kind = f.type
    if kind in (ValueType.INT, ValueType.DECIMAL):
        return "number"
    if kind is ValueType.DATE:
        return "date"
    if kind is ValueType.DATETIME:
        return "datetime"
    if kind is ValueType.BOOLEAN:
        return "radios"
    if kind is ValueType.MULTI_CHOICE:
        return "checkboxes"
    if kind is ValueType.CHOICE:
        return "radios" if len(protocol.codelist(str(f.codelist)).items) <= _RADIO_LIMIT else "select"
    return "textarea" if f.id.endswith(_LONG_TEXT) else "text"


def _choices(f: FieldDef, protocol: Protocol, raw: Raw, zh: bool, yes: str, no: str) -> tuple[Choice, ...]:
    given = set(as_sequence(raw))
    if f.type is ValueType.BOOLEAN:
        return (Choice("true", yes, "true" in given), Choice("false", no, "false" in given))
    if f.codelist is None:
        return ()
    return tuple(
        Choice(item.code, item.label.zh if zh else item.label.en, item.code in given)
        for item in protocol.codelist(f.codelist).items
    )


def field_views(
    *,
    protocol: Protocol,
    form: FormDef,
    raw: Mapping[str, Raw],
    shown: frozenset[str],
    messages: Mapping[str, list[tuple[str, str]]],
    zh: bool,
    yes: str,
    no: str,
) -> list[FieldView]:
    views = []
    for f in form.fields:
        given = raw.get(f.id, "")
        views.append(
            FieldView(
                id=f.id,
                label=f.label.zh if zh else f.label.en,
                widget=_widget(f, protocol),
                inputmode="decimal" if f.type is ValueType.DECIMAL else "numeric",
                unit=f.unit,
                range_hint=range_hint(f),
                required=f.required,
                help=(f.help.zh if zh else f.help.en) if f.help is not None else "",
                value=given if isinstance(given, str) else "",
                choices=_choices(f, protocol, given, zh, yes, no),
                shown=f.id in shown,
                conditional=f.show_if is not None,
                messages=tuple(messages.get(f.id, ())),
            )
        )
    return views


def display_value(protocol: Protocol, f: FieldDef, value: object, zh: bool) -> str:
    """A stored value for reading: a code by its code-list label in the page's language,
    anything else as the input shows it."""
    if value is None:
        return ""
    if f.codelist is not None:
        labels = {i.code: (i.label.zh if zh else i.label.en) for i in protocol.codelist(f.codelist).items}
        codes = value if isinstance(value, tuple) else (value,)
        return ", ".join(labels.get(str(c), str(c)) for c in codes)
    text = text_of(value)  # type: ignore[arg-type]
    return ", ".join(text) if isinstance(text, list) else text
