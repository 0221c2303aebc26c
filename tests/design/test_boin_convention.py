"""BOIN boundaries where n x lambda is a whole number: R BOIN 2.7.2 against the paper.

Reference values are R output of ``get.boundary`` from the CRAN sources
(github:cran/BOIN, ``R/get.boundary.R`` at tags 2.7.2 and 2.6.9), run in R 4.2.2 on this
machine as::

    source("get.boundary.R")   # the file of the version named
    get.boundary(target=0.4, ncohort=10, cohortsize=1, p.tox=0.6)$boundary_tab
    get.boundary(target=0.4, ncohort=10, cohortsize=3, p.tox=0.6)$boundary_tab
    get.boundary(target=0.3, ncohort=6, cohortsize=3, p.saf=0.18, p.tox=0.42)$full_boundary_tab
    get.boundary(target=0.6, ncohort=8, cohortsize=1, p.saf=0.4)$boundary_tab
    get.boundary(target=0.39, ncohort=8, cohortsize=1, p.tox=0.61)$boundary_tab

Hand values: with phi2 = 1 - target, lambda_d = log((1-t)/t) / log(((1-t)/t)^2) = 1/2, so
n x lambda_d = n/2 is a whole number at every even n; the paper de-escalates at
#DLT >= n/2, R 2.7.2 at >= n/2 + 1. Likewise phi1 = 1 - target gives lambda_e = 1/2.
"""

from __future__ import annotations

import dataclasses

import pytest

from hipectrial.design.boin import BoundaryConvention, boin_boundaries, boin_design
from hipectrial.design.boin_sim import simulate_boin, simulate_boin_loop
from hipectrial.design.dose_finding import Action, DoseState
from hipectrial.errors import InputError

R272 = BoundaryConvention.BOIN_2_7_2
PAPER = BoundaryConvention.PAPER


def table(convention: BoundaryConvention, *, target: float, cohort_size: int, n_cohorts: int,
          phi1: float | None = None, phi2: float | None = None
          ) -> list[tuple[int, int, int, int | None]]:
    result = boin_boundaries(target=target, phi1=phi1, phi2=phi2, cohort_size=cohort_size,
                             n_cohorts=n_cohorts, convention=convention)
    return [(r.n, r.escalate_at_most, r.de_escalate_at_least, r.eliminate_at_least)
            for r in result.rows]


def rows(n: list[int], b_e: list[int], b_d: list[int], elim: list[int | None]
         ) -> list[tuple[int, int, int, int | None]]:
    return list(zip(n, b_e, b_d, elim, strict=True))


NA = None
# get.boundary(target=0.4, ncohort=10, cohortsize=1, p.tox=0.6)$boundary_tab
T04_N = list(range(1, 11))
T04_ESC = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]
T04_ELIM = [NA, NA, 3, 4, 4, 5, 5, 6, 7, 7]
T04_DE_R272 = [1, 2, 2, 3, 3, 4, 4, 5, 5, 6]   # BOIN 2.7.2
T04_DE_R269 = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]   # BOIN 2.6.9


def test_default_is_the_current_r_package() -> None:
    assert boin_design(target=0.3).convention is BoundaryConvention.BOIN_2_7_2


def test_target_04_phi2_06_matches_r_2_7_2_by_default() -> None:
    expected = rows(T04_N, T04_ESC, T04_DE_R272, T04_ELIM)
    assert table(R272, target=0.4, phi2=0.6, cohort_size=1, n_cohorts=10) == expected
    default = boin_boundaries(target=0.4, phi2=0.6, cohort_size=1, n_cohorts=10)
    assert [r.de_escalate_at_least for r in default.rows] == T04_DE_R272


def test_target_04_phi2_06_paper_matches_r_2_6_9() -> None:
    expected = rows(T04_N, T04_ESC, T04_DE_R269, T04_ELIM)
    assert table(PAPER, target=0.4, phi2=0.6, cohort_size=1, n_cohorts=10) == expected


def test_target_04_phi2_06_cohorts_of_three_match_both_r_versions() -> None:
    # get.boundary(target=0.4, ncohort=10, cohortsize=3, p.tox=0.6)$boundary_tab
    n = [3, 6, 9, 12, 15, 18, 21, 24, 27, 30]
    esc = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    elim: list[int | None] = [3, 5, 7, 8, 10, 11, 13, 14, 15, 17]
    r272 = [2, 4, 5, 7, 8, 10, 11, 13, 14, 16]
    r269 = [2, 3, 5, 6, 8, 9, 11, 12, 14, 15]
    assert table(R272, target=0.4, phi2=0.6, cohort_size=3, n_cohorts=10) == rows(n, esc, r272, elim)
    assert table(PAPER, target=0.4, phi2=0.6, cohort_size=3, n_cohorts=10) == rows(n, esc, r269, elim)


@pytest.mark.parametrize("n", [2, 4, 6, 8, 10, 12, 18, 30])
def test_whole_number_products_by_hand(n: int) -> None:
    # lambda_d = 1/2 exactly; n/2 DLTs is a rate equal to lambda_d. The elimination counts
    # (R tables above: none at 2; 4, 5, 6, 7, 8, 11, 17 at 4..30) exceed n/2 + 1 here, so no cap.
    r272 = boin_design(target=0.4, phi2=0.6, convention=R272)
    paper = boin_design(target=0.4, phi2=0.6, convention=PAPER)
    assert paper.de_escalate_at_least(n) == n // 2
    assert r272.de_escalate_at_least(n) == n // 2 + 1


