"""CONSORT flow, completeness of visits and labs, and dose intensity."""

from __future__ import annotations

import pytest

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


def test_relative_dose_intensity_worked_example(protocol: Protocol) -> None:
    t = TrialBuilder()
    p = t.participant(1).hipec()
    # Oxaliplatin: C1 220 mg (the starting dose), C2 170 mg (reduced), C3 withheld (0 mg).
    p.dose("oxaliplatin", 23, cycle=1, given="220", prescribed="220")
    p.dose("oxaliplatin", 44, cycle=2, given="170", prescribed="170", reason="reduced one level")
    p.dose("oxaliplatin", 70, cycle=3, given="0", prescribed="170", reason="withheld")
    a = analyze_trial(trial=t.build(), protocol=protocol)
    ox = next(e for e in a.exposure if e.agent == "oxaliplatin")
    (row,) = ox.participants
    # RDI = (220 + 170 + 0) / (3 x 220) = 390 / 660 = 0.590909...
    assert row.rdi == pytest.approx(390 / 660)
    # 170 <= 0.9 x 220 = 198: one reduction; 2 cycles given; C3 came 26 days after C2 (> 21 + 3): 1 delay.
    assert (row.cycles, row.reductions, row.delays) == (2, 1, 1)
    assert (ox.treated, ox.participants_with_reduction) == (1, 1)
