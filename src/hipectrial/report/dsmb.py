"""The DSMB report: accrual, baseline, exposure, safety, dose finding, efficacy, conduct.

:func:`dsmb_report` lays out one :class:`~hipectrial.analysis.trial_analysis.TrialAnalysis`
as a :class:`~hipectrial.report.document.Report`; :func:`write_dsmb_report` analyses a
trial and writes the report as HTML and PDF. Every number is the analysis' own (the same
``hipectrial analyze --data … --json`` prints), and each headline links to the appendix
listing of the records behind it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from hipectrial.analysis.labels import Labels
from hipectrial.analysis.results import AdverseEventValue, BinaryValue, DltValue, TimeToEventValue
from hipectrial.analysis.trial_analysis import TrialAnalysis, analyze_trial
from hipectrial.data import TrialData
from hipectrial.protocol import Protocol
from hipectrial.report import dsmb_baseline
from hipectrial.report import dsmb_figures as figs
from hipectrial.report import dsmb_flow as flow
from hipectrial.report import dsmb_tables as tables
from hipectrial.report import numbers as fmt
from hipectrial.report.document import (
    Block,
    Callout,
    CalloutKind,
    Metric,
    MetricGrid,
    Paragraph,
    Report,
    Section,
)
from hipectrial.report.dsmb_appendix import adverse_event_listing, conduct_listing, endpoint_listings
from hipectrial.report.write import write_report

V = TypeVar("V", BinaryValue, TimeToEventValue)

CONFIDENTIALITY = "Closed report — for the Data and Safety Monitoring Board only"


def _value(analysis: TrialAnalysis, endpoint_id: str, kind: type[V]) -> V | None:
    """The value of an endpoint when the protocol has it and it is of ``kind``; else ``None``
    (another protocol may define other endpoints: the report leaves the headline out)."""
    try:
        value = analysis.endpoint(endpoint_id).value
    except KeyError:
        return None
    return value if isinstance(value, kind) else None


def _metric(analysis: TrialAnalysis, endpoint_id: str, label: str) -> Metric | None:
    value = _value(analysis, endpoint_id, BinaryValue)
    if value is None:
        return None
    return Metric(
        label=label,
        value=fmt.proportion(value.estimate),
        link=tables.listing_id(endpoint_id, value.population),
    )


def _median_metric(analysis: TrialAnalysis, endpoint_id: str, label: str) -> Metric | None:
    value = _value(analysis, endpoint_id, TimeToEventValue)
    if value is None or value.km is None:
        return None
    km = value.km
    return Metric(
        label=label,
        value=fmt.days(km.median_days),
        detail=f"95 % CI {fmt.bound(km.median_lower)}–{fmt.bound(km.median_upper)} days; "
        f"{km.events} events among {km.n}",
        link=tables.listing_id(endpoint_id, value.population),
    )


def decisions(analysis: TrialAnalysis) -> tuple[Callout, ...]:
    """The design decisions the board must see first: BOIN, Simon stage 1, safety monitoring."""
    out = []
    df = analysis.dose_finding
    if df.selected_level is not None:
        out.append(
            Callout(
                kind=CalloutKind.OK,
                title=f"Dose finding: dose level {df.selected_level} selected",
                text=df.selection_reason,
            )
        )
    elif df.action is not None:
        next_level = f" — next cohort at dose level {df.next_level}" if df.next_level else ""
        kind = CalloutKind.STOP if df.action == "stop" else CalloutKind.INFO
        out.append(
            Callout(
                kind=kind,
                title=f"BOIN decision: {df.action}{next_level}",
                text=df.reason or df.selection_reason,
            )
        )
    else:
        out.append(
            Callout(
                kind=CalloutKind.INFO,
                title="Dose finding: no Part A cohort completed yet",
                text=df.selection_reason,
            )
        )
    simon = analysis.simon
    if simon.made:
        kind = CalloutKind.STOP if simon.decision == "stop for futility" else CalloutKind.OK
        when = simon.look_date.isoformat() if simon.look_date is not None else "date not recorded"
        out.append(
            Callout(
                kind=kind,
                title=f"Simon stage 1 ({when}): {simon.decision}",
                text=f"{simon.responses} R0 resections among the first {simon.n1} Part B ITT "
                f"participants ({simon.rule}). " + " ".join(simon.reasons),
            )
        )
    else:
        out.append(
            Callout(
                kind=CalloutKind.INFO,
                title="Simon stage 1: not yet",
                text=f"{simon.n1 - simon.missing} of the first {simon.n1} Part B ITT participants have "
                f"a known R0 outcome ({simon.responses} R0). " + " ".join(simon.reasons),
            )
        )
    final = analysis.primary.final
    known = len(final.participant_ids) - len(final.pending_ids)
    estimate = final.estimate
    detail = ""
    if estimate is not None:
        p = f"= {estimate.p_value:.4f}" if estimate.p_value >= 0.0001 else "< 0.0001"
        detail = (
            f" UMVUE {estimate.umvue:.3f}, exact stage-wise {estimate.conf_level:.0%} CI "
            f"{estimate.ci_lower:.3f}–{estimate.ci_upper:.3f}, one-sided p {p} "
            f"(H0: R0 rate ≤ {estimate.p0:g})."
        )
    out.append(
        Callout(
            kind=CalloutKind.INFO,
            title=f"Simon final analysis: {final.decision}",
            text=f"{final.responses} R0 resections among {known} Part B ITT participants with a known "
            f"outcome ({final.rule})." + detail + " " + " ".join(final.reasons),
        )
    )
    sm = analysis.safety_monitoring
    if sm is not None:
        posterior = "–" if sm.current_posterior is None else f"{sm.current_posterior:.3f}"
        kind = CalloutKind.STOP if sm.stopped else CalloutKind.OK
        out.append(
            Callout(
                kind=kind,
                title="Safety monitoring: " + ("STOP rule met" if sm.stopped else "no signal"),
                text=f"{len(sm.event_ids)} severe-toxicity events among {len(sm.participants)} Part B "
                f"participants; P(rate > {sm.threshold} | data) = {posterior} "
                f"(stop above {sm.posterior_cutoff}).",
            )
        )
    return tuple(out)


def _summary(analysis: TrialAnalysis) -> Section:
    pops = analysis.populations
    metrics = [
        Metric(
            label="Registered",
            value=str(len(pops.registered)),
            detail=f"Part A {len(pops.part_a)}, Part B {len(pops.part_b)}",
            link="table-populations",
        )
    ]
    for endpoint_id, label in (
        ("r0-resection", "R0 resection (ITT)"),
        ("conversion-surgery-rate", "Conversion surgery (ITT)"),
        ("orr", "Confirmed objective response"),
        ("dcr", "Disease control"),
    ):
        metric = _metric(analysis, endpoint_id, label)
        if metric is not None:
            metrics.append(metric)
    for endpoint_id, label in (
        ("pfs", "Median progression-free survival"),
        ("os", "Median overall survival"),
    ):
        metric = _median_metric(analysis, endpoint_id, label)
        if metric is not None:
            metrics.append(metric)
    return Section(
        id="summary",
        title="Summary",
        blocks=(
            Paragraph(
                f"Data cut-off {analysis.cutoff.isoformat()}. Protocol {analysis.protocol_id} version "
                f"{analysis.protocol_version}. Numbers link to the participants behind them (appendix)."
            ),
            MetricGrid(metrics=tuple(metrics)),
            *decisions(analysis),
        ),
    )


def _accrual(analysis: TrialAnalysis, labels: Labels) -> Section:
    return Section(
        id="accrual",
        title="Accrual and participant flow",
        blocks=(
            flow.accrual_by_site(analysis),
            flow.accrual_by_month(analysis),
            figs.as_block(
                figs.consort_figure(analysis),
                id="figure-consort",
                caption="Participant flow from screening to R0 resection, with the reasons for leaving "
                "each step",
            ),
            flow.consort_by_group(analysis),
            flow.treatment_status(analysis),
            flow.follow_up_status(analysis),
            flow.screening_failures(analysis, labels),
            flow.populations(analysis),
        ),
    )


def _safety(analysis: TrialAnalysis) -> Section:
    blocks: list[Block] = []
    for result in analysis.endpoints:
        if isinstance(result.value, AdverseEventValue):
            blocks += [tables.ae_summary(result.value), tables.ae_by_term(result.value)]
            heatmap = figs.ae_figure(result.value)
            if heatmap is not None:
                blocks.append(
                    figs.as_block(
                        heatmap,
                        id="figure-ae-heatmap",
                        caption="Participants by CTCAE term and worst grade (most frequent terms)",
                    )
                )
            break
    blocks.append(
        Paragraph(
            "Surgical morbidity (Clavien-Dindo) and 30/90-day mortality are in the endpoint "
            "table of the efficacy section; every grade ≥ 3, serious or dose-limiting event is "
            "listed in the appendix."
        )
    )
    return Section(id="safety", title="Safety", blocks=tuple(blocks))


def _dose_finding(analysis: TrialAnalysis) -> Section:
    blocks: list[Block] = []
    for result in analysis.endpoints:
        if isinstance(result.value, DltValue):
            blocks.append(tables.dlt(result.value, analysis))
    df = analysis.dose_finding
    blocks.append(
        Paragraph(
            f"BOIN boundaries: escalate when the observed DLT rate at the current dose is "
            f"≤ {df.escalate_if_rate_at_most:.3f}, de-escalate when ≥ "
            f"{df.de_escalate_if_rate_at_least:.3f}. Isotonic estimates by pool-adjacent-"
            f"violators, as R BOIN select.mtd."
        )
    )
    blocks += list(decisions(analysis)[:1])
    return Section(id="dose-finding", title="Dose finding (Part A, BOIN)", blocks=tuple(blocks))


def _efficacy(analysis: TrialAnalysis) -> Section:
    blocks: list[Block] = [tables.endpoints(analysis), tables.survival(analysis)]
    for endpoint_id, title in (("pfs", "Progression-free survival"), ("os", "Overall survival")):
        value = _value(analysis, endpoint_id, TimeToEventValue)
        if value is None:
            continue
        median = value.km.median_days if value.km is not None else None
        drawing = figs.km_figure(title=title, groups=[("All ITT participants", value.rows, median)])
        if drawing is not None:
            blocks.append(
                figs.as_block(
                    drawing,
                    id=f"figure-{endpoint_id}",
                    caption=f"{title}: Kaplan-Meier estimate with 95 % confidence band "
                    "(log-log), censoring marks and number at risk",
                )
            )
    for make, fid, caption in (
        (figs.waterfall_figure, "figure-waterfall", "Best change from baseline in the sum of target lesions"),
        (figs.spider_figure, "figure-spider", "Change from baseline in the sum of target lesions over time"),
        (
            figs.swimmer_figure,
            "figure-swimmer",
            "Each participant's course: treatment phases, HIPEC, surgery, response, progression and death",
        ),
    ):
        drawing = make(analysis)
        if drawing is not None:
            blocks.append(figs.as_block(drawing, id=fid, caption=caption))
    return Section(id="efficacy", title="Efficacy", blocks=tuple(blocks))


def _conduct(analysis: TrialAnalysis) -> Section:
    return Section(
        id="conduct",
        title="Protocol deviations and data completeness",
        blocks=(tables.deviations(analysis), tables.completeness(analysis)),
    )


def dsmb_report(
    *,
    trial: TrialData,
    protocol: Protocol,
    analysis: TrialAnalysis,
    generated_at: dt.datetime,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """The DSMB report of ``analysis`` (of ``trial``) as a document.

    Parameters
    ----------
    trial
        The data analysed (for the listings of individual events).
    protocol
        The protocol they were analysed under (criterion texts).
    analysis
        ``analyze_trial(trial=trial, protocol=…)``.
    generated_at
        When the report is generated (printed on it; time is an argument, never read here).
    progress
        Called with the name of each section as it is built.
    """
    labels = Labels(protocol)
    steps: list[tuple[str, Callable[[], Section]]] = [
        ("summary", lambda: _summary(analysis)),
        ("accrual", lambda: _accrual(analysis, labels)),
        (
            "baseline",
            lambda: Section(
                id="baseline",
                title="Baseline characteristics",
                blocks=(dsmb_baseline.baseline(analysis.baseline),),
            ),
        ),
        (
            "exposure",
            lambda: Section(id="exposure", title="Treatment exposure", blocks=(tables.exposure(analysis),)),
        ),
        ("safety", lambda: _safety(analysis)),
        ("dose finding", lambda: _dose_finding(analysis)),
        ("efficacy", lambda: _efficacy(analysis)),
        ("conduct", lambda: _conduct(analysis)),
    ]
    sections = []
    for name, build in steps:
        if progress is not None:
            progress(name)
        sections.append(build())
    appendix = (
        endpoint_listings(analysis),
        adverse_event_listing(trial, analysis),
        conduct_listing(analysis),
    )
    return Report(
        title="Data and Safety Monitoring Board report",
        subtitle=trial.protocol_id,
        trial_id=analysis.protocol_id,
        protocol_version=analysis.protocol_version,
        data_cutoff=analysis.cutoff,
        generated_at=generated_at,
        confidentiality=CONFIDENTIALITY,
        sections=tuple(sections),
        appendix=appendix,
    )


def write_dsmb_report(
    *,
    trial: TrialData,
    protocol: Protocol,
    out_dir: Path,
    generated_at: dt.datetime,
    cutoff: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[Path, Path, TrialAnalysis]:
    """Analyse ``trial`` and write ``report.html`` and ``report.pdf`` into ``out_dir``.

    Returns the two paths and the analysis the report shows.
    """
    if progress is not None:
        progress("analysis")
    analysis = analyze_trial(trial=trial, protocol=protocol, cutoff=cutoff)
    report = dsmb_report(
        trial=trial, protocol=protocol, analysis=analysis, generated_at=generated_at, progress=progress
    )
    if progress is not None:
        progress("rendering HTML and PDF")
    html, pdf = write_report(report=report, out_dir=out_dir)
    return html, pdf, analysis
