"""BOIN boundaries, decision table, next-dose decisions and MTD selection.

Reference values: shared/reference/clinical.md section 8.3 (boundaries computed for this
project, cross-checked with R ``BOIN::get.boundary``); Liu & Yuan (2015) for the rules;
R ``BOIN::select.mtd`` for the selection conventions. Selection cases are worked by hand.
"""

from __future__ import annotations

import math

import pytest
from scipy import stats

from hipectrial.design.boin import (
    BoinDesign,
    boin_boundaries,
    boin_design,
    isotonic_pava,
    posterior_over,
    select_mtd,
)
from hipectrial.design.dose_finding import Action, DoseFindingDesign, DoseState, StopReason
from hipectrial.errors import InputError

# -- boundaries -----------------------------------------------------------------------------

# clinical.md 8.3: target -> (lambda_e, lambda_d); 0.30's lambda_d is 0.3585 (published 0.358).
PUBLISHED = {0.20: (0.157, 0.238), 0.25: (0.197, 0.298), 0.30: (0.236, 0.358)}


@pytest.mark.parametrize("target", sorted(PUBLISHED))
def test_boundaries_match_published_values(target: float) -> None:
    lambda_e, lambda_d = PUBLISHED[target]
    result = boin_boundaries(target=target)
    assert result.lambda_e == pytest.approx(lambda_e, abs=1e-3)
    assert result.lambda_d == pytest.approx(lambda_d, abs=1e-3)
    # to 3 decimals by truncation, as published
    assert math.floor(result.lambda_d * 1000) / 1000 == lambda_d


def test_lambda_d_for_target_030_rounds_to_0359() -> None:
    assert round(boin_design(target=0.30).lambda_d, 3) == 0.359


# clinical.md 8.3 decision counts: n -> (escalate if <=, de-escalate if >=, eliminate if >=)
TABLES = {
    0.30: [(3, 0, 2, 3), (6, 1, 3, 4), (9, 2, 4, 5), (12, 2, 5, 7)],
    0.25: [(3, 0, 1, 3), (6, 1, 2, 4), (9, 1, 3, 5), (12, 2, 4, 6)],
}


@pytest.mark.parametrize("target", sorted(TABLES))
def test_decision_table_matches_reference_counts(target: float) -> None:
    rows = boin_boundaries(target=target, cohort_size=3, n_cohorts=4).rows
    got = [(r.n, r.escalate_at_most, r.de_escalate_at_least, r.eliminate_at_least) for r in rows]
    assert got == TABLES[target]


def test_part_a_phi1_phi2_are_the_defaults_for_target_030() -> None:
    # protocol-decisions.md Part A: target 0.30, phi1 0.18, phi2 0.42
    explicit = boin_design(target=0.30, phi1=0.18, phi2=0.42)
    default = boin_design(target=0.30)
    assert explicit.lambda_e == pytest.approx(default.lambda_e, abs=1e-12)
    assert explicit.lambda_d == pytest.approx(default.lambda_d, abs=1e-12)


def test_no_elimination_below_minimum_patients() -> None:
    design = boin_design(target=0.30)
    assert design.eliminate_at_least(2) is None
    assert boin_design(target=0.30, min_n_eliminate=6).eliminate_at_least(3) is None


@pytest.mark.parametrize(("n", "dlt"), [(3, 3), (6, 4), (9, 5), (12, 7), (7, 2), (30, 14)])
def test_posterior_tail_equals_beta_survival(n: int, dlt: int) -> None:
    expected = stats.beta.sf(0.3, dlt + 1, n - dlt + 1)
    assert posterior_over(0.3, n=n, dlt=dlt) == pytest.approx(expected, rel=1e-12)


# -- next-dose decisions --------------------------------------------------------------------


def test_boin_design_implements_the_dose_finding_protocol() -> None:
    assert isinstance(boin_design(target=0.3), DoseFindingDesign)


def test_escalates_one_level_without_skipping() -> None:
    d = boin_design(target=0.3).decide(DoseState(n=(3, 0, 0), dlt=(0, 0, 0), current=0))
    assert (d.action, d.next_dose) == (Action.ESCALATE, 1)


