"""What the EDC's services refuse, as codes with parameters beside the English.

A service refuses a value with an :class:`~hipectrial.errors.InputError` (field, value, what
was expected, a hint) or a write made from a stale version with a
:class:`~hipectrial.errors.ConflictError`; the English is composed here, from a
:class:`Refusal` code and its parameters, by one template per code (:data:`ENGLISH`, the
hint by :data:`HINTS`), and the error carries the same as its ``phrase``
(:mod:`hipectrial.phrases`). ``str(exc)`` is the English (logs, the command line); a page
words the phrase in its language (:mod:`hipectrial.edc.refusal_wording`). Refusals of the
core's own functions have the core's codes (:class:`hipectrial.clinical.refusals.ValueRefusal`,
:class:`hipectrial.data.findings.FindingCode`).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from string import Formatter

from hipectrial.clinical.refusals import ENGLISH as VALUE_ENGLISH
from hipectrial.data.findings import ENGLISH as FINDING_ENGLISH
from hipectrial.errors import InputError, refusal
from hipectrial.phrases import ParamValue, Phrase, english


class Refusal(StrEnum):
    """Why an EDC service refused (the parameters are those of its :data:`ENGLISH` and
    :data:`HINTS` templates)."""

    NOT_AFTER_TODAY = "not_after_today"
    BEFORE_CONSENT = "before_consent"
    DATA_CHECKS = "data_checks"
    RECORDS_AGREE = "records_agree"
    REASON_FOR_CHANGE = "reason_for_change"
    REASON_FOR_CORRECTION = "reason_for_correction"
    RECORD_REASON_FOR_CHANGE = "record_reason_for_change"
    RECORD_REASON_FOR_DELETION = "record_reason_for_deletion"
    ELIGIBILITY_CONFIRMED = "eligibility_confirmed"
    PARTICIPANT_FIELDS = "participant_fields"
    END_STAGE = "end_stage"
    PARTICIPANT_ID = "participant_id"
    RECORD_OWNER = "record_owner"
    RECORD_EXISTS = "record_exists"
    RECORD_OWN_KEY = "record_own_key"
    VISIT_NOT_RECORDED = "visit_not_recorded"
    RECORD_DELETED = "record_deleted"
    FORM_UNKNOWN = "form_unknown"
    EDIT_CHECK = "edit_check_fails"
    FORM_VALUE = "form_value"
    IDENTITY_RECORDED = "identity_recorded"
    REQUIRED_TO_COMPLETE = "required_to_complete"
    VISIT_DATE = "visit_date"
    VISIT_DATE_NO_SUCH = "visit_date_no_such"
    LANGUAGE = "language"
    RECORD_CHANGED = "record_changed"
    # a part of a sentence (a nested phrase): one record's finding
    RECORD_FINDING = "record_finding"


ENGLISH: Mapping[str, str] = {
    Refusal.NOT_AFTER_TODAY: "a date on or before today ({today})",
    Refusal.BEFORE_CONSENT: "a date before the consent date ({consent})",
    Refusal.DATA_CHECKS: "a value the trial's data checks accept",
    Refusal.RECORDS_AGREE: "a value the participant's other records agree with",
    Refusal.REASON_FOR_CHANGE: "a reason for the change",
    Refusal.REASON_FOR_CORRECTION: "a reason for the correction",
    Refusal.RECORD_REASON_FOR_CHANGE: "a reason for the change",
    Refusal.RECORD_REASON_FOR_DELETION: "a reason for the deletion",
    Refusal.ELIGIBILITY_CONFIRMED: "the investigator's confirmation that every eligibility criterion is met",
    Refusal.PARTICIPANT_FIELDS: "participant fields: {fields}",
    Refusal.END_STAGE: "off_treatment or off_study",
    Refusal.PARTICIPANT_ID: "a participant id {prefix}<number>",
    Refusal.RECORD_OWNER: "the participant the record is saved for ({participant})",
    Refusal.RECORD_EXISTS: "a record not yet entered",
    Refusal.RECORD_OWN_KEY: "the record's own key {key}",
    Refusal.VISIT_NOT_RECORDED: "the date of the visit",
    Refusal.RECORD_DELETED: "a record that still exists",
    Refusal.FORM_UNKNOWN: "a form of the protocol",
    Refusal.EDIT_CHECK: "values that pass the protocol's edit checks",
    Refusal.FORM_VALUE: "a value the protocol accepts",
    Refusal.IDENTITY_RECORDED: "the participant record's {name}, {recorded}",
    Refusal.REQUIRED_TO_COMPLETE: "a value: the field is required to save the form as complete",
    Refusal.VISIT_DATE: "the date of the visit, YYYY-MM-DD",
    Refusal.VISIT_DATE_NO_SUCH: "the date of the visit, YYYY-MM-DD",
    Refusal.LANGUAGE: "{english} or {chinese}",
    Refusal.RECORD_CHANGED:
        "{key} was changed by {user} (version {version}) after the version {expected} this change was based "
        "on; nothing was saved",
    Refusal.RECORD_FINDING: "{key}: {finding}",
}

_COMPLETED_BEFORE = "the record was completed before: every later change states why"

# The hint of a code that has one. DATA_CHECKS' ``finding`` is a finding's phrase
# (FindingCode), or its message when it has none; FORM_VALUE's a CRF finding's (a FormFinding's
# code and parameters, with the ``form`` and the ``field``), whose English is the finding's
# message; RECORDS_AGREE's ``findings`` are RECORD_FINDING phrases, said joined by "; ".
HINTS: Mapping[str, str] = {
    Refusal.DATA_CHECKS: "{finding}",
    Refusal.RECORDS_AGREE: "{findings}",
    Refusal.RECORD_REASON_FOR_CHANGE: _COMPLETED_BEFORE,
    Refusal.RECORD_REASON_FOR_DELETION: _COMPLETED_BEFORE,
    Refusal.RECORD_EXISTS: "it exists: open it to change it",
    Refusal.VISIT_NOT_RECORDED: "the visit is not recorded yet",
    Refusal.RECORD_DELETED: "{key} was deleted meanwhile",
    Refusal.EDIT_CHECK: "edit check '{check}' fails: {message}",
    Refusal.FORM_VALUE: "{finding}",
    Refusal.IDENTITY_RECORDED:
        "the participant record is the one source of sex, birth date and consent date: a wrong value is "
        "corrected on the participant's page, with a reason",
    Refusal.REQUIRED_TO_COMPLETE: "blank: {missing}; a draft may be incomplete",
    Refusal.VISIT_DATE_NO_SUCH: "no such date",
}

# Every template a refusal's English may need: the EDC's, and the core's its phrases nest.
TEMPLATES: Mapping[str, str] = {**VALUE_ENGLISH, **FINDING_ENGLISH, **ENGLISH}


def refuse(field: str, value: object, code: Refusal, /, *, hint: str | None = None,
           **params: ParamValue) -> InputError:
    """The InputError of ``code`` with ``params``: ``expected`` and the hint in English by
    :data:`ENGLISH` and :data:`HINTS`; ``hint`` given when its parameter is said in English
    only by its owner (a CRF finding's message; several findings joined by "; ").

    >>> str(refuse("consent_date", "2030-01-01", Refusal.NOT_AFTER_TODAY, today="2026-03-02"))
    "consent_date must be a date on or before today (2026-03-02); got '2030-01-01'"
    """
    phrase = Phrase(code, tuple(params.items()))
    if hint is None:
        return refusal(field, value, phrase, TEMPLATES, HINTS)
    # the parameters the hint's owner says (a CRF finding) take no part in ``expected``
    named = {name for _, name, _, _ in Formatter().parse(ENGLISH[code]) if name}
    expected = english(Phrase(code, tuple((k, v) for k, v in phrase.params if k in named)), TEMPLATES)
    return InputError(field, value, expected, hint, phrase=phrase)
