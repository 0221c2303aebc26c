"""Each trial's outcome, read from its data by the analysis, agrees with what the simulator
itself decided on the way (two independent paths to the same facts): the RP2D BOIN chose,
the Simon stage-1 look, the people screened and registered, the cut-off."""

from __future__ import annotations

import pytest

from hipectrial.analysis.oc_outcome import trial_outcome
from hipectrial.data import TrialData
from hipectrial.errors import InputError
from hipectrial.protocol import load_protocol
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
