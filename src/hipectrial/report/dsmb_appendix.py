"""The DSMB report's appendix: the records behind each headline number.

For every endpoint in every population it is reported in, one listing of the participants
it counts (numerator and denominator, or each participant's value, time and censoring
reason); then the grade >= 3 and serious adverse events, the deviations and the screening
failures. The tables' ids are the link targets of the numbers in the report's body.
"""

from __future__ import annotations

from hipectrial.analysis.results import (
    BinaryValue,
    CategoricalValue,
    ContinuousValue,
    DltValue,
    EndpointResult,
    EndpointValue,
    ParticipantNote,
    TimeToEventValue,
)
from hipectrial.analysis.trial_analysis import TrialAnalysis
from hipectrial.data import TrialData
from hipectrial.protocol.endpoints import Population
from hipectrial.report.document import Align, Column, Paragraph, Section, Table
from hipectrial.report.dsmb_tables import listing_id

L, R = Align.LEFT, Align.RIGHT


def _notes(notes: tuple[ParticipantNote, ...]) -> str | None:
    if not notes:
        return None
    return "Notes: " + "; ".join(f"{n.participant_id}: {n.note}" for n in notes)


def _binary(result_name: str, table_id: str, value: BinaryValue) -> Table:
    counted = set(value.numerator_ids)
    rows = tuple((pid, "yes" if pid in counted else "no") for pid in value.denominator_ids)
    return Table(
        columns=(Column("Participant", L), Column("Counted in the numerator", L)),
        rows=rows,
        caption=f"{result_name} ({value.population}): {len(counted)} of {len(rows)}",
        note=_notes(value.notes),
        id=table_id,
    )


def _value_table(result: EndpointResult, value: EndpointValue) -> Table | None:
    table_id = listing_id(result.endpoint_id, value.population)
    if isinstance(value, BinaryValue):
        return _binary(result.name, table_id, value)
    if isinstance(value, ContinuousValue):
        return Table(
            columns=(Column("Participant", L), Column("Value", R), Column("Detail", L)),
            rows=tuple((v.participant_id, f"{v.value:g}", v.detail) for v in value.values),
            caption=f"{result.name} ({value.population})",
            note=_notes(value.notes),
            id=table_id,
        )
    if isinstance(value, CategoricalValue):
        return Table(
            columns=(Column("Participant", L), Column("Category", L), Column("Detail", L)),
            rows=tuple((p.participant_id, p.category, p.detail) for p in value.participants),
            caption=f"{result.name} ({value.population})",
            note=_notes(value.notes),
            id=table_id,
        )
    if isinstance(value, TimeToEventValue):
        return Table(
            columns=(
                Column("Participant", L),
                Column("Days", R),
                Column("Event", L),
                Column("Event or censoring", L),
            ),
            rows=tuple(
                (r.participant_id, r.time_days, "event" if r.event else "censored", r.reason)
                for r in value.rows
            ),
            caption=f"{result.name} ({value.population}): time from {value.origin}",
            note=_notes(value.notes),
            id=table_id,
        )
    return None


def endpoint_listings(analysis: TrialAnalysis) -> Section:
    """One table per endpoint and population; survival-at endpoints share their parent's rows."""
    blocks: list[Table] = []
    seen: set[str] = set()
    for result in analysis.endpoints:
        if isinstance(result.value, DltValue):
            for level in result.value.levels:
                blocks.append(
                    _binary(
                        f"DLT at dose level {level.level} ({level.dose})",
                        listing_id("dlt-rate", f"level-{level.level}"),
                        level.value,
                    )
                )
            continue
        for value in (result.value, *result.also_reported):
            table = _value_table(result, value)
            if table is not None and table.id not in seen:
                seen.add(table.id or "")
                blocks.append(table)
    return Section(id="appendix-endpoints", title="Participants behind each endpoint", blocks=tuple(blocks))


def adverse_event_listing(trial: TrialData, analysis: TrialAnalysis) -> Section:
    safety = set(analysis.populations[Population.SAFETY])
    rows = []
    for ae in sorted(trial.adverse_events, key=lambda a: (a.participant_id, a.onset_date, a.term)):
        if ae.onset_date > analysis.cutoff or ae.participant_id not in safety:
            continue
        if ae.grade < 3 and not ae.serious and not ae.dlt:
            continue
        related = ", ".join(ae.related_agents) or "none"
        flags = ", ".join(
            f
            for f, on in (
                ("serious", ae.serious),
                ("DLT", ae.dlt),
                ("immune-related", ae.immune_related),
                ("led to discontinuation", ae.led_to_discontinuation),
            )
            if on
        )
        rows.append(
            (
                ae.participant_id,
                ae.term,
                ae.grade,
                ae.onset_date.isoformat(),
                ae.resolution_date.isoformat() if ae.resolution_date else "ongoing",
                related,
                flags or "–",
            )
        )
    table = Table(
        columns=(
            Column("Participant", L),
            Column("Term (CTCAE v5.0)", L),
            Column("Grade", R),
            Column("Onset", L),
            Column("Resolved", L),
            Column("Related to", L),
            Column("Flags", L),
        ),
        rows=tuple(rows),
        caption="Adverse events of grade ≥ 3, serious or dose-limiting",
        id="listing-severe-aes",
    )
    return Section(id="appendix-adverse-events", title="Adverse event listing", blocks=(table,))


def conduct_listing(analysis: TrialAnalysis) -> Section:
    deviations = Table(
        columns=(
            Column("Participant", L),
            Column("Kind", L),
            Column("Subject", L),
            Column("Date", L),
            Column("Detail", L),
        ),
        rows=tuple(
            (d.participant_id, d.kind, d.subject, d.date.isoformat() if d.date else "–", d.detail)
            for d in analysis.deviations.rows
        ),
        caption="Protocol deviations",
        note=_notes(analysis.deviations.notes),
        id="listing-deviations",
    )
    failures = Table(
        columns=(
            Column("Person screened", L),
            Column("Verdict", L),
            Column("Failed criteria", L),
            Column("Note", L),
        ),
        rows=tuple(
            (e.participant_id, e.status, ", ".join(e.failed) or "–", e.note or "–")
            for e in analysis.eligibility
            if e.status != "eligible"
        ),
        caption="Screening: people not found eligible, with the criteria they failed "
        "(recomputed by the clinical engine from the screening records)",
        id="listing-screening",
    )
    missing = Table(
        columns=(
            Column("Participant", L),
            Column("Visits due", R),
            Column("Recorded", R),
            Column("Missed visits", L),
            Column("Missing lab values", R),
        ),
        rows=tuple(
            (p.participant_id, p.expected, p.recorded, ", ".join(p.missed) or "–", len(p.lab_values_missing))
            for p in analysis.completeness.participants
            if p.missed or p.lab_values_missing
        ),
        caption="Participants with missing visits or lab values",
        id="listing-completeness",
    )
    return Section(
        id="appendix-conduct",
        title="Conduct listings",
        blocks=(
            Paragraph("Deviations, screening failures and missing data, one line each."),
            deviations,
            failures,
            missing,
        ),
    )