@pytest.mark.parametrize("n", [1, 3, 5, 7, 9, 17])
def test_conventions_agree_where_the_product_is_not_whole(n: int) -> None:
    r272 = boin_design(target=0.4, phi2=0.6, convention=R272)
    paper = boin_design(target=0.4, phi2=0.6, convention=PAPER)
    assert r272.de_escalate_at_least(n) == paper.de_escalate_at_least(n)


def test_seed_settings_are_the_same_under_both_conventions_and_match_r() -> None:
    # get.boundary(target=0.3, ncohort=6, cohortsize=3, p.saf=0.18, p.tox=0.42)$full_boundary_tab,
    # identical in 2.7.2 and 2.6.9
    n = list(range(1, 19))
    esc = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4]
    de = [1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6, 6, 6, 7, 7]
    elim: list[int | None] = [NA, NA, 3, 3, 4, 4, 5, 5, 5, 6, 6, 7, 7, 8, 8, 8, 9, 9]
    expected = rows(n, esc, de, elim)
    for convention in BoundaryConvention:
        assert table(convention, target=0.3, phi1=0.18, phi2=0.42, cohort_size=1, n_cohorts=18) == expected


def test_escalation_follows_r_by_default_and_the_paper_on_request() -> None:
    # get.boundary(target=0.6, ncohort=8, cohortsize=1, p.saf=0.4)$boundary_tab (2.7.2 = 2.6.9):
    # lambda_e = 1/2 is computed as 0.49999999999999994, so R's floor gives n/2 - 1 at even n
    r_escalate = [0, 0, 1, 1, 2, 2, 3, 3]
    r_de = [1, 2, 3, 3, 4, 5, 6, 6]
    r_elim: list[int | None] = [NA, NA, NA, NA, 5, 6, 7, 8]
    n = list(range(1, 9))
    assert table(R272, target=0.6, phi1=0.4, cohort_size=1, n_cohorts=8) == rows(n, r_escalate, r_de, r_elim)
    # the paper: escalate if the rate <= 1/2, i.e. #DLT <= floor(n / 2)
    paper = table(PAPER, target=0.6, phi1=0.4, cohort_size=1, n_cohorts=8)
    assert [r[1] for r in paper] == [k // 2 for k in n]
    assert [r[2] for r in paper] == r_de  # lambda_d = 0.7314: no whole product at n <= 8


def test_r_2_7_2_recognises_a_product_just_above_a_whole_number() -> None:
    # get.boundary(target=0.39, ncohort=8, cohortsize=1, p.tox=0.61)$boundary_tab, 2.7.2 (and
    # 2.6.9, whose plain ceiling of 1.0000000000000002 gives 2 at n = 2 as well)
    r272 = [1, 2, 2, 3, 3, 4, 4, 5]
    got = table(R272, target=0.39, phi2=0.61, cohort_size=1, n_cohorts=8)
    assert [r[2] for r in got] == r272
    # the paper by hand: n/2 at even n, ceiling(n/2) at odd n (none eliminated below these)
    got_paper = table(PAPER, target=0.39, phi2=0.61, cohort_size=1, n_cohorts=8)
    assert [r[2] for r in got_paper] == [1, 1, 2, 2, 3, 3, 4, 4]


def test_decide_stays_under_r_2_7_2_and_de_escalates_under_the_paper_at_equality() -> None:
    # 3 DLTs of 6 at level 2: rate 0.5 = lambda_d; elimination needs 5 of 6
    state = DoseState(n=(3, 6, 0), dlt=(0, 3, 0), current=1)
    assert boin_design(target=0.4, phi2=0.6).decide(state).action is Action.STAY
    paper = boin_design(target=0.4, phi2=0.6, convention=PAPER).decide(state)
    assert (paper.action, paper.next_dose) == (Action.DE_ESCALATE, 0)


def test_convention_given_as_text() -> None:
    assert boin_design(target=0.4, phi2=0.6, convention="paper").convention is PAPER


def test_rejects_an_unknown_convention() -> None:
    with pytest.raises(InputError) as info:
        boin_design(target=0.3, convention="boin-2.6")
    assert info.value.field == "convention"
    assert "paper" in str(info.value)


def test_loop_simulator_keeps_the_convention() -> None:
    # 1 DLT of 2 at the top level: the paper de-escalates, 2.7.2 stays (lambda_d = 1/2), so
    # under the paper fewer patients are treated at level 2 when its true rate is 0.5
    paper = boin_design(target=0.4, phi2=0.6, convention=PAPER)
    vector, loop, r272 = (
        simulate(design, truth=(0.0, 0.5), cohort_size=2, n_cohorts=10, n_trials=4000, seed=3)
        for simulate, design in ((simulate_boin, paper), (simulate_boin_loop, paper),
                                 (simulate_boin, dataclasses.replace(paper, convention=R272))))
    top_vector, top_loop, top_r272 = (oc.mean_patients[1] for oc in (vector, loop, r272))
    se = (top_vector.se**2 + top_loop.se**2) ** 0.5
    assert abs(top_vector.value - top_loop.value) < 4 * se
    assert top_r272.value - top_vector.value > 8 * (top_r272.se**2 + top_vector.se**2) ** 0.5
