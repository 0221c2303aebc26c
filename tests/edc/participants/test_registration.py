"""Screening to registration through the pages: the eligibility panel, then registration that
confirms the number, assigns the cohort from eligibility and the part and dose level from
the design (analysis.assignment), or refuses with the reasons."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from tests.edc.participants.conftest import screen
from tests.edc.participants.screening import SCREENING_DAY, enter_screening

pytestmark = pytest.mark.django_db
REGISTER_ON = SCREENING_DAY + dt.timedelta(days=2)  # 2026-03-05


def register(client, pid: str, *, on: dt.date = REGISTER_ON, confirmed: bool = True):
    from hipectrial.edc.participants.models import Participant

    version = Participant.objects.get(participant_id=pid).version
    data = {"registration_date": on.isoformat(), "version": version}
    if confirmed:
        data["eligibility_confirmed"] = "on"
    return client.post(f"/participants/{pid}/register/", data)


def eligible(cast, **kwargs):
    p = screen(cast.coordinator, cast.site_a)
    enter_screening(cast.coordinator, p, **kwargs)
    return p


def test_an_eligible_her2_negative_person_is_registered_at_part_a_level_1(cast, login):
    p = eligible(cast)
    client = login(cast.coordinator)
    page = client.get("/participants/SH01-001/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="eligibility-status"' in html
    assert 'data-testid="eligibility-panel" data-status="eligible"' in html
    # every criterion met but I17 (HER2-positive only): 30 met, none unknown or not met
    assert len(re.findall(r'data-testid="criterion-[IE]\d+" data-status="met"', html)) == 30
    assert 'data-testid="criterion-I17" data-status="not_applicable"' in html
    assert "not_met" not in re.findall(r'data-testid="criterion-[IE]\d+" data-status="(\w+)"', html)
    # the values used are shown with the criterion: CrCl (140-55) x 70 / (72 x 80/88.4) = 91.3 mL/min
    assert "91.3 mL/min" in html

    answer = register(client, "SH01-001")
    assert answer.status_code == 302, answer.content.decode()[:3000]
    p.refresh_from_db()
    assert p.participant_id == "SH01-001"  # the number given at screening, confirmed
    assert (p.registration_date, p.cohort, p.dose_level) == (REGISTER_ON, "HER2-negative", "1")

    from hipectrial.edc.crfs.codec import from_payload
    from hipectrial.edc.crfs.models import Record

    form = Record.objects.get(key="SH01-001/registration#1/registration")
    values = dict(from_payload(form.kind, form.payload).values)
    assert values == {"study_part": "part_a", "registration_date": REGISTER_ON,
                      "eligibility_confirmed": True, "dose_level": "1"}
    visit = Record.objects.get(key="SH01-001/registration#1")
    assert from_payload(visit.kind, visit.payload).actual_date == REGISTER_ON

    page = client.get("/participants/SH01-001/").content.decode()
    assert 'data-status="registered"' in page
    assert "Part A" in page
    assert "HER2-negative" in page
    assert 'data-testid="eligibility-panel"' not in page  # registered: no screening panel


def test_registration_writes_audit_entries_for_the_participant_visit_and_form(cast):
    from hipectrial.edc.audit.models import AuditEntry
    from hipectrial.edc.participants.registration import participant_register

    p = eligible(cast)
    before = AuditEntry.objects.count()
    participant_register(actor=cast.investigator, participant=p, as_of=REGISTER_ON, expected_version=p.version)
    entries = list(AuditEntry.objects.order_by("id")[before:])
    assert [(e.action, e.record_kind) for e in entries] == [
        ("change", "participants"), ("create", "visits"), ("create", "form_records")]
    assert all(e.actor == "inv.a" for e in entries)
    assert "Part A, cohort 1" in entries[0].reason


def test_an_ecog_3_person_is_refused_naming_the_criterion(cast, login):
    p = eligible(cast, changes={"ecog_assessment": {"ecog": "3"}})
    client = login(cast.coordinator)
    page = client.get("/participants/SH01-001/").content.decode()
    assert 'data-testid="eligibility-panel" data-status="ineligible"' in page
    answer = register(client, "SH01-001")
    assert answer.status_code == 400
    refusal = answer.content.decode()
    assert 'data-testid="registration-refused"' in refusal
    # seed protocol I07: ECOG performance status 0 or 1
    assert "Inclusion criterion I07 not met: ECOG performance status 0 or 1 (ecog = 3)" in refusal
    p.refresh_from_db()
    assert p.registration_date is None


def test_an_incomplete_person_is_refused_naming_the_missing_values(cast, login):
    # the labs without ANC and platelets: a draft (the save services refuse to complete a
    # form with a required field blank)
    p = eligible(cast, changes={"labs": {"anc": None, "platelets": None}}, drafts=("labs",))
    client = login(cast.coordinator)
    page = client.get("/participants/SH01-001/").content.decode()
    assert 'data-testid="eligibility-panel" data-status="incomplete"' in page
    assert 'data-testid="missing-anc"' in page
    assert 'href="/participants/SH01-001/visits/screening/1/labs/"' in page
    refusal = register(client, "SH01-001").content.decode()
    assert re.search(r"Missing: [^<]*\(anc\), needed by I\d+", refusal)
    assert re.search(r"Missing: [^<]*\(platelets\), needed by I\d+", refusal)
    p.refresh_from_db()
    assert p.registration_date is None


def test_a_draft_screening_form_does_not_count_and_the_panel_says_so(cast, login):
    eligible(cast, drafts=("labs",))
    page = login(cast.coordinator).get("/participants/SH01-001/").content.decode()
    assert 'data-status="incomplete"' in page
    assert 'data-testid="eligibility-drafts"' in page


def test_the_panel_is_recomputed_as_forms_are_completed(cast, login):
    from hipectrial.data import FormRecord
    from hipectrial.edc.crfs.models import Record, Status
    from hipectrial.edc.crfs.services import record_change

    eligible(cast, drafts=("ecog_assessment",))
    client = login(cast.coordinator)
    fragment = client.get("/participants/SH01-001/eligibility/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content  # the panel alone
    assert b'data-status="incomplete"' in fragment.content
    row = Record.objects.get(key="SH01-001/screening#1/ecog_assessment")
    record = FormRecord("SH01-001", "ecog_assessment", "screening",
                        values={"ecog_date": dt.date(2026, 3, 2), "ecog": "1"})
    record_change(actor=cast.coordinator, record=row, new=record, expected_version=row.version,
                  status=Status.COMPLETE, protocol_version="1.0")
    fragment = client.get("/participants/SH01-001/eligibility/", HTTP_HX_REQUEST="true")
    assert b'data-status="eligible"' in fragment.content


def test_registration_needs_the_confirmation(cast, login):
    p = eligible(cast)
    answer = register(login(cast.coordinator), "SH01-001", confirmed=False)
    assert answer.status_code == 400
    assert b'data-testid="error-eligibility_confirmed"' in answer.content
    p.refresh_from_db()
    assert p.registration_date is None


def test_registration_dated_before_the_screening_data_is_refused(cast, login):
    eligible(cast)
    answer = register(login(cast.coordinator), "SH01-001", on=SCREENING_DAY - dt.timedelta(days=1))
    assert answer.status_code == 400
    assert b"after the registration date" in answer.content


def test_the_fourth_part_a_registration_waits_for_cohort_1s_dlt_windows(cast, login):
    from hipectrial.edc.participants.registration import participant_register

    people = [eligible(cast) for _ in range(4)]
    for p in people[:3]:
        participant_register(actor=cast.coordinator, participant=p, as_of=REGISTER_ON,
                             expected_version=p.version)
        p.refresh_from_db()
        assert (p.cohort, p.dose_level) == ("HER2-negative", "1")
    answer = register(login(cast.coordinator), people[3].participant_id)
    assert answer.status_code == 400
    refusal = answer.content.decode()
    assert "Registration waits: cohort 1 at dose level 1" in refusal
    assert "DLT outcome pending for SH01-001 (cohort 1), SH01-002 (cohort 1), SH01-003 (cohort 1)" in refusal
    people[3].refresh_from_db()
    assert people[3].registration_date is None


def test_coordinator_of_another_site_can_neither_open_nor_register(cast, login):
    eligible(cast)
    client = login(cast.coordinator_b)
    assert client.get("/participants/SH01-001/").status_code == 403
    assert client.get("/participants/SH01-001/eligibility/").status_code == 403
    assert register(client, "SH01-001").status_code == 403
    from hipectrial.edc.participants.models import Participant

    assert Participant.objects.get(participant_id="SH01-001").registration_date is None


def test_monitor_reads_the_page_but_cannot_register(cast, login):
    eligible(cast)
    client = login(cast.monitor)
    page = client.get("/participants/SH01-001/")
    assert page.status_code == 200
    assert b'data-testid="register-form"' not in page.content
    assert register(client, "SH01-001").status_code == 403
    from hipectrial.edc.participants.models import Participant

    assert Participant.objects.get(participant_id="SH01-001").registration_date is None


def test_a_registered_participant_is_not_registered_twice(cast):
    from hipectrial.edc.participants.registration import RegistrationRefused, participant_register

    p = eligible(cast)
    participant_register(actor=cast.coordinator, participant=p, as_of=REGISTER_ON, expected_version=p.version)
    p.refresh_from_db()
    with pytest.raises(RegistrationRefused, match="registered on 2026-03-05"):
        participant_register(actor=cast.coordinator, participant=p, as_of=REGISTER_ON,
                             expected_version=p.version)


def test_a_stale_version_is_a_conflict(cast):
    from hipectrial.edc.participants.registration import participant_register
    from hipectrial.errors import ConflictError

    p = eligible(cast)
    with pytest.raises(ConflictError, match="after version 0"):
        participant_register(actor=cast.coordinator, participant=p, as_of=REGISTER_ON, expected_version=0)


def test_a_screen_failure_still_shows_why_and_offers_no_registration(cast, login):
    from hipectrial.edc.participants.services import participant_end

    p = eligible(cast, changes={"ecog_assessment": {"ecog": "3"}})
    participant_end(actor=cast.coordinator, participant=p, stage="off_study", date=REGISTER_ON,
                    reason_code="screen_failure", reason="ECOG 3", expected_version=p.version)
    page = login(cast.coordinator).get("/participants/SH01-001/").content.decode()
    assert 'data-testid="eligibility-panel" data-status="ineligible"' in page
    assert 'data-testid="criterion-I07" data-status="not_met"' in page
    assert 'data-testid="register-form"' not in page


def test_the_page_speaks_the_users_language_with_the_protocols_chinese_labels(cast, login):
    cast.coordinator.language = "zh-hans"
    cast.coordinator.save()
    eligible(cast, changes={"ecog_assessment": {"ecog": "3"}})
    client = login(cast.coordinator)
    page = client.get("/participants/SH01-001/").content.decode()
    assert "ECOG体能状态评分0或1分" in page  # criterion I07 in the protocol's Chinese
    assert "筛选期" in page  # the screening visit's Chinese name
    refusal = register(client, "SH01-001").content.decode()
    assert "ECOG体能状态评分0或1分 (ecog = 3)" in refusal


def test_the_registration_section_says_where_the_next_participant_goes(cast, login):
    eligible(cast)
    client = login(cast.coordinator)
    page = client.get("/participants/SH01-001/").content.decode()
    assert 'hx-get="/participants/SH01-001/assignment/"' in page
    fragment = client.get("/participants/SH01-001/assignment/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="assignment-open" data-part="part_a" data-level="1"' in fragment
    assert "Part A - dose exploration" in fragment
    assert "Level 1 - 75 mg/m2" in fragment


def test_the_registration_section_says_when_registration_waits(cast, login):
    from hipectrial.edc.participants.registration import participant_register

    people = [eligible(cast) for _ in range(4)]
    for p in people[:3]:
        participant_register(actor=cast.coordinator, participant=p, as_of=REGISTER_ON, expected_version=p.version)
    fragment = login(cast.coordinator).get("/participants/SH01-004/assignment/").content.decode()
    assert 'data-testid="assignment-closed"' in fragment
    assert "Registration waits: cohort 1" in fragment


def test_the_assignment_is_for_those_who_may_register(cast, login):
    eligible(cast)
    assert login(cast.monitor).get("/participants/SH01-001/assignment/").status_code == 403


def test_a_registration_dated_before_the_latest_one_is_refused(cast):
    from hipectrial.edc.participants.registration import RegistrationRefused, participant_register

    first, second = eligible(cast), eligible(cast)
    participant_register(actor=cast.coordinator, participant=first, as_of=REGISTER_ON,
                         expected_version=first.version)
    with pytest.raises(RegistrationRefused, match="before the trial's latest registration"):
        participant_register(actor=cast.coordinator, participant=second, as_of=REGISTER_ON - dt.timedelta(days=1),
                             expected_version=second.version)
    participant_register(actor=cast.coordinator, participant=second, as_of=REGISTER_ON,
                         expected_version=second.version)
    second.refresh_from_db()
    assert second.registration_date == REGISTER_ON


def test_a_registration_form_entered_by_hand_before_registration_is_named(cast):
    from hipectrial.data import FormRecord
    from hipectrial.edc.crfs.models import Kind, Status
    from hipectrial.edc.crfs.services import record_create
    from hipectrial.edc.participants.registration import RegistrationRefused, participant_register

    p = eligible(cast)
    record_create(actor=cast.coordinator, participant=p, kind=Kind.FORM, status=Status.DRAFT, protocol_version="1.0",
                  record=FormRecord("SH01-001", "registration", "registration", values={"study_part": "part_b"}))
    with pytest.raises(RegistrationRefused, match="SH01-001/registration#1/registration"):
        participant_register(actor=cast.coordinator, participant=p, as_of=REGISTER_ON, expected_version=p.version)
    p.refresh_from_db()
    assert p.registration_date is None


def test_registration_waits_for_every_required_screening_form_not_only_those_criteria_read(cast):
    from hipectrial.edc.participants.registration import RegistrationRefused, participant_register

    p = eligible(cast, leave_out=("tumour_assessment",))
    with pytest.raises(RegistrationRefused, match=r"required screening form not complete: Tumour assessment"):
        participant_register(actor=cast.coordinator, participant=p, as_of=REGISTER_ON, expected_version=p.version)
    p.refresh_from_db()
    assert p.registration_date is None


def test_registration_waits_while_a_screening_form_is_a_draft(cast):
    from hipectrial.edc.participants.registration import RegistrationRefused, participant_register

    p = eligible(cast, drafts=("tumour_assessment",))
    with pytest.raises(RegistrationRefused, match=r"required screening form not complete: Tumour assessment"):
        participant_register(actor=cast.coordinator, participant=p, as_of=REGISTER_ON, expected_version=p.version)


def test_registration_refuses_records_the_data_layer_finds_wrong(cast):
    """A staging laparoscopy dated before consent is an error of hipectrial.data.validate:
    registration names it instead of registering on inconsistent data."""
    from hipectrial.edc.participants.registration import RegistrationRefused, participant_register

    p = screen(cast.coordinator, cast.site_a)
    enter_screening(cast.coordinator, p, staging=False)
    from tests.edc.participants.screening import CONSENT, laparoscopy

    from hipectrial.data import FormRecord, Visit
    from hipectrial.edc.crfs.services import record_create
    from hipectrial.edc.protocol_source import protocol_version

    before = CONSENT - dt.timedelta(days=3)
    record_create(actor=cast.coordinator, participant=p, kind="visits", protocol_version=protocol_version(),
                  record=Visit(p.participant_id, "unscheduled", 1, None, before))
    record_create(actor=cast.coordinator, participant=p, kind="form_records", protocol_version=protocol_version(),
                  record=FormRecord(p.participant_id, "laparoscopy", "unscheduled", values=laparoscopy(before)))
    with pytest.raises(RegistrationRefused, match=r"SH01-001/unscheduled#1: actual_date .* before consent_date"):
        participant_register(actor=cast.coordinator, participant=p, as_of=REGISTER_ON, expected_version=p.version)


def test_an_exclusion_that_applies_is_said_to_exclude_not_to_be_met(cast, login):
    """The engine's 'met' for an exclusion means 'not excluded'; the page says whether the
    exclusion applies (seed protocol E01: previous anti-PD-1, anti-PD-L1 or anti-CTLA-4)."""
    eligible(cast, changes={"medical_history": {"prior_checkpoint_inhibitor": True}})
    client = login(cast.coordinator)
    page = client.get("/participants/SH01-001/").content.decode()
    row = page.split('data-testid="criterion-E01"', 1)[1].split("</tr>", 1)[0]
    assert 'data-status="not_met"' in row
    assert "applies: excluded" in row
    clean = page.split('data-testid="criterion-E02"', 1)[1].split("</tr>", 1)[0]
    assert "does not apply (not excluded)" in clean
    refusal = register(client, "SH01-001").content.decode()
    assert "Exclusion criterion E01 applies: Previous anti-PD-1, anti-PD-L1 or anti-CTLA-4 therapy" in refusal


@pytest.mark.parametrize(("days_after_screening", "registered"), [
    (0, False),   # day 0: the protocol's screening window ends on day -1
    (1, True),    # day -1
    (28, True),   # day -28, the window's first day
    (29, False),  # day -29: screening values too old
])
def test_registration_keeps_the_protocols_screening_window(cast, days_after_screening, registered):
    """Seed protocol: screening on day -14 before registration, window 14 before and 13 after
    (CR §9: D-28 to D-1); the window is the core's visit schedule."""
    from hipectrial.edc.participants.registration import RegistrationRefused, participant_register

    p = eligible(cast)
    on = SCREENING_DAY + dt.timedelta(days=days_after_screening)
    if registered:
        participant_register(actor=cast.coordinator, participant=p, as_of=on, expected_version=p.version)
        p.refresh_from_db()
        assert p.registration_date == on
    else:
        with pytest.raises(RegistrationRefused, match=r"screening visit screening on 2026-03-03 is outside the "
                                                      r"protocol's window"):
            participant_register(actor=cast.coordinator, participant=p, as_of=on, expected_version=p.version)
