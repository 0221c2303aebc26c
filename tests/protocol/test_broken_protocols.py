"""Each broken fixture is minimal.yaml with one defect; the loader must name it and point at it.

The expected line, column and path were read off the fixture files by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hipectrial.errors import ProtocolError
from hipectrial.protocol import load_protocol

FIXTURES = Path(__file__).parent / "fixtures"
BROKEN = FIXTURES / "broken"

# name -> (line, column, yaml path, key phrase of the message)
CASES = {
    "arithmetic-on-decimals": (68, 17, "variables[0].expression", "arithmetic on decimal values (anc, marker) is inexact"),
    "unknown-variable-in-eligibility": (156, 17, "eligibility[0].expression", "unknown variable 'agee'; known variables: age, anc"),
    "cel-syntax-error": (160, 17, "eligibility[1].expression", "CEL syntax error at 1:12 of 'pregnant &&'"),
    "misspelt-key": (164, 65, "visits[0].timing.window_afer", "unknown key"),
    "duplicate-field-id": (54, 13, "forms[1].fields[1].id", "duplicate field id 'anc' (also in form 'labs')"),
    "visit-requires-unknown-form": (165, 27, "visits[0].forms[1]", "unknown form 'labz'; known forms: demographics, labs"),
    "unknown-unit": (50, 15, "forms[1].fields[0].unit", "unknown unit '10e9/L'"),
    "dose-levels-not-increasing": (119, 34, "dose_finding.levels[1].doses.ip-drug", "strictly increasing: level 2 gives ip-drug 70 after level 1 gave 75"),
    "bsa-bands-gap": (80, 7, "agents[1].dose", "BSA bands 1 and 2 must meet: band 1 max_m2 1.5 != band 2 min_m2 1.55"),
    "window-spans-cycle": (168, 13, "visits[1].timing", "window -11/+11 days spans a whole 21-day cycle"),
    "duplicate-yaml-key": (10, 3, "study.version", "duplicate key 'version' (first at line 9)"),
    "yaml-syntax-error": (25, 1, "", "YAML syntax error: while parsing a flow mapping (started at line 24)"),
    "type-error-in-expression": (68, 17, "variables[0].expression", "cannot be evaluated with marker=0.0"),
    "unknown-code-in-show-if": (43, 18, "forms[0].fields[2].show_if", "'f' is not a code of sex; its codes: male, female"),
    "reduce-non-reducible-agent": (151, 19, "dose_modifications.rules[0].actions.antibody", "has no dose-reduction ladder"),
    "unknown-cohort-for-agent": (92, 15, "agents[2].cohorts[0]", "unknown cohort 'C'; known cohorts: A, B"),
    "simon-p1-not-above-p0": (195, 5, "statistics.primary", "p1 must exceed p0; got p0=0.2, p1=0.15"),
    "boin-phi-order": (122, 5, "dose_finding.design", "BOIN needs phi1 < target < phi2"),
    "unknown-function": (62, 21, "forms[1].checks[0].expression", "unknown function 'log'"),
    "non-boolean-criterion": (160, 17, "eligibility[1].expression", "must give true or false; gives int"),
    "unknown-start-level": (120, 16, "dose_finding.start_level", "unknown dose level '4'; levels: 1, 2"),
    "unit-does-not-match-basis": (93, 11, "agents[2].dose", "a per_weight dose is in mg/kg, not 'mg/m2'"),
    "hipec-temperature-implausible": (106, 5, "hipec.perfusion", "inflow_temperature_c must be in [39, 45] degC; got 53"),
}


def _problems(name: str) -> list:
    with pytest.raises(ProtocolError) as info:
        load_protocol(BROKEN / f"{name}.yaml")
    return list(info.value.problems)


def test_minimal_fixture_is_valid() -> None:
    protocol = load_protocol(FIXTURES / "minimal.yaml")
    assert protocol.study.id == "MINI-1"


def test_every_broken_fixture_has_a_case() -> None:
    on_disk = {p.stem for p in BROKEN.glob("*.yaml")}
    assert on_disk == set(CASES) | {"missing-section", "three-defects-at-once"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_protocol_is_located(name: str) -> None:
    line, column, path, phrase = CASES[name]
    problems = _problems(name)
    first = problems[0]
    assert first.file == f"{name}.yaml"
    assert (first.line, first.column, first.path) == (line, column, path)
    assert phrase in first.message
    text = str(first)
    assert text.startswith(f"{name}.yaml:{line}:{column} {path}: " if path else f"{name}.yaml:{line}:{column}: ")


def test_missing_section_reports_both_the_missing_and_the_misspelt_key() -> None:
    problems = _problems("missing-section")
    assert [(p.path, p.message.split(" (")[0]) for p in problems] == [
        ("statistics", "required key is missing"),
        ("statistic", "unknown key"),
    ]
    assert problems[1].line == 193


def test_three_defects_are_reported_at_once() -> None:
    problems = _problems("three-defects-at-once")
    assert sorted((p.line, p.path) for p in problems) == [
        (92, "agents[2].cohorts[0]"),
        (156, "eligibility[0].expression"),
        (165, "visits[0].forms[1]"),
    ]


def test_error_text_lists_every_problem_one_per_line() -> None:
    with pytest.raises(ProtocolError) as info:
        load_protocol(BROKEN / "three-defects-at-once.yaml")
    lines = str(info.value).splitlines()
    assert lines[0] == "3 problems in protocol:"
    assert lines[1].startswith("three-defects-at-once.yaml:92:15 agents[2].cohorts[0]: unknown cohort 'C'")


def test_missing_file_is_a_protocol_error_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError, match="cannot read file"):
        load_protocol(tmp_path / "nope.yaml")


def test_empty_file_is_reported(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(ProtocolError, match="the file is empty"):
        load_protocol(empty)


def test_a_list_instead_of_a_mapping_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "list.yaml"
    bad.write_text("- a\n- b\n")
    with pytest.raises(ProtocolError, match="must be a YAML mapping"):
        load_protocol(bad)
