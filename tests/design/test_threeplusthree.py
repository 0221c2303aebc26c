"""The 3+3 design: its decisions, exact operating characteristics and simulation.

Reference values are worked by hand from the rules (shared/reference/clinical.md §8.3).
With q = 1 - p at a dose:

- P(pass a dose) e(p) = P(0/3) + P(1/3) P(0/3) = q^3 + 3 p q^2 q^3; its familiar rounded values
  for p = 0.1 ... 0.6 are 0.91, 0.71, 0.49, 0.31, 0.17, 0.08.
- E[patients at a reached dose] = 3 + 3 P(1/3) = 3 + 9 p q^2.
- De-escalation expands a 0/3 dose below an exceeded one; it is kept when the 3 new patients
  have at most 1 DLT: c(p) = q^3 + 3 p q^2.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hipectrial.design.boin_sim import simulate_design_loop
from hipectrial.design.dose_finding import Action, DoseFindingDesign, DoseState, StopReason
from hipectrial.design.threeplusthree import ThreePlusThree, threeplusthree_exact, threeplusthree_simulate
from hipectrial.errors import InputError


def passes(p: float) -> float:
    q = 1 - p
    return q**3 + 3 * p * q**2 * q**3


def zero_of_three(p: float) -> float:
    return (1 - p) ** 3


def one_then_zero(p: float) -> float:
    q = 1 - p
    return 3 * p * q**2 * q**3


def kept_on_expansion(p: float) -> float:
    q = 1 - p
    return q**3 + 3 * p * q**2


# -- decisions -------------------------------------------------------------------------------


def test_is_a_dose_finding_design() -> None:
    assert isinstance(ThreePlusThree(), DoseFindingDesign)


@pytest.mark.parametrize(("n", "dlt", "current", "action", "next_dose"), [
    ((3, 0, 0), (0, 0, 0), 0, Action.ESCALATE, 1),          # 0/3 -> escalate
    ((3, 0, 0), (1, 0, 0), 0, Action.STAY, 0),              # 1/3 -> 3 more
    ((6, 0, 0), (1, 0, 0), 0, Action.ESCALATE, 1),          # 1/6 -> escalate
    ((3, 3, 0), (0, 2, 0), 1, Action.DE_ESCALATE, 0),       # 2/3 at dose 2, dose 1 has 3 -> expand it
    ((3, 6, 0), (0, 2, 0), 1, Action.DE_ESCALATE, 0),       # 2/6 at dose 2 likewise
    ((3, 3, 3), (0, 0, 3), 2, Action.DE_ESCALATE, 1),
])
def test_follows_the_three_plus_three_rules(n: tuple[int, ...], dlt: tuple[int, ...], current: int,
                                            action: Action, next_dose: int) -> None:
    decision = ThreePlusThree().decide(DoseState(n=n, dlt=dlt, current=current))
    assert (decision.action, decision.next_dose) == (action, next_dose)


def test_selects_the_dose_below_when_it_has_six() -> None:
    decision = ThreePlusThree().decide(DoseState(n=(6, 3, 0), dlt=(1, 2, 0), current=1))
    assert (decision.action, decision.selected) == (Action.STOP, 0)
    assert decision.eliminated == (False, True, True)


def test_expanded_dose_that_clears_is_the_mtd() -> None:
    decision = ThreePlusThree().decide(DoseState(n=(6, 3, 0), dlt=(1, 2, 0), current=0))
    assert (decision.action, decision.selected, decision.reason) == (Action.STOP, 0, StopReason.MTD_DETERMINED)


def test_de_escalates_again_when_the_expanded_dose_is_exceeded() -> None:
    design = ThreePlusThree()
    assert design.decide(DoseState(n=(3, 6, 3), dlt=(0, 2, 2), current=1)).next_dose == 0
    stop = design.decide(DoseState(n=(6, 6, 3), dlt=(2, 2, 2), current=0))
    assert (stop.action, stop.selected, stop.reason) == (Action.STOP, None, StopReason.LOWEST_DOSE_TOO_TOXIC)


def test_without_de_escalation_the_dose_below_is_the_mtd_even_with_three() -> None:
    decision = ThreePlusThree(deescalation=False).decide(DoseState(n=(3, 3, 3), dlt=(0, 0, 2), current=2))
    assert (decision.action, decision.selected) == (Action.STOP, 1)


@pytest.mark.parametrize(("n", "dlt"), [((3, 3), (0, 0)), ((3, 6), (0, 1))])
def test_top_dose_that_clears_is_the_mtd(n: tuple[int, ...], dlt: tuple[int, ...]) -> None:
    decision = ThreePlusThree().decide(DoseState(n=n, dlt=dlt, current=1))
    assert (decision.action, decision.selected) == (Action.STOP, 1)


def test_lowest_dose_exceeded_gives_no_mtd() -> None:
    decision = ThreePlusThree().decide(DoseState(n=(3, 0), dlt=(2, 0), current=0))
    assert (decision.action, decision.selected) == (Action.STOP, None)


def test_rejects_a_cohort_count_other_than_three_or_six() -> None:
    with pytest.raises(InputError, match="0, 3 or 6") as info:
        ThreePlusThree().decide(DoseState(n=(4, 0), dlt=(0, 0), current=0))
    assert info.value.field == "n"


def test_rejects_a_current_dose_nobody_received() -> None:
    with pytest.raises(InputError) as info:
        ThreePlusThree().decide(DoseState(n=(3, 0), dlt=(0, 0), current=1))
    assert info.value.field == "current"


# -- exact operating characteristics: hand-worked cases ----------------------------------------


def test_published_escalation_probabilities() -> None:
    # The classic table: P(escalate) at true DLT rate 10 %, 20 %, ..., 60 %.
    expected = [0.91, 0.71, 0.49, 0.31, 0.17, 0.08]
    for p, value in zip([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], expected, strict=True):
        oc = threeplusthree_exact(truth=[p, 0.0])
        assert round(1 - oc.prob_no_mtd, 2) == value


@pytest.mark.parametrize("p", [0.0, 0.1, 0.3, 0.5, 1.0])
@pytest.mark.parametrize("deescalation", [True, False])
def test_one_dose(p: float, deescalation: bool) -> None:
    oc = threeplusthree_exact(truth=[p], deescalation=deescalation)
    q = 1 - p
    assert oc.prob_select[0] == pytest.approx(passes(p), abs=1e-12)
    assert oc.prob_no_mtd == pytest.approx(1 - passes(p), abs=1e-12)
    assert oc.expected_patients[0] == pytest.approx(3 + 9 * p * q**2, abs=1e-12)
    assert oc.expected_dlts[0] == pytest.approx(3 * p + 3 * p * (3 * p * q**2), abs=1e-12)


def test_one_dose_at_thirty_percent_by_hand() -> None:
    # 0.7^3 + 3(0.3)(0.7^2)(0.7^3) = 0.343 + 0.441 * 0.343 = 0.494263; E[n] = 3 + 9(0.3)(0.49) = 4.323
    oc = threeplusthree_exact(truth=[0.3])
    assert oc.prob_select[0] == pytest.approx(0.494263, abs=1e-12)
    assert oc.expected_sample_size == pytest.approx(4.323, abs=1e-12)


@pytest.mark.parametrize(("p1", "p2"), [(0.1, 0.4), (0.05, 0.3), (0.25, 0.6)])
def test_two_doses_without_de_escalation(p1: float, p2: float) -> None:
    oc = threeplusthree_exact(truth=[p1, p2], deescalation=False)
    e1, e2 = passes(p1), passes(p2)
    assert oc.prob_no_mtd == pytest.approx(1 - e1, abs=1e-12)
    assert oc.prob_select[0] == pytest.approx(e1 * (1 - e2), abs=1e-12)
    assert oc.prob_select[1] == pytest.approx(e1 * e2, abs=1e-12)
    assert oc.expected_patients[0] == pytest.approx(3 + 9 * p1 * (1 - p1) ** 2, abs=1e-12)
    assert oc.expected_patients[1] == pytest.approx(e1 * (3 + 9 * p2 * (1 - p2) ** 2), abs=1e-12)


@pytest.mark.parametrize(("p1", "p2"), [(0.1, 0.4), (0.05, 0.3), (0.25, 0.6)])
def test_two_doses_with_de_escalation(p1: float, p2: float) -> None:
    oc = threeplusthree_exact(truth=[p1, p2], deescalation=True)
    e1, e2 = passes(p1), passes(p2)
    # After 0/3 at dose 1 and an exceeded dose 2, dose 1 is expanded to 6.
    expanded = zero_of_three(p1) * (1 - e2)
    assert oc.prob_select[1] == pytest.approx(e1 * e2, abs=1e-12)
    assert oc.prob_select[0] == pytest.approx(one_then_zero(p1) * (1 - e2) + expanded * kept_on_expansion(p1),
                                              abs=1e-12)
    assert oc.prob_no_mtd == pytest.approx(1 - e1 + expanded * (1 - kept_on_expansion(p1)), abs=1e-12)
    q1 = 1 - p1
    assert oc.expected_patients[0] == pytest.approx(3 + 9 * p1 * q1**2 + 3 * expanded, abs=1e-12)
    assert oc.expected_dlts[0] == pytest.approx(3 * p1 + 3 * p1 * (3 * p1 * q1**2) + 3 * p1 * expanded,
                                                abs=1e-12)


# -- exact operating characteristics against a slow reference ---------------------------------


def reference(truth: list[float], deescalation: bool) -> tuple[list[float], float, list[float]]:
    """The rules written out plainly: recursion over cohorts, enumerating 0-3 DLTs each."""
    k = len(truth)
    select = [0.0] * k
    no_mtd = [0.0]
    patients = [0.0] * k

    def cohort(weight: float, n: list[int], d: list[int], dose: int) -> None:
        for y in range(4):
            w = weight * math.comb(3, y) * truth[dose] ** y * (1 - truth[dose]) ** (3 - y)
            if w == 0:
                continue
            n2, d2 = n.copy(), d.copy()
            n2[dose] += 3
            d2[dose] += y
            after(w, n2, d2, dose)

    def stop(w: float, n: list[int], mtd: int | None) -> None:
        for i in range(k):
            patients[i] += w * n[i]
        if mtd is None:
            no_mtd[0] += w
        else:
            select[mtd] += w

    def after(w: float, n: list[int], d: list[int], dose: int) -> None:
        if n[dose] == 3 and d[dose] == 1:
            cohort(w, n, d, dose)
        elif d[dose] <= 1:
            if dose + 1 < k and n[dose + 1] == 0:
                cohort(w, n, d, dose + 1)
            else:
                stop(w, n, dose)
        elif dose == 0:
            stop(w, n, None)
        elif deescalation and n[dose - 1] == 3:
            cohort(w, n, d, dose - 1)
        else:
            stop(w, n, dose - 1)

    cohort(1.0, [0] * k, [0] * k, 0)
    return select, no_mtd[0], patients


@pytest.mark.parametrize("deescalation", [True, False])
def test_exact_matches_a_slow_reference_on_random_scenarios(deescalation: bool) -> None:
    rng = np.random.default_rng(20261123)
    for _ in range(20):
        truth = np.sort(rng.uniform(0, 0.7, size=rng.integers(1, 6))).tolist()
        oc = threeplusthree_exact(truth=truth, deescalation=deescalation)
        select, no_mtd, patients = reference(truth, deescalation)
        assert oc.prob_select == pytest.approx(select, abs=1e-12)
        assert oc.prob_no_mtd == pytest.approx(no_mtd, abs=1e-12)
        assert oc.expected_patients == pytest.approx(patients, abs=1e-12)
        assert sum(oc.prob_select) + oc.prob_no_mtd == pytest.approx(1.0, abs=1e-12)


# -- simulation ------------------------------------------------------------------------------


@pytest.mark.parametrize("deescalation", [True, False])
@pytest.mark.parametrize("truth", [[0.05, 0.1, 0.2, 0.3], [0.1, 0.25, 0.45], [0.02, 0.05, 0.08, 0.12, 0.2, 0.5]])
def test_simulation_agrees_with_exact_within_monte_carlo_error(truth: list[float], deescalation: bool) -> None:
    exact = threeplusthree_exact(truth=truth, deescalation=deescalation)
    sim = threeplusthree_simulate(truth=truth, n_trials=20_000, seed=7, deescalation=deescalation)
    se = sim.standard_errors
    assert se is not None
    for e, s, err in zip(exact.prob_select, sim.prob_select, se.prob_select, strict=True):
        assert abs(e - s) <= 4 * err + 1e-12
    assert abs(exact.prob_no_mtd - sim.prob_no_mtd) <= 4 * se.prob_no_mtd + 1e-12
    for e, s, err in zip(exact.expected_patients, sim.expected_patients, se.expected_patients, strict=True):
        assert abs(e - s) <= 4 * err + 1e-12
    for e, s, err in zip(exact.expected_dlts, sim.expected_dlts, se.expected_dlts, strict=True):
        assert abs(e - s) <= 4 * err + 1e-12
    assert abs(exact.expected_sample_size - sim.expected_sample_size) <= 4 * se.expected_sample_size


def test_the_shared_simulator_runs_three_plus_three() -> None:
    # simulate_design_loop drives any DoseFindingDesign through decide(); a 3+3 trial has at
    # most two cohorts per dose.
    truth = [0.05, 0.15, 0.35]
    exact = threeplusthree_exact(truth=truth)
    oc = simulate_design_loop(ThreePlusThree(), truth=truth, cohort_size=3, n_cohorts=2 * len(truth),
                              n_trials=4000, seed=5)
    for e, s in zip(exact.prob_select, oc.pct_selected, strict=True):
        assert abs(100 * e - s.value) <= 4 * s.se
    assert abs(exact.expected_sample_size - oc.mean_sample_size.value) <= 4 * oc.mean_sample_size.se


def test_simulation_is_reproducible_from_its_seed() -> None:
    first = threeplusthree_simulate(truth=[0.1, 0.3], n_trials=500, seed=3)
    assert first == threeplusthree_simulate(truth=[0.1, 0.3], n_trials=500, seed=3)
    assert first != threeplusthree_simulate(truth=[0.1, 0.3], n_trials=500, seed=4)


# -- bad parameters ----------------------------------------------------------------------------


@pytest.mark.parametrize("truth", [[0.1, 1.2], [-0.1], [], [float("nan")]])
def test_rejects_truth_that_is_not_probabilities(truth: list[float]) -> None:
    with pytest.raises(InputError, match="truth must be") as info:
        threeplusthree_exact(truth=truth)
    assert info.value.field == "truth"


def test_rejects_fewer_than_two_trials() -> None:
    with pytest.raises(InputError) as info:
        threeplusthree_simulate(truth=[0.1], n_trials=1, seed=1)
    assert info.value.field == "n_trials"
