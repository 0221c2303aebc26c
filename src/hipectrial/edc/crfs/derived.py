"""Derived values a CRF page shows: computed by the core from the values each time, never stored.

* the protocol's derived variables (``variables``: age, BSA, CrCl, PCI…) that depend on a
  field of the form, by :func:`hipectrial.clinical.records.derived.derive`;
* for each lab field with a CDISC code (``anc`` → ``NEUT``), its CTCAE v5.0 grade by
  :func:`hipectrial.clinical.grade_lab`, with the site's reference limits recorded beside it
  on the form (``anc_lln`` / ``anc_uln``, the laboratory CRF's convention). No baseline
  value is passed: the core then grades against the ULN and says so (its
  ``baseline_not_given`` flag, shown). A grade the core cannot give (a limit it needs is
  blank) is shown as not gradable with the core's reason — never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hipectrial.clinical.labs.ctcae import grade_lab
from hipectrial.clinical.labs.units import parse_lab_test
from hipectrial.clinical.records.derived import derive
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol
from hipectrial.protocol.forms import DerivedVariable, FormDef


@dataclass(frozen=True, slots=True)
class Shown:
    """One derived value as the page shows it (``value`` None: not computable, ``note`` says why)."""

    id: str
    label: str
    value: str | None
    unit: str | None
    note: str
    steps: tuple[str, ...]


def _depends_on(protocol: Protocol, variable: DerivedVariable, names: set[str]) -> bool:
    defined = {d.id: d for d in protocol.variables}
    seen: set[str] = set()

    def inputs(d: DerivedVariable) -> set[str]:
        return set(d.expression.variables) if d.expression is not None else set(d.inputs)

    todo = list(inputs(variable))
    while todo:
        name = todo.pop()
        if name in names:
            return True
        if name in defined and name not in seen:
            seen.add(name)
            todo.extend(inputs(defined[name]))
    return False


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def derived_of(
    *, protocol: Protocol, form: FormDef, values: Mapping[str, Any], context: Mapping[str, Any], zh: bool
) -> list[Shown]:
    """The derived variables that use a field of ``form``, from ``values`` laid over ``context``."""
    names = {f.id for f in form.fields}
    wanted = [d for d in protocol.variables if _depends_on(protocol, d, names)]
    if not wanted:
        return []
    merged = {**context, **values}
    try:
        result = derive(protocol=protocol, values=merged)
    except InputError as exc:
        return [Shown(d.id, d.label.zh if zh else d.label.en, None, d.unit, str(exc), ()) for d in wanted]
    shown: list[Shown] = []
    for d in wanted:
        info = result.variable(d.id)
        if info.value is not None:
            note = ""
        elif info.missing:
            note = "missing: " + ", ".join(info.missing)
        else:
            note = info.reason or ""
        shown.append(
            Shown(
                d.id,
                d.label.zh if zh else d.label.en,
                None if info.value is None else _text(info.value),
                d.unit,
                note,
                info.steps,
            )
        )
    return shown


def lab_grades(*, form: FormDef, values: Mapping[str, Any], zh: bool) -> list[Shown]:
    """The CTCAE grade of each lab value of ``form`` that has a CDISC code and a value."""
    shown: list[Shown] = []
    for field in form.fields:
        if not field.cdisc or field.unit is None:
            continue
        try:
            parse_lab_test(field.cdisc)
        except InputError:
            continue  # a test CTCAE grading does not cover here (INR, albumin)
        value = values.get(field.id)
        if not isinstance(value, Decimal | int) or isinstance(value, bool):
            continue
        label = field.label.zh if zh else field.label.en
        lln, uln = values.get(f"{field.id}_lln"), values.get(f"{field.id}_uln")
        try:
            graded = grade_lab(test=field.cdisc, value=value, unit=field.unit, lln=lln, uln=uln)
        except InputError as exc:
            shown.append(Shown(field.id, label, None, None, f"not gradable: {exc}", ()))
            continue
        notes = "; ".join(flag.value.replace("_", " ") for flag in graded.flags)
        shown.append(Shown(field.id, label, graded.headline, None, notes, graded.steps))
    return shown
