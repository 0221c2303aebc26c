"""Eligibility recomputed from the screening CRFs, as docs/trialdata-conventions.md says.

The inputs are the values of the form records at visits ``screening`` and
``screening-cardiac`` plus the staging ``laparoscopy`` form (``lap_context`` =
``diagnostic``) at an ``unscheduled`` visit before registration; ``as_of`` is the latest of
their dates. The verdict is :func:`hipectrial.clinical.evaluate_eligibility`'s; its failed
criterion ids are the reasons a screened person was not eligible.

:func:`screening_inputs` gathers those values and ``as_of`` (the one place that reads them);
:func:`evaluate_screening` gives the clinical engine's full result (each criterion met /
not met / unknown with the values used: what the EDC's screening page shows and its
registration checks); :func:`recompute_eligibility` is its summary for the analyses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from enum import StrEnum

from hipectrial.analysis.facts import Facts
from hipectrial.clinical import evaluate_eligibility
from hipectrial.clinical.eligibility import EligibilityResult
from hipectrial.errors import HipectrialError
from hipectrial.phrases import Params, Phrase, english
from hipectrial.protocol import Protocol

SCREENING_VISITS = ("screening", "screening-cardiac")
STAGING_VISIT = "unscheduled"


class ScreeningNote(StrEnum):
    """Why eligibility could not be evaluated (:attr:`ScreeningEvaluation.note_code`);
    parameter ``error``: the engine's error message (English)."""

    NO_RECORDS = "no_screening_records"
    NO_DATE = "no_screening_date"
    NOT_RECOMPUTED = "eligibility_not_recomputed"


# The English of each note: the one place it is worded (hipectrial.phrases).
ENGLISH: Mapping[str, str] = {
    ScreeningNote.NO_RECORDS: "no screening form records",
    ScreeningNote.NO_DATE: "screening forms without a visit date: as_of unknown",
    ScreeningNote.NOT_RECOMPUTED: "eligibility not recomputed: {error}",
}


@dataclass(frozen=True, slots=True)
class EligibilityOutcome:
    """``status`` is ``eligible``, ``ineligible``, ``incomplete`` or ``not_evaluable`` (no
    screening data, or data the engine refused: ``note`` says why)."""

    participant_id: str
    status: str
    failed: tuple[str, ...]
    as_of: dt.date | None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ScreeningInputs:
    """The screening values of one participant (field id -> value, later forms overriding
    earlier ones), the dates of the visits they were recorded at, and ``as_of``, the latest
    of those dates (``None`` when no form has a dated visit)."""

    values: Mapping[str, object]
    dates: tuple[dt.date, ...]

    @property
    def as_of(self) -> dt.date | None:
        return max(self.dates) if self.dates else None


@dataclass(frozen=True, slots=True)
class ScreeningEvaluation:
    """The eligibility of one participant from their screening forms: the inputs, and the
    engine's ``result``, or ``None`` with ``note`` saying why it could not be evaluated (in
    English; ``note_code`` and ``note_params`` say the same for a shell wording it in another
    language, :mod:`hipectrial.phrases`; ``error`` is the engine's refusal the note quotes,
    whose own ``phrase`` says what it refused)."""

    inputs: ScreeningInputs
    result: EligibilityResult | None
    note: str | None = None
    note_code: ScreeningNote | None = dc_field(default=None, compare=False)
    note_params: Params = dc_field(default=(), compare=False)
    error: HipectrialError | None = dc_field(default=None, compare=False)

    @property
    def note_phrase(self) -> Phrase | None:
        """The note as a :class:`~hipectrial.phrases.Phrase` (``None`` when there is none)."""
        return None if self.note_code is None else Phrase(self.note_code, self.note_params)


def _not_evaluable(inputs: ScreeningInputs, code: ScreeningNote, params: Params = (),
                   error: HipectrialError | None = None) -> ScreeningEvaluation:
    return ScreeningEvaluation(inputs, None, english(Phrase(code, params), ENGLISH), code, params, error)


def screening_inputs(facts: Facts) -> ScreeningInputs:
    """The values and dates of one participant's screening forms (module docstring).

    A staging laparoscopy counts at its ``lap_date`` (else its visit's date), and only when
    it is not after the registration date.

    Examples
    --------
    >>> import datetime as dt
    >>> from hipectrial.analysis.facts import collect_facts
    >>> from hipectrial.data import FormRecord, Participant, Sex, TrialData, Visit
    >>> from hipectrial.protocol import load_protocol
    >>> trial = TrialData(protocol_id="HIPEC-PD1-SOX", protocol_version="1.0",
    ...     generated_at=dt.datetime(2026, 3, 5, tzinfo=dt.UTC),
    ...     participants=(Participant("SH01-001", "SH01", Sex.MALE, dt.date(1970, 5, 10),
    ...                               dt.date(2026, 3, 2)),),
    ...     visits=(Visit("SH01-001", "screening", 1, None, dt.date(2026, 3, 3)),),
    ...     form_records=(FormRecord("SH01-001", "ecog_assessment", "screening",
    ...                              values={"ecog": "1", "ecog_date": dt.date(2026, 3, 3)}),))
    >>> inputs = screening_inputs(collect_facts(trial=trial, protocol=load_protocol())["SH01-001"])
    >>> inputs.values["ecog"], inputs.as_of
    ('1', datetime.date(2026, 3, 3))
    """
    values: dict[str, object] = {}
    days: list[dt.date] = []
    registered = facts.registration_date
    visit_dates = {(v.visit_id, v.repeat): v.actual_date for v in facts.visits if v.actual_date}
    for record in facts.forms:
        staging = (record.form_id == "laparoscopy" and record.visit_id == STAGING_VISIT
                   and record.values.get("lap_context") == "diagnostic")
        if record.visit_id not in SCREENING_VISITS and not staging:
            continue
        when = visit_dates.get((record.visit_id, record.visit_repeat))
        if staging:
            lap_date = record.values.get("lap_date")
            when = lap_date if isinstance(lap_date, dt.date) else when
            if registered is not None and when is not None and when > registered:
                continue
        if when is not None:
            days.append(when)
        values.update(record.values)
    return ScreeningInputs(values, tuple(days))


def evaluate_screening(*, protocol: Protocol, facts: Facts) -> ScreeningEvaluation:
    """The clinical engine's eligibility result on one participant's screening forms, as of
    the latest of their dates; no result (and the reason) when there are no screening
    values, no dated visit, or values the engine refuses (its error, naming the field)."""
    inputs = screening_inputs(facts)
    if not inputs.values:
        return _not_evaluable(inputs, ScreeningNote.NO_RECORDS)
    as_of = inputs.as_of
    if as_of is None:
        return _not_evaluable(inputs, ScreeningNote.NO_DATE)
    try:
        result = evaluate_eligibility(protocol=protocol, values=inputs.values, as_of=as_of)
    except HipectrialError as exc:
        return _not_evaluable(inputs, ScreeningNote.NOT_RECOMPUTED, (("error", str(exc)),), exc)
    return ScreeningEvaluation(inputs, result)


def recompute_eligibility(*, protocol: Protocol, facts: Facts) -> EligibilityOutcome:
    """The eligibility verdict from one participant's screening forms."""
    evaluation = evaluate_screening(protocol=protocol, facts=facts)
    result = evaluation.result
    if result is None:
        return EligibilityOutcome(facts.id, "not_evaluable", (), evaluation.inputs.as_of, evaluation.note)
    return EligibilityOutcome(facts.id, result.status.value, result.failed, result.as_of)
