"""The primary endpoint as designed: the Simon final analysis (who is counted, the decision,
the Simon-adjusted estimate) and the R0 rate in the designed population, by Part A dose level
and over all ITT participants.

Reference values are R's. The UMVUE and the one-sided p-value are clinfun 1.1.5
``twostage.inference`` (Jung & Kim 2004; Koyama & Chen 2008)::

    source("R/ph2simon.R")   # clinfun 1.1.5
    twostage.inference(x, r1 = 3, n1 = 13, n = 43, pu = 0.2, alpha = 0.025)
    #  x  pumvue          p.value
    #  3  0.2307692308    0.4983478198   (a stage-1 stop: x <= r1)
    # 12  0.36033544350   0.08246602655
    # 13  0.37070920696   0.04958144975
    # 14  0.38219262532   0.02678516457

The interval is the equal-tailed exact interval of the stage-wise ordering (Koyama & Chen
2008), in R by ``uniroot`` on its two tails (``tol = 1e-13``)::

    x1 <- 4:13
    ge <- function(p, x) sum(dbinom(x1, 13, p) * (1 - pbinom(x - x1 - 1, 30, p)))       # P(T >= x)
    le <- function(p, x) pbinom(3, 13, p) + sum(dbinom(x1, 13, p) * pbinom(x - x1, 30, p))  # P(T <= x)
    # x = 12: 0.1655811828 - 0.5387163236; 13: 0.1814913438 - 0.5400387325;
    # 14: 0.1982424688 - 0.5432997701 (simon_estimate's doctest: 0.1982 - 0.5433)

clinfun's own limits agree on the lower side to its 1e-4 grid (0.1656, 0.1815, 0.1983) but its
upper limit inverts ``P(T >= x) >= 1 - alpha``, i.e. ``P(T <= x - 1) <= alpha``: the upper limit
of ``x - 1`` (0.5382, 0.5387, 0.5400), which after a stage-1 stop is not the Clopper-Pearson
limit (3/13: clinfun 0.4544, binom.test 0.5381); we keep the equal-tailed limits.
"""

from __future__ import annotations

import dataclasses

import pytest

from hipectrial.analysis.facts import collect_facts
from hipectrial.analysis.labels import Labels
from hipectrial.analysis.primary import STOPPED_AT_STAGE_1, primary_endpoint, simon_population
from hipectrial.analysis.trial_analysis import analyze_trial
from hipectrial.data import ResidualTumour
from hipectrial.protocol import Protocol

from .builders import TrialBuilder


def _part_b(r0: set[int], n: int = 43, pending: tuple[int, ...] = ()) -> TrialBuilder:
    """Participant k registered on day k, HIPEC 2 days later, conversion surgery on day
    k + 110 (R0 when k is in ``r0``, else R1); the ``pending`` ones not operated yet."""
    t = TrialBuilder()
    for k in range(1, n + 1):
        p = t.participant(k, registered=k).hipec(k + 2)
        if k not in pending:
            p.surgery(k + 110, r=ResidualTumour.R0 if k in r0 else ResidualTumour.R1)
    return t


def _r0(x: int) -> set[int]:
    """x R0 resections: participants 1-4 (stage 1 passes with 4 > r1 = 3), then 14, 15, …"""
    return {1, 2, 3, 4, *range(14, 14 + x - 4)}


def _ids(*numbers: int) -> tuple[str, ...]:
    return tuple(f"SH01-{n:03d}" for n in numbers)


@pytest.mark.parametrize(("x", "decision", "reject", "umvue", "p", "lower", "upper", "cp_lower", "cp_upper"), [
    # binom.test(12, 43)$conf.int: 0.1532892329 0.4366869615
    (12, "do not reject H0", False, 0.36033544350, 0.08246602655, 0.1655811828, 0.5387163236,
     0.1532892329, 0.4366869615),
    # binom.test(13, 43)$conf.int: 0.1718249925 0.4612533057
    (13, "reject H0", True, 0.37070920696, 0.04958144975, 0.1814913438, 0.5400387325,
     0.1718249925, 0.4612533057),
    # binom.test(14, 43)$conf.int: 0.1907627520 0.4854397682
    (14, "reject H0", True, 0.38219262532, 0.02678516457, 0.1982424688, 0.5432997701,
     0.1907627520, 0.4854397682),
])
def test_final_analysis_rejects_h0_above_r(protocol: Protocol, x: int, decision: str, reject: bool,
                                           umvue: float, p: float, lower: float, upper: float,
                                           cp_lower: float, cp_upper: float) -> None:
    # Simon 3/13, 12/43 (PD §Study): reject H0 (p <= 0.20) when more than 12 R0 among 43.
    final = analyze_trial(trial=_part_b(_r0(x)).build(), protocol=protocol).primary.final
    assert (final.complete, final.stage, final.responses, final.decision, final.reject_h0) == (
        True, 2, x, decision, reject)
    assert final.participant_ids == _ids(*range(1, 44))
    assert final.missing == 0
    e = final.estimate
    assert e is not None
    assert (e.stage, e.responses, e.enrolled, e.p0) == (2, x, 43, 0.2)
    assert e.umvue == pytest.approx(umvue, abs=1e-10)
    assert e.p_value == pytest.approx(p, abs=1e-10)
    assert (e.ci_lower, e.ci_upper) == (pytest.approx(lower, abs=1e-9), pytest.approx(upper, abs=1e-9))
    assert (e.naive.events, e.naive.n, e.naive.proportion) == (x, 43, pytest.approx(x / 43))
    assert (e.naive.ci_lower, e.naive.ci_upper) == (pytest.approx(cp_lower, abs=1e-9),
                                                    pytest.approx(cp_upper, abs=1e-9))


