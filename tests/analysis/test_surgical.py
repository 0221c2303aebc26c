"""R0 resection, conversion, pCR, morbidity and mortality from hand-built trials."""

from __future__ import annotations

import pytest

from hipectrial.analysis.results import BinaryValue, CategoricalValue
from hipectrial.analysis.trial_analysis import analyze_trial
from hipectrial.data import ClavienDindo, Cytology, ResidualTumour
from hipectrial.protocol import Protocol
from hipectrial.protocol.endpoints import Population

from .builders import TrialBuilder, day


def _r0_trial() -> TrialBuilder:
    t = TrialBuilder()
    t.participant(1).hipec().surgery(110)                                    # R0, CC-0, CY0: R0
    t.participant(2).hipec().surgery(110, r=ResidualTumour.R1)               # operated, R1
    t.participant(3).hipec().surgery(110, cytology=Cytology.CY1)             # R0 recorded, CY1: counts R1
    t.participant(4).hipec(given="0")                                        # no HIPEC: not ITT
    t.participant(5).hipec().died(60)                                        # not operated (died)
    t.participant(6).hipec().surgery(110, cytology=None)                     # cytology missing: not R0
    t.participant(7).hipec()                                                 # still in induction: pending
    return t


def test_r0_counts_itt_and_operated_denominators(protocol: Protocol) -> None:
    a = analyze_trial(trial=_r0_trial().build(), protocol=protocol)
    assert a.populations[Population.ITT] == ("SH01-001", "SH01-002", "SH01-003", "SH01-005", "SH01-006", "SH01-007")
    assert a.populations[Population.OPERATED] == ("SH01-001", "SH01-002", "SH01-003", "SH01-006")
    r0 = a.endpoint("r0-resection")
    itt, operated = r0.value, r0.also_reported[0]
    assert isinstance(itt, BinaryValue)
    assert isinstance(operated, BinaryValue)
    # ITT: R0 only in 001; 6 ITT participants -> 1/6. R: binom.test(1, 6)$conf.int -> 0.00421074451449 0.64123457899767
    assert (itt.estimate.events, itt.estimate.n) == (1, 6)
    assert itt.numerator_ids == ("SH01-001",)
    assert itt.estimate.ci_lower == pytest.approx(0.00421074451449, abs=1e-12)
    assert itt.estimate.ci_upper == pytest.approx(0.64123457899767, abs=1e-12)
    # Operated: 1/4.
    assert (operated.estimate.events, operated.estimate.n, operated.population) == (1, 4, "operated")
    notes = {n.participant_id: n.note for n in itt.notes}
    assert "CY1 at surgery: counts as R1" in notes["SH01-003"]
    assert "cytology at surgery missing" in notes["SH01-006"]
    assert "pending" in notes["SH01-007"]
    assert "SH01-005" not in notes  # died: decided, a plain non-event


def test_conversion_rate_counts_conversion_operations(protocol: Protocol) -> None:
    a = analyze_trial(trial=_r0_trial().build(), protocol=protocol)
    value = a.endpoint("conversion-surgery-rate").value
    assert isinstance(value, BinaryValue)
    # Operated 001, 002, 003, 006 of ITT 6 -> 4/6.
    assert (value.estimate.events, value.estimate.n) == (4, 6)


