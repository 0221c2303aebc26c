"""Adverse events by worst grade, DLTs by dose level with the BOIN decision
and the Part B safety-monitoring rule."""

from __future__ import annotations

import pytest

from hipectrial.analysis.results import AdverseEventValue, DltValue
from hipectrial.analysis.trial_analysis import analyze_trial
from hipectrial.data import ClavienDindo
from hipectrial.protocol import Protocol
from hipectrial.protocol.endpoints import Population

from .builders import TrialBuilder


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
    assert summary["any adverse event"] == (2, 4)
    assert summary["grade >= 3 treatment-related"] == (1, 1)
    assert summary["serious"] == (1, 1)
    assert summary["immune-related"] == (1, 1)
    assert summary["leading to discontinuation"] == (1, 1)


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
    t.participant(4).hipec()
    t.participant(5).hipec()
    m = analyze_trial(trial=t.build(), protocol=protocol).safety_monitoring
    assert m is not None
    assert m.event_ids == ("SH01-003",)
