"""REDCap's naming rules, and the names this export gives instruments, variables and events.

The rules are REDCap's own, read in its source (REDCap 15.7.6, as published in the
``xOops4/redcap`` repository):

- variable names (``Classes/MetaData.php``, ``error_checking``): lower-case letters, digits
  and ``_``; not starting with a digit or ``_``, not ending with ``_``; no ``__`` (REDCap
  rewrites it in a project in development) and never ``___`` (checkbox export columns);
  at most 100 characters (more than 26 draws a warning); not a reserved name
  (``Classes/Project.php``, ``$reserved_field_names``) nor ``<instrument>_complete``,
  ``<instrument>_timestamp``, ``<instrument>_return_code``;
- instrument names (same function): lower-case letters, digits and ``_``, not starting with
  a digit, at most 64 characters;
- multiple-choice codes (same function): a number, or letters, digits, ``.``, ``_``, ``-``;
- a checkbox's export column (``Project::getExtendedCheckboxCodeFormatted``):
  ``<variable>___<code>`` with ``-`` and ``.`` turned into ``_``, lower-cased;
- a unique event name (``Project::getUniqueEventNames``): the event name without characters
  other than letters, digits, ``_`` and space, spaces as ``_``, cut to 18 characters, lower
  case, without leading or trailing ``_``, then ``_arm_<n>``; a repeated name gets ``b``,
  ``c``, ... appended in event order;
- an event name is at most 30 characters (``Classes/Event.php``, ``addEvents``).

This module never shortens a name silently: a name that breaks a rule is an error naming
the protocol item it came from. The one shortening it does is designed and documented:
:func:`event_stem` shortens a visit id to the 18 characters of a unique event name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hipectrial.errors import InputError

MAX_VARIABLE = 100
RECOMMENDED_VARIABLE = 26
MAX_INSTRUMENT = 64
MAX_EVENT_NAME = 30
EVENT_STEM = 18

# REDCap 15.7.6 Classes/Project.php $reserved_field_names.
RESERVED_VARIABLES = frozenset({
    "redcap_event_name", "redcap_csrf_token", "redcap_survey_timestamp", "redcap_survey_identifier",
    "redcap_survey_return_code", "redcap_data_access_group", "hidden_edit_flag", "instance",
    "redcap_repeat_instance", "redcap_repeat_instrument", "submit", "new", "return", "continue",
    "case", "switch", "class", "enum", "catch", "throw", "document", "super", "focus", "elements",
    "action", "event_id", "target", "field_label",
})
# Pseudo-fields REDCap adds per instrument (form status, survey timestamp and return code).
INSTRUMENT_SUFFIXES = ("_complete", "_timestamp", "_return_code")

_NAME = re.compile(r"[a-z][a-z0-9_]*")
# REDCap MetaData::error_checking: a raw coded value is numeric or matches this.
_CODE = re.compile(r"[a-zA-Z0-9._\-]+")
_NUMERIC = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def check_variable(name: str, *, source: str) -> str:
    """``name`` if REDCap accepts it as a variable name; else InputError naming ``source``.

    >>> check_variable("ae_grade", source="field ae_grade")
    'ae_grade'
    >>> check_variable("ae__grade", source="field ae__grade")
    Traceback (most recent call last):
    ...
    hipectrial.errors.InputError: field ae__grade must be a REDCap variable name: lower-case \
