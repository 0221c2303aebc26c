"""Refusals and data findings in the page's language.

A service or a core function refuses with an error whose ``phrase`` says what was refused as
a code and parameters (:mod:`hipectrial.edc.refusals`, :mod:`hipectrial.clinical.refusals`);
the data layer's checks say what they found the same way
(:class:`hipectrial.data.findings.FindingCode`). An English page shows the English message as
it is (``str(exc)``, the finding's message); a Chinese page words the phrase from its code,
fields by their labels (the protocol's for CRF fields and variables, the page's own for the
participant's and the records' fields), visits, cohorts and dose levels by the protocol's
Chinese names. An error without a phrase is not one a page should meet (a bug, or data that
bypassed the checks): it is said by a general sentence naming the field's label and the
value, with the English of what was expected. Nothing here decides anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from hipectrial.clinical.records.values import label_of
from hipectrial.clinical.refusals import ValueRefusal
from hipectrial.data.findings import Finding, FindingCode, Severity
from hipectrial.data.form_check import FormFinding
from hipectrial.edc.participants.labels import PARTICIPANT_FIELDS, RECORD_FIELDS, list_separator, pick
from hipectrial.edc.participants.wording import Template, dose_level_label
from hipectrial.edc.refusals import Refusal
from hipectrial.errors import ConflictError, HipectrialError, InputError, PermissionDenied
from hipectrial.phrases import ParamValue, Phrase
from hipectrial.protocol import Protocol
from hipectrial.protocol.forms import FormDef

# %(label)s is the refused field's label, %(value)s the value refused; the others are the
# phrase's parameters.
REFUSALS: Mapping[str, Template] = {
    Refusal.NOT_AFTER_TODAY: gettext_lazy(
        "%(label)s must be a date on or before today (%(today)s); %(value)s was given"),
    Refusal.BEFORE_CONSENT: gettext_lazy(
        "%(label)s must be before the date of informed consent (%(consent)s); %(value)s was given"),
    Refusal.DATA_CHECKS: gettext_lazy(
        "%(label)s %(value)s does not pass the trial's data checks: %(finding)s"),
    Refusal.RECORDS_AGREE: gettext_lazy(
        "%(label)s %(value)s would contradict the participant's other records: %(findings)s"),
    Refusal.REASON_FOR_CHANGE: gettext_lazy("Give a reason for the change."),
    Refusal.REASON_FOR_CORRECTION: gettext_lazy("Give a reason for the correction."),
    Refusal.RECORD_REASON_FOR_CHANGE: gettext_lazy(
        "Give a reason for the change: the record was completed before, and every later change states why."),
    Refusal.RECORD_REASON_FOR_DELETION: gettext_lazy(
        "Give a reason for the deletion: every deletion states why."),
    Refusal.ELIGIBILITY_CONFIRMED: gettext_lazy("Confirm that every eligibility criterion is met."),
    Refusal.PARTICIPANT_FIELDS: gettext_lazy("%(value)s: not fields of a participant (%(fields)s)"),
    Refusal.END_STAGE: gettext_lazy("%(value)s is neither off treatment nor off study"),
    Refusal.PARTICIPANT_ID: gettext_lazy(
        "%(value)s is not a participant number of the form %(prefix)s<number>"),
    Refusal.RECORD_OWNER: gettext_lazy(
        "The record belongs to %(value)s, not to the participant it is saved for (%(participant)s)."),
    Refusal.RECORD_EXISTS: gettext_lazy("The record %(value)s already exists: open it to change it."),
    Refusal.RECORD_OWN_KEY: gettext_lazy("The record's key cannot change to %(value)s (it is %(key)s)."),
    Refusal.VISIT_NOT_RECORDED: gettext_lazy("Enter the date of the visit: the visit is not recorded yet."),
    Refusal.RECORD_DELETED: gettext_lazy("%(key)s was deleted meanwhile: nothing was saved."),
    Refusal.FORM_UNKNOWN: gettext_lazy("%(value)s is not a form of the protocol"),
    Refusal.EDIT_CHECK: gettext_lazy("The values do not pass the protocol's edit check: %(message)s"),
    Refusal.FORM_VALUE: gettext_lazy("Not accepted: %(finding)s"),
    Refusal.IDENTITY_RECORDED: gettext_lazy(
        "%(label)s must be the participant record's, %(recorded)s: the participant record is the one "
        "source of sex, date of birth and date of consent; a wrong value is corrected on the participant's "
        "page, with a reason."),
    Refusal.REQUIRED_TO_COMPLETE: gettext_lazy(
        "%(label)s is required to save the form as complete (blank: %(missing)s); a draft may be "
        "incomplete."),
    Refusal.VISIT_DATE: gettext_lazy("Enter the date of the visit as YYYY-MM-DD; %(value)s was given."),
    Refusal.VISIT_DATE_NO_SUCH: gettext_lazy(
        "%(value)s is no date: enter the date of the visit as YYYY-MM-DD."),
    Refusal.LANGUAGE: gettext_lazy("%(value)s is not a language of the pages (%(english)s or %(chinese)s)"),
    Refusal.RECORD_CHANGED: gettext_lazy(
        "%(key)s was changed by %(user)s (version %(version)s) after the version %(expected)s this change "
        "was based on; nothing was saved"),
    Refusal.RECORD_FINDING: gettext_lazy("%(key)s: %(finding)s"),
    ValueRefusal.DERIVED_GIVEN: gettext_lazy(
        "%(label)s is derived, not entered: give its inputs (%(inputs)s)"),
    ValueRefusal.UNKNOWN_VARIABLE: gettext_lazy("%(label)s is not a variable of the protocol"),
    ValueRefusal.UNKNOWN_VARIABLE_LIKE: gettext_lazy(
        "%(label)s is not a variable of the protocol (did you mean %(close)s?)"),
    ValueRefusal.TRUE_OR_FALSE: gettext_lazy("%(label)s must be yes or no; %(value)s was given"),
    ValueRefusal.WHOLE_NUMBER: gettext_lazy("%(label)s must be a whole number%(unit)s; %(value)s was given"),
    ValueRefusal.NUMBER: gettext_lazy("%(label)s must be a number%(unit)s; %(value)s was given"),
    ValueRefusal.FINITE_NUMBER: gettext_lazy(
        "%(label)s must be a finite number%(unit)s; %(value)s was given"),
    ValueRefusal.CODE_AS_TEXT: gettext_lazy("%(label)s must be a code written as text; %(value)s was given"),
    ValueRefusal.TEXT: gettext_lazy("%(label)s must be text; %(value)s was given"),
    ValueRefusal.LIST_OF_CODES: gettext_lazy("%(label)s must be a list of codes; %(value)s was given"),
    ValueRefusal.DATE: gettext_lazy("%(label)s must be a date; %(value)s was given"),
    ValueRefusal.DATETIME_WITH_OFFSET: gettext_lazy(
        "%(label)s must be a date and time with its UTC offset; %(value)s was given"),
    ValueRefusal.NOT_AFTER_AS_OF: gettext_lazy(
        "%(label)s %(value)s is after the date of the evaluation (%(as_of)s): a record cannot hold a date "
        "after the day it is evaluated"),
    ValueRefusal.RANGE: gettext_lazy("%(label)s must be a number in %(range)s; %(value)s was given%(check)s"),
    ValueRefusal.ONE_OF: gettext_lazy("%(label)s must be one of %(codes)s; %(value)s was given"),
    ValueRefusal.AGE_DATES: gettext_lazy(
        "%(label)s must be a date (the age is computed from two dates); %(value)s was given"),
    ValueRefusal.AGE_BEFORE: gettext_lazy(
        "%(label)s must be before %(reference)s (%(date)s); %(value)s was given"),
    ValueRefusal.LAB_IMPLAUSIBLE: gettext_lazy(
        "%(label)s %(value)s is outside the plausible range of %(test)s, [%(low)s, %(high)s] %(unit)s: "
        "check the unit and the value typed"),
    ValueRefusal.LAB_UNIT: gettext_lazy("%(label)s: %(value)s is not a unit of %(test)s (%(units)s)"),
    ValueRefusal.LAB_NOT_NEGATIVE: gettext_lazy("%(label)s must not be negative; %(value)s was given"),
    ValueRefusal.LAB_NOT_POSITIVE: gettext_lazy(
        "%(label)s of %(test)s must be a positive number (in %(unit)s); %(value)s was given"),
    ValueRefusal.LAB_LLN_NOT_BELOW_ULN: gettext_lazy(
        "The lower limit of normal (%(value)s) must be below the upper limit of normal (%(uln)s %(unit)s)"),
    ValueRefusal.LAB_REFERENCE_MISSING: gettext_lazy(
        "%(reference)s of %(test)s (in %(unit)s) is needed to grade %(result)s %(result_unit)s: CTCAE v5.0 "
        "grade %(grade)s depends on it"),
    ValueRefusal.IN_UNIT: gettext_lazy(" (in %(unit)s)"),
    ValueRefusal.CHECK_UNIT: gettext_lazy(" (check the unit)"),
    ValueRefusal.LLN: gettext_lazy("the site's lower limit of normal (LLN)"),
    ValueRefusal.ULN: gettext_lazy("the site's upper limit of normal (ULN)"),
    ValueRefusal.BASELINE: gettext_lazy("the participant's baseline value"),
}

# The data layer's findings (hipectrial.data.validate) with a code.
FINDINGS: Mapping[str, Template] = {
    FindingCode.DATE_ORDER: gettext_lazy("%(later)s %(later_date)s is before %(earlier)s %(earlier_date)s"),
    FindingCode.AFTER_DEATH: gettext_lazy(
        "%(name)s %(date)s is after the participant's death (%(death)s, from a follow-up)"),
    FindingCode.UNKNOWN_PARTICIPANT: gettext_lazy("the data hold no participant %(participant)s"),
    FindingCode.NEVER_REGISTERED: gettext_lazy("off treatment but never registered (no registration date)"),
    FindingCode.VISIT_BEFORE_REGISTRATION: gettext_lazy(
        "the visit %(visit)s follows registration, but participant %(participant)s is not registered"),
    FindingCode.VISIT_ONCE: gettext_lazy(
        "occurrence %(repeat)s of the visit %(visit)s: the protocol schedules it once"),
    FindingCode.VISIT_AT_MOST: gettext_lazy(
        "occurrence %(repeat)s of the visit %(visit)s: the protocol schedules it at most %(most)s times"),
    FindingCode.VISIT_COHORT: gettext_lazy(
        "the visit %(visit)s is for the cohorts %(cohorts)s; the participant is in the cohort %(cohort)s"),
    FindingCode.UNKNOWN_DOSE_LEVEL: gettext_lazy(
        "unknown dose level %(level)s; the protocol's levels: %(levels)s"),
    FindingCode.NOT_A_CODE: gettext_lazy(
        "%(name)s %(code)s is not a code of the code list %(codelist)s (%(codes)s)"),
    FindingCode.REGISTERED_WITHOUT_COHORT: gettext_lazy("registered without a cohort"),
    FindingCode.DATE_WITHOUT_REASON: gettext_lazy("the date of %(stage)s is given without a reason"),
    FindingCode.REASON_WITHOUT_DATE: gettext_lazy("the reason for %(stage)s is given without a date"),
    FindingCode.IDENTITY_CONTRADICTED: gettext_lazy(
        "%(field)s %(given)s on the %(form)s form contradicts the participant record's %(recorded)s; the "
        "participant record is the one source of sex, date of birth and date of consent (a wrong value is "
        "corrected there, with a reason)"),
}

STAGES: Mapping[str, Template] = {
    "off_treatment": pgettext_lazy("end of participation", "off treatment"),
    "off_study": pgettext_lazy("end of participation", "off study"),
}

# Not a refusal a page should meet (an error without a phrase: a bug, or data that bypassed
# the checks): said with the field's label and the value, and the English of what was expected.
UNEXPECTED_INPUT = gettext_lazy("%(label)s: the value %(value)s is not accepted: %(expected)s")
UNEXPECTED_FINDING = gettext_lazy("the data checks found: %(message)s")
UNEXPECTED_ERROR = gettext_lazy("This could not be done: %(message)s")
NOTHING = pgettext_lazy("a value left blank", "(blank)")


def field_label(name: str, *, protocol: Protocol, language: str, form: FormDef | None = None) -> str:
    """The field ``name`` as a page in ``language`` names it: a CRF field (``values.anc`` or
    ``anc``) or a derived variable by the protocol's label (``form``'s own field first), a
    participant's or a record's field by the page's label; the name itself when it is none
    of these."""
    field_id = name.removeprefix("values.")
    if form is not None and (field := form.field(field_id)) is not None:
        return pick(field.label, language)
    if name in PARTICIPANT_FIELDS:
        return str(PARTICIPANT_FIELDS[name])
    if name in RECORD_FIELDS:
        return str(RECORD_FIELDS[name])
    return pick(label_of(protocol, field_id), language)


def value_text(value: object) -> str:
    """A refused value as a Chinese sentence shows it (text without quotes)."""
    if value is None or value == "":
        return str(NOTHING)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return list_separator("zh").join(value_text(v) for v in value)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return str(value) if isinstance(value, Decimal | str | int | float) else repr(value)


class _Words:
    """Wording of phrases in Chinese with the protocol's names (one refusal or finding)."""

    def __init__(self, protocol: Protocol, form: FormDef | None) -> None:
        self.protocol, self.form = protocol, form

    def label(self, name: str) -> str:
        return field_label(name, protocol=self.protocol, language="zh", form=self.form)

    def say(self, name: str, value: str) -> str:
        """A text parameter: field names by their label, visits, cohorts and dose levels by
        the protocol's names, the end of participation in words; the rest as given."""
        if name in ("later", "earlier", "name", "field", "reference", "fields", "missing"):
            return self.label(value)
        if name == "visit":
            visit = next((v for v in self.protocol.visits if v.id == value), None)
            return pick(visit.name, "zh") if visit is not None else value
        if name in ("cohort", "cohorts"):
            cohort = next((c for c in self.protocol.cohorts if c.id == value), None)
            return pick(cohort.label, "zh") if cohort is not None else value
        if name in ("level", "levels"):
            return dose_level_label(self.protocol, value, "zh")
        if name == "stage":
            return str(STAGES.get(value, value))
        return value

    def param(self, name: str, value: ParamValue) -> str:
        if isinstance(value, Phrase):
            return self.phrase(value)
        if isinstance(value, tuple):
            joiner = "；" if name == "findings" else list_separator("zh")
            return joiner.join(self.param(name, v) for v in value)
        return self.say(name, value) if value else value

    def phrase(self, phrase: Phrase, **given: str) -> str:
        """``phrase`` by its code's template; ``given`` are the refused field's ``label`` and
        ``value``. A nested CRF finding (FORM_VALUE) is worded by the CRF's own wording, an
        edit check by the protocol's Chinese message."""
        own: dict[str, str] = {}
        if phrase.code == Refusal.EDIT_CHECK:
            own["message"] = self._check_message(phrase) or str(phrase.param("message"))
        if phrase.code == Refusal.FORM_VALUE:
            own["finding"] = self._form_finding(phrase)
        params = {name: self.param(name, value) for name, value in phrase.params if name not in own}
        template = REFUSALS.get(phrase.code) or FINDINGS[phrase.code]
        return str(template) % {**given, **params, **own}

    def _check_message(self, phrase: Phrase) -> str | None:
        form = self.form or next((f for f in self.protocol.forms if f.id == phrase.param("form")), None)
        check = next((c for c in form.checks if c.id == phrase.param("check")), None) if form else None
        return pick(check.message, "zh") if check is not None else None

    def _form_finding(self, phrase: Phrase) -> str:
        """A CRF finding (FORM_VALUE's ``finding``: a FormFinding's code and parameters) by
        the CRF wording with the form's labels."""
        from hipectrial.edc.crfs.wording import FINDINGS as CRF_FINDINGS
        from hipectrial.edc.crfs.wording import finding_text as crf_finding_text

        said = phrase.param("finding")
        form = self.form or next((f for f in self.protocol.forms if f.id == phrase.param("form")), None)
        if not isinstance(said, Phrase) or form is None or said.code not in CRF_FINDINGS:
            return str(UNEXPECTED_FINDING) % {"message": said if isinstance(said, str) else said.code}
        params = tuple((k, v) for k, v in said.params if isinstance(v, str))
        finding = FormFinding(Severity.ERROR, str(phrase.param("field")), "", said.code, params)
        return crf_finding_text(finding, form, zh=True)


