"""Correcting a participant's identity (sex, birth date, consent date): the participant record,
their one source, and the demographics form with it, in one transaction, both audited under
the same reason; after registration too, with the eligibility recomputed on the corrected data."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.edc.participants.conftest import screen
from tests.edc.participants.screening import BIRTH, CONSENT, enter_screening

from hipectrial.errors import ConflictError, InputError, PermissionDenied

pytestmark = pytest.mark.django_db
PID = "SH01-001"
DEMOGRAPHICS_KEY = f"{PID}/screening#1/demographics"


def correct(actor, p, *, sex="male", birth=BIRTH, consent=CONSENT, reason="birth date misread from the ID card"):
    from hipectrial.edc.participants.services import participant_correct_identity

    p.refresh_from_db()
    return participant_correct_identity(actor=actor, participant=p, expected_version=p.version, sex=sex,
                                        birth_date=birth, consent_date=consent, reason=reason)


def demographics():
    from hipectrial.edc.crfs.models import Record
    from hipectrial.edc.crfs.selectors import form_of

    row = Record.objects.get(key=DEMOGRAPHICS_KEY)
    return row, dict(form_of(row).values)


def screened(cast):
    p = screen(cast.coordinator, cast.site_a)
    enter_screening(cast.coordinator, p)
    return p


def test_a_birth_date_is_corrected_on_the_record_and_the_form_both_audited_with_the_reason(cast):
    from hipectrial.edc.audit.selectors import changes_of, history

    p = screened(cast)
    done = correct(cast.coordinator, p, birth=dt.date(1970, 5, 1))
    p.refresh_from_db()
    assert p.birth_date == dt.date(1970, 5, 1)
    row, values = demographics()
    assert values["birth_date"] == dt.date(1970, 5, 1)
    assert (row.status, row.version) == ("complete", 2)
    assert done.changed == ("birth_date",)
    assert done.reopened == ()
    entries = [e for e in history(participant=PID) if e.action == "change"]
    assert [(e.record_kind, e.reason) for e in entries] == [
        ("participants", "birth date misread from the ID card"),
        ("form_records", "birth date misread from the ID card")]
    assert [(c.field, c.old, c.new) for c in changes_of(entries[0])] == [
        ("birth_date", "1970-05-10", "1970-05-01")]
    assert [(c.field, c.old, c.new) for c in changes_of(entries[1])] == [
        ("values.birth_date", "1970-05-10", "1970-05-01")]


def test_without_a_demographics_form_only_the_record_changes(cast):
    from hipectrial.edc.crfs.models import Record

    p = screen(cast.coordinator, cast.site_a)
    done = correct(cast.coordinator, p, consent=CONSENT - dt.timedelta(days=1))
    p.refresh_from_db()
    assert p.consent_date == dt.date(2026, 3, 1)
    assert done.records == ()
    assert not Record.objects.filter(participant=p).exists()


def test_a_blank_identity_value_of_the_form_stays_blank(cast):
    p = screen(cast.coordinator, cast.site_a)
    enter_screening(cast.coordinator, p, changes={"demographics": {"birth_date": None}}, drafts=("demographics",))
    correct(cast.coordinator, p, birth=dt.date(1970, 5, 1), consent=dt.date(2026, 3, 2))
    _, values = demographics()
    assert "birth_date" not in values
    assert values["consent_date"] == CONSENT


def test_the_reason_is_required_and_nothing_changes_without_it(cast):
    p = screened(cast)
    with pytest.raises(InputError) as refused:
        correct(cast.coordinator, p, birth=dt.date(1970, 5, 1), reason="  ")
    assert refused.value.field == "reason"
    p.refresh_from_db()
    assert p.birth_date == BIRTH
    assert demographics()[0].version == 1


def test_a_monitor_and_another_sites_coordinator_may_not_correct(cast):
    p = screened(cast)
    for user in (cast.monitor, cast.coordinator_b, cast.statistician):
        with pytest.raises(PermissionDenied):
            correct(user, p, birth=dt.date(1970, 5, 1))
    p.refresh_from_db()
    assert p.birth_date == BIRTH


def test_the_investigator_at_the_site_may_correct(cast):
    p = screened(cast)
    correct(cast.investigator, p, birth=dt.date(1970, 5, 1))
    p.refresh_from_db()
    assert p.changed_by == "inv.a"


def test_a_correction_from_an_old_version_is_a_conflict(cast):
    from hipectrial.edc.participants.services import participant_correct_identity

    p = screened(cast)
    version = p.version
    correct(cast.coordinator, p, birth=dt.date(1970, 5, 1))
    with pytest.raises(ConflictError):
        participant_correct_identity(actor=cast.investigator, participant=p, expected_version=version, sex="male",
                                     birth_date=dt.date(1970, 5, 3), consent_date=CONSENT, reason="typo")
    p.refresh_from_db()
    assert p.birth_date == dt.date(1970, 5, 1)


def test_nothing_to_correct_saves_nothing(cast):
    from hipectrial.edc.audit.models import AuditEntry

    p = screened(cast)
    before = AuditEntry.objects.count()
    done = correct(cast.coordinator, p)
    assert done.changed == ()
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(("birth", "consent", "field"), [
    (CONSENT, CONSENT, "birth_date"),                             # born the day of consent
    (BIRTH, dt.date.today() + dt.timedelta(days=1), "consent_date"),  # consent in the future
])
def test_dates_out_of_order_are_refused(cast, birth, consent, field):
    p = screened(cast)
    with pytest.raises(InputError) as refused:
        correct(cast.coordinator, p, birth=birth, consent=consent)
    assert refused.value.field == field


def test_a_consent_date_after_the_screening_visit_is_refused_and_nothing_is_saved(cast):
    p = screened(cast)  # screening visit 2026-03-03, staging laparoscopy 2026-03-02
    with pytest.raises(InputError) as refused:
        correct(cast.coordinator, p, consent=dt.date(2026, 3, 4), reason="consent signed later")
    assert refused.value.field == "consent_date"
    assert "actual_date 2026-03-03 is before consent_date 2026-03-04" in str(refused.value)
    p.refresh_from_db()
    assert p.consent_date == CONSENT
    row, values = demographics()
    assert (row.version, values["consent_date"]) == (1, CONSENT)


def test_sex_corrected_to_female_reopens_a_complete_form_for_the_childbearing_question(cast):
    p = screened(cast)
    done = correct(cast.coordinator, p, sex="female", reason="sex entered wrongly at screening")
    p.refresh_from_db()
    assert p.sex == "female"
    row, values = demographics()
    assert values["sex"] == "female"
    assert row.status == "draft"
    assert done.reopened == ("childbearing_potential",)


def test_sex_corrected_to_male_drops_the_childbearing_answer(cast):
    p = screen(cast.coordinator, cast.site_a, sex="female")
    enter_screening(cast.coordinator, p, changes={
        "demographics": {"sex": "female", "childbearing_potential": False},
        "medical_history": {"pregnant_or_breastfeeding": False}})  # asked of a woman
    correct(cast.coordinator, p, sex="male", reason="sex entered wrongly at screening")
    row, values = demographics()
    assert values["sex"] == "male"
    assert "childbearing_potential" not in values
    assert row.status == "complete"


# --- after registration ----------------------------------------------------------------


def registered(cast):
    from hipectrial.edc.participants.registration import participant_register

    p = screened(cast)
    participant_register(actor=cast.coordinator, participant=p, as_of=dt.date(2026, 3, 5),
                         expected_version=p.version)
    p.refresh_from_db()
    return p


def test_after_registration_the_correction_leaves_the_registration_records_as_they_were(cast):
    from hipectrial.edc.crfs.models import Record

    p = registered(cast)
    before = {r.key: (r.version, r.payload) for r in Record.objects.filter(participant=p, visit_id="registration")}
    correct(cast.coordinator, p, birth=dt.date(1950, 3, 2))
    p.refresh_from_db()
    assert (p.birth_date, p.registration_date, p.cohort, p.dose_level) == (
        dt.date(1950, 3, 2), dt.date(2026, 3, 5), "HER2-negative", "1")
    after = {r.key: (r.version, r.payload) for r in Record.objects.filter(participant=p, visit_id="registration")}
    assert after == before


def _page_correction(client, p, **changes):
    p.refresh_from_db()
    data = {"identity-sex": p.sex, "identity-birth_date": p.birth_date.isoformat(),
            "identity-consent_date": p.consent_date.isoformat(), "identity-reason": "ID card checked",
            "identity-version": p.version}
    data.update({f"identity-{k}": v for k, v in changes.items()})
    return client.post(f"/participants/{p.participant_id}/identity/", data, follow=True)


# I01: age 18 to 75 at consent (2026-03-02). Born 1950-03-03: 75 years, eligible; born
# 1950-03-02: 76 on the day of consent, not eligible.
@pytest.mark.parametrize(("birth", "status", "level"), [
    ("1950-03-03", "eligible", "info"),
    ("1950-03-02", "not eligible", "warning"),
])
def test_after_registration_the_page_says_the_eligibility_recomputed_on_the_corrected_data(
        cast, login, birth, status, level):
    p = registered(cast)
    page = _page_correction(login(cast.coordinator), p, birth_date=birth)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<li class="{level}">Registered on 2026-03-05. Recomputed on the corrected data, the screening ' \
           f"eligibility is: {status}." in html
    assert 'data-testid="registration-date">2026-03-05' in html


def test_in_screening_the_panel_shows_the_corrected_age(cast, login):
    p = screened(cast)
    client = login(cast.coordinator)
    assert 'data-testid="eligibility-status" class="ok">eligible' in client.get(f"/participants/{PID}/").content.decode()
    html = _page_correction(client, p, birth_date="1950-03-02").content.decode()
    assert "Identity corrected, and the demographics form with it." in html
    assert 'data-testid="criterion-I01" data-status="not_met"' in html


def test_the_page_offers_the_correction_to_who_may_enter_data_at_the_site(cast, login):
    screen(cast.coordinator, cast.site_a)
    assert 'data-testid="identity-form"' in login(cast.coordinator).get(f"/participants/{PID}/").content.decode()
    assert 'data-testid="identity-form"' not in login(cast.monitor).get(f"/participants/{PID}/").content.decode()


def test_the_page_refuses_a_correction_without_a_reason_beside_the_field(cast, login):
    p = screened(cast)
    page = _page_correction(login(cast.coordinator), p, birth_date="1970-05-01", reason="")
    assert page.status_code == 400
    html = page.content.decode()
    assert 'data-testid="error-identity-reason"' in html
    assert 'data-testid="correct-identity" open' in html
    p.refresh_from_db()
    assert p.birth_date == BIRTH


def test_the_page_shows_the_services_refusal_beside_the_field(cast, login):
    p = screened(cast)
    page = _page_correction(login(cast.coordinator), p, consent_date="2026-03-04")
    assert page.status_code == 400
    html = page.content.decode()
    error = html.split('data-testid="error-identity-consent_date">')[1].split("</div>")[0]
    assert "is before consent_date 2026-03-04" in error


def test_a_monitor_posting_a_correction_gets_403(cast, login):
    p = screened(cast)
    assert _page_correction(login(cast.monitor), p, birth_date="1970-05-01").status_code == 403
    p.refresh_from_db()
    assert p.birth_date == BIRTH
