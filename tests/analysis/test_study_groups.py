"""Study groups: registered participants by part and dose level, then all of them."""

from __future__ import annotations

from analysis.builders import TrialBuilder, day
from hipectrial.analysis.facts import collect_facts
from hipectrial.analysis.populations import study_groups
from hipectrial.analysis.trial_analysis import analyze_trial
from hipectrial.protocol import Protocol


def test_groups_follow_part_then_level_and_end_with_all(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1, part="part_b", dose_level="2").hipec()
    t.participant(2, part="part_a", dose_level="2").hipec()
    t.participant(3, part="part_a", dose_level="1").hipec()
    t.participant(4, registered=None, off_study_reason="screen_failure")
    trial = t.build()
    analysis = analyze_trial(trial=trial, protocol=protocol)
    groups = study_groups(protocol, analysis.populations, collect_facts(trial=trial, protocol=protocol))
    # Seed protocol: level 1 = 75 mg/m2, level 2 = 125 mg/m2 of HIPEC paclitaxel.
    assert [(g.id, g.label, g.participant_ids) for g in groups] == [
        ("part_a-1", "Part A, level 1 (75 mg/m2)", ("SH01-003",)),
        ("part_a-2", "Part A, level 2 (125 mg/m2)", ("SH01-002",)),
        ("part_b-2", "Part B, level 2 (125 mg/m2)", ("SH01-001",)),
        ("all", "All registered", ("SH01-001", "SH01-002", "SH01-003")),
    ]


def test_cause_of_death_and_last_dose_are_read_once(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec(at=2).cycle(21).dose("oxaliplatin", 42, cycle=2, given="0").died(60)
    facts = collect_facts(trial=t.build(), protocol=protocol)["SH01-001"]
    assert facts.cause_of_death == "disease_progression"
    # day 21: the last dose given (the day-42 oxaliplatin was withheld, given 0)
    assert facts.last_dose_date == day(21)
