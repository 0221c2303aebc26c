"""What the clinical functions expected of a value they refused, as codes with parameters.

A refused value is an :class:`~hipectrial.errors.InputError` naming the field, the value and
what was expected, in English; its ``phrase`` says the same as a :class:`ValueRefusal` code
and parameters (:mod:`hipectrial.phrases`), so that a shell can word the refusal in another
language (the EDC's Chinese pages) without reading the English. The English ``expected``
(and ``hint``) is composed from the phrase by :data:`ENGLISH` (and :data:`HINTS`), one
template per code, by :func:`hipectrial.errors.refusal`; :func:`refused` is that call.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from hipectrial.errors import InputError, refusal
from hipectrial.phrases import ParamValue, Phrase


class ValueRefusal(StrEnum):
    """Why a value was refused (the parameters are those of its :data:`ENGLISH` and
    :data:`HINTS` templates; ``unit`` is an :attr:`IN_UNIT` phrase or ``""``)."""

    DERIVED_GIVEN = "derived_given"
    UNKNOWN_VARIABLE = "unknown_variable"
    UNKNOWN_VARIABLE_LIKE = "unknown_variable_like"
    TRUE_OR_FALSE = "true_or_false"
    WHOLE_NUMBER = "whole_number"
    NUMBER = "number"
    FINITE_NUMBER = "finite_number"
    CODE_AS_TEXT = "code_as_text"
    TEXT = "text"
    LIST_OF_CODES = "list_of_codes"
    DATE = "date"
    DATETIME_WITH_OFFSET = "datetime_with_offset"
    NOT_AFTER_AS_OF = "not_after_as_of"
    RANGE = "range"
    ONE_OF = "one_of"
    AGE_DATES = "age_dates"
    AGE_BEFORE = "age_before"
    LAB_IMPLAUSIBLE = "lab_implausible"
    LAB_UNIT = "lab_unit"
    LAB_NOT_NEGATIVE = "lab_not_negative"
    LAB_NOT_POSITIVE = "lab_not_positive"
    LAB_LLN_NOT_BELOW_ULN = "lab_lln_not_below_uln"
    LAB_REFERENCE_MISSING = "lab_reference_missing"
    # parts of a sentence (nested phrases)
    IN_UNIT = "in_unit"
    CHECK_UNIT = "check_unit"
    LLN = "lln"
    ULN = "uln"
    BASELINE = "baseline"


ENGLISH: Mapping[str, str] = {
    ValueRefusal.DERIVED_GIVEN: "left out: it is derived, not entered",
    ValueRefusal.UNKNOWN_VARIABLE: "a variable the protocol declares",
    ValueRefusal.UNKNOWN_VARIABLE_LIKE: "a variable the protocol declares",
    ValueRefusal.TRUE_OR_FALSE: "true or false",
    ValueRefusal.WHOLE_NUMBER: "a whole number{unit}",
    ValueRefusal.NUMBER: "a number{unit}",
    ValueRefusal.FINITE_NUMBER: "a finite number{unit}",
    ValueRefusal.CODE_AS_TEXT: "a code written as text",
    ValueRefusal.TEXT: "text",
    ValueRefusal.LIST_OF_CODES: "a list of codes",
    ValueRefusal.DATE: "a date",
    ValueRefusal.DATETIME_WITH_OFFSET: "a date-time with a UTC offset",
    ValueRefusal.NOT_AFTER_AS_OF: "a date on or before {as_of} (as_of)",
    ValueRefusal.RANGE: "a number in {range}",
    ValueRefusal.ONE_OF: "one of {codes}",
    ValueRefusal.AGE_DATES: "a date (age_in_years takes two dates)",
    ValueRefusal.AGE_BEFORE: "a date before {reference} ({date})",
    ValueRefusal.LAB_IMPLAUSIBLE: "a number in [{low}, {high}] {unit} for {test}",
    ValueRefusal.LAB_UNIT: "one of {units} for {test} ({name})",
    ValueRefusal.LAB_NOT_NEGATIVE: "a non-negative number",
    ValueRefusal.LAB_NOT_POSITIVE: "a positive number (the {reference} of {test}, in {unit})",
    ValueRefusal.LAB_LLN_NOT_BELOW_ULN: "below the ULN ({uln} {unit})",
    ValueRefusal.LAB_REFERENCE_MISSING: "{reference} for {test}, in {unit}",
    ValueRefusal.IN_UNIT: " in {unit}",
    ValueRefusal.CHECK_UNIT: "check the unit",
    ValueRefusal.LLN: "the site's lower limit of normal (LLN)",
    ValueRefusal.ULN: "the site's upper limit of normal (ULN)",
    ValueRefusal.BASELINE: "the participant's baseline value",
}

# The hint of a code that has one (``{check}``: a CHECK_UNIT phrase or ""; an empty hint is none).
HINTS: Mapping[str, str] = {
    ValueRefusal.DERIVED_GIVEN: "give its inputs: {inputs}",
    ValueRefusal.UNKNOWN_VARIABLE_LIKE: "did you mean '{close}'?",
    ValueRefusal.NOT_AFTER_AS_OF: "a record cannot hold a date after the day it is evaluated",
    ValueRefusal.RANGE: "{check}",
    ValueRefusal.LAB_REFERENCE_MISSING:
        '{test_label} {result} {result_unit}: {version} {term} grade {grade} is "{text}"',
}


def refused(field: str, value: object, code: ValueRefusal, /, **params: ParamValue) -> InputError:
    """The InputError refusing ``value`` of ``field`` for ``code`` with ``params`` (a
    parameter may be named ``field`` or ``value``: those three are positional).

    >>> str(refused("ecog", "7", ValueRefusal.ONE_OF, codes=("0", "1", "2")))
    "ecog must be one of 0, 1, 2; got '7'"
    """
    return refusal(field, value, Phrase(code, tuple(params.items())), ENGLISH, HINTS)


def in_unit(unit: str | None) -> Phrase | str:
    """`` in <unit>`` after what was expected (an :attr:`ValueRefusal.IN_UNIT` phrase), or ``""``."""
    return Phrase(ValueRefusal.IN_UNIT, (("unit", unit),)) if unit else ""
