"""Prescriptions on the seed protocol against hand-worked examples.

Reference: shared/reference/protocol-decisions.md, "Treatment flow and timing" (oxaliplatin
130 mg/m2 day 1; S-1 by BSA band < 1.25 -> 40, 1.25 to < 1.50 -> 50, >= 1.50 -> 60 mg twice
daily days 1-14; tislelizumab 200 mg; trastuzumab 8 mg/kg cycle 1 then 6 mg/kg, reload at
8 mg/kg when a dose is more than 7 days late), "Dose calculation" (Mosteller rounded to 2
decimals half up; mg/m2 and mg/kg doses to the nearest 5 mg, halves up; S-1 capsules 20 and
25 mg; Cockcroft-Gault, creatinine umol/L / 88.4, x 0.85 for women; CrCl >= 60 full S-1, 30 to
< 60 one level lower, < 30 no S-1; recalculate at a weight change >= 10 %), "Dose levels"
(oxaliplatin 130 -> 100 -> 85; S-1 60 -> 50 -> 40, 50 -> 40 -> 25, 40 -> 25 -> stop; at
most two reductions) and "Study" (HIPEC paclitaxel L1 75, L2 125, L3 175 mg/m2).
The arithmetic of each expected value is in the comment beside it.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from hipectrial.clinical.dosing.inputs import (
    AgentState,
    AgentStatus,
    Cycle,
    DosingParticipant,
    ParticipantDoseState,
)
from hipectrial.clinical.dosing.prescribe import prescribe, prescribe_hipec
from hipectrial.clinical.dosing.result import DoseStatus
from hipectrial.clinical.dosing.rules import UnitCount, unit_combination
from hipectrial.errors import InputError, ProtocolError
from hipectrial.protocol import Protocol, load_protocol
from hipectrial.protocol.regimen import Cap

SEED = load_protocol()
INDUCTION_1 = Cycle(phase="induction", number=1)
D = Decimal


def person(**changes: object) -> DosingParticipant:
    """The reference participant: 170 cm, 65 kg man of 60, creatinine 88.4 umol/L (1.0 mg/dL).

    BSA sqrt(170 x 65 / 3600) = sqrt(3.069444) = 1.751983 -> 1.75 m2;
    CrCl (140 - 60) x 65 / (72 x 1.0) = 72.222 -> 72.2 mL/min (>= 60: full S-1).
    """
    values: dict[str, object] = {"cohort": "HER2-negative", "dose_level": "1", "sex": "male", "age_years": 60,
                                 "height_cm": 170, "weight_kg": 65, "creatinine": "88.4",
                                 "creatinine_unit": "umol/L"}
    values.update(changes)
    return DosingParticipant(**values)  # type: ignore[arg-type]


def young(height: object, weight: object, **changes: object) -> DosingParticipant:
    """A participant with a CrCl far above 60, so only the BSA band decides S-1:
    age 40, creatinine 0.5 mg/dL: CrCl = 100 x W / 36 >= 100 for W >= 36 kg."""
    return person(height_cm=height, weight_kg=weight, age_years=40, creatinine="0.5", creatinine_unit="mg/dL",
                  **changes)


def amounts(rx) -> dict[str, Decimal | None]:
    return {d.agent: d.amount_mg for d in rx.doses}


def with_dose(protocol: Protocol, agent_id: str, **update: object) -> Protocol:
    """A copy of ``protocol`` whose agent's dose rule has ``update`` applied."""
    agents = [a.model_copy(update={"dose": a.dose.model_copy(update=update)}) if a.id == agent_id else a
              for a in protocol.agents]
    return protocol.model_copy(update={"agents": agents})


# -- every cohort, every dose level ------------------------------------------------------------------


@pytest.mark.parametrize("level", ["1", "2", "3"])
def test_her2_negative_induction_cycle_1_at_every_level(level: str) -> None:
    rx = prescribe(protocol=SEED, participant=person(dose_level=level), cycle=INDUCTION_1)
    assert rx.bsa.bsa_m2 == D("1.75")
    assert rx.crcl.crcl_ml_min == D("72.2")
    assert amounts(rx) == {
        "oxaliplatin": D(230),  # 130 mg/m2 x 1.75 m2 = 227.5 -> 230 mg (half up)
        "s-1": D(60),  # 1.75 >= 1.50 -> 60 mg twice daily
        "tislelizumab": D(200),  # fixed
    }
    s1 = rx.dose("s-1")
    assert s1.units == (UnitCount(D(20), 3),)  # 60 = 3 x 20 mg
    assert (s1.times_per_day, s1.days, s1.daily_mg) == (2, tuple(range(1, 15)), D(120))
    assert s1.schedule == "twice daily, days 1-14"
    assert all(d.status is DoseStatus.GIVE for d in rx.doses)


