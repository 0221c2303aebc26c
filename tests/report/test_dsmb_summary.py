"""The summary's decision callouts say what is true in each state a trial can be in."""

from __future__ import annotations

import dataclasses

import pytest

from analysis.builders import TrialBuilder
from hipectrial.analysis.labels import Labels
from hipectrial.analysis.monitoring import MonitorLookStatus, SafetyMonitoringStatus
from hipectrial.analysis.trial_analysis import TrialAnalysis, analyze_trial
from hipectrial.protocol import Protocol, load_protocol
from hipectrial.report.dsmb_summary import decisions, dose_finding_callout, metrics


@pytest.fixture(scope="module")
def protocol() -> Protocol:
    return load_protocol()


@pytest.fixture(scope="module")
def analysis(protocol: Protocol) -> TrialAnalysis:
    t = TrialBuilder()
    t.participant(1).hipec().alive(60)
    return analyze_trial(trial=t.build(), protocol=protocol)


def _monitoring(analysis: TrialAnalysis, protocol: Protocol, monitor: SafetyMonitoringStatus) -> str:
    with_monitor = dataclasses.replace(analysis, safety_monitoring=monitor)
    callout = next(c for c in decisions(with_monitor, Labels(protocol))
                   if c.title.startswith("Safety monitoring"))
    return f"{callout.kind.value}: {callout.title} :: {callout.text}".replace("\u00a0", " ")


def _monitor(n: int, events: int, posterior: float, looks: tuple[MonitorLookStatus, ...]) -> SafetyMonitoringStatus:
    return SafetyMonitoringStatus(event="severe toxicity", threshold=0.3, posterior_cutoff=0.9,
                                  participants=tuple(f"P{i}" for i in range(n)),
                                  event_ids=tuple(f"P{i}" for i in range(events)), looks=looks,
                                  stopped=any(lk.stop for lk in looks), current_posterior=posterior if n else None,
                                  every_n=5, last_look_n=45)


def test_monitoring_not_started(analysis: TrialAnalysis, protocol: Protocol) -> None:
    assert _monitoring(analysis, protocol, _monitor(0, 0, 0.0, ())) == (
        "info: Safety monitoring (Part B): not started :: No Part B participant has been treated yet.")


def test_monitoring_stopped_at_the_first_look_that_met_the_rule(analysis: TrialAnalysis, protocol: Protocol) -> None:
    # Looks at 5 (1 event: R 1 - pbeta(0.3, 2, 5) = 0.4202, continue) and 10 (5 events:
    # 1 - pbeta(0.3, 6, 6) = 0.9218 > 0.9, stop); now 5 of 12: 1 - pbeta(0.3, 6, 8) = 0.8346.
    looks = (MonitorLookStatus(5, 1, 3, 0.4202, False), MonitorLookStatus(10, 5, 5, 0.9218, True))
    shown = _monitoring(analysis, protocol, _monitor(12, 5, 0.8346, looks))
    assert shown.startswith("stop: Safety monitoring (Part B): stopping rule met at the look after 10 treated :: "
                            "5 of the first 10 with severe toxicity")


def test_monitoring_above_the_bound_after_the_last_planned_look_is_not_no_signal(
        analysis: TrialAnalysis, protocol: Protocol) -> None:
    looks = tuple(MonitorLookStatus(n, 1, 3, 0.1, False) for n in range(5, 50, 5))
    shown = _monitoring(analysis, protocol, _monitor(60, 30, 0.998, looks))
    assert shown.startswith("warning: Safety monitoring (Part B): above the stopping bound after the protocol's "
                            "last planned look (n = 45)")
    assert "no signal" not in shown


def test_monitoring_above_the_bound_between_looks(analysis: TrialAnalysis, protocol: Protocol) -> None:
    looks = (MonitorLookStatus(5, 1, 3, 0.4202, False),)
    shown = _monitoring(analysis, protocol, _monitor(7, 5, 0.95, looks))
    assert "above the stopping bound between looks (the next after 10 treated)" in shown


