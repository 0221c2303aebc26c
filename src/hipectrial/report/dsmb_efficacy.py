"""The DSMB report's efficacy section (after the primary endpoint, :mod:`.dsmb_design`).

The secondary binary, continuous and categorical endpoints (each once: the primary endpoint,
surgical morbidity and mortality have their own tables), the time-to-event endpoints with
one row each (the survival-at endpoints are the estimates of their parent at those days,
not rows of their own), and the figures. Figures that would be unreadable at the trial's
size are left out and say where the same information is (``MAX_LANES``).
"""

from __future__ import annotations

from hipectrial.analysis.results import (
    BinaryValue,
    CategoricalValue,
    ContinuousValue,
    EndpointResult,
    TimeToEventValue,
)
from hipectrial.analysis.trial_analysis import TrialAnalysis
from hipectrial.protocol.endpoints import Derivation
from hipectrial.report import dsmb_figures as figs
from hipectrial.report import numbers as fmt
from hipectrial.report.document import Block, Cell, CellValue, Column, Paragraph, Table
from hipectrial.report.dsmb_common import L, R, listing_id, population_name

# Derivations that have a table of their own elsewhere in the report.
ELSEWHERE = (Derivation.R0_RESECTION, Derivation.SURGICAL_MORBIDITY, Derivation.MORTALITY_AT,
             Derivation.ADVERSE_EVENTS, Derivation.DLT_RATE)
TIME_TO_EVENT = (Derivation.PROGRESSION_FREE_SURVIVAL, Derivation.OVERALL_SURVIVAL)
# A swimmer or spider plot of more participants than this has lanes too thin to read on a page.
MAX_LANES = 80


def _estimate(result: EndpointResult, value: BinaryValue | ContinuousValue | CategoricalValue) -> Cell:
    link = listing_id(result.endpoint_id, value.population)
    if isinstance(value, BinaryValue):
        return Cell(fmt.proportion(value.estimate), link=link)
    if isinstance(value, ContinuousValue):
        s = value.summary
        return Cell(f"median {fmt.number(s.median)} (IQR {fmt.number(s.q1)} to {fmt.number(s.q3)}); "
                    f"mean {fmt.number(s.mean)} (SD {fmt.number(s.sd)}); n = {s.n}", link=link)
    counts = "; ".join(f"{c.category}: {c.count}" for c in value.counts)
    return Cell(f"{counts} (n = {value.n})", link=link)


def endpoints(analysis: TrialAnalysis) -> Table:
    """Every secondary binary, continuous and categorical endpoint in each of its populations."""
    rows: list[tuple[CellValue, ...]] = []
    for result in analysis.endpoints:
        if result.derivation in ELSEWHERE:
            continue
        for value in (result.value, *result.also_reported):
            if isinstance(value, BinaryValue | ContinuousValue | CategoricalValue):
                rows.append((result.name, population_name(value.population), _estimate(result, value)))
    return Table(
        columns=(Column("Endpoint", L), Column("Population", L), Column("Estimate", L)),
        rows=tuple(rows),
        caption="Secondary efficacy and surgical endpoints",
        note="Rates with exact Clopper-Pearson 95 % intervals. Each estimate links to the participants "
        "behind it in the appendix, with the reason each is counted or not.",
        id="table-endpoints")


def survival(analysis: TrialAnalysis) -> Table:
    """One row per time-to-event endpoint: events, median and the estimates at the protocol's days."""
    tte = [(r, r.value) for r in analysis.endpoints
           if r.derivation in TIME_TO_EVENT and isinstance(r.value, TimeToEventValue)]
    days = sorted({a.day for _, v in tte if v.km is not None for a in v.km.at_days})
    named = {e.at_days: e.name for e in analysis.endpoints
             if e.derivation is Derivation.SURVIVAL_AT and e.at_days is not None}
    rows: list[tuple[CellValue, ...]] = []
    for result, value in tte:
        km = value.km
        if km is None:
            rows.append((result.name, f"0/{len(value.rows)}", value.km_note or "not estimable",
                         *("–" for _ in days)))
            continue
        at = {a.day: a for a in km.at_days}
        cells = [fmt.percent_ci(at[d].survival, at[d].lower, at[d].upper) if d in at else "–" for d in days]
        median = (f"{fmt.days(km.median_days)}; 95{fmt.NBSP}% CI {fmt.bound(km.median_lower)}–"
                  f"{fmt.bound(km.median_upper)} days")
        rows.append((result.name, f"{km.events}/{km.n}",
                     Cell(median, link=listing_id(result.endpoint_id, value.population)), *cells))
    at_names = "; ".join(f"the {named[d]} is the overall survival estimate at {d} days"
                         for d in days if d in named)
    return Table(
        columns=(Column("Endpoint", L), Column("Events/n", R), Column("Median (95 % CI)", L),
                 *(Column(f"At {d} days (95 % CI)", L) for d in days)),
        rows=tuple(rows),
        caption="Time-to-event endpoints, from registration (ITT)",
        note="Kaplan-Meier estimates with log-log confidence intervals (equal to R survival's survfit with "
        "conf.type = 'log-log'); NE: not estimable. " + (at_names[0].upper() + at_names[1:] + "."
                                                          if at_names else ""),
        id="table-survival")


def efficacy_blocks(analysis: TrialAnalysis) -> list[Block]:
    blocks: list[Block] = [endpoints(analysis), survival(analysis)]
    for endpoint_id, title in (("pfs", "Progression-free survival"), ("os", "Overall survival")):
        value = next((r.value for r in analysis.endpoints if r.endpoint_id == endpoint_id
                      and isinstance(r.value, TimeToEventValue)), None)
        if not isinstance(value, TimeToEventValue):
            continue
        median = value.km.median_days if value.km is not None else None
        drawing = figs.km_figure(title=title, groups=[("All ITT participants", value.rows, median)])
        if drawing is not None:
            blocks.append(figs.as_block(
                drawing, id=f"figure-{endpoint_id}",
                caption=f"{title}: Kaplan-Meier estimate with its 95 % confidence band (log-log), censoring "
                "marks and the number at risk every 3 months"))
    waterfall = figs.waterfall_figure(analysis)
    if waterfall is not None:
        blocks.append(figs.as_block(waterfall, id="figure-waterfall",
                                    caption="Best change from baseline in the sum of target lesions"))
    measured = sum(1 for c in analysis.lesion_changes if c.series)
    if measured > MAX_LANES:
        blocks.append(Paragraph(f"The spider plot is left out: {measured} participants are too many lines to "
                                "read; the change of each over time is in listings/lesion-changes.csv."))
    else:
        spider = figs.spider_figure(analysis)
        if spider is not None:
            blocks.append(figs.as_block(
                spider, id="figure-spider",
                caption="Change from baseline in the sum of target lesions over time"))
    if len(analysis.timelines) > MAX_LANES:
        blocks.append(Paragraph(f"The swimmer plot is left out: {len(analysis.timelines)} registered "
                                "participants are too many lanes to read; each course is in "
                                "listings/courses.csv."))
    else:
        swimmer = figs.swimmer_figure(analysis)
        if swimmer is not None:
            blocks.append(figs.as_block(
                swimmer, id="figure-swimmer",
                caption="Each participant's course: treatment phases, HIPEC, surgery, response, progression "
                "and death"))
    return blocks
