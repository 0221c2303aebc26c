"""Clavien-Dindo grades (Dindo 2004; clinical.md §5.5) and the conversion-surgery criteria of
the seed protocol (protocol-decisions.md "Treatment flow and timing" 5: no new lesion and no
distant metastasis; RECIST CR, PR or SD; second-look PCI <= 6; CY0; CC-0 judged achievable;
ECOG 0-1), evaluated from the protocol's ``conversion_criteria_met`` expression."""

from __future__ import annotations

import pytest

from hipectrial.clinical.records.derived import CriterionStatus
from hipectrial.clinical.surgery.rules import (
    ClavienDindo,
    at_least_iiib,
    clavien_dindo,
    conversion_criteria,
    split_conjunction,
    worst_grade,
)
from hipectrial.errors import InputError
from hipectrial.protocol import load_protocol

SEED = load_protocol()

# -- Clavien-Dindo -------------------------------------------------------------------------


def test_grades_are_ordered_from_i_to_v():
    assert [g.value for g in sorted(ClavienDindo, key=lambda g: g.rank)] == [
        "I", "II", "IIIa", "IIIb", "IVa", "IVb", "V"]


@pytest.mark.parametrize(
    ("grade", "major"),
    [("I", False), ("II", False), ("IIIa", False), ("IIIb", True), ("IVa", True), ("IVb", True),
     ("V", True)],
)
def test_at_least_iiib(grade, major):
    assert at_least_iiib(grade) is major
    assert at_least_iiib(ClavienDindo(grade)) is major


def test_at_least_compares_by_severity_not_text():
    # As text "IIIa" < "II" is False and "V" < "IVa" is False; by severity the reverse.
    assert ClavienDindo.IIIA.at_least(ClavienDindo.II)
    assert not ClavienDindo.II.at_least(ClavienDindo.IIIA)
    assert ClavienDindo.V.at_least(ClavienDindo.IVB)
    assert ClavienDindo.IIIB.at_least(ClavienDindo.IIIB)


def test_worst_grade():
    assert worst_grade(["II", ClavienDindo.IVA, "IIIb"]) is ClavienDindo.IVA
    assert worst_grade([]) is None


@pytest.mark.parametrize("bad", ["3b", "IIIB", "iiib", "", 3, None])
def test_unknown_grade_is_refused(bad):
    with pytest.raises(InputError) as info:
        clavien_dindo(bad)
    assert info.value.field == "clavien_dindo"
    assert "one of I, II, IIIa, IIIb, IVa, IVb, V" in str(info.value)


def test_at_least_iiib_refuses_an_unknown_grade():
    with pytest.raises(InputError) as info:
        at_least_iiib("IIIc")
    assert info.value.field == "grade"


# -- conversion criteria -------------------------------------------------------------------


def second_look(pci: int = 0, **changes: object) -> dict[str, object]:
    """A re-evaluation record meeting every criterion; ``pci`` spread over the regions."""
    regions = [0] * 13
    for i in range(pci):
        regions[i % 13] += 1
    record: dict[str, object] = {
        "reeval_new_lesion": False, "reeval_distant_metastasis": False,
        "overall_response": "PR", "cytology": "CY0", "reeval_cc0_achievable": True, "ecog": "1",
        **{f"pci_r{i}": s for i, s in enumerate(regions)},
    }
    record.update(changes)
    return record


def statuses(result) -> dict[str, str]:
    return {c.expression: c.status.value for c in result.criteria}


def test_a_record_meeting_every_criterion_is_met():
    result = conversion_criteria(protocol=SEED, values=second_look(pci=3))
    assert result.status is CriterionStatus.MET
    assert set(statuses(result).values()) == {"met"}
    assert len(result.criteria) == 7  # the seed's seven conjuncts
    assert result.missing == ()


