"""Model rules and cross-checks not covered by a broken fixture file, on edited copies of
minimal.yaml, and the load -> dump -> load round trip."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from hipectrial.errors import ProtocolError
from hipectrial.protocol import dump_protocol, load_protocol, parse_protocol

MINIMAL = Path(__file__).parent / "fixtures" / "minimal.yaml"
BASE: dict[str, Any] = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))


def problems_after(edit: Callable[[dict[str, Any]], None]) -> list[tuple[str, str]]:
    data = copy.deepcopy(BASE)
    edit(data)
    with pytest.raises(ProtocolError) as info:
        parse_protocol(yaml.safe_dump(data, allow_unicode=True), "edited.yaml")
    return [(p.path, p.message) for p in info.value.problems]


def test_round_trip_of_minimal_protocol_is_equal() -> None:
    protocol = load_protocol(MINIMAL)
    assert parse_protocol(dump_protocol(protocol)) == protocol


def test_oids_derive_from_ids() -> None:
    protocol = load_protocol(MINIMAL)
    labs = protocol.form("labs")
    assert labs.resolved_oid == "F.LABS"
    assert labs.field_oid(labs.fields[0]) == "IT.LABS.ANC"
    assert protocol.codelist("sex").resolved_oid == "CL.SEX"
    assert protocol.visit("cycle-day-1").resolved_oid == "SE.CYCLE-DAY-1"


def test_agents_for_cohort_respects_cohort_lists() -> None:
    protocol = load_protocol(MINIMAL)
    assert [a.id for a in protocol.agents_for("A")] == ["ip-drug", "oral-drug"]
    assert [a.id for a in protocol.agents_for("B")] == ["ip-drug", "oral-drug", "antibody"]


def test_derived_variables_in_a_cycle_are_reported() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["variables"].append({"id": "x_flag", "label": {"en": "x", "zh": "x"}, "type": "boolean",
                               "expression": "y_flag"})
        d["variables"].append({"id": "y_flag", "label": {"en": "y", "zh": "y"}, "type": "boolean",
                               "expression": "x_flag"})

    found = problems_after(edit)
    assert ("variables[1].id", "derived variables depend on each other in a cycle: x_flag -> y_flag -> x_flag") in found


def test_derived_variable_needs_exactly_one_source() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["variables"][0]["derivation"] = "body_surface_area"

    found = problems_after(edit)
    assert found == [("variables[0]", "give exactly one of 'expression' and 'derivation'")]


def test_boin_max_n_must_match_cohorts() -> None:
    found = problems_after(lambda d: d["dose_finding"]["design"].update(max_n=13))
    assert found == [("dose_finding.design", "max_n (13) must equal cohort_size x max_cohorts (12)")]


def test_first_bsa_band_must_be_open_below() -> None:
    found = problems_after(lambda d: d["agents"][1]["dose"]["bands"][0].update(min_m2=0.5))
    assert found == [("agents[1].dose", "the first BSA band must have no lower bound (min_m2 omitted)")]


def test_reduction_ladder_must_decrease() -> None:
    found = problems_after(lambda d: d["agents"][1]["reduction"].update(ladder=[60, 50, 50, 25]))
    assert found == [("agents[1].reduction", "ladder must be strictly decreasing; 50 is followed by 50")]


def test_simon_enrolment_below_total_is_reported() -> None:
    found = problems_after(lambda d: d["statistics"]["primary"].update(enrol=40))
    assert found == [("statistics.primary", "enrol (40) is smaller than total.n (43)")]


def test_time_to_event_endpoint_needs_censoring() -> None:
    found = problems_after(lambda d: d["endpoints"][1].pop("censoring"))
    assert found == [("endpoints[1]", "a time_to_event endpoint gives 'origin' and 'censoring'")]


def test_show_if_may_not_refer_to_its_own_field() -> None:
    found = problems_after(lambda d: d["forms"][0]["fields"][2].update(show_if="!pregnant"))
    assert found == [("forms[0].fields[2].show_if", "show_if of field 'pregnant' refers to the field itself")]


def test_per_cycle_visit_names_no_cycle() -> None:
    found = problems_after(lambda d: d["visits"][1]["timing"].update(cycle=2))
    assert found == [("visits[1].timing.cycle", "a per-cycle visit gives no 'cycle': it occurs in each")]


def test_visit_cycle_beyond_phase_is_reported() -> None:
    found = problems_after(lambda d: d["visits"][2]["timing"].update(cycle=4))
    assert found == [("visits[2].timing.cycle", "cycle 4 is beyond the phase's 3 cycles")]


def test_repeat_window_as_long_as_interval_is_reported() -> None:
    found = problems_after(lambda d: d["visits"][2]["timing"].update(window_before=21, window_after=21))
    assert found == [("visits[2].timing", "window -21/+21 days is as long as the 42-day repeat interval; windows would overlap")]


def test_negative_window_is_refused() -> None:
    found = problems_after(lambda d: d["visits"][0]["timing"].update(window_before=-1))
    assert found == [("visits[0].timing.window_before", "Input should be greater than or equal to 0; got -1")]


def test_reduction_beyond_allowed_levels_is_reported() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["dose_modifications"]["rules"][0]["actions"]["oral-drug"]["levels"] = 3

    found = problems_after(edit)
    assert found == [("dose_modifications.rules[0].actions.oral-drug.levels", "reduces 3 levels; 'oral-drug' allows at most 2")]


def test_agent_given_in_cycles_needs_a_schedule() -> None:
    found = problems_after(lambda d: d["agents"][1].pop("schedule"))
    assert found == [("phases[0].agents[0]", "agent 'oral-drug' is given in cycles but has no 'schedule'")]


def test_agent_day_beyond_cycle_is_reported() -> None:
    found = problems_after(lambda d: d["agents"][1]["schedule"].update(days=[1, 22]))
    assert found == [("phases[0].agents[0]", "agent 'oral-drug' is given on day 22, after the end of this phase's 21-day cycle")]


def test_every_cohort_receives_an_agent() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["cohorts"].append({"id": "C", "label": {"en": "C", "zh": "C"}, "rule": "false"})
        for agent in d["agents"]:
            agent["cohorts"] = ["A", "B"]

    found = problems_after(edit)
    assert found == [("cohorts[2].id", "cohort 'C' receives no agent")]


def test_label_needs_both_languages() -> None:
    found = problems_after(lambda d: d["cohorts"][0]["label"].pop("zh"))
    assert found == [("cohorts[0].label.zh", "required key is missing")]


def test_choice_field_needs_a_codelist() -> None:
    found = problems_after(lambda d: d["forms"][0]["fields"][0].pop("codelist"))
    assert found == [("forms[0].fields[0]", "a choice field needs a codelist")]


def test_min_above_max_is_refused() -> None:
    found = problems_after(lambda d: d["forms"][0]["fields"][1].update(min=130))
    assert found == [("forms[0].fields[1]", "min (130) is greater than max (120)")]


def test_rule_written_as_yaml_boolean_is_refused() -> None:
    found = problems_after(lambda d: d["cohorts"][0].update(rule=True))
    assert found == [("cohorts[0].rule", "must be a CEL expression written as text; got True")]


def test_cycle_day_zero_does_not_exist() -> None:
    found = problems_after(lambda d: d["visits"][1]["timing"].update(day=0))
    assert found == [("visits[1].timing", "cycle days count from 1 (day 1 is the cycle start; the day before is day -1); there is no day 0")]


def test_lab_condition_names_a_variable_its_expression_uses() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["dose_modifications"]["rules"][0]["when"] = {"expression": "anc < 1.0", "lab": "marker"}

    found = problems_after(edit)
    assert found == [("dose_modifications.rules[0].when.lab", "names lab 'marker', which its expression does not use")]


def test_records_event_needs_a_dated_event_and_no_repeat() -> None:
    found = problems_after(lambda d: d["visits"][2].update(records_event="surgery"))
    assert found == [("visits[2]", "records_event names a dated event (registration, hipec, surgery, end_of_treatment, last_dose) of a visit that does not repeat")]


def test_ends_at_names_progression_and_loads() -> None:
    data = copy.deepcopy(BASE)
    data["visits"][2]["ends_at"] = ["progression"]
    protocol = parse_protocol(yaml.safe_dump(data, allow_unicode=True), "edited.yaml")
    assert [e.value for e in protocol.visit("tumour-assessment").ends_at] == ["progression"]
    assert protocol.visit("screening").ends_at == []
    assert parse_protocol(dump_protocol(protocol), "again.yaml") == protocol


@pytest.mark.parametrize("end", ["death", "off_study"])
def test_ends_at_does_not_list_what_ends_every_visit(end: str) -> None:
    found = problems_after(lambda d: d["visits"][2].update(ends_at=[end]))
    assert found == [("visits[2]", f"ends_at: {end} ends every visit and is not listed; "
                                   "ends_at names the further events: progression")]


def test_ends_at_names_each_event_once() -> None:
    found = problems_after(lambda d: d["visits"][2].update(ends_at=["progression", "progression"]))
    assert found == [("visits[2]", "ends_at names each event once")]


def test_ends_at_is_a_known_event() -> None:
    found = problems_after(lambda d: d["visits"][2].update(ends_at=["surgery"]))
    assert [path for path, _ in found] == ["visits[2].ends_at[0]"]
    assert "'death', 'off_study' or 'progression'" in found[0][1]


def test_an_event_visit_has_no_schedule_to_end() -> None:
    found = problems_after(lambda d: d["visits"][0].update(timing={"anchor": "event", "day": 0},
                                                           ends_at=["progression"]))
    assert found == [("visits[0]", "an event visit (anchor: event) has no schedule to end: omit ends_at")]
