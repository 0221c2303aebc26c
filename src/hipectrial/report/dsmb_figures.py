"""The DSMB report's figures: the analysis results turned into the figure module's inputs.

Nothing is computed here that the analysis does not already give, except the Kaplan-Meier
step function itself (by :func:`hipectrial.analysis.km.kaplan_meier`, the same function
the endpoint medians come from) and the number at risk at the table's times.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from hipectrial.analysis.figures import (
    AeCell,
    AtRisk,
    ConsortStep,
    KmCurve,
    SpiderSeries,
    SwimmerLane,
    WaterfallBar,
    ae_heatmap,
    consort_diagram,
    km_plot,
    spider_plot,
    swimmer_plot,
    waterfall_plot,
)
from hipectrial.analysis.figures import Figure as Drawing
from hipectrial.analysis.km import kaplan_meier
from hipectrial.analysis.results import AdverseEventValue, TteRow
from hipectrial.analysis.trial_analysis import TrialAnalysis
from hipectrial.clinical.numbers import DAYS_PER_MONTH
from hipectrial.report import numbers as fmt
from hipectrial.report.document import Figure

# Width of a figure on the page (inches): the text width of an A4 page with 2 cm margins.
PAGE_WIDTH_IN = 6.5
# The time axis of the Kaplan-Meier plots is in months, ticked (and the number at risk counted)
# every 3 months, the protocol's follow-up rhythm, or every 6 or 12 when that would give more
# than MAX_TICKS columns (too crowded to read on a page).
AT_RISK_STEPS_MONTHS = (3, 6, 12)
MAX_TICKS = 13


def as_block(drawing: Drawing, *, id: str, caption: str) -> Figure:
    """A drawn figure as a report block (PNG for the PDF, SVG for the HTML)."""
    return Figure(id=id, caption=caption, png=drawing.png(), svg=drawing.svg(), width_in=PAGE_WIDTH_IN)


def km_curve(*, label: str, rows: Sequence[TteRow], median_days: float | None) -> KmCurve:
    """The Kaplan-Meier step function of one group in months, from (0, 1), with censor marks.

    The estimate is :func:`~hipectrial.analysis.km.kaplan_meier` on the days; only the time
    axis is rescaled (days / ``DAYS_PER_MONTH``), so the steps are the analysis' own.
    """
    fit = kaplan_meier(time=[r.time_days for r in rows], event=[r.event for r in rows])
    times: list[float] = []
    survival: list[float] = []
    lower: list[float | None] = []
    upper: list[float | None] = []
    if not fit.time or fit.time[0] > 0:
        times, survival, lower, upper = [0.0], [1.0], [1.0], [1.0]
    censor_times: list[float] = []
    censor_survival: list[float] = []
    for k, t in enumerate(fit.time):
        if fit.n_event[k] > 0 or not times:
            times.append(float(t) / DAYS_PER_MONTH)
            survival.append(fit.survival[k])
            lower.append(fit.lower[k])
            upper.append(fit.upper[k])
        if fit.n_censor[k] > 0:
            censor_times.append(float(t) / DAYS_PER_MONTH)
            censor_survival.append(fit.survival[k])
    return KmCurve(
        label=label,
        times=times,
        survival=survival,
        lower=lower,
        upper=upper,
        censor_times=censor_times,
        censor_survival=censor_survival,
        median=None if median_days is None else median_days / DAYS_PER_MONTH,
        median_text=None if median_days is None else f"{fmt.months(median_days)} months",
    )


def at_risk(*, label: str, rows: Sequence[TteRow], ticks_months: Sequence[int]) -> AtRisk:
    """Participants still at risk (time >= t) at each tick (months, compared in days)."""
    counts = [sum(1 for r in rows if r.time_days >= m * DAYS_PER_MONTH) for m in ticks_months]
    return AtRisk(label=label, times=[float(m) for m in ticks_months], counts=counts)


def at_risk_step(horizon_months: float) -> int:
    """Months between two ticks of the time axis: the first of ``AT_RISK_STEPS_MONTHS`` that
    reaches ``horizon_months`` in at most ``MAX_TICKS`` ticks (0 included), else the last.

    3-month ticks reach 36 months in 13 ticks (0, 3, … 36), 6-month ones 72 months:

    >>> at_risk_step(36.0), at_risk_step(36.01), at_risk_step(72.0), at_risk_step(72.01), at_risk_step(200.0)
    (3, 6, 6, 12, 12)
    """
    return next((s for s in AT_RISK_STEPS_MONTHS if math.ceil(horizon_months / s) + 1 <= MAX_TICKS),
                AT_RISK_STEPS_MONTHS[-1])


def at_risk_ticks(horizon_months: float) -> list[int]:
    """The months at which the axis is ticked and the number at risk shown, every
    :func:`at_risk_step` months from 0 to the first tick at or past ``horizon_months``.

    >>> at_risk_ticks(28.2), at_risk_ticks(60.0)
    ([0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30], [0, 6, 12, 18, 24, 30, 36, 42, 48, 54, 60])
    """
    step = at_risk_step(horizon_months)
    return [step * k for k in range(max(1, math.ceil(horizon_months / step)) + 1)]


@dataclass(frozen=True, slots=True)
class KmDrawing:
    """A Kaplan-Meier figure and the months between its ticks (and number-at-risk columns),
    for the caption to say."""

    drawing: Drawing
    step_months: int


def km_figure(*, title: str, groups: Sequence[tuple[str, Sequence[TteRow], float | None]]
              ) -> KmDrawing | None:
    """Kaplan-Meier curves of ``(label, rows, median in days)`` groups with time in months;
    ``None`` with no participant."""
    groups = [g for g in groups if g[1]]
    if not groups:
        return None
    horizon = max(r.time_days for _, rows, _ in groups for r in rows) / DAYS_PER_MONTH
    ticks = at_risk_ticks(horizon)
    drawing = km_plot(
        [km_curve(label=label, rows=rows, median_days=median) for label, rows, median in groups],
        title=title,
        xlabel="Months since registration",
        at_risk=[at_risk(label=label, rows=rows, ticks_months=ticks) for label, rows, _ in groups],
        xmax=float(ticks[-1]),
    )
    return KmDrawing(drawing=drawing, step_months=ticks[1] - ticks[0])  # ticks hold 0 and one more


def consort_figure(analysis: TrialAnalysis) -> Drawing:
    """The CONSORT flow from the analysis' steps and the reasons for leaving each."""
    steps = analysis.consort
    return consort_diagram(
        [
            ConsortStep(
                label=step.step,
                n=step.n,
                exclusions=[(reason.reason, reason.count) for reason in step.not_continuing],
                exclusion_label="Did not continue",
            )
            for step in steps
        ],
        title="Participant flow (CONSORT)",
    )


