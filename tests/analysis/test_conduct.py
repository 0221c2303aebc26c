"""Completeness of visits and labs (CONSORT: test_flow.py; dose intensity: test_exposure.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from hipectrial.analysis.trial_analysis import TrialAnalysis, analyze_trial
from hipectrial.data import TrialData
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import Anchor, Timing
from hipectrial.protocol.schedule import ScheduleEnd
from hipectrial.simulate import load_scenario, simulate_trial

from .builders import TrialBuilder, day


def test_completeness_of_visits_and_cycle_labs(protocol: Protocol) -> None:
    t = TrialBuilder()
    p = t.participant(1).hipec(2).visit("screening", -10).cycle(23)
    for code in ("WBC", "NEUT", "HGB", "PLAT", "ALT", "AST", "BILI", "CREAT"):  # INR missing
        p.lab(code, 22)
    a = analyze_trial(trial=t.build(), protocol=protocol, cutoff=day(40))
    (c,) = a.completeness.participants
    # Windows closed before day 40: screening (to day -1), registration (day 0), day-0 HIPEC
    # (days 0-7), induction cycle 1 (due day 23 = HIPEC + 21, +-7, to day 30), post-HIPEC review
    # (HIPEC + 30, -3/+7: days 29-39). Recorded: all but the post-HIPEC review.
    assert (c.expected, c.recorded, c.missed) == (5, 4, ("post-hipec-review #1",))
    # Cycle 1 labs: the 9 required CDISC-coded labs of the labs form within 3 days before; INR missing.
    assert (c.lab_values_expected, c.lab_values_missing) == (9, ("induction-cycle #1 INR",))
    kinds = dict(a.deviations.by_kind)
    assert kinds.get("missed_visit") == 1


def _labs_within(protocol: Protocol, hours: int) -> Protocol:
    mods = protocol.dose_modifications
    retreatment = mods.retreatment.model_copy(update={"labs_within_hours": hours})
    return protocol.model_copy(update={"dose_modifications": mods.model_copy(update={"retreatment": retreatment})})


@pytest.mark.parametrize(("hours", "missing"), [(72, 0), (48, 9)])
def test_cycle_labs_follow_the_protocols_lab_window(protocol: Protocol, hours: int, missing: int) -> None:
    # Labs 3 days (72 hours) before the cycle-1 visit: in time at 72 hours, not at 48.
    t = TrialBuilder()
    p = t.participant(1).hipec(2).visit("screening", -10).cycle(23)
    for code in ("WBC", "NEUT", "HGB", "PLAT", "ALT", "AST", "BILI", "CREAT", "INR"):
        p.lab(code, 20)
    a = analyze_trial(trial=t.build(), protocol=_labs_within(protocol, hours), cutoff=day(40))
    assert a.completeness.lab_window_hours == hours
    assert len(a.completeness.participants[0].lab_values_missing) == missing


def _on_treatment(t: TrialBuilder):
    return t.participant(1).hipec(2).visit("screening", -10).cycle(23)


@pytest.mark.parametrize(
    ("stop_day", "expected", "missed"),
    [
        (None, 6, ("induction-cycle #2", "post-hipec-review #1")),  # both windows closed by day 60
        (40, 5, ("post-hipec-review #1",)),  # the day after the review's window closed: missed
        (39, 4, ()),  # on the review's last day: not due; cycle 2 (41-47) not due either
        (28, 4, ()),  # before the review's window opens
    ],
)
@pytest.mark.parametrize("stop", ["death", "off_study"])
def test_visits_after_death_or_off_study_are_not_due(protocol: Protocol, stop: str, stop_day: int | None,
                                                      expected: int, missed: tuple[str, ...]) -> None:
    t = TrialBuilder()
    p = _on_treatment(t)
    if stop_day is not None and stop == "death":
        p.died(stop_day)
    elif stop_day is not None:
        t.participants[-1] = replace(t.participants[-1], off_study_date=day(stop_day),
                                     off_study_reason="consent_withdrawn")
    a = analyze_trial(trial=t.build(), protocol=protocol, cutoff=day(60))
    (c,) = a.completeness.participants
    assert (c.expected, c.recorded, tuple(sorted(c.missed))) == (expected, 4, missed)
    assert dict(a.deviations.by_kind).get("missed_visit", 0) == len(missed)


# Three induction cycles on days 23, 44, 65; post-HIPEC review done on day 32. Tumour
# assessment #1: C1D1 + 42 days = day 65, +-7: days 58-72; #2: day 107 (100-114); re-evaluation:
# C3D1 + 17 = day 82 (79-85). Closed before day 130 and done: screening, registration, day 0,
# 3 cycles, review -> 7 recorded.


@pytest.mark.parametrize(
    ("progression", "expected", "missed"),
    [
        (None, 10, ("reevaluation #1", "tumour-assessment-preop #1", "tumour-assessment-preop #2")),
        (73, 8, ("tumour-assessment-preop #1",)),  # the day after #1's window closed
        (72, 7, ()),  # on #1's last day: #1, re-evaluation and #2 are not due
    ],
)
def test_tumour_assessments_after_progression_are_not_due(protocol: Protocol, progression: int | None,
                                                           expected: int, missed: tuple[str, ...]) -> None:
    t = TrialBuilder()
    p = _on_treatment(t).cycle(44, 2).cycle(65, 3).visit("post-hipec-review", 32)
    if progression is not None:
        p.alive(80, progression=progression)
    a = analyze_trial(trial=t.build(), protocol=protocol, cutoff=day(130))
    (c,) = a.completeness.participants
    assert (c.expected, c.recorded, tuple(sorted(c.missed))) == (expected, 7, missed)


# -- the seed-1 simulated trial, against the records read directly ---------------------------


@pytest.fixture(scope="module")
def seed1(protocol: Protocol) -> tuple[TrialData, TrialAnalysis]:
    trial = simulate_trial(protocol, load_scenario("default"), seed=1).trial
    return trial, analyze_trial(trial=trial, protocol=protocol)


class _Dates:
    """One participant's anchor dates read straight from the records (conventions): the
    registration date, the day-0 HIPEC dose, the conversion surgery, the end-of-treatment
    visit, ``off_treatment_date`` (the last dose), and each (phase, cycle)'s first dose."""

    def __init__(self, trial: TrialData, protocol: Protocol, pid: str) -> None:
        p = next(q for q in trial.participants if q.id == pid)
        doses = [d for d in trial.doses if d.participant_id == pid]
        hipec = [d.date for d in doses if d.agent in protocol.hipec.agents and d.cycle is None and d.given > 0]
        self.events = {
            Anchor.REGISTRATION: p.registration_date,
            Anchor.HIPEC: min(hipec, default=None),
            Anchor.SURGERY: min((s.date for s in trial.surgeries if s.participant_id == pid
                                 and s.procedure == "conversion_surgery_hipec"), default=None),
            Anchor.END_OF_TREATMENT: next((v.actual_date for v in trial.visits if v.participant_id == pid
                                           and v.visit_id == "end-of-treatment"), None),
            Anchor.LAST_DOSE: p.off_treatment_date,
        }
        self.starts: dict[tuple[str, int], dt.date] = {}
        for d in doses:
            if d.phase is not None and d.cycle is not None:
                key = (d.phase, d.cycle)
                self.starts[key] = min(self.starts.get(key, d.date), d.date)

    def at(self, timing: Timing, day_: int) -> dt.date:
        """Day ``day_`` of ``timing``'s anchor (cycle days count from 1, other anchors from 0)."""
        if timing.anchor is Anchor.CYCLE_START:
            assert timing.phase is not None
            assert timing.cycle is not None
            base = self.starts[(timing.phase, timing.cycle)]
            return base + dt.timedelta(days=day_ - 1 if day_ > 0 else day_)
        base_ = self.events[timing.anchor]
        assert base_ is not None
        return base_ + dt.timedelta(days=day_)


