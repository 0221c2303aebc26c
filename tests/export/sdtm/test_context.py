"""USUBJID, reference dates, study day and epoch: worked by hand from SDTMIG 3.4 §4.4.4."""

import datetime as dt
from decimal import Decimal

import pytest

from hipectrial.data import DoseAdministration, Participant, Sex, Site, TrialData
from hipectrial.errors import InputError
from hipectrial.export.sdtm import study_context
from hipectrial.protocol import load_protocol

D = dt.date


@pytest.fixture(scope="module")
def protocol():
    return load_protocol()


def _dose(pid, day, given):
    return DoseAdministration(participant_id=pid, agent="hipec-paclitaxel", date=day,
                              prescribed=Decimal("130"), given=Decimal(given), unit="mg")


@pytest.fixture(scope="module")
def study(protocol):
    people = (
        Participant(id="SH01-001", site_id="SH01", sex=Sex.MALE, birth_date=D(1960, 1, 1),
                    consent_date=D(2025, 1, 2)),
        Participant(id="SH01-002", site_id="SH01", sex=Sex.FEMALE, birth_date=D(1970, 1, 1),
                    consent_date=D(2025, 2, 1)),
    )
    # SH01-001: a withheld dose (given 0) on 9 January does not start treatment; the first
    # dose given is on 10 January, the last on 1 April. SH01-002 was never treated.
    doses = (_dose("SH01-001", D(2025, 1, 9), "0"), _dose("SH01-001", D(2025, 4, 1), "200"),
             _dose("SH01-001", D(2025, 1, 10), "130"))
    trial = TrialData(protocol_id="HIPEC-PD1-SOX", protocol_version="1.0",
                      generated_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC),
                      sites=(Site(id="SH01", name="Shanghai", country="CN"),),
                      participants=people, doses=doses)
    return study_context(trial, protocol)


def test_usubjid_is_the_study_id_and_the_site_prefixed_participant_id(study):
    assert study.studyid == "HIPEC-PD1-SOX"
    assert study.usubjid("SH01-002") == "HIPEC-PD1-SOX-SH01-002"


def test_reference_dates_are_the_first_and_last_dose_given(study):
    subject = study.subject("SH01-001")
    assert (subject.first_treatment, subject.last_treatment) == (D(2025, 1, 10), D(2025, 4, 1))
    assert subject.consent == D(2025, 1, 2)


@pytest.mark.parametrize(("date", "day"), [
    (D(2025, 1, 10), 1),     # RFSTDTC itself is day 1
    (D(2025, 1, 11), 2),
    (D(2025, 1, 9), -1),     # the day before is day -1: there is no day 0
    (D(2025, 1, 2), -8),
    (D(2025, 2, 9), 31),
])
def test_study_day_has_no_day_zero(study, date, day):
    assert study.study_day("SH01-001", date) == day


@pytest.mark.parametrize(("date", "epoch"), [
    (D(2025, 1, 9), "SCREENING"),
    (D(2025, 1, 10), "TREATMENT"),
    (D(2025, 4, 1), "TREATMENT"),
    (D(2025, 4, 2), "FOLLOW-UP"),
])
def test_epoch_turns_at_the_first_and_after_the_last_dose(study, date, epoch):
    assert study.epoch("SH01-001", date) == epoch


def test_a_participant_never_treated_has_no_study_day_and_stays_in_screening(study):
    assert study.subject("SH01-002").first_treatment is None
    assert study.study_day("SH01-002", D(2025, 3, 1)) is None
    assert study.epoch("SH01-002", D(2025, 3, 1)) == "SCREENING"


def test_s1_recorded_on_day_1_covers_days_1_to_14_of_its_cycle(protocol):
    # protocol-decisions.md, Treatment flow 3: S-1 orally twice daily, days 1-14; the dose
    # record is on day 1 (docs/trialdata-conventions.md). A cycle starting 1 March 2025 is
    # taken to 14 March: the epoch turns to FOLLOW-UP on 15 March.
    person = Participant(id="SH01-003", site_id="SH01", sex=Sex.MALE, birth_date=D(1960, 1, 1),
                         consent_date=D(2025, 1, 2))
    s1 = DoseAdministration(participant_id="SH01-003", agent="s-1", date=D(2025, 3, 1),
                            prescribed=Decimal("60"), given=Decimal("60"), unit="mg",
                            phase="induction", cycle=1, day=1)
    hipec = _dose("SH01-003", D(2025, 2, 8), "130")
    trial = TrialData(protocol_id="HIPEC-PD1-SOX", protocol_version="1.0",
                      generated_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC),
                      sites=(Site(id="SH01", name="Shanghai", country="CN"),),
                      participants=(person,), doses=(hipec, s1))
    study = study_context(trial, protocol)
    assert study.subject("SH01-003").last_treatment == D(2025, 3, 14)
    assert study.epoch("SH01-003", D(2025, 3, 14)) == "TREATMENT"
    assert study.epoch("SH01-003", D(2025, 3, 15)) == "FOLLOW-UP"


def test_missing_date_gives_no_day_and_no_epoch(study):
    assert study.study_day("SH01-001", None) is None
    assert study.epoch("SH01-001", None) is None


def test_unknown_participant_is_refused_by_name(study):
    with pytest.raises(InputError) as caught:
        study.usubjid("BJ02-009")
    assert caught.value.field == "participant_id"
    assert "BJ02-009" in str(caught.value)