@pytest.mark.parametrize("level", ["1", "2", "3"])
def test_her2_positive_adds_trastuzumab_loading_then_maintenance(level: str) -> None:
    participant = person(cohort="HER2-positive", dose_level=level)
    first = prescribe(protocol=SEED, participant=participant, cycle=INDUCTION_1)
    assert amounts(first) == {
        "oxaliplatin": D(230),  # 130 x 1.75 = 227.5 -> 230
        "s-1": D(60),
        "tislelizumab": D(200),
        "trastuzumab": D(520),  # loading 8 mg/kg x 65 kg = 520 mg
    }
    assert first.dose("trastuzumab").loading
    second = prescribe(protocol=SEED, participant=participant, cycle=Cycle(phase="induction", number=2))
    trastuzumab = second.dose("trastuzumab")
    assert trastuzumab.amount_mg == D(390)  # maintenance 6 mg/kg x 65 kg = 390 mg
    assert not trastuzumab.loading
    assert (trastuzumab.rate, trastuzumab.rate_unit) == (D(6), "mg/kg")


@pytest.mark.parametrize(
    ("cohort", "level", "expected"),
    [
        (cohort, level, expected)
        for cohort in ("HER2-negative", "HER2-positive")
        for level, expected in (
            ("1", D(130)),  # 75 mg/m2 x 1.75 m2 = 131.25 -> 130 mg
            ("2", D(220)),  # 125 x 1.75 = 218.75 -> 220 mg
            ("3", D(305)),  # 175 x 1.75 = 306.25 -> 305 mg
        )
    ],
)
@pytest.mark.parametrize("session", ["diagnostic-laparoscopy", "conversion-surgery"])
def test_hipec_paclitaxel_is_the_dose_level_times_bsa(cohort: str, level: str, expected: Decimal,
                                                      session: str) -> None:
    rx = prescribe_hipec(protocol=SEED, participant=person(cohort=cohort, dose_level=level), session=session)
    assert amounts(rx) == {"hipec-paclitaxel": expected}
    dose = rx.dose("hipec-paclitaxel")
    assert dose.rate_unit == "mg/m2"
    assert "3000 mL" in dose.schedule
    assert "43 degC" in dose.schedule
    assert rx.session == session
    assert rx.phase is None


def test_oxaliplatin_rounds_224_9_down_to_225() -> None:
    # 168 x 64 / 3600 = 2.986667; sqrt = 1.728197 -> 1.73 m2; 130 x 1.73 = 224.9 -> 225 mg
    rx = prescribe(protocol=SEED, participant=person(height_cm=168, weight_kg=64), cycle=INDUCTION_1)
    assert rx.bsa.bsa_m2 == D("1.73")
    oxaliplatin = rx.dose("oxaliplatin")
    assert oxaliplatin.amount_mg == D(225)
    assert "130 mg/m2 x 1.73 m2 = 224.9 mg" in oxaliplatin.steps
    assert "rounded to the nearest 5 mg (half_up): 224.9 -> 225 mg" in oxaliplatin.steps


@pytest.mark.parametrize(
    ("height", "weight", "agent", "expected"),
    [
        (150, "37.5", "oxaliplatin", D(165)),  # BSA 1.25; 130 x 1.25 = 162.5 -> 165 (half up)
        (162, 50, "oxaliplatin", D(195)),  # BSA 1.50; 130 x 1.5 = 195
        (170, 65, "oxaliplatin", D(230)),  # 227.5 -> 230 (half up)
    ],
)
def test_halves_round_up(height: object, weight: object, agent: str, expected: Decimal) -> None:
    rx = prescribe(protocol=SEED, participant=young(height, weight), cycle=INDUCTION_1)
    assert rx.dose(agent).amount_mg == expected


def test_hipec_half_rounds_up() -> None:
    # BSA 1.50 (162 cm, 50 kg: 8100 / 3600 = 2.25; sqrt 1.5); L1 75 x 1.5 = 112.5 -> 115 mg
    rx = prescribe_hipec(protocol=SEED, participant=young(162, 50), session="diagnostic-laparoscopy")
    assert rx.dose("hipec-paclitaxel").amount_mg == D(115)


