"""CONSORT flow, completeness of visits and labs (dose intensity: test_exposure.py)."""

from __future__ import annotations

import datetime as dt

from hipectrial.analysis.trial_analysis import analyze_trial
from hipectrial.data import FormRecord, Visit
from hipectrial.protocol import Protocol

from .builders import TrialBuilder, day


def test_consort_counts_and_reasons(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().second_look(78).surgery(110)
    # Screen failure with ECOG 2 on the screening forms: recomputed, criterion I07 fails.
    t.participant(2, registered=None, off_study_reason="screen_failure")
    t.visits.append(Visit("SH01-002", "screening", actual_date=day(-15)))
    t.forms.append(FormRecord("SH01-002", "ecog_assessment", "screening", values={"ecog": "2"}))
    t.participant(3, registered=None, off_study_reason="consent_withdrawn")      # eligible, not registered
    t.participant(4, off_study_reason="consent_withdrawn").hipec(given="0")      # registered, no HIPEC
    t.participant(5).hipec().died(40)                                           # HIPEC, died
    a = analyze_trial(trial=t.build(), protocol=protocol)
    steps = {s.step: s for s in a.consort}
    assert [s.n for s in a.consort] == [5, 4, 3, 2, 1, 1, 1]
    assert [(r.reason, r.participant_ids) for r in steps["screened"].not_continuing] == [
        ("failed I07", ("SH01-002",))]
    assert [(r.reason, r.participant_ids) for r in steps["eligible"].not_continuing] == [
        ("consent_withdrawn", ("SH01-003",))]
    assert [(r.reason, r.participant_ids) for r in steps["registered"].not_continuing] == [
        ("consent_withdrawn", ("SH01-004",))]
    assert [(r.reason, r.participant_ids) for r in steps["received HIPEC (ITT)"].not_continuing] == [
        ("death", ("SH01-005",))]


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


def test_accrual_by_site_and_month(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec()
    t.participant(2, registered=None, off_study_reason="screen_failure", consent=30)
    a = analyze_trial(trial=t.build(), protocol=protocol)
    assert [(r.key, r.screened, r.registered) for r in a.accrual.by_site] == [("SH01", 2, 1)]
    # Consents 2024-12-17 and 2025-02-05; registration 2025-01-06.
    assert [(r.key, r.screened, r.registered) for r in a.accrual.by_month] == [
        ("2024-12", 1, 0), ("2025-01", 0, 1), ("2025-02", 1, 0)]
    assert dt.date(2025, 1, 6) == day(0)