def _window(protocol: Protocol, dates: _Dates, visit_id: str, n: int) -> tuple[dt.date, dt.date, dt.date]:
    """(earliest, target, latest) of occurrence ``n`` of a visit, from the protocol's timing
    (protocol-decisions.md "Treatment flow and timing": cycle 1 day 1 in the phase's start
    window, later cycles one cycle length after the previous cycle's actual start)."""
    visit = protocol.visit(visit_id)
    timing, repeat = visit.timing, visit.repeat
    if repeat is not None and repeat.per_cycle is not None:
        assert timing.day == 1  # every per-cycle visit of the seed is on cycle day 1
        phase = protocol.phase(repeat.per_cycle)
        if n == 1:
            target, window = dates.at(phase.start, phase.start.day), phase.start
        else:
            target = dates.starts[(phase.id, n - 1)] + dt.timedelta(days=phase.cycle_length_days)
            window = timing
    else:
        every = repeat.every_days if repeat is not None and repeat.every_days is not None else 0
        target, window = dates.at(timing, timing.day + (n - 1) * every), timing
    return (target - dt.timedelta(days=window.window_before), target,
            target + dt.timedelta(days=window.window_after))


def test_seed1_no_visit_is_missed_after_death_off_study_or_progression(
        protocol: Protocol, seed1: tuple[TrialData, TrialAnalysis]) -> None:
    trial, a = seed1
    death: dict[str, dt.date] = {}
    progression: dict[str, dt.date] = {}
    for f in trial.follow_ups:
        if f.death_date is not None:
            death[f.participant_id] = min(death.get(f.participant_id, f.death_date), f.death_date)
        if f.progression_date is not None:
            progression[f.participant_id] = min(progression.get(f.participant_id, f.progression_date),
                                                f.progression_date)
    off_study = {p.id: p.off_study_date for p in trial.participants
                 if p.registration_date is not None and p.off_study_date is not None}
    ends_at_progression = {v.id for v in protocol.visits if ScheduleEnd.PROGRESSION in v.ends_at}
    assert a.completeness.notes == ()
    # Not vacuous: the trial has deaths, withdrawals and progressions, and missed visits.
    assert death
    assert set(off_study) - set(death)
    assert progression
    checked = 0
    for c in a.completeness.participants:
        dates = _Dates(trial, protocol, c.participant_id)
        for missed in c.missed:
            visit_id, number = missed.split(" #")
            _, _, latest = _window(protocol, dates, visit_id, int(number))
            stops = [death.get(c.participant_id), off_study.get(c.participant_id)]
            if visit_id in ends_at_progression:
                stops.append(progression.get(c.participant_id))
            assert all(latest < s for s in stops if s is not None), (c.participant_id, missed, latest, stops)
            checked += 1
    assert checked == sum(len(c.missed) for c in a.completeness.participants) > 0