# -- S-1 BSA bands: lower bound inclusive --------------------------------------------------------------


@pytest.mark.parametrize(
    ("height", "weight", "bsa", "dose", "units"),
    [
        (150, "37.2", "1.24", 40, ((20, 2),)),  # 5580 / 3600 = 1.55; sqrt 1.244990 -> 1.24: < 1.25 -> 40 = 2 x 20
        (150, "37.5", "1.25", 50, ((25, 2),)),  # 5625 / 3600 = 1.5625; sqrt 1.25: band 1.25 to < 1.50 -> 50 = 2 x 25
        (162, "49.3", "1.49", 50, ((25, 2),)),  # 7986.6 / 3600 = 2.218500; sqrt 1.489463 -> 1.49 -> 50
        (162, 50, "1.50", 60, ((20, 3),)),  # 8100 / 3600 = 2.25; sqrt 1.5: >= 1.50 -> 60 = 3 x 20
    ],
)
def test_s1_band_edges(height: object, weight: object, bsa: str, dose: int, units: tuple) -> None:
    rx = prescribe(protocol=SEED, participant=young(height, weight), cycle=INDUCTION_1)
    assert rx.bsa.bsa_m2 == D(bsa)
    assert rx.crcl.crcl_ml_min >= 60
    s1 = rx.dose("s-1")
    assert s1.amount_mg == D(dose)
    assert s1.units == tuple(UnitCount(D(s), n) for s, n in units)
    assert s1.reductions == 0


# -- S-1 and renal function ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weight", "crcl", "status", "dose", "rule"),
    [
        # man of 80, creatinine 1.0 mg/dL, 170 cm: CrCl = (140 - 80) x W / 72 = 60 x W / 72
        ("72", "60.0", DoseStatus.GIVE, D(60), None),  # 60 x 72 / 72 = 60.0: full; BSA sqrt(3.4) = 1.84 -> 60 mg
        ("71.88", "59.9", DoseStatus.GIVE, D(50), "s1-crcl-30-to-60"),  # 60 x 71.88 / 72 = 59.9: 60 -> 50 mg
        ("36", "30.0", DoseStatus.GIVE, D(40), "s1-crcl-30-to-60"),  # 30.0; BSA sqrt(1.7) = 1.30: 50 -> 40 mg
        ("35.88", "29.9", DoseStatus.HOLD, None, "s1-crcl-below-30"),  # 29.9 < 30: no S-1
    ],
)
def test_s1_renal_adjustment_from_the_protocol_rules(weight: str, crcl: str, status: DoseStatus,
                                                     dose: Decimal | None, rule: str | None) -> None:
    participant = person(age_years=80, weight_kg=weight, creatinine="1.0", creatinine_unit="mg/dL")
    rx = prescribe(protocol=SEED, participant=participant, cycle=INDUCTION_1)
    assert rx.crcl.crcl_ml_min == D(crcl)
    s1 = rx.dose("s-1")
    assert (s1.status, s1.amount_mg) == (status, dose)
    assert s1.rules == ((rule,) if rule else ())
    assert rx.rules_applied == s1.rules
    assert s1.new_reductions == (1 if rule == "s1-crcl-30-to-60" else 0)
    if rule == "s1-crcl-below-30":
        assert "S-1 is not given while CrCl < 30 mL/min" in (s1.reason or "")


def test_renal_reduction_is_applied_once() -> None:
    # CrCl 59.9 at cycle 2, the renal reduction already taken at cycle 1 (recorded: one
    # reduction and the rule in the history): still one level below the band, not two.
    state = ParticipantDoseState(agents={"s-1": AgentState(reductions=1)}, rule_history=frozenset({"s1-crcl-30-to-60"}))
    participant = person(age_years=80, weight_kg="71.88", creatinine="1.0", creatinine_unit="mg/dL", state=state)
    rx = prescribe(protocol=SEED, participant=participant, cycle=Cycle(phase="induction", number=2))
    s1 = rx.dose("s-1")
    assert (s1.amount_mg, s1.reductions, s1.new_reductions, s1.rules) == (D(50), 1, 0, ())


