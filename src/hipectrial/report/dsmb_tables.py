"""The DSMB report's tables, each built from one part of :class:`TrialAnalysis`.

Every number comes from the analysis (the same values ``hipectrial analyze --json`` prints);
this module only lays them out. Cells that stand for a set of participants link to the
appendix listing of those participants.
"""

from __future__ import annotations

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
from hipectrial.report import numbers as fmt
from hipectrial.report.document import Align, Cell, CellValue, Column, Table

L, R = Align.LEFT, Align.RIGHT


def listing_id(endpoint_id: str, population: str) -> str:
    """The appendix anchor of the participants behind one endpoint in one population."""
    return f"records-{endpoint_id}-{population}".replace("_", "-")


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
