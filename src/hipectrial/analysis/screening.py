"""Eligibility recomputed from the screening CRFs, as docs/trialdata-conventions.md says.

The inputs are the values of the form records at visits ``screening`` and
``screening-cardiac`` plus the staging ``laparoscopy`` form (``lap_context`` =
``diagnostic``) at an ``unscheduled`` visit before registration; ``as_of`` is the latest of
their dates. The verdict is :func:`hipectrial.clinical.evaluate_eligibility`'s; its failed
criterion ids are the reasons a screened person was not eligible.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hipectrial.analysis.facts import Facts
from hipectrial.clinical import evaluate_eligibility
from hipectrial.errors import HipectrialError
from hipectrial.protocol import Protocol

SCREENING_VISITS = ("screening", "screening-cardiac")
STAGING_VISIT = "unscheduled"


@dataclass(frozen=True, slots=True)
class EligibilityOutcome:
    """``status`` is ``eligible``, ``ineligible``, ``incomplete`` or ``not_evaluable`` (no
    screening data, or data the engine refused: ``note`` says why)."""

    participant_id: str
    status: str
    failed: tuple[str, ...]
    as_of: dt.date | None
    note: str | None = None


def recompute_eligibility(*, protocol: Protocol, facts: Facts) -> EligibilityOutcome:
    """The eligibility verdict from one participant's screening forms."""
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
    if not values:
        return EligibilityOutcome(facts.id, "not_evaluable", (), None, "no screening form records")
    if not days:
        return EligibilityOutcome(facts.id, "not_evaluable", (), None,
                                  "screening forms without a visit date: as_of unknown")
    as_of = max(days)
    try:
        result = evaluate_eligibility(protocol=protocol, values=values, as_of=as_of)
    except HipectrialError as exc:
        return EligibilityOutcome(facts.id, "not_evaluable", (), as_of, f"eligibility not recomputed: {exc}")
    return EligibilityOutcome(facts.id, result.status.value, result.failed, as_of)
