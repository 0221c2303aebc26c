"""The DSMB report's deaths, recomputed from the seed-1 trial's follow-up, dose, surgery and
adverse-event records.

Rules (src/hipectrial/analysis/deaths.py docstring; protocol-decisions.md §Endpoints; CTCAE
v5.0): a death is a ``FollowUp`` with ``death_date`` (the earliest, with the cause of the first
contact giving one); horizons 30 and 90 days (the ``mortality_at`` endpoints), a death is
within N days of a date when it is 0 to N days after it; anchors: the last dose given (any
agent, HIPEC included), the day-0 operation (its ``Surgery`` record, else the HIPEC dose
date), conversion surgery; treatment-related: a fatal (grade 5 or outcome fatal) AE at least
possibly related to an agent, or cause ``treatment_toxicity``; post-operative: within 90 days
of either operation, or cause ``surgical_complication``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from hipectrial.report.document import Callout, MetricGrid

from .truth import (
    Built,
    Person,
    Records,
    assert_rate,
    body,
    codelist,
    count_of,
    find_table,
    groups,
    related,
)

HORIZONS = (30, 90)



@pytest.fixture(scope="module")
def dead(records: Records) -> list[Person]:
    return [q for q in records if q.death_date is not None]


def days_from(q: Person, anchor: dt.date | None) -> int | None:
    assert q.death_date is not None
    return None if anchor is None else (q.death_date - anchor).days


def within(days: int | None, horizon: int) -> bool:
    return days is not None and 0 <= days <= horizon


def conversion_date(q: Person) -> dt.date | None:
    return q.conversion.date if q.conversion is not None else None


def fatal_related(q: Person) -> bool:
    return any((ae.grade == 5 or (ae.outcome is not None and ae.outcome.value == "fatal")) and related(ae)
               for ae in q.aes)


def treatment_related(q: Person) -> bool:
    return fatal_related(q) or q.cause_of_death == "treatment_toxicity"


def post_operative(q: Person) -> bool:
    return (within(days_from(q, q.day0_date), max(HORIZONS)) or within(days_from(q, conversion_date(q)), max(HORIZONS))
            or q.cause_of_death == "surgical_complication")


def ids(people: list[Person]) -> str:
    return ", ".join(q.id for q in people) or "–"


def test_horizons_are_the_protocols_mortality_endpoints(built: Built) -> None:
    at_days = sorted({e.at_days for e in built.protocol.endpoints if e.at_days is not None
                      and e.id.startswith("mortality")})
    assert tuple(at_days) == HORIZONS


def test_deaths_tile_counts_every_death_with_the_treatment_related_and_post_operative(
        built: Built, dead: list[Person]) -> None:
    grid = next(b for b in built.report.sections[0].blocks if isinstance(b, MetricGrid))
    tile = next(m for m in grid.metrics if m.label == "Deaths (all causes)")
    assert tile.value == str(len(dead))
    assert tile.detail == (f"treatment-related {sum(map(treatment_related, dead))} · post-operative "
                           f"{sum(map(post_operative, dead))}")
    assert len(dead) == built.simulated.summary()["deaths"]  # the simulator's own count


def test_deaths_table_counts_by_cause_group_and_time_from_treatment(built: Built, records: Records,
                                                                   dead: list[Person]) -> None:
    registered = len(records.registered)
    causes = codelist(built.protocol, "death-cause")
    def of_registered(k: int, n: int) -> str:
        return f"{k} of {n} registered ({count_of(k, n).split('(')[1]}"

    expected = [["All deaths", of_registered(len(dead), registered), ids(dead)]]
    for code, label in causes.items():
        those = [q for q in dead if q.cause_of_death == code]
        expected.append([f"Cause: {label}", str(len(those)), ids(those)])
    if any(q.cause_of_death is None for q in dead):
        those = [q for q in dead if q.cause_of_death is None]
        expected.append(["Cause not recorded", str(len(those)), ids(those)])
    for g in groups(built.protocol, records)[:-1]:
        those = [q for q in g.members if q.death_date is not None]
        expected.append([g.label, of_registered(len(those), len(g.members)), ids(those)])
    anchors = [("the last dose", lambda q: [q.last_dose]),
               ("the day-0 laparoscopy + HIPEC", lambda q: [q.day0_date]),
               ("conversion surgery", lambda q: [conversion_date(q)]),
               ("either operation", lambda q: [q.day0_date, conversion_date(q)])]
    for name, dates in anchors:
        for horizon in HORIZONS:
            those = [q for q in dead if any(within(days_from(q, d), horizon) for d in dates(q))]
            expected.append([f"Within {horizon} days of {name}", str(len(those)), ids(those)])
    for label, rule in (("Treatment-related", treatment_related), ("Post-operative", post_operative)):
        those = [q for q in dead if rule(q)]
        expected.append([label, str(len(those)), ids(those)])
    table = find_table(built.report, "table-deaths")
    assert body(table) == expected
    # The note states the counting rule the expected rows use (days_from, within).
    assert (table.note or "").endswith("The date of the last dose given or of the operation is day 0 and the "
                                       "next day day 1; within N days means on day 0 to day N.")


def test_death_listing_gives_each_death_its_cause_days_and_classification(built: Built, records: Records,
                                                                          dead: list[Person]) -> None:
    causes = codelist(built.protocol, "death-cause")
    group = {q.id: g.label for g in groups(built.protocol, records)[:-1] for q in g.members}
    names = {a.id: a.name for a in built.protocol.agents}

    def shown_days(d: int | None) -> str:
        return "–" if d is None else str(d)

    def fatal_events(q: Person) -> str:
        events = []
        for ae in q.aes:
            if ae.grade == 5 or (ae.outcome is not None and ae.outcome.value == "fatal"):
                agents = ", ".join(names[a] for a in sorted(ae.attribution) if related(ae, a))
                events.append(f"{ae.term} grade {ae.grade}, " + (f"related to {agents}" if agents else "unrelated"))
        return "; ".join(events) or "none recorded"

    expected = [[q.id, group.get(q.id, "–"), q.death_date.isoformat() if q.death_date else "",
                 causes[q.cause_of_death] if q.cause_of_death else "not recorded",
                 shown_days(days_from(q, q.last_dose)), shown_days(days_from(q, q.day0_date)),
                 shown_days(days_from(q, conversion_date(q))), fatal_events(q),
                 "yes" if treatment_related(q) else "no", "yes" if post_operative(q) else "no"]
                for q in dead]
    assert body(find_table(built.report, "listing-deaths")) == expected


def test_a_death_soon_after_surgery_is_post_operative_though_no_grade_5_event_is_recorded(
        built: Built, dead: list[Person]) -> None:
    # The case: "fatal (grade 5): 0" beside a death soon after surgery. The death is
    # counted (post-operative, within 90 days of conversion surgery) whatever the AE forms say.
    early = [q for q in dead if within(days_from(q, conversion_date(q)), max(HORIZONS))]
    assert any(not any(ae.grade == 5 for ae in q.aes) for q in early), (
        "the seed-1 trial has a death within 90 days of conversion surgery without a grade-5 event")
    rows = {r[0]: r for r in body(find_table(built.report, "listing-deaths"))}
    for q in early:
        assert rows[q.id][6] == str(days_from(q, conversion_date(q)))
        assert rows[q.id][9] == "yes"


def test_mortality_at_n_days_leaves_out_those_not_yet_followed_for_n_days(built: Built,
                                                                          records: Records) -> None:
    rows = body(find_table(built.report, "table-mortality"))
    seen = 0
    for horizon in HORIZONS:
        for population, people, anchor in (
                ("ITT, from the day-0 HIPEC", records.itt, lambda q: q.day0_date),
                ("Operated, from conversion surgery", [q for q in records.registered if q.conversion], conversion_date)):
            deaths = alive = 0
            for q in people:
                start = anchor(q)
                assert start is not None
                if q.death_date is not None and within((q.death_date - start).days, horizon):
                    deaths += 1
                elif q.death_date is not None or (q.last_known_alive or start) >= start + dt.timedelta(days=horizon):
                    alive += 1  # known to have lived past the horizon; else undetermined, left out
            row = next(r for r in rows if r[0] == f"{horizon}-day mortality" and r[1] == population)
            assert_rate(row[2], deaths, deaths + alive)
            seen += 1
    assert seen == len(rows)


def test_deaths_callout_describes_each_treatment_related_or_post_operative_death(built: Built,
                                                                                 dead: list[Person]) -> None:
    causes = codelist(built.protocol, "death-cause")
    flagged = [q for q in dead if treatment_related(q) or post_operative(q)]
    callout = next(b for b in built.report.sections[0].blocks
                   if isinstance(b, Callout) and b.title.startswith("Deaths:"))
    assert callout.title == (f"Deaths: {sum(map(treatment_related, dead))} treatment-related, "
                             f"{sum(map(post_operative, dead))} post-operative")
    for q in flagged[:5]:
        kinds = " and ".join(k for k, on in (("treatment-related", treatment_related(q)),
                                             ("post-operative", post_operative(q))) if on)
        assert (f"{q.id} died on {q.death_date.isoformat() if q.death_date else ''} "
                f"({causes[q.cause_of_death or 'unknown']}): {kinds} — ") in callout.text
    more = len(flagged) - 5
    assert (f"{more} more in the deaths section." in callout.text) == (more > 0)
