"""Each trial's outcome, read from its data by the analysis, agrees with what the simulator
itself decided on the way (two independent paths to the same facts): the RP2D BOIN chose,
the Simon stage-1 look, the people screened and registered, the cut-off."""

from __future__ import annotations

import pytest

from hipectrial.analysis.oc_outcome import trial_outcome
from hipectrial.data import TrialData
from hipectrial.errors import InputError
from hipectrial.protocol import load_protocol
from hipectrial.protocol.endpoints import Population
from hipectrial.simulate import load_scenario, simulate_trial


@pytest.fixture(scope="module")
def protocol():
    return load_protocol()


@pytest.mark.parametrize("scenario", ["default", "toxic", "ineffective"])
def test_the_analysis_reads_the_decisions_the_simulator_took(protocol, scenario) -> None:
    world = load_scenario(scenario)
    for seed in range(1, 7):
        simulated = simulate_trial(protocol, world, seed, workers=0)
        outcome = trial_outcome(trial=simulated.trial, protocol=protocol, seed=seed)
        summary = simulated.summary()
        assert outcome.selected_level == simulated.rp2d, (scenario, seed)
        stopped = simulated.simon is not None and simulated.simon.stopped
        assert outcome.stage1_stopped == stopped, (scenario, seed)
        assert outcome.screened == summary["screened"]
        assert outcome.registered == summary["registered"]
        assert outcome.part_a_registered == sum(len(c.participant_ids) for c in simulated.cohorts)
        assert outcome.cutoff == simulated.cutoff
        assert outcome.seed == seed
        if stopped:
            assert outcome.simon_ci_lower is not None
            assert not outcome.reject_h0
            assert simulated.simon is not None
            assert outcome.r0_events == simulated.simon.responses
        if simulated.rp2d is None:
            assert (outcome.r0_n, outcome.part_b_registered, outcome.stage1_decision) == (0, 0, None)


def test_refuses_another_protocols_data(protocol) -> None:
    trial = simulate_trial(protocol, load_scenario("toxic"), 1, workers=0).trial
    other = TrialData.from_json(trial.to_json().replace('"protocol_id": "HIPEC-PD1-SOX"', '"protocol_id": "OTHER"'))
    with pytest.raises(InputError) as exc:
        trial_outcome(trial=other, protocol=protocol, seed=1)
    assert exc.value.field == "trial.protocol_id"


def test_the_reading_is_the_full_analysis_reading(protocol) -> None:
    # trial_outcome skips the per-protocol and measurable populations; everything it reports
    # is what analyze_trial (the DSMB report's analysis) says of the same data.
    from hipectrial.analysis.trial_analysis import analyze_trial

    for scenario, seed in (("default", 1), ("default", 2), ("ineffective", 1), ("toxic", 3)):
        trial = simulate_trial(protocol, load_scenario(scenario), seed, workers=0).trial
        outcome = trial_outcome(trial=trial, protocol=protocol, seed=seed)
        full = analyze_trial(trial=trial, protocol=protocol)
        estimate = full.primary.designed.estimate
        assert outcome.selected_level == full.primary.rp2d
        assert (outcome.r0_events, outcome.r0_n) == (estimate.events, estimate.n)
        assert (outcome.r0_ci_lower, outcome.r0_ci_upper) == (estimate.ci_lower, estimate.ci_upper)
        assert outcome.reject_h0 == (full.primary.final.reject_h0 is True)
        if outcome.final_decision is not None:
            assert outcome.final_decision == full.primary.final.decision
            assert outcome.stage1_decision == full.simon.decision
        monitoring = full.safety_monitoring
        assert outcome.safety_rule_met in (None, monitoring.stopped if monitoring else None)
        assert outcome.safety_n == len(full.populations.sets[Population.SAFETY])
        assert outcome.registered == len(full.populations.registered)


def test_skipped_populations_are_empty_and_say_so(protocol) -> None:
    from hipectrial.analysis.facts import collect_facts
    from hipectrial.analysis.populations import NOT_DERIVED, build_populations

    trial = simulate_trial(protocol, load_scenario("toxic"), 1, workers=0).trial
    facts = collect_facts(trial=trial, protocol=protocol)
    pops = build_populations(protocol=protocol, facts=facts, responses={}, eligibility={},
                             skip=frozenset({Population.PER_PROTOCOL, Population.MEASURABLE}))
    assert pops[Population.PER_PROTOCOL] == pops[Population.MEASURABLE] == ()
    assert pops.rules[Population.PER_PROTOCOL] == NOT_DERIVED
    assert pops[Population.ITT]
    with pytest.raises(ValueError, match="can be skipped"):
        build_populations(protocol=protocol, facts=facts, responses={}, eligibility={},
                          skip=frozenset({Population.ITT}))
