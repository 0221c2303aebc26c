"""Screening one person: draw the findings, record them, and take the protocol's verdict.

The findings (:mod:`.values`) are written as the records the conventions ask for
(``docs/trialdata-conventions.md``): a ``screening`` visit with the forms
``demographics``, ``medical_history``, ``diagnosis``, ``biomarkers``, ``vital_signs``,
``ecog_assessment`` and ``labs`` plus a ``LabResult`` per lab; the staging ``laparoscopy``
form (``lap_context`` ``diagnostic``) at an ``unscheduled`` visit; for HER2-positive people
the ``echocardiography`` form at ``screening-cardiac``. The verdict is
:func:`hipectrial.clinical.evaluate_eligibility` on those values as of the latest of their
dates — never a threshold of our own — and the cohort is the verdict's cohort assignment.
A screen failure keeps every record (the CONSORT diagram reads the failed criteria from
them) and gets ``off_study_reason`` ``screen_failure`` on the day screening ended.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from hipectrial.clinical.eligibility import EligibilityResult, EligibilityStatus, evaluate_eligibility
from hipectrial.data import FormRecord, LabResult, Participant, Visit
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol
from hipectrial.simulate.scenario.world import Scenario, SiteSpec
from hipectrial.simulate.screening.values import (
    LabField,
    ScreeningDraw,
    check_lab_units,
    draw_screening,
    lab_fields,
)
from hipectrial.simulate.types import ScreeningProfile

SCREEN_FAILURE = "screen_failure"
# Visit ids of the conventions; the protocol must have them.
SCREENING_VISIT = "screening"
CARDIAC_VISIT = "screening-cardiac"
STAGING_VISIT = "unscheduled"
_VISIT_OF_FORM = {"echocardiography": CARDIAC_VISIT, "laparoscopy": STAGING_VISIT}


class ScreeningContext:
    """What screening needs from the protocol, looked up once per simulation.

    ``inputs`` are the variables eligibility depends on (the criteria's and cohort rules'
    variables and, recursively, the inputs of the derived variables they use); the verdict
    is taken on those values only, which gives the same verdict as the whole record (a
    variable no criterion reads cannot change one; ``tests/simulate/screening/test_screen.py``
    compares the two) at a third less cost.
    """

    def __init__(self, protocol: Protocol, scenario: Scenario) -> None:
        self.protocol = protocol
        self.scenario = scenario
        self.labs: dict[str, LabField] = lab_fields(protocol)
        check_lab_units(self.labs)
        for visit_id in (SCREENING_VISIT, CARDIAC_VISIT, STAGING_VISIT):
            try:
                protocol.visit(visit_id)
            except KeyError:
                raise InputError("protocol", protocol.study.id, f"a protocol with a visit {visit_id!r}",
                                 "the simulator records screening at the conventions' visits") from None
        self.inputs = eligibility_inputs(protocol)
        screening = protocol.visit(SCREENING_VISIT).timing
        self.screening_day = screening.day if screening.anchor.value == "registration" else None


def eligibility_inputs(protocol: Protocol) -> frozenset[str]:
    """The variables the eligibility verdict and the cohort can depend on."""
    defined = {d.id: d for d in protocol.variables}
    pending = [v for c in protocol.eligibility for v in c.expression.variables]
    pending += [v for c in protocol.cohorts for v in c.rule.variables]
    needed: set[str] = set()
    while pending:
        name = pending.pop()
        if name in needed:
            continue
        needed.add(name)
        d = defined.get(name)
        if d is not None:
            pending.extend(d.expression.variables if d.expression is not None else d.inputs)
    return frozenset(needed)


@dataclass(frozen=True, slots=True)
class Screening:
    """One screened person: what was found, the verdict, and whether they will register.

    ``registers`` is true when the verdict is eligible and the person did not decline
    (the scenario's ``not_registered``); ``registration_date`` is then the planned date.
    """

    participant_id: str
    site_id: str
    draw: ScreeningDraw
    eligibility: EligibilityResult
    registers: bool
    registration_date: dt.date | None
    off_study_date: dt.date | None
    off_study_reason: str | None

    @property
    def as_of(self) -> dt.date:
        return self.draw.as_of

    @property
    def cohort(self) -> str | None:
        return self.eligibility.cohort.cohort

    def profile(self) -> ScreeningProfile:
        d = self.draw
        return ScreeningProfile(
            participant_id=self.participant_id, site_id=self.site_id, sex=d.sex,
            birth_date=d.birth_date, consent_date=d.consent_date, screening_date=d.visit_date,
            height_cm=d.height_cm, weight_kg=d.weight_kg, ecog=d.ecog, labs=d.labs, pci=d.pci,
            cytology=d.cytology, her2_positive=d.her2_positive, lvef_percent=d.lvef_percent)

    def participant(self) -> Participant:
        """The participant record of someone who did not register (screen failure or
        eligible but not registered); a registered person's record comes from the course."""
        d = self.draw
        return Participant(id=self.participant_id, site_id=self.site_id, sex=d.sex,
                           birth_date=d.birth_date, consent_date=d.consent_date,
                           off_study_date=self.off_study_date, off_study_reason=self.off_study_reason)

    def records(self, context: ScreeningContext, *, registration_date: dt.date | None
                ) -> tuple[tuple[Visit, ...], tuple[FormRecord, ...], tuple[LabResult, ...]]:
        """The screening visits, forms and lab results. ``planned_date`` of the screening
        visits follows the schedule when the person registered (registration day -14)."""
        d = self.draw
        pid = self.participant_id
        planned = None
        if registration_date is not None and context.screening_day is not None:
            planned = registration_date + dt.timedelta(days=context.screening_day)
        visits = [Visit(pid, SCREENING_VISIT, 1, planned, d.visit_date)]
        if d.echo_date is not None:
            visits.append(Visit(pid, CARDIAC_VISIT, 1, planned, d.echo_date))
        visits.append(Visit(pid, STAGING_VISIT, 1, None, d.laparoscopy_date))
        forms = tuple(FormRecord(participant_id=pid, form_id=form_id,
                                 visit_id=_VISIT_OF_FORM.get(form_id, SCREENING_VISIT),
                                 values=values)
                      for form_id, values in d.forms.items())
        labs = tuple(LabResult(participant_id=pid, test_code=code, value=lab.value, unit=lab.unit,
                               date=d.visit_date, reference_lower=lab.lower,
                               reference_upper=lab.upper)
                     for code, lab in d.labs.items())
        return tuple(visits), forms, labs


def _days(rng: np.random.Generator, bounds: tuple[int, int]) -> dt.timedelta:
    return dt.timedelta(days=int(rng.integers(bounds[0], bounds[1] + 1)))


def screen_person(*, context: ScreeningContext, site: SiteSpec, participant_id: str,
                  consent_date: dt.date, rng: np.random.Generator) -> Screening:
    """Screen one person who consented at ``site`` on ``consent_date``.

    Raises
    ------
    InputError
        When the verdict is incomplete: the protocol asks for a value the simulator does not
        record (the error names it).
    """
    draw = draw_screening(protocol=context.protocol, scenario=context.scenario,
                          consent_date=consent_date, rng=rng, labs=context.labs)
    values: Mapping[str, object] = {k: v for k, v in draw.values().items() if k in context.inputs}
    result = evaluate_eligibility(protocol=context.protocol, values=values, as_of=draw.as_of)
    if result.status is EligibilityStatus.INCOMPLETE:
        missing = ", ".join(m.variable for m in result.missing)
        raise InputError("protocol", context.protocol.study.id, "eligibility the simulator can "
                         "decide", f"it does not record {missing}")
    days = context.scenario.screening_days
    after = draw.as_of + _days(rng, days.verdict_to_registration)
    if result.status is EligibilityStatus.INELIGIBLE:
        return Screening(participant_id, site.id, draw, result, False, None, draw.as_of, SCREEN_FAILURE)
    declined = float(rng.random()) < context.scenario.not_registered.probability
    if declined:
        return Screening(participant_id, site.id, draw, result, False, None, after,
                         context.scenario.not_registered.reason)
    return Screening(participant_id, site.id, draw, result, True, after, None, None)
