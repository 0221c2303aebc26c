"""The demographics CRF page and the participant record, the one source of the participant's
sex, birth date and consent date (:mod:`hipectrial.data.identity`).

A demographics form not entered yet starts with the record's values; a value that differs
from the record's is shown beside its field with the record's value and where a wrong one is
corrected (the participant's page). The save services refuse such a record whoever saves it
(:mod:`.guard`); this module only says so on the page, in the page's language.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from hipectrial.data import IDENTITY_FORM, participant_contradictions, recorded_identity
from hipectrial.data.values import FieldValue
from hipectrial.edc.crfs.entry import Raw, raw_of
from hipectrial.edc.crfs.widgets import display_value
from hipectrial.edc.participants.convert import to_data
from hipectrial.edc.participants.models import Participant
from hipectrial.protocol import Protocol
from hipectrial.protocol.forms import FormDef


def prefill(participant: Participant, form: FormDef) -> dict[str, Raw]:
    """What a new record of ``form`` starts with: the participant record's identity values on
    the demographics form, nothing on any other."""
    if form.id != IDENTITY_FORM:
        return {}
    recorded = recorded_identity(to_data(participant, with_provenance=False))
    return raw_of({name: value for name, value in recorded.items() if form.field(name) is not None})


def contradiction_messages(
    *, protocol: Protocol, participant: Participant, form: FormDef, values: Mapping[str, FieldValue], zh: bool
) -> dict[str, str]:
    """Field id -> the message beside it, for each identity value of ``values`` that differs
    from the participant record's (the core's :func:`~hipectrial.data.participant_contradictions`)."""
    found = participant_contradictions(
        participant=to_data(participant, with_provenance=False), form_id=form.id, values=values
    )
    messages: dict[str, str] = {}
    for c in found:
        field = form.field(c.field)
        label = c.field if field is None else (field.label.zh if zh else field.label.en)
        recorded = c.recorded if field is None else display_value(protocol, field, c.recorded, zh)
        messages[c.field] = _(
            "The participant record gives %(field)s as %(value)s, and this form must agree with it. "
            "If the participant record is wrong, correct it on the participant's page (Correct identity), "
            "with a reason: this form is corrected with it."
        ) % {"field": label, "value": recorded}
    return messages