def test_seed1_visits_recorded_are_the_visit_records(protocol: Protocol,
                                                     seed1: tuple[TrialData, TrialAnalysis]) -> None:
    """Every visit record at a scheduled visit whose window closed before the cut-off is counted
    recorded, whatever happened after it (a visit done is always kept)."""
    trial, a = seed1
    cutoff = trial.generated_at.date()
    scheduled = {v.id for v in protocol.visits if v.timing.anchor is not Anchor.EVENT}
    assert {c.participant_id for c in a.completeness.participants} == {
        p.id for p in trial.participants if p.registration_date is not None}
    for c in a.completeness.participants:
        dates = _Dates(trial, protocol, c.participant_id)
        closed = 0
        for v in trial.visits:
            if v.participant_id != c.participant_id or v.visit_id not in scheduled or v.actual_date is None:
                continue
            _, target, latest = _window(protocol, dates, v.visit_id, v.repeat)
            assert target == v.planned_date, (v, target)  # the reference agrees with the record
            closed += latest < cutoff
        assert c.recorded == closed, c.participant_id


def test_a_cycle_without_dose_records_is_not_filled_by_the_next_one(protocol: Protocol) -> None:
    # Induction cycles 1 and 3 recorded, cycle 2 not: cycle 3's date must not be taken as the
    # start of cycle 2 (which would move the whole schedule); the starts stop at cycle 1.
    from hipectrial.analysis.conduct import treatment_dates
    from hipectrial.analysis.facts import collect_facts

    t = TrialBuilder()
    t.participant(1).hipec(2).cycle(23, 1).cycle(67, 3)
    (f,) = collect_facts(trial=t.build(), protocol=protocol).values()
    assert list(treatment_dates(protocol, f).cycle_starts["induction"]) == [day(23)]
