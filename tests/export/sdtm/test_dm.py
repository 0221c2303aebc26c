"""DM and SUPPDM of the hand-built trial, written out by hand (SDTMIG 3.4 §5.2, §8.4)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hipectrial.errors import InputError
from hipectrial.export.sdtm import study_context
from hipectrial.export.sdtm.dm import build

ARM_1 = "HER2-negative, dose level 1: Paclitaxel (HIPEC) 75 mg/m2; then Oxaliplatin + S-1 + Tislelizumab"

# Worked by hand from tests/export/sdtm/handbuilt.py:
# - RFSTDTC: the day-0 HIPEC (first dose given); RFENDTC: 2025-03-09, the last day of
#   treatment: cycle 2's S-1, recorded on day 1 (2025-02-24), is taken on days 1-14, to
#   2025-02-24 + 13 days = 2025-03-09 (February 2025 has 28 days). The withheld oxaliplatin
#   of 2025-02-24 does not count.
# - AGE: 1960-05-04 -> 2025-01-02 is 64 completed years; 1970-08-20 -> 2025-02-01 is 54.
# - RFPENDTC: the off-study date (death on 2025-06-01; screen failure on 2025-02-10).
EXPECTED_DM = [
    {"STUDYID": "HIPEC-PD1-SOX", "DOMAIN": "DM", "USUBJID": "HIPEC-PD1-SOX-SH01-001",
     "SUBJID": "SH01-001", "RFSTDTC": "2025-01-13", "RFENDTC": "2025-03-09",
     "RFXSTDTC": "2025-01-13", "RFXENDTC": "2025-03-09", "RFICDTC": "2025-01-02",
     "RFPENDTC": "2025-06-01", "DTHDTC": "2025-06-01", "DTHFL": "Y", "SITEID": "SH01",
     "BRTHDTC": "1960-05-04", "AGE": 64, "AGEU": "YEARS", "SEX": "M", "RACE": None,
     "ARMCD": "HER2NEGATIVE_L1", "ARM": ARM_1, "ACTARMCD": "HER2NEGATIVE_L1", "ACTARM": ARM_1,
     "ARMNRS": None, "ACTARMUD": None, "COUNTRY": "CHN"},
    {"STUDYID": "HIPEC-PD1-SOX", "DOMAIN": "DM", "USUBJID": "HIPEC-PD1-SOX-SH01-002",
     "SUBJID": "SH01-002", "RFSTDTC": None, "RFENDTC": None, "RFXSTDTC": None, "RFXENDTC": None,
     "RFICDTC": "2025-02-01", "RFPENDTC": "2025-02-10", "DTHDTC": None, "DTHFL": None,
     "SITEID": "SH01", "BRTHDTC": "1970-08-20", "AGE": 54, "AGEU": "YEARS", "SEX": "F",
     "RACE": None, "ARMCD": None, "ARM": None, "ACTARMCD": None, "ACTARM": None,
     "ARMNRS": "SCREEN FAILURE", "ACTARMUD": None, "COUNTRY": "CHN"},
]

EXPECTED_SUPPDM = [
    {"STUDYID": "HIPEC-PD1-SOX", "RDOMAIN": "DM", "USUBJID": "HIPEC-PD1-SOX-SH01-001",
     "IDVAR": None, "IDVARVAL": None, "QNAM": "COHORT", "QLABEL": "Cohort",
     "QVAL": "HER2-negative", "QORIG": "Assigned", "QEVAL": None},
    {"STUDYID": "HIPEC-PD1-SOX", "RDOMAIN": "DM", "USUBJID": "HIPEC-PD1-SOX-SH01-001",
     "IDVAR": None, "IDVARVAL": None, "QNAM": "STUDYPRT", "QLABEL": "Study Part",
     "QVAL": "Part A - dose exploration", "QORIG": "Collected", "QEVAL": None},
]


def test_dm_of_the_hand_built_trial_is_the_one_written_by_hand(hand_datasets):
    assert list(hand_datasets["DM"].records()) == EXPECTED_DM


def test_suppdm_carries_the_cohort_and_the_study_part(hand_datasets):
    assert list(hand_datasets["SUPPDM"].records()) == EXPECTED_SUPPDM


def test_dm_has_one_record_per_subject_and_is_not_repeating(hand_datasets):
    dm = hand_datasets["DM"]
    assert dm.repeating is False
    assert dm.keys == ("STUDYID", "USUBJID")
    assert dm.observation_class == "SPECIAL PURPOSE"


def test_a_registered_participant_never_treated_is_assigned_not_treated(hand_trial, protocol):
    untreated = replace(hand_trial, doses=())
    dm = build(trial=untreated, protocol=protocol, study=study_context(untreated, protocol))[0]
    first = dm.records()[0]
    assert (first["ARMCD"], first["ACTARMCD"], first["ARMNRS"]) == (
        "HER2NEGATIVE_L1", None, "ASSIGNED, NOT TREATED")
    assert first["RFSTDTC"] is None


def _sex_as(protocol, value):
    items = [item.model_copy(update={"submission_value": value}) if item.code == "male" else item
             for item in protocol.codelist("sex").items]
    return protocol.model_copy(update={"codelists": [
        c.model_copy(update={"items": items}) if c.id == "sex" else c for c in protocol.codelists]})


def test_sex_follows_the_submission_value_the_protocol_gives(hand_trial, protocol):
    changed = _sex_as(protocol, "U")
    dm = build(trial=hand_trial, protocol=changed, study=study_context(hand_trial, changed))[0]
    assert dm.column("SEX") == ("U", "F")


def test_a_sex_submission_value_outside_cdisc_sex_is_refused(hand_trial, protocol):
    # CDISC SEX (C66731) is not extensible: M, F, U, INTERSEX only.
    changed = _sex_as(protocol, "MALE")
    with pytest.raises(InputError) as caught:
        build(trial=hand_trial, protocol=changed, study=study_context(hand_trial, changed))
    assert caught.value.value == "MALE"
    assert "SEX" in str(caught.value)


def test_a_sex_without_a_submission_value_is_refused_naming_the_participant(hand_trial, protocol):
    items = [item.model_copy(update={"submission_value": None}) for item in protocol.codelist("sex").items]
    changed = protocol.model_copy(update={"codelists": [
        c.model_copy(update={"items": items}) if c.id == "sex" else c for c in protocol.codelists]})
    with pytest.raises(InputError) as caught:
        build(trial=hand_trial, protocol=changed, study=study_context(hand_trial, changed))
    assert caught.value.field == "participants[SH01-001].sex"


def test_an_unknown_country_code_is_refused_naming_the_site(hand_trial, protocol):
    site = replace(hand_trial.sites[0], country="XX")
    odd = replace(hand_trial, sites=(site,))
    with pytest.raises(InputError) as caught:
        build(trial=odd, protocol=protocol, study=study_context(odd, protocol))
    assert caught.value.field == "sites[SH01].country"


def test_every_subject_of_a_simulated_trial_is_in_dm_once(simulated_trial, simulated_datasets):
    dm = next(d for d in simulated_datasets if d.domain == "DM")
    assert sorted(dm.column("SUBJID")) == sorted(p.id for p in simulated_trial.participants)
    registered = {f"HIPEC-PD1-SOX-{p.id}" for p in simulated_trial.participants if p.registered}
    with_arm = {r["USUBJID"] for r in dm.records() if r["ARMCD"] is not None}
    assert with_arm == registered
