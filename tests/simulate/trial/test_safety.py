"""The Part B safety monitoring in the virtual trial (PD §Study: severe toxicity; stop if
P(rate > 0.30 | data) > 0.90 under Beta(1, 1), checked after every 5 participants).

The posterior is checked against the identity for a Beta(1, 1) prior,
``P(p > 0.3 | x, n) = 1 - pbeta(0.3, 1 + x, 1 + n - x) = P(Binomial(n + 1, 0.3) <= x)``,
summed here term by term; the looks' participants and events against the analysis at the
cut-off (:mod:`hipectrial.analysis.monitoring`), which applies the rule on its own.
"""

from __future__ import annotations

import datetime as dt
from math import comb
from pathlib import Path

import pytest

from hipectrial.analysis.trial_analysis import analyze_trial
from hipectrial.protocol import Protocol
from hipectrial.simulate import SimulatedTrial, simulate_trial
from hipectrial.simulate.scenario.world import Scenario, load_scenario

from ..conftest import with_changes

SCENARIO = Path(__file__).parent.parent / "data" / "severe_toxicity.yaml"
SEEDS = range(1, 6)


def posterior_by_hand(x: int, n: int) -> float:
    """``P(p > 0.3 | x of n)`` under Beta(1, 1): ``P(Binomial(n + 1, 0.3) <= x)``."""
    return sum(comb(n + 1, k) * 0.3**k * 0.7 ** (n + 1 - k) for k in range(x + 1))


def boundary_by_hand(n: int) -> int | None:
    """The smallest count whose posterior exceeds 0.90."""
    return next((x for x in range(n + 1) if posterior_by_hand(x, n) > 0.90), None)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(SCENARIO)


@pytest.fixture(scope="module")
def trials(protocol: Protocol, scenario: Scenario) -> list[SimulatedTrial]:
    return [simulate_trial(protocol, scenario, seed, workers=0) for seed in SEEDS]


def test_hand_boundaries_at_the_first_looks() -> None:
    # By hand: n = 5, P(Bin(6, .3) <= 2) = .7^6 + 6 * .3 * .7^5 + 15 * .3^2 * .7^4
    # = .117649 + .302526 + .324135 = .744310 (no stop); P(X = 3) = 20 * .3^3 * .7^3 = .185220,
    # so P(X <= 3) = .929530 > .90: the boundary at n = 5 is 3 events.
    # The R call for the same two values (not run here: R is not installed on this machine):
    # 1 - pbeta(0.3, 1 + 2:3, 1 + 5 - 2:3)
    assert posterior_by_hand(2, 5) == pytest.approx(0.744310, abs=1e-6)
    assert posterior_by_hand(3, 5) == pytest.approx(0.929530, abs=1e-6)
    assert [boundary_by_hand(n) for n in (5, 10, 15, 20)] == [3, 5, 7, 9]


def test_the_scenario_makes_the_rule_stop(trials: list[SimulatedTrial]) -> None:
    stopped = [t for t in trials if t.safety_stop is not None]
    assert len(stopped) >= 4


def test_each_look_stops_exactly_when_the_count_reaches_the_boundary(trials: list[SimulatedTrial]) -> None:
    for t in trials:
        looks = t.safety_looks
        assert [look.n for look in looks] == [5 * (i + 1) for i in range(len(looks))]
        for look in looks:
            assert look.posterior == pytest.approx(posterior_by_hand(look.events, look.n), abs=1e-12)
            assert look.stop_at == boundary_by_hand(look.n)
            assert look.stopped is (look.events >= look.stop_at)  # type: ignore[operator]
            assert look.events == len(look.event_ids)
        # looks go on until the first that stops, and no further
        assert [look.stopped for look in looks[:-1]] == [False] * (len(looks) - 1)
        if t.safety_stop is not None:
            assert looks[-1] is t.safety_stop
            assert looks[-1].look_date <= t.cutoff


def test_registration_closes_on_the_look_day(trials: list[SimulatedTrial]) -> None:
    for t in (t for t in trials if t.safety_stop is not None):
        stop = t.safety_stop
        assert stop is not None
        # nobody who consented after the look day was screened (registration closed)
        assert max(p.consent_date for p in t.trial.participants) <= stop.look_date
        summary = t.summary()["safety_monitoring"]
        assert summary == {"looks": len(t.safety_looks), "stopped": True,
                           "last_look": {"n": stop.n, "events": stop.events,
                                         "posterior": round(stop.posterior, 4),
                                         "look_date": stop.look_date, "stopped": True}}


def test_the_analysis_finds_the_same_look_in_the_data(protocol: Protocol, trials: list[SimulatedTrial]) -> None:
    """At the look day the analysis (its own rule on the data as of that day) counts the same
    participants and events; at the cut-off it counts the same participants and at least
    those events (events known later add), so the rule is met there too."""
    for t in trials[:3]:
        for look in (t.safety_looks[0], t.safety_looks[-1]):
            as_of = analyze_trial(trial=t.trial, protocol=protocol, cutoff=look.look_date).safety_monitoring
            assert as_of is not None
            assert tuple(as_of.participants[:look.n]) == look.participant_ids
            same = next(a for a in as_of.looks if a.n == look.n)
            assert (same.events, same.stop) == (look.events, look.stopped)
        stop = t.safety_stop
        if stop is not None:
            final = analyze_trial(trial=t.trial, protocol=protocol).safety_monitoring
            assert final is not None
            assert tuple(final.participants[:stop.n]) == stop.participant_ids
            at_cutoff = next(a for a in final.looks if a.n == stop.n)
            assert at_cutoff.events >= stop.events
            assert at_cutoff.stop
            assert set(stop.event_ids) <= set(final.event_ids)


def test_a_pool_gives_the_same_trial_and_looks(protocol: Protocol, scenario: Scenario,
                                                trials: list[SimulatedTrial]) -> None:
    seed = next(t.seed for t in trials if t.safety_stop is not None)
    here = next(t for t in trials if t.seed == seed)
    pooled = simulate_trial(protocol, scenario, seed, workers=2)
    assert pooled.safety_looks == here.safety_looks
    assert pooled.trial.to_json() == here.trial.to_json()


def test_participants_mode_skips_the_monitoring(protocol: Protocol, scenario: Scenario) -> None:
    t = simulate_trial(protocol, scenario, 1, participants=40, workers=0)
    assert t.safety_looks == ()
    assert t.safety_stop is None


def test_no_look_after_a_fixed_cutoff(protocol: Protocol, scenario: Scenario,
                                      trials: list[SimulatedTrial]) -> None:
    stop = trials[0].safety_stop
    assert stop is not None
    # a fixed cut-off the day before that stop: a look is never dated after the cut-off
    cutoff = stop.look_date - dt.timedelta(days=1)
    fixed = with_changes(scenario, cutoff={"date": cutoff.isoformat()})
    t = simulate_trial(protocol, fixed, trials[0].seed, workers=0)
    assert t.cutoff == cutoff
    assert all(look.look_date <= cutoff for look in t.safety_looks)
