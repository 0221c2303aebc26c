"""Deaths: the listing, treatment-related and post-operative deaths, the summary, the
data-quality notes, and the seed-1 simulated trial recomputed from its records.

Days are counted from registration (``builders.day``); ``hipec()`` is the day-0 laparoscopy +
HIPEC on day 2 and ``cycle(21)`` a SOX + tislelizumab cycle on day 21. The seed protocol's
``mortality_at`` endpoints are at 30 and 90 days, so the horizons are (30, 90).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest

from hipectrial.analysis.deaths import DeathAnchor, DeathRow, Deaths, deaths, mortality_horizons
from hipectrial.analysis.trial_analysis import analyze_trial
from hipectrial.data import AeOutcome, Attribution, TrialData
from hipectrial.protocol import Protocol, load_protocol
from hipectrial.simulate import load_scenario, simulate_trial

from .builders import TrialBuilder, day, refused_facts


def _deaths(t: TrialBuilder, protocol: Protocol) -> Deaths:
    return analyze_trial(trial=t.build(), protocol=protocol).deaths


def _deaths_of_refused_data(t: TrialBuilder, protocol: Protocol) -> Deaths:
    """deaths() on records validate() refuses (analyze_trial never analyses them): the function
    must still say what is odd when called on unvalidated data."""
    facts, groups = refused_facts(t.build())
    return deaths(protocol=protocol, facts=facts, groups=groups)


def _row(d: Deaths, n: int) -> DeathRow:
    return next(r for r in d.rows if r.participant_id == f"SH01-{n:03d}")


def _noted(d: Deaths, n: int) -> list[str]:
    return [x.note for x in d.notes if x.participant_id == f"SH01-{n:03d}"]


def test_horizons_are_the_protocols_mortality_endpoints(protocol: Protocol) -> None:
    # protocols/hipec-pd1-sox.yaml: mortality-30d at_days 30, mortality-90d at_days 90
    assert mortality_horizons(protocol) == (30, 90)


def test_last_dose_horizons_include_day_n_and_exclude_day_n_plus_1(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().cycle(21).died(51)    # 51 - 21 = 30: within 30 and 90
    t.participant(2).hipec().cycle(21).died(52)    # 31: within 90 only
    t.participant(3).hipec().cycle(21).died(111)   # 90: within 90
    t.participant(4).hipec().cycle(21).died(112)   # 91: neither
    d = _deaths(t, protocol)
    assert [(r.last_dose.anchor_date, r.last_dose.days, r.last_dose.within) for r in d.rows] == [
        (day(21), 30, (30, 90)), (day(21), 31, (90,)), (day(21), 90, (90,)), (day(21), 91, ())]
    s = d.summary
    assert s.within_days(DeathAnchor.LAST_DOSE, 30).participant_ids == ("SH01-001",)
    assert s.within_days(DeathAnchor.LAST_DOSE, 90).participant_ids == ("SH01-001", "SH01-002", "SH01-003")
    # From the day-0 operation (day 2): 49, 50, 109, 110 days -> within 90: 001 and 002 only,
    # which makes them post-operative deaths (within 90 days of an operation).
    assert [r.day0_operation.days for r in d.rows] == [49, 50, 109, 110]
    assert s.within_days(DeathAnchor.DAY0_OPERATION, 90).participant_ids == ("SH01-001", "SH01-002")
    assert s.within_days(DeathAnchor.DAY0_OPERATION, 30).count == 0
    assert s.post_operative.participant_ids == ("SH01-001", "SH01-002")
    assert _row(d, 1).post_operative_by == ("day 49 after the day-0 laparoscopy + HIPEC (within 90 days)",)
    assert s.within_days(DeathAnchor.CONVERSION_SURGERY, 90).count == 0


def test_death_a_day_after_conversion_surgery_is_post_operative_and_needs_a_grade_5_ae(
        protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().cycle(21).surgery(120).died(121, cause="other_cause")
    d = _deaths(t, protocol)
    r = _row(d, 1)
    # conversion surgery day 120, death day 121: 1 day; last dose day 21: 100 days; day 0 (day 2): 119
    assert (r.conversion_surgery.days, r.conversion_surgery.within) == (1, (30, 90))
    assert (r.last_dose.days, r.last_dose.within) == (100, ())
    assert (r.day0_operation.days, r.day0_operation.within) == (119, ())
    assert r.post_operative
    assert r.post_operative_by == ("day 1 after conversion surgery (within 90 days)",)
    assert not r.treatment_related
    assert d.summary.within_days(DeathAnchor.OPERATION, 30).participant_ids == ("SH01-001",)
    # within 30 days of an operation and no grade-5 AE: listed for the data manager
    [note] = _noted(d, 1)
    assert "day 1 after conversion surgery" in note
    assert "no grade-5 adverse event" in note


def test_surgical_complication_cause_is_post_operative_at_any_time(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().cycle(21).surgery(120).died(300, cause="surgical_complication")
    d = _deaths(t, protocol)
    r = _row(d, 1)
    # 300 - 120 = 180 days after surgery: outside 90, but the cause says surgical complication
    assert r.conversion_surgery.days == 180
    assert r.post_operative_by == ("cause of death: Surgical or HIPEC complication",)
    assert d.summary.within_days(DeathAnchor.OPERATION, 90).count == 0
    assert any("cause: Surgical or HIPEC complication" in n for n in _noted(d, 1))


def test_treatment_toxicity_without_grade_5_ae_is_related_and_noted(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().cycle(21).died(200, cause="treatment_toxicity")
    d = _deaths(t, protocol)
    r = _row(d, 1)
    assert r.treatment_related
    assert r.treatment_related_by == ("cause of death: Toxicity of study treatment",)
    assert r.fatal_events == ()
    assert not r.post_operative  # 198 days after the day-0 operation, no conversion surgery
    assert d.summary.treatment_related.participant_ids == ("SH01-001",)
    [note] = _noted(d, 1)
    assert "cause: Toxicity of study treatment" in note
    assert "no grade-5 adverse event" in note


def test_related_grade_5_ae_makes_the_death_treatment_related_an_unrelated_one_does_not(
        protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().cycle(21).ae("Pneumonitis", 5, 150).died(150, cause="other_cause")
    t.participant(2).hipec().cycle(21).ae("Sepsis", 5, 160, related=False).died(160, cause="other_cause")
    # A grade-4 AE with outcome fatal is refused by validate() (CTCAE: fatal is grade 5); deaths()
    # still counts it as fatal when called on such data.
    t.participant(3).hipec().cycle(21).ae("Colitis", 4, 170, outcome=AeOutcome.FATAL, attribution={
        "tislelizumab": Attribution.POSSIBLE, "oxaliplatin": Attribution.UNLIKELY}).died(170, cause="other_cause")
    d = _deaths_of_refused_data(t, protocol)
    one, two, three = _row(d, 1), _row(d, 2), _row(d, 3)
    assert [(e.term, e.grade, e.related_agents) for e in one.fatal_events] == [("Pneumonitis", 5, ("oxaliplatin",))]
    assert one.treatment_related_by == ("grade 5 Pneumonitis at least possibly related to Oxaliplatin",)
    assert [(e.term, e.related_agents) for e in two.fatal_events] == [("Sepsis", ())]
    assert not two.treatment_related
    # outcome fatal counts as fatal whatever the grade; possible = at least possibly related,
    # unlikely is not
    assert three.treatment_related_by == ("grade 4 Colitis at least possibly related to Tislelizumab",)
    assert d.summary.treatment_related.participant_ids == ("SH01-001", "SH01-003")
    # a fatal AE is recorded for each: no "no grade-5 AE" note
    assert not any("no grade-5" in n.note for n in d.notes)


def test_participant_never_dosed_has_no_anchor(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).died(30)
    d = _deaths(t, protocol)
    r = _row(d, 1)
    assert (r.last_dose.anchor_date, r.last_dose.days, r.last_dose.within) == (None, None, ())
    assert r.day0_operation.days is None
    assert r.conversion_surgery.days is None
    assert not r.post_operative
    assert not r.treatment_related
    assert all(h.count == 0 for h in d.summary.within)
    assert d.summary.total.participant_ids == ("SH01-001",)


def test_two_contacts_reporting_one_death_count_once(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().cycle(21).died(300).died(300, contact=330)
    d = _deaths(t, protocol)
    assert [(r.participant_id, r.death_date) for r in d.rows] == [("SH01-001", day(300))]
    assert d.summary.total.count == 1
    assert _noted(d, 1) == []


def test_contacts_giving_different_death_dates_keep_the_earliest_and_say_so(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().cycle(21).died(305, contact=330).died(300, contact=310)
    d = _deaths_of_refused_data(t, protocol)   # validate(): the death dates differ
    assert [r.death_date for r in d.rows] == [day(300)]
    assert _noted(d, 1) == [f"follow-up contacts give different death dates ({day(300)}, {day(305)}): "
                            "the earliest is counted"]


def test_summary_by_cause_in_code_list_order_and_by_group(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1, part="part_a", dose_level="1").hipec().cycle(21).died(400)
    t.participant(2, part="part_a", dose_level="1").hipec().cycle(21).alive(400)
    t.participant(3, part="part_b").hipec().cycle(21).died(410, cause="other_cause")
    t.participant(4, part="part_b").hipec().cycle(21).died(420, cause=None)
    t.participant(5, part="part_b").hipec().cycle(21).died(430)
    t.participant(6, registered=None, off_study_reason="screen_failure")
    s = _deaths(t, protocol).summary
    # death-cause code list order: disease_progression, treatment_toxicity, surgical_complication,
    # other_cause, unknown; 001 and 005 progression, 003 other, 004 none
    assert [(c.category, c.participant_ids) for c in s.by_cause] == [
        ("disease_progression", ("SH01-001", "SH01-005")), ("treatment_toxicity", ()),
        ("surgical_complication", ()), ("other_cause", ("SH01-003",)), ("unknown", ())]
    assert s.without_cause.participant_ids == ("SH01-004",)
    assert s.total.count == 4
    # Part A level 1: 001, 002 (1 death); Part B level 2: 003, 004, 005 (3); all registered: 5 (4)
    assert [(g.group_id, g.n, g.count) for g in s.by_group] == [
        ("part_a-1", 2, 1), ("part_b-2", 3, 3), ("all", 5, 4)]


def test_death_without_cause_and_fatal_ae_without_death_are_noted(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().cycle(21).died(400, cause=None)
    t.participant(2).hipec().cycle(21).ae("Sepsis", 5, 60).alive(100)
    d = _deaths(t, protocol)
    assert _noted(d, 1) == ["death without a recorded cause"]
    assert _noted(d, 2) == [f"fatal adverse event Sepsis (grade 5, onset {day(60)}) but no death recorded"]


def test_horizons_follow_a_changed_protocol(protocol: Protocol) -> None:
    changed = protocol.model_copy(update={"endpoints": [
        e.model_copy(update={"at_days": 45}) if e.id == "mortality-30d" else e for e in protocol.endpoints]})
    t = TrialBuilder()
    t.participant(1).hipec().cycle(21).died(52)   # 31 days after the last dose (day 21)
    d = _deaths(t, changed)
    assert d.summary.horizons == (45, 90)
    assert _row(d, 1).last_dose.within == (45, 90)


# -- the seed-1 simulated trial, recomputed from its records -----------------------------------

@pytest.fixture(scope="module")
def seed1() -> TrialData:
    return simulate_trial(load_protocol(), load_scenario("default"), seed=1).trial


def _death_dates(trial: TrialData) -> dict[str, tuple[dt.date, str | None]]:
    deaths: dict[str, tuple[dt.date, str | None]] = {}
    for u in sorted(trial.follow_ups, key=lambda u: u.date):
        if u.death_date is not None:
            earlier = deaths.get(u.participant_id)
            if earlier is None or u.death_date < earlier[0]:
                deaths[u.participant_id] = (u.death_date, u.cause_of_death or (earlier[1] if earlier else None))
    return deaths


def test_seed1_deaths_recomputed_from_the_follow_ups(seed1: TrialData) -> None:
    protocol = load_protocol()
    a = analyze_trial(trial=seed1, protocol=protocol)
    truth = _death_dates(seed1)
    last_dose: dict[str, dt.date] = {}
    for dose in seed1.doses:
        if dose.given > 0:
            last_dose[dose.participant_id] = max(dose.date, last_dose.get(dose.participant_id, dose.date))
    s = a.deaths.summary
    assert len(truth) >= 20   # the seed-1 trial has deaths of several causes to check
    assert s.total.count == len(truth)
    assert set(s.total.participant_ids) == set(truth)
    causes = Counter(cause for _, cause in truth.values())
    assert {c.category: c.count for c in s.by_cause} == {
        code.code: causes.get(code.code, 0) for code in protocol.codelist("death-cause").items}
    assert s.without_cause.count == causes.get(None, 0)
    for horizon in (30, 90):
        expected = {pid for pid, (when, _) in truth.items()
                    if pid in last_dose and 0 <= (when - last_dose[pid]).days <= horizon}
        assert set(s.within_days(DeathAnchor.LAST_DOSE, horizon).participant_ids) == expected
    # conversion surgery within 30 days before the death: post-operative
    operated = {sg.participant_id: sg.date for sg in seed1.surgeries if sg.procedure == "conversion_surgery_hipec"}
    early = {pid for pid, (when, _) in truth.items() if pid in operated and 0 <= (when - operated[pid]).days <= 30}
    assert set(s.within_days(DeathAnchor.CONVERSION_SURGERY, 30).participant_ids) == early
    assert early <= set(s.post_operative.participant_ids)


def test_seed1_adverse_events_by_group_recomputed_from_the_records(seed1: TrialData) -> None:
    a = analyze_trial(trial=seed1, protocol=load_protocol())
    part = {r.participant_id: r.values["study_part"] for r in seed1.form_records if r.form_id == "registration"}
    treated = {d.participant_id for d in seed1.doses if d.given > 0}
    safety = [p for p in seed1.participants if p.registration_date is not None and p.id in treated]
    members: dict[str, set[str]] = defaultdict(set)
    for p in safety:
        members[f"{part[p.id]}-{p.dose_level}"].add(p.id)
        members["all"].add(p.id)
    for g in a.safety_tables.by_group:
        ids = members[g.group_id]
        assert g.n == len(ids)
        events = [ae for ae in seed1.adverse_events if ae.participant_id in ids]
        counts = {c.category: (c.participants, c.events) for c in g.summary}
        assert counts["Any adverse event"] == (len({ae.participant_id for ae in events}), len(events))
        severe = [ae for ae in events if ae.grade >= 3]
        assert counts["Grade ≥ 3"] == (len({ae.participant_id for ae in severe}), len(severe))
        serious = [ae for ae in events if ae.serious]
        assert counts["Serious"] == (len({ae.participant_id for ae in serious}), len(serious))
    assert {g.group_id for g in a.safety_tables.by_group} == set(members)


def test_cause_outside_the_code_list_and_a_dose_after_death_are_noted(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().cycle(21).died(300, cause="heart_attack")
    t.participant(2).hipec().cycle(21).dose("oxaliplatin", 42, cycle=2).died(40)
    d = _deaths_of_refused_data(t, protocol)   # validate(): a code outside death-cause, a dose after death
    assert [(c.category, c.participant_ids) for c in d.summary.unknown_causes] == [("heart_attack", ("SH01-001",))]
    assert sum(c.count for c in d.summary.by_cause) == 1   # 002 (disease_progression) only
    assert _noted(d, 1) == ["cause of death 'heart_attack' is not a code of the protocol's death-cause code list"]
    # last dose day 42, death day 40: -2 days, within no horizon
    assert (_row(d, 2).last_dose.days, _row(d, 2).last_dose.within) == (-2, ())
    assert _noted(d, 2) == [f"death on {day(40)} is before the last dose on {day(42)}: check the dates"]