def test_stays_between_boundaries() -> None:
    d = boin_design(target=0.3).decide(DoseState(n=(3, 6, 0), dlt=(0, 2, 0), current=1))
    assert (d.action, d.next_dose) == (Action.STAY, 1)


def test_de_escalates_at_boundary() -> None:
    d = boin_design(target=0.3).decide(DoseState(n=(3, 3, 0), dlt=(0, 2, 0), current=1))
    assert (d.action, d.next_dose) == (Action.DE_ESCALATE, 0)
    assert d.eliminated == (False, False, False)


def test_eliminates_current_and_higher_doses_and_de_escalates() -> None:
    d = boin_design(target=0.3).decide(DoseState(n=(3, 3, 0, 0), dlt=(0, 3, 0, 0), current=1))
    assert (d.action, d.next_dose) == (Action.DE_ESCALATE, 0)
    assert d.eliminated == (False, True, True, True)


def test_never_escalates_into_an_eliminated_dose() -> None:
    # dose 2 eliminated earlier (3/3); back at dose 1 with 0/6: escalation blocked
    d = boin_design(target=0.3).decide(DoseState(n=(6, 3, 0), dlt=(0, 3, 0), current=0))
    assert (d.action, d.next_dose) == (Action.STAY, 0)
    assert d.reason == "next dose eliminated"


def test_eliminated_flags_in_the_state_are_honoured() -> None:
    state = DoseState(n=(3, 0, 0), dlt=(0, 0, 0), current=0, eliminated=(False, False, True))
    d = boin_design(target=0.3).decide(state)
    assert d.next_dose == 1
    assert d.eliminated == (False, False, True)


def test_stays_at_top_dose_when_escalation_indicated() -> None:
    d = boin_design(target=0.3).decide(DoseState(n=(3, 3), dlt=(0, 0), current=1))
    assert (d.action, d.next_dose) == (Action.STAY, 1)
    assert d.reason is not None
    assert "highest" in d.reason


def test_stays_at_lowest_dose_when_de_escalation_indicated() -> None:
    d = boin_design(target=0.3).decide(DoseState(n=(6, 0), dlt=(3, 0), current=0))
    assert (d.action, d.next_dose) == (Action.STAY, 0)


def test_stops_with_no_dose_when_lowest_dose_eliminated() -> None:
    d = boin_design(target=0.3).decide(DoseState(n=(3, 0), dlt=(3, 0), current=0))
    assert d.action is Action.STOP
    assert d.reason == StopReason.LOWEST_DOSE_TOO_TOXIC
    assert d.selected is None
    assert d.next_dose is None


def test_stops_when_enough_at_dose_and_decision_is_stay() -> None:
    # Part A: stop when 9 treated at the dose the design stays at; 3/9 is between 2 and 4
    d = boin_design(target=0.3, stop_n_at_dose=9).decide(
        DoseState(n=(3, 9, 0), dlt=(0, 3, 0), current=1))
    assert d.action is Action.STOP
    assert d.reason == StopReason.ENOUGH_AT_DOSE
    assert d.selected == 1


def test_does_not_stop_at_n_when_decision_moves() -> None:
    design = boin_design(target=0.3, stop_n_at_dose=9)
    up = design.decide(DoseState(n=(3, 9, 0), dlt=(0, 2, 0), current=1))
    down = design.decide(DoseState(n=(3, 9, 0), dlt=(0, 4, 0), current=1))
    assert (up.action, down.action) == (Action.ESCALATE, Action.DE_ESCALATE)


def test_forced_stay_at_top_dose_counts_as_stay_for_stopping() -> None:
    d = boin_design(target=0.3, stop_n_at_dose=9).decide(DoseState(n=(3, 9), dlt=(0, 1), current=1))
    assert d.reason == StopReason.ENOUGH_AT_DOSE


def test_stops_at_maximum_sample_size_and_selects() -> None:
    d = boin_design(target=0.3, max_n=18).decide(DoseState(n=(6, 6, 6), dlt=(0, 1, 3), current=2))
    assert d.action is Action.STOP
    assert d.reason == StopReason.MAX_SAMPLE_SIZE
    assert d.selected == 1


