"""The DSMB report's safety and deaths sections.

Safety: adverse-event categories by study part and dose level, every CTCAE term by worst
grade (all grades), attribution to each agent, serious and immune-related events by term,
surgical morbidity (Clavien-Dindo) and the Part B safety-monitoring looks. Deaths: totals by
cause, part and dose level and time from the last dose and from each operation, the
mortality endpoints, and one line per death. Numbers are the analysis' own.
"""

from __future__ import annotations

from collections.abc import Sequence

from hipectrial.analysis.deaths import DaysFrom, DeathAnchor, DeathRow
from hipectrial.analysis.labels import Labels
from hipectrial.analysis.populations import ALL_GROUP
from hipectrial.analysis.results import AeTermRow, BinaryValue, CategoricalValue
from hipectrial.analysis.surgical import mortality_anchor_name
from hipectrial.analysis.trial_analysis import TrialAnalysis
from hipectrial.protocol.endpoints import Derivation
from hipectrial.report import numbers as fmt
from hipectrial.report.document import Block, Cell, Column, Listing, Paragraph, Table
from hipectrial.report.dsmb_common import L, R, labelled_columns, listing_id, population_name

GRADES = (1, 2, 3, 4, 5)
# Participant ids a table cell lists before it refers to the listing instead (a cell cannot
# break across pages).
MAX_IDS_IN_A_CELL = 40


def id_list(ids: Sequence[str], *, none: str = "none") -> str:
    """Participant ids for a cell or a note, or a pointer to the listing when there are more than
    ``MAX_IDS_IN_A_CELL`` (a table cell cannot break across pages).

    >>> id_list(["SH01-001", "SH01-002"]), id_list([]), id_list([f"X-{i}" for i in range(41)])
    ('SH01-001, SH01-002', 'none', '41 participants: see the listing')
    """
    if not ids:
        return none
    if len(ids) > MAX_IDS_IN_A_CELL:
        return f"{len(ids)} participants: see the listing"
    return ", ".join(ids)


def ae_by_group(analysis: TrialAnalysis) -> Table:
    groups = analysis.safety_tables.by_group
    categories = [c.category for c in groups[-1].summary] if groups else []
    rows = tuple((category,
                  *(f"{fmt.count_of(g.summary[i].participants, g.n)}; "
              f"{fmt.plural(g.summary[i].events, 'event')}"
                    for g in groups))
                 for i, category in enumerate(categories))
    return Table(
        columns=(Column("Participants with", L),
                 # "All registered: 62 treated" would read as a contradiction: the safety population
                 # of every part is headed "All".
                 *labelled_columns(["All" if g.group_id == ALL_GROUP else g.label for g in groups],
                                   [g.n for g in groups], noun="treated")),
        rows=rows,
        caption="Adverse events by study part and dose level: participants (% of those treated) and events",
        note="Safety population: registered participants given any study treatment. Treatment-related = at "
        "least possibly related to any study agent. Fatal: grade 5 or outcome fatal.",
        id="table-ae-groups",
    )


def _term_table(rows: Sequence[AeTermRow], *, caption: str, table_id: str, name: str, n: int,
                related: bool) -> Listing:
    columns = [Column("CTCAE v5.0 term", L), Column("Any grade", R),
               *(Column(f"Grade {g}", R) for g in GRADES), Column("Grade ≥ 3", R)]
    if related:
        columns += [Column("Related, any grade", R), Column("Related, grade ≥ 3", R)]
    body: list[tuple[str | int, ...]] = []
    for row in rows:
        cells: list[str | int] = [row.term, row.any_grade, *row.worst_grade, row.grade_3_plus]
        if related:
            cells += [row.related_any_grade, row.related_grade_3_plus]
        body.append(tuple(cells))
    table = Table(columns=tuple(columns), rows=tuple(body), caption=caption,
                  note=f"Participants (of {n}) by the worst grade of each term; a participant counts once "
                  "per term.", id=table_id)
    return Listing(table=table, name=name,
                   summary=Paragraph(f"{fmt.plural(len(body), 'term')}, too many to print here; every term "
                                     "is in the file."))


def ae_by_term(analysis: TrialAnalysis) -> Listing:
    t = analysis.safety_tables
    return _term_table(t.by_term, caption="Adverse events by CTCAE term and worst grade, all grades",
                       table_id="table-ae-terms", name="ae-by-term", n=t.n, related=True)


def attribution(analysis: TrialAnalysis, labels: Labels) -> Listing:
    t = analysis.safety_tables
    rows: tuple[tuple[str | int, ...], ...] = tuple(
        (row.term, row.related_any_grade, *(f"{a.any_grade} ({a.grade_3_plus})" for a in row.by_agent))
        for row in t.attribution)
    table = Table(
        columns=(Column("CTCAE v5.0 term", L), Column("Related to any agent", R),
                 *(Column(labels.agent(agent), R) for agent in t.agents)),
        rows=rows,
        caption="Adverse events by the agent they are at least possibly related to: participants, any grade "
        "(grade ≥ 3)",
        note="One event may be related to several agents; terms with no related event are not shown.",
        id="table-ae-attribution")
    return Listing(table=table, name="ae-attribution")


