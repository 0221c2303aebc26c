"""Loading scenarios: the shipped files, ``extends``, and errors that name file, path and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from hipectrial.errors import InputError
from hipectrial.protocol import Protocol
from hipectrial.simulate.scenario.world import Scenario, ScenarioError, load_scenario, scenario_names
from hipectrial.simulate.trial.run import check_scenario

from ..conftest import with_changes


@pytest.mark.parametrize("name", ["default", "toxic", "ineffective"])
def test_each_shipped_scenario_loads_and_fits_the_seed_protocol(name: str, protocol: Protocol) -> None:
    scenario = load_scenario(name)
    assert scenario.name == name
    check_scenario(protocol, scenario)
    assert sorted(scenario.dlt_probability) == ["1", "2", "3"]


def test_scenario_names_lists_the_shipped_files() -> None:
    assert scenario_names() == ("default", "ineffective", "toxic")


def test_toxic_and_ineffective_extend_default_with_their_changes() -> None:
    default, toxic, ineffective = (load_scenario(n) for n in ("default", "toxic", "ineffective"))
    assert toxic.dlt_probability == {"1": 0.35, "2": 0.55, "3": 0.70}
    assert toxic.sites == default.sites
    assert ineffective.course.r0_probability < default.course.r0_probability


def _write(tmp_path: Path, text: str, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_misspelt_key_names_file_path_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "extends: default\nher2_positve: 0.1\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert f"{path}:2:1 her2_positve: unknown key" in message


def test_probability_above_one_names_the_yaml_path_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "extends: default\nbaseline:\n  conditions:\n    hcv_active: 1.5\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    (problem,) = caught.value.problems
    assert problem.path == "baseline.conditions.hcv_active"
    assert problem.line == 4
    assert "less than or equal to 1" in problem.message


def test_dlt_probability_out_of_range_is_located(tmp_path: Path) -> None:
    path = _write(tmp_path, 'extends: default\ndlt_probability: {"1": 0.1, "2": 1.5, "3": 0.5}\n')
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.problems[0].path == "dlt_probability.2"
    assert caught.value.problems[0].line == 2


def test_unknown_bare_name_lists_the_shipped_scenarios() -> None:
    with pytest.raises(ScenarioError, match="no shipped scenario of that name; shipped: default, "
                       "ineffective, toxic"):
        load_scenario("defualt")


def test_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read file"):
        load_scenario(tmp_path / "none.yaml")


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: x\nsites: [\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert "YAML syntax error" in str(caught.value)
    assert caught.value.problems[0].line is not None


def test_extends_merges_mappings_and_keeps_the_rest(tmp_path: Path) -> None:
    path = _write(tmp_path, 'extends: default\nname: mine\ndlt_probability: {"3": 0.9}\n'
                  "part_b: {pause_for_stage1: false}\n")
    scenario = load_scenario(path)
    assert scenario.name == "mine"
    assert scenario.dlt_probability == {"1": 0.10, "2": 0.25, "3": 0.9}
    assert scenario.part_b.pause_for_stage1 is False
    assert scenario.baseline == load_scenario("default").baseline


def test_extends_cycle_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "extends: b.yaml\n", "a.yaml")
    _write(tmp_path, "extends: a.yaml\n", "b.yaml")
    with pytest.raises(ScenarioError, match="without a cycle"):
        load_scenario(tmp_path / "a.yaml")


def test_cutoff_needs_exactly_one_rule(default_scenario: Scenario) -> None:
    with pytest.raises(ValueError, match="exactly one of months_after_last_registration and date"):
        with_changes(default_scenario, cutoff={"months_after_last_registration": 12,
                                               "date": "2030-01-01"})


def test_ecog_probabilities_must_sum_to_one(tmp_path: Path) -> None:
    path = _write(tmp_path, 'extends: default\nbaseline:\n  ecog: {"0": 0.5, "1": 0.4}\n')
    with pytest.raises(ScenarioError, match=r"ECOG probabilities sum to 0\.9"):
        load_scenario(path)


def test_scenario_with_other_dose_levels_does_not_fit_the_protocol(
        protocol: Protocol, default_scenario: Scenario) -> None:
    scenario = with_changes(default_scenario, dlt_probability={"1": 0.1, "2": 0.2})
    with pytest.raises(InputError) as caught:
        check_scenario(protocol, scenario)
    assert caught.value.field == "dlt_probability"
    assert "one probability per dose level of the protocol (1, 2, 3)" in str(caught.value)


def test_not_registered_reason_must_be_an_eos_reason_code(
        protocol: Protocol, default_scenario: Scenario) -> None:
    scenario = with_changes(default_scenario, not_registered={"probability": 0.1, "reason": "bored"})
    with pytest.raises(InputError) as caught:
        check_scenario(protocol, scenario)
    assert caught.value.field == "not_registered.reason"
