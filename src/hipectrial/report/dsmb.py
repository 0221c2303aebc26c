"""The DSMB report: what a data and safety monitoring board needs, every number true.

:func:`dsmb_report` lays out one :class:`~hipectrial.analysis.trial_analysis.TrialAnalysis`
as a :class:`~hipectrial.report.document.Report`; :func:`write_dsmb_report` checks the output
folder, analyses a trial (the data are validated first: :mod:`hipectrial.analysis.data_check`)
and writes the report as HTML and PDF with its listings as CSV.

Sections: summary (headline numbers and the design decisions), accrual and participant flow,
baseline, exposure, safety, deaths, dose finding, efficacy (the primary endpoint as designed
first), conduct and data quality; then the appendix of listings (the records behind every
number). Every number is the analysis' own (the same ``hipectrial analyze --json`` prints);
the layout modules are :mod:`.dsmb_summary`, :mod:`.dsmb_flow`, :mod:`.dsmb_baseline`,
:mod:`.dsmb_conduct`, :mod:`.dsmb_safety`, :mod:`.dsmb_design`, :mod:`.dsmb_efficacy`,
:mod:`.dsmb_appendix` and :mod:`.dsmb_figures`. When the data come from the simulator, every
page says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from hipectrial.analysis.labels import Labels
from hipectrial.analysis.results import AdverseEventValue
from hipectrial.analysis.trial_analysis import TrialAnalysis, analyze_trial
from hipectrial.data import TrialData
from hipectrial.protocol import Protocol
from hipectrial.report import dsmb_appendix as appendix
from hipectrial.report import dsmb_baseline, dsmb_conduct, dsmb_design, dsmb_efficacy, dsmb_safety
from hipectrial.report import dsmb_figures as figs
from hipectrial.report import dsmb_flow as flow
from hipectrial.report.document import Block, Paragraph, Report, Section
from hipectrial.report.dsmb_summary import NOTICE_SIMULATED, dose_finding_callout, summary_blocks
from hipectrial.report.write import check_out_dir, write_report

CONFIDENTIALITY = "Closed report — for the Data and Safety Monitoring Board only"

# The steps dsmb_report reports through its progress callback, in order (write_dsmb_report
# adds "analysis" before them and "rendering HTML and PDF" after).
SECTION_STEPS = ("summary", "accrual", "baseline", "exposure", "safety", "deaths", "dose finding",
                 "efficacy", "conduct")
STEPS = ("analysis", *SECTION_STEPS, "appendix", "rendering HTML and PDF")


def _accrual(analysis: TrialAnalysis, labels: Labels) -> Section:
    return Section(id="accrual", title="Accrual and participant flow", blocks=(
        flow.accrual_by_site(analysis),
        flow.accrual_by_month(analysis),
        figs.as_block(figs.consort_figure(analysis), id="figure-consort",
                      caption="Participant flow from screening to R0 resection, with the reasons for "
                      "leaving each step (one reason per person; screening failures by criterion below)"),
        flow.consort_by_group(analysis),
        flow.treatment_status(analysis),
        flow.follow_up_status(analysis),
        flow.screening_failures(analysis, labels),
        flow.populations(analysis),
    ))


def _safety(analysis: TrialAnalysis, labels: Labels) -> Section:
    blocks: list[Block] = dsmb_safety.safety_blocks(analysis, labels)
    for result in analysis.endpoints:
        if isinstance(result.value, AdverseEventValue):
            heatmap = figs.ae_figure(result.value)
            if heatmap is not None:
                blocks.append(figs.as_block(heatmap, id="figure-ae-heatmap",
                                            caption="Participants by CTCAE term and worst grade (the 25 most "
                                            "frequent terms)"))
    blocks.append(Paragraph("Every adverse event of grade ≥ 3, serious or dose-limiting is listed in the "
                            "appendix; deaths follow in the next section."))
    return Section(id="safety", title="Safety", blocks=tuple(blocks))


def _dose_finding(analysis: TrialAnalysis, labels: Labels) -> Section:
    blocks = (*dsmb_design.dose_finding_blocks(analysis, labels), dose_finding_callout(analysis))
    return Section(id="dose-finding", title="Dose finding (Part A, BOIN)", blocks=blocks)


def _conduct(analysis: TrialAnalysis, labels: Labels) -> Section:
    return Section(id="conduct", title="Protocol deviations and data quality", blocks=(
        dsmb_conduct.deviations(analysis), dsmb_conduct.completeness(analysis),
        dsmb_conduct.data_currency(analysis), dsmb_conduct.data_quality(analysis, labels)))


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
        The data analysed (for the listings of individual events and where they came from).
    protocol
        The protocol they were analysed under (its labels and criterion texts).
    analysis
        ``analyze_trial(trial=trial, protocol=…)``.
    generated_at
        When the report is generated (printed on it; time is an argument, never read here).
    progress
        Called with the name of each section (``SECTION_STEPS``) as it is built, then
        ``"appendix"``.
    """
    labels = Labels(protocol)
    source = trial.source.description if trial.source is not None else None
    steps: list[tuple[str, Callable[[], Section]]] = [
        ("summary", lambda: Section(id="summary", title="Summary",
                                    blocks=tuple(summary_blocks(analysis, labels, source)))),
        ("accrual", lambda: _accrual(analysis, labels)),
        ("baseline", lambda: Section(id="baseline", title="Baseline characteristics",
                                     blocks=(dsmb_baseline.baseline(analysis.baseline),))),
        ("exposure", lambda: Section(id="exposure", title="Treatment exposure",
                                     blocks=(dsmb_conduct.exposure(analysis, labels),))),
        ("safety", lambda: _safety(analysis, labels)),
        ("deaths", lambda: Section(id="deaths", title="Deaths",
                                   blocks=tuple(dsmb_safety.deaths_blocks(analysis, labels)))),
        ("dose finding", lambda: _dose_finding(analysis, labels)),
        ("efficacy", lambda: Section(id="efficacy", title="Efficacy", blocks=(
            *dsmb_design.primary_blocks(analysis), *dsmb_efficacy.efficacy_blocks(analysis)))),
        ("conduct", lambda: _conduct(analysis, labels)),
    ]
    sections = []
    for name, build in steps:
        if progress is not None:
            progress(name)
        sections.append(build())
    if progress is not None:
        progress("appendix")
    listings = (
        appendix.endpoint_listings(analysis),
        appendix.adverse_event_listing(trial, analysis, labels),
        appendix.conduct_listings(analysis, labels),
        appendix.data_quality_listing(analysis, labels),
        appendix.course_listings(analysis, labels),
    )
    return Report(
        title="Data and Safety Monitoring Board report",
        subtitle=protocol.study.short_title,
        trial_id=analysis.protocol_id,
        protocol_version=analysis.protocol_version,
        data_cutoff=analysis.cutoff,
        generated_at=generated_at,
        confidentiality=CONFIDENTIALITY,
        sections=tuple(sections),
        appendix=listings,
        data_notice=NOTICE_SIMULATED if trial.simulated else None,
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
    """Analyse ``trial`` and write ``report.html``, ``report.pdf`` and ``listings/*.csv`` into
    ``out_dir``; a folder that cannot be written is refused before any work
    (:func:`~hipectrial.report.write.check_out_dir`).

    Returns the two paths and the analysis the report shows.

    Raises
    ------
    InputError
        ``out_dir`` cannot be written.
    DataInvalidError
        The data contradict the protocol (nothing is analysed or written).
    """
    check_out_dir(out_dir)
    if progress is not None:
        progress("analysis")
    analysis = analyze_trial(trial=trial, protocol=protocol, cutoff=cutoff)
    report = dsmb_report(trial=trial, protocol=protocol, analysis=analysis, generated_at=generated_at,
                         progress=progress)
    if progress is not None:
        progress("rendering HTML and PDF")
    html, pdf = write_report(report=report, out_dir=out_dir)
    return html, pdf, analysis
