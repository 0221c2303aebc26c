"""The DSMB report's tables, each built from one part of :class:`TrialAnalysis`.

Every number comes from the analysis (the same values ``hipectrial analyze --json`` prints);
this module only lays them out. Cells that stand for a set of participants link to the
appendix listing of those participants.
"""

from __future__ import annotations

from hipectrial.analysis.baseline import BaselineTable, Counts
from hipectrial.analysis.results import (
    AdverseEventValue,
    BinaryValue,
    CategoricalValue,
    ContinuousValue,
    DltValue,
    EndpointResult,
    TimeToEventValue,
)
from hipectrial.analysis.trial_analysis import TrialAnalysis
from hipectrial.protocol import Protocol
from hipectrial.report import numbers as fmt
from hipectrial.report.document import Align, Cell, CellValue, Column, Table

L, R = Align.LEFT, Align.RIGHT


def listing_id(endpoint_id: str, population: str) -> str:
    """The appendix anchor of the participants behind one endpoint in one population."""
    return f"records-{endpoint_id}-{population}".replace("_", "-")


def accrual_by_site(analysis: TrialAnalysis) -> Table:
    rows = [(row.key, row.screened, row.registered) for row in analysis.accrual.by_site]
    total = ("Total", sum(r[1] for r in rows), sum(r[2] for r in rows))
    return Table(
        columns=(Column("Site", L), Column("Screened", R), Column("Registered", R)),
        rows=(*rows, total),
        caption="Accrual by site",
        id="table-accrual-site",
    )


def screening_failures(analysis: TrialAnalysis, protocol: Protocol) -> Table:
    """People screened and not found eligible, by criterion failed (one person may fail several)."""
    counts: dict[str, int] = {}
    for outcome in analysis.eligibility:
        for criterion_id in outcome.failed:
            counts[criterion_id] = counts.get(criterion_id, 0) + 1
    rows = tuple((c.id, c.kind, c.text.en, counts[c.id]) for c in protocol.eligibility if c.id in counts)
    return Table(
        columns=(Column("Criterion", L), Column("Kind", L), Column("Text", L), Column("People", R)),
        rows=rows,
        caption="Screening failures by eligibility criterion (recomputed by the clinical engine)",
        note="A person failing several criteria counts under each; the listing is in the appendix.",
        id="table-screening-failures",
    )


def accrual_by_month(analysis: TrialAnalysis) -> Table:
    rows = []
    screened = registered = 0
    for row in analysis.accrual.by_month:
        screened += row.screened
        registered += row.registered
        rows.append((row.key, row.screened, row.registered, screened, registered))
    return Table(
        columns=(
            Column("Month", L),
            Column("Screened", R),
            Column("Registered", R),
            Column("Cumulative screened", R),
            Column("Cumulative registered", R),
        ),
        rows=tuple(rows),
        caption="Accrual over time (by month of consent / registration)",
        id="table-accrual-month",
    )


def populations(analysis: TrialAnalysis) -> Table:
    pops = analysis.populations
    rows = [(pop.value, len(ids), pops.rules[pop]) for pop, ids in pops.sets.items()]
    rows += [
        ("part_a", len(pops.part_a), "registered in Part A (dose exploration)"),
        ("part_b", len(pops.part_b), "registered in Part B (phase II at the RP2D)"),
    ]
    return Table(
        columns=(Column("Population", L), Column("n", R), Column("Rule", L)),
        rows=tuple(rows),
        caption="Analysis populations",
        id="table-populations",
    )


def _counts(label: str, counts: Counts, n: int) -> list[tuple[str, str, str]]:
    out = [(label, "", "")]
    for category, count in counts.counts:
        out.append(("", category, f"{count} ({fmt.percent(count / n if n else None)})"))
    if counts.missing:
        out.append(("", "missing", str(counts.missing)))
    return out


def baseline(table: BaselineTable) -> Table:
    n = table.n
    rows: list[tuple[str, str, str]] = [
        ("Age (years)", "median (range)", fmt.summary(table.age_years, digits=0)),
        *_counts("Sex", table.sex, n),
        *_counts("ECOG performance status", table.ecog, n),
        *_counts("Cohort (HER2 status)", table.cohort, n),
        ("PCI at day-0 laparoscopy", "median (range)", fmt.summary(table.pci, digits=0)),
        *_counts("Peritoneal cytology at day 0", table.cytology, n),
        *_counts("Site", table.site, n),
    ]
    return Table(
        columns=(
            Column("Characteristic", L),
            Column("Category", L),
            Column(f"{table.population} (n = {n})", R),
        ),
        rows=tuple(rows),
        caption=f"Baseline characteristics ({table.population} population)",
        id="table-baseline",
    )


