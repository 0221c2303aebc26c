"""The SDTM datasets follow the protocol: a mutated protocol changes them, or is refused by
name when SDTM cannot say what it means."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hipectrial.errors import InputError
from hipectrial.export.sdtm import ds as ds_module
from hipectrial.export.sdtm import exposure, study_context, trial_arms, trial_criteria, trial_summary


def _build(module, trial, protocol):
    return module.build(trial=trial, protocol=protocol, study=study_context(trial, protocol))


def test_a_fourth_dose_level_adds_two_arms(hand_trial, protocol):
    levels = protocol.dose_finding.levels
    fourth = levels[-1].model_copy(update={"id": "4", "doses": {"hipec-paclitaxel": Decimal("225")}})
    changed = protocol.model_copy(update={"dose_finding": protocol.dose_finding.model_copy(
        update={"levels": [*levels, fourth]})})
    ta, te = _build(trial_arms, hand_trial, changed)
    assert {r["ARMCD"] for r in ta.records()} >= {"HER2NEGATIVE_L4", "HER2POSITIVE_L4"}
    assert "Day-0 HIPEC: Paclitaxel (HIPEC) 225 mg/m2 (dose level 4)" in te.column("ELEMENT")
    ts = _build(trial_summary, hand_trial, changed)[0]
    assert next(r["TSVAL"] for r in ts.records() if r["TSPARMCD"] == "NARMS") == "8"


def test_a_new_criterion_is_a_new_ti_record(hand_trial, protocol):
    extra = protocol.eligibility[0].model_copy(update={
        "id": "I20", "text": protocol.eligibility[0].text.model_copy(update={"en": "Able to swim"})})
    changed = protocol.model_copy(update={"eligibility": [*protocol.eligibility, extra]})
    ti = _build(trial_criteria, hand_trial, changed)[0]
    assert ti.records()[-1]["IETESTCD"] == "I20"
    assert ti.records()[-1]["IETEST"] == "Able to swim"


def test_a_criterion_id_that_is_no_sas_name_gets_a_positional_code(hand_trial, protocol):
    first = protocol.eligibility[0].model_copy(update={"id": "age-18-to-75"})
    changed = protocol.model_copy(update={"eligibility": [first, *protocol.eligibility[1:]]})
    ti = _build(trial_criteria, hand_trial, changed)[0]
    assert ti.records()[0]["IETESTCD"] == "INCL01"  # 'AGE18TO75' has 9 characters, SAS names 8


def test_a_criterion_text_longer_than_200_characters_is_refused_not_cut(hand_trial, protocol):
    first = protocol.eligibility[0]
    long = first.model_copy(update={"text": first.text.model_copy(update={"en": "x" * 201})})
    changed = protocol.model_copy(update={"eligibility": [long, *protocol.eligibility[1:]]})
    with pytest.raises(InputError) as caught:
        _build(trial_criteria, hand_trial, changed)
    assert caught.value.field == "eligibility[I01].text.en"


def test_an_age_limit_changed_in_the_protocol_changes_agemin(hand_trial, protocol):
    from hipectrial.protocol.expressions import Expression

    first = protocol.eligibility[0].model_copy(update={"expression": Expression("age >= 20 && age <= 75")})
    changed = protocol.model_copy(update={"eligibility": [first, *protocol.eligibility[1:]]})
    ts = _build(trial_summary, hand_trial, changed)[0]
    assert next(r["TSVAL"] for r in ts.records() if r["TSPARMCD"] == "AGEMIN") == "P20Y"


def test_an_end_of_treatment_reason_without_a_submission_value_is_refused(hand_trial, protocol):
    items = [i.model_copy(update={"submission_value": None}) if i.code == "toxicity" else i
             for i in protocol.codelist("eot-reason").items]
    changed = protocol.model_copy(update={"codelists": [
        c.model_copy(update={"items": items}) if c.id == "eot-reason" else c for c in protocol.codelists]})
    with pytest.raises(InputError) as caught:
        _build(ds_module, hand_trial, changed)
    assert caught.value.field == "participants[SH01-001].off_treatment_reason"
    assert caught.value.value == "toxicity"


def test_the_dosage_form_comes_from_the_protocol(hand_trial, protocol):
    agents = [a.model_copy(update={"dosage_form": "TABLET"}) if a.id == "s-1" else a for a in protocol.agents]
    changed = protocol.model_copy(update={"agents": agents})
    ex, _ = _build(exposure, hand_trial, changed)
    forms = {r["EXTRT"]: r["EXDOSFRM"] for r in ex.records()}
    assert forms["S-1"] == "TABLET"
    assert forms["OXALIPLATIN"] == "INJECTION"
