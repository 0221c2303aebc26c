"""PCI, lesion-size score, CC score and R status (clinical.md §5.1-5.4; protocol-decisions.md
"Endpoints": R0 = negative margins, CC-0 and CY0 at surgery; CY1 at surgery counts as R1)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hipectrial.clinical.surgery.peritoneum import (
    PCI_REGION_NAMES,
    CcScore,
    LesionSize,
    Margin,
    ResidualTumour,
    completeness_of_cytoreduction,
    lesion_size_score,
    peritoneal_cancer_index,
    residual_tumour,
)
from hipectrial.errors import InputError

# clinical.md §5.1, in region order 0-12.
SUGARBAKER_REGIONS = [
    "central", "right upper", "epigastrium", "left upper", "left flank", "left lower", "pelvis",
    "right lower", "right flank", "upper jejunum", "lower jejunum", "upper ileum", "lower ileum",
]


# -- PCI ------------------------------------------------------------------------------------


def test_pci_of_all_zeros_is_0():
    assert peritoneal_cancer_index(scores=[0] * 13).total == 0


def test_pci_of_all_threes_is_39():
    assert peritoneal_cancer_index(scores=[3] * 13).total == 39


def test_pci_names_every_region_in_sugarbaker_order():
    result = peritoneal_cancer_index(scores=list(range(4)) * 3 + [1])
    assert [r.name for r in result.regions] == SUGARBAKER_REGIONS
    assert [r.region for r in result.regions] == list(range(13))
    assert list(PCI_REGION_NAMES) == SUGARBAKER_REGIONS


def test_pci_sums_the_regional_scores():
    # 0+1+2+3 three times = 18, plus region 12 scored 1 -> 19
    result = peritoneal_cancer_index(scores=list(range(4)) * 3 + [1])
    assert result.total == 19
    assert result.regions[3].score is LesionSize.LS3
    assert "PCI = sum of the 13 regional scores = 19 (of 39)" in result.steps


def test_pci_accepts_a_mapping_of_region_to_score():
    scores = dict.fromkeys(range(13), 0) | {6: 2, 0: 1}
    result = peritoneal_cancer_index(scores=scores)
    assert result.total == 3
    assert result.regions[6].name == "pelvis"


def test_pci_with_12_regions_names_the_missing_region():
    with pytest.raises(InputError) as info:
        peritoneal_cancer_index(scores=[0] * 12)
    assert info.value.field == "pci_r12"
    assert "region 12 (lower ileum)" in str(info.value)
    assert "every one of the 13 regions must be scored" in str(info.value)


def test_pci_mapping_without_a_region_names_it():
    scores = {i: 0 for i in range(13) if i != 5}
    with pytest.raises(InputError) as info:
        peritoneal_cancer_index(scores=scores)
    assert info.value.field == "pci_r5"
    assert "region 5 (left lower)" in str(info.value)


def test_pci_region_given_as_none_is_missing_not_zero():
    scores: list[int | None] = [0] * 13
    scores[9] = None
    with pytest.raises(InputError) as info:
        peritoneal_cancer_index(scores=scores)  # type: ignore[arg-type]
    assert info.value.field == "pci_r9"
    assert "upper jejunum" in str(info.value)


@pytest.mark.parametrize("bad", [4, -1, 2.0, True, "2", Decimal(2)])
def test_pci_score_outside_whole_0_to_3_is_refused(bad):
    scores: list[object] = [0] * 13
    scores[4] = bad
    with pytest.raises(InputError) as info:
        peritoneal_cancer_index(scores=scores)  # type: ignore[arg-type]
    assert info.value.field == "pci_r4"
    assert "a lesion-size score 0-3 for region 4 (left flank)" in str(info.value)


def test_pci_with_14_scores_is_refused():
    with pytest.raises(InputError) as info:
        peritoneal_cancer_index(scores=[0] * 14)
    assert info.value.field == "scores"
    assert "14 were given" in str(info.value)


@pytest.mark.parametrize("key", [13, -1, "3", 1.5])
def test_pci_mapping_with_a_region_number_outside_0_to_12_is_refused(key):
    scores: dict[object, int] = dict.fromkeys(range(13), 0)
    scores[key] = 1
    with pytest.raises(InputError) as info:
        peritoneal_cancer_index(scores=scores)  # type: ignore[arg-type]
    assert info.value.field == "scores"
    assert "a region number 0-12" in str(info.value)


def test_pci_of_a_string_is_refused():
    with pytest.raises(InputError) as info:
        peritoneal_cancer_index(scores="0000000000000")  # type: ignore[arg-type]
    assert info.value.field == "scores"


# -- lesion size ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mm", "score"),
    [(0, 0), ("0.1", 1), (5, 1), ("5.1", 2), (50, 2), ("50.1", 3), (200, 3)],
)
def test_lesion_size_boundaries(mm, score):
    # clinical.md §5.1: LS-1 <= 0.5 cm; LS-2 > 0.5 to <= 5 cm (exactly 5 cm is LS-2); LS-3 > 5 cm
    assert lesion_size_score(largest_mm=mm).score == score


def test_confluent_disease_is_ls3_whatever_its_size():
    assert lesion_size_score(largest_mm=3, confluent=True).score is LesionSize.LS3


def test_confluent_with_no_implant_is_a_contradiction():
    with pytest.raises(InputError) as info:
        lesion_size_score(largest_mm=0, confluent=True)
    assert info.value.field == "confluent"


@pytest.mark.parametrize("bad", [-1, "x", 1001, float("nan")])
def test_lesion_size_refuses_bad_sizes(bad):
    with pytest.raises(InputError) as info:
        lesion_size_score(largest_mm=bad)
    assert info.value.field == "largest_mm"


# -- CC score ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mm", "cc"),
    [
        (0, CcScore.CC0),  # no visible residual
        ("0.5", CcScore.CC1),
        ("2.4", CcScore.CC1),  # < 2.5 mm
        ("2.5", CcScore.CC2),  # exactly 2.5 mm: CC-2 ("CC-1 < 2.5 mm" is strict)
        (10, CcScore.CC2),
        (25, CcScore.CC2),  # exactly 2.5 cm: CC-2 ("CC-3 > 2.5 cm" is strict)
        ("25.1", CcScore.CC3),
    ],
)
def test_cc_score_boundaries(mm, cc):
    assert completeness_of_cytoreduction(largest_residual_mm=mm).score is cc


def test_confluent_residual_is_cc3():
    result = completeness_of_cytoreduction(largest_residual_mm=4, confluent=True)
    assert result.score is CcScore.CC3
    assert "confluent" in result.steps[0]


def test_cc0_and_cc1_are_complete_cytoreduction():
    assert [cc.complete for cc in CcScore] == [True, True, False, False]


def test_cc_refuses_a_negative_residual():
    with pytest.raises(InputError) as info:
        completeness_of_cytoreduction(largest_residual_mm=-0.5)
    assert info.value.field == "largest_residual_mm"
    assert "a size in [0, 1000] mm" in str(info.value)


def test_cc_refuses_confluent_without_residual():
    with pytest.raises(InputError) as info:
        completeness_of_cytoreduction(largest_residual_mm=0, confluent=True)
    assert info.value.field == "confluent"


# -- R status ------------------------------------------------------------------------------

NEGATIVE = {"proximal": "negative", "distal": "negative"}


@pytest.mark.parametrize(
    ("margins", "cc", "cy", "r"),
    [
        (NEGATIVE, "CC-0", "CY0", "R0"),
        (NEGATIVE, "CC-0", "CY1", "R1"),  # CY1 at surgery counts as R1
        ({"proximal": "negative", "distal": "positive"}, "CC-0", "CY0", "R1"),
        ({"proximal": "positive"}, "CC-0", "CY1", "R1"),
        ({"proximal": "positive"}, "CC-0", "CYX", "R1"),  # R1 is known whatever CYX hides
        (NEGATIVE, "CC-1", "CY0", "R2"),  # visible residual, however small
        (NEGATIVE, "CC-2", "CY1", "R2"),
        ({"proximal": "positive"}, "CC-3", "CY1", "R2"),
        (NEGATIVE, "CC-0", "CYX", "RX"),  # R0 needs CY0
        ({"proximal": "negative", "distal": "not_assessed"}, "CC-0", "CY0", "RX"),
        ({}, "CC-0", "CY0", "RX"),  # no margin examined
    ],
)
def test_r_status_combinations(margins, cc, cy, r):
    assert residual_tumour(margins=margins, cc_score=cc, cytology=cy).r_status is ResidualTumour(r)


def test_r1_from_cy1_says_why():
    result = residual_tumour(margins=NEGATIVE, cc_score=CcScore.CC0, cytology="CY1")
    assert result.steps == ("CY1 at surgery counts as R1",)
    assert result.margins == {"proximal": Margin.NEGATIVE, "distal": Margin.NEGATIVE}


def test_rx_names_what_is_not_known():
    result = residual_tumour(margins={"distal": "not_assessed"}, cc_score="CC-0", cytology="CYX")
    assert "margin not assessed (distal)" in result.steps
    assert "cytology not done (CYX)" in result.steps


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"margins": NEGATIVE, "cc_score": "CC0", "cytology": "CY0"}, "cc_score"),
        ({"margins": NEGATIVE, "cc_score": "CC-0", "cytology": "CY2"}, "cytology"),
        ({"margins": {"distal": "neg"}, "cc_score": "CC-0", "cytology": "CY0"}, "margins[distal]"),
        ({"margins": ["negative"], "cc_score": "CC-0", "cytology": "CY0"}, "margins"),
    ],
)
def test_r_status_refuses_unknown_codes(kwargs, field):
    with pytest.raises(InputError) as info:
        residual_tumour(**kwargs)
    assert info.value.field == field
    assert "must be" in str(info.value)


@given(st.lists(st.integers(0, 3), min_size=13, max_size=13))
def test_pci_is_the_sum_and_stays_in_0_to_39(scores: list[int]) -> None:
    result = peritoneal_cancer_index(scores=scores)
    assert result.total == sum(scores)
    assert 0 <= result.total <= 39


@given(st.lists(st.integers(0, 3), min_size=13, max_size=13), st.integers(0, 12),
       st.one_of(st.integers(-5, -1), st.integers(4, 9)))
def test_pci_refuses_any_score_outside_0_to_3(scores: list[int], region: int, bad: int) -> None:
    scores[region] = bad
    with pytest.raises(InputError):
        peritoneal_cancer_index(scores=scores)
