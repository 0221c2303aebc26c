"""A participant's identity has one source: the participant record.

Sex, date of birth and date of consent are recorded when screening starts, on the
participant record (:class:`~hipectrial.data.Participant`). The ``demographics`` CRF asks
for them again (its fields ``sex``, ``birth_date``, ``consent_date``); its values must
equal the record's, else age, sex-dependent limits and eligibility would be computed from
one and shown from the other. A value left blank on the form does not contradict. A wrong
identity value is corrected on the participant record (with a reason), and the form with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from hipectrial.data.records import Participant
from hipectrial.data.values import FieldValue

IDENTITY_FORM = "demographics"
"""The CRF that repeats the participant record's identity fields."""

IDENTITY_FIELDS = ("sex", "birth_date", "consent_date")
"""The fields of :data:`IDENTITY_FORM` that are also fields of the participant record."""


def _shown(value: object) -> str:
    return repr(value.isoformat()) if isinstance(value, dt.date) else repr(value)


@dataclass(frozen=True, slots=True)
class IdentityContradiction:
    """A value of the demographics form (``given``) that differs from the participant
    record's (``recorded``: a date, or the sex code) for the same ``field``."""

    field: str
    recorded: str | dt.date
    given: FieldValue

    @property
    def message(self) -> str:
        return (
            f"{self.field} {_shown(self.given)} on the {IDENTITY_FORM} form contradicts the participant "
            f"record's {self.field} {_shown(self.recorded)}; the participant record is the one source "
            "of sex, birth date and consent date (a wrong value is corrected there, with a reason)"
        )

    @property
    def params(self) -> dict[str, str]:
        """What :attr:`message` says, as the parameters of a finding
        (:attr:`hipectrial.data.findings.FindingCode.IDENTITY_CONTRADICTED`)."""
        return {"field": self.field, "given": _shown(self.given), "form": IDENTITY_FORM,
                "recorded": _shown(self.recorded)}


def recorded_identity(participant: Participant) -> dict[str, str | dt.date]:
    """The participant record's identity values as the demographics form holds them
    (field id -> value; the sex as its code)."""
    return {
        "sex": participant.sex.value,
        "birth_date": participant.birth_date,
        "consent_date": participant.consent_date,
    }


def participant_contradictions(
    *, participant: Participant, form_id: str, values: Mapping[str, FieldValue | None]
) -> tuple[IdentityContradiction, ...]:
    """The identity values of a record of form ``form_id`` that differ from the participant's.

    Parameters
    ----------
    participant
        The participant the record is about.
    form_id
        The record's form; only :data:`IDENTITY_FORM` repeats the participant's identity
        (for any other form the answer is empty).
    values
        The record's values (field id -> typed value); a blank field (absent or ``None``)
        does not contradict.

    Returns
    -------
    tuple of IdentityContradiction
        In the order of :data:`IDENTITY_FIELDS`; empty when every identity value given equals
        the participant record's.

    Examples
    --------
    >>> from hipectrial.data.vocab import Sex
    >>> p = Participant(id="SH01-001", site_id="SH01", sex=Sex.MALE,
    ...                 birth_date=dt.date(1950, 3, 1), consent_date=dt.date(2026, 3, 2))
    >>> for c in participant_contradictions(participant=p, form_id="demographics",
    ...         values={"sex": "male", "birth_date": dt.date(1990, 3, 1)}):
    ...     print(c.field, c.recorded, c.given)
    birth_date 1950-03-01 1990-03-01
    >>> participant_contradictions(participant=p, form_id="vital_signs", values={"sex": "female"})
    ()
    """
    if form_id != IDENTITY_FORM:
        return ()
    recorded = recorded_identity(participant)
    found = []
    for name in IDENTITY_FIELDS:
        given = values.get(name)
        if given is None:
            continue
        # exact equality: a date-time is not its date, a code is compared as written
        if type(given) is not type(recorded[name]) or given != recorded[name]:
            found.append(IdentityContradiction(name, recorded[name], given))
    return tuple(found)
