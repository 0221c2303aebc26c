"""Putting a simulated trial together: sites, people and their records, cut off, in order.

Order (deterministic): sites as the scenario lists them; participants in the order they
were screened (consent date, ties by site order); within each record kind, each
participant's screening records first, then their course's records as the course made them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from hipectrial.data import (
    AdverseEvent,
    DataSource,
    DoseAdministration,
    FollowUp,
    FormRecord,
    LabResult,
    Participant,
    Site,
    SourceKind,
    Surgery,
    TrialData,
    TumourAssessment,
    Visit,
)
from hipectrial.protocol import Protocol
from hipectrial.simulate.scenario.world import Scenario
from hipectrial.simulate.screening.screen import Screening, ScreeningContext

if TYPE_CHECKING:
    from hipectrial.simulate.trial.run import Registered


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (the month's last day when it has no
    such day).

    >>> add_months(dt.date(2028, 1, 31), 1), add_months(dt.date(2028, 3, 15), 12)
    (datetime.date(2028, 2, 29), datetime.date(2029, 3, 15))
    """
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def sites_of(scenario: Scenario) -> tuple[Site, ...]:
    return tuple(Site(id=s.id, name=s.name, country=s.country, city=s.city,
                      principal_investigator=s.principal_investigator,
                      activation_date=scenario.start_date + dt.timedelta(days=s.activation_day))
                 for s in scenario.sites)


def assemble(protocol: Protocol, scenario: Scenario, context: ScreeningContext,
             screened: Sequence[Screening], registered: Mapping[str, Registered],
             cutoff: dt.date, source: DataSource | None = None) -> TrialData:
    """The ``TrialData`` of a finished run, every course truncated at ``cutoff``."""
    participants: list[Participant] = []
    visits: list[Visit] = []
    forms: list[FormRecord] = []
    doses: list[DoseAdministration] = []
    adverse_events: list[AdverseEvent] = []
    labs: list[LabResult] = []
    assessments: list[TumourAssessment] = []
    surgeries: list[Surgery] = []
    follow_ups: list[FollowUp] = []
    for screening in screened:
        person = registered.get(screening.participant_id)
        registration = person.enrolment.registration_date if person is not None else None
        s_visits, s_forms, s_labs = screening.records(context, registration_date=registration)
        visits.extend(s_visits)
        forms.extend(s_forms)
        labs.extend(s_labs)
        if person is None or person.course is None:
            participants.append(screening.participant())
            continue
        course = person.course.truncated(cutoff)
        participants.append(course.participant)
        visits.extend(course.visits)
        forms.extend(course.form_records)
        doses.extend(course.doses)
        adverse_events.extend(course.adverse_events)
        labs.extend(course.lab_results)
        assessments.extend(course.tumour_assessments)
        surgeries.extend(course.surgeries)
        follow_ups.extend(course.follow_ups)
    return TrialData(
        protocol_id=protocol.study.id, protocol_version=protocol.study.version,
        generated_at=dt.datetime(cutoff.year, cutoff.month, cutoff.day, tzinfo=dt.UTC),
        sites=sites_of(scenario), participants=tuple(participants), visits=tuple(visits),
        form_records=tuple(forms), doses=tuple(doses), adverse_events=tuple(adverse_events),
        lab_results=tuple(labs), tumour_assessments=tuple(assessments), surgeries=tuple(surgeries),
        follow_ups=tuple(follow_ups), source=source)


def simulation_source(scenario: Scenario, seed: int, participants: int | None) -> DataSource:
    """What the data of a simulated run say about their origin: the scenario and seed, and
    the participants target when one was given.

    >>> from hipectrial.simulate.scenario.world import load_scenario
    >>> default = load_scenario("default")
    >>> simulation_source(default, 1, None).description
    'hipectrial simulate: scenario default, seed 1'
    >>> simulation_source(default, 7, 1000).description
    'hipectrial simulate: scenario default, seed 7, target 1000 participants'
    """
    target = f", target {participants} participants" if participants is not None else ""
    return DataSource(kind=SourceKind.SIMULATION,
                      description=f"hipectrial simulate: scenario {scenario.name}, seed {seed}{target}")
