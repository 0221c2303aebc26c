"""Each registration decision (analysis.assignment) and each Part A cohort's BOIN decision
(analysis.interim) carries a code and parameters saying what its English says, for a shell
wording it in another language; the English is composed from them (analysis.reasons) and is
the sentence it always was (tests/analysis/test_assignment.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hipectrial.analysis.facts import collect_facts
from hipectrial.analysis.interim import boin_cohorts
from hipectrial.analysis.reasons import (
    AssignmentReason,
    CohortDecisionReason,
    ReasonPart,
    reason_english,
)
from hipectrial.design.boin import BoinReason
from hipectrial.design.dose_finding import StopReason
from hipectrial.phrases import ParamValue, Phrase
from hipectrial.protocol import Protocol

from .builders import TrialBuilder
from .test_assignment import _assign, _cohort, _ids, _part_a, _part_a_selects_level_1, _part_b


def _codes(value: ParamValue) -> Iterator[str]:
    """The codes of a phrase and of the phrases nested in it."""
    if isinstance(value, Phrase):
        yield value.code
        for _, v in value.params:
            yield from _codes(v)
    elif isinstance(value, tuple):
        for v in value:
            yield from _codes(v)


def _trials() -> dict[str, tuple[TrialBuilder, int]]:
    """Hand-built trials (tests/analysis/test_assignment.py's rules) and the day to ask on."""
    trials: dict[str, tuple[TrialBuilder, int]] = {"empty": (TrialBuilder(), 0)}
    t = TrialBuilder()
    _part_a(t, 1, "1", 0)
    trials["joins cohort 1"] = (t, 1)
    for name, on in (("windows known", 30), ("one window unknown", 22), ("no window known", 5)):
        t = TrialBuilder()
        _cohort(t, 1, "1", 0)
        trials[name] = (t, on)
    for dlts in (0, 2, 3):  # escalate; de-escalate at the lowest dose: stay; lowest dose too toxic
        t = TrialBuilder()
        _cohort(t, 1, "1", 0, dlts=dlts)
        trials[f"cohort 1 with {dlts} DLT"] = (t, 60)
    t = TrialBuilder()
    _part_a(t, 1, "1", 0)
    _part_a(t, 2, "1", 1)
    _part_a(t, 3, "1", 2, followed=False)
    trials["not followed"] = (t, 50)
    t = TrialBuilder()
    _cohort(t, 1, "1", 0)
    _part_a(t, 4, "1", 50)
    trials["another level than decided"] = (t, 51)
    t = TrialBuilder()
    _part_a(t, 1, "1", 0)
    _part_a(t, 2, "2", 60)
    trials["after an incomplete cohort"] = (t, 121)
    t = TrialBuilder()
    _part_a(t, 1, "1", 0)
    _cohort(t, 2, "2", 60)
    _part_a(t, 5, "2", 120)
    trials["after a cohort without decision"] = (t, 121)
    t = TrialBuilder()
    _part_a(t, 1, "1", 0)
    _cohort(t, 2, "2", 60)
    trials["incomplete cohort followed by others"] = (t, 120)
    t = TrialBuilder()
    _part_a_selects_level_1(t)
    trials["Part B opens"] = (t, 200)
    t = TrialBuilder()
    _part_a_selects_level_1(t)
    for k in range(48):
        _part_b(t, 100 + k, 200 + k)
    trials["Part B full"] = (t, 260)
    for r0 in (3, 4):
        t = TrialBuilder()
        _part_a_selects_level_1(t)
        for k in range(13):
            _part_b(t, 100 + k, 200 + k, r0=k < r0)
        trials[f"stage 1 with {r0} R0"] = (t, 400)
    for r0 in (2, 3, 4):  # futility certain, undecided, stage 2 certain
        t = TrialBuilder()
        _part_a_selects_level_1(t)
        for k in range(12):
            _part_b(t, 100 + k, 200 + k, r0=k < r0)
        _part_b(t, 112, 212)
        trials[f"stage 1 awaited with {r0} R0"] = (t, 400)
    return trials


@pytest.fixture(scope="module")
def assignments(protocol: Protocol):
    return {name: _assign(protocol, t, on) for name, (t, on) in _trials().items()}


def test_every_assignment_reason_is_its_code_and_parameters_said_in_english(protocol: Protocol, assignments):
    seen: set[str] = set()
    for name, a in assignments.items():
        assert a.reason == reason_english(protocol, a.reason_code, a.reason_params), name
        seen |= set(_codes(a.phrase))
    # every code the rules can reach (a full cohort without a decision and with no short
    # cohort before it cannot be built: ReasonPart.NO_DECISION; nor can a cohort stopped by
    # max_cohorts when the seed's max_n is max_cohorts x cohort_size)
    unreachable = {ReasonPart.NO_DECISION, CohortDecisionReason.MAX_COHORTS, CohortDecisionReason.AFTER_STOP}
    assert seen == (set(AssignmentReason) | set(ReasonPart) | set(CohortDecisionReason)) - unreachable


def test_the_wait_for_dlt_outcomes_says_who_is_pending_in_which_cohort(assignments):
    a = assignments["windows known"]
    assert a.reason_code is AssignmentReason.WAIT_DLT
    params = dict(a.reason_params)
    assert (params["cohort"], params["level"]) == ("1", "1")
    assert params["pending"] == tuple(
        Phrase(ReasonPart.PENDING_IN_COHORT, (("participant", pid), ("cohort", "1"))) for pid in _ids(1, 2, 3))
    # windows end on days 41-43 after 2025-01-06 (tests/analysis/builders.py day 0)
    assert params["windows"] == Phrase(ReasonPart.LAST_WINDOW_CLOSES, (("date", "2025-02-18"),))
    unknown = dict(assignments["one window unknown"].reason_params)["windows"]
    assert unknown == Phrase(ReasonPart.WINDOWS_PARTLY_KNOWN, (("date", "2025-02-17"), ("participants", _ids(3))))


def test_a_design_reason_is_nested_with_the_designs_own_words(assignments):
    params = dict(assignments["cohort 1 with 3 DLT"].reason_params)
    assert params["reason"] == Phrase(CohortDecisionReason.DESIGN, (("reason", StopReason.LOWEST_DOSE_TOO_TOXIC.value),))
    aside = dict(assignments["cohort 1 with 2 DLT"].reason_params)["aside"]
    assert aside == Phrase(ReasonPart.ASIDE, ((
        "reason", Phrase(CohortDecisionReason.DESIGN, (("reason", BoinReason.LOWEST_DOSE.value),))),))


def test_part_b_says_its_dose_level_by_id_and_its_counts(assignments):
    a = assignments["Part B opens"]
    assert a.reason_code is AssignmentReason.PART_B
    params = dict(a.reason_params)
    assert {k: params[k] for k in ("level", "cohort", "registered", "enrol", "look")} == {
        "level": "1", "cohort": "3", "registered": "0", "enrol": "48", "look": ""}


def test_every_cohort_decision_reason_is_its_code_and_parameters_said_in_english(protocol: Protocol):
    t = TrialBuilder()
    _part_a(t, 1, "1", 0)  # incomplete
    _cohort(t, 2, "2", 60, dlts=3)  # not decided: cohort 1 has no decision
    _cohort(t, 5, "1", 120, dlts=2)
    trial = t.build()
    facts = collect_facts(trial=trial, protocol=protocol)
    part_a = tuple(sorted(facts))
    cohorts = boin_cohorts(protocol=protocol, part_a=part_a, facts=facts, as_of=trial.generated_at.date())
    assert [c.reason_code for c in cohorts] == [CohortDecisionReason.INCOMPLETE, None, None]
    for c in cohorts:
        english = None if c.reason_code is None else reason_english(protocol, c.reason_code, c.reason_params)
        assert c.reason == english
    assert cohorts[0].reason == "incomplete: 1 of 3 registered, no decision"