def _known(phrase: Phrase | None) -> bool:
    return phrase is not None and (phrase.code in REFUSALS or phrase.code in FINDINGS)


def refusal_text(exc: BaseException, *, language: str, protocol: Protocol,
                 form: FormDef | None = None) -> str:
    """What was refused, in ``language``: ``str(exc)`` on an English page; on a Chinese page
    the error's phrase worded with ``protocol``'s (and ``form``'s) labels. An InputError
    without a phrase is said by a general sentence (its field's label, its value and the
    English of what was expected); a conflict or a permission refusal without one is the
    EDC's own, already in the page's language."""
    if language != "zh":
        return str(exc)
    phrase = getattr(exc, "phrase", None)
    words = _Words(protocol, form)
    if isinstance(exc, InputError):
        given = {"label": words.label(exc.field), "value": value_text(exc.value)}
        if phrase is not None and _known(phrase):
            return words.phrase(phrase, **given)
        return str(UNEXPECTED_INPUT) % {**given, "expected": exc.expected}
    if phrase is not None and _known(phrase):
        return words.phrase(phrase)
    if isinstance(exc, ConflictError | PermissionDenied) or not isinstance(exc, HipectrialError):
        return str(exc)
    return str(UNEXPECTED_ERROR) % {"message": str(exc)}


def finding_text(finding: Finding, *, protocol: Protocol, language: str) -> str:
    """One finding of the data layer's checks in ``language`` (its message on an English page)."""
    if language != "zh":
        return finding.message
    if finding.phrase is not None and finding.phrase.code in FINDINGS:
        return _Words(protocol, None).phrase(finding.phrase)
    return str(UNEXPECTED_FINDING) % {"message": finding.message}


def record_finding_text(finding: Finding, *, protocol: Protocol, language: str) -> str:
    """``key: message`` of a finding, in ``language`` (a registration refused for it)."""
    if language != "zh":
        return f"{finding.key}: {finding.message}"
    return str(REFUSALS[Refusal.RECORD_FINDING]) % {
        "key": finding.key, "finding": finding_text(finding, protocol=protocol, language=language)}

