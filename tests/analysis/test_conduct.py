"""Completeness of visits and labs (CONSORT: test_flow.py; dose intensity: test_exposure.py)."""

from __future__ import annotations

from hipectrial.analysis.trial_analysis import analyze_trial
from hipectrial.protocol import Protocol

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