def test_crcl_of_a_woman_takes_the_female_factor() -> None:
    # (140 - 60) x 65 / 72 = 72.222 x 0.85 = 61.389 -> 61.4 mL/min: full S-1
    rx = prescribe(protocol=SEED, participant=person(sex="female", creatinine="1.0", creatinine_unit="mg/dL"),
                   cycle=INDUCTION_1)
    assert rx.crcl.crcl_ml_min == D("61.4")
    assert rx.dose("s-1").amount_mg == D(60)


# -- reductions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("height", "weight", "ladder"),
    [
        (150, "37.2", [D(40), D(25), None, None]),  # start 40 -> 25 -> stop
        (150, "37.5", [D(50), D(40), D(25), None]),  # start 50 -> 40 -> 25 -> stop (third reduction)
        (170, 65, [D(60), D(50), D(40), None]),  # start 60 -> 50 -> 40 -> stop (at most two reductions)
    ],
)
def test_s1_reductions_walk_down_from_the_band_dose(height: object, weight: object, ladder: list) -> None:
    for reductions, expected in enumerate(ladder):
        state = ParticipantDoseState(agents={"s-1": AgentState(reductions=reductions)})
        rx = prescribe(protocol=SEED, participant=young(height, weight, state=state), cycle=INDUCTION_1)
        s1 = rx.dose("s-1")
        assert s1.amount_mg == expected, reductions
        assert s1.status is (DoseStatus.GIVE if expected else DoseStatus.DISCONTINUED)


def test_s1_start_40_reduced_once_is_one_25_mg_capsule() -> None:
    state = ParticipantDoseState(agents={"s-1": AgentState(reductions=1)})
    s1 = prescribe(protocol=SEED, participant=young(150, "37.2", state=state), cycle=INDUCTION_1).dose("s-1")
    assert (s1.amount_mg, s1.units) == (D(25), (UnitCount(D(25), 1),))


@pytest.mark.parametrize(
    ("reductions", "expected"),
    [
        (1, D(175)),  # 100 mg/m2 x 1.75 = 175 mg
        (2, D(150)),  # 85 x 1.75 = 148.75 -> 150 mg
        (3, None),  # a third reduction: discontinued
    ],
)
def test_oxaliplatin_reductions(reductions: int, expected: Decimal | None) -> None:
    state = ParticipantDoseState(agents={"oxaliplatin": AgentState(reductions=reductions)})
    oxaliplatin = prescribe(protocol=SEED, participant=person(state=state), cycle=INDUCTION_1).dose("oxaliplatin")
    assert oxaliplatin.amount_mg == expected
    if expected is None:
        assert oxaliplatin.status is DoseStatus.DISCONTINUED
        assert any("exceed the protocol's maximum of 2" in s for s in oxaliplatin.steps)


def test_held_and_discontinued_agents_are_not_given() -> None:
    state = ParticipantDoseState(agents={"tislelizumab": AgentState(status=AgentStatus.HELD),
                              "oxaliplatin": AgentState(status=AgentStatus.DISCONTINUED)})
    rx = prescribe(protocol=SEED, participant=person(state=state), cycle=INDUCTION_1)
    assert (rx.dose("tislelizumab").status, rx.dose("tislelizumab").amount_mg) == (DoseStatus.HOLD, None)
    assert (rx.dose("oxaliplatin").status, rx.dose("oxaliplatin").amount_mg) == (DoseStatus.DISCONTINUED, None)
    assert rx.dose("s-1").amount_mg == D(60)


# -- trastuzumab reload -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_late", "expected", "loading"),
    [
        (0, D(390), False),  # on time: 6 x 65 = 390
        (7, D(390), False),  # exactly 7 days late: not more than 7, no reload
        (8, D(520), True),  # more than 7 days late: reload 8 x 65 = 520
    ],
)
def test_trastuzumab_reloads_only_when_more_than_7_days_late(days_late: int, expected: Decimal,
                                                             loading: bool) -> None:
    cycle = Cycle(phase="induction", number=3, days_late={"trastuzumab": days_late})
    dose = prescribe(protocol=SEED, participant=person(cohort="HER2-positive"), cycle=cycle).dose("trastuzumab")
    assert (dose.amount_mg, dose.loading) == (expected, loading)


def test_trastuzumab_first_dose_is_the_loading_dose_whenever_it_comes() -> None:
    # Not given at cycle 1 (e.g. held); the first dose at cycle 2 loads: 8 x 65 = 520
    state = ParticipantDoseState(agents={"trastuzumab": AgentState(doses_given=0)})
    rx = prescribe(protocol=SEED, participant=person(cohort="HER2-positive", state=state),
                   cycle=Cycle(phase="induction", number=2))
    assert rx.dose("trastuzumab").amount_mg == D(520)


