"""Confirmed ORR and DCR from CTs, with the protocol's confirmation and SD rules."""

from __future__ import annotations

from hipectrial.analysis.results import BinaryValue
from hipectrial.analysis.trial_analysis import analyze_trial
from hipectrial.protocol import Protocol
from hipectrial.protocol.endpoints import Population

from .builders import TrialBuilder


def _trial() -> TrialBuilder:
    t = TrialBuilder()
    # Baseline T1 50 mm. PR at day 42 (30 mm, -40 %); 21 days later PR again: not confirmed
    # (< 28 days) -> counts as SD (day 63 >= 35 days after registration): DCR, not ORR.
    t.participant(1).hipec().baseline_ct(targets={"T1": 50}).ct(42, T1=30).ct(63, T1=30)
    # PR at day 42, PR again at day 70 (28 days later): confirmed PR -> responder.
    t.participant(2).hipec().baseline_ct(targets={"T1": 50}).ct(42, T1=30).ct(70, T1=28)
    # SD at day 42 (45 mm); surgery day 60; PRs after surgery are ignored -> SD.
    t.participant(3).hipec().baseline_ct(targets={"T1": 50}).ct(42, T1=45).surgery(60).ct(90, T1=20).ct(120, T1=20)
    # Baseline target too small (8 mm): not measurable, not in the ORR population.
    t.participant(4).hipec().baseline_ct(targets={"T1": 8})
    # Measurable, no post-baseline CT: BOR NE, counted as non-responder and listed.
    t.participant(5).hipec().baseline_ct(targets={"T1": 40})
    return t


def test_confirmed_orr_and_dcr(protocol: Protocol) -> None:
    a = analyze_trial(trial=_trial().build(), protocol=protocol)
    assert a.populations[Population.MEASURABLE] == ("SH01-001", "SH01-002", "SH01-003", "SH01-005")
    orr, dcr = a.endpoint("orr").value, a.endpoint("dcr").value
    assert isinstance(orr, BinaryValue)
    assert isinstance(dcr, BinaryValue)
    assert orr.numerator_ids == ("SH01-002",)
    assert (orr.estimate.events, orr.estimate.n) == (1, 4)
    assert dcr.numerator_ids == ("SH01-001", "SH01-002", "SH01-003")
    assert [n.participant_id for n in orr.notes] == ["SH01-005"]
    bor = {t.participant_id: t.response for t in a.timelines}
    assert bor == {"SH01-001": "SD", "SH01-002": "PR", "SH01-003": "SD", "SH01-004": None, "SH01-005": "NE"}


def test_lesion_changes_give_the_series_and_the_best_change(protocol: Protocol) -> None:
    a = analyze_trial(trial=_trial().build(), protocol=protocol)
    changes = {c.participant_id: c for c in a.lesion_changes}
    # 002: 50 -> 30 (-40 %) on day 42, -> 28 (-44 %) on day 70.
    assert changes["SH01-002"].series == ((42, -40.0), (70, -44.0))
    assert changes["SH01-002"].best_pct == -44.0
    assert changes["SH01-002"].baseline_sum_mm == 50.0
    # 003: only the pre-surgery CT is in the window: 45 mm is -10 %.
    assert changes["SH01-003"].series == ((42, -10.0),)
    assert changes["SH01-005"].best_pct is None