@pytest.mark.parametrize(
    ("changes", "failing"),
    [
        ({"reeval_new_lesion": True}, "!reeval_new_lesion"),
        ({"reeval_distant_metastasis": True}, "!reeval_distant_metastasis"),
        ({"overall_response": "PD"}, "(overall_response == 'CR' || overall_response == 'PR' || overall_response == 'SD')"),
        ({"overall_response": "NE"}, "(overall_response == 'CR' || overall_response == 'PR' || overall_response == 'SD')"),
        ({"cytology": "CY1"}, "cytology == 'CY0'"),
        ({"cytology": "CYX"}, "cytology == 'CY0'"),
        ({"reeval_cc0_achievable": False}, "reeval_cc0_achievable"),
        ({"ecog": "2"}, "(ecog == '0' || ecog == '1')"),
    ],
)
def test_each_criterion_failing_alone(changes, failing):
    result = conversion_criteria(protocol=SEED, values=second_look(**changes))
    assert result.status is CriterionStatus.NOT_MET
    assert [e for e, s in statuses(result).items() if s == "not_met"] == [failing]


@pytest.mark.parametrize("response", ["CR", "PR", "SD"])
def test_cr_pr_and_sd_qualify(response):
    result = conversion_criteria(protocol=SEED, values=second_look(overall_response=response))
    assert result.status is CriterionStatus.MET


def test_second_look_pci_6_is_met_and_7_is_not():
    six = conversion_criteria(protocol=SEED, values=second_look(pci=6))
    seven = conversion_criteria(protocol=SEED, values=second_look(pci=7))
    assert six.status is CriterionStatus.MET
    assert statuses(six)["pci_total <= 6"] == "met"
    assert seven.status is CriterionStatus.NOT_MET
    assert statuses(seven)["pci_total <= 6"] == "not_met"
    criterion = next(c for c in seven.criteria if c.expression == "pci_total <= 6")
    assert criterion.values == {"pci_total": 7}
    assert criterion.labels == ("Peritoneal Cancer Index",)


def test_ecog_1_is_met_and_2_is_not():
    assert conversion_criteria(protocol=SEED, values=second_look(ecog="1")).status is CriterionStatus.MET
    assert conversion_criteria(protocol=SEED, values=second_look(ecog="0")).status is CriterionStatus.MET
    assert conversion_criteria(protocol=SEED, values=second_look(ecog="2")).status is CriterionStatus.NOT_MET


def test_a_pci_region_not_scored_leaves_the_pci_criterion_unknown():
    result = conversion_criteria(protocol=SEED, values=second_look(pci_r7=None))
    assert result.status is CriterionStatus.UNKNOWN
    assert statuses(result)["pci_total <= 6"] == "unknown"
    assert [m.variable for m in result.missing] == ["pci_r7"]
    assert result.missing[0].label == "PCI region 7 right lower - lesion-size score"


def test_a_failing_criterion_decides_even_with_others_unknown():
    result = conversion_criteria(protocol=SEED, values=second_look(ecog="3", cytology=None))
    assert result.status is CriterionStatus.NOT_MET
    assert statuses(result)["cytology == 'CY0'"] == "unknown"


def test_the_overall_verdict_is_the_protocols_derived_variable():
    for record in (second_look(), second_look(pci=7), second_look(cytology=None)):
        result = conversion_criteria(protocol=SEED, values=record)
        derived = next(d for d in result.derived if d.variable == "conversion_criteria_met")
        expected = {True: "met", False: "not_met", None: "unknown"}[derived.value]  # type: ignore[index]
        assert result.status.value == expected


def test_conversion_refuses_a_bad_value_naming_the_field():
    with pytest.raises(InputError) as info:
        conversion_criteria(protocol=SEED, values=second_look(pci_r3=4))
    assert info.value.field == "pci_r3"
    assert "[0, 3]" in str(info.value)


def test_conversion_refuses_a_pci_total_given_instead_of_the_regions():
    with pytest.raises(InputError) as info:
        conversion_criteria(protocol=SEED, values={**second_look(), "pci_total": 3})
    assert info.value.field == "pci_total"
    assert "derived" in str(info.value)


def test_conversion_refuses_a_variable_that_is_not_a_boolean_rule():
    with pytest.raises(InputError) as info:
        conversion_criteria(protocol=SEED, values=second_look(), variable="pci_total")
    assert info.value.field == "variable"


def test_split_conjunction_respects_parentheses_and_strings():
    assert split_conjunction("a && (b && c) && s == \"x && y\"") == ("a", "(b && c)", 's == "x && y"')
    assert split_conjunction("a ? b && c : d") == ("a ? b && c : d",)
