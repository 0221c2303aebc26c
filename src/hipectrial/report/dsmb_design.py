"""The DSMB report's design tables: Part A dose finding and the primary endpoint as designed.

Dose finding: DLTs by dose level with the isotonic estimates, the cohort-by-cohort BOIN
history (the data each decision was taken on, its date and the decision), and each DLT
described. Primary endpoint: the R0 rate in the population the Simon design is powered on
(Part B ITT at the RP2D), the stage-1 look and the final analysis with the Simon-adjusted
estimate, Part A by dose level, and the all-ITT and operated rates as secondary.
"""

from __future__ import annotations

from hipectrial.analysis.labels import Labels
from hipectrial.analysis.results import BinaryValue, DltValue
from hipectrial.analysis.trial_analysis import TrialAnalysis
from hipectrial.report import numbers as fmt
from hipectrial.report.document import Block, Cell, CellValue, Column, Paragraph, Table
from hipectrial.report.dsmb_common import L, R, listing_id, population_name


def dlt_by_level(value: DltValue, analysis: TrialAnalysis) -> Table:
    by_level = {lv.level: lv for lv in analysis.dose_finding.levels}
    rows = []
    for level in value.levels:
        boin = by_level.get(level.level)
        rows.append((
            level.level, level.dose, boin.registered if boin else "–",
            Cell(fmt.proportion(level.value.estimate), link=listing_id("dlt-rate", level.value.population)),
            fmt.number(boin.isotonic_estimate, digits=3) if boin else "–",
            "yes" if boin and boin.eliminated else "no"))
    return Table(
        columns=(Column("Dose level", L), Column("HIPEC paclitaxel", L), Column("Registered", R),
                 Column("DLT / evaluable (exact 95 % CI)", L), Column("Isotonic estimate", R),
                 Column("Eliminated", L)),
        rows=tuple(rows), caption="Part A: dose-limiting toxicities by dose level", id="table-dlt")


def cohort_history(analysis: TrialAnalysis) -> Table:
    levels = [lv.level for lv in analysis.dose_finding.levels]
    rows: list[tuple[CellValue, ...]] = []
    for c in analysis.boin_cohorts:
        index = levels.index(c.dose_level) if c.dose_level in levels else None
        cumulative = f"{c.dlt[index]}/{c.n[index]}" if index is not None else "–"
        if c.action is None and c.pending_ids:
            decision = f"pending: {fmt.plural(len(c.pending_ids), 'DLT outcome')} not yet known"
        elif c.action is None:
            decision = ""  # the reason says why there is none (an incomplete cohort)
        elif c.selected_level is not None:
            decision = f"{c.action}: dose level {c.selected_level} selected"
        elif c.next_level is not None:
            decision = f"{c.action}: next cohort at level {c.next_level}"
        else:
            decision = f"{c.action}: no dose selected"
        if decision and c.reason:
            decision += f" ({c.reason})"
        rows.append((c.number, c.dose_level, ", ".join(c.participant_ids), f"{c.dlts}/{c.evaluable}",
                     cumulative, fmt.date(c.known_on), decision or c.reason or "no decision"))
    df = analysis.dose_finding
    return Table(
        columns=(Column("Cohort", R), Column("Level", L), Column("Participants", L),
                 Column("DLT / evaluable", R), Column("Cumulative at the level", R),
                 Column("Outcomes known on", L), Column("BOIN decision", L)),
        rows=tuple(rows),
        caption="Part A: the dose-finding history, cohort by cohort",
        note=f"Cohorts are consecutive registrations at one level in registration order. Each decision is "
        f"taken on the cumulative data when the cohort's DLT outcomes are all known: escalate when the DLT "
        f"rate at the current level is ≤ {fmt.fixed(df.escalate_if_rate_at_most, 3)}, de-escalate when ≥ "
        f"{fmt.fixed(df.de_escalate_if_rate_at_least, 3)} (BOIN); the recommended phase II dose is selected "
        "by isotonic regression when the design stops.",
        id="table-boin-history")


def dlt_listing(analysis: TrialAnalysis, labels: Labels) -> Table:
    rows = tuple((r.participant_id, r.dose_level or "–", r.term, r.grade, r.onset_date.isoformat(),
                  "–" if r.day is None else r.day, "yes" if r.serious else "no")
                 for r in analysis.safety_tables.dlts)
    return Table(
        columns=(Column("Participant", L), Column("Level", L), Column("Event (CTCAE v5.0)", L),
                 Column("Grade", R), Column("Onset", L), Column("Day after HIPEC", R), Column("Serious", L)),
        rows=rows, caption="Part A: each dose-limiting toxicity", id="table-dlt-events",
        note="Day 0 is the day-0 laparoscopy + HIPEC; the DLT window ends on induction cycle 1 day "
        f"{labels.protocol.dose_finding.dlt.window.end.day}.")