def serious_by_term(analysis: TrialAnalysis) -> Table:
    rows = tuple((r.term, r.participants, r.events, r.worst_grade)
                 for r in analysis.safety_tables.sae_by_term)
    return Table(columns=(Column("CTCAE v5.0 term", L), Column("Participants", R), Column("Events", R),
                          Column("Worst grade", R)),
                 rows=rows, caption="Serious adverse events by term", id="table-sae-terms")


def immune_by_term(analysis: TrialAnalysis) -> Table:
    rows = tuple((r.term, r.any_grade, *r.worst_grade) for r in analysis.safety_tables.irae_by_term)
    return Table(columns=(Column("CTCAE v5.0 term", L), Column("Any grade", R),
                          *(Column(f"Grade {g}", R) for g in GRADES)),
                 rows=rows, caption="Immune-related adverse events by term and worst grade (participants)",
                 id="table-irae-terms")


def surgical_morbidity(analysis: TrialAnalysis) -> Table | None:
    rows: list[tuple[str | Cell, ...]] = []
    header: tuple[str, ...] = ()
    for result in analysis.endpoints:
        if result.derivation is not Derivation.SURGICAL_MORBIDITY:
            continue
        for value in (result.value, *result.also_reported):
            if not isinstance(value, CategoricalValue):
                continue
            rows.append((f"{value.label} ({population_name(value.population)}, n = {value.n})",
                         *(Cell(str(c.count), link=listing_id(result.endpoint_id, value.population))
                           if c.count else "0" for c in value.counts)))
            header = tuple(c.category for c in value.counts)
    if not rows:
        return None
    return Table(columns=(Column("Operation and horizon", L), *(Column(h if h != "none" else "None", R)
                                                                for h in header)),
                 rows=tuple(rows),
                 caption="Surgical morbidity: participants by the worst Clavien-Dindo grade of their "
                 "complications",
                 id="table-morbidity")


def safety_monitoring(analysis: TrialAnalysis) -> list[Block]:
    """The looks so far, and every participant with the monitored event (why, and where in the
    order of treatment they are: a look after n treated counts the first n)."""
    sm = analysis.safety_monitoring
    if sm is None:
        return []
    rows = tuple((look.n, look.events, "–" if look.stop_at is None else look.stop_at,
                  fmt.fixed(look.posterior, 3), "stop" if look.stop else "continue") for look in sm.looks)
    events = len(sm.event_ids)
    who = (f"{fmt.plural(events, 'participant')} with the event so far, listed after this table."
           if events else "No participant has had the event so far.")
    looks = Table(
        columns=(Column("Look after n treated", R), Column("Severe toxicity", R), Column("Stop at ≥", R),
                 Column(f"P(rate > {fmt.percent(sm.threshold, digits=0)} | data)", R), Column("Decision", L)),
        rows=rows,
        caption="Part B safety monitoring: the looks so far",
        note=f"{sm.event.rstrip('.')}. Stop when the posterior probability exceeds "
        f"{fmt.fixed(sm.posterior_cutoff, 2)}. {who}",
        id="table-safety-monitoring")
    position = {pid: k for k, pid in enumerate(sm.participants, start=1)}
    listing = Table(
        columns=(Column("Treated (order)", R), Column("Participant", L), Column("The event", L)),
        rows=tuple((position[pid], pid, why) for pid, why in sm.event_reasons),
        caption="Part B safety monitoring: participants with severe toxicity",
        note=f"Part B participants in the safety population, in registration order ({len(sm.participants)} "
        "treated so far); a look after n treated counts the events of the first n.",
        id="table-safety-monitoring-events")
    return [looks, Listing(table=listing, name="safety-monitoring-events",
                           summary=Paragraph(f"{fmt.plural(events, 'participant')} with severe toxicity, "
                                             "too many to print here; each is in the file."))]


def safety_blocks(analysis: TrialAnalysis, labels: Labels) -> list[Block]:
    blocks: list[Block] = [ae_by_group(analysis), ae_by_term(analysis), attribution(analysis, labels),
                           serious_by_term(analysis), immune_by_term(analysis)]
    morbidity = surgical_morbidity(analysis)
    if morbidity is not None:
        blocks.append(morbidity)
    return blocks + safety_monitoring(analysis)


# -- deaths ----------------------------------------------------------------------------------


def _anchor_name(anchor: DeathAnchor) -> str:
    return {DeathAnchor.LAST_DOSE: "the last dose",
            DeathAnchor.DAY0_OPERATION: "the day-0 laparoscopy + HIPEC",
            DeathAnchor.CONVERSION_SURGERY: "conversion surgery",
            DeathAnchor.OPERATION: "either operation"}[anchor]