# -- selection ------------------------------------------------------------------------------


def _phat(y: int, n: int) -> tuple[float, float]:
    """select.mtd estimate and its inverse-variance weight."""
    est = (y + 0.05) / (n + 0.1)
    var = (y + 0.05) * (n - y + 0.05) / ((n + 0.1) ** 2 * (n + 0.1 + 1))
    return est, 1 / var


def test_pava_pools_violators() -> None:
    assert isotonic_pava([0.5, 0.1, 0.3], [1, 1, 2]) == pytest.approx((0.3, 0.3, 0.3))
    assert isotonic_pava([0.1, 0.5, 0.2, 0.6], [1, 1, 3, 1]) == pytest.approx((0.1, 0.275, 0.275, 0.6))


def test_selection_pools_a_violator_and_breaks_the_tie_upwards_below_target() -> None:
    # 2/6 then 1/6 violate monotonicity: pooled (weighted) ~0.236 < 0.30 for both doses,
    # so the higher of the tied doses is chosen; 4/6 (0.66) is further away.
    (e1, w1), (e2, w2) = _phat(2, 6), _phat(1, 6)
    pooled = (e1 * w1 + e2 * w2) / (w1 + w2)
    result = select_mtd(target=0.30, n=(6, 6, 6), dlt=(2, 1, 4))
    assert result.estimates[0] == pytest.approx(pooled, rel=1e-12)
    assert result.estimates[1] == pytest.approx(pooled, rel=1e-12)
    assert pooled == pytest.approx(0.236, abs=1e-3)
    assert result.selected == 1


def test_tie_above_target_selects_the_lower_dose() -> None:
    # 1/3 at both doses: estimates 0.339 > 0.30, tied -> lower dose
    assert select_mtd(target=0.30, n=(3, 3), dlt=(1, 1)).selected == 0


def test_tie_below_target_selects_the_higher_dose() -> None:
    assert select_mtd(target=0.50, n=(3, 3), dlt=(1, 1)).selected == 1


def test_selection_ignores_untreated_and_eliminated_doses() -> None:
    # dose 2 eliminated (3/3), dose 3 untreated; dose 1 (1/6) is the only candidate
    result = select_mtd(target=0.30, n=(6, 3, 0), dlt=(1, 3, 0))
    assert result.selected == 0
    assert result.eliminated == (False, True, True)
    assert result.estimates[1:] == (None, None)


def test_no_mtd_when_lowest_dose_too_toxic() -> None:
    result = select_mtd(target=0.30, n=(6, 3), dlt=(4, 0))
    assert result.selected is None
    assert result.reason == StopReason.LOWEST_DOSE_TOO_TOXIC


def test_no_mtd_when_nothing_treated() -> None:
    assert select_mtd(target=0.30, n=(0, 0), dlt=(0, 0)).selected is None


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("target", [0.0, 1.0, 1.2, -0.1])
def test_rejects_target_outside_unit_interval(target: float) -> None:
    with pytest.raises(InputError) as info:
        boin_design(target=target)
    assert info.value.field == "target"
    assert "between 0 and 1" in str(info.value)


def test_rejects_phi1_not_below_target() -> None:
    with pytest.raises(InputError) as info:
        boin_design(target=0.3, phi1=0.3)
    assert info.value.field == "phi1"
    assert "below the target" in str(info.value)


def test_rejects_phi2_not_above_target() -> None:
    with pytest.raises(InputError) as info:
        BoinDesign(target=0.3, phi1=0.18, phi2=0.25)
    assert info.value.field == "phi2"


def test_rejects_more_dlts_than_patients() -> None:
    with pytest.raises(InputError) as info:
        DoseState(n=(3, 0), dlt=(4, 0), current=0)
    assert info.value.field == "dlt"


def test_rejects_current_dose_out_of_range() -> None:
    with pytest.raises(InputError) as info:
        DoseState(n=(3, 0), dlt=(0, 0), current=2)
    assert info.value.field == "current"
