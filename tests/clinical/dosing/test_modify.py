"""Dose-modification decisions on the seed protocol's rules, one category at a time.

Reference: shared/reference/protocol-decisions.md "Day-1 retreatment criteria" (ANC >= 1.5,
platelets >= 100, bilirubin <= 1.5 x ULN, AST/ALT <= 2.5 x ULN, CrCl >= 30, non-haematological
toxicity <= 1, sensory neuropathy <= 2; else delay one week; delay > 3 weeks stops the
responsible agent), "Dose modification" (neutropenia grade 3 first uncomplicated -> same
dose after recovery; recurrent grade 3, grade 4 or febrile -> -1 level of S-1 and
oxaliplatin; platelets grade 3 or 4 -> -1 level of both), "Dose levels" (permanent, at most
two, then stop; by attribution); clinical.md §2.4 (SOX table), §2.5 (immune-related AEs),
§1.3 (trastuzumab LVEF). Rule ids are the seed protocol's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import pytest

from hipectrial.clinical.dosing.inputs import (
    AgentState,
    AgentStatus,
    Attribution,
    LabFindings,
    ParticipantDoseState,
    ToxicityEvent,
)
from hipectrial.clinical.dosing.modify import decide_modifications
from hipectrial.clinical.dosing.modify_result import ModificationDecision
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol, Truth, load_protocol
from hipectrial.protocol.regimen import ActionKind, ModificationAction, Occurrence

SEED = load_protocol()
GIVE, DELAY, HOLD, REDUCE, STOP = (ActionKind.GIVE, ActionKind.DELAY, ActionKind.HOLD, ActionKind.REDUCE,
                                   ActionKind.DISCONTINUE)
POSSIBLE, PROBABLE, DEFINITE, UNLIKELY, UNRELATED = (Attribution.POSSIBLE, Attribution.PROBABLE,
                                                     Attribution.DEFINITE, Attribution.UNLIKELY,
                                                     Attribution.UNRELATED)
SOX = {"s-1": PROBABLE, "oxaliplatin": PROBABLE, "tislelizumab": UNLIKELY}
PD1 = {"tislelizumab": PROBABLE, "s-1": UNLIKELY, "oxaliplatin": UNLIKELY}

# Day-1 values that meet every retreatment criterion and fire no lab rule.
NORMAL: dict[str, object] = {
    "anc": 3.0, "platelets": 200.0, "bilirubin": 10.0, "bilirubin_uln": 21.0, "ast": 20.0, "ast_uln": 40.0,
    "alt": 20.0, "alt_uln": 40.0, "crcl": 80.0, "nonhaem_toxicity_grade": 0, "sensory_neuropathy_grade": 0,
    "lvef": 62.0, "lvef_lln": 50.0, "lvef_change": -2.0,
}


def event(term: str, grade: int, attribution: Mapping[str, Attribution] | None = None,
          occurrence: str | None = None, **qualifiers: bool) -> ToxicityEvent:
    return ToxicityEvent(term=term, grade=grade, attribution=attribution if attribution is not None else SOX,
                         occurrence=Occurrence(occurrence) if occurrence else None,
                         qualifiers={_QUALIFIERS[k]: v for k, v in qualifiers.items()})


# Short names for the seed rules' qualifier texts.
_QUALIFIERS = {
    "uncomplicated": "uncomplicated (no fever or infection)",
    "resolved": "resolved before the next cycle",
    "persisting": "persisting more than 7 days or at the next day 1",
    "still_grade_3": "still grade 3 when the next cycle is due",
    "immune_hepatitis": "immune-related hepatitis",
    "during_s1": "during S-1 days 1-14",
    "nephritis": "immune-related nephritis",
    "other_irae": "any other immune-related adverse event",
    "recurring_g3": "the same immune-related adverse event recurring at grade 3",
    "lvef_persisting": "persisting more than 8 weeks, or trastuzumab held for LVEF more than 3 times",
}


def decide(events: Sequence[ToxicityEvent] = (), labs: Mapping[str, object] | None = None,
           state: ParticipantDoseState | None = None, cohort: str = "HER2-negative", protocol: Protocol = SEED,
           lab_attribution: Mapping[str, Attribution] | None = None, **qualifiers: bool) -> ModificationDecision:
    values = dict(NORMAL)
    values.update(labs or {})
    findings = LabFindings(values={k: v for k, v in values.items() if v is not None},
                           attribution=lab_attribution or {},
                           qualifiers={_QUALIFIERS[k]: v for k, v in qualifiers.items()})
    return decide_modifications(protocol=protocol, cohort=cohort, state=state or ParticipantDoseState(), events=events,
                                labs=findings)


def actions(decision: ModificationDecision) -> dict[str, ActionKind]:
    return {d.agent: d.action for d in decision.agents}


# -- haematological ------------------------------------------------------------------------------------


def test_first_uncomplicated_grade_3_neutropenia_delays_at_the_same_dose() -> None:
    d = decide([event("Neutrophil count decreased", 3, occurrence="first", uncomplicated=True)])
    assert actions(d) == {"oxaliplatin": DELAY, "s-1": DELAY, "tislelizumab": GIVE}
    s1 = d.agent("s-1")
    assert s1.rules == ("neutropenia-g3-first",)
    assert (s1.reductions_after, s1.delay_days, s1.cumulative_delay_days) == (0, 7, 7)
    assert d.complete


def test_grade_3_neutropenia_without_the_qualifier_answered_is_reported_undecided() -> None:
    d = decide([event("Neutrophil count decreased", 3, occurrence="first")])
    s1 = d.agent("s-1")
    assert s1.action is GIVE
    assert s1.worst_case is DELAY
    (pending,) = s1.pending
    assert pending.rule == "neutropenia-g3-first"
    assert pending.truth is Truth.UNKNOWN
    assert pending.missing == ("qualifier 'uncomplicated (no fever or infection)'",)
    assert not d.complete


@pytest.mark.parametrize(
    ("term", "grade", "occurrence", "rule"),
    [
        ("Neutrophil count decreased", 3, "recurrent", "neutropenia-g3-recurrent"),
        ("Neutrophil count decreased", 4, "first", "neutropenia-g4"),
        ("Febrile neutropenia", 3, "first", "febrile-neutropenia"),
        ("Platelet count decreased", 3, "first", "thrombocytopenia-g3"),
        ("Platelet count decreased", 4, "first", "thrombocytopenia-g4"),
    ],
)
def test_haematological_events_reduce_s1_and_oxaliplatin_one_level(term: str, grade: int, occurrence: str,
                                                                    rule: str) -> None:
    d = decide([event(term, grade, occurrence=occurrence)])
    assert actions(d) == {"oxaliplatin": REDUCE, "s-1": REDUCE, "tislelizumab": GIVE}
    oxaliplatin = d.agent("oxaliplatin")
    assert oxaliplatin.rules == (rule,)
    assert (oxaliplatin.levels, oxaliplatin.reductions_after) == (1, 1)
    assert (oxaliplatin.dose_before, oxaliplatin.dose_after, oxaliplatin.dose_unit) == (
        Decimal(130), Decimal(100), "mg/m2")  # 130 -> 100 mg/m2
    assert rule in d.rules_applied


def test_grade_2_thrombocytopenia_delays_both() -> None:
    d = decide([event("Platelet count decreased", 2, occurrence="first")])
    assert actions(d) == {"oxaliplatin": DELAY, "s-1": DELAY, "tislelizumab": GIVE}


def test_within_cycle_cytopenia_holds_s1_whatever_the_attribution() -> None:
    d = decide(labs={"anc": 0.8}, during_s1=True)  # ANC 0.8 < 1.0 during days 1-14
    s1 = d.agent("s-1")
    assert s1.action is DELAY  # the day-1 ANC criterion fails too: delay outranks hold
    assert {f.rule for f in s1.fired} == {"s1-within-cycle-cytopenia", "retreatment"}
    d_mid = decide_modifications(protocol=SEED, cohort="HER2-negative", state=ParticipantDoseState(),
                                 labs=LabFindings(values={"anc": 0.8, "platelets": 150.0},
                                                  qualifiers={_QUALIFIERS["during_s1"]: True}),
                                 check_retreatment=False)
    assert d_mid.agent("s-1").action is HOLD
    assert d_mid.agent("oxaliplatin").action is GIVE


# -- renal ---------------------------------------------------------------------------------------------


def test_crcl_30_to_60_reduces_s1_once() -> None:
    d = decide(labs={"crcl": 45.0})
    s1 = d.agent("s-1")
    assert (s1.action, s1.levels, s1.rules) == (REDUCE, 1, ("s1-crcl-30-to-60",))
    again = decide(labs={"crcl": 45.0}, state=ParticipantDoseState(agents={"s-1": AgentState(reductions=1)},
                                                          rule_history=frozenset({"s1-crcl-30-to-60"})))
    assert again.agent("s-1").action is GIVE
    assert again.agent("s-1").reductions_after == 1  # permanent: stays one level down


def test_crcl_below_30_holds_s1_and_fails_the_day_1_criteria() -> None:
    d = decide(labs={"crcl": 29.9})
    s1 = d.agent("s-1")
    assert s1.action is DELAY  # CrCl >= 30 is a day-1 criterion: the cycle is delayed
    assert {f.rule for f in s1.fired} == {"s1-crcl-below-30", "retreatment"}
    assert d.retreatment is not None
    assert [c.id for c in d.retreatment.failed] == ["crcl"]


# -- gastrointestinal (diarrhoea, mucositis) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "grade", "occurrence", "s1", "oxaliplatin", "rule"),
    [
        ("Diarrhea", 2, "first", DELAY, GIVE, "diarrhoea-g2-first"),
        ("Diarrhea", 2, "recurrent", REDUCE, GIVE, "diarrhoea-g2-recurrent"),
        ("Diarrhea", 3, "first", REDUCE, REDUCE, "diarrhoea-g3"),
        ("Diarrhea", 4, "first", STOP, REDUCE, "diarrhoea-g4"),
        ("Mucositis oral", 2, "first", DELAY, GIVE, "stomatitis-g2-first"),
        ("Mucositis oral", 2, "recurrent", REDUCE, GIVE, "stomatitis-g2-recurrent"),
        ("Mucositis oral", 3, "first", REDUCE, REDUCE, "stomatitis-g3"),
    ],
)
def test_diarrhoea_and_mucositis(term: str, grade: int, occurrence: str, s1: ActionKind,
                                 oxaliplatin: ActionKind, rule: str) -> None:
    d = decide([event(term, grade, occurrence=occurrence)])
    assert actions(d) == {"oxaliplatin": oxaliplatin, "s-1": s1, "tislelizumab": GIVE}
    assert d.agent("s-1").rules == (rule,)


def test_diarrhoea_reduces_only_the_agents_it_is_attributed_to() -> None:
    d = decide([event("Diarrhea", 3, {"s-1": DEFINITE, "oxaliplatin": UNLIKELY}, "first")])
    assert actions(d) == {"oxaliplatin": GIVE, "s-1": REDUCE, "tislelizumab": GIVE}
    (skipped,) = d.agent("oxaliplatin").not_attributed
    assert (skipped.rule, skipped.truth) == ("diarrhoea-g3", Truth.FALSE)


def test_an_unrecorded_attribution_is_reported_not_assumed() -> None:
    d = decide([event("Diarrhea", 3, {"s-1": PROBABLE}, "first")])
    oxaliplatin = d.agent("oxaliplatin")
    assert (oxaliplatin.action, oxaliplatin.worst_case) == (GIVE, REDUCE)
    assert oxaliplatin.pending[0].missing == ("attribution to oxaliplatin",)
    assert not d.complete


def test_an_unrecorded_occurrence_is_reported() -> None:
    d = decide([event("Diarrhea", 2)])  # first (delay) or recurrent (reduce)?
    s1 = d.agent("s-1")
    assert {f.rule for f in s1.pending} == {"diarrhoea-g2-first", "diarrhoea-g2-recurrent"}
    assert (s1.action, s1.worst_case) == (GIVE, REDUCE)


# -- skin: hand-foot syndrome -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "occurrence", "s1", "rule"),
    [
        (2, "first", DELAY, "hand-foot-g2-first"),
        (2, "recurrent", REDUCE, "hand-foot-g2-recurrent"),
        (3, "first", REDUCE, "hand-foot-g3"),
    ],
)
def test_hand_foot_syndrome_modifies_s1_only(grade: int, occurrence: str, s1: ActionKind, rule: str) -> None:
    d = decide([event("Palmar-plantar erythrodysesthesia syndrome", grade, occurrence=occurrence)])
    assert actions(d) == {"oxaliplatin": GIVE, "s-1": s1, "tislelizumab": GIVE}
    assert d.agent("s-1").rules == (rule,)


# -- neurological: oxaliplatin neuropathy ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "qualifiers", "oxaliplatin", "rules"),
    [
        (2, {"resolved": True, "persisting": False}, GIVE, ("neuropathy-g2-resolved",)),
        (2, {"resolved": False, "persisting": True}, REDUCE, ("neuropathy-g2-persisting",)),
        (3, {"still_grade_3": False}, REDUCE, ("neuropathy-g3",)),
        (3, {"still_grade_3": True}, STOP, ("neuropathy-g3", "neuropathy-g3-persistent")),
        (4, {}, STOP, ("neuropathy-g4",)),
    ],
)
def test_sensory_neuropathy_modifies_oxaliplatin_only(grade: int, qualifiers: dict[str, bool],
                                                      oxaliplatin: ActionKind, rules: tuple[str, ...]) -> None:
    attribution = {"oxaliplatin": DEFINITE, "s-1": UNLIKELY, "tislelizumab": UNLIKELY}
    d = decide([event("Peripheral sensory neuropathy", grade, attribution, **qualifiers)])
    assert actions(d) == {"oxaliplatin": oxaliplatin, "s-1": GIVE, "tislelizumab": GIVE}
    assert d.agent("oxaliplatin").rules == rules
    assert d.complete


# -- hepatic -------------------------------------------------------------------------------------------------


def test_grade_3_transaminases_reduce_the_culprit_chemotherapy() -> None:
    # AST 220 U/L with ULN 40: 5.5 x ULN > 5 (CTCAE grade 3)
    d = decide(labs={"ast": 220.0}, lab_attribution={"oxaliplatin": POSSIBLE, "s-1": UNLIKELY,
                                                     "tislelizumab": UNRELATED}, immune_hepatitis=False)
    assert actions(d)["oxaliplatin"] is REDUCE
    assert actions(d)["s-1"] is DELAY  # AST 5.5 x ULN > 2.5 x ULN fails the day-1 criteria
    assert d.agent("oxaliplatin").rules[0] == "hepatotoxicity-chemo-g3"
    assert "hepatotoxicity-chemo-g3" not in d.agent("s-1").rules


@pytest.mark.parametrize(
    ("ast", "tislelizumab", "rule"),
    [
        (140.0, DELAY, "irae-hepatitis-withhold"),  # 3.5 x ULN: > 3, <= 8
        (340.0, STOP, "irae-hepatitis-discontinue"),  # 8.5 x ULN: > 8
    ],
)
def test_immune_hepatitis_holds_or_stops_tislelizumab(ast: float, tislelizumab: ActionKind, rule: str) -> None:
    d = decide(labs={"ast": ast}, lab_attribution={"tislelizumab": PROBABLE, "s-1": UNLIKELY,
                                                   "oxaliplatin": UNLIKELY}, immune_hepatitis=True)
    assert d.agent("tislelizumab").action is tislelizumab
    assert rule in d.agent("tislelizumab").rules


def test_hepatitis_qualifier_unanswered_is_reported() -> None:
    d = decide(labs={"ast": 140.0}, lab_attribution={"tislelizumab": PROBABLE})
    tislelizumab = d.agent("tislelizumab")
    assert {f.rule for f in tislelizumab.pending} == {"irae-hepatitis-withhold"}
    assert tislelizumab.worst_case is DELAY


def test_an_unknown_lab_condition_is_reported_with_what_is_missing() -> None:
    # platelets not measured: the within-cycle rule (anc < 1.0 || platelets < 50.0) and the
    # day-1 platelet criterion cannot be decided; ANC 1.2 does not decide the OR on its own.
    d = decide(labs={"anc": 1.2, "platelets": None}, during_s1=True)
    s1 = d.agent("s-1")
    pending = {f.rule: f for f in s1.pending}
    assert pending["s1-within-cycle-cytopenia"].missing == ("platelets",)
    assert pending["s1-within-cycle-cytopenia"].action is HOLD
    assert d.retreatment is not None
    assert d.retreatment.truth is Truth.FALSE  # ANC 1.2 < 1.5 already fails
    assert [c.id for c in d.retreatment.undecided] == ["platelets"]
    assert not d.complete
    assert any(f.rule == "s1-within-cycle-cytopenia" for f in d.unknown)


# -- immune-related: tislelizumab ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "grade", "qualifiers", "occurrence", "tislelizumab", "rule"),
    [
        ("Pneumonitis", 2, {}, None, DELAY, "pneumonitis-g2"),
        ("Pneumonitis", 3, {}, None, STOP, "pneumonitis-g3-4"),
        ("Colitis", 3, {}, None, DELAY, "colitis-g2-3"),
        ("Colitis", 4, {}, None, STOP, "colitis-g4"),
        ("Creatinine increased", 2, {"nephritis": True}, None, DELAY, "nephritis-g2-3"),
        ("Creatinine increased", 4, {"nephritis": True}, None, STOP, "nephritis-g4"),
        ("Hypothyroidism", 3, {}, None, DELAY, "hypothyroidism-g3-4"),
        ("Immune-related adverse event - Other", 3, {"other_irae": True, "recurring_g3": True}, "recurrent",
         STOP, "irae-recurrent-g3"),
    ],
)
def test_immune_related_events_hold_or_stop_tislelizumab_only(term: str, grade: int, qualifiers: dict[str, bool],
                                                             occurrence: str | None, tislelizumab: ActionKind,
                                                             rule: str) -> None:
    d = decide([event(term, grade, PD1, occurrence, **qualifiers)])
    assert actions(d) == {"oxaliplatin": GIVE, "s-1": GIVE, "tislelizumab": tislelizumab}
    assert rule in d.agent("tislelizumab").rules


def test_myocarditis_stops_tislelizumab_whatever_the_attribution() -> None:
    d = decide([event("Myocarditis", 2, {})])  # by_attribution: false
    assert d.agent("tislelizumab").action is STOP
    assert d.agent("tislelizumab").rules == ("myocarditis-g2-4",)


def test_oxaliplatin_hypersensitivity_grade_3_stops_oxaliplatin() -> None:
    d = decide([event("Allergic reaction", 3, {"oxaliplatin": DEFINITE, "s-1": UNRELATED,
                                               "tislelizumab": UNRELATED})])
    assert actions(d) == {"oxaliplatin": STOP, "s-1": GIVE, "tislelizumab": GIVE}


# -- cardiac: trastuzumab LVEF -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lvef", "change", "persisting", "trastuzumab"),
    [
        (55.0, -16.0, False, DELAY),  # absolute fall of 16 points
        (45.0, -10.0, False, DELAY),  # below LLN 50 with a fall of 10 points
        (52.0, -10.0, False, GIVE),  # fall of 10 but not below the LLN
        (48.0, -9.0, False, GIVE),  # below the LLN but a fall under 10
        (45.0, -12.0, True, STOP),  # the fall persisting > 8 weeks
    ],
)
def test_lvef_fall_holds_or_stops_trastuzumab(lvef: float, change: float, persisting: bool,
                                              trastuzumab: ActionKind) -> None:
    d = decide(labs={"lvef": lvef, "lvef_change": change}, cohort="HER2-positive", lvef_persisting=persisting)
    assert actions(d) == {"oxaliplatin": GIVE, "s-1": GIVE, "tislelizumab": GIVE, "trastuzumab": trastuzumab}


def test_lvef_not_measured_is_reported_for_her2_positive_only() -> None:
    d = decide(labs={"lvef": None, "lvef_change": None, "lvef_lln": None}, cohort="HER2-positive")
    trastuzumab = d.agent("trastuzumab")
    assert trastuzumab.action is GIVE
    assert {f.rule for f in trastuzumab.pending} == {"trastuzumab-lvef-hold", "trastuzumab-lvef-persistent"}
    negative = decide(labs={"lvef": None, "lvef_change": None, "lvef_lln": None})
    assert "trastuzumab" not in actions(negative)
    assert negative.complete


# -- conflicts, permanence, maximum reductions ----------------------------------------------------------------


def test_conflicting_rules_pick_the_safer_action() -> None:
    d = decide([event("Neutrophil count decreased", 4, occurrence="first"),
                event("Diarrhea", 4, {"s-1": DEFINITE, "oxaliplatin": UNLIKELY}, "first")])
    s1 = d.agent("s-1")
    assert s1.action is STOP  # discontinue (diarrhoea-g4) beats reduce (neutropenia-g4)
    assert set(s1.rules) == {"neutropenia-g4", "diarrhoea-g4"}
    assert any("precedence discontinue > reduce" in step for step in s1.steps)


def test_give_rule_yields_to_a_reduction() -> None:
    d = decide([event("Peripheral sensory neuropathy", 2, {"oxaliplatin": DEFINITE}, resolved=True,
                      persisting=False),
                event("Diarrhea", 3, {"oxaliplatin": POSSIBLE, "s-1": POSSIBLE}, "first")])
    assert d.agent("oxaliplatin").action is REDUCE
    assert set(d.agent("oxaliplatin").rules) == {"neuropathy-g2-resolved", "diarrhoea-g3"}


def test_of_two_reductions_the_larger_is_taken() -> None:
    rules = [r.model_copy(update={"actions": {**r.actions, "s-1": ModificationAction(action=REDUCE, levels=2)}})
             if r.id == "neutropenia-g4" else r for r in SEED.dose_modifications.rules]
    protocol = SEED.model_copy(update={"dose_modifications": SEED.dose_modifications.model_copy(
        update={"rules": rules})})
    d = decide([event("Neutrophil count decreased", 4, occurrence="first"),
                event("Palmar-plantar erythrodysesthesia syndrome", 3, occurrence="first")],
               protocol=protocol, state=ParticipantDoseState(agents={"s-1": AgentState(start_dose=Decimal(60))}))
    s1 = d.agent("s-1")
    assert (s1.action, s1.levels, s1.reductions_after, s1.dose_after) == (REDUCE, 2, 2, Decimal(40))  # 60 -> 40


def test_reduce_and_delay_together_reduce_after_the_delay() -> None:
    d = decide([event("Palmar-plantar erythrodysesthesia syndrome", 3, occurrence="first")],
               labs={"anc": 1.2})
    s1 = d.agent("s-1")
    assert (s1.action, s1.delay_days) == (REDUCE, 7)


def test_a_reduction_beyond_the_maximum_discontinues() -> None:
    state = ParticipantDoseState(agents={"oxaliplatin": AgentState(reductions=2)})
    d = decide([event("Neutrophil count decreased", 4, occurrence="first")], state=state)
    oxaliplatin = d.agent("oxaliplatin")
    assert (oxaliplatin.action, oxaliplatin.reductions_before, oxaliplatin.reductions_after) == (STOP, 2, 3)
    assert any("exceed the protocol's maximum of 2" in s for s in oxaliplatin.steps)


@pytest.mark.parametrize(
    ("start", "before", "action", "after"),
    [
        (40, 1, STOP, None),  # 40 -> 25 -> (no rung): stop
        (50, 1, REDUCE, Decimal(25)),  # 50 -> 40 -> 25
        (60, 1, REDUCE, Decimal(40)),  # 60 -> 50 -> 40
    ],
)
def test_s1_reduction_follows_its_start_rung(start: int, before: int, action: ActionKind,
                                             after: Decimal | None) -> None:
    state = ParticipantDoseState(agents={"s-1": AgentState(reductions=before, start_dose=Decimal(start))})
    d = decide([event("Palmar-plantar erythrodysesthesia syndrome", 3, occurrence="first")], state=state)
    assert (d.agent("s-1").action, d.agent("s-1").dose_after) == (action, after)


def test_reductions_are_permanent() -> None:
    state = ParticipantDoseState(agents={"oxaliplatin": AgentState(reductions=1)})
    oxaliplatin = decide(state=state).agent("oxaliplatin")
    assert (oxaliplatin.action, oxaliplatin.reductions_after, oxaliplatin.dose_after) == (GIVE, 1, Decimal(100))


def test_a_discontinued_agent_stays_discontinued() -> None:
    state = ParticipantDoseState(agents={"oxaliplatin": AgentState(status=AgentStatus.DISCONTINUED, reductions=2)})
    d = decide([event("Neutrophil count decreased", 3, occurrence="first", uncomplicated=True)], state=state)
    assert d.agent("oxaliplatin").action is STOP
    assert d.agent("oxaliplatin").fired == ()


# -- day-1 retreatment -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("labs", "met"),
    [
        ({}, True),
        ({"anc": 1.5}, True),  # >= 1.5 holds at the limit
        ({"anc": 1.4}, False),
        ({"platelets": 100.0}, True),
        ({"platelets": 99.0}, False),
        ({"bilirubin": 31.5}, True),  # 31.5 / 21 = 1.5 x ULN exactly
        ({"bilirubin": 31.6}, False),
        ({"alt": 100.0}, True),  # 100 / 40 = 2.5 x ULN exactly
        ({"alt": 101.0}, False),
        ({"crcl": 30.0}, True),
        ({"nonhaem_toxicity_grade": 2}, False),
        ({"sensory_neuropathy_grade": 2}, True),  # neuropathy <= 2 is allowed
        ({"sensory_neuropathy_grade": 3}, False),
    ],
)
def test_day_1_retreatment_criteria_at_their_limits(labs: dict[str, object], met: bool) -> None:
    d = decide(labs=labs)
    assert d.retreatment is not None
    assert d.retreatment.truth is (Truth.TRUE if met else Truth.FALSE)
    expected = GIVE if met else DELAY
    assert d.agent("tislelizumab").action is expected
    assert d.agent("tislelizumab").delay_days == (0 if met else 7)


def test_delay_up_to_the_maximum_then_stop_the_responsible_agent() -> None:
    within = ParticipantDoseState(agents={a: AgentState(delay_days=14) for a in ("s-1", "oxaliplatin", "tislelizumab")})
    d = decide(labs={"anc": 1.2}, state=within)  # 14 + 7 = 21, not more than 21: delay
    assert actions(d) == {"oxaliplatin": DELAY, "s-1": DELAY, "tislelizumab": DELAY}
    assert d.agent("s-1").cumulative_delay_days == 21
    beyond = ParticipantDoseState(agents={a: AgentState(delay_days=21) for a in ("s-1", "oxaliplatin", "tislelizumab")})
    d = decide(labs={"anc": 1.2}, state=beyond, lab_attribution={"s-1": PROBABLE, "oxaliplatin": UNLIKELY})
    # 21 + 7 = 28 > 21: the agent the neutropenia is attributed to stops; oxaliplatin waits;
    # tislelizumab's attribution is not recorded: reported, worst case stop
    assert actions(d) == {"oxaliplatin": DELAY, "s-1": STOP, "tislelizumab": DELAY}
    assert d.agent("s-1").rules == ("retreatment", "retreatment-max-delay")
    assert [f.rule for f in d.agent("oxaliplatin").not_attributed] == ["retreatment-max-delay"]
    assert d.agent("oxaliplatin").cumulative_delay_days == 28
    tislelizumab = d.agent("tislelizumab")
    assert (tislelizumab.worst_case, tislelizumab.pending[0].rule) == (STOP, "retreatment-max-delay")


def test_undecidable_retreatment_is_reported() -> None:
    d = decide(labs={"anc": None})
    assert d.retreatment is not None
    assert d.retreatment.truth is Truth.UNKNOWN
    assert [c.id for c in d.retreatment.undecided] == ["anc"]
    assert d.agent("s-1").worst_case is DELAY
    assert not d.complete


# -- other ---------------------------------------------------------------------------------------------------


def test_an_event_no_rule_is_about_is_listed() -> None:
    d = decide([event("Vomiting", 3)])
    assert d.unmatched_events == ("Vomiting grade 3",)
    assert actions(d) == {"oxaliplatin": GIVE, "s-1": GIVE, "tislelizumab": GIVE}


def test_phase_limits_the_agents() -> None:
    d = decide_modifications(protocol=SEED, cohort="HER2-positive", state=ParticipantDoseState(),
                             labs=LabFindings(values=NORMAL), phase="maintenance-not-operated")
    assert [a.agent for a in d.agents] == ["s-1", "tislelizumab"]


@pytest.mark.parametrize(
    ("kwargs", "field", "phrase"),
    [
        ({"cohort": "HER2-low"}, "cohort", "one of HER2-negative, HER2-positive"),
        ({"phase": "salvage"}, "phase", "one of induction"),
        ({"events": [ToxicityEvent(term="Diarrhea", grade=6)]}, "events[0].grade", "from 1 to 5"),
        ({"events": [ToxicityEvent(term="Diarrhea", grade=2, attribution={"cisplatin": POSSIBLE})]},
         "events[0].attribution['cisplatin']", "an agent of the protocol"),
        ({"events": [ToxicityEvent(term="Diarrhea", grade=2, attribution={"s-1": "possible"})]},  # type: ignore[dict-item]
         "events[0].attribution['s-1']", "one of unrelated"),
        ({"labs": LabFindings(values={"neutrophils": 1.0})}, "labs.values['neutrophils']",
         "a variable the protocol declares"),
        ({"state": ParticipantDoseState(rule_history=frozenset({"no-such-rule"}))}, "state.rule_history", "ids of the protocol"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, object], field: str, phrase: str) -> None:
    arguments: dict[str, object] = {"protocol": SEED, "cohort": "HER2-negative", "state": ParticipantDoseState()}
    arguments.update(kwargs)
    with pytest.raises(InputError) as info:
        decide_modifications(**arguments)  # type: ignore[arg-type]
    assert info.value.field == field
    assert phrase in str(info.value)


# -- lab conditions without words for the false ones --------------------------------------------------


@pytest.mark.parametrize(("labs", "truth"), [
    ({"anc": 0.9, "platelets": 200.0}, Truth.TRUE),     # anc < 1.0
    ({"anc": 1.0, "platelets": 50.0}, Truth.FALSE),     # both exactly at their limits: not below
    ({"anc": 1.2}, Truth.UNKNOWN),                      # platelets missing decides the OR
])
def test_a_lab_condition_has_the_same_truth_with_or_without_words_for_false(
        labs: dict[str, object], truth: Truth) -> None:
    from hipectrial.clinical.dosing.conditions import lab_verdict

    rule = next(r for r in SEED.dose_modifications.rules if r.id == "s1-within-cycle-cytopenia")
    during_s1 = {"during S-1 days 1-14": True}  # the rule's qualifier, answered
    explained = lab_verdict(SEED, rule, labs, during_s1, frozenset())
    terse = lab_verdict(SEED, rule, labs, during_s1, frozenset(), explain_false=False)
    assert explained.truth is terse.truth is truth
    if truth is Truth.FALSE:
        assert "does not hold" in explained.because
        assert terse.because == ""
    else:
        assert terse == explained