# -- weight change -------------------------------------------------------------------------------------------


def test_doses_stay_on_the_dosing_weight_below_10_percent_change() -> None:
    # (64 - 70) / 70 = -8.57 % < 10 %: doses stay on 70 kg; BSA sqrt(170 x 70 / 3600) = 1.818119 -> 1.82;
    # oxaliplatin 130 x 1.82 = 236.6 -> 235 mg. CrCl uses this visit's 64 kg: 80 x 64 / 72 = 71.1
    rx = prescribe(protocol=SEED, participant=person(weight_kg=64, dosing_weight_kg=70), cycle=INDUCTION_1)
    assert (rx.recalculated, rx.dosing_weight_kg, rx.bsa.bsa_m2) == (False, D(70), D("1.82"))
    assert rx.weight is not None
    assert not rx.weight.recalculate
    assert rx.dose("oxaliplatin").amount_mg == D(235)
    assert rx.crcl.crcl_ml_min == D("71.1")


def test_doses_are_recalculated_at_10_percent_change() -> None:
    # (63 - 70) / 70 = -10 %: recalculate on 63 kg; sqrt(170 x 63 / 3600) = 1.724819 -> 1.72;
    # oxaliplatin 130 x 1.72 = 223.6 -> 225 mg
    rx = prescribe(protocol=SEED, participant=person(weight_kg=63, dosing_weight_kg=70), cycle=INDUCTION_1)
    assert (rx.recalculated, rx.dosing_weight_kg, rx.bsa.bsa_m2) == (True, D(63), D("1.72"))
    assert rx.dose("oxaliplatin").amount_mg == D(225)


# -- bad input -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("participant", "cycle", "agents", "field", "phrase"),
    [
        (person(cohort="HER2-low"), INDUCTION_1, None, "cohort", "one of HER2-negative, HER2-positive"),
        (person(dose_level="4"), INDUCTION_1, None, "dose_level", "one of 1, 2, 3"),
        (person(), Cycle(phase="salvage", number=1), None, "phase", "one of induction"),
        (person(), Cycle(phase="induction", number=4), None, "cycle", "at most 3"),
        (person(), Cycle(phase="induction", number=0), None, "cycle", "a cycle number >= 1"),
        (person(), INDUCTION_1, ["trastuzumab"], "agents", "an agent phase induction gives to cohort HER2-negative"),
        (person(cohort="HER2-positive"), Cycle(phase="adjuvant", number=1), ["trastuzumab"], "agents",
         "an agent phase adjuvant gives"),
        (person(), INDUCTION_1, ["hipec-paclitaxel"], "agents", "an agent phase induction gives"),
        (person(height_cm=1.7), INDUCTION_1, None, "height_cm", "this looks like metres"),
        (person(dosing_weight_kg=650), INDUCTION_1, None, "dosing_weight_kg", "in [25, 250] kg"),
        (person(creatinine_unit="mmol/L"), INDUCTION_1, None, "unit", "umol/L or mg/dL"),
        (person(state=ParticipantDoseState(agents={"cisplatin": AgentState()})), INDUCTION_1, None,
         "state.agents['cisplatin']", "an agent of the protocol"),
        (person(state=ParticipantDoseState(agents={"tislelizumab": AgentState(reductions=1)})), INDUCTION_1, None,
         "state.agents['tislelizumab'].reductions", "no dose levels"),
        (person(state=ParticipantDoseState(agents={"oxaliplatin": AgentState(reductions=-1)})), INDUCTION_1, None,
         "state.agents['oxaliplatin'].reductions", "a whole number >= 0"),
        (person(), Cycle(phase="induction", number=2, days_late={"cisplatin": 9}), None,
         "days_late['cisplatin']", "an agent of phase induction"),
    ],
)
def test_bad_input_names_the_field(participant: DosingParticipant, cycle: Cycle, agents: list[str] | None,
                                   field: str, phrase: str) -> None:
    with pytest.raises(InputError) as info:
        prescribe(protocol=SEED, participant=participant, cycle=cycle, agents=agents)
    assert info.value.field == field
    assert phrase in str(info.value)


