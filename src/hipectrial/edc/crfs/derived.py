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

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from hipectrial.clinical.labs.ctcae import GradeFlag, LabGrade, grade_lab
from hipectrial.clinical.labs.ctcae_tables import CtcaeTerm
from hipectrial.clinical.labs.units import parse_lab_test
from hipectrial.clinical.records.derived import derive
from hipectrial.edc.participants.wording import eligibility_reason
from hipectrial.edc.refusal_wording import refusal_text
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
    if isinstance(value, bool):  # a derived yes/no (HER2-positive…) in the page's language
        return _("yes") if value else _("no")
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
        refused = refusal_text(exc, language="zh" if zh else "en", protocol=protocol, form=form)
        return [Shown(d.id, d.label.zh if zh else d.label.en, None, d.unit, refused, ()) for d in wanted]
    shown: list[Shown] = []
    for d in wanted:
        info = result.variable(d.id)
        if info.value is not None:
            note = ""
        elif info.missing:
            note = _("missing: %(names)s") % {"names": ", ".join(info.missing)}
        else:
            note = eligibility_reason(info.reason or "", info.phrase, protocol, "zh" if zh else "en")
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


# what a grade's flags say, in the page's language (GradeFlag's own words, spaced)
FLAG_WORDS = {
    GradeFlag.BASELINE_ABNORMAL: gettext_lazy("baseline abnormal"),
    GradeFlag.BASELINE_NOT_GIVEN: gettext_lazy("baseline not given"),
    GradeFlag.BASELINE_NOT_USED: gettext_lazy("baseline not used"),
    GradeFlag.BASELINE_CRITERION_DECIDED: gettext_lazy("baseline criterion decided"),
    GradeFlag.SYMPTOMS_DECIDE: gettext_lazy("symptoms decide"),
    GradeFlag.CLINICAL_GRADE_POSSIBLE: gettext_lazy("clinical grade possible"),
    GradeFlag.REFERENCE_BEYOND_LIMIT: gettext_lazy("reference beyond limit"),
    GradeFlag.UNGRADED_TERM_MET: gettext_lazy("ungraded term met"),
}


# CTCAE v5.0's terms graded from lab values, in the page's language (the Chinese as in the
# Chinese translation of CTCAE v5.0).
TERM_WORDS = {
    CtcaeTerm.NEUTROPHIL_COUNT_DECREASED: pgettext_lazy("CTCAE term", "Neutrophil count decreased"),
    CtcaeTerm.PLATELET_COUNT_DECREASED: pgettext_lazy("CTCAE term", "Platelet count decreased"),
    CtcaeTerm.ANEMIA: pgettext_lazy("CTCAE term", "Anemia"),
    CtcaeTerm.WHITE_BLOOD_CELL_DECREASED: pgettext_lazy("CTCAE term", "White blood cell decreased"),
    CtcaeTerm.LYMPHOCYTE_COUNT_DECREASED: pgettext_lazy("CTCAE term", "Lymphocyte count decreased"),
    CtcaeTerm.ALT_INCREASED: pgettext_lazy("CTCAE term", "Alanine aminotransferase increased"),
    CtcaeTerm.AST_INCREASED: pgettext_lazy("CTCAE term", "Aspartate aminotransferase increased"),
    CtcaeTerm.ALP_INCREASED: pgettext_lazy("CTCAE term", "Alkaline phosphatase increased"),
    CtcaeTerm.BILIRUBIN_INCREASED: pgettext_lazy("CTCAE term", "Blood bilirubin increased"),
    CtcaeTerm.CREATININE_INCREASED: pgettext_lazy("CTCAE term", "Creatinine increased"),
    CtcaeTerm.HYPOKALEMIA: pgettext_lazy("CTCAE term", "Hypokalemia"),
    CtcaeTerm.HYPERKALEMIA: pgettext_lazy("CTCAE term", "Hyperkalemia"),
    CtcaeTerm.HYPONATREMIA: pgettext_lazy("CTCAE term", "Hyponatremia"),
}


def grade_headline(graded: LabGrade, label: str, *, zh: bool) -> str:
    """The grade as the page says it: the core's headline (``Neutrophil count decreased:
    grade 3``) on an English page; on a Chinese page the same from the term, the grade and
    the range when symptoms decide, a value within normal limits named by ``label``."""
    if not zh:
        return graded.headline
    if graded.term is None:
        text = _("%(test)s within normal limits: grade %(grade)s") % {"test": label, "grade": graded.grade}
    else:
        text = _("%(term)s: grade %(grade)s") % {"term": TERM_WORDS[graded.term], "grade": graded.grade}
    low, high = graded.grade_range
    if low != high:
        text += _(" (grade %(low)s if asymptomatic: clinician decides)") % {"low": low}
    return text


def lab_grades(*, protocol: Protocol, form: FormDef, values: Mapping[str, Any], zh: bool) -> list[Shown]:
    """The CTCAE grade of each lab value of ``form`` that has a CDISC code and a value; a
    grade the core refuses to give, with its refusal in the page's language."""
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
            refused = _("not gradable: %(error)s") % {
                "error": refusal_text(exc, language="zh" if zh else "en", protocol=protocol)}
            shown.append(Shown(field.id, label, None, None, refused, ()))
            continue
        notes = "; ".join(str(FLAG_WORDS[flag]) for flag in graded.flags)
        shown.append(Shown(field.id, label, grade_headline(graded, label, zh=zh), None, notes, graded.steps))
    return shown
