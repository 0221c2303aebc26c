"""The virtual trial end to end: determinism, validity, BOIN in Part A, Simon in Part B,
the cut-off, and scale. BOIN decisions are recomputed here with the design engine from the
DLT flags in the data; nothing asserts a number the simulator produced by itself."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from hipectrial.data import Severity, TrialData, validate
from hipectrial.design import boin_design
from hipectrial.design.dose_finding import DoseState
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol
from hipectrial.simulate import SimulatedTrial, load_scenario, simulate, simulate_trial
from hipectrial.simulate.course.run import Course, simulate_course
from hipectrial.simulate.scenario.world import Scenario
from hipectrial.simulate.trial.assemble import add_months

from ..conftest import FakeCourseFunction, with_changes


@pytest.fixture(scope="module")
def default_trial(protocol: Protocol, default_scenario: Scenario) -> SimulatedTrial:
    return simulate_trial(protocol, default_scenario, seed=1)


def registration_forms(trial: TrialData) -> dict[str, dict[str, object]]:
    return {r.participant_id: dict(r.values) for r in trial.form_records if r.form_id == "registration"}


def dlt_flags(trial: TrialData) -> dict[str, bool]:
    flagged = {a.participant_id for a in trial.adverse_events if a.dlt}
    return {p.id: p.id in flagged for p in trial.participants if p.registered}


# -- determinism and validity ---------------------------------------------------------------


def test_same_seed_gives_byte_identical_json(protocol: Protocol, default_scenario: Scenario,
                                             default_trial: SimulatedTrial) -> None:
    again = simulate(protocol, default_scenario, seed=1)
    assert again.to_json() == default_trial.trial.to_json()


def test_different_seed_gives_different_data(protocol: Protocol, default_scenario: Scenario,
                                             default_trial: SimulatedTrial) -> None:
    other = simulate(protocol, default_scenario, seed=2)
    assert other.to_json() != default_trial.trial.to_json()


def test_default_trial_passes_validation_without_errors(protocol: Protocol,
                                                       default_trial: SimulatedTrial) -> None:
    errors = [f for f in validate(default_trial.trial, protocol) if f.severity is Severity.ERROR]
    assert errors == []


def test_json_round_trip(default_trial: SimulatedTrial) -> None:
    assert TrialData.from_json(default_trial.trial.to_json()) == default_trial.trial


def test_nothing_is_dated_after_the_cutoff(default_trial: SimulatedTrial) -> None:
    trial = default_trial.trial
    cutoff = default_trial.cutoff
    assert trial.generated_at == dt.datetime(cutoff.year, cutoff.month, cutoff.day, tzinfo=dt.UTC)
    last_registration = max(p.registration_date for p in trial.participants if p.registration_date)
    assert cutoff == add_months(last_registration, 12)
    dates = [v.actual_date for v in trial.visits if v.actual_date] + [d.date for d in trial.doses]
    dates += [lab.date for lab in trial.lab_results] + [f.date for f in trial.follow_ups]
    dates += [a.onset_date for a in trial.adverse_events] + [s.date for s in trial.surgeries]
    assert max(dates) <= cutoff


def test_registration_form_carries_part_and_dose_level(default_trial: SimulatedTrial) -> None:
    trial = default_trial.trial
    forms = registration_forms(trial)
    part_a = {pid for c in default_trial.cohorts for pid in c.participant_ids}
    for p in trial.participants:
        if not p.registered:
            assert p.id not in forms
            continue
        form = forms[p.id]
        assert form["dose_level"] == p.dose_level
        assert form["registration_date"] == p.registration_date
        assert form["study_part"] == ("part_a" if p.id in part_a else "part_b")
        if form["study_part"] == "part_b":
            assert p.dose_level == default_trial.rp2d


def test_people_screened_as_conventions_say(default_trial: SimulatedTrial) -> None:
    trial = default_trial.trial
    for p in trial.participants:
        if not p.registered:
            assert p.off_study_reason in {"screen_failure", "consent_withdrawn"}
            assert p.off_study_date is not None
    assert default_trial.summary()["screened"] == len(trial.participants)


# -- Part A: BOIN ----------------------------------------------------------------------------


def test_each_cohorts_dose_is_the_boin_decision_from_the_dlt_flags(
        protocol: Protocol, default_trial: SimulatedTrial) -> None:
    settings = protocol.dose_finding.design
    design = boin_design(target=settings.target, phi1=settings.phi1, phi2=settings.phi2,
                         cutoff=settings.elimination_cutoff, stop_n_at_dose=settings.stop_n_at_dose,
                         max_n=settings.max_n)
    levels = [lv.id for lv in protocol.dose_finding.levels]
    trial = default_trial.trial
    flags, forms = dlt_flags(trial), registration_forms(trial)
    cohorts = default_trial.cohorts
    assert 1 <= len(cohorts) <= settings.max_cohorts
    assert cohorts[0].dose_level == protocol.dose_finding.start_level
    n, y = [0] * len(levels), [0] * len(levels)
    eliminated: tuple[bool, ...] = (False,) * len(levels)
    for i, cohort in enumerate(cohorts):
        assert len(cohort.participant_ids) == settings.cohort_size
        assert {forms[pid]["dose_level"] for pid in cohort.participant_ids} == {cohort.dose_level}
        assert {forms[pid]["study_part"] for pid in cohort.participant_ids} == {"part_a"}
        assert cohort.dlts == sum(flags[pid] for pid in cohort.participant_ids)
        d = levels.index(cohort.dose_level)
        n[d] += cohort.evaluable
        y[d] += cohort.dlts
        decision = design.decide(DoseState(tuple(n), tuple(y), d, eliminated))
        eliminated = decision.eliminated or eliminated
        if i + 1 < len(cohorts):
            assert decision.next_dose is not None
            assert cohorts[i + 1].dose_level == levels[decision.next_dose]
            # the next cohort registers only after this cohort's DLT outcomes are known
            first = min(trial.participant(pid).consent_date for pid in cohorts[i + 1].participant_ids)
            assert first > cohort.known_on
    registered_a = [p for p in trial.participants if forms.get(p.id, {}).get("study_part") == "part_a"]
    assert len(registered_a) == settings.cohort_size * len(cohorts) <= settings.max_n


def test_no_toxicity_escalates_to_the_top_level(protocol: Protocol, default_scenario: Scenario) -> None:
    scenario = with_changes(default_scenario, dlt_probability={"1": 0.0, "2": 0.0, "3": 0.0})
    result = simulate_trial(protocol, scenario, seed=3, participants=24)
    levels = [c.dose_level for c in result.cohorts]
    assert levels[:3] == ["1", "2", "3"]
    assert set(levels[2:]) == {"3"}
    assert all(c.dlts == 0 for c in result.cohorts)
    assert result.rp2d == "3"
    assert not any(a.dlt for a in result.trial.adverse_events)


def test_certain_toxicity_stops_after_the_first_cohort(protocol: Protocol,
                                                       default_scenario: Scenario) -> None:
    scenario = with_changes(default_scenario, dlt_probability={"1": 1.0, "2": 1.0, "3": 1.0})
    result = simulate_trial(protocol, scenario, seed=3)
    (cohort,) = result.cohorts
    assert cohort.dlts == 3
    assert cohort.action == "stop"
    assert cohort.eliminated == ("1", "2", "3")
    assert result.rp2d is None
    assert result.simon is None
    registered = [p for p in result.trial.participants if p.registered]
    assert len(registered) == 3
    assert {forms["study_part"] for forms in registration_forms(result.trial).values()} == {"part_a"}
    assert sum(dlt_flags(result.trial).values()) == 3


def test_toxic_scenario_runs_and_validates(protocol: Protocol) -> None:
    result = simulate_trial(protocol, load_scenario("toxic"), seed=5)
    errors = [f for f in validate(result.trial, protocol) if f.severity is Severity.ERROR]
    assert errors == []
    assert result.cohorts[0].dose_level == "1"


# -- Part B: Simon ---------------------------------------------------------------------------


def _no_r0(scenario: Scenario, pause: bool) -> Scenario:
    course = scenario.course.model_dump()
    course.update(r0_probability=0.0)
    return with_changes(scenario, course=course, part_b={"enrol": None, "pause_for_stage1": pause})


def test_no_r0_stops_part_b_after_the_first_thirteen(protocol: Protocol) -> None:
    scenario = _no_r0(load_scenario("ineffective"), pause=True)
    result = simulate_trial(protocol, scenario, seed=2)
    assert result.rp2d is not None
    assert result.simon is not None
    assert result.simon.responses == 0
    assert result.simon.stopped
    assert result.simon.action == "stop for futility"
    parts = Counter(f["study_part"] for f in registration_forms(result.trial).values())
    assert parts["part_b"] == protocol.statistics.primary.stage1.n == 13


def test_without_the_pause_people_registered_meanwhile_stay(protocol: Protocol) -> None:
    scenario = _no_r0(load_scenario("ineffective"), pause=False)
    result = simulate_trial(protocol, scenario, seed=2)
    assert result.simon is not None
    assert result.simon.stopped
    forms = registration_forms(result.trial)
    part_b = [result.trial.participant(pid) for pid, f in forms.items() if f["study_part"] == "part_b"]
    assert 13 <= len(part_b) <= protocol.statistics.primary.enrol
    assert all(p.consent_date <= result.simon.look_date for p in part_b)


def test_simon_continue_registers_the_protocols_enrolment(protocol: Protocol,
                                                         default_scenario: Scenario) -> None:
    fake = FakeCourseFunction(r0=1.0)
    result = simulate_trial(protocol, default_scenario, seed=4, course=fake)
    assert result.simon is not None
    assert not result.simon.stopped
    parts = Counter(e.study_part for e in fake.enrolments)
    assert parts["part_b"] == protocol.statistics.primary.enrol == 48
    assert {e.dose_level for e in fake.enrolments if e.study_part == "part_b"} == {result.rp2d}
    # paused for the look: no Part B participant beyond the 13th registered before it
    after = sorted(e.registration_date for e in fake.enrolments if e.study_part == "part_b")[13:]
    assert min(after) > result.simon.look_date


def test_part_b_enrol_override(protocol: Protocol, default_scenario: Scenario) -> None:
    scenario = with_changes(default_scenario, part_b={"enrol": 20, "pause_for_stage1": True})
    fake = FakeCourseFunction(r0=1.0)
    simulate_trial(protocol, scenario, seed=4, course=fake)
    assert Counter(e.study_part for e in fake.enrolments)["part_b"] == 20


# -- cut-off, randomness, inputs -------------------------------------------------------------


def test_fixed_cutoff_leaves_out_what_comes_after(protocol: Protocol, default_scenario: Scenario) -> None:
    scenario = with_changes(default_scenario, cutoff={"date": "2027-09-30"})
    result = simulate_trial(protocol, scenario, seed=1)
    assert result.cutoff == dt.date(2027, 9, 30)
    trial = result.trial
    assert max(p.consent_date for p in trial.participants) <= dt.date(2027, 9, 30)
    assert max(v.actual_date for v in trial.visits if v.actual_date) <= dt.date(2027, 9, 30)
    assert result.rp2d is None  # Part A cannot end within nine months
    errors = [f for f in validate(trial, protocol) if f.severity is Severity.ERROR]
    assert errors == []


def test_a_persons_draws_do_not_depend_on_anyone_elses(protocol: Protocol,
                                                       default_scenario: Scenario) -> None:
    """A course that burns random draws for one participant changes nobody else's data."""
    scenario = with_changes(default_scenario, dlt_probability={"1": 0.0, "2": 0.0, "3": 0.0})
    plain = simulate_trial(protocol, scenario, seed=8, participants=9,
                           course=FakeCourseFunction()).trial

    class Burning(FakeCourseFunction):
        def __call__(self, **kwargs):  # type: ignore[no-untyped-def]
            if kwargs["enrolment"].profile.participant_id == plain.participants[0].id:
                kwargs["rng"].random(1000)
            return super().__call__(**kwargs)

    burnt = simulate_trial(protocol, scenario, seed=8, participants=9, course=Burning()).trial
    assert burnt.participants[1:] == plain.participants[1:]
    assert [r for r in burnt.form_records if r.participant_id != plain.participants[0].id] == \
        [r for r in plain.form_records if r.participant_id != plain.participants[0].id]