def test_monitoring_no_signal(analysis: TrialAnalysis, protocol: Protocol) -> None:
    # 0 of 5: 1 - pbeta(0.3, 1, 6) = 0.1176; 0 of 6: 1 - pbeta(0.3, 1, 7) = 0.0824.
    looks = (MonitorLookStatus(5, 0, 3, 0.1176, False),)
    assert _monitoring(analysis, protocol, _monitor(6, 0, 0.0824, looks)).startswith(
        "ok: Safety monitoring (Part B): no signal :: 0 participants with severe toxicity among 6 treated")


def test_dose_finding_stopped_without_a_dose(analysis: TrialAnalysis) -> None:
    stopped = dataclasses.replace(analysis.dose_finding, action="stop", selected_level=None,
                                  reason="lowest dose too toxic", decided_after_cohort=2)
    callout = dose_finding_callout(dataclasses.replace(analysis, dose_finding=stopped))
    assert (callout.kind.value, callout.title) == ("stop", "Dose finding stopped without selecting a dose")
    assert callout.text == "BOIN stopped after cohort 2 (lowest dose too toxic): no dose level is recommended for phase II."


def test_dose_finding_goes_on(analysis: TrialAnalysis) -> None:
    going = dataclasses.replace(analysis.dose_finding, action="escalate", next_level="2", selected_level=None,
                                reason=None, decided_after_cohort=1, pending_ids=())
    callout = dose_finding_callout(dataclasses.replace(analysis, dose_finding=going))
    assert callout.title == "Dose finding: BOIN decision escalate: next cohort at dose level 2"
    assert callout.text == "The last decision was taken after cohort 1; no dose is selected until the design stops."


def test_rate_tiles_say_how_many_outcomes_are_open_and_how_they_are_counted(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1, part="part_b", dose_level="1").hipec().surgery(120).alive(150)  # R0 (CC-0, CY0)
    t.participant(2, part="part_b", dose_level="1").hipec().alive(150, progression=90)  # settled: progression
    t.participant(3, part="part_b", dose_level="1").hipec().alive(150)  # no decision yet: pending
    grid = metrics(analyze_trial(trial=t.build(), protocol=protocol))
    shown = {m.label: (m.value.replace("\u00a0", " "), m.detail.replace("\u00a0", " ")) for m in grid.metrics}
    # 1 R0 of 3, Clopper-Pearson: R qbeta(0.025, 1, 3) = 0.008404, qbeta(0.975, 2, 2) = 0.905701.
    assert shown["Primary: R0 resection, Part B at the RP2D (level 1)"] == (
        "1/3 = 33.3 %", "exact 95 % CI 0.8–90.6; 1 of 3: surgery decision pending at the cut-off, "
        "counted as not operated")
    assert shown["Conversion surgery (ITT)"][1].endswith(
        "; 1 of 3: surgery decision pending at the cut-off, counted as not operated")


def _titles(analysis: TrialAnalysis, protocol: Protocol) -> dict[str, str]:
    return {c.title: c.text for c in decisions(analysis, Labels(protocol))}


def test_before_part_b_the_simon_callouts_say_it_has_not_started(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1, part="part_a", dose_level="1").hipec().cycle(21).alive(30)  # in its DLT window
    shown = _titles(analyze_trial(trial=t.build(), protocol=protocol), protocol)
    assert shown["Simon stage 1: Part B has not started"].startswith(
        "No recommended phase II dose has been selected and no participant is registered in Part B yet. The "
        "look counts the first 13 Part B ITT participants at the RP2D (")
    assert "Simon final analysis: Part B has not started" in shown
    assert shown["Safety monitoring (Part B): not started"] == "No Part B participant has been treated yet."


def test_when_part_b_will_not_open_the_monitoring_is_not_applicable(protocol: Protocol) -> None:
    t = TrialBuilder()
    for n in (1, 2, 3):  # 3/3 DLTs at the lowest level: BOIN stops without a dose (test_interim)
        t.participant(n, part="part_a", dose_level="1", registered=n).hipec(n + 2).cycle(n + 21).alive(n + 45) \
            .ae("Febrile neutropenia", 3, n + 30, dlt=True)
    shown = _titles(analyze_trial(trial=t.build(), protocol=protocol), protocol)
    closed = "Part A stopped without selecting a dose (lowest dose too toxic): Part B does not open."
    assert shown["Simon stage 1: Part B does not open"] == closed
    assert shown["Safety monitoring (Part B): not applicable"] == closed
    assert not any(title.startswith("Safety monitoring (Part B): not started") for title in shown)