def test_final_analysis_after_a_stage_1_stop_is_the_stage_1_result(protocol: Protocol) -> None:
    # 3 R0 among the first 13 -> stop; the 14th (registered anyway) is not counted.
    final = analyze_trial(trial=_part_b({1, 2, 3, 14}, n=14).build(), protocol=protocol).primary.final
    assert (final.complete, final.stage, final.responses, final.decision, final.reject_h0) == (
        True, 1, 3, STOPPED_AT_STAGE_1, False)
    assert final.participant_ids == _ids(*range(1, 14))
    e = final.estimate
    assert e is not None
    # UMVUE after a stage-1 stop is x1 / n1 = 3/13; the interval is Clopper-Pearson,
    # R: binom.test(3, 13)$conf.int -> 0.05038107349 0.53813153923; p: 1 - pbinom(2, 13, 0.2).
    assert (e.stage, e.enrolled, e.umvue) == (1, 13, pytest.approx(3 / 13))
    assert (e.ci_lower, e.ci_upper) == (pytest.approx(0.05038107349, abs=1e-10),
                                        pytest.approx(0.53813153923, abs=1e-10))
    assert e.p_value == pytest.approx(0.4983478198, abs=1e-10)


def test_final_analysis_counts_the_first_43_not_the_44th(protocol: Protocol) -> None:
    # 12 R0 among the first 43; the 44th is R0 too but not counted: H0 not rejected.
    final = analyze_trial(trial=_part_b({*_r0(12), 44}, n=44).build(), protocol=protocol).primary.final
    assert (final.responses, final.decision) == (12, "do not reject H0")
    assert "SH01-044" not in final.participant_ids


def test_final_analysis_is_not_yet_while_outcomes_are_missing(protocol: Protocol) -> None:
    final = analyze_trial(trial=_part_b(_r0(12), n=40, pending=(39,)).build(), protocol=protocol).primary.final
    # 3 not yet registered + participant 39 open = 4 missing.
    assert (final.complete, final.decision, final.missing, final.more_needed, final.pending_ids) == (
        False, "not yet", 4, 3, _ids(39))
    assert (final.estimate, final.stage, final.reject_h0) == (None, None, None)
    assert final.reasons[0] == ("4 of the 43 outcomes missing: 1 not yet known (SH01-039), 3 participants "
                                "not yet in the Part B ITT population")


def test_final_analysis_says_when_the_conclusion_is_certain(protocol: Protocol) -> None:
    certain = analyze_trial(trial=_part_b(_r0(13), pending=(43,)).build(), protocol=protocol).primary.final
    # 13 R0 among 42 known > r = 12: H0 is rejected whatever participant 43's outcome.
    assert (certain.decision, certain.reject_h0) == ("not yet", True)
    assert "rejecting H0 is certain" in certain.reasons[1]
    hopeless = analyze_trial(trial=_part_b(_r0(11), pending=(43,)).build(), protocol=protocol).primary.final
    # 11 + 1 open = 12 <= r: H0 cannot be rejected.
    assert (hopeless.decision, hopeless.reject_h0) == ("not yet", False)


# -- the designed population (Part B ITT at the RP2D), Part A by level, all ITT ----------------


def _mixed() -> TrialBuilder:
    t = TrialBuilder()
    t.participant(1, part="part_a", dose_level="1").hipec().surgery(110)                            # R0
    t.participant(2, part="part_a", dose_level="1").hipec().surgery(111, r=ResidualTumour.R1)
    t.participant(3, part="part_a", dose_level="2").hipec().surgery(112)                            # R0
    t.participant(4, part="part_a", dose_level="2")                                                 # no HIPEC
    t.participant(5, dose_level="2", registered=30).hipec(32).surgery(140)                          # R0
    t.participant(6, dose_level="2", registered=31).hipec(33).surgery(141, r=ResidualTumour.R2)
    t.participant(7, dose_level="2", registered=32).hipec(34)                                       # open
    t.participant(8, dose_level="1", registered=33).hipec(35).surgery(143)                          # R0, level 1
    return t