def test_pcr_and_trg_read_the_surgery_pathology(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().surgery(110, pcr=True, trg="1a")
    t.participant(2).hipec().surgery(110, pcr=None, trg=None)
    t.participant(3).hipec()
    a = analyze_trial(trial=t.build(), protocol=protocol)
    pcr = a.endpoint("pcr")
    assert isinstance(pcr.value, BinaryValue)
    assert isinstance(pcr.also_reported[0], BinaryValue)
    # pCR 1 of 2 operated; 1 of 3 ITT; 002's unknown pCR is listed.
    assert (pcr.value.estimate.events, pcr.value.estimate.n) == (1, 2)
    assert (pcr.also_reported[0].estimate.events, pcr.also_reported[0].estimate.n) == (1, 3)
    assert [n.participant_id for n in pcr.value.notes] == ["SH01-002"]
    trg = a.endpoint("trg").value
    assert isinstance(trg, CategoricalValue)
    assert {c.category: c.count for c in trg.counts} == {"1a": 1, "1b": 0, "2": 0, "3": 0, "missing": 1}


def test_morbidity_takes_the_worst_grade_within_the_window(protocol: Protocol) -> None:
    t = TrialBuilder()
    # Surgery day 110: II on day +5, IIIb on day +40 (outside 30, inside 90).
    t.participant(1).hipec().surgery(110, complications=((ClavienDindo.II, 5), (ClavienDindo.IIIB, 40))).alive(300)
    t.participant(2).hipec().day0_complication(ClavienDindo.IIIA, 3).surgery(110).alive(300)
    a = analyze_trial(trial=t.build(), protocol=protocol)
    m30, m90 = a.endpoint("surgical-morbidity-30d"), a.endpoint("surgical-morbidity-90d")
    assert isinstance(m30.value, CategoricalValue)
    assert isinstance(m90.value, CategoricalValue)
    assert {p.participant_id: p.category for p in m30.value.participants} == {"SH01-001": "II", "SH01-002": "none"}
    assert {p.participant_id: p.category for p in m90.value.participants} == {"SH01-001": "IIIb", "SH01-002": "none"}
    day0 = m30.also_reported[0]
    assert isinstance(day0, CategoricalValue)
    assert {p.participant_id: p.category for p in day0.participants} == {"SH01-001": "none", "SH01-002": "IIIa"}


def test_mortality_counts_deaths_and_leaves_out_the_undetermined(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec(2).died(20)            # dies 18 days after HIPEC: a 30-day death
    t.participant(2).hipec(2).alive(200)          # known alive beyond 90 days
    t.participant(3).hipec(2).alive(20)           # known alive only to day 18 after HIPEC: undetermined
    a = analyze_trial(trial=t.build(), protocol=protocol)
    m30 = a.endpoint("mortality-30d").value
    assert isinstance(m30, BinaryValue)
    assert (m30.numerator_ids, m30.denominator_ids) == (("SH01-001",), ("SH01-001", "SH01-002"))
    assert [n.participant_id for n in m30.notes] == ["SH01-003"]


@pytest.mark.parametrize(("death_after_hipec", "counted"), [(30, True), (31, False), (29, True)])
def test_30_day_mortality_at_its_boundary(protocol: Protocol, death_after_hipec: int, counted: bool) -> None:
    # PD §Endpoints: death within 30 days of the day-0 HIPEC (HIPEC on day 2 here).
    t = TrialBuilder()
    t.participant(1).hipec(2).died(2 + death_after_hipec)
    m30 = analyze_trial(trial=t.build(), protocol=protocol).endpoint("mortality-30d").value
    assert isinstance(m30, BinaryValue)
    assert m30.numerator_ids == (("SH01-001",) if counted else ())
    assert m30.denominator_ids == ("SH01-001",)


@pytest.mark.parametrize(("onset_after_surgery", "category"), [(30, "IIIa"), (31, "none"), (29, "IIIa")])
def test_30_day_morbidity_at_its_boundary(protocol: Protocol, onset_after_surgery: int, category: str) -> None:
    t = TrialBuilder()
    t.participant(1).hipec().surgery(110, complications=((ClavienDindo.IIIA, onset_after_surgery),)).alive(300)
    m30 = analyze_trial(trial=t.build(), protocol=protocol).endpoint("surgical-morbidity-30d").value
    assert isinstance(m30, CategoricalValue)
    assert [p.category for p in m30.participants] == [category]


def test_each_participant_has_the_reason_they_count_or_not(protocol: Protocol) -> None:
    t = _r0_trial()
    t.participant(8).hipec().reevaluation(78, mdt=80)        # MDT decision on day 80: continue systemic
    a = analyze_trial(trial=t.build(), protocol=protocol)
    r0 = a.endpoint("r0-resection").value
    assert isinstance(r0, BinaryValue)
    surgery = day(110).isoformat()
    assert dict(r0.reasons) == {
        "SH01-001": f"conversion surgery {surgery}: R0, CC-0, CY0",
        "SH01-002": f"conversion surgery {surgery}: R1",
        "SH01-003": f"conversion surgery {surgery}: R0 recorded but CY1 at surgery: counts as R1",
        "SH01-005": f"not operated: died, {day(60).isoformat()}",
        "SH01-006": f"conversion surgery {surgery}: R0 recorded but cytology at surgery missing: not counted as R0",
        "SH01-007": "not operated: surgery decision pending at the cut-off",
        # mdt-decision code list: continue_systemic -> "Continue systemic therapy (not operated)"
        "SH01-008": f"not operated: MDT decision: Continue systemic therapy (not operated), {day(80).isoformat()}",
    }
    conversion = a.endpoint("conversion-surgery-rate").value
    assert isinstance(conversion, BinaryValue)
    assert conversion.reason("SH01-001") == f"conversion surgery {surgery}"
    assert conversion.reason("SH01-005") == f"not operated: died, {day(60).isoformat()}"
