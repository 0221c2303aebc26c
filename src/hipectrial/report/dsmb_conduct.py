"""The DSMB report's exposure, conduct and data-quality tables.

Exposure per agent (reduction events and doses at a reduced level counted apart; relative
dose intensity per unit time beside relative total dose); protocol deviations by kind;
data completeness (visits due only while a participant is on the schedule); how current
each site's data are; and what the data checks left open. Numbers are the analysis' own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from hipectrial.analysis.exposure import REDUCED_AT_PERCENT, REDUCED_BY_PERCENT
from hipectrial.analysis.labels import Labels
from hipectrial.analysis.results import ParticipantNote
from hipectrial.analysis.trial_analysis import TrialAnalysis
from hipectrial.clinical.visits.deviations import DeviationKind
from hipectrial.data.findings import NOUNS
from hipectrial.report import numbers as fmt
from hipectrial.report.document import Block, Column, Paragraph, Table
from hipectrial.report.dsmb_common import L, R


def deviation_label(kind: str) -> str:
    """A deviation kind (:class:`~hipectrial.clinical.visits.deviations.DeviationKind`) in words."""
    return DeviationKind(kind).label if kind in {k.value for k in DeviationKind} else kind
UNEXPLAINED_REDUCTION = f"Dose reduced by {REDUCED_BY_PERCENT} % or more with no reason recorded"


def exposure(analysis: TrialAnalysis, labels: Labels) -> Table:
    rows = []
    for a in analysis.exposure:
        if a.reducible:
            reductions = f"{a.participants_with_reduction} ({a.reduction_events})"
            reduced = f"{a.doses_at_reduced_level} ({a.participants_with_dose_at_reduced_level})"
        else:
            reductions = reduced = "not reduced (protocol)"
        rdi = (fmt.median_range(a.relative_dose_intensity, digits=2) if a.relative_dose_intensity is not None
               else "not applicable")
        rows.append((labels.agent(a.agent), a.treated, fmt.median_range(a.cycles, digits=0), reductions,
                     reduced, f"{a.participants_with_delay} ({a.delays})", rdi,
                     fmt.median_range(a.relative_total_dose, digits=2)))
    return Table(
        columns=(Column("Agent", L), Column("Treated", R), Column("Cycles, median (range)", R),
                 Column("Participants with a dose reduction (reduction events)", R),
                 Column("Doses given at a reduced level (participants)", R),
                 Column("Participants with a delay (delays)", R),
                 Column("Relative dose intensity, median (range)", R),
                 Column("Relative total dose, median (range)", R)),
        rows=tuple(rows),
        caption="Treatment exposure (safety population)",
        note=f"A reduction event is a step down to a lower dose (≤ {REDUCED_AT_PERCENT} % of the dose given "
        f"before), counted once; later doses at that level are doses at a reduced level (≤ "
        f"{REDUCED_AT_PERCENT} % of the starting dose). "
        "Relative dose intensity: dose given per unit time on treatment ÷ dose planned per unit time "
        "(delays and withheld doses lower it; planned gaps such as surgery are not counted); relative total "
        "dose: dose given ÷ dose planned for the cycles started. HIPEC is given in sessions, so has no dose "
        "intensity.",
        id="table-exposure")


def deviations(analysis: TrialAnalysis) -> Table:
    rows = [(deviation_label(kind), count) for kind, count in analysis.deviations.by_kind]
    rows.append((UNEXPLAINED_REDUCTION, sum(len(a.reductions_without_reason) for a in analysis.exposure)))
    beyond = beyond_max_reductions(analysis)
    limits = sorted({limit for _, _, limit in beyond})
    rows += [(beyond_label(limit), sum(1 for *_, lim in beyond if lim == limit)) for limit in limits]
    return Table(columns=(Column("Deviation", L), Column("n", R)), rows=tuple(rows),
                 caption="Protocol deviations by kind", id="table-deviations",
                 note="Each deviation is listed in the appendix.")


def completeness(analysis: TrialAnalysis) -> Table:
    c = analysis.completeness
    rows = (
        ("Scheduled visits due by the cut-off", c.expected),
        ("… recorded", c.recorded),
        ("… missed", c.expected - c.recorded),
        ("Visits recorded", fmt.percent(c.recorded / c.expected if c.expected else None)),
        ("Lab values required at the cycle visits done", c.lab_values_expected),
        (f"… missing (no result within {c.lab_window_hours} hours before the visit)", c.lab_values_missing),
    )
    return Table(
        columns=(Column("Item", L), Column("Value", R)), rows=rows, caption="Data completeness",
        note="A visit is due only while the participant is on the protocol's schedule: death and the end of "
        "study end every visit, progression ends the tumour assessments; a visit counts as due once its "
        "window has closed before the cut-off.",
        id="table-completeness")


def data_currency(analysis: TrialAnalysis) -> Table:
    dc = analysis.data_currency
    within = f"more than {dc.entry_within_days} days after the event" if dc.entry_within_days else "late"
    rows = []
    for s in dc.sites:
        dated = s.records_with_entry_date
        rows.append((s.site_id, s.registered, fmt.date(s.last_visit),
                     "–" if s.days_since_last_visit is None else s.days_since_last_visit,
                     fmt.date(s.last_entry) if dated else "not recorded",
                     f"{dated} of {s.records}", s.entered_late if dated else "–", s.open_warnings))
    return Table(
        columns=(Column("Site", L), Column("Registered", R), Column("Last visit", L),
                 Column("Days since the last visit", R), Column("Last data entry", L),
                 Column("Records with an entry date", R), Column(f"Entered {within}", R),
                 Column("Open validation warnings", R)),
        rows=tuple(rows),
        caption="Data currency by site",
        note="Entry dates come from each record's provenance (who entered it and when); records without "
        "provenance (simulated or imported data) cannot be judged late. Days since the last visit count to "
        "the data cut-off.",
        id="table-data-currency")


def analysis_notes(analysis: TrialAnalysis) -> list[tuple[str, ParticipantNote]]:
    """Every note the analysis left for a reader, with where it comes from."""
    out: list[tuple[str, ParticipantNote]] = []
    out += [("deaths", n) for n in analysis.deaths.notes]
    out += [("adverse events", n) for n in analysis.safety_tables.notes]
    out += [("exposure", n) for a in analysis.exposure for n in a.notes]
    out += [("schedule", n) for n in analysis.deviations.notes]
    out += [("populations", n) for n in analysis.populations.notes]
    return out


def beyond_max_reductions(analysis: TrialAnalysis) -> list[tuple[str, str, int]]:
    """(participant, agent, limit) of each participant with more reduction events of an agent
    than the protocol allows."""
    return [(pid, a.agent, a.max_reductions) for a in analysis.exposure if a.max_reductions is not None
            for pid in a.beyond_max_reductions]


def beyond_label(limit: int) -> str:
    return f"More dose reductions than the protocol allows ({limit} per agent)"


def unexplained_reductions(analysis: TrialAnalysis, labels: Labels) -> list[tuple[str, str, str, str]]:
    """(participant, agent and where, date, detail) of each dose reduced by the exposure rule's
    fraction or more with no reason recorded: a deviation, and a data-quality finding."""
    rows = []
    for a in analysis.exposure:
        for u in a.reductions_without_reason:
            where = " ".join(x for x in (labels.field("phase", u.phase) if u.phase else "",
                                         f"cycle {u.cycle}" if u.cycle else "") if x)
            previous = f", previous {u.previous_given} {u.unit}" if u.previous_given is not None else ""
            detail = (f"given {u.given} {u.unit}, prescribed {u.prescribed} {u.unit}{previous}: "
                      + "; ".join(k.label for k in u.kinds))
            rows.append((u.participant_id, f"{labels.agent(u.agent)} {where}".strip(), u.date.isoformat(),
                         detail))
    return rows


@dataclass(frozen=True, slots=True)
class OpenFinding:
    """One open data-quality finding: ``kind`` (what the data-quality table counts), the record
    or participant, where, and the message."""

    kind: str
    record: str
    where: str
    message: str


def data_findings(analysis: TrialAnalysis, labels: Labels) -> list[OpenFinding]:
    """Every open data-quality finding: validation warnings (by record kind and field), the
    analysis' notes (by where they come from), reductions without a reason and records entered
    late. The one list the summary's count, the data-quality table and its listing show."""
    out = []
    for w in analysis.data_warnings:
        f = w.finding
        kind = f"validation warning on a {NOUNS[f.kind]} ({(f.field or 'record').replace('_', ' ')})"
        out.append(OpenFinding(kind, f.key, f.location, f.message))
    out += [OpenFinding(f"record an endpoint could not use as it is ({source})", n.participant_id, "", n.note)
            for source, n in analysis_notes(analysis)]
    out += [OpenFinding(UNEXPLAINED_REDUCTION.lower(), pid, where, f"{date}: {detail}")
            for pid, where, date, detail in unexplained_reductions(analysis, labels)]
    late = f"entered more than {analysis.data_currency.entry_within_days} days after what it records"
    out += [OpenFinding("record entered late", key, site.site_id, late)
            for site in analysis.data_currency.sites for key in site.late_keys]
    return out


def finding_counts(analysis: TrialAnalysis, labels: Labels) -> Counter[str]:
    """The findings of :func:`data_findings`, counted by kind."""
    return Counter(f.kind for f in data_findings(analysis, labels))


def data_quality(analysis: TrialAnalysis, labels: Labels) -> Block:
    counts = finding_counts(analysis, labels)
    if not counts:
        return Paragraph("Data quality: no open finding (no validation warning, every record usable as it "
                         "is).")
    return Table(
        columns=(Column("Finding", L), Column("n", R)), rows=tuple(sorted(counts.items())),
        caption="Data quality: findings to resolve, by kind",
        note="Validation warnings are records that are incomplete or unusual (errors would have stopped the "
        "analysis); the others are records an endpoint or the schedule could not use as they are. Each is "
        "listed in the data-quality listing (appendix).",
        id="table-data-quality")
