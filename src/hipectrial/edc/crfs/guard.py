"""What the save services check before a CRF record is stored: the core's checks, whoever calls.

The page judges what was typed with the same core functions to show its messages beside
the fields; this guard is what makes them binding for every writer (a page, a future API,
a script): a record is refused, with an :class:`~hipectrial.errors.InputError` naming the
field, when

* :func:`hipectrial.data.check_form_values` finds an error (a value of the wrong type, a code
  not in its list, a number outside the protocol's range, a failing edit check of severity
  error), with the participant's other records as the context of conditions that name them;
* its identity values differ from the participant record's
  (:func:`hipectrial.data.participant_contradictions`, the demographics form);
* it is saved as complete with a shown required field blank
  (:func:`hipectrial.data.missing_required`).

Imports (``records_import``) are not guarded here: an imported TrialData is checked as a
whole by ``validate()``.
"""

from __future__ import annotations

import datetime as dt

from hipectrial.data import (
    FormRecord,
    Severity,
    check_form_values,
    missing_required,
    participant_contradictions,
)
from hipectrial.edc.crfs.models import Status
from hipectrial.edc.participants.convert import to_data
from hipectrial.edc.participants.models import Participant
from hipectrial.edc.protocol_source import current_protocol
from hipectrial.edc.refusals import Refusal, refuse
from hipectrial.phrases import Phrase


def _shown(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def check_form_record(participant: Participant, record: FormRecord, status: str) -> None:
    """Refuse ``record`` (module docstring) unless it may be stored with ``status``.

    ``participant`` is read again from the database, so a check inside the caller's
    transaction compares with the participant record as it is now (an identity correction
    changes the record first, then the form)."""
    # selectors read the participant's TrialData (participant_data -> snapshot -> services)
    from hipectrial.edc.crfs import selectors

    protocol = current_protocol()
    try:
        form = protocol.form(record.form_id)
    except KeyError:
        raise refuse("form_id", record.form_id, Refusal.FORM_UNKNOWN) from None
    context = selectors.conditions_of(participant, form, record.key)
    findings = check_form_values(protocol=protocol, form_id=form.id, values=record.values, context=context)
    for finding in findings:
        if finding.severity is not Severity.ERROR:
            continue
        if finding.field is None:  # an edit check: the record as a whole
            check = dict(finding.params).get("check", "")
            message = next((c.message.en for c in form.checks if c.id == check), "")
            raise refuse("values", None, Refusal.EDIT_CHECK, hint=finding.message, form=form.id, check=check,
                         message=message)
        raise refuse(f"values.{finding.field}", _shown(record.values.get(finding.field)), Refusal.FORM_VALUE,
                     hint=finding.message, form=form.id, field=finding.field,
                     finding=Phrase(finding.code, finding.params))
    current = Participant.objects.select_related("site").get(pk=participant.pk)
    for c in participant_contradictions(participant=to_data(current, with_provenance=False),
                                        form_id=form.id, values=record.values):
        raise refuse(f"values.{c.field}", _shown(c.given), Refusal.IDENTITY_RECORDED, name=c.field,
                     recorded=repr(_shown(c.recorded)))
    if status == Status.COMPLETE:
        missing = missing_required(protocol=protocol, form_id=form.id, values=record.values, context=context)
        if missing:
            raise refuse(f"values.{missing[0]}", None, Refusal.REQUIRED_TO_COMPLETE, missing=tuple(missing))