def test_primary_endpoint_in_the_designed_population(protocol: Protocol) -> None:
    trial = _mixed().build()
    a = analyze_trial(trial=trial, protocol=protocol)
    facts = collect_facts(trial=trial, protocol=protocol)
    dose_finding = dataclasses.replace(a.dose_finding, selected_level="2")
    simon = simon_population(protocol=protocol, populations=a.populations, facts=facts, dose_finding=dose_finding)
    primary = primary_endpoint(protocol=protocol, populations=a.populations, facts=facts,
                               dose_finding=dose_finding, simon=simon, stage1=a.simon, labels=Labels(protocol))
    assert (primary.endpoint_id, primary.rp2d) == ("r0-resection", "2")
    assert primary.rp2d_rule == "dose level 2, selected by Part A (BOIN)"
    designed = primary.designed
    # Part B ITT at level 2: 005 (R0), 006 (R2), 007 (open) -> 1/3;
    # R: binom.test(1, 3)$conf.int -> 0.00840375866 0.90570067595.
    assert (designed.numerator_ids, designed.denominator_ids) == (_ids(5), _ids(5, 6, 7))
    assert (designed.estimate.ci_lower, designed.estimate.ci_upper) == (
        pytest.approx(0.00840375866, abs=1e-10), pytest.approx(0.90570067595, abs=1e-10))
    notes = {n.participant_id: n.note for n in designed.notes}
    assert "pending" in notes["SH01-007"]
    assert notes["SH01-008"] == "Part B ITT at dose level 1, not the RP2D: left out"
    # Part A ITT by level: level 1 001 (R0), 002 -> 1/2; level 2 003 (R0) -> 1/1 (004 no HIPEC);
    # level 3 nobody.
    by_level = [(lv.level, lv.dose, lv.value.numerator_ids, lv.value.denominator_ids)
                for lv in primary.part_a_by_level]
    assert by_level == [("1", "75 mg/m2", _ids(1), _ids(1, 2)), ("2", "125 mg/m2", _ids(3), _ids(3)),
                        ("3", "175 mg/m2", (), ())]
    # All ITT: 001, 002, 003, 005, 006, 007, 008; R0 001, 003, 005, 008 -> 4/7;
    # R: binom.test(4, 7)$conf.int -> 0.1840515676 0.9010117216.
    itt = primary.all_itt
    assert (itt.population, itt.numerator_ids, itt.denominator_ids) == (
        "itt", _ids(1, 3, 5, 8), _ids(1, 2, 3, 5, 6, 7, 8))
    assert (itt.estimate.ci_lower, itt.estimate.ci_upper) == (
        pytest.approx(0.1840515676, abs=1e-10), pytest.approx(0.9010117216, abs=1e-10))


def test_without_a_selected_dose_the_rp2d_is_where_part_b_was_registered(protocol: Protocol) -> None:
    a = analyze_trial(trial=_mixed().build(), protocol=protocol)
    # Part A is not evaluable for DLTs (no cycles): no BOIN decision, no dose selected.
    assert a.dose_finding.selected_level is None
    assert a.primary.rp2d == "2"
    assert a.primary.rp2d_rule == ("no dose level selected by Part A: dose level 2, the level the Part B ITT "
                                   "participants were registered at (level 1 (1), level 2 (3); the most "
                                   "frequent, lowest first on a tie)")
    assert a.primary.designed.denominator_ids == _ids(5, 6, 7)


def test_a_tie_between_part_b_levels_takes_the_lower_and_no_part_b_gives_no_rp2d(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1, dose_level="2").hipec()
    t.participant(2, dose_level="1").hipec()
    assert analyze_trial(trial=t.build(), protocol=protocol).primary.rp2d == "1"
    t = TrialBuilder()
    t.participant(1, part="part_a", dose_level="1").hipec()
    primary = analyze_trial(trial=t.build(), protocol=protocol).primary
    assert (primary.rp2d, primary.designed.denominator_ids) == (None, ())
    assert primary.rp2d_rule == "no dose level selected by Part A and no Part B ITT participant: no RP2D"


def test_no_part_b_when_part_a_stops_without_a_dose(protocol: Protocol) -> None:
    t = TrialBuilder()
    for n in (1, 2, 3):  # 3 DLTs of 3 at level 1: lowest dose too toxic (BOIN elimination)
        t.participant(n, part="part_a", dose_level="1", registered=n).hipec(n + 2).cycle(n + 21).alive(
            n + 45).ae("Febrile neutropenia", 3, n + 30, dlt=True)
    final = analyze_trial(trial=t.build(), protocol=protocol).primary.final
    assert final.decision == "not yet"
    assert final.reasons[-1] == ("Part A stopped without selecting a dose (lowest dose too toxic): "
                                 "Part B does not open.")


def test_stage_1_the_final_analysis_and_the_designed_rate_count_one_population(protocol: Protocol) -> None:
    # _mixed: Part B ITT at level 2 (the level Part B was registered at most: 005, 006, 007) and
    # SH01-008 at level 1. The Simon look and final analysis count the designed population only.
    a = analyze_trial(trial=_mixed().build(), protocol=protocol)
    assert set(a.simon.participant_ids) == set(a.primary.designed.denominator_ids) == set(_ids(5, 6, 7))
    assert set(a.primary.final.participant_ids) == set(_ids(5, 6, 7))
