"""Speed work must not change a byte of a simulated trial: the JSON of seeds 1-3 of each
shipped scenario is compared with sha256 digests recorded from the code before the course
speed-up of issue 14 (``data/trial_json_sha256_before_issue14_speedup.json``, which names
the commit). Also checked: a seed run again on caches warmed by other seeds, and a seed run
with every memo switched off, give those same bytes.

The Part B safety looks (merged after the digests were recorded) change a trial only where a
look stops Part B: seed 3 of each scenario does (default and ineffective at the first look,
5 participants with 3 events; toxic at 15 with 8), so its digest no longer applies; the test
checks that it stops instead, and that the other seeds keep every byte."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from hipectrial.clinical import engine_cache
from hipectrial.protocol import Protocol
from hipectrial.simulate import load_scenario, simulate_trial

_RECORDED = json.loads(
    (Path(__file__).parent / "data" / "trial_json_sha256_before_issue14_speedup.json")
    .read_text(encoding="utf-8"))["digests"]


def _digest(protocol: Protocol, scenario_name: str, seed: int) -> str:
    result = simulate_trial(protocol, load_scenario(scenario_name), seed, workers=0)
    return hashlib.sha256(result.trial.to_json().encode("utf-8")).hexdigest()


# Seeds whose Part B a safety look stops (module docstring): changed on purpose.
_SAFETY_STOPPED = {"default/3", "toxic/3", "ineffective/3"}


@pytest.mark.parametrize("key", sorted(set(_RECORDED) - _SAFETY_STOPPED))
def test_trial_json_is_byte_identical_to_the_code_before_the_speed_up(
        protocol: Protocol, key: str) -> None:
    name, seed = key.split("/")
    assert _digest(protocol, name, int(seed)) == _RECORDED[key]


@pytest.mark.parametrize("key", sorted(_SAFETY_STOPPED))
def test_the_seeds_that_changed_are_those_a_safety_look_stops(protocol: Protocol, key: str) -> None:
    name, seed = key.split("/")
    result = simulate_trial(protocol, load_scenario(name), int(seed), workers=0)
    assert result.safety_stop is not None
    assert result.safety_stop.stopped


def test_a_seed_run_again_on_warm_caches_gives_the_same_bytes(protocol: Protocol) -> None:
    for seed in (2, 3, 1):
        _digest(protocol, "default", seed)
    assert _digest(protocol, "default", 1) == _RECORDED["default/1"]
    assert _digest(protocol, "default", 2) == _RECORDED["default/2"]


def test_a_seed_run_with_every_memo_off_gives_the_same_bytes(
        protocol: Protocol, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_cache, "ENABLED", False)
    assert _digest(protocol, "toxic", 1) == _RECORDED["toxic/1"]
