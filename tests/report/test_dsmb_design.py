"""The dose-finding history and the primary-endpoint note say what each cohort's state is, in
the right number (worked from the builder's days, as in tests/analysis/test_interim.py)."""

from __future__ import annotations

import pytest

from analysis.builders import TrialBuilder, day
from hipectrial.analysis.trial_analysis import analyze_trial
from hipectrial.protocol import Protocol, load_protocol
from hipectrial.report.document import Paragraph
from hipectrial.report.dsmb_design import cohort_history, primary_blocks, primary_table


@pytest.fixture(scope="module")
def protocol() -> Protocol:
    return load_protocol()


def _part_a(t: TrialBuilder, n: int, level: str, reg: int) -> None:
    """Registered on day ``reg``; induction cycle 1 on day reg + 21, so the DLT window ends on
    day reg + 41; followed to day reg + 45; no DLT."""
    t.participant(n, part="part_a", dose_level=level, registered=reg).hipec(reg + 2).cycle(reg + 21).alive(reg + 45)


def _decisions(protocol: Protocol, t: TrialBuilder, cutoff_day: int | None = None) -> list[str]:
    cutoff = day(cutoff_day) if cutoff_day is not None else None
    table = cohort_history(analyze_trial(trial=t.build(), protocol=protocol, cutoff=cutoff))
    return [str(row[-1]) for row in table.rows]


def test_a_cohort_in_its_window_is_pending_with_the_count_in_words(protocol: Protocol) -> None:
    t = TrialBuilder()
    for n in (1, 2, 3):
        _part_a(t, n, "1", n - 1)
    for n in (4, 5, 6):
        _part_a(t, n, "2", 56 + n)
    # Participants 5 and 6 (registered days 61, 62) have DLT windows ending on days 102 and 103:
    # at a cut-off on day 102 participant 6's outcome is pending, on day 101 both are.
    decisions = _decisions(protocol, t, cutoff_day=102)
    assert decisions[1] == "pending: 1 DLT outcome not yet known"
    assert _decisions(protocol, t, cutoff_day=101)[1] == "pending: 2 DLT outcomes not yet known"


def test_an_incomplete_cohort_with_every_outcome_known_is_no_decision_not_pending(protocol: Protocol) -> None:
    t = TrialBuilder()
    for n in (1, 2, 3, 4):
        _part_a(t, n, "1", n)
    # Cohort 1 (1-3) escalates at 0/3; cohort 2 is participant 4 alone, whose outcome is known.
    decisions = _decisions(protocol, t)
    assert decisions == ["escalate: next cohort at level 2", "incomplete: 1 of 3 registered, no decision"]


def test_the_primary_note_counts_participants_once_in_the_right_number(protocol: Protocol) -> None:
    t = TrialBuilder()
    # Treated, alive on day 60, no surgery decision recorded: one note ("surgery decision pending
    # at the cut-off: counted as not operated").
    t.participant(1, part="part_b", dose_level="1").hipec().alive(60)
    blocks = primary_blocks(analyze_trial(trial=t.build(), protocol=protocol))
    notes = [b.text for b in blocks if isinstance(b, Paragraph)]
    assert notes == ["1 participant of the designed population has a note (listed with the participants "
                     "behind the estimate in the appendix)."]


def test_the_primary_table_separates_participants_counted_from_outcomes_known(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1, part="part_b", dose_level="1").hipec().surgery(120).alive(150)     # R0
    t.participant(2, part="part_b", dose_level="1").hipec().alive(150, progression=90)  # settled, not R0
    t.participant(3, part="part_b", dose_level="1").hipec().alive(150)                  # pending
    rows = primary_table(analyze_trial(trial=t.build(), protocol=protocol)).rows
    # (population, participants, outcome known, R0): 3 registered, 2 known, 1 R0 in each; the
    # Simon looks wait for 13 and 43 (protocol), of whom 3 are registered so far.
    assert [row[:4] for row in rows[:3]] == [
        ("Part B ITT at the RP2D (level 1): the Simon design's population", 3, 2, 1),
        ("Simon stage 1: the first 13 Part B ITT at the RP2D", 3, 2, 1),
        ("Simon final analysis: the first 43 Part B ITT at the RP2D", 3, 2, 1)]
    assert rows[2][5] == ("41 of the 43 outcomes missing: 1 not yet known (SH01-003), 40 participants not yet "
                          "in the Part B ITT population")
