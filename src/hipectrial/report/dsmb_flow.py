"""The DSMB report's accrual and participant-flow tables.

Accrual by site (with activation dates) and by month (every month, pauses included), the
CONSORT steps by study part and dose level, treatment and follow-up status, screening
failures by criterion, and the analysis populations. Numbers are the analysis' own; this
module lays them out in the protocol's words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from hipectrial.analysis.consort import NOT_ELIGIBLE
from hipectrial.analysis.labels import Labels
from hipectrial.analysis.populations import StudyGroup
from hipectrial.analysis.status import StatusRow
from hipectrial.analysis.trial_analysis import TrialAnalysis
from hipectrial.report import numbers as fmt
from hipectrial.report.document import Column, Table
from hipectrial.report.dsmb_common import L, R, group_columns


def accrual_by_site(analysis: TrialAnalysis) -> Table:
    rows: list[tuple[str | int, ...]] = []
    for s in analysis.accrual.by_site:
        rows.append((s.site_id, s.name, fmt.date(s.activation_date), s.screened, s.registered,
                     fmt.date(s.first_registration), fmt.date(s.last_registration)))
    screened = sum(s.screened for s in analysis.accrual.by_site)
    registered = sum(s.registered for s in analysis.accrual.by_site)
    rows.append(("Total", "", "", screened, registered, "", ""))
    return Table(
        columns=(Column("Site", L), Column("Name", L), Column("Activated", L), Column("Screened", R),
                 Column("Registered", R), Column("First registration", L), Column("Last registration", L)),
        rows=tuple(rows),
        caption="Accrual by site",
        note="Screened: everyone who consented; registered: entered the study.",
        id="table-accrual-site",
    )


def accrual_by_month(analysis: TrialAnalysis) -> Table:
    accrual = analysis.accrual
    rows: list[tuple[str | int, ...]] = []
    cumulative = 0
    for m in accrual.by_month:
        cumulative += m.registered
        rows.append((m.month, m.screened, m.registered, *m.registered_by_site, cumulative))
    return Table(
        columns=(Column("Month", L), Column("Screened", R), Column("Registered", R),
                 *(Column(sid, R) for sid in accrual.site_ids), Column("Cumulative registered", R)),
        rows=tuple(rows),
        caption="Accrual by month: people screened (by consent date) and registered (by registration date), "
        "in total and by site",
        note="Every month from the first site activation to the data cut-off is shown, months without "
        "accrual included.",
        id="table-accrual-month",
    )


def consort_by_group(analysis: TrialAnalysis) -> Table:
    """The CONSORT steps from registration on, by study part and dose level."""
    groups = analysis.groups
    rows: list[tuple[str | int, ...]] = []
    for step in analysis.consort:
        if not step.by_group:
            continue
        rows.append((step.step, *(n for _, n in step.by_group)))
    return Table(
        columns=(Column("Step", L), *(Column(g.label, R) for g in groups)),
        rows=tuple(rows),
        caption="Participant flow by study part and dose level (participants reaching each step)",
        id="table-consort-groups",
    )


def _status_table(rows: Sequence[StatusRow], groups: Sequence[StudyGroup], *, caption: str,
                  table_id: str) -> Table:
    sizes = [len(g.participant_ids) for g in groups]
    return Table(
        columns=(Column("Status", L), *group_columns(groups)),
        rows=tuple((row.category, *(fmt.count_of(c.n, n) for c, n in zip(row.counts, sizes, strict=True)))
                   for row in rows),
        caption=caption,
        id=table_id,
    )


def treatment_status(analysis: TrialAnalysis) -> Table:
    return _status_table(analysis.status.treatment, analysis.groups,
                         caption="Treatment status at the data cut-off (registered participants)",
                         table_id="table-treatment-status")


def follow_up_status(analysis: TrialAnalysis) -> Table:
    return _status_table(analysis.status.follow_up, analysis.groups,
                         caption="Follow-up status at the data cut-off (registered participants)",
                         table_id="table-follow-up-status")


def screening_failures(analysis: TrialAnalysis, labels: Labels) -> Table:
    """The screen failures the CONSORT figure counts as not eligible, by criterion failed (a
    person may fail several); registered participants whose recomputed verdict is not
    eligible are counted in the note (they are not in the per-protocol population)."""
    screened = analysis.consort[0] if analysis.consort else None
    left = screened.not_continuing if screened is not None else ()
    failures = {pid for r in left for pid in r.participant_ids}
    ineligible = {pid for r in left if r.reason == NOT_ELIGIBLE for pid in r.participant_ids}
    counts: Counter[str] = Counter()
    for outcome in analysis.eligibility:
        if outcome.participant_id in ineligible:
            counts.update(outcome.failed)
    rows = tuple((labels.criterion(c.id), c.kind, counts[c.id])
                 for c in labels.protocol.eligibility if c.id in counts)
    other = len(failures) - len(ineligible)
    registered = set(analysis.populations.registered)
    not_eligible_registered = sum(1 for o in analysis.eligibility
                                  if o.participant_id in registered and o.status != "eligible")
    notes = ["A person failing several criteria counts under each; each person is listed in the appendix."]
    if other:
        notes.append(f"Screen failures whose recomputed verdict is incomplete or not evaluable: {other} (in "
                     "the CONSORT figure and the screening listing, not here).")
    if not_eligible_registered:
        notes.append(f"Registered participants recomputed as not eligible from the screening forms: "
                     f"{not_eligible_registered} (screening listing; not in the per-protocol population).")
    people = fmt.plural(len(ineligible), "person", "people")
    return Table(
        columns=(Column("Criterion", L), Column("Kind", L), Column("People", R)),
        rows=rows,
        caption=f"Screening failures by eligibility criterion: {people} not eligible (recomputed by the "
        "clinical engine from the screening forms)",
        note=" ".join(notes),
        id="table-screening-failures",
    )


def populations(analysis: TrialAnalysis) -> Table:
    pops = analysis.populations
    rows: list[tuple[str | int, ...]] = [(Labels.population(pop), len(ids), pops.rules[pop])
                                         for pop, ids in pops.sets.items()]
    rows += [
        ("Part A", len(pops.part_a), "registered in Part A (dose exploration)"),
        ("Part B", len(pops.part_b), "registered in Part B (phase II at the recommended phase II dose)"),
    ]
    return Table(
        columns=(Column("Population", L), Column("n", R), Column("Rule", L)),
        rows=tuple(rows),
        caption="Analysis populations",
        id="table-populations",
    )
