"""Exposure: reduction events, doses at a reduced level, dose intensity per unit time, relative
total dose and doses reduced without a reason, against hand-worked examples.

Seed protocol: oxaliplatin and S-1 reducible (at most 2 reductions), tislelizumab, trastuzumab
and HIPEC paclitaxel not; 21-day cycles in every phase; delay = more than 21 + 3 days between
two records of a phase (per-cycle visit window +3).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from hipectrial.analysis.exposure import (
    HIPEC_NOT_APPLICABLE,
    AgentExposure,
    ReducedDoseKind,
    exposure,
    reductions_without_reason,
)
from hipectrial.analysis.facts import collect_facts
from hipectrial.analysis.trial_analysis import analyze_trial
from hipectrial.data import DoseAdministration, TrialData
from hipectrial.protocol import Protocol
from hipectrial.protocol.endpoints import Population
from hipectrial.simulate.scenario.world import load_scenario
from hipectrial.simulate.trial.run import simulate_trial

from .builders import TrialBuilder, day

BELOW, NEW_LEVEL = ReducedDoseKind.BELOW_PRESCRIBED, ReducedDoseKind.NEW_LOWER_LEVEL


def _all(protocol: Protocol, t: TrialBuilder) -> dict[str, AgentExposure]:
    trial = t.build()
    safety = [p.id for p in trial.participants]
    return {a.agent: a for a in exposure(protocol, safety, collect_facts(trial=trial, protocol=protocol))}


def _agent(protocol: Protocol, t: TrialBuilder, agent: str) -> AgentExposure:
    return _all(protocol, t)[agent]


def test_reduced_once_then_stable_is_one_event_and_two_doses_at_a_reduced_level(protocol: Protocol) -> None:
    t = TrialBuilder()
    p = t.participant(1).hipec()
    p.dose("oxaliplatin", 23, cycle=1, given="220", prescribed="220")
    p.dose("oxaliplatin", 44, cycle=2, given="170", prescribed="170", reason="reduced one level")
    p.dose("oxaliplatin", 65, cycle=3, given="170", prescribed="170")
    ox = _agent(protocol, t, "oxaliplatin")
    (row,) = ox.participants
    # 170 <= 0.9 x 220 = 198: C2 is a step down; C3 170 > 0.9 x 170 = 153: same level, no step.
    # Doses at a reduced level (<= 198, the starting dose 220 x 0.9): C2 and C3.
    assert (row.starting_dose, row.reduction_events, row.doses_at_reduced_level) == (Decimal(220), 1, 2)
    assert (ox.participants_with_reduction, ox.reduction_events) == (1, 1)
    assert (ox.participants_with_dose_at_reduced_level, ox.doses_at_reduced_level) == (1, 2)
    # C2 has a reason; C3 is not a step down and is given as prescribed: no deviation.
    assert ox.reductions_without_reason == ()
    # On time (days 23, 44, 65): T = 65 - 23 + 21 = 63 days = S = 3 x 21. G = 220 + 170 + 170 = 560,
    # P = 3 x 220 = 660. RDI = (560 / 63) / (660 / 63) = 560 / 660 = relative total dose.
    assert (row.days_on_treatment, row.planned_days) == (63, 63)
    assert row.relative_total_dose == pytest.approx(560 / 660)
    assert row.relative_dose_intensity == pytest.approx(560 / 660)


def test_reduced_twice_and_three_times_against_the_limit_of_two(protocol: Protocol) -> None:
    t = TrialBuilder()
    twice = t.participant(1).hipec()
    thrice = t.participant(2).hipec()
    for p in (twice, thrice):
        p.dose("oxaliplatin", 23, cycle=1, given="220", prescribed="220")
        p.dose("oxaliplatin", 44, cycle=2, given="170", prescribed="170", reason="-1 level")
        p.dose("oxaliplatin", 65, cycle=3, given="145", prescribed="145", reason="-1 level")
    thrice.dose("oxaliplatin", 86, cycle=4, phase="continuation", given="120", prescribed="120", reason="again")
    ox = _agent(protocol, t, "oxaliplatin")
    # 170 <= 198 (0.9 x 220); 145 <= 153 (0.9 x 170); 120 <= 130.5 (0.9 x 145).
    assert [r.reduction_events for r in ox.participants] == [2, 3]
    # At a reduced level (<= 198): 170, 145 for the first; 170, 145, 120 for the second.
    assert [r.doses_at_reduced_level for r in ox.participants] == [2, 3]
    assert (ox.participants_with_reduction, ox.reduction_events) == (2, 5)
    # The protocol allows 2 reductions of oxaliplatin (reduction.max_reductions).
    assert (ox.max_reductions, ox.beyond_max_reductions) == (2, ("SH01-002",))


def test_partial_dose_with_and_without_a_reason(protocol: Protocol) -> None:
    t = TrialBuilder()
    with_reason = t.participant(1).hipec()
    with_reason.dose("oxaliplatin", 23, cycle=1, given="220", prescribed="220")
    with_reason.dose("oxaliplatin", 44, cycle=2, given="150", prescribed="220", reason="infusion reaction")
    with_reason.dose("oxaliplatin", 65, cycle=3, given="220", prescribed="220")
    without = t.participant(2).hipec()
    without.dose("oxaliplatin", 23, cycle=1, given="220", prescribed="220")
    without.dose("oxaliplatin", 44, cycle=2, given="150", prescribed="220")
    without.dose("oxaliplatin", 65, cycle=3, given="220", prescribed="220")
    without.dose("tislelizumab", 23, cycle=1, given="100", prescribed="200")
    agents = _all(protocol, t)
    ox, tis = agents["oxaliplatin"], agents["tislelizumab"]
    # 150 <= 198 (0.9 x 220, both the prescribed and the previous dose): a step down; back to 220
    # is not one. One event and one dose at a reduced level each.
    assert [(r.reduction_events, r.doses_at_reduced_level) for r in ox.participants] == [(1, 1), (1, 1)]
    # Only the one without a reason is a deviation: below its prescribed dose and a new lower level.
    (row,) = ox.reductions_without_reason
    assert (row.participant_id, row.date, row.phase, row.cycle) == ("SH01-002", day(44), "induction", 2)
    assert (row.prescribed, row.given, row.previous_given, row.unit) == (Decimal(220), Decimal(150),
                                                                          Decimal(220), "mg")
    assert row.kinds == (BELOW, NEW_LEVEL)
    # Tislelizumab is not reducible: no reduction event, but 100 <= 0.9 x 200 given with no reason
    # is a deviation (below prescribed only).
    assert (tis.reducible, tis.reduction_events, tis.doses_at_reduced_level) == (False, 0, 0)
    (tis_row,) = tis.reductions_without_reason
    assert (tis_row.given, tis_row.previous_given, tis_row.kinds) == (Decimal(100), None, (BELOW,))
    # The listing over all agents: by participant, then date, then agent in protocol order
    # (oxaliplatin before tislelizumab).
    listing = reductions_without_reason(tuple(agents.values()))
    assert [(r.participant_id, r.agent, r.date) for r in listing] == [
        ("SH01-002", "tislelizumab", day(23)), ("SH01-002", "oxaliplatin", day(44))]


def test_exactly_90_percent_counts_and_90_point_1_does_not(protocol: Protocol) -> None:
    t = TrialBuilder()
    at = t.participant(1).hipec()
    at.dose("oxaliplatin", 23, cycle=1, given="200", prescribed="200")
    at.dose("oxaliplatin", 44, cycle=2, given="180", prescribed="180")         # 180 / 200 = 90 %
    at.dose("tislelizumab", 23, cycle=1, given="180", prescribed="200")        # 90 % of prescribed
    above = t.participant(2).hipec()
    above.dose("oxaliplatin", 23, cycle=1, given="200", prescribed="200")
    above.dose("oxaliplatin", 44, cycle=2, given="180.2", prescribed="180.2")  # 180.2 / 200 = 90.1 %
    above.dose("tislelizumab", 23, cycle=1, given="180.2", prescribed="200")   # 90.1 % of prescribed
    agents = _all(protocol, t)
    ox, tis = agents["oxaliplatin"], agents["tislelizumab"]
    assert [(r.reduction_events, r.doses_at_reduced_level) for r in ox.participants] == [(1, 1), (0, 0)]
    assert [(r.participant_id, r.kinds) for r in ox.reductions_without_reason] == [("SH01-001", (NEW_LEVEL,))]
    assert [(r.participant_id, r.kinds) for r in tis.reductions_without_reason] == [("SH01-001", (BELOW,))]


def test_a_delay_of_one_week_lowers_the_dose_intensity_not_the_total_dose(protocol: Protocol) -> None:
    t = TrialBuilder()
    p = t.participant(1).hipec()
    p.dose("oxaliplatin", 21, cycle=1, given="200", prescribed="200")
    p.dose("oxaliplatin", 49, cycle=2, given="200", prescribed="200")   # due day 42: 7 days late
    p.dose("oxaliplatin", 70, cycle=3, given="200", prescribed="200")
    ox = _agent(protocol, t, "oxaliplatin")
    (row,) = ox.participants
    # T = 70 - 21 + 21 = 70 days; S = 3 x 21 = 63 days.
    # RDI = (3 x 200 mg / 70 days) / (200 mg / 21 days) = 8.571 / 9.524 = 0.9 (= 63 / 70).
    assert (row.days_on_treatment, row.planned_days) == (70, 63)
    assert row.actual_dose_per_week == pytest.approx(600 / 70 * 7)    # 60 mg/week
    assert row.planned_dose_per_week == pytest.approx(200 / 21 * 7)   # 66.67 mg/week
    assert row.relative_dose_intensity == pytest.approx(0.9)
    assert row.relative_total_dose == pytest.approx(1.0)               # 600 / (3 x 200)
    # 49 - 21 = 28 days > 21 + 3: one delay; 70 - 49 = 21: on time.
    assert (row.delays, ox.participants_with_delay, ox.delays) == (1, 1, 1)
    assert ox.relative_dose_intensity is not None
    assert ox.relative_dose_intensity.median == pytest.approx(0.9)
    assert ox.dose_intensity_not_applicable is None


def test_a_withheld_dose_lowers_both(protocol: Protocol) -> None:
    t = TrialBuilder()
    p = t.participant(1).hipec()
    p.dose("oxaliplatin", 21, cycle=1, given="200", prescribed="200")
    p.dose("oxaliplatin", 42, cycle=2, given="0", prescribed="200", reason="withheld: neutropenia")
    p.dose("oxaliplatin", 63, cycle=3, given="200", prescribed="200")
    ox = _agent(protocol, t, "oxaliplatin")
    (row,) = ox.participants
    # G = 400, P = 3 x 200 = 600 (the withheld cycle was started); T = 63 - 21 + 21 = 63 = S.
    # RDI = (400 / 63) / (200 / 21) = 0.667; relative total dose 400 / 600 = 0.667.
    assert (row.cycles, row.cycles_started, row.given_total, row.planned_total) == (2, 3, Decimal(400),
                                                                                    Decimal(600))
    assert row.relative_dose_intensity == pytest.approx(2 / 3)
    assert row.relative_total_dose == pytest.approx(2 / 3)
    # A withheld dose is neither a reduction nor a deviation.
    assert (row.reduction_events, row.doses_at_reduced_level, ox.reductions_without_reason) == (0, 0, ())


def test_two_phases_with_a_surgery_gap_do_not_count_the_gap(protocol: Protocol) -> None:
    t = TrialBuilder()
    p = t.participant(1).hipec()
    for n, at in enumerate((21, 42, 63), start=1):
        p.dose("oxaliplatin", at, cycle=n, given="200", prescribed="200")
    p.surgery(98)
    for n, at in enumerate((140, 168), start=1):    # adjuvant C2 due day 161: 7 days late
        p.dose("oxaliplatin", at, phase="adjuvant", cycle=n, given="200", prescribed="200")
    (row,) = _agent(protocol, t, "oxaliplatin").participants
    # Induction: 63 - 21 + 21 = 63 days; adjuvant: 168 - 140 + 21 = 49 days; T = 112 (not
    # 168 - 21 + 21 = 168 with the gap). S = 5 x 21 = 105. RDI = (1000 / 112) / (200 / 21) = 105 / 112.
    assert (row.days_on_treatment, row.planned_days) == (112, 105)
    assert row.relative_dose_intensity == pytest.approx(105 / 112)
    assert row.relative_total_dose == pytest.approx(1.0)
    assert row.delays == 1  # the surgery gap is between phases: not a delay


def test_trastuzumab_loading_dose_is_planned_not_a_reduction(protocol: Protocol) -> None:
    t = TrialBuilder()
    on_time = t.participant(1, cohort="HER2-positive").hipec()
    late = t.participant(2, cohort="HER2-positive").hipec()
    # 60 kg: 8 mg/kg = 480 mg at C1, then 6 mg/kg = 360 mg.
    for p, c3 in ((on_time, 63), (late, 70)):
        p.dose("trastuzumab", 21, cycle=1, given="480", prescribed="480")
        p.dose("trastuzumab", 42, cycle=2, given="360", prescribed="360")
        p.dose("trastuzumab", c3, cycle=3, given="360", prescribed="360")
    tra = _agent(protocol, t, "trastuzumab")
    # Not reducible: 360 <= 0.9 x 480 = 432 is no reduction. Planned = each dose's own prescription:
    # P = 480 + 360 + 360 = 1200 = G.
    assert (tra.reducible, tra.reduction_events, tra.doses_at_reduced_level) == (False, 0, 0)
    assert tra.max_reductions is None
    assert tra.reductions_without_reason == ()
    assert [r.relative_total_dose for r in tra.participants] == [pytest.approx(1.0)] * 2
    # On time: T = 63 - 21 + 21 = 63 = S -> RDI 1. C3 a week late: T = 70, RDI = (1200 / 70) / (1200 / 63)
    # = 63 / 70 = 0.9.
    assert [r.relative_dose_intensity for r in tra.participants] == [pytest.approx(1.0), pytest.approx(0.9)]


def test_hipec_has_no_dose_intensity_and_a_relative_total_dose(protocol: Protocol) -> None:
    t = TrialBuilder()
    p = t.participant(1).hipec(2, given="200", prescribed="200").surgery(110)
    t.doses.append(DoseAdministration(p.id, "hipec-paclitaxel", day(110), Decimal(200), Decimal(150), "mg"))
    hip = _agent(protocol, t, "hipec-paclitaxel")
    (row,) = hip.participants
    # Two sessions; relative total dose (200 + 150) / (200 + 200) = 0.875.
    assert (row.cycles, row.relative_total_dose) == (2, pytest.approx(0.875))
    assert (row.days_on_treatment, row.relative_dose_intensity, hip.relative_dose_intensity) == (None, None, None)
    assert hip.dose_intensity_not_applicable == HIPEC_NOT_APPLICABLE
    # 150 <= 0.9 x 200 = 180 with no reason: a deviation (below prescribed), not a reduction event.
    assert hip.reduction_events == 0
    assert [(r.date, r.kinds) for r in hip.reductions_without_reason] == [(day(110), (BELOW,))]


def test_first_dose_given_below_the_starting_dose_is_a_step_down(protocol: Protocol) -> None:
    t = TrialBuilder()
    p = t.participant(1).hipec()
    p.dose("oxaliplatin", 21, cycle=1, given="0", prescribed="220", reason="withheld")
    p.dose("oxaliplatin", 42, cycle=2, given="170", prescribed="170")
    ox = _agent(protocol, t, "oxaliplatin")
    (row,) = ox.participants
    # Starting dose 220 (the first record's prescription); 170 <= 198: a step down, no reason.
    assert (row.starting_dose, row.reduction_events, row.doses_at_reduced_level) == (Decimal(220), 1, 1)
    (dev,) = ox.reductions_without_reason
    assert (dev.previous_given, dev.kinds) == (None, (NEW_LEVEL,))
    # T = 42 - 21 + 21 = 42 = S; RDI = 170 / (2 x 220) = 0.386.
    assert row.relative_dose_intensity == pytest.approx(170 / 440)


def test_a_record_of_an_agent_no_longer_prescribed_is_not_a_cycle_started(protocol: Protocol) -> None:
    t = TrialBuilder()
    p = t.participant(1).hipec()
    p.dose("s-1", 21, cycle=1, given="60", prescribed="60")
    p.dose("s-1", 42, cycle=2, given="60", prescribed="60")
    p.dose("s-1", 63, cycle=3, given="0", prescribed=None, reason="discontinued (diarrhoea)")
    s1 = _agent(protocol, t, "s-1")
    (row,) = s1.participants
    # Cycles started: C1, C2. T = 42 - 21 + 21 = 42 = S; RDI = 1.
    assert (row.cycles_started, row.days_on_treatment, row.relative_dose_intensity) == (2, 42, pytest.approx(1.0))
    assert [n.participant_id for n in s1.notes] == ["SH01-001"]
    assert s1.notes[0].note == ("S-1: 1 record with neither a prescribed nor a given dose (agent not prescribed) "
                                "not counted as cycles started")


def test_the_former_worked_example_reduced_then_withheld_late(protocol: Protocol) -> None:
    """The example test_conduct.py had: reduced C2, C3 withheld 26 days after C2."""
    t = TrialBuilder()
    p = t.participant(1).hipec()
    p.dose("oxaliplatin", 23, cycle=1, given="220", prescribed="220")
    p.dose("oxaliplatin", 44, cycle=2, given="170", prescribed="170", reason="reduced one level")
    p.dose("oxaliplatin", 70, cycle=3, given="0", prescribed="170", reason="withheld")
    a = analyze_trial(trial=t.build(), protocol=protocol)
    ox = next(e for e in a.exposure if e.agent == "oxaliplatin")
    (row,) = ox.participants
    # Relative total dose = (220 + 170 + 0) / (3 x 220) = 390 / 660 = 0.5909.
    assert row.relative_total_dose == pytest.approx(390 / 660)
    # T = 70 - 23 + 21 = 68, S = 63: RDI = (390 / 68) / (220 / 21) = 8190 / 14960 = 0.5475.
    assert row.relative_dose_intensity == pytest.approx(390 * 21 / (68 * 220))
    # 2 cycles given; C3 came 26 days after C2 (> 21 + 3): 1 delay.
    assert (row.cycles, row.reduction_events, row.delays) == (2, 1, 1)
    assert (ox.treated, ox.participants_with_reduction) == (1, 1)


@pytest.fixture(scope="module")
def seed1(protocol: Protocol) -> TrialData:
    return simulate_trial(protocol, load_scenario("default"), 1).trial


def test_seed1_reduction_counts_recomputed_from_the_dose_records(protocol: Protocol, seed1: TrialData) -> None:
    a = analyze_trial(trial=seed1, protocol=protocol)
    safety = set(a.populations[Population.SAFETY])
    reducible = {ag.id for ag in protocol.agents if ag.reducible}
    by: dict[tuple[str, str], list[DoseAdministration]] = defaultdict(list)
    for d in seed1.doses:
        if d.participant_id in safety:
            by[(d.agent, d.participant_id)].append(d)
    events: dict[str, dict[str, int]] = defaultdict(dict)
    for (agent, pid), doses in by.items():
        doses.sort(key=lambda d: d.date)
        level = next((d.prescribed for d in doses if d.prescribed is not None), None)
        n = 0
        for d in doses:
            if d.given > 0:
                if agent in reducible and level is not None and d.given * 10 <= level * 9:
                    n += 1
                level = d.given
        events[agent][pid] = n
    for e in a.exposure:
        counts = events[e.agent].values()
        assert (e.participants_with_reduction, e.reduction_events) == (sum(1 for n in counts if n),
                                                                        sum(counts)), e.agent
    # Reductions happen in the seed-1 trial, and nobody exceeds the protocol's two per agent.
    assert {e.agent: e.participants_with_reduction > 0 for e in a.exposure} == {
        "hipec-paclitaxel": False, "oxaliplatin": True, "s-1": True, "tislelizumab": False, "trastuzumab": False}
    assert all(max(events[ag].values(), default=0) <= 2 for ag in reducible)