def exposure(analysis: TrialAnalysis) -> Table:
    rows = []
    for agent in analysis.exposure:
        rdi = agent.relative_dose_intensity
        rows.append(
            (
                agent.agent,
                agent.treated,
                fmt.summary(agent.cycles, digits=0),
                f"{agent.participants_with_reduction} ({agent.reduction_events})"
                if agent.reducible
                else "n.a.",
                f"{agent.participants_with_dose_at_reduced_level} ({agent.doses_at_reduced_level})"
                if agent.reducible
                else "n.a.",
                f"{agent.participants_with_delay} ({agent.delays})",
                fmt.summary(rdi, digits=2) if rdi is not None else "n.a.",
                fmt.summary(agent.relative_total_dose, digits=2),
            )
        )
    return Table(
        columns=(
            Column("Agent", L),
            Column("Treated", R),
            Column("Cycles: median (range)", R),
            Column("Participants with reduction (reduction events)", R),
            Column("Participants with a dose at a reduced level (doses)", R),
            Column("Participants with delay (delays)", R),
            Column("Relative dose intensity: median (range)", R),
            Column("Relative total dose: median (range)", R),
        ),
        rows=tuple(rows),
        caption="Treatment exposure",
        id="table-exposure",
        note="Reduction event: a dose given at <= 90 % of the previous dose given (a new lower level); "
        "dose at a reduced level: given at <= 90 % of the starting dose; n.a.: the protocol does not reduce "
        "the agent. Relative dose intensity: (dose given ÷ time on treatment) ÷ (planned dose per cycle ÷ "
        "cycle length), so delays and withheld doses lower it; n.a. for HIPEC (sessions, no cycle length). "
        "Relative total dose: dose given ÷ dose planned for the cycles started "
        "(hipectrial.analysis.exposure).",
    )


def binary_row(result: EndpointResult, value: BinaryValue) -> tuple[str | Cell, ...]:
    return (
        result.name,
        value.population,
        Cell(fmt.proportion(value.estimate), link=listing_id(result.endpoint_id, value.population)),
    )


def endpoints(analysis: TrialAnalysis) -> Table:
    """Every binary, continuous and categorical endpoint in each population it is reported in."""
    rows: list[tuple[str | Cell, ...]] = []
    for result in analysis.endpoints:
        for value in (result.value, *result.also_reported):
            if isinstance(value, BinaryValue):
                rows.append(binary_row(result, value))
            elif isinstance(value, ContinuousValue):
                s = value.summary
                text = (
                    f"mean {fmt.number(s.mean)} (SD {fmt.number(s.sd)}); median {fmt.number(s.median)} "
                    f"(IQR {fmt.number(s.q1)} to {fmt.number(s.q3)}); n = {s.n}"
                )
                rows.append(
                    (
                        result.name,
                        value.population,
                        Cell(text, link=listing_id(result.endpoint_id, value.population)),
                    )
                )
            elif isinstance(value, CategoricalValue):
                text = "; ".join(f"{c.category}: {c.count}" for c in value.counts) or "none"
                rows.append(
                    (
                        result.name,
                        value.population,
                        Cell(
                            f"{text} (n = {value.n})", link=listing_id(result.endpoint_id, value.population)
                        ),
                    )
                )
    return Table(
        columns=(Column("Endpoint", L), Column("Population", L), Column("Estimate (exact 95 % CI)", L)),
        rows=tuple(rows),
        caption="Efficacy and surgical endpoints",
        id="table-endpoints",
        note="Rates with Clopper-Pearson exact intervals. Each estimate links to the participants "
        "behind it in the appendix.",
    )