def deaths_summary(analysis: TrialAnalysis, labels: Labels) -> Table:
    s = analysis.deaths.summary
    registered = len(analysis.populations.registered)

    def row(label: str, count: int, ids: Sequence[str], n: int | None = None) -> tuple[str, str, str]:
        shown = f"{count} of {n} registered ({fmt.percent(count / n)})" if n else str(count)
        return (label, shown, id_list(ids, none="–"))

    rows = [row("All deaths", s.total.count, s.total.participant_ids, registered)]
    rows += [row(f"Cause: {labels.field('cause_of_death', c.category)}", c.count, c.participant_ids)
             for c in s.by_cause]
    if s.without_cause.count:
        rows.append(row("Cause not recorded", s.without_cause.count, s.without_cause.participant_ids))
    rows += [row(f"Cause outside the protocol's list: {c.category}", c.count, c.participant_ids)
             for c in s.unknown_causes]
    rows += [row(g.label, g.count, g.participant_ids, g.n) for g in s.by_group if g.group_id != "all"]
    rows += [row(f"Within {h.days} days of {_anchor_name(h.anchor)}", h.count, h.participant_ids)
             for h in s.within]
    rows.append(row("Treatment-related", s.treatment_related.count, s.treatment_related.participant_ids))
    rows.append(row("Post-operative", s.post_operative.count, s.post_operative.participant_ids))
    post = (f"within {s.post_operative_days} days of the day-0 laparoscopy + HIPEC or of conversion surgery, "
            "or with cause surgical or HIPEC complication") if s.post_operative_days else \
        "with cause surgical or HIPEC complication"
    return Table(
        columns=(Column("Deaths", L), Column("n", R), Column("Participants", L)),
        rows=tuple(rows),
        caption="Deaths: total, by cause, by study part and dose level, and by time from treatment",
        note="Treatment-related: a grade-5 (fatal) adverse event at least possibly related to a study agent, "
        f"or cause toxicity of study treatment. Post-operative: {post}. The date of the last dose given or "
        "of the operation is day 0 and the next day day 1; within N days means on day 0 to day N.",
        id="table-deaths")


def mortality(analysis: TrialAnalysis) -> Table | None:
    rows = []
    for result in analysis.endpoints:
        if result.derivation is not Derivation.MORTALITY_AT:
            continue
        for value in (result.value, *result.also_reported):
            if isinstance(value, BinaryValue):
                anchor = mortality_anchor_name(value.population)
                rows.append((result.name, f"{population_name(value.population)}, from {anchor}",
                             Cell(fmt.proportion(value.estimate),
                                  link=listing_id(result.endpoint_id, value.population))))
    if not rows:
        return None
    return Table(columns=(Column("Endpoint", L), Column("Population", L),
                          Column("Deaths (exact 95 % CI)", L)),
                 rows=tuple(rows), caption="Post-operative mortality endpoints", id="table-mortality",
                 note="Participants alive but not yet followed for the full horizon are left out of the "
                 "denominator and listed.")


def _days(d: DaysFrom) -> str:
    return "–" if d.days is None else str(d.days)


def death_listing(analysis: TrialAnalysis, labels: Labels) -> Listing:
    group = {pid: g.label for g in analysis.groups[:-1] for pid in g.participant_ids}

    def fatal(r: DeathRow) -> str:
        events = []
        for e in r.fatal_events:
            agents = ", ".join(map(labels.agent, e.related_agents))
            related = f", related to {agents}" if agents else ", unrelated"
            events.append(f"{e.term} grade {e.grade}{related}")
        return "; ".join(events) or "none recorded"

    rows = tuple((r.participant_id, group.get(r.participant_id, "–"), r.death_date.isoformat(),
                  labels.field("cause_of_death", r.cause) if r.cause else "not recorded",
                  _days(r.last_dose), _days(r.day0_operation), _days(r.conversion_surgery), fatal(r),
                  "yes" if r.treatment_related else "no", "yes" if r.post_operative else "no")
                 for r in analysis.deaths.rows)
    table = Table(
        columns=(Column("Participant", L), Column("Part, level", L), Column("Date", L), Column("Cause", L),
                 Column("Days from last dose", R), Column("Days from day-0 HIPEC", R),
                 Column("Days from conversion surgery", R), Column("Fatal adverse event", L),
                 Column("Treatment-related", L), Column("Post-operative", L)),
        rows=rows, caption="Every death", id="listing-deaths")
    return Listing(table=table, name="deaths",
                   summary=Paragraph(f"{fmt.plural(len(rows), 'death')}; the totals by cause, group and time "
                                     "are in the table above."))


def deaths_blocks(analysis: TrialAnalysis, labels: Labels) -> list[Block]:
    blocks: list[Block] = [deaths_summary(analysis, labels)]
    table = mortality(analysis)
    if table is not None:
        blocks.append(table)
    blocks.append(death_listing(analysis, labels))
    return blocks
