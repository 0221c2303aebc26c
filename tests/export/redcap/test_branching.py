"""CEL ``show_if`` -> REDCap branching logic: each case written out by hand (the rule it
follows is in ``hipectrial.export.redcap.branching``), the refusals with the construct they
name, and every ``show_if`` of the seed protocol."""

from __future__ import annotations

import pytest

from hipectrial.export.redcap.branching import Untranslatable, branching_logic, translate_show_ifs
from hipectrial.export.redcap.design import Project
from hipectrial.protocol import Expression, Protocol


def logic(protocol: Protocol, project: Project, source: str, form: str = "cases") -> str:
    """The branching logic of a probe field of ``form`` shown if ``source``."""
    owner = protocol.form(form)
    probe = owner.fields[0].model_copy(update={"id": "probe", "show_if": Expression(source)})
    return branching_logic(protocol=protocol, project=project, form=owner, field=probe)


# The cases form is entered at screening only, as are demographics and biomarkers.
CASES = [
    ("cs_flag", "[cs_flag] = '1'"),
    ("!cs_flag", "[cs_flag] = '0'"),
    ("!!cs_flag", "[cs_flag] = '1'"),
    ("cs_flag == true", "[cs_flag] = '1'"),
    ("cs_flag != true", "[cs_flag] = '0'"),
    ("cs_flag == false", "[cs_flag] = '0'"),
    ("cs_code == 'CY1'", "[cs_code] = 'CY1'"),
    ("'CY1' == cs_code", "[cs_code] = 'CY1'"),
    # Not equal is TRUE only for an answer: a blank field is excluded.
    ("cs_code != 'CY1'", "([cs_code] <> '' and [cs_code] <> 'CY1')"),
    ("!(cs_code == 'CY1')", "([cs_code] <> '' and [cs_code] <> 'CY1')"),
    ('cs_text == "it\'s"', "[cs_text] = \"it's\""),
    ("cs_code in ['CY0', 'CY1']", "([cs_code] = 'CY0' or [cs_code] = 'CY1')"),
    ("!(cs_code in ['CY0', 'CY1'])", "([cs_code] <> '' and [cs_code] <> 'CY0' and [cs_code] <> 'CY1')"),
    # Numbers: every comparison needs a value.
    ("cs_int >= 2", "([cs_int] <> '' and [cs_int] >= 2)"),
    ("cs_dec < 2.5", "([cs_dec] <> '' and [cs_dec] < 2.5)"),
    ("cs_dec > -1.5", "([cs_dec] <> '' and [cs_dec] > -1.5)"),
    ("2 < cs_int", "([cs_int] <> '' and [cs_int] > 2)"),
    ("!(cs_int < 2)", "([cs_int] <> '' and [cs_int] >= 2)"),
    ("cs_int == 3", "([cs_int] <> '' and [cs_int] = 3)"),
    ("cs_int in [1, 2]", "([cs_int] <> '' and ([cs_int] = 1 or [cs_int] = 2))"),
    ("cs_int == cs_dec", "([cs_int] <> '' and [cs_dec] <> '' and [cs_int] = [cs_dec])"),
    ("cs_int != cs_dec", "([cs_int] <> '' and [cs_dec] <> '' and [cs_int] <> [cs_dec])"),
    # and / or / parentheses; negation pushed inwards (De Morgan).
    ("cs_flag && cs_code == 'CY1'", "[cs_flag] = '1' and [cs_code] = 'CY1'"),
    ("cs_flag || cs_int > 3", "[cs_flag] = '1' or ([cs_int] <> '' and [cs_int] > 3)"),
    ("(cs_flag || cs_int > 3) && cs_code == 'CY0'",
     "([cs_flag] = '1' or ([cs_int] <> '' and [cs_int] > 3)) and [cs_code] = 'CY0'"),
    ("!(cs_flag && cs_code == 'CY1')", "[cs_flag] = '0' or ([cs_code] <> '' and [cs_code] <> 'CY1')"),
    # A multi-choice field: one checkbox column per code.
    ("'death' in cs_multi", "[cs_multi(death)] = '1'"),
    # FALSE needs an answer: another option ticked (an unanswered field is not FALSE).
    ("!('death' in cs_multi)",
     "([cs_multi(death)] = '0' and ([cs_multi(life_threatening)] = '1' or [cs_multi(hospitalisation)] = '1'"
     " or [cs_multi(disability)] = '1' or [cs_multi(congenital_anomaly)] = '1'"
     " or [cs_multi(important_medical_event)] = '1'))"),
    # Another form entered at the same single event: no event prefix.
    ("sex == 'female' && cs_flag", "[sex] = 'female' and [cs_flag] = '1'"),
    # A derived variable defined in CEL is restated (her2_positive, seed protocol).
    ("her2_positive",
     "[her2_ihc] = 'ihc3plus' or ([her2_ihc] = 'ihc2plus' and ([her2_ish_ratio] <> '' and [her2_ish_ratio] >= 2.0))"),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_translation(cases_protocol: Protocol, cases_project: Project, source: str, expected: str) -> None:
    assert logic(cases_protocol, cases_project, source) == expected


# The later form is entered at registration: fields of screening forms are named with their event.
LATER = [
    ("lt_flag && sex == 'female'", "[lt_flag] = '1' and [screening_arm_1][sex] = 'female'"),
    ("cs_flag", "[screening_arm_1][cs_flag] = '1'"),
    ("!her2_positive",
     "([screening_arm_1][her2_ihc] <> '' and [screening_arm_1][her2_ihc] <> 'ihc3plus') and "
     "(([screening_arm_1][her2_ihc] <> '' and [screening_arm_1][her2_ihc] <> 'ihc2plus') or "
     "([screening_arm_1][her2_ish_ratio] <> '' and [screening_arm_1][her2_ish_ratio] < 2.0))"),
]


@pytest.mark.parametrize(("source", "expected"), LATER)
def test_fields_of_another_event_are_named_with_it(cases_protocol: Protocol, cases_project: Project,
                                                   source: str, expected: str) -> None:
    assert logic(cases_protocol, cases_project, source, form="later") == expected


REFUSED = [
    ("size(cs_text) > 3", "call of size()", "no such function"),
    ("cs_text.startsWith('a')", "call of startsWith()", "no such function"),
    ("cs_multi.exists(c, c == 'death')", "call of exists()", "no such function"),
    ("days_between(cs_date, cs_date2) > 3", "call of days_between()", "no such function"),
    ("cs_int + 1 > 3", "arithmetic (+)", "not translated"),
    ("cs_date > cs_date2", "cs_date > cs_date2", "comparison of date values"),
    ("cs_code < 'CY1'", "cs_code < 'CY1'", "ordering of choice values"),
    ("cs_code == 'CY9'", "code 'CY9'", "not a code of cs_code"),
    ("'other' in cs_multi", "code 'other'", "not a code of cs_multi"),
    ("cs_code in cs_multi", "cs_code in cs_multi", "only field in [constants]"),
    ("cs_flag ? cs_int > 1 : false", "conditional operator ?:", "no conditional"),
    ("true", "constant true", "does not depend on any field"),
    ("cs_int", "variable cs_int", "int value used as a condition"),
    ("cs_text == 'a\\\\b'", "string 'a\\\\b'", "cannot quote it"),
    ("age >= 18", "derived variable age", "compared as a value"),
    # A repeating form's field: REDCap cannot say which of its records.
    ("ae_serious", "variable ae_serious", "repeating form adverse_events"),
    # A form entered at many events: REDCap names one; the protocol takes the latest value.
    ("weight_kg > 50", "variable weight_kg", "form vital_signs is entered at screening_arm_1, induction_cycle_arm_1"),
    # A derived variable that needs a field recorded at several events.
    ("conversion_criteria_met", "variable overall_response", "form tumour_assessment is entered at"),
]


@pytest.mark.parametrize(("source", "construct", "reason"), REFUSED)
def test_refusal_names_the_construct(cases_protocol: Protocol, cases_project: Project, source: str,
                                     construct: str, reason: str) -> None:
    with pytest.raises(Untranslatable) as caught:
        logic(cases_protocol, cases_project, source)
    assert caught.value.construct == construct
    assert reason in caught.value.reason


# Every show_if of the seed protocol (hipec-pd1-sox.yaml), translated by the rules above.
SEED = {
    "childbearing_potential": "[sex] = 'female'",
    "prior_adjuvant_end_date": "[prior_adjuvant_therapy] = '1'",
    "hbv_dna": "[hbv_serology_positive] = '1'",
    "pregnancy_test": "[childbearing_potential] = '1'",          # demographics, same event
    "pregnant_or_breastfeeding": "[sex] = 'female'",
    "distant_metastasis_sites": "[distant_metastasis_other] = '1'",
    "her2_ish_ratio": "[her2_ihc] = 'ihc2plus'",
    "p1_extent": "[p_status] = 'P1'",
    "peritoneal_biopsy_positive": "[peritoneal_biopsy_taken] = '1'",
    "hipec_deviation": "[hipec_completed] = '0'",
    "s1_days_taken": "[dose_agent] = 's-1'",
    "dose_change_reason": "([dose_given] <> '' and [dose_prescribed] <> '' and [dose_given] <> [dose_prescribed])",
    "dose_change_detail": "([dose_given] <> '' and [dose_prescribed] <> '' and [dose_given] <> [dose_prescribed])",
    "ae_sae_criteria": "[ae_serious] = '1'",
    # her2_positive, restated from the adverse-event event with the screening event named.
    "ae_attr_trastuzumab": "[screening_arm_1][her2_ihc] = 'ihc3plus' or ([screening_arm_1][her2_ihc] = 'ihc2plus'"
                           " and ([screening_arm_1][her2_ish_ratio] <> '' and [screening_arm_1][her2_ish_ratio] >= 2.0))",
    "ae_steroids": "[ae_immune_related] = '1'",
    "target_response": "[measurable_disease] = '1'",
    "lesion_long_diameter_mm": "[lesion_nodal] = '0' and [lesion_role] = 'target'",
    "lesion_short_axis_mm": "[lesion_nodal] = '1' and [lesion_role] = 'target'",
    "peritoneal_viable_tumour": "[peritoneal_specimens_resected] = '1'",
    "last_known_alive_date": "([vital_status] <> '' and [vital_status] <> 'dead')",
    "progression_date": "[progressed] = '1'",
    "progression_method": "[progressed] = '1'",
    "subsequent_therapy_date": "[subsequent_therapy] = '1'",
    "subsequent_therapy_detail": "[subsequent_therapy] = '1'",
    "eot_reason_other": "[eot_reason] = 'other'",
    "eos_reason_other": "[eos_reason] = 'other'",
}


def test_every_seed_show_if_translates(seed_protocol: Protocol, seed_project: Project) -> None:
    logic_by_field, refusals = translate_show_ifs(seed_protocol, seed_project)
    assert refusals == ()
    assert logic_by_field == SEED
    with_show_if = {f.id for form in seed_protocol.forms for f in form.fields if f.show_if is not None}
    assert set(SEED) == with_show_if