def test_course_gets_independent_generators_per_person(protocol: Protocol,
                                                       default_scenario: Scenario) -> None:
    seen: list[float] = []

    def course(**kwargs):  # type: ignore[no-untyped-def]
        rng: np.random.Generator = kwargs["rng"]
        seen.append(float(rng.random()))
        return FakeCourseFunction()(**{**kwargs, "rng": np.random.default_rng(0)})

    simulate_trial(protocol, default_scenario, seed=1, participants=6, course=course)
    assert len(set(seen)) == len(seen) == 6


@pytest.mark.parametrize(("seed", "participants"), [(-1, None), (1, 0)])
def test_bad_seed_or_participants_is_an_input_error(protocol: Protocol, default_scenario: Scenario,
                                                    seed: int, participants: int | None) -> None:
    with pytest.raises(InputError) as caught:
        simulate_trial(protocol, default_scenario, seed=seed, participants=participants)
    assert caught.value.field == ("seed" if seed < 0 else "participants")


def test_participants_cap_can_end_within_part_a(protocol: Protocol, default_scenario: Scenario) -> None:
    fake = FakeCourseFunction()
    result = simulate_trial(protocol, default_scenario, seed=1, participants=5, course=fake)
    assert len(fake.enrolments) == 5
    assert {e.study_part for e in fake.enrolments} == {"part_a"}
    assert result.rp2d is None


