"""Adverse events by worst grade, DLTs by dose level with the BOIN decision, the Part B
safety-monitoring rule, and the DSMB safety tables (by study group, all grades by term,
attribution by agent, SAEs and irAEs by term, DLTs described). Simon: test_interim.py."""

from __future__ import annotations

import pytest

from hipectrial.analysis.results import AdverseEventValue, DltValue
from hipectrial.analysis.safety import adverse_event_value, safety_tables
from hipectrial.analysis.trial_analysis import analyze_trial
from hipectrial.data import AeOutcome, Attribution, ClavienDindo
from hipectrial.protocol import Protocol
from hipectrial.protocol.endpoints import Population

from .builders import TrialBuilder, day, refused_facts


def test_ae_counted_once_per_term_at_the_worst_grade(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().ae("Diarrhea", 2, 30).ae("Diarrhea", 3, 50, serious=True)
    t.participant(2).hipec().ae("Diarrhea", 1, 30, related=False).ae("Pneumonitis", 2, 60, immune=True, stop=True)
    a = analyze_trial(trial=t.build(), protocol=protocol)
    value = a.endpoint("adverse-events").value
    assert isinstance(value, AdverseEventValue)
    diarrhea = next(r for r in value.by_term if r.term == "Diarrhea")
    # 001: grades 2 and 3 -> once, at grade 3; 002: grade 1 (unrelated).
    assert diarrhea.any_grade == 2
    assert diarrhea.worst_grade == (1, 0, 1, 0, 0)
    assert diarrhea.grade_3_plus == 1
    assert diarrhea.participants == (("SH01-001", 3), ("SH01-002", 1))
    assert (diarrhea.related_any_grade, diarrhea.related_worst_grade) == (1, (0, 0, 1, 0, 0))
    summary = {c.category: (c.participants, c.events) for c in value.summary}
    assert summary["Any adverse event"] == (2, 4)
    assert summary["Grade ≥ 3 treatment-related"] == (1, 1)
    assert summary["Serious"] == (1, 1)
    assert summary["Immune-related"] == (1, 1)
    assert summary["Leading to discontinuation"] == (1, 1)


def _part_a(t: TrialBuilder, n: int, level: str, *, dlt: bool = False, cycle: bool = True) -> None:
    p = t.participant(n, part="part_a", dose_level=level).hipec()
    if cycle:
        p.cycle(21)
    p.alive(45)  # cycle 1 day 21 is day 41
    if dlt:
        p.ae("Febrile neutropenia", 3, 30, dlt=True)


def test_dlt_by_level_and_boin_escalates_after_zero_of_three(protocol: Protocol) -> None:
    t = TrialBuilder()
    for n in (1, 2, 3):
        _part_a(t, n, "1")
    _part_a(t, 4, "1", cycle=False)  # no cycle 1 and no DLT: not evaluable
    a = analyze_trial(trial=t.build(), protocol=protocol)
    assert a.populations[Population.DLT_EVALUABLE] == ("SH01-001", "SH01-002", "SH01-003")
    dlt = a.endpoint("dlt-rate").value
    assert isinstance(dlt, DltValue)
    assert [(lv.level, lv.value.estimate.events, lv.value.estimate.n) for lv in dlt.levels] == [
        ("1", 0, 3), ("2", 0, 0), ("3", 0, 0)]
    # BOIN, target 0.30 (Liu & Yuan 2015, Table 1; R BOIN get.boundary): with 3 treated,
    # escalate if 0 DLT, de-escalate if >= 2. Level 1 0/3 -> escalate to level 2.
    assert (a.dose_finding.current_level, a.dose_finding.action, a.dose_finding.next_level) == ("1", "escalate", "2")


def test_boin_de_escalates_after_two_of_three(protocol: Protocol) -> None:
    t = TrialBuilder()
    for n in (1, 2, 3):
        _part_a(t, n, "1")
    _part_a(t, 4, "2", dlt=True)
    _part_a(t, 5, "2", dlt=True)
    _part_a(t, 6, "2")
    a = analyze_trial(trial=t.build(), protocol=protocol)
    levels = {lv.level: (lv.dlt, lv.n) for lv in a.dose_finding.levels}
    assert levels == {"1": (0, 3), "2": (2, 3), "3": (0, 0)}
    assert (a.dose_finding.current_level, a.dose_finding.action, a.dose_finding.next_level) == ("2", "de-escalate", "1")


def test_safety_monitoring_counts_severe_toxicity(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().ae("Neutrophil count decreased", 4, 30)                    # grade 4 related
    t.participant(2).hipec().ae("Diarrhea", 4, 30, related=False)                       # unrelated: no
    t.participant(3).hipec().surgery(110, complications=((ClavienDindo.IIIB, 3),))      # CD IIIb
    t.participant(4).hipec().day0_complication(ClavienDindo.IVA, 2)                     # CD IVa after HIPEC
    t.participant(5).hipec()
    a = analyze_trial(trial=t.build(), protocol=protocol)
    m = a.safety_monitoring
    assert m is not None
    assert m.event_ids == ("SH01-001", "SH01-003", "SH01-004")
    # Look at n = 5 with 3 events: P(p > 0.3 | Beta(4, 3)) = 0.930 > 0.90 -> stop
    # (toxicity_monitor doc: at n = 5 the boundary is 3 events). R: 1 - pbeta(0.3, 4, 3) = 0.92953
    assert [(lk.n, lk.events, lk.stop_at, lk.stop) for lk in m.looks] == [(5, 3, 3, True)]
    assert m.looks[0].posterior == pytest.approx(0.92953, abs=1e-5)
    assert m.stopped
    # Days count from the registration (builders.day); HIPEC (the day-0 operation) on day 2.
    assert dict(m.event_reasons) == {
        "SH01-001": f"grade 4 Neutrophil count decreased (onset {day(30)}), treatment-related",
        "SH01-003": f"Clavien-Dindo IIIb complication IIIb after the operation of {day(110)}",
        "SH01-004": f"Clavien-Dindo IVa day-0 complication after the operation of {day(2)}"}


def test_severe_toxicity_from_deaths_is_told_once(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().ae("Sepsis", 5, 40).died(40, cause="treatment_toxicity")  # related grade 5, died
    t.participant(2).hipec().died(50, cause="treatment_toxicity")                     # cause only
    t.participant(3).hipec().ae("Sepsis", 5, 40).alive(60)          # grade 5 without a recorded death
    t.participant(4).hipec().died(50)                                   # disease progression: no
    m = analyze_trial(trial=t.build(), protocol=protocol).safety_monitoring
    assert m is not None
    assert dict(m.event_reasons) == {
        "SH01-001": "treatment-related death (grade 5 Sepsis at least possibly related to Oxaliplatin; "
                    "cause of death: Toxicity of study treatment)",
        "SH01-002": "treatment-related death (cause of death: Toxicity of study treatment)",
        "SH01-003": f"grade 5 Sepsis (onset {day(40)}), treatment-related"}


@pytest.mark.parametrize(("last_alive", "evaluable"), [(41, True), (40, False), (42, True)])
def test_dlt_evaluable_needs_follow_up_to_cycle_1_day_21(protocol: Protocol, last_alive: int, evaluable: bool) -> None:
    # PD §DLT: window to cycle 1 day 21; cycle 1 day 1 on day 21, so day 21 of the cycle is day 41.
    t = TrialBuilder()
    t.participant(1, part="part_a", dose_level="1").hipec().cycle(21).alive(last_alive)
    a = analyze_trial(trial=t.build(), protocol=protocol)
    assert (a.populations[Population.DLT_EVALUABLE] == ("SH01-001",)) is evaluable


def test_severe_toxicity_boundaries_grade_3_and_clavien_dindo_iiia_do_not_count(protocol: Protocol) -> None:
    # PD §Study: any grade 4 treatment-related AE, treatment-related death, or Clavien-Dindo >= IIIb.
    t = TrialBuilder()
    t.participant(1).hipec().ae("Neutrophil count decreased", 3, 30)                    # related grade 3: no
    t.participant(2).hipec().surgery(110, complications=((ClavienDindo.IIIA, 3),))      # CD IIIa: no
    t.participant(3).hipec().ae("Pneumonitis", 5, 40)                                   # related death: yes
    t.participant(4).hipec().died(60)                                                   # progression: no
    t.participant(5).hipec()
    # A death from treatment toxicity is a treatment-related death even without a grade-5 AE
    # recorded (the deaths section's rule, analysis.deaths.treatment_related_by).
    t.participant(6).hipec().died(50, cause="treatment_toxicity")
    m = analyze_trial(trial=t.build(), protocol=protocol).safety_monitoring
    assert m is not None
    assert m.event_ids == ("SH01-003", "SH01-006")


# -- the DSMB safety tables ---------------------------------------------------------------------

def test_summary_by_study_group_counts_the_groups_safety_participants(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1, part="part_a", dose_level="1").hipec().ae("Diarrhea", 3, 30).ae("Nausea", 1, 31)
    t.participant(2, part="part_a", dose_level="1").hipec()
    t.participant(3, part="part_a", dose_level="1")                          # registered, never treated
    t.participant(4, part="part_b").hipec().ae("Diarrhea", 2, 30, serious=True)
    t.participant(5, part="part_b").hipec().ae("Pneumonitis", 5, 40)
    tables = analyze_trial(trial=t.build(), protocol=protocol).safety_tables
    by_group = {g.group_id: g for g in tables.by_group}
    # Part A level 1: 001, 002 treated (003 not: outside the safety population); Part B: 004, 005
    assert [(g.group_id, g.participant_ids) for g in tables.by_group] == [
        ("part_a-1", ("SH01-001", "SH01-002")), ("part_b-2", ("SH01-004", "SH01-005")),
        ("all", ("SH01-001", "SH01-002", "SH01-004", "SH01-005"))]
    a1 = {c.category: (c.participants, c.events) for c in by_group["part_a-1"].summary}
    assert a1["Any adverse event"] == (1, 2)        # 001: Diarrhea 3, Nausea 1
    assert a1["Grade ≥ 3"] == (1, 1)
    assert a1["Fatal (grade 5)"] == (0, 0)
    b = {c.category: (c.participants, c.events) for c in by_group["part_b-2"].summary}
    assert b["Any adverse event"] == (2, 2)
    assert b["Serious"] == (1, 1)                   # 004
    assert b["Fatal (grade 5)"] == (1, 1)           # 005
    everyone = {c.category: (c.participants, c.events) for c in by_group["all"].summary}
    assert everyone["Any adverse event"] == (3, 4)  # 001 (2 events), 004, 005
    assert everyone["Grade ≥ 3"] == (2, 2)         # 001 Diarrhea 3, 005 Pneumonitis 5


def test_all_grade_table_most_frequent_term_first_then_alphabetical(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().ae("Nausea", 1, 30).ae("Fatigue", 2, 30).ae("Anemia", 1, 30)
    t.participant(2).hipec().ae("Nausea", 2, 30).ae("Fatigue", 1, 31).ae("Fatigue", 3, 40)
    t.participant(3).hipec().ae("Nausea", 1, 30)
    rows = analyze_trial(trial=t.build(), protocol=protocol).safety_tables.by_term
    # Nausea 3 participants; Fatigue 2 (001 at 2, 002 worst 3); Anemia 1
    assert [(r.term, r.any_grade, r.worst_grade) for r in rows] == [
        ("Nausea", 3, (2, 1, 0, 0, 0)), ("Fatigue", 2, (0, 1, 1, 0, 0)), ("Anemia", 1, (1, 0, 0, 0, 0))]


def test_attribution_by_agent_counts_related_events_only(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().ae("Diarrhea", 3, 30, attribution={
        "oxaliplatin": Attribution.PROBABLE, "s-1": Attribution.POSSIBLE})
    t.participant(2).hipec().ae("Diarrhea", 2, 30, attribution={
        "oxaliplatin": Attribution.UNRELATED, "s-1": Attribution.UNLIKELY})
    t.participant(3).hipec().ae("Diarrhea", 1, 30, attribution={"s-1": Attribution.DEFINITE}).ae(
        "Diarrhea", 3, 50, attribution={"s-1": Attribution.UNRELATED})
    t.participant(4).hipec().ae("Hypothyroidism", 2, 60, immune=True, attribution={
        "tislelizumab": Attribution.PROBABLE})
    tables = analyze_trial(trial=t.build(), protocol=protocol).safety_tables
    assert tables.agents == ("hipec-paclitaxel", "oxaliplatin", "s-1", "tislelizumab", "trastuzumab")
    cells = {(r.term, c.agent): (c.any_grade_ids, c.grade_3_plus_ids) for r in tables.attribution
             for c in r.by_agent}
    # oxaliplatin: 001 (grade 3, probable); 002 unrelated -> no
    assert cells[("Diarrhea", "oxaliplatin")] == (("SH01-001",), ("SH01-001",))
    # s-1: 001 (possible, grade 3), 003 (definite, grade 1; its grade-3 event is unrelated) -> 2 any,
    # 1 grade >= 3; 002 unlikely -> no
    assert cells[("Diarrhea", "s-1")] == (("SH01-001", "SH01-003"), ("SH01-001",))
    assert cells[("Diarrhea", "tislelizumab")] == ((), ())
    assert cells[("Hypothyroidism", "tislelizumab")] == (("SH01-004",), ())
    # Diarrhea related to some agent in 001, 003 (2) before Hypothyroidism (1)
    assert [(r.term, r.related_any_grade) for r in tables.attribution] == [("Diarrhea", 2), ("Hypothyroidism", 1)]


def test_saes_and_iraes_by_term(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().ae("Febrile neutropenia", 3, 30, serious=True).ae(
        "Febrile neutropenia", 4, 60, serious=True).ae("Febrile neutropenia", 5, 90)
    t.participant(2).hipec().ae("Febrile neutropenia", 3, 30, serious=True).ae("Colitis", 2, 40, immune=True)
    t.participant(3).hipec().ae("Colitis", 3, 40, immune=True).ae("Colitis", 1, 80, immune=True).ae(
        "Colitis", 4, 90)
    tables = analyze_trial(trial=t.build(), protocol=protocol).safety_tables
    # serious febrile neutropenia: 001 twice (grades 3, 4; the grade-5 event is not serious), 002 once
    assert [(r.term, r.participants, r.events, r.worst_grade, r.participant_ids) for r in tables.sae_by_term] == [
        ("Febrile neutropenia", 2, 3, 4, ("SH01-001", "SH01-002"))]
    # immune-related colitis: 002 at 2, 003 worst 3 (its grade-4 colitis is not immune-related)
    assert [(r.term, r.any_grade, r.worst_grade, r.participants) for r in tables.irae_by_term] == [
        ("Colitis", 2, (0, 1, 1, 0, 0), (("SH01-002", 2), ("SH01-003", 3)))]


def test_dlts_described_with_the_day_from_hipec(protocol: Protocol) -> None:
    t = TrialBuilder()
    _part_a(t, 1, "2", dlt=True)            # HIPEC day 2, DLT onset day 30 -> day 28
    _part_a(t, 2, "1", dlt=True)
    t.participant(3, part="part_a", dose_level="1").hipec(at=5).ae("Diarrhea", 3, 5, dlt=True, serious=True)
    _part_a(t, 4, "1")
    tables = analyze_trial(trial=t.build(), protocol=protocol).safety_tables
    # level 1 first (002, then 003), then level 2 (001); 003: onset on the HIPEC day -> day 0
    assert [(r.participant_id, r.dose_level, r.term, r.grade, r.onset_date, r.day, r.serious)
            for r in tables.dlts] == [
        ("SH01-002", "1", "Febrile neutropenia", 3, day(30), 28, False),
        ("SH01-003", "1", "Diarrhea", 3, day(5), 0, True),
        ("SH01-001", "2", "Febrile neutropenia", 3, day(30), 28, False)]


def test_fatal_outcome_counts_as_fatal_and_odd_records_are_noted(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().ae("Sepsis", 4, 30, outcome=AeOutcome.FATAL).died(30, cause="other_cause")
    t.participant(2).hipec().ae("Rash acneiform", 2, 30, attribution={"cetuximab": Attribution.PROBABLE})
    # validate() refuses both (fatal at grade 4; an unknown agent): analyze_trial would not run.
    facts, groups = refused_facts(t.build())
    ids = ("SH01-001", "SH01-002")
    value = adverse_event_value(ids, facts)
    assert {c.category: c.participant_ids for c in value.summary}["Fatal (grade 5)"] == ("SH01-001",)
    tables = safety_tables(protocol=protocol, groups=groups, safety=ids, facts=facts)
    assert [(n.participant_id, n.note) for n in tables.notes] == [
        ("SH01-001", f"Sepsis (onset {day(30)}): outcome fatal at grade 4; counted as fatal"),
        ("SH01-002", f"Rash acneiform (onset {day(30)}): attributed to 'cetuximab', not an agent of the protocol")]
