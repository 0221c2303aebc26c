"""The participant's visit timeline: the core's schedule (analysis.conduct.schedule_of) with
each visit's state and forms; before registration, the screening visits."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from tests.edc.participants.conftest import screen
from tests.edc.participants.screening import enter_screening

from hipectrial.clinical.visits.types import VisitStatus
from hipectrial.edc.participants.timeline import visit_state

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 1)


@pytest.mark.parametrize(("status", "target", "state"), [
    (VisitStatus.ON_TIME, TODAY, "done"),
    (VisitStatus.EARLY, TODAY, "done"),
    (VisitStatus.LATE, TODAY, "done"),
    (VisitStatus.MISSED, TODAY - dt.timedelta(days=10), "missed"),
    (VisitStatus.UPCOMING, TODAY + dt.timedelta(days=10), "upcoming"),
    (VisitStatus.DUE, TODAY, "due"),  # window open, target today
    (VisitStatus.DUE, TODAY + dt.timedelta(days=2), "due"),  # window open before the target
    (VisitStatus.DUE, TODAY - dt.timedelta(days=1), "overdue"),  # window open, target passed
])
def test_visit_state_from_the_cores_status(status, target, state):
    assert visit_state(status, target, TODAY) == state


def rows(html: str) -> dict[str, tuple[str, str]]:
    """visit-id-occurrence -> (state, target) of each timeline row."""
    found = re.findall(r'data-testid="visit-([\w-]+-\d+)" data-state="(\w+)">.*?data-testid="target">([^<]*)<',
                       html, re.S)
    return {key: (state, target) for key, state, target in found}


def registered(cast, *, on: dt.date, hipec: dt.date | None = None):
    from hipectrial.data import DoseAdministration
    from hipectrial.edc.crfs.models import Kind
    from hipectrial.edc.crfs.services import record_create
    from hipectrial.edc.participants.registration import participant_register

    p = screen(cast.coordinator, cast.site_a)
    enter_screening(cast.coordinator, p, screening_day=on - dt.timedelta(days=2))
    participant_register(actor=cast.coordinator, participant=p, as_of=on, expected_version=p.version)
    p.refresh_from_db()
    if hipec is not None:
        record_create(actor=cast.investigator, participant=p, kind=Kind.DOSE, protocol_version="1.0",
                      record=DoseAdministration(p.participant_id, "hipec-paclitaxel", hipec, Decimal(140),
                                                Decimal(140), "mg"))
    return p


def test_before_registration_the_screening_visits_and_their_forms(cast, login):
    p = screen(cast.coordinator, cast.site_a)
    enter_screening(cast.coordinator, p, leave_out=("labs",), drafts=("biomarkers",), staging=False)
    html = login(cast.coordinator).get("/participants/SH01-001/").content.decode()
    found = rows(html)
    assert set(found) == {"screening-1", "screening-cardiac-1", "unscheduled-1"}
    assert found["screening-1"][0] == "done"  # the screening visit has its date
    assert found["screening-cardiac-1"][0] == "due"
    assert "HER2-positive" in html  # the cardiac visit is for HER2-positive only
    assert 'data-testid="form-labs" data-status="not_started"' in html
    assert 'data-testid="form-biomarkers" data-status="draft"' in html
    assert 'data-testid="form-ecog_assessment" data-status="complete"' in html
    assert 'href="/participants/SH01-001/visits/screening/1/labs/"' in html
    assert 'href="/participants/SH01-001/visits/unscheduled/1/laparoscopy/"' in html
    assert "(optional)</span> — <span class=\"form-not_started\">" not in html.split("unscheduled-1")[1]


def test_registered_timeline_is_the_cores_schedule(cast, login):
    from hipectrial.analysis.conduct import schedule_of
    from hipectrial.analysis.facts import collect_facts
    from hipectrial.edc.participant_data import participant_trial
    from hipectrial.edc.protocol_source import current_protocol

    registered_on, hipec_on = dt.date(2026, 3, 5), dt.date(2026, 3, 6)
    p = registered(cast, on=registered_on, hipec=hipec_on)
    html = login(cast.coordinator).get("/participants/SH01-001/").content.decode()
    found = rows(html)

    today = dt.date.today()
    protocol = current_protocol()
    facts = collect_facts(trial=participant_trial(p), protocol=protocol)["SH01-001"]
    schedule = schedule_of(protocol, facts, today)
    expected = {f"{o.visit_id}-{o.occurrence}": (visit_state(o.status, o.target, today), o.target.isoformat())
                for o in schedule.occurrences}
    assert found == expected

    # Hand-checked against the seed protocol's schedule:
    # screening: day -14 from registration -> 2026-02-19; done on 2026-03-03
    assert found["screening-1"] == ("done", "2026-02-19")
    # registration: day 0 -> 2026-03-05, done that day
    assert found["registration-1"] == ("done", "2026-03-05")
    # induction cycle 1: day 21 after HIPEC (2026-03-06) -> 2026-03-27 (window -7/+7)
    assert found["induction-cycle-1"][1] == "2026-03-27"
    assert "2026-03-20 – 2026-04-03" in html
    # post-HIPEC review: day 30 after HIPEC -> 2026-04-05
    assert found["post-hipec-review-1"][1] == "2026-04-05"
    assert 'data-testid="form-registration" data-status="complete"' in html


def test_an_open_day0_window_is_due_on_its_target_and_overdue_after(cast, login):
    today = dt.date.today()
    registered(cast, on=today)
    html = login(cast.coordinator).get("/participants/SH01-001/").content.decode()
    assert rows(html)["day0-laparoscopy-hipec-1"] == ("due", today.isoformat())


def test_an_open_day0_window_past_its_target_is_overdue(cast, login):
    today = dt.date.today()
    registered(cast, on=today - dt.timedelta(days=3))
    html = login(cast.coordinator).get("/participants/SH01-001/").content.decode()
    state, target = rows(html)["day0-laparoscopy-hipec-1"]
    assert (state, target) == ("overdue", (today - dt.timedelta(days=3)).isoformat())


def test_a_closed_day0_window_never_done_is_missed(cast, login):
    today = dt.date.today()
    registered(cast, on=today - dt.timedelta(days=8))  # window day 0 to day 7
    html = login(cast.coordinator).get("/participants/SH01-001/").content.decode()
    assert rows(html)["day0-laparoscopy-hipec-1"][0] == "missed"


def test_upcoming_visits_after_hipec(cast, login):
    today = dt.date.today()
    registered(cast, on=today - dt.timedelta(days=2), hipec=today - dt.timedelta(days=1))
    html = login(cast.coordinator).get("/participants/SH01-001/").content.decode()
    found = rows(html)
    assert found["day0-laparoscopy-hipec-1"][0] == "done"
    # induction cycle 1 on day 21 after HIPEC: window opens on day 14, 13 days from today
    assert found["induction-cycle-1"] == ("upcoming", (today + dt.timedelta(days=20)).isoformat())
