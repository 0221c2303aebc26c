"""The efficacy section's time-to-event table and Kaplan-Meier captions say what the data and the
protocol hold: the number-at-risk step the figure uses, the events of a row without a
Kaplan-Meier fit, and the endpoint each survival-at estimate belongs to.

Rules: dsmb_figures.py (3-month ticks, or 6 or 12 when 3 would give more than 13 ticks);
analysis/results.py (``TimeToEventValue.rows``: one row per participant, ``event`` true or false);
protocol/endpoints.py (a survival-at endpoint states its population, origin, censoring and day).
"""

from __future__ import annotations

import dataclasses

import pytest

from hipectrial.analysis.results import EndpointResult, TimeToEventValue, TteRow
from hipectrial.analysis.trial_analysis import TrialAnalysis, analyze_trial
from hipectrial.protocol.endpoints import Endpoint
from hipectrial.report.document import Figure
from hipectrial.report.dsmb_efficacy import efficacy_blocks, km_block, survival

from .truth import Built, Records, body, find_table

ITT = "itt"


def _value(times_days: list[int], events: list[bool], *, km_note: str | None = None) -> TimeToEventValue:
    rows = tuple(TteRow(participant_id=f"P-{i:03d}", time_days=t, event=e, reason="death" if e else "alive")
                 for i, (t, e) in enumerate(zip(times_days, events, strict=True)))
    return TimeToEventValue(population=ITT, origin="registration", censoring="last_known_alive", rows=rows,
                            km=None, km_note=km_note)


def _caption(times_days: list[int]) -> str:
    figure = km_block(endpoint_id="os", title="Overall survival",
                      value=_value(times_days, [True] + [False] * (len(times_days) - 1)))
    assert isinstance(figure, Figure)
    return figure.caption


# -- the Kaplan-Meier captions name the step the figure uses ------------------------------------------


@pytest.mark.parametrize(("last_day", "step"), [
    # 36 months = 36 x 30.4375 = 1,095.75 days: 0, 3, ... 36 is 13 ticks, the most a page holds
    (1095, 3),   # 35.98 months: ticks 0-36 every 3
    (1096, 6),   # 36.01 months: every 3 would need 14 ticks (0-39)
    # 72 months = 2,191.5 days: 0, 6, ... 72 is 13 ticks
    (2191, 6),   # 71.98 months
    (2192, 12),  # 72.02 months: every 6 would need 14 ticks (0-78)
])
def test_km_caption_states_the_number_at_risk_step_the_figure_uses(last_day: int, step: int) -> None:
    caption = _caption([100, 400, last_day])
    assert caption.endswith(f"censoring marks and the number at risk every {step} months")


def test_km_figure_of_no_participant_is_left_out() -> None:
    assert km_block(endpoint_id="os", title="Overall survival", value=_value([], [])) is None


def test_seed1_km_captions_say_every_3_months(built: Built, records: Records) -> None:
    # the longest ITT follow-up from registration is under 36 months (1,095.75 days): 3-month steps
    longest = max(((q.death_date or q.last_known_alive) - q.p.registration_date).days  # type: ignore[operator]
                  for q in records.itt)
    assert longest < 1095.75
    figures = {b.id: b.caption for b in efficacy_blocks(built.analysis) if isinstance(b, Figure)}
    for figure_id in ("figure-pfs", "figure-os"):
        assert figures[figure_id].endswith("the number at risk every 3 months")


# -- a row without a Kaplan-Meier fit counts its events --------------------------------------------------


def _with(analysis: TrialAnalysis, endpoint_id: str, value: TimeToEventValue) -> TrialAnalysis:
    endpoints = tuple(dataclasses.replace(r, value=value) if r.endpoint_id == endpoint_id else r
                      for r in analysis.endpoints)
    return dataclasses.replace(analysis, endpoints=endpoints)


def test_row_without_a_fit_shows_the_events_among_its_participants(built: Built) -> None:
    # 3 participants, 2 deaths: "2/3" (was "0/3" whatever the rows held)
    value = _value([30, 200, 410], [True, False, True], km_note="Kaplan-Meier not computed: test")
    rows = {r[0]: r for r in body(survival(_with(built.analysis, "os", value)))}
    assert rows["Overall survival"] == ["Overall survival", "2/3", "Kaplan-Meier not computed: test", "–", "–"]


def test_row_without_a_participant_shows_zero_of_zero(built: Built) -> None:
    value = _value([], [], km_note="no participant: Kaplan-Meier not computed")
    rows = {r[0]: r for r in body(survival(_with(built.analysis, "os", value)))}
    assert rows["Overall survival"][1:3] == ["0/0", "no participant: Kaplan-Meier not computed"]


# -- each survival-at estimate is named after its own endpoint ------------------------------------------


def test_seed1_survival_at_estimates_are_the_overall_survival_rows(built: Built) -> None:
    note = find_table(built.report, "table-survival").note or ""
    assert note.endswith("NE: not estimable. The 1-year overall survival rate is the overall survival estimate "
                         "at 365 days; the 2-year overall survival rate is the overall survival estimate at "
                         "730 days.")


def test_a_progression_free_survival_at_endpoint_is_named_after_progression_free_survival(built: Built) -> None:
    pfs_6 = Endpoint.model_validate({
        "id": "pfs-6-month", "name": {"en": "6-month progression-free survival rate", "zh": "6个月无进展生存率"}, "role": "secondary",
        "kind": "time_to_event", "population": "itt", "derivation": "survival_at", "origin": "registration",
        "censoring": "fda_pfs", "at_days": 182, "definition": "Kaplan-Meier estimate of PFS 182 days after "
        "registration."})
    protocol = built.protocol.model_copy(update={"endpoints": [*built.protocol.endpoints, pfs_6]})
    analysis = analyze_trial(trial=built.trial, protocol=protocol)
    table = survival(analysis)
    assert [c.name for c in table.columns][3:] == [f"At {d} days (95 % CI)" for d in (182, 365, 730)]
    # Its value is PFS (progression or death, FDA censoring), not OS: the rows of the PFS endpoint,
    # with more events than OS in the seed-1 trial (progression comes before death).
    values = {r.endpoint_id: r.value for r in analysis.endpoints}
    pfs, rate, os = values["pfs"], values["pfs-6-month"], values["os"]
    assert isinstance(pfs, TimeToEventValue)
    assert isinstance(rate, TimeToEventValue)
    assert isinstance(os, TimeToEventValue)
    assert [(r.participant_id, r.time_days, r.event) for r in rate.rows] == [
        (r.participant_id, r.time_days, r.event) for r in pfs.rows]
    assert sum(r.event for r in rate.rows) > sum(r.event for r in os.rows)
    assert (table.note or "").endswith(
        "The 6-month progression-free survival rate is the progression-free survival estimate at 182 days; "
        "the 1-year overall survival rate is the overall survival estimate at 365 days; "
        "the 2-year overall survival rate is the overall survival estimate at 730 days.")


def test_a_survival_at_endpoint_without_a_row_of_its_kind_says_so(built: Built) -> None:
    result = next(r for r in built.analysis.endpoints if r.endpoint_id == "os-2-year")
    assert isinstance(result.value, TimeToEventValue)
    other: EndpointResult = dataclasses.replace(result, value=dataclasses.replace(result.value, origin="surgery"))
    analysis = dataclasses.replace(built.analysis, endpoints=tuple(
        other if r.endpoint_id == "os-2-year" else r for r in built.analysis.endpoints))
    assert (survival(analysis).note or "").endswith(
        "the 2-year overall survival rate is not in this table: no endpoint here has its population, origin "
        "and censoring.")