def ae_figure(value: AdverseEventValue, *, max_terms: int = 25) -> Drawing | None:
    """Participants by CTCAE term and worst grade, the most frequent ``max_terms`` terms."""
    rows = sorted(value.by_term, key=lambda r: (-r.any_grade, r.term))[:max_terms]
    cells = [
        AeCell(term=row.term, grade=grade, count=row.worst_grade[grade - 1])
        for row in rows
        for grade in range(1, 6)
    ]
    if not cells:
        return None
    return ae_heatmap(
        cells, title="Participants by adverse event and worst CTCAE grade", terms=[row.term for row in rows]
    )


def waterfall_figure(analysis: TrialAnalysis) -> Drawing | None:
    bars = [
        WaterfallBar(participant_id=c.participant_id, best_change_pct=c.best_pct, category=c.bor or "NE")
        for c in analysis.lesion_changes
        if c.best_pct is not None
    ]
    if not bars:
        return None
    return waterfall_plot(bars, title="Best change in target lesions (before surgery)")


def spider_figure(analysis: TrialAnalysis) -> Drawing | None:
    series = [
        SpiderSeries(
            participant_id=c.participant_id,
            days=[0.0, *(float(d) for d, _ in c.series)],
            change_pct=[0.0, *(p for _, p in c.series)],
            category=c.bor or "NE",
        )
        for c in analysis.lesion_changes
        if c.series and c.series[0][0] > 0
    ]
    if not series:
        return None
    return spider_plot(series, title="Change in target lesions over time (before surgery)")


def swimmer_figure(analysis: TrialAnalysis) -> Drawing | None:
    lanes = []
    for t in analysis.timelines:
        segments: list[tuple[float, float, str]] = []
        for span in t.phases:
            start, end = float(span.start_day), float(max(span.end_day, span.start_day + 1))
            if segments and start < segments[-1][1]:
                start = segments[-1][1]
            if start < end:
                segments.append((start, end, span.phase))
        last = float(t.last_known_day)
        begin = segments[-1][1] if segments else 0.0
        if last > begin:
            segments.append((begin, last, "follow-up"))
        if not segments:
            continue
        events: list[tuple[float, str]] = [(float(d), "hipec") for d in t.hipec_days]
        for day, kind in (
            (t.surgery_day, "surgery"),
            (t.response_day, "response"),
            (t.progression_day, "progression"),
            (t.death_day, "death"),
        ):
            if day is not None:
                events.append((float(day), kind))
        lanes.append(
            SwimmerLane(participant_id=t.participant_id, segments=segments, events=events, ongoing=t.ongoing)
        )
    if not lanes:
        return None
    return swimmer_plot(lanes, title="Course of each registered participant")