letters, digits and single '_', starting with a letter, not ending with '_', at most 100 \
characters, not reserved; got 'ae__grade'
    """
    bad = (not _NAME.fullmatch(name) or "__" in name or name.endswith("_") or len(name) > MAX_VARIABLE
           or name in RESERVED_VARIABLES)
    if bad:
        raise InputError(source, name, "a REDCap variable name: lower-case letters, digits and single '_', "
                         f"starting with a letter, not ending with '_', at most {MAX_VARIABLE} "
                         "characters, not reserved")
    return name


def check_instrument(name: str, *, source: str) -> str:
    """``name`` if REDCap accepts it as an instrument name; else InputError naming ``source``."""
    if not _NAME.fullmatch(name) or "__" in name or name.endswith("_") or len(name) > MAX_INSTRUMENT:
        raise InputError(source, name, "a REDCap instrument name: lower-case letters, digits and single "
                         f"'_', starting with a letter, at most {MAX_INSTRUMENT} characters")
    return name


def check_code(code: str, *, source: str) -> str:
    """``code`` if REDCap accepts it as a multiple-choice code; else InputError."""
    if not (_NUMERIC.fullmatch(code) or _CODE.fullmatch(code)):
        raise InputError(source, code, "a REDCap choice code: a number, or letters, digits, '.', '_' and '-'")
    return code


def checkbox_column(variable: str, code: str) -> str:
    """The export column of one checkbox option (REDCap ``getExtendedCheckboxFieldname``).

    >>> checkbox_column("crs_procedures", "greater_omentectomy")
    'crs_procedures___greater_omentectomy'
    >>> checkbox_column("x", "CC-0"), checkbox_column("x", "1.5")
    ('x___cc_0', 'x___1_5')
    """
    formatted = code.replace("-", "_").replace(".", "_").lower()
    return f"{variable}___{re.sub(r'[^a-z_0-9]', '', formatted)}"


def unique_event_names(events: Sequence[tuple[str, int]]) -> tuple[str, ...]:
    """The unique event names REDCap derives for ``(event name, arm number)`` pairs given in
    REDCap's event order (arm, day offset, name): a port of REDCap 15.7.6
    ``Project::getUniqueEventNames`` (module docstring).

    >>> unique_event_names([("Screening & Enrollment", 1), ("Deadline to opt out", 2)])
    ('screening__enrollm_arm_1', 'deadline_to_opt_ou_arm_2')
    >>> unique_event_names([("3 Month Follow-up", 1), ("3 Month Follow-up", 1)])
    ('3_month_followup_arm_1', '3_month_followup_arm_1b')
    """
    names: list[str] = []
    seen: list[str] = []
    for name, arm in events:
        text = re.sub(r"[^0-9a-z_ ]", "", name.strip(), flags=re.IGNORECASE)
        text = text.replace(" ", "_")[:EVENT_STEM].lower().strip("_")
        if not text:
            raise InputError("event_name", name, "an event name with a letter or digit",
                             "REDCap would name it from an MD5 hash")
        text += f"_arm_{arm}"
        count = seen.count(text)
        suffix = ""
        if 0 < count < 26:
            suffix = chr(97 + count)
        elif count >= 26:
            suffix = chr(96 + count // 26) + chr(97 + count % 26)
        seen.append(text)
        names.append(text + suffix)
    return tuple(names)


def event_stem(identifier: str) -> str:
    """A protocol id as an event name REDCap keeps whole in its unique event name: lower
    case, ``_`` for other characters, at most 18 characters.

    A longer id is shortened word by word: the longest word loses its last letter (the
    leftmost of equally long ones; the last word, which usually tells similar visits apart,
    only once every other word is down to 3 letters) until the name fits.

    >>> event_stem("screening-cardiac")
    'screening_cardiac'
    >>> event_stem("tumour-assessment-preop"), event_stem("tumour-assessment-postop")
    ('tumou_assess_preop', 'tumou_asses_postop')
    >>> event_stem("maintenance-not-operated-cycle")
    'mai_not_oper_cycle'
    """
    words = [w for w in re.sub(r"[^a-z0-9]+", "_", identifier.lower()).split("_") if w]
    if not words:
        raise InputError("visit", identifier, "an id with a letter or digit")
    while len("_".join(words)) > EVENT_STEM:
        others = range(len(words) - 1)
        candidates = [i for i in others if len(words[i]) > 3] or [
            i for i in range(len(words)) if len(words[i]) > 1]
        longest = max(len(words[i]) for i in candidates)
        i = next(i for i in candidates if len(words[i]) == longest)
        words[i] = words[i][:-1]
    return "_".join(words)
