"""A participant's eligibility as the screening page shows it (a selector: reads only).

The verdict is the core's: the participant's completed records as ``TrialData``
(:func:`hipectrial.edc.participant_data.participant_trial`), their facts
(:func:`hipectrial.analysis.facts.collect_facts`) and
:func:`hipectrial.analysis.screening.evaluate_screening`, which gathers the screening values
as the analyses do and calls :func:`hipectrial.clinical.evaluate_eligibility`. This module
only puts the engine's result in words for the page: each criterion with the values used
(protocol labels, code labels) and each missing value with the form where it is entered.
Registration (``registration.participant_register``) decides on the same evaluation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hipectrial.analysis.facts import collect_facts
from hipectrial.analysis.screening import (
    SCREENING_VISITS,
    STAGING_VISIT,
    ScreeningEvaluation,
    evaluate_screening,
)
from hipectrial.clinical.eligibility import EligibilityResult
from hipectrial.clinical.records.values import field_of, label_of
from hipectrial.data import FormRecord
from hipectrial.edc.crfs.codec import from_payload
from hipectrial.edc.crfs.models import Kind, Record, Status
from hipectrial.edc.participant_data import participant_trial
from hipectrial.edc.participants.labels import crf_url, language_of, pick
from hipectrial.edc.participants.models import Participant
from hipectrial.edc.participants.wording import eligibility_reason
from hipectrial.edc.refusal_wording import refusal_text
from hipectrial.phrases import Phrase
from hipectrial.protocol import Protocol, ValueType

NOT_EVALUABLE = "not_evaluable"
WORDS = {
    "met": gettext_lazy("met"), "not_met": gettext_lazy("not met"), "unknown": gettext_lazy("unknown"),
    "not_applicable": gettext_lazy("not applicable"), "eligible": gettext_lazy("eligible"),
    "ineligible": gettext_lazy("not eligible"), "incomplete": gettext_lazy("incomplete"),
    NOT_EVALUABLE: gettext_lazy("cannot be evaluated yet"),
    "inclusion": gettext_lazy("inclusion"), "exclusion": gettext_lazy("exclusion"),
}

EXCLUSION_WORDS = {
    "met": gettext_lazy("does not apply (not excluded)"),
    "not_met": gettext_lazy("applies: excluded"),
}


def screening_evaluation(participant: Participant, protocol: Protocol) -> ScreeningEvaluation:
    """The core's eligibility evaluation on ``participant``'s completed screening records."""
    trial = participant_trial(participant)
    facts = collect_facts(trial=trial, protocol=protocol)[participant.participant_id]
    return evaluate_screening(protocol=protocol, facts=facts)


@dataclass(frozen=True, slots=True)
class ValueShown:
    label: str
    value: str
    unit: str


@dataclass(frozen=True, slots=True)
class CriterionRow:
    id: str
    kind: str
    text: str
    status: str  # met, not_met, unknown, not_applicable (the engine's CriterionStatus)
    values: tuple[ValueShown, ...]
    missing: tuple[str, ...]
    reason: str

    @property
    def status_label(self) -> str:
        # The engine's "met" means the participant satisfies the criterion; for an
        # exclusion that is "does not apply". A clinician reads "exclusion criterion met"
        # as "excluded", so an exclusion's verdict is said as whether it applies.
        if self.kind == "exclusion" and self.status in EXCLUSION_WORDS:
            return str(EXCLUSION_WORDS[self.status])
        return str(WORDS[self.status])

    @property
    def kind_label(self) -> str:
        return str(WORDS.get(self.kind, self.kind))


@dataclass(frozen=True, slots=True)
class MissingRow:
    variable: str
    label: str
    needed_by: tuple[str, ...]
    form: str | None
    url: str | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class EligibilityPanel:
    """What the screening panel shows; ``status`` is the engine's verdict or ``not_evaluable``
    (then ``note`` says why)."""

    status: str
    as_of: dt.date | None
    cohort: str | None
    cohort_reason: str
    criteria: tuple[CriterionRow, ...]
    missing: tuple[MissingRow, ...]
    derived: tuple[ValueShown, ...]
    note: str | None
    drafts: tuple[str, ...]

    @property
    def status_label(self) -> str:
        return str(WORDS[self.status])

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(c.status == s for c in self.criteria) for s in ("met", "not_met", "unknown")}


def shown_value(protocol: Protocol, name: str, value: object, language: str) -> ValueShown:
    """A value as the page shows it: the field's label, a code's label, a yes/no, the unit."""
    label = pick(label_of(protocol, name), language)
    field = field_of(protocol, name)
    unit = (field.unit if field is not None else None) or next(
        (d.unit for d in protocol.variables if d.id == name and d.unit), None) or ""
    if value is None:
        text = "—"
    elif isinstance(value, bool):
        text = _("yes") if value else _("no")
    elif field is not None and field.type is ValueType.CHOICE and field.codelist is not None:
        items = {i.code: i.label for i in protocol.codelist(field.codelist).items}
        code_label = items.get(str(value))
        text = f"{pick((code_label.en, code_label.zh), language)} ({value})" if code_label else str(value)
    elif isinstance(value, dt.date | Decimal | int | float):
        text = value.isoformat() if isinstance(value, dt.date) else str(value)
    else:
        text = str(value)
    return ValueShown(label, text, unit)


def _form_of(protocol: Protocol, variable: str) -> tuple[str, str] | None:
    """(visit id, form id) where a screening value is entered; ``None`` for a derived one."""
    try:
        form, _field = protocol.field(variable)
    except KeyError:
        return None
    for visit_id in SCREENING_VISITS:
        if form.id in protocol.visit(visit_id).forms:
            return visit_id, form.id
    if form.id == "laparoscopy":
        return STAGING_VISIT, form.id
    return None


def staging_repeat(participant: Participant) -> int:
    """The ``unscheduled`` visit occurrence holding the staging laparoscopy: the one already
    entered (draft or complete) with ``lap_context`` diagnostic, else the next free one."""
    rows = Record.objects.filter(participant=participant, kind=Kind.FORM, visit_id=STAGING_VISIT)
    for row in rows.filter(form_id="laparoscopy").order_by("visit_repeat"):
        record = from_payload(Kind.FORM, row.payload)
        if isinstance(record, FormRecord) and record.values.get("lap_context") == "diagnostic":
            return record.visit_repeat
    used = [r for r in rows.values_list("visit_repeat", flat=True) if r is not None]
    visits = Record.objects.filter(participant=participant, kind=Kind.VISIT, visit_id=STAGING_VISIT)
    used += [r for r in visits.values_list("visit_repeat", flat=True) if r is not None]
    return max(used, default=0) + 1


def _criteria(protocol: Protocol, result: EligibilityResult, language: str) -> tuple[CriterionRow, ...]:
    rows = []
    for c in result.criteria:
        values = tuple(shown_value(protocol, name, value, language) for name, value in c.values.items())
        missing = tuple(pick(label_of(protocol, m), language) for m in c.missing)
        rows.append(CriterionRow(c.id, c.kind, pick((c.text, c.text_zh), language), c.status.value,
                                 values, missing, eligibility_reason(c.reason, c.phrase, protocol, language)))
    return tuple(rows)


def _missing(protocol: Protocol, participant: Participant, result: EligibilityResult,
             language: str) -> tuple[MissingRow, ...]:
    rows = []
    staging: int | None = None
    for m in result.missing:
        where = _form_of(protocol, m.variable)
        form = url = None
        if where is not None:
            visit_id, form_id = where
            if visit_id == STAGING_VISIT:
                staging = staging if staging is not None else staging_repeat(participant)
            repeat = staging if visit_id == STAGING_VISIT and staging is not None else 1
            form_def = protocol.form(form_id)
            form = pick((form_def.label.en, form_def.label.zh), language)
            url = crf_url(participant.participant_id, visit_id, repeat, form_id)
        reason = None if m.reason is None else eligibility_reason(m.reason, m.phrase, protocol, language)
        rows.append(MissingRow(m.variable, pick((m.label, m.label_zh), language), m.needed_by, form, url,
                               reason))
    return tuple(rows)


def _drafts(protocol: Protocol, participant: Participant, language: str) -> tuple[str, ...]:
    """Screening forms saved as drafts: their values do not count until completed."""
    rows = Record.objects.filter(participant=participant, kind=Kind.FORM, status=Status.DRAFT,
                                 visit_id__in=(*SCREENING_VISITS, STAGING_VISIT))
    names = []
    for form_id in dict.fromkeys(rows.values_list("form_id", flat=True)):
        form = protocol.form(form_id)
        names.append(pick((form.label.en, form.label.zh), language))
    return tuple(names)


def eligibility_panel(participant: Participant, protocol: Protocol, language: str) -> EligibilityPanel:
    """The eligibility panel of ``participant`` now (recomputed on every call)."""
    evaluation = screening_evaluation(participant, protocol)
    drafts = _drafts(protocol, participant, language)
    result = evaluation.result
    if result is None:
        note = _note(evaluation, protocol, language)
        return EligibilityPanel(NOT_EVALUABLE, evaluation.inputs.as_of, None, "", (), (), (), note, drafts)
    cohort = result.cohort.cohort
    cohort_label = None
    if cohort is not None:
        c = next(c for c in protocol.cohorts if c.id == cohort)
        cohort_label = pick((c.label.en, c.label.zh), language)
    derived = tuple(shown_value(protocol, d.variable, d.value, language) for d in result.derived
                    if d.value is not None)
    cohort_reason = eligibility_reason(result.cohort.reason, result.cohort.phrase, protocol, language)
    return EligibilityPanel(result.status.value, result.as_of, cohort_label, cohort_reason,
                            _criteria(protocol, result, language),
                            _missing(protocol, participant, result, language), derived, None, drafts)


def _note(evaluation: ScreeningEvaluation, protocol: Protocol, language: str) -> str:
    """Why eligibility cannot be evaluated, in ``language`` (the engine's refusal too)."""
    error = None
    if evaluation.error is not None:
        error = refusal_text(evaluation.error, language=language, protocol=protocol)
    return eligibility_reason(evaluation.note or "", evaluation.note_phrase, protocol, language, error)


def not_eligible_reasons(evaluation: ScreeningEvaluation, protocol: Protocol) -> tuple[str, ...]:
    """Why ``evaluation`` does not allow registration (empty when the participant is
    eligible): each criterion not met, each value missing (with the criteria needing it),
    each criterion still unknown, or why eligibility could not be evaluated."""
    result = evaluation.result
    language = language_of()
    if result is None:
        note = _note(evaluation, protocol, language)
        return (_("Eligibility cannot be evaluated: %(note)s") % {"note": note},)
    if result.status.value == "eligible":
        return ()

    def why(reason: str, phrase: Phrase | None) -> str:
        return eligibility_reason(reason, phrase, protocol, language)

    reasons = [
        (_("Exclusion criterion %(id)s applies: %(text)s (%(values)s)") if c.kind == "exclusion"
         else _("Inclusion criterion %(id)s not met: %(text)s (%(values)s)")) % {
            "id": c.id, "text": pick((c.text, c.text_zh), language),
            "values": ", ".join(f"{k} = {v}" for k, v in c.values.items()) or why(c.reason, c.phrase)}
        for c in result.criteria if c.status.value == "not_met"]
    if result.cohort.cohort is None and not result.cohort.missing:
        reasons.append(_("No cohort takes the participant: %(reason)s") % {
            "reason": why(result.cohort.reason, result.cohort.phrase)})
    reasons += [
        _("Missing: %(label)s (%(variable)s), needed by %(criteria)s") % {
            "label": pick((m.label, m.label_zh), language), "variable": m.variable,
            "criteria": ", ".join(m.needed_by)}
        for m in result.missing]
    missing_named = {c for m in result.missing for c in m.needed_by}
    reasons += [
        _("Criterion %(id)s unknown: %(reason)s") % {"id": c.id, "reason": why(c.reason, c.phrase)}
        for c in result.criteria if c.status.value == "unknown" and c.id not in missing_named]
    return tuple(reasons)
