"""The DSMB report's appendix: the records behind each number, one line per participant or event.

Every listing is written in full as ``listings/<name>.csv`` beside the report and shown in it
when short (:class:`~hipectrial.report.document.Listing`); a long one is summarised. For each
endpoint in each population: the participants counted and why each is (or is not) counted;
then the adverse events of grade ≥ 3, serious or dose-limiting, the deviations, the screening
outcomes, the missing visits and labs, every data-quality finding, each participant's course
(the swimmer plot's data) and the target-lesion changes (the spider plot's data).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from hipectrial.analysis.course import Timeline
from hipectrial.analysis.labels import Labels
from hipectrial.analysis.populations import PART_LABELS
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
from hipectrial.protocol.endpoints import Derivation, Population
from hipectrial.report import numbers as fmt
from hipectrial.report.document import Column, Listing, Paragraph, Section, Table
from hipectrial.report.dsmb_common import L, R, listing_id, population_name
from hipectrial.report.dsmb_conduct import (
    UNEXPLAINED_REDUCTION,
    beyond_label,
    beyond_max_reductions,
    data_findings,
    deviation_label,
    unexplained_reductions,
)


def _notes_by_participant(notes: Sequence[ParticipantNote]) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    for n in notes:
        out.setdefault(n.participant_id, []).append(n.note)
    return {pid: "; ".join(texts) for pid, texts in out.items()}


def _orphans(notes: Sequence[ParticipantNote], ids: Sequence[str]) -> list[tuple[str, str, str, str]]:
    """Rows for notes about participants not in the listing (e.g. left out of a denominator)."""
    listed = set(ids)
    return [(n.participant_id, "not in the denominator", "", n.note) for n in notes
            if n.participant_id not in listed]


def binary_listing(title: str, table_id: str, value: BinaryValue) -> Listing:
    counted = set(value.numerator_ids)
    why = dict(value.reasons)
    notes = _notes_by_participant(value.notes)
    rows = [(pid, "yes" if pid in counted else "no", why.get(pid, ""), notes.get(pid, ""))
            for pid in value.denominator_ids]
    rows += _orphans(value.notes, value.denominator_ids)
    caption = f"{title} ({population_name(value.population)}): {len(counted)} of {len(value.denominator_ids)}"
    table = Table(columns=(Column("Participant", L), Column("Counted", L), Column("Why", L),
                           Column("Note", L)), rows=tuple(rows), caption=caption, id=table_id)
    shown = Counter(r[1] for r in rows)
    left_out = len(rows) - shown["yes"] - shown["no"]
    text = f"{shown['yes']} counted, {shown['no']} not counted"
    if left_out:
        text += f", {left_out} left out of the denominator"
    return Listing(table=table, name=table_id, summary=Paragraph(text + "."))


def _value_listing(result: EndpointResult, value: EndpointValue) -> Listing | None:
    table_id = listing_id(result.endpoint_id, value.population)
    caption = f"{result.name} ({population_name(value.population)})"
    if isinstance(value, BinaryValue):
        return binary_listing(result.name, table_id, value)
    notes = _notes_by_participant(getattr(value, "notes", ()))
    if isinstance(value, ContinuousValue):
        rows: list[tuple[str | int, ...]] = [
            (v.participant_id, fmt.plain(v.value), v.detail, notes.get(v.participant_id, ""))
            for v in value.values]
        rows += _orphans(value.notes, [v.participant_id for v in value.values])
        table = Table(columns=(Column("Participant", L), Column("Value", R), Column("Detail", L),
                               Column("Note", L)), rows=tuple(rows), caption=caption, id=table_id)
        return Listing(table=table, name=table_id,
                       summary=Paragraph(f"{fmt.plural(len(value.values), 'participant')} with a value."))
    if isinstance(value, CategoricalValue):
        rows = [(p.participant_id, p.category, p.detail, notes.get(p.participant_id, ""))
                for p in value.participants]
        rows += _orphans(value.notes, [p.participant_id for p in value.participants])
        table = Table(columns=(Column("Participant", L), Column("Category", L), Column("Detail", L),
                               Column("Note", L)), rows=tuple(rows), caption=caption, id=table_id)
        counts = "; ".join(f"{c.category}: {c.count}" for c in value.counts)
        return Listing(table=table, name=table_id, summary=Paragraph(counts + "."))
    if isinstance(value, TimeToEventValue):
        rows = [(r.participant_id, r.time_days, "event" if r.event else "censored", r.reason,
                 notes.get(r.participant_id, "")) for r in value.rows]
        table = Table(columns=(Column("Participant", L), Column("Days", R), Column("Event", L),
                               Column("Event or censoring", L), Column("Note", L)),
                      rows=tuple(rows), caption=f"{caption}: days from {value.origin}", id=table_id)
        events = sum(1 for r in value.rows if r.event)
        return Listing(table=table, name=table_id,
                       summary=Paragraph(f"{fmt.plural(events, 'event')}, "
                                         f"{len(value.rows) - events} censored."))
    return None


def endpoint_listings(analysis: TrialAnalysis) -> Section:
    """One listing per endpoint and population (the survival-at endpoints share their parent's),
    and the primary endpoint in its designed population and by Part A dose level."""
    blocks: list[Listing] = []
    seen: set[str] = set()

    def add(listing: Listing | None) -> None:
        if listing is not None and listing.name not in seen:
            seen.add(listing.name)
            blocks.append(listing)

    primary = analysis.primary
    title = next((r.name for r in analysis.endpoints if r.endpoint_id == primary.endpoint_id),
                 "R0 resection")
    for value in (primary.designed, *(lv.value for lv in primary.part_a_by_level)):
        add(binary_listing(title, listing_id(primary.endpoint_id, value.population), value))
    for result in analysis.endpoints:
        if isinstance(result.value, DltValue):
            for level in result.value.levels:
                add(binary_listing(f"DLT at dose level {level.level} ({level.dose})",
                                   listing_id("dlt-rate", level.value.population), level.value))
            continue
        if result.derivation is Derivation.SURVIVAL_AT:
            continue  # the same participants and times as its parent's listing (os)
        for endpoint_value in (result.value, *result.also_reported):
            add(_value_listing(result, endpoint_value))
    return Section(id="appendix-endpoints", title="Participants behind each endpoint", blocks=tuple(blocks))


def adverse_event_listing(trial: TrialData, analysis: TrialAnalysis, labels: Labels) -> Section:
    safety = set(analysis.populations[Population.SAFETY])
    rows = []
    for ae in sorted(trial.adverse_events, key=lambda a: (a.participant_id, a.onset_date, a.term)):
        if ae.onset_date > analysis.cutoff or ae.participant_id not in safety:
            continue
        if ae.grade < 3 and not ae.serious and not ae.dlt:
            continue
        flags = ", ".join(f for f, on in (("serious", ae.serious), ("DLT", ae.dlt),
                                          ("immune-related", ae.immune_related),
                                          ("led to discontinuation", ae.led_to_discontinuation)) if on)
        end = ae.resolution_date
        resolved = end if end is not None and end <= analysis.cutoff else None
        rows.append((ae.participant_id, ae.term, ae.grade, ae.onset_date.isoformat(),
                     resolved.isoformat() if resolved else "ongoing at the cut-off",
                     ", ".join(map(labels.agent, ae.related_agents)) or "none", flags or "–"))
    table = Table(
        columns=(Column("Participant", L), Column("Term (CTCAE v5.0)", L), Column("Grade", R),
                 Column("Onset", L), Column("Resolved", L), Column("At least possibly related to", L),
                 Column("Flags", L)),
        rows=tuple(rows), caption="Adverse events of grade ≥ 3, serious or dose-limiting",
        id="listing-severe-aes")
    grades = Counter(r[2] for r in rows)
    people = fmt.plural(len({r[0] for r in rows}), "participant")
    summary = Paragraph(f"{fmt.plural(len(rows), 'event')} in {people}; by grade: "
                        + ", ".join(f"grade {g}: {grades[g]}" for g in sorted(grades)) + ".")
    return Section(id="appendix-adverse-events", title="Adverse event listing",
                   blocks=(Listing(table=table, name="adverse-events", summary=summary),))


def _subject(subject: str, labels: Labels) -> str:
    """A deviation's subject in the protocol's words: "visit-id #n" -> the visit's name #n."""
    visit, sep, occurrence = subject.partition(" #")
    if sep and any(v.id == visit for v in labels.protocol.visits):
        return f"{labels.visit(visit)} #{occurrence}"
    agent, _, rest = subject.partition(" ")
    if any(a.id == agent for a in labels.protocol.agents):
        return f"{labels.agent(agent)} {rest}".strip()
    return subject


def conduct_listings(analysis: TrialAnalysis, labels: Labels) -> Section:
    rows = [(d.participant_id, deviation_label(d.kind), _subject(d.subject, labels),
             d.date.isoformat() if d.date else "–", d.detail) for d in analysis.deviations.rows]
    rows += [(pid, UNEXPLAINED_REDUCTION, where, date, detail)
             for pid, where, date, detail in unexplained_reductions(analysis, labels)]
    rows += [(pid, beyond_label(limit), labels.agent(agent), "–",
              "more reduction events than the protocol allows; the agent should have been stopped")
             for pid, agent, limit in beyond_max_reductions(analysis)]
    rows.sort(key=lambda r: (r[0], r[3]))
    deviations = Table(
        columns=(Column("Participant", L), Column("Deviation", L), Column("Visit or dose", L),
                 Column("Date", L), Column("Detail", L)),
        rows=tuple(rows), caption="Protocol deviations", id="listing-deviations")
    kinds = Counter(r[1] for r in rows)
    registered = set(analysis.populations.registered)
    screening = Table(
        columns=(Column("Person screened", L), Column("Registered", L), Column("Verdict", L),
                 Column("Failed criteria", L), Column("Note", L)),
        rows=tuple((e.participant_id, "yes" if e.participant_id in registered else "no",
                    e.status.replace("_", " "), "; ".join(map(labels.criterion, e.failed)) or "–",
                    e.note or "–")
                   for e in analysis.eligibility if e.status != "eligible"),
        caption="Screening: every person whose eligibility, recomputed by the clinical engine from the "
        "screening records, is not 'eligible' (ineligible, incomplete or not evaluable), with the criteria "
        "failed", id="listing-screening")
    missing = Table(
        columns=(Column("Participant", L), Column("Visits due", R), Column("Recorded", R),
                 Column("Missed visits", L), Column("Missing lab values", R)),
        rows=tuple((p.participant_id, p.expected, p.recorded,
                    "; ".join(_subject(m, labels) for m in p.missed) or "–", len(p.lab_values_missing))
                   for p in analysis.completeness.participants if p.missed or p.lab_values_missing),
        caption="Participants with missed visits or missing lab values", id="listing-completeness")
    return Section(id="appendix-conduct", title="Conduct listings", blocks=(
        Listing(table=deviations, name="deviations",
                summary=Paragraph("; ".join(f"{k}: {n}" for k, n in sorted(kinds.items())) + ".")),
        Listing(table=screening, name="screening",
                summary=Paragraph(f"{fmt.plural(len(screening.rows), 'person', 'people')} whose recomputed "
                                  "eligibility is not 'eligible'.")),
        Listing(table=missing, name="completeness",
                summary=Paragraph(f"{fmt.plural(len(missing.rows), 'participant')} with a missed visit or a "
                                  "missing lab value.")),
    ))


def data_quality_listing(analysis: TrialAnalysis, labels: Labels) -> Section:
    findings = data_findings(analysis, labels)
    table = Table(columns=(Column("Finding", L), Column("Record or participant", L), Column("Where", L),
                           Column("Message", L)),
                  rows=tuple((f.kind, f.record, f.where, f.message) for f in findings),
                  caption="Every data-quality finding", id="listing-data-quality")
    return Section(id="appendix-data-quality", title="Data-quality listing", blocks=(
        Listing(table=table, name="data-quality",
                summary=Paragraph(f"{fmt.plural(len(findings), 'finding')}; counted by kind in the "
                                  "data-quality table.")),))


def course_listings(analysis: TrialAnalysis, labels: Labels) -> Section:
    courses = Table(
        columns=(Column("Participant", L), Column("Part", L), Column("Level", L),
                 Column("Treatment phases (days)", L), Column("HIPEC (days)", L), Column("Surgery (day)", R),
                 Column("Best response", L),
                 Column("Progression (day)", R), Column("Death (day)", R), Column("Last known (day)", R),
                 Column("Ongoing", L)),
        rows=tuple((t.participant_id, PART_LABELS.get(t.study_part or "", "–"), t.dose_level or "–",
                    _phases(t, labels),
                    ", ".join(map(str, t.hipec_days)) or "–", _day(t.surgery_day),
                    Labels.response(t.response) if t.response else "–",
                    _day(t.progression_day), _day(t.death_day), t.last_known_day,
                    "yes" if t.ongoing else "no")
                   for t in analysis.timelines),
        caption="Each registered participant's course (days from registration)", id="listing-courses")
    lesions = Table(
        columns=(Column("Participant", L), Column("Baseline sum (mm)", R), Column("Best change", R),
                 Column("Best overall response", L), Column("Change over time (day: %)", L)),
        rows=tuple((c.participant_id, "–" if c.baseline_sum_mm is None else fmt.plain(c.baseline_sum_mm),
                    "–" if c.best_pct is None else f"{fmt.signed(c.best_pct)}{fmt.NBSP}%",
                    Labels.response(c.bor) if c.bor else "–",
                    "; ".join(f"{d}: {fmt.signed(p)}{fmt.NBSP}%" for d, p in c.series) or "–")
                   for c in analysis.lesion_changes),
        caption="Target lesions: change from baseline in the sum of diameters (before surgery)",
        id="listing-lesion-changes")
    return Section(id="appendix-courses", title="Courses and lesion changes", blocks=(
        Listing(table=courses, name="courses",
                summary=Paragraph(f"{fmt.plural(len(courses.rows), 'registered participant')}; the swimmer "
                                  "plot's data.")),
        Listing(table=lesions, name="lesion-changes",
                summary=Paragraph(f"{fmt.plural(len(lesions.rows), 'participant')} with measurable disease; "
                                  "the waterfall and spider plots' data.")),
    ))


def _phases(t: Timeline, labels: Labels) -> str:
    return "; ".join(f"{labels.field('phase', s.phase)} {s.start_day}–{s.end_day} "
                     f"({fmt.plural(s.cycles, 'cycle')})" for s in t.phases) or "–"


def _day(value: int | None) -> str | int:
    return "–" if value is None else value
