"""A participant's visit timeline (a selector: reads only).

After registration the visits are the core's schedule
(:func:`hipectrial.analysis.conduct.schedule_of` on the participant's facts, as of today):
each occurrence's target date and window, and its state, read from the core's
:class:`~hipectrial.clinical.visits.types.VisitStatus` by :func:`visit_state`. The schedule
stops at death and off-study (occurrences no longer due are left out and listed apart).
Before registration the schedule has no anchor yet: the timeline lists the screening visits
(and the staging laparoscopy, recorded at an unscheduled visit) with their forms.

Each visit lists its required and optional forms with their status from the participant's
CRF records (drafts included): not started, draft, complete.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from hipectrial.analysis.conduct import schedule_of
from hipectrial.analysis.facts import collect_facts
from hipectrial.analysis.screening import SCREENING_VISITS, STAGING_VISIT
from hipectrial.clinical.visits.types import VisitOccurrence, VisitStatus
from hipectrial.data import Visit
from hipectrial.edc.crfs.codec import from_payload
from hipectrial.edc.crfs.models import Kind, Record, Status
from hipectrial.edc.participant_data import participant_trial
from hipectrial.edc.participants.eligibility import staging_repeat
from hipectrial.edc.participants.labels import crf_url, list_separator, pick, visit_url
from hipectrial.edc.participants.models import Participant
from hipectrial.errors import HipectrialError
from hipectrial.protocol import Protocol
from hipectrial.protocol.schedule import ScheduleEnd

NOT_STARTED, DRAFT, COMPLETE = "not_started", "draft", "complete"
DONE, MISSED, DUE, OVERDUE, UPCOMING = "done", "missed", "due", "overdue", "upcoming"
WORDS = {
    NOT_STARTED: gettext_lazy("not started"), DRAFT: gettext_lazy("draft"),
    COMPLETE: gettext_lazy("complete"),
    DONE: gettext_lazy("done"), MISSED: gettext_lazy("missed"), DUE: gettext_lazy("due"),
    OVERDUE: gettext_lazy("overdue"), UPCOMING: gettext_lazy("upcoming"),
    "on_time": gettext_lazy("on time"), "early": gettext_lazy("early"), "late": gettext_lazy("late"),
}

# The events after which the core's schedule stops (ScheduleEnd), as the timeline says them.
STOP_EVENTS = {
    ScheduleEnd.DEATH: pgettext_lazy("visit schedule stopped at", "death"),
    ScheduleEnd.OFF_STUDY: pgettext_lazy("visit schedule stopped at", "off study"),
    ScheduleEnd.PROGRESSION: pgettext_lazy("visit schedule stopped at", "progression"),
}


def visit_state(status: VisitStatus, target: dt.date, as_of: dt.date) -> str:
    """The timeline's state of a visit occurrence from the core's status.

    Done on time, early or late -> ``done``; ``missed`` (window closed) and ``upcoming``
    (window not open) as the core says; the core's ``due`` (window open, not done) is
    ``overdue`` once its target date has passed, else ``due``.
    """
    if status in (VisitStatus.ON_TIME, VisitStatus.EARLY, VisitStatus.LATE):
        return DONE
    if status is VisitStatus.DUE:
        return OVERDUE if as_of > target else DUE
    return MISSED if status is VisitStatus.MISSED else UPCOMING


@dataclass(frozen=True, slots=True)
class FormState:
    form_id: str
    label: str
    required: bool
    status: str  # not_started, draft, complete
    records: int
    url: str

    @property
    def status_label(self) -> str:
        return str(WORDS[self.status])


@dataclass(frozen=True, slots=True)
class TimelineVisit:
    visit_id: str
    name: str
    occurrence: int
    cycle: int | None
    target: dt.date | None
    earliest: dt.date | None
    latest: dt.date | None
    projected: bool
    actual: dt.date | None
    state: str
    core_status: str | None  # on_time, early, late, missed, due, upcoming (None: not scheduled)
    days_from_target: int | None
    note: str
    forms: tuple[FormState, ...]
    url: str

    @property
    def state_label(self) -> str:
        return str(WORDS[self.state])

    @property
    def timing_label(self) -> str:
        """On time, early or late (done visits): the core's judgement of the date."""
        return str(WORDS[self.core_status]) if self.core_status in ("on_time", "early", "late") else ""


@dataclass(frozen=True, slots=True)
class Timeline:
    as_of: dt.date
    registered: bool
    visits: tuple[TimelineVisit, ...]
    stopped: tuple[str, ...]
    note: str | None


def _form_records(participant: Participant) -> dict[tuple[str, int, str], list[str]]:
    statuses: dict[tuple[str, int, str], list[str]] = defaultdict(list)
    rows = Record.objects.filter(participant=participant, kind=Kind.FORM)
    columns = rows.values_list("visit_id", "visit_repeat", "form_id", "status")
    for visit_id, repeat, form_id, status in columns:
        statuses[(visit_id, repeat or 1, form_id)].append(status)
    return statuses