def test_progress_reports_registrations(protocol: Protocol, default_scenario: Scenario) -> None:
    calls: list[tuple[int, int]] = []
    simulate_trial(protocol, default_scenario, seed=1, participants=8, course=FakeCourseFunction(),
                   progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (8, 8)
    assert [done for done, _ in calls[:-1]] == list(range(1, 9))


# -- scale -----------------------------------------------------------------------------------


def test_courses_in_worker_processes_give_the_same_data(protocol: Protocol,
                                                        default_scenario: Scenario) -> None:
    one = simulate_trial(protocol, default_scenario, seed=6, participants=30)
    two = simulate_trial(protocol, default_scenario, seed=6, participants=30, workers=2)
    assert two.trial.to_json() == one.trial.to_json()


def test_courses_on_a_given_executor_give_the_same_data(protocol: Protocol,
                                                        default_scenario: Scenario) -> None:
    one = simulate_trial(protocol, default_scenario, seed=6, participants=25)
    with ThreadPoolExecutor(max_workers=3) as executor:
        other = simulate_trial(protocol, default_scenario, seed=6, participants=25,
                               executor=executor)
    assert other.trial == one.trial


class RecordedCourse:
    """The real course simulator, keeping each call's inputs (with the random generator's
    state before the call) and result, so that any course can be simulated again alone."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, Any], dict[str, Any], Course]] = []

    def __call__(self, **kwargs: Any) -> Course:
        state = kwargs["rng"].bit_generator.state
        course = simulate_course(**kwargs)
        self.calls.append((kwargs, state, course))
        return course


def test_one_thousand_participants(protocol: Protocol, default_scenario: Scenario) -> None:
    """The real course at scale: 1,000 registered, valid data, and every course the same
    when simulated again on its own (the caches warmed by 999 others change nothing)."""
    recorded = RecordedCourse()
    # In this process (workers=1), so that the recording course sees every call.
    result = simulate_trial(protocol, default_scenario, seed=1, participants=1000, course=recorded, workers=1)
    trial = result.trial
    registered = [p for p in trial.participants if p.registered]
    assert len(registered) == len(recorded.calls) == 1000
    assert len({p.id for p in trial.participants}) == len(trial.participants)
    parts = Counter(f["study_part"] for f in registration_forms(trial).values())
    assert parts["part_a"] + parts["part_b"] == 1000
    assert parts["part_a"] == 3 * len(result.cohorts)
    assert result.simon is None
    assert trial.doses  # the real course: treatment, AEs, labs, imaging
    assert trial.adverse_events
    assert trial.lab_results
    assert trial.tumour_assessments
    errors = [f for f in validate(trial, protocol) if f.severity is Severity.ERROR]
    assert errors == []
    for kwargs, state, course in recorded.calls[::40]:
        rng = np.random.Generator(np.random.PCG64())
        rng.bit_generator.state = state
        assert simulate_course(**{**kwargs, "rng": rng}) == course


def test_a_large_batch_goes_to_a_pool_only_where_it_pays(monkeypatch: pytest.MonkeyPatch) -> None:
    from hipectrial.simulate.parallel import executor as trial_parallel

    monkeypatch.setattr(trial_parallel.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(trial_parallel.multiprocessing, "get_start_method", lambda allow_none: "fork")
    assert trial_parallel.auto_workers(199) == 0
    assert trial_parallel.auto_workers(200) == 2
    monkeypatch.setattr(trial_parallel.os, "cpu_count", lambda: 16)
    assert trial_parallel.auto_workers(1000) == trial_parallel.AUTO_POOL_MAX_WORKERS
    monkeypatch.setattr(trial_parallel.os, "cpu_count", lambda: 1)
    assert trial_parallel.auto_workers(1000) == 0
    monkeypatch.setattr(trial_parallel.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(trial_parallel.multiprocessing, "get_start_method", lambda allow_none: "spawn")
    assert trial_parallel.auto_workers(1000) == 0
