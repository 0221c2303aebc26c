"""The design decisions as the DSMB sees them: the Simon stage-1 look (who is counted, the
count, the decision and its date), when an R0 outcome became known, and the BOIN cohort
history; each against hand-worked cases and against the simulator's own record of the
decisions it took (an independent implementation: ``SimulatedTrial.simon``/``.cohorts`` and
each course's ``r0``/``r0_known_on`` and ``dlt``/``dlt_known_on``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from hipectrial.analysis.facts import Facts, collect_facts
from hipectrial.analysis.interim import (
    BoinCohort,
    DoseFindingStatus,
    SimonStage1,
    boin_cohorts,
    dose_finding_status,
    registration_order,
    simon_stage1,
)
from hipectrial.analysis.populations import Populations, build_populations
from hipectrial.analysis.surgical import outcome_known
from hipectrial.analysis.trial_analysis import analyze_trial
from hipectrial.data import ResidualTumour
from hipectrial.protocol import Protocol
from hipectrial.protocol.endpoints import Population
from hipectrial.simulate import SimulatedTrial, load_scenario, simulate_trial
from hipectrial.simulate.course.run import Course, simulate_course

from .builders import ParticipantBuilder, TrialBuilder, day

# -- the Simon stage-1 look (protocol statistics.primary: n1 = 13, r1 = 3) --------------------


def _operated(t: TrialBuilder, k: int, *, r0: bool, registered: int | None = None) -> ParticipantBuilder:
    """Participant k registered on day k (unless given), HIPEC two days later, conversion
    surgery on day k + 110, R0 or R1."""
    reg = k if registered is None else registered
    p = t.participant(k, registered=reg).hipec(reg + 2)
    return p.surgery(k + 110, r=ResidualTumour.R0 if r0 else ResidualTumour.R1)


def _part_b(r0: int, n: int = 13) -> TrialBuilder:
    """n participants operated, R0 for the first ``r0``."""
    t = TrialBuilder()
    for k in range(1, n + 1):
        _operated(t, k, r0=k <= r0)
    return t


def _ids(*numbers: int) -> tuple[str, ...]:
    return tuple(f"SH01-{n:03d}" for n in numbers)


@pytest.mark.parametrize(("r0", "decision"), [(3, "stop for futility"), (4, "continue stage 2")])
def test_stage1_stops_at_r1_r0_and_continues_at_r1_plus_1(protocol: Protocol, r0: int, decision: str) -> None:
    # Simon optimal 3/13 (PD §Study): stop when R0 <= 3 among the first 13, continue when > 3.
    look = analyze_trial(trial=_part_b(r0).build(), protocol=protocol).simon
    assert look.participant_ids == _ids(*range(1, 14))
    assert (look.responses, look.r0_ids, look.decision) == (r0, _ids(*range(1, r0 + 1)), decision)
    assert (look.missing, look.pending_ids, look.more_needed) == (0, (), 0)
    # The last outcome known: participant 13's surgery on day 13 + 110.
    assert (look.look_date, look.last_ids) == (day(123), _ids(13))
    assert look.made


def test_stage1_is_not_yet_while_one_outcome_is_pending(protocol: Protocol) -> None:
    t = _part_b(4, n=12)
    t.participant(13, registered=13).hipec(15)  # HIPEC given, nothing since: outcome open
    look = analyze_trial(trial=t.build(), protocol=protocol).simon
    assert (look.decision, look.missing, look.pending_ids, look.look_date) == ("not yet", 1, _ids(13), None)
    assert look.responses == 4
    assert not look.made
    assert look.reasons[0] == "1 of the 13 stage-1 outcomes missing: 1 not yet known (SH01-013)"
    # 4 R0 > r1 = 3 already: stage 2 follows whatever participant 13's outcome is.
    assert "continuing to stage 2 is certain" in look.reasons[1]


def test_stage1_says_when_futility_is_already_certain(protocol: Protocol) -> None:
    t = _part_b(2, n=12)
    t.participant(13, registered=13).hipec(15)
    look = analyze_trial(trial=t.build(), protocol=protocol).simon
    # 2 R0 + 1 open outcome = 3 <= r1: futility whatever happens.
    assert look.decision == "not yet"
    assert "stage 1 ends with 3 <= r1 = 3: futility is certain" in look.reasons[1]


def test_stage1_says_how_many_are_not_yet_registered(protocol: Protocol) -> None:
    look = analyze_trial(trial=_part_b(2, n=5).build(), protocol=protocol).simon
    assert (look.decision, look.more_needed, look.missing, len(look.participant_ids)) == ("not yet", 8, 8, 5)


def test_look_date_is_the_day_the_last_outcome_became_known(protocol: Protocol) -> None:
    t = TrialBuilder()
    for k in range(1, 14):
        if k == 5:
            # Not operated: re-evaluated on day 130, the MDT decides on day 136 to continue
            # systemic therapy -> known on day 136 (the MDT's date, not the re-evaluation's).
            t.participant(k, registered=k).hipec(k + 2).reevaluation(130, decision="continue_systemic", mdt=136)
        else:
            _operated(t, k, r0=k <= 4)
    look = analyze_trial(trial=t.build(), protocol=protocol).simon
    # Surgeries end on day 13 + 110 = 123 < 136.
    assert (look.look_date, look.last_ids) == (day(136), _ids(5))
    assert (look.responses, look.decision) == (4, "continue stage 2")


def test_the_14th_participants_r0_is_not_counted_in_stage_1(protocol: Protocol) -> None:
    t = _part_b(3)
    _operated(t, 14, r0=True)  # registered on day 14, R0 on day 124
    look = analyze_trial(trial=t.build(), protocol=protocol).simon
    assert "SH01-014" not in look.participant_ids
    # 3 R0 among the first 13 (not 4): stop; the look is on day 123, not 124.
    assert (look.responses, look.decision, look.look_date) == (3, "stop for futility", day(123))


def test_stage1_is_the_first_13_itt_in_registration_order_ties_by_id(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1, registered=1)  # registered, never given HIPEC: not ITT, not counted
    for k in range(2, 14):
        _operated(t, k, r0=False)
    _operated(t, 14, r0=True, registered=2)  # registered on day 2 like participant 2: after it by id
    look = analyze_trial(trial=t.build(), protocol=protocol).simon
    assert look.participant_ids == _ids(2, 14, *range(3, 14))
    assert (look.responses, look.r0_ids) == (1, _ids(14))


# -- when an R0 outcome became known (analysis.surgical.outcome_known) ------------------------


def _facts(protocol: Protocol, build: Callable[[ParticipantBuilder], object]) -> Facts:
    t = TrialBuilder()
    build(t.participant(1).hipec(2))
    return collect_facts(trial=t.build(), protocol=protocol)["SH01-001"]


@pytest.mark.parametrize(("build", "on", "by"), [
    (lambda p: p.surgery(110), 110, "conversion surgery"),
    # The MDT's date when recorded, else the re-evaluation's.
    (lambda p: p.reevaluation(100, decision="continue_systemic", mdt=105), 105, "MDT decision continue_systemic"),
    (lambda p: p.reevaluation(100, decision="stop_treatment"), 100, "MDT decision stop_treatment"),
    (lambda p: p.alive(95, progression=90), 90, "progression"),
    (lambda p: p.died(80), 80, "death"),
    # Off treatment: the end-of-treatment record's date (day 75), not the last dose (day 60),
    # which comes before anyone knew treatment had ended.
    (lambda p: p.off_treatment(60, eot=75), 75, "off treatment"),
    (lambda p: p.off_study(70), 70, "off study"),
    (lambda p: p.dose("oxaliplatin", 110, phase="continuation"), 110, "first dose in a not-operated phase"),
    # Several: the earliest.
    (lambda p: p.died(80).alive(79, progression=77).off_study(80, reason="death"), 77, "progression"),
])
def test_outcome_known_on(protocol: Protocol, build: Callable[[ParticipantBuilder], object], on: int,
                          by: str) -> None:
    known = outcome_known(_facts(protocol, build))
    assert known is not None
    assert (known.on, known.by) == (day(on), by)


def test_off_treatment_without_an_end_of_treatment_record_falls_back_to_the_last_dose(protocol: Protocol) -> None:
    known = outcome_known(_facts(protocol, lambda p: p.off_treatment(60, eot=None)))
    assert known is not None
    assert known.on == day(60)
    assert "no end-of-treatment date recorded" in known.by


@pytest.mark.parametrize("build", [
    lambda p: p,                                                          # HIPEC only
    lambda p: p.cycle(21).cycle(42, 2),                                   # induction going on
    lambda p: p.reevaluation(100, decision="conversion_surgery", mdt=104),  # surgery decided, not done
])
def test_outcome_still_open(protocol: Protocol, build: Callable[[ParticipantBuilder], object]) -> None:
    assert outcome_known(_facts(protocol, build)) is None


# -- BOIN cohorts (protocol dose_finding: cohorts of 3, target 0.30) ---------------------------
# BOIN boundaries, target 0.30, phi1 0.18, phi2 0.42 (R BOIN get.boundary; boin_design doctest:
# lambda_e 0.2365, lambda_d 0.3585): with 3 treated escalate at 0 DLT, de-escalate at >= 2; with
# 6 escalate at <= 1, de-escalate at >= 3; with 8 de-escalate at >= 3; with 9 escalate at <= 2.


def _part_a(t: TrialBuilder, n: int, level: str, reg: int, *, dlt: bool = False,
            died: int | None = None) -> None:
    """Registered on day ``reg``, HIPEC 2 days later, induction cycle 1 on day reg + 21 (so
    cycle 1 day 21, the DLT window's end, is day reg + 41), followed to day reg + 45; a DLT
    on day reg + 30; or, with ``died``, dead on that day without a DLT (not evaluable)."""
    p = t.participant(n, part="part_a", dose_level=level, registered=reg).hipec(reg + 2).cycle(reg + 21)
    if died is not None:
        p.died(died)
        return
    p.alive(reg + 45)
    if dlt:
        p.ae("Febrile neutropenia", 3, reg + 30, dlt=True)


def _cohort(t: TrialBuilder, first: int, level: str, start: int, dlts: int = 0) -> None:
    for i in range(3):
        _part_a(t, first + i, level, start + i, dlt=i < dlts)


def test_cohorts_of_three_at_changing_levels(protocol: Protocol) -> None:
    t = TrialBuilder()
    _cohort(t, 1, "1", 0)             # 0/3 at level 1
    _cohort(t, 4, "2", 60, dlts=2)    # 2/3 at level 2
    _cohort(t, 7, "1", 120)           # 0/3 at level 1 again
    a = analyze_trial(trial=t.build(), protocol=protocol)
    c1, c2, c3 = a.boin_cohorts
    assert [(c.number, c.dose_level, c.participant_ids) for c in a.boin_cohorts] == [
        (1, "1", _ids(1, 2, 3)), (2, "2", _ids(4, 5, 6)), (3, "1", _ids(7, 8, 9))]
    # Cohort 1: windows end on days 41, 42, 43 -> known on day 43; 0/3 -> escalate to 2.
    assert (c1.evaluable, c1.dlts, c1.n, c1.dlt, c1.known_on) == (3, 0, (3, 0, 0), (0, 0, 0), day(43))
    assert (c1.action, c1.next_level, c1.selected_level) == ("escalate", "2", None)
    # Cohort 2: DLTs on days 90 and 91, participant 6's window ends on day 62 + 41 = 103;
    # 2/3 -> de-escalate to 1 (level 2 not eliminated: 1 - pbeta(0.3, 3, 2) = 0.9163 < 0.95).
    assert (c2.evaluable, c2.dlts, c2.n, c2.dlt, c2.known_on) == (3, 2, (3, 3, 0), (0, 2, 0), day(103))
    assert [o.on for o in c2.outcomes] == [day(90), day(91), day(103)]
    assert (c2.action, c2.next_level, c2.eliminated) == ("de-escalate", "1", ())
    # Cohort 3: level 1 now 0/6 -> escalate to 2 again.
    assert (c3.n, c3.dlt, c3.known_on, c3.action, c3.next_level) == ((6, 3, 0), (0, 2, 0), day(163), "escalate", "2")
    # The status shows the latest decision; no dose is "selected" while the design goes on.
    df = a.dose_finding
    assert (df.decided_after_cohort, df.action, df.next_level, df.selected_level) == (3, "escalate", "2", None)


def test_a_cohort_holds_at_most_cohort_size_consecutive_registrations(protocol: Protocol) -> None:
    t = TrialBuilder()
    for n in range(1, 5):
        _part_a(t, n, "1", n)
    _part_a(t, 5, "2", 80)
    cohorts = analyze_trial(trial=t.build(), protocol=protocol).boin_cohorts
    assert [(c.dose_level, c.participant_ids) for c in cohorts] == [
        ("1", _ids(1, 2, 3)), ("1", _ids(4)), ("2", _ids(5))]
    # Cohorts 2 and 3 have 1 of the 3 participants a BOIN cohort needs: no decision after them.
    assert [(c.action, c.reason) for c in cohorts[1:]] == [
        (None, "incomplete: 1 of 3 registered, no decision"), (None, "incomplete: 1 of 3 registered, no decision")]


def test_one_registration_is_not_a_cohort_to_decide_on(protocol: Protocol) -> None:
    t = TrialBuilder()
    _part_a(t, 1, "1", 0)
    a = analyze_trial(trial=t.build(), protocol=protocol)
    (cohort,) = a.boin_cohorts
    assert (cohort.action, cohort.next_level) == (None, None)
    assert (a.dose_finding.action, a.dose_finding.decided_after_cohort) == (None, None)


def test_a_cohort_in_its_dlt_window_at_the_cutoff_is_pending(protocol: Protocol) -> None:
    t = TrialBuilder()
    _cohort(t, 1, "1", 0)
    _cohort(t, 4, "2", 60)
    # Cut-off on day 102: participant 6 (registered day 62) is in cycle 1 until day 103.
    a = analyze_trial(trial=t.build(), protocol=protocol, cutoff=day(102))
    c1, c2 = a.boin_cohorts
    assert c1.action == "escalate"
    assert (c2.pending_ids, c2.known_on, c2.action, c2.next_level) == (_ids(6), None, None, None)
    assert c2.outcomes[2].by.startswith("pending")
    df = a.dose_finding
    assert (df.decided_after_cohort, df.action, df.pending_ids, df.current_level) == (1, "escalate", _ids(6), "2")


def test_a_participant_who_dies_in_the_window_is_known_not_evaluable_on_the_death(protocol: Protocol) -> None:
    t = TrialBuilder()
    _part_a(t, 1, "1", 0)
    _part_a(t, 2, "1", 1, died=30)
    _part_a(t, 3, "1", 2)
    c1 = analyze_trial(trial=t.build(), protocol=protocol).boin_cohorts[0]
    assert [(o.evaluable, o.on) for o in c1.outcomes] == [(True, day(41)), (False, day(30)), (True, day(43))]
    assert "death" in c1.outcomes[1].by
    # 0/2 evaluable: escalate (0 <= 0.2365 * 2).
    assert (c1.evaluable, c1.n, c1.known_on, c1.action) == (2, (2, 0, 0), day(43), "escalate")


def test_off_treatment_before_cycle_1_is_known_on_the_end_of_treatment_record(protocol: Protocol) -> None:
    t = TrialBuilder()
    p = t.participant(1, part="part_a", dose_level="1", registered=0).hipec(2)
    p.off_treatment(2, eot=25).alive(30)  # HIPEC only; end of treatment recorded on day 25
    outcome = analyze_trial(trial=t.build(), protocol=protocol).boin_cohorts[0].outcomes[0]
    assert (outcome.evaluable, outcome.on) == (False, day(25))
    assert outcome.by == "not evaluable (induction cycle 1 not started): end of treatment"


def test_three_dlts_of_three_at_the_lowest_level_stop_without_a_dose(protocol: Protocol) -> None:
    t = TrialBuilder()
    _cohort(t, 1, "1", 0, dlts=3)
    a = analyze_trial(trial=t.build(), protocol=protocol)
    (c1,) = a.boin_cohorts
    # 3/3: P(p > 0.30 | Beta(4, 1)) = 1 - 0.3^4 = 0.9919 > 0.95 -> level 1 (and all above) eliminated.
    assert (c1.action, c1.next_level, c1.selected_level, c1.reason, c1.eliminated) == (
        "stop", None, None, "lowest dose too toxic", ("1", "2", "3"))
    # DLT onsets on days 30, 31, 32.
    assert c1.known_on == day(32)
    df = a.dose_finding
    assert (df.action, df.selected_level) == ("stop", None)
    assert df.selection_reason == "the design stopped after cohort 1 (lowest dose too toxic): no dose selected"


def test_after_max_cohorts_the_design_stops_and_selects(protocol: Protocol) -> None:
    t = TrialBuilder()
    _cohort(t, 1, "1", 0)             # L1 0/3 -> escalate
    _cohort(t, 4, "2", 60, dlts=2)    # L2 2/3 -> de-escalate
    _cohort(t, 7, "1", 120)           # L1 0/6 -> escalate
    _cohort(t, 10, "2", 180, dlts=1)  # L2 3/6 -> de-escalate (1 - pbeta(0.3, 4, 4) = 0.874: kept)
    _cohort(t, 13, "1", 240)          # L1 0/9 -> escalate (15 evaluable < max_n 18)
    _part_a(t, 16, "2", 300)
    _part_a(t, 17, "2", 301, died=330)  # not evaluable
    _part_a(t, 18, "2", 302)          # L2 3/8 -> de-escalate; 17 evaluable < 18
    a = analyze_trial(trial=t.build(), protocol=protocol)
    assert [c.action for c in a.boin_cohorts] == ["escalate", "de-escalate", "escalate", "de-escalate",
                                                  "escalate", "stop"]
    last = a.boin_cohorts[-1]
    # max_cohorts = 6 (PD §Study): stop; select_mtd on n (9, 8, 0), DLT (0, 3, 0): estimates
    # (0 + .05)/(9 + .1) = 0.0055 and (3 + .05)/(8 + .1) = 0.3765, already increasing; level 2
    # is the closer to 0.30 (0.0765 against 0.2945).
    assert (last.n, last.dlt, last.next_level, last.selected_level, last.reason) == (
        (9, 8, 0), (0, 3, 0), None, "2", "maximum number of cohorts (6)")
    assert (a.dose_finding.action, a.dose_finding.selected_level) == ("stop", "2")


# -- against the simulator's own record (seeds 1-3; default, ineffective, toxic scenarios) ---


class _Recorder:
    """The real course simulator, keeping each participant's course (its outcome facts)."""

    def __init__(self) -> None:
        self.courses: dict[str, Course] = {}

    def __call__(self, **kwargs: Any) -> Course:
        course = simulate_course(**kwargs)
        self.courses[course.participant.id] = course
        return course


@dataclass(frozen=True, slots=True)
class Simulated:
    result: SimulatedTrial
    courses: dict[str, Course]
    facts: dict[str, Facts]
    populations: Populations
    stage1: SimonStage1
    cohorts: tuple[BoinCohort, ...]
    dose_finding: DoseFindingStatus


@pytest.fixture(scope="module")
def simulated(protocol: Protocol) -> Callable[[str, int], Simulated]:
    cache: dict[tuple[str, int], Simulated] = {}

    def get(scenario: str, seed: int) -> Simulated:
        if (scenario, seed) not in cache:
            recorder = _Recorder()
            # In this process (workers=1), so that the recorder sees every course.
            result = simulate_trial(protocol, load_scenario(scenario), seed=seed, course=recorder, workers=1)
            facts = collect_facts(trial=result.trial, protocol=protocol)
            # ITT, the study parts and DLT-evaluability need neither responses nor eligibility
            # (which make analyze_trial slow); analyze_trial's wiring is tested above.
            pops = build_populations(protocol=protocol, facts=facts, responses={}, eligibility={})
            itt = set(pops[Population.ITT])
            cohorts = boin_cohorts(protocol=protocol, part_a=pops.part_a, facts=facts, as_of=result.cutoff)
            cache[scenario, seed] = Simulated(
                result, recorder.courses, facts, pops,
                simon_stage1(protocol=protocol, part_b_itt=[p for p in pops.part_b if p in itt], facts=facts),
                cohorts, dose_finding_status(protocol, pops.part_a, pops[Population.DLT_EVALUABLE], facts,
                                             cohorts=cohorts))
        return cache[scenario, seed]

    return get


# The seed's phases of the not-operated branch (protocol-decisions.md "Treatment flow").
NOT_OPERATED_PHASES = ("continuation", "maintenance-not-operated")


def _first_not_operated_dose(f: Facts) -> dt.date | None:
    return min((d.date for d in f.doses if d.phase in NOT_OPERATED_PHASES), default=None)


# Seed 3 of "default" has no stage-1 look: the Part B safety monitoring closed registration
# at its first look (5 treated), before 13 were in ITT (tests/simulate/trial/test_safety.py).
@pytest.mark.parametrize("scenario", ["default", "ineffective"])
@pytest.mark.parametrize("seed", [1, 2, 4])
def test_stage1_look_agrees_with_the_simulator(simulated: Callable[[str, int], Simulated], scenario: str,
                                               seed: int) -> None:
    s = simulated(scenario, seed)
    sim, courses, facts, look = s.result.simon, s.courses, s.facts, s.stage1
    assert sim is not None
    part_b = registration_order(s.populations.part_b, facts)
    # Both count the first n1 Part B *ITT* participants (registered and received HIPEC): a
    # registration never given HIPEC (seed 1: WH01-004, dead before HIPEC) is replaced by the
    # next one.
    itt = set(s.populations[Population.ITT])
    first_itt = tuple(pid for pid in part_b if pid in itt)[:13]
    assert look.participant_ids == first_itt
    assert sim.responses == sum(courses[pid].r0 for pid in first_itt)
    assert sim.look_date == max(courses[pid].r0_known_on for pid in first_itt)
    # Each counted participant's R0 is the course's.
    assert look.r0_ids == tuple(pid for pid in look.participant_ids if courses[pid].r0)
    # Each outcome's date is the course's, except where the simulator gave a continuation-phase
    # dose before the MDT meeting that decided the not-operated branch: the records then settle
    # the outcome on that dose (the earliest settling record), the simulator on the MDT.
    expected = {}
    for pid in look.participant_ids:
        known, course_on = outcome_known(facts[pid]), courses[pid].r0_known_on
        assert known is not None
        if known.on != course_on:
            assert known.by == "first dose in a not-operated phase"
            assert known.on == _first_not_operated_dose(facts[pid]) < course_on
            assert facts[pid].form_values("reevaluation")[0]["mdt_date"] == course_on
        expected[pid] = known.on
    assert look.look_date == max(expected.values())
    assert (look.responses, look.decision) == (sim.responses, sim.action)


@pytest.mark.parametrize("scenario", ["default", "toxic"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_boin_cohorts_agree_with_the_simulator(simulated: Callable[[str, int], Simulated], scenario: str,
                                               seed: int) -> None:
    s = simulated(scenario, seed)
    assert len(s.cohorts) == len(s.result.cohorts)
    for ours, theirs in zip(s.cohorts, s.result.cohorts, strict=True):
        # The simulator lists a cohort in recruitment order, ours in registration order.
        assert set(ours.participant_ids) == set(theirs.participant_ids)
        assert (ours.number, ours.dose_level, ours.evaluable, ours.dlts, ours.known_on, ours.n, ours.dlt,
                ours.action, ours.next_level, ours.selected_level, ours.reason, ours.eliminated) == (
            theirs.number, theirs.dose_level, theirs.evaluable, theirs.dlts, theirs.known_on, theirs.n,
            theirs.dlt, theirs.action, theirs.next_dose_level, theirs.selected_dose_level, theirs.reason,
            theirs.eliminated)
        for o in ours.outcomes:
            course = s.courses[o.participant_id]
            assert (o.dlt, o.evaluable, o.on) == (course.dlt, course.dlt_evaluable or course.dlt,
                                                  course.dlt_known_on)
    assert s.dose_finding.selected_level == s.result.rp2d