def _forms(protocol: Protocol, pid: str, visit_id: str, occurrence: int,
           records: dict[tuple[str, int, str], list[str]], language: str,
           only: tuple[str, ...] | None = None) -> tuple[FormState, ...]:
    """The visit's forms (``only`` those, then needed: the staging laparoscopy's form is
    optional at an unscheduled visit but the eligibility needs it)."""
    visit = protocol.visit(visit_id)
    out = []
    for form_id, required in [*((f, True) for f in visit.forms), *((f, False) for f in visit.optional_forms)]:
        if only is not None:
            if form_id not in only:
                continue
            required = True
        found = records.get((visit_id, occurrence, form_id), [])
        status = NOT_STARTED if not found else DRAFT if Status.DRAFT in found else COMPLETE
        form = protocol.form(form_id)
        out.append(FormState(form_id, pick(form.label, language), required, status, len(found),
                             crf_url(pid, visit_id, occurrence, form_id)))
    return tuple(out)


def _visit_dates(participant: Participant) -> dict[tuple[str, int], dt.date]:
    dates = {}
    rows = Record.objects.filter(participant=participant, kind=Kind.VISIT, status=Status.COMPLETE)
    for payload in rows.values_list("payload", flat=True):
        visit = from_payload(Kind.VISIT, payload)
        if isinstance(visit, Visit) and visit.actual_date is not None:
            dates[(visit.visit_id, visit.repeat)] = visit.actual_date
    return dates


def _screening(participant: Participant, protocol: Protocol, language: str, today: dt.date,
               records: dict[tuple[str, int, str], list[str]]) -> tuple[TimelineVisit, ...]:
    dates = _visit_dates(participant)
    pid = participant.participant_id
    rows = []
    plan = [(visit_id, 1, None) for visit_id in SCREENING_VISITS]
    plan.append((STAGING_VISIT, staging_repeat(participant), ("laparoscopy",)))
    for visit_id, occurrence, only in plan:
        visit = protocol.visit(visit_id)
        actual = dates.get((visit_id, occurrence))
        note = ""
        if visit.cohorts is not None:
            names = [pick(c.label, language) for c in protocol.cohorts if c.id in visit.cohorts]
            note = _("only for: %(cohorts)s") % {"cohorts": ", ".join(names)}
        name = pick(visit.name, language)
        if visit_id == STAGING_VISIT:
            name = _("Staging laparoscopy (unscheduled visit %(n)s)") % {"n": occurrence}
        rows.append(TimelineVisit(visit_id, name, occurrence, None, None, None, None, False, actual,
                                  DONE if actual is not None else DUE, None, None, note,
                                  _forms(protocol, pid, visit_id, occurrence, records, language, only),
                                  visit_url(pid, visit_id, occurrence)))
    return tuple(rows)


def _scheduled(o: VisitOccurrence, protocol: Protocol, pid: str, today: dt.date, language: str,
               records: dict[tuple[str, int, str], list[str]]) -> TimelineVisit:
    visit = protocol.visit(o.visit_id)
    note = _("projected from the last cycle start") if o.projected else ""
    return TimelineVisit(o.visit_id, pick(visit.name, language), o.occurrence, o.cycle, o.target, o.earliest,
                         o.latest, o.projected, o.actual, visit_state(o.status, o.target, today),
                         o.status.value, o.days_from_target, note,
                         _forms(protocol, pid, o.visit_id, o.occurrence, records, language),
                         visit_url(pid, o.visit_id, o.occurrence))


def participant_timeline(participant: Participant, protocol: Protocol, language: str,
                         today: dt.date) -> Timeline:
    """``participant``'s visits as of ``today`` (module docstring)."""
    records = _form_records(participant)
    pid = participant.participant_id
    if participant.registration_date is None:
        return Timeline(today, False, _screening(participant, protocol, language, today, records), (), None)
    facts = collect_facts(trial=participant_trial(participant), protocol=protocol)[pid]
    try:
        schedule = schedule_of(protocol, facts, today)
    except HipectrialError as exc:
        note = _("The visit schedule cannot be built: %(error)s") % {"error": exc}
        return Timeline(today, True, (), (), note)
    visits = tuple(_scheduled(o, protocol, pid, today, language, records) for o in schedule.occurrences)
    stopped = tuple(
        _("%(visit)s: %(n)s occurrence(s)%(onwards)s no longer due (stopped at %(events)s on %(date)s)") % {
            "visit": pick(protocol.visit(s.visit_id).name, language),
            "n": len(s.occurrences),
            "onwards": _(" and later ones") if s.onwards else "",
            "events": list_separator(language).join(str(STOP_EVENTS[e]) for e in s.events),
            "date": s.date.isoformat()}
        for s in schedule.stopped)
    return Timeline(today, True, visits, stopped, None)