def dose_finding_blocks(analysis: TrialAnalysis, labels: Labels) -> list[Block]:
    blocks: list[Block] = []
    for result in analysis.endpoints:
        if isinstance(result.value, DltValue):
            blocks.append(dlt_by_level(result.value, analysis))
    blocks += [cohort_history(analysis), dlt_listing(analysis, labels)]
    return blocks


# -- the primary endpoint as designed --------------------------------------------------------


def _rate_row(label: str, value: BinaryValue, endpoint_id: str, note: str) -> tuple[CellValue, ...]:
    n = value.estimate.n
    return (label, n, n - len(value.pending_ids), value.estimate.events,
            Cell(fmt.proportion(value.estimate), link=listing_id(endpoint_id, value.population)), note)


def _population_rule(analysis: TrialAnalysis, population: str) -> str:
    rules = {pop.value: rule for pop, rule in analysis.populations.rules.items()}
    return rules.get(population, "")


def primary_table(analysis: TrialAnalysis) -> Table:
    p = analysis.primary
    stage1, final = analysis.simon, p.final
    endpoint = p.endpoint_id
    rows: list[tuple[CellValue, ...]] = []
    if p.rp2d is not None:
        rows.append(_rate_row(f"Part B ITT at the RP2D (level {p.rp2d}): the Simon design's population",
                              p.designed, endpoint, p.rp2d_rule))
    stage1_note = stage1.decision + (f", {stage1.look_date.isoformat()}" if stage1.look_date else "")
    counted = len(stage1.participant_ids)
    rows.append((f"Simon stage 1: the first {stage1.n1} Part B ITT at the RP2D", counted,
                 counted - len(stage1.pending_ids), stage1.responses, "–", f"{stage1_note} ({stage1.rule})"))
    estimate = final.estimate
    counted = len(final.participant_ids)
    if estimate is None:
        rows.append((f"Simon final analysis: the first {final.n} Part B ITT at the RP2D", counted,
                     counted - len(final.pending_ids), final.responses, "not yet complete",
                     "; ".join(final.reasons)))
    else:
        p_value = fmt.p_value(estimate.p_value)
        interval = fmt.ci_range(estimate.conf_level, estimate.ci_lower, estimate.ci_upper)
        rows.append((f"Simon final analysis: the first {estimate.enrolled} Part B ITT at the RP2D", counted,
                     counted, estimate.responses,
                     f"UMVUE {fmt.percent(estimate.umvue)} ({interval}, stage-wise)",
                     f"{final.decision}; one-sided p {p_value}; naive {fmt.proportion(estimate.naive)}"))
    rows += [_rate_row(f"Part A ITT, dose level {lv.level} ({lv.dose})", lv.value, endpoint,
                       "dose exploration") for lv in p.part_a_by_level]
    rows.append(_rate_row("All ITT participants (secondary)", p.all_itt, endpoint, "Part A and Part B"))
    for result in analysis.endpoints:
        if result.endpoint_id != endpoint:
            continue
        for value in result.also_reported:
            if isinstance(value, BinaryValue):
                rows.append(_rate_row(f"{population_name(value.population)} (secondary)", value, endpoint,
                                      _population_rule(analysis, value.population)))
    return Table(
        columns=(Column("Population", L), Column("Participants", R), Column("Outcome known", R),
                 Column("R0", R), Column("Estimate (95 % CI)", L), Column("Note", L)),
        rows=tuple(rows),
        caption="Primary endpoint: R0 resection rate, as designed",
        note="R0: negative margins, CC-0 and CY0 at conversion surgery (CY1 at surgery counts as R1). Rates "
        "with exact Clopper-Pearson intervals; a participant whose outcome is not yet known counts as not R0 "
        "(ITT). The Simon looks count the first participants in registration order, registered so far; "
        "after a completed Simon trial the Simon-adjusted estimate (UMVUE) and the stage-wise confidence "
        "interval account for the two-stage design.",
        id="table-primary")


def primary_blocks(analysis: TrialAnalysis) -> list[Block]:
    blocks: list[Block] = [primary_table(analysis)]
    noted = len({note.participant_id for note in analysis.primary.designed.notes})
    if noted:
        verb = "has a note" if noted == 1 else "have a note"
        blocks.append(Paragraph(f"{fmt.plural(noted, 'participant')} of the designed population {verb} "
                                "(listed with the participants behind the estimate in the appendix)."))
    return blocks