def survival(analysis: TrialAnalysis) -> Table:
    rows: list[tuple[str | Cell, ...]] = []
    for result in analysis.endpoints:
        value = result.value
        if not isinstance(value, TimeToEventValue) or value.km is None:
            continue
        km = value.km
        at = "; ".join(
            f"day {a.day}: {fmt.percent(a.survival)} ({fmt.percent(a.lower)}–{fmt.percent(a.upper)})"
            for a in km.at_days
        )
        rows.append(
            (
                result.name,
                f"{km.events}/{km.n}",
                Cell(
                    f"{fmt.days(km.median_days)} (95 % CI {fmt.bound(km.median_lower)}–"
                    f"{fmt.bound(km.median_upper)})",
                    link=listing_id(result.endpoint_id, value.population),
                ),
                at or "–",
            )
        )
    return Table(
        columns=(
            Column("Endpoint", L),
            Column("Events/n", R),
            Column("Median (95 % CI, days)", L),
            Column("Kaplan-Meier estimate (95 % CI)", L),
        ),
        rows=tuple(rows),
        caption="Time-to-event endpoints (from registration)",
        id="table-survival",
        note="Kaplan-Meier with log-log confidence intervals (hipectrial.analysis.km, equal to R "
        "survival's survfit with conf.type = 'log-log'); NE: not estimable.",
    )


def ae_summary(value: AdverseEventValue) -> Table:
    rows = [
        (c.category, c.participants, fmt.percent(c.participants / value.n if value.n else None), c.events)
        for c in value.summary
    ]
    return Table(
        columns=(Column("Participants with", L), Column("n", R), Column("%", R), Column("Events", R)),
        rows=tuple(rows),
        caption=f"Adverse events, safety population (n = {value.n})",
        id="table-ae-summary",
    )


def ae_by_term(value: AdverseEventValue, *, min_grade: int = 3) -> Table:
    rows: list[tuple[CellValue, ...]] = []
    for row in sorted(value.by_term, key=lambda r: (-sum(r.worst_grade[min_grade - 1 :]), r.term)):
        severe = sum(row.worst_grade[min_grade - 1 :])
        if severe == 0:
            continue
        rows.append(
            (
                row.term,
                row.any_grade,
                *row.worst_grade[min_grade - 1 :],
                severe,
                sum(row.related_worst_grade[min_grade - 1 :]),
            )
        )
    grades = tuple(Column(f"Grade {g}", R) for g in range(min_grade, 6))
    return Table(
        columns=(
            Column("CTCAE v5.0 term", L),
            Column("Any grade", R),
            *grades,
            Column(f"Grade ≥ {min_grade}", R),
            Column(f"Related grade ≥ {min_grade}", R),
        ),
        rows=tuple(rows),
        caption=f"Participants by term and worst grade, terms with grade ≥ {min_grade}",
        id="table-ae-severe",
        note="Each participant counts once per term, at the worst grade; related = at least possibly "
        "related to any study agent.",
    )


def dlt(value: DltValue, analysis: TrialAnalysis) -> Table:
    by_level = {lv.level: lv for lv in analysis.dose_finding.levels}
    rows = []
    for level in value.levels:
        boin = by_level.get(level.level)
        iso = fmt.number(boin.isotonic_estimate, digits=3) if boin else "–"
        rows.append(
            (
                level.level,
                level.dose,
                boin.registered if boin else "–",
                Cell(
                    fmt.proportion(level.value.estimate), link=listing_id("dlt-rate", f"level-{level.level}")
                ),
                iso,
                "yes" if boin and boin.eliminated else "no",
            )
        )
    return Table(
        columns=(
            Column("Dose level", L),
            Column("HIPEC paclitaxel", L),
            Column("Registered", R),
            Column("DLT / evaluable (exact 95 % CI)", L),
            Column("Isotonic estimate", R),
            Column("Eliminated", L),
        ),
        rows=tuple(rows),
        caption="Part A: dose-limiting toxicities by dose level",
        id="table-dlt",
    )


def deviations(analysis: TrialAnalysis) -> Table:
    rows = tuple((kind, count) for kind, count in analysis.deviations.by_kind)
    return Table(
        columns=(Column("Deviation", L), Column("n", R)),
        rows=rows,
        caption="Protocol deviations by kind",
        id="table-deviations",
        note="Listed one by one in the appendix.",
    )


def completeness(analysis: TrialAnalysis) -> Table:
    c = analysis.completeness
    rows = (
        ("Scheduled visits due by the cut-off", c.expected),
        ("… recorded", c.recorded),
        ("… missing", c.expected - c.recorded),
        ("Visits recorded (%)", fmt.percent(c.recorded / c.expected if c.expected else None)),
        ("Lab values expected at cycle visits", c.lab_values_expected),
        ("… missing", c.lab_values_missing),
    )
    return Table(
        columns=(Column("Item", L), Column("Value", R)),
        rows=rows,
        caption="Data completeness",
        id="table-completeness",
    )
