"""BOIN operating characteristics: the vectorised simulator against the per-trial loop.

The loop (:func:`simulate_boin_loop`) runs each trial through ``BoinDesign.decide`` and
``select_mtd``; the vectorised simulator must agree with it within Monte-Carlo error
(|difference| < 4 combined SE) on seeded scenarios, and its vectorised isotonic selection
must equal ``select_mtd`` exactly on random data.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from hipectrial.design.boin import boin_design, select_mtd
from hipectrial.design.boin_sim import (
    DoseFindingOC,
    McEstimate,
    _isotonic_select,
    simulate_boin,
    simulate_boin_loop,
    simulate_design_loop,
)
from hipectrial.design.dose_finding import Action, Decision, DoseState, StopReason
from hipectrial.errors import InputError


def _estimates(oc: DoseFindingOC) -> dict[str, McEstimate]:
    out: dict[str, McEstimate] = {}
    for name in ("pct_selected", "mean_patients", "mean_dlts"):
        for i, est in enumerate(getattr(oc, name)):
            out[f"{name}[{i}]"] = est
    for name in ("pct_no_dose", "pct_early_stop", "pct_stop_at_dose", "mean_sample_size",
                 "mean_total_dlts"):
        out[name] = getattr(oc, name)
    return out


def assert_agree(a: DoseFindingOC, b: DoseFindingOC) -> None:
    for (name, x), y in zip(_estimates(a).items(), _estimates(b).values(), strict=True):
        se = float(np.hypot(x.se, y.se))
        if se == 0:
            assert x.value == pytest.approx(y.value), name
        else:
            assert abs(x.value - y.value) < 4 * se, (name, x, y)


SCENARIOS = [
    # protocol-decisions.md Part A: 3 levels, target 0.30, cohorts of 3, at most 6, stop at 9
    {"target": 0.30, "stop_n_at_dose": 9, "truth": (0.10, 0.25, 0.45), "n_cohorts": 6},
    # all doses toxic: early stops for toxicity
    {"target": 0.30, "stop_n_at_dose": None, "truth": (0.45, 0.60, 0.70), "n_cohorts": 10},
    # non-monotone truth (allowed), five doses, start in the middle
    {"target": 0.25, "stop_n_at_dose": 12, "truth": (0.05, 0.30, 0.15, 0.40, 0.55),
     "n_cohorts": 10, "start_dose": 2},
]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_vectorised_simulation_agrees_with_loop_reference(scenario: dict[str, Any]) -> None:
    kw: dict[str, Any] = dict(scenario)
    design = boin_design(target=kw.pop("target"), stop_n_at_dose=kw.pop("stop_n_at_dose"))
    fast = simulate_boin(design, n_trials=20_000, seed=11, **kw)
    slow = simulate_boin_loop(design, n_trials=2_000, seed=12, **kw)
    assert_agree(fast, slow)


def test_toxic_scenario_stops_early_without_selecting() -> None:
    oc = simulate_boin(boin_design(target=0.3), truth=(0.6, 0.7), n_trials=5000, seed=3)
    assert oc.pct_early_stop.value > 50
    assert oc.pct_no_dose.value >= oc.pct_early_stop.value
    assert sum(e.value for e in oc.pct_selected) + oc.pct_no_dose.value == pytest.approx(100)


def test_same_seed_gives_identical_results() -> None:
    design = boin_design(target=0.3, stop_n_at_dose=9)
    a = simulate_boin(design, truth=(0.05, 0.2, 0.4), n_trials=3000, seed=5)
    b = simulate_boin(design, truth=(0.05, 0.2, 0.4), n_trials=3000, seed=5)
    c = simulate_boin(design, truth=(0.05, 0.2, 0.4), n_trials=3000, seed=6)
    assert a == b
    assert a != c
    la = simulate_boin_loop(design, truth=(0.05, 0.2, 0.4), n_trials=200, seed=5)
    assert la == simulate_boin_loop(design, truth=(0.05, 0.2, 0.4), n_trials=200, seed=5)


def test_vectorised_selection_equals_select_mtd_on_random_data() -> None:
    rng = np.random.Generator(np.random.PCG64(2024))
    doses, trials = 5, 3000
    n = rng.integers(0, 5, size=(trials, doses)) * 3
    y = rng.binomial(n, rng.uniform(0, 0.8, size=(trials, doses)))
    for target in (0.25, 0.30):
        expected = [select_mtd(target=target, n=tuple(int(v) for v in n[t]),
                               dlt=tuple(int(v) for v in y[t])) for t in range(trials)]
        admissible = np.array([[n[t, j] > 0 and not e.eliminated[j] for j in range(doses)]
                               for t, e in enumerate(expected)]) & np.array(
            [[not e.eliminated[0]] for e in expected])
        got = _isotonic_select(target, n, y, admissible)
        want = [-1 if e.selected is None else e.selected for e in expected]
        assert got.tolist() == want


def test_ten_thousand_trials() -> None:
    # Speed is measured in benchmarks/design.py, not asserted here (a loaded machine is slower).
    design = boin_design(target=0.3)
    result = simulate_boin(design, truth=(0.05, 0.1, 0.2, 0.3, 0.45), n_trials=10_000, seed=1)
    assert result.n_trials == 10_000


def test_progress_is_reported_per_cohort() -> None:
    calls: list[tuple[int, int]] = []
    simulate_boin(boin_design(target=0.3), truth=(0.1, 0.2), n_cohorts=4, n_trials=50, seed=1,
                  progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


@dataclasses.dataclass(frozen=True)
class ClimbToTop:
    """A toy design: escalate every cohort, stop at the top dose selecting it."""

    def decide(self, state: DoseState) -> Decision:
        if state.current == len(state.n) - 1:
            return Decision(Action.STOP, None, StopReason.MTD_DETERMINED, state.current)
        return Decision(Action.ESCALATE, state.current + 1)


def test_loop_simulator_runs_any_design() -> None:
    oc = simulate_design_loop(ClimbToTop(), truth=(0.1, 0.2, 0.3), cohort_size=3, n_cohorts=5,
                              n_trials=10, seed=1)
    assert [e.value for e in oc.pct_selected] == [0, 0, 100]
    assert oc.mean_sample_size.value == 9


def test_loop_simulator_rejects_a_design_that_never_stops() -> None:
    with pytest.raises(InputError) as info:
        simulate_design_loop(ClimbToTop(), truth=(0.1, 0.2, 0.3), cohort_size=3, n_cohorts=2,
                             n_trials=1, seed=1)
    assert info.value.field == "n_cohorts"


@pytest.mark.parametrize("truth", [(0.1, 1.5), (-0.1, 0.2), ()])
def test_rejects_truth_that_is_not_a_probability(truth: tuple[float, ...]) -> None:
    with pytest.raises(InputError) as info:
        simulate_boin(boin_design(target=0.3), truth=truth, n_trials=10)
    assert info.value.field == "truth"


@pytest.mark.parametrize(("field", "kw"), [("n_trials", {"n_trials": 0}),
                                           ("cohort_size", {"cohort_size": 0}),
                                           ("start_dose", {"start_dose": 3})])
def test_rejects_bad_simulation_parameters(field: str, kw: dict[str, int]) -> None:
    with pytest.raises(InputError) as info:
        simulate_boin(boin_design(target=0.3), truth=(0.1, 0.2, 0.3), **kw)  # type: ignore[arg-type]
    assert info.value.field == field
