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
from hipectrial.report.document import Block, Cell, CellValue, Column, Figure, Paragraph, Table
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


def _in_sentence(name: str) -> str:
    """An endpoint's name inside a sentence: its first letter lower case, unless its first word
    is an acronym ("Overall survival" -> "overall survival"; "PFS by BICR" stays)."""
    first = name.split(" ", 1)[0]
    return name if first.isupper() else name[:1].lower() + name[1:]


def _survival_at_phrases(analysis: TrialAnalysis, tte: list[tuple[EndpointResult, TimeToEventValue]],
                         days: list[int]) -> list[str]:
    """Where each survival-at endpoint is in the table: the row of the time-to-event endpoint
    with its population, origin and censoring (the protocol's own settings), at its day."""
    phrases = []
    for result in sorted(analysis.endpoints, key=lambda r: (r.at_days or 0, r.name)):
        value = result.value
        if (result.derivation is not Derivation.SURVIVAL_AT or result.at_days not in days
                or not isinstance(value, TimeToEventValue)):
            continue
        parent = next((r.name for r, v in tte
                       if (v.population, v.origin, v.censoring) == (value.population, value.origin,
                                                                    value.censoring)), None)
        name, day = result.name, result.at_days
        if parent is None:
            phrases.append(f"the {name} is not in this table: no endpoint here has its population, origin "
                           "and censoring")
        else:
            phrases.append(f"the {name} is the {_in_sentence(parent)} estimate at {day} days")
    return phrases


def survival(analysis: TrialAnalysis) -> Table:
    """One row per time-to-event endpoint: events, median and the estimates at the protocol's days.

    Without a Kaplan-Meier fit the row still counts the events among its participants.
    """
    tte = [(r, r.value) for r in analysis.endpoints
           if r.derivation in TIME_TO_EVENT and isinstance(r.value, TimeToEventValue)]
    days = sorted({a.day for _, v in tte if v.km is not None for a in v.km.at_days})
    rows: list[tuple[CellValue, ...]] = []
    for result, value in tte:
        km = value.km
        if km is None:
            events = sum(1 for r in value.rows if r.event)
            rows.append((result.name, f"{events}/{len(value.rows)}", value.km_note or "not estimable",
                         *("–" for _ in days)))
            continue
        at = {a.day: a for a in km.at_days}
        cells = [fmt.percent_ci(at[d].survival, at[d].lower, at[d].upper) if d in at else "–" for d in days]
        median = (f"{fmt.days(km.median_days)}; 95{fmt.NBSP}% CI {fmt.bound(km.median_lower)}–"
                  f"{fmt.bound(km.median_upper)} days")
        rows.append((result.name, f"{km.events}/{km.n}",
                     Cell(median, link=listing_id(result.endpoint_id, value.population)), *cells))
    at_names = "; ".join(_survival_at_phrases(analysis, tte, days))
    return Table(
        columns=(Column("Endpoint", L), Column("Events/n", R), Column("Median (95 % CI)", L),
                 *(Column(f"At {d} days (95 % CI)", L) for d in days)),
        rows=tuple(rows),
        caption="Time-to-event endpoints, from registration (ITT)",
        note="Kaplan-Meier estimates with log-log confidence intervals (equal to R survival's survfit with "
        "conf.type = 'log-log'); NE: not estimable. " + (at_names[0].upper() + at_names[1:] + "."
                                                          if at_names else ""),
        id="table-survival")


def km_block(*, endpoint_id: str, title: str, value: TimeToEventValue) -> Figure | None:
    """The Kaplan-Meier figure of one time-to-event endpoint (all ITT participants), its caption
    naming the months between the number-at-risk columns that the figure uses; ``None`` without
    a participant."""
    median = value.km.median_days if value.km is not None else None
    km = figs.km_figure(title=title, groups=[("All ITT participants", value.rows, median)])
    if km is None:
        return None
    return figs.as_block(
        km.drawing, id=f"figure-{endpoint_id}",
        caption=f"{title}: Kaplan-Meier estimate with its 95 % confidence band (log-log), censoring "
        f"marks and the number at risk every {km.step_months} months")


def efficacy_blocks(analysis: TrialAnalysis) -> list[Block]:
    blocks: list[Block] = [endpoints(analysis), survival(analysis)]
    for endpoint_id, title in (("pfs", "Progression-free survival"), ("os", "Overall survival")):
        value = next((r.value for r in analysis.endpoints if r.endpoint_id == endpoint_id
                      and isinstance(r.value, TimeToEventValue)), None)
        if not isinstance(value, TimeToEventValue):
            continue
        figure = km_block(endpoint_id=endpoint_id, title=title, value=value)
        if figure is not None:
            blocks.append(figure)
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
