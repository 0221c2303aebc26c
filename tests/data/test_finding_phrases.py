"""The findings a person meets on the EDC's pages (a participant's dates, visits, identity)
carry what they say as a code and parameters; the English message is the sentence it was."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from hipectrial.data import FormRecord, Participant, Sex, Site, TrialData, Visit, validate
from hipectrial.data.findings import ENGLISH, Finding, FindingCode
from hipectrial.data.form_check import FormFindingCode, check_form_values
from hipectrial.phrases import Phrase, english
from hipectrial.protocol import Protocol, load_protocol

D = dt.date
P = "SH01-001"


@pytest.fixture(scope="module")
def seed() -> Protocol:
    return load_protocol()


def _trial(participant: Participant, *visits: Visit, forms: tuple[FormRecord, ...] = ()) -> TrialData:
    return TrialData(
        protocol_id="HIPEC-PD1-SOX", protocol_version="1.0",
        generated_at=dt.datetime(2026, 5, 5, 9, tzinfo=dt.UTC),
        sites=(Site(id="SH01", name="Shanghai General Hospital", country="CN"),),
        participants=(participant,), visits=visits, form_records=forms)


def _coded(findings: list[Finding]) -> dict[str, Finding]:
    return {f.phrase.code: f for f in findings if f.phrase is not None}


PERSON = Participant(id=P, site_id="SH01", sex=Sex.FEMALE, birth_date=D(1960, 5, 1), consent_date=D(2026, 3, 2))


def test_a_date_before_another_is_coded_with_both_fields_and_dates(seed):
    early = Visit(participant_id=P, visit_id="screening", actual_date=D(2026, 2, 20))
    found = _coded(validate(_trial(PERSON, early), seed))
    order = found[FindingCode.DATE_ORDER]
    assert order.message == "actual_date 2026-02-20 is before consent_date 2026-03-02"
    assert order.phrase == Phrase(FindingCode.DATE_ORDER, (
        ("later", "actual_date"), ("later_date", "2026-02-20"), ("earlier", "consent_date"),
        ("earlier_date", "2026-03-02")))


def test_off_treatment_without_registration_and_a_visit_needing_it_are_coded(seed):
    off = Participant(id=P, site_id="SH01", sex=Sex.FEMALE, birth_date=D(1960, 5, 1), consent_date=D(2026, 3, 2),
                      off_treatment_date=D(2026, 4, 1), off_treatment_reason="other")
    after = Visit(participant_id=P, visit_id="day0-laparoscopy-hipec", actual_date=D(2026, 3, 20))
    found = _coded(validate(_trial(off, after), seed))
    assert found[FindingCode.NEVER_REGISTERED].message == "off treatment but never registered (no registration_date)"
    visit = found[FindingCode.VISIT_BEFORE_REGISTRATION]
    assert visit.message == ("visit 'day0-laparoscopy-hipec' follows registration, but participant 'SH01-001' is "
                             "not registered (no registration_date)")


def test_a_visit_scheduled_once_entered_twice_is_coded(seed):
    twice = Visit(participant_id=P, visit_id="screening", repeat=2, actual_date=D(2026, 3, 3))
    found = _coded(validate(_trial(PERSON, twice), seed))
    assert found[FindingCode.VISIT_ONCE].message == "occurrence 2 of visit 'screening'; the protocol schedules it once"


def test_a_demographics_form_contradicting_the_participant_is_coded(seed):
    form = FormRecord(participant_id=P, form_id="demographics", visit_id="screening",
                      values={"sex": "male"})  # type: ignore[arg-type]
    visit = Visit(participant_id=P, visit_id="screening", actual_date=D(2026, 3, 3))
    found = _coded(validate(_trial(PERSON, visit, forms=(form,)), seed))
    said = found[FindingCode.IDENTITY_CONTRADICTED]
    assert said.message.startswith("sex 'male' on the demographics form contradicts the participant record's "
                                   "sex 'female'; ")
    assert said.phrase is not None
    assert said.phrase.param("recorded") == "'female'"


def test_every_code_has_its_english_and_each_message_is_its_english():
    assert set(ENGLISH) == set(FindingCode)
    for code, template in ENGLISH.items():
        names = re.findall(r"\{(\w+)\}", template)
        phrase = Phrase(code, tuple((n, f"<{n}>") for n in names))
        assert "{" not in english(phrase, ENGLISH)


def test_a_phrase_takes_no_part_in_a_findings_equality():
    from hipectrial.data.findings import Severity
    from hipectrial.data.vocab import RecordKind

    plain = Finding(Severity.ERROR, RecordKind.PARTICIPANT, 0, P, "cohort", "registered without a cohort")
    coded = Finding(Severity.ERROR, RecordKind.PARTICIPANT, 0, P, "cohort", "registered without a cohort",
                    Phrase(FindingCode.REGISTERED_WITHOUT_COHORT))
    assert plain == coded
    assert hash(plain) == hash(coded)


def test_crf_findings_are_coded_by_form_finding_codes(seed):
    findings = check_form_values(protocol=seed, form_id="ecog_assessment", values={"ecog": "7"})
    assert {f.code for f in findings} <= set(FormFindingCode)
    assert FormFindingCode.NOT_A_CODE in {f.code for f in findings}
