"""CONSORT flow by part and dose level, treatment and follow-up status, accrual by month with its
pauses, data currency per site, and the baseline table by part."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hipectrial.analysis.trial_analysis import analyze_trial
from hipectrial.data import FormRecord, Provenance, Site, Visit
from hipectrial.protocol import Protocol

from .builders import GENERATED, REG, TrialBuilder, day


def _flow_trial() -> TrialBuilder:
    t = TrialBuilder()
    t.participant(1).hipec().second_look(78).surgery(110)
    # Screen failure with ECOG 2 on the screening forms: recomputed, criterion I07 fails.
    t.participant(2, registered=None, off_study_reason="screen_failure")
    t.visits.append(Visit("SH01-002", "screening", actual_date=day(-15)))
    t.forms.append(FormRecord("SH01-002", "ecog_assessment", "screening", values={"ecog": "2"}))
    t.participant(3, registered=None, off_study_reason="consent_withdrawn")      # eligible, not registered
    t.participant(4, off_study_reason="consent_withdrawn").hipec(given="0")      # registered, no HIPEC
    t.participant(5, part="part_a", dose_level="1").hipec().died(40)             # HIPEC, died
    return t


def test_consort_counts_reasons_in_the_protocols_words_and_groups(protocol: Protocol) -> None:
    a = analyze_trial(trial=_flow_trial().build(), protocol=protocol)
    steps = {s.step: s for s in a.consort}
    assert [s.n for s in a.consort] == [5, 4, 3, 2, 1, 1, 1]
    assert [(r.reason, r.participant_ids) for r in steps["screened"].not_continuing] == [
        ("not eligible (the criteria failed: screening-failures table)", ("SH01-002",))]
    # eos-reason code list: consent_withdrawn -> "Consent withdrawn"
    assert [(r.reason, r.participant_ids) for r in steps["eligible"].not_continuing] == [
        ("end of study: Consent withdrawn", ("SH01-003",))]
    assert [(r.reason, r.participant_ids) for r in steps["registered"].not_continuing] == [
        ("end of study: Consent withdrawn", ("SH01-004",))]
    assert [(r.reason, r.participant_ids) for r in steps["received HIPEC (ITT)"].not_continuing] == [
        ("died", ("SH01-005",))]
    # Groups: Part A level 1 = {005}; Part B level 2 = {001, 004}; all = {001, 004, 005}.
    assert [g.id for g in a.groups] == ["part_a-1", "part_b-2", "all"]
    assert steps["screened"].by_group == ()
    assert steps["registered"].by_group == (("part_a-1", 1), ("part_b-2", 2), ("all", 3))
    assert steps["received HIPEC (ITT)"].by_group == (("part_a-1", 1), ("part_b-2", 1), ("all", 2))
    assert steps["R0 resection"].by_group == (("part_a-1", 0), ("part_b-2", 1), ("all", 1))


def test_treatment_and_follow_up_status_by_group(protocol: Protocol) -> None:
    t = _flow_trial()
    a = analyze_trial(trial=t.build(), protocol=protocol)
    treatment = {row.category: {c.group_id: c.participant_ids for c in row.counts} for row in a.status.treatment}
    # 001 operated, no end of treatment: on treatment; 004 HIPEC withheld (given 0): never treated;
    # 005 treated and dead without an off-treatment date.
    assert treatment == {
        "on treatment": {"part_a-1": (), "part_b-2": ("SH01-001",), "all": ("SH01-001",)},
        "never treated": {"part_a-1": (), "part_b-2": ("SH01-004",), "all": ("SH01-004",)},
        "died without an end-of-treatment record": {"part_a-1": ("SH01-005",), "part_b-2": (),
                                                    "all": ("SH01-005",)},
    }
    follow_up = {row.category: {c.group_id: c.participant_ids for c in row.counts} for row in a.status.follow_up}
    assert follow_up == {
        "in follow-up": {"part_a-1": (), "part_b-2": ("SH01-001",), "all": ("SH01-001",)},
        "dead": {"part_a-1": ("SH01-005",), "part_b-2": (), "all": ("SH01-005",)},
        "off study: Consent withdrawn": {"part_a-1": (), "part_b-2": ("SH01-004",), "all": ("SH01-004",)},
    }


def test_accrual_lists_every_month_with_its_pauses(protocol: Protocol) -> None:
    t = TrialBuilder(generated_at=dt.datetime(2025, 4, 15, tzinfo=dt.UTC))
    t.participant(1).hipec()                                  # consent 2024-12-17, registered 2025-01-06
    t.participant(2, registered=60, consent=45).hipec(62)     # consent 2025-02-20, registered 2025-03-07
    trial = dataclasses.replace(t.build(), sites=(Site("SH01", "Shanghai", "CN", activation_date=dt.date(2024, 11, 4)),))
    a = analyze_trial(trial=trial, protocol=protocol)
    # From the activation month (2024-11) to the cut-off month (2025-04), six months.
    assert [(m.month, m.screened, m.registered, m.registered_by_site) for m in a.accrual.by_month] == [
        ("2024-11", 0, 0, (0,)), ("2024-12", 1, 0, (0,)), ("2025-01", 0, 1, (1,)),
        ("2025-02", 1, 0, (0,)), ("2025-03", 0, 1, (1,)), ("2025-04", 0, 0, (0,))]
    (site,) = a.accrual.by_site
    assert (site.activation_date, site.screened, site.registered) == (dt.date(2024, 11, 4), 2, 2)
    assert (site.first_registration, site.last_registration) == (REG, day(60))


def test_data_currency_counts_late_entries_from_provenance(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec(2).visit("screening", -10)

    def entered(days_after: int, on: dt.date) -> Provenance:
        moment = dt.datetime.combine(on + dt.timedelta(days=days_after), dt.time(9), tzinfo=dt.UTC)
        return Provenance(entered_by="crc1", entered_at=moment, protocol_version="1.0")

    trial = t.build()
    # The protocol's entry_within_days is 14: the HIPEC visit (day 2) entered 14 days later is on
    # time, the screening visit (day -10) entered 15 days later is late; other records carry none.
    visits = tuple(
        dataclasses.replace(v, provenance=entered(15, v.actual_date)) if v.visit_id == "screening"
        else dataclasses.replace(v, provenance=entered(14, v.actual_date)) if v.visit_id == "day0-laparoscopy-hipec"
        else v
        for v in trial.visits)
    a = analyze_trial(trial=dataclasses.replace(trial, visits=visits), protocol=protocol)
    (site,) = a.data_currency.sites
    assert a.data_currency.entry_within_days == 14
    assert site.entered_late == 1
    assert site.late_keys == ("SH01-001/screening#1",)
    assert site.last_visit == day(2)
    assert site.days_since_last_visit == (GENERATED.date() - day(2)).days
    assert site.last_entry == day(16)   # the HIPEC visit entered on day 2 + 14
    assert site.records_with_entry_date == 2


def test_baseline_by_part_in_the_protocols_labels(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1, part="part_a", dose_level="1").hipec(pci=8)
    t.participant(2).hipec(pci=12)
    t.participant(3).hipec(pci=3)
    t.forms.append(FormRecord("SH01-002", "diagnosis", "screening", values={"histology": "poorly_cohesive_src",
                                                                             "lauren_type": "diffuse"}))
    a = analyze_trial(trial=t.build(), protocol=protocol)
    b = a.baseline
    assert [(c.label, c.n) for c in b.columns] == [("Part A", 1), ("Part B", 2), ("All (ITT)", 3)]
    histology = b.variable("Histology")
    assert [(r.category, r.counts) for r in histology.categories] == [
        ("Poorly cohesive carcinoma, signet-ring cell type", (0, 1, 1))]
    assert histology.missing == (1, 1, 2)
    lauren = b.variable("Lauren type")
    assert [(r.category, r.counts) for r in lauren.categories] == [("Diffuse", (0, 1, 1))]
    pci = b.variable("PCI at the day-0 laparoscopy")
    assert pci.summaries is not None
    # Part B: PCI 12 and 3 -> median 7.5; all: 8, 12, 3 -> median 8.
    assert [(s.n, s.median) for s in pci.summaries] == [(1, 8.0), (2, 7.5), (3, 8.0)]
    sex = b.variable("Sex")
    # Builder: odd participant numbers female -> 001, 003 female; 002 male. Code list order male, female.
    assert [(r.category, r.counts) for r in sex.categories] == [("Male", (0, 1, 1)), ("Female", (1, 1, 2))]


def test_an_earlier_cut_off_knows_neither_later_sites_nor_later_entries(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec(2).visit("screening", -10)
    trial = t.build()

    def entered(on: dt.date) -> Provenance:
        return Provenance(entered_by="crc1", entered_at=dt.datetime.combine(on, dt.time(9), tzinfo=dt.UTC),
                          protocol_version="1.0")

    # The HIPEC visit (day 2) was entered on day 40; a second site opened on day 50.
    visits = tuple(dataclasses.replace(v, provenance=entered(day(40))) if v.visit_id == "day0-laparoscopy-hipec"
                   else v for v in trial.visits)
    sites = (*trial.sites, Site("BJ01", "Beijing", "CN", activation_date=day(50)))
    trial = dataclasses.replace(trial, visits=visits, sites=sites)
    at_30 = analyze_trial(trial=trial, protocol=protocol, cutoff=day(30))
    assert [s.site_id for s in at_30.accrual.by_site] == ["SH01"]
    assert at_30.accrual.by_month[-1].month == day(30).strftime("%Y-%m")
    (site,) = at_30.data_currency.sites
    # Known at day 30: the screening (day -10) and registration (day 0) visits, not the HIPEC one.
    assert (site.last_visit, site.last_entry, site.records_with_entry_date) == (day(0), None, 0)
    at_60 = analyze_trial(trial=trial, protocol=protocol, cutoff=day(60))
    assert [s.site_id for s in at_60.accrual.by_site] == ["SH01", "BJ01"]
    assert at_60.data_currency.sites[0].last_entry == day(40)