def test_unknown_hipec_session_names_the_field() -> None:
    with pytest.raises(InputError) as info:
        prescribe_hipec(protocol=SEED, participant=person(), session="day-3")
    assert info.value.field == "session"
    assert "diagnostic-laparoscopy" in str(info.value)


def test_no_exact_capsule_combination_is_an_error_not_a_rounding() -> None:
    only_20 = with_dose(SEED, "s-1", strengths_mg=[D(20)])
    with pytest.raises(ProtocolError) as info:  # band 50 mg cannot be made of 20 mg capsules
        prescribe(protocol=only_20, participant=young(150, "37.5"), cycle=INDUCTION_1)
    assert "50 mg cannot be made exactly from the strengths 20 mg" in str(info.value)


def test_a_recorded_start_dose_off_the_protocol_is_refused() -> None:
    state = ParticipantDoseState(agents={"oxaliplatin": AgentState(start_dose=D(100))})
    with pytest.raises(InputError) as info:
        prescribe(protocol=SEED, participant=person(state=state), cycle=INDUCTION_1)
    assert info.value.field == "state.agents['oxaliplatin'].start_dose"


# -- caps and monotonicity (properties) ---------------------------------------------------------------------

heights = st.decimals(min_value=140, max_value=200, places=1)
weights = st.decimals(min_value=35, max_value=150, places=1)


@given(height=heights, weight=weights, reductions=st.integers(0, 3))
def test_a_dose_never_exceeds_the_protocol_cap(height: Decimal, weight: Decimal, reductions: int) -> None:
    capped = with_dose(SEED, "oxaliplatin", cap=Cap(amount=D(200), unit="mg"))
    capped = with_dose(capped, "trastuzumab", cap=Cap(amount=D(600), unit="mg"))
    capped = with_dose(capped, "s-1", cap=Cap(amount=D("1.40"), unit="m2"))
    state = ParticipantDoseState(agents={"oxaliplatin": AgentState(reductions=reductions)})
    participant = young(height, weight, cohort="HER2-positive", state=state)
    rx = prescribe(protocol=capped, participant=participant, cycle=INDUCTION_1)
    oxaliplatin, trastuzumab, s1 = (rx.dose(a) for a in ("oxaliplatin", "trastuzumab", "s-1"))
    assert oxaliplatin.amount_mg is None or oxaliplatin.amount_mg <= 200
    assert trastuzumab.amount_mg is not None
    assert trastuzumab.amount_mg <= 600
    # BSA capped at 1.40 m2 for S-1: never above the 1.25 to < 1.50 band dose
    assert s1.amount_mg is not None
    assert s1.amount_mg <= 50


@given(height=heights, weight=weights)
def test_more_reductions_never_give_a_larger_dose(height: Decimal, weight: Decimal) -> None:
    for agent in ("oxaliplatin", "s-1"):
        doses = []
        for reductions in range(4):
            state = ParticipantDoseState(agents={agent: AgentState(reductions=reductions)})
            dose = prescribe(protocol=SEED, participant=young(height, weight, state=state),
                             cycle=INDUCTION_1).dose(agent)
            doses.append(dose.amount_mg or D(0))
        assert doses == sorted(doses, reverse=True), (agent, doses)
        assert doses[3] == 0  # a third reduction always stops the agent


def slow_combination(amount: Decimal, strengths: list[Decimal]) -> tuple[UnitCount, ...] | None:
    """Every count vector up to 10 units of each strength: the exact ones with the fewest units,
    then the most of the larger strengths."""
    ordered = sorted(strengths, reverse=True)
    exact = [counts for counts in itertools.product(range(11), repeat=len(ordered))
             if sum(c * s for c, s in zip(counts, ordered, strict=True)) == amount]
    if not exact:
        return None
    best = min(exact, key=lambda counts: (sum(counts), tuple(-c for c in counts)))
    return tuple(UnitCount(s, c) for s, c in zip(ordered, best, strict=True) if c)


@given(amount=st.integers(1, 200).map(lambda n: D(n) * D(5) / D(2)),
       strengths=st.lists(st.sampled_from([D(10), D(20), D(25), D(50), D("2.5")]), min_size=1, max_size=3,
                          unique=True))
def test_capsule_combination_matches_a_slow_search(amount: Decimal, strengths: list[Decimal]) -> None:
    assume(amount / min(strengths) <= 10)  # within the slow search's range
    assert unit_combination(amount, strengths) == slow_combination(amount, strengths)
