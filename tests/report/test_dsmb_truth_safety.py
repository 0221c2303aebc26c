"""The DSMB report's safety and exposure numbers, recomputed from the seed-1 trial's records.

Rules (src/hipectrial/analysis/safety.py, exposure.py and interim.py docstrings; clinical.md
§6; protocol-decisions.md "Safety monitoring in Part B", "Dose levels"): every adverse event
of a safety-population participant (registered, any dose given) counts; a participant counts
once per term at the worst grade; treatment-related = at least possibly related (possible,
probable, definite) to any agent; fatal = grade 5 or outcome fatal. The oracles read
``trial.adverse_events``, ``trial.doses`` and ``trial.surgeries`` directly (see :mod:`.truth`).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

import pytest
from scipy import stats

from hipectrial.data import AdverseEvent
from hipectrial.report.document import Callout, MetricGrid

from .truth import (
    CLAVIEN_DINDO,
    Built,
    Person,
    Records,
    body,
    count_of,
    find_listing,
    find_table,
    groups,
    half_up,
    header,
    median_range,
    related,
)

GRADES = (1, 2, 3, 4, 5)



def fatal(ae: AdverseEvent) -> bool:
    return ae.grade == 5 or (ae.outcome is not None and ae.outcome.value == "fatal")


CATEGORIES: dict[str, Callable[[AdverseEvent], bool]] = {
    "Any adverse event": lambda ae: True,
    "Grade ≥ 3": lambda ae: ae.grade >= 3,
    "Treatment-related": related,
    "Grade ≥ 3 treatment-related": lambda ae: ae.grade >= 3 and related(ae),
    "Serious": lambda ae: ae.serious,
    "Immune-related": lambda ae: ae.immune_related,
    "Leading to discontinuation": lambda ae: ae.led_to_discontinuation,
    "Fatal (grade 5)": fatal,
}


def test_ae_categories_by_group_count_participants_and_events(built: Built, records: Records) -> None:
    gs = [(g.label, [q for q in g.members if q.safety]) for g in groups(built.protocol, records)]
    table = find_table(built.report, "table-ae-groups")
    # The denominators are the treated (safety-population) participants of each group; the last
    # group (every part) is headed "All", not "All registered", as its n counts the treated.
    gs[-1] = ("All", gs[-1][1])
    assert header(table) == ["Participants with", *(f"{label}: {len(qs)} treated" for label, qs in gs)]
    expected = []
    for name, rule in CATEGORIES.items():
        cells = []
        for _, qs in gs:
            events = [ae for q in qs for ae in q.aes if rule(ae)]
            people = {ae.participant_id for ae in events}
            cells.append(f"{count_of(len(people), len(qs))}; {len(events)} event{'s' if len(events) != 1 else ''}")
        expected.append([name, *cells])
    assert body(table) == expected


def test_grade_3_related_tile_is_the_all_registered_cell(built: Built, records: Records) -> None:
    safety = records.safety
    people = {q.id for q in safety for ae in q.aes if ae.grade >= 3 and related(ae)}
    grid = next(b for b in built.report.sections[0].blocks if isinstance(b, MetricGrid))
    tile = next(m for m in grid.metrics if m.label == "Grade ≥ 3 treatment-related adverse event")
    assert tile.value.replace("\u00a0", " ") == count_of(len(people), len(safety))
    assert tile.detail == f"of {len(safety)} participants treated"


def _worst_by_term(records: Records, rule: Callable[[AdverseEvent], bool] = lambda ae: True
                   ) -> dict[str, dict[str, int]]:
    """term -> participant -> worst grade among the events ``rule`` accepts."""
    worst: dict[str, dict[str, int]] = defaultdict(dict)
    for q in records.safety:
        for ae in q.aes:
            if rule(ae):
                worst[ae.term][q.id] = max(worst[ae.term].get(q.id, 0), ae.grade)
    return worst


def _by_frequency(counts: dict[str, int]) -> list[str]:
    return sorted(counts, key=lambda term: (-counts[term], term))


def test_ae_terms_by_worst_grade_count_each_participant_once_per_term(built: Built, records: Records) -> None:
    worst = _worst_by_term(records)
    worst_related = _worst_by_term(records, related)
    expected = []
    for term in _by_frequency({t: len(p) for t, p in worst.items()}):
        grades = list(worst[term].values())
        rel = list(worst_related.get(term, {}).values())
        expected.append([term, str(len(grades)), *(str(grades.count(g)) for g in GRADES),
                         str(sum(g >= 3 for g in grades)), str(len(rel)), str(sum(g >= 3 for g in rel))])
    table = find_table(built.report, "table-ae-terms")
    assert body(table) == expected
    assert f"Participants (of {len(records.safety)})" in (table.note or "")


def test_attribution_counts_participants_by_the_agent_each_event_is_related_to(built: Built,
                                                                               records: Records) -> None:
    agents = built.protocol.agents
    table = find_table(built.report, "table-ae-attribution")
    assert header(table) == ["CTCAE v5.0 term", "Related to any agent", *(a.name for a in agents)]
    any_agent = _worst_by_term(records, related)
    per_agent = {a.id: _worst_by_term(records, lambda ae, agent=a.id: related(ae, agent)) for a in agents}
    expected = []
    for term in _by_frequency({t: len(p) for t, p in any_agent.items()}):
        cells = []
        for a in agents:
            grades = list(per_agent[a.id].get(term, {}).values())
            cells.append(f"{len(grades)} ({sum(g >= 3 for g in grades)})")
        expected.append([term, str(len(any_agent[term])), *cells])
    assert body(table) == expected


def test_serious_events_by_term_give_participants_events_and_worst_grade(built: Built,
                                                                          records: Records) -> None:
    events: dict[str, list[AdverseEvent]] = defaultdict(list)
    for q in records.safety:
        for ae in q.aes:
            if ae.serious:
                events[ae.term].append(ae)
    people = {t: len({ae.participant_id for ae in es}) for t, es in events.items()}
    expected = [[t, str(people[t]), str(len(events[t])), str(max(ae.grade for ae in events[t]))]
                for t in _by_frequency(people)]
    assert body(find_table(built.report, "table-sae-terms")) == expected


def test_immune_related_events_by_term_and_worst_grade(built: Built, records: Records) -> None:
    worst = _worst_by_term(records, lambda ae: ae.immune_related)
    expected = []
    for term in _by_frequency({t: len(p) for t, p in worst.items()}):
        grades = list(worst[term].values())
        expected.append([term, str(len(grades)), *(str(grades.count(g)) for g in GRADES)])
    assert body(find_table(built.report, "table-irae-terms")) == expected


def _worst_clavien_dindo(q: Person, procedure: str, days: int) -> str:
    """Worst Clavien-Dindo grade of the complications recorded on the operation, with onset 0 to
    ``days`` days after it; "None" without any."""
    ops = sorted((s for s in q.surgeries if s.procedure == procedure), key=lambda s: s.date)
    if not ops:
        return "None"
    op = ops[0]
    grades = [c.grade.value for c in op.complications if 0 <= (c.onset_date - op.date).days <= days]
    return max(grades, key=CLAVIEN_DINDO.index) if grades else "None"


def test_surgical_morbidity_is_the_worst_clavien_dindo_within_the_horizon(built: Built,
                                                                          records: Records) -> None:
    table = find_table(built.report, "table-morbidity")
    assert header(table) == ["Operation and horizon", "None", *CLAVIEN_DINDO]
    rows = body(table)
    assert len(rows) == 4
    for row in rows:
        days = 30 if "within 30 days" in row[0] else 90
        if "conversion surgery (Operated" in row[0]:
            people = [q for q in records.registered if q.conversion is not None]
            procedure = "conversion_surgery_hipec"
        else:
            assert "the day-0 HIPEC (ITT" in row[0], row[0]
            people, procedure = records.itt, "diagnostic_laparoscopy_hipec"
        assert row[0].endswith(f", n = {len(people)})")
        worst = [_worst_clavien_dindo(q, procedure, days) for q in people]
        assert row[1:] == [str(worst.count(g)) for g in ("None", *CLAVIEN_DINDO)], row[0]


# -- Part B safety monitoring ----------------------------------------------------------------------


def severe_toxicity(q: Person) -> bool:
    """The protocol's Part B event: a grade 4 (or worse) treatment-related AE, a treatment-related
    death (a related fatal AE, or cause "treatment_toxicity"), or a Clavien-Dindo >= IIIb
    complication of either operation."""
    if any(ae.grade >= 4 and related(ae) for ae in q.aes):
        return True
    if q.death_date is not None and (q.cause_of_death == "treatment_toxicity"
                                     or any(fatal(ae) and related(ae) for ae in q.aes)):
        return True
    return any(CLAVIEN_DINDO.index(c.grade.value) >= CLAVIEN_DINDO.index("IIIb")
               for s in q.surgeries for c in s.complications)


def posterior(x: int, n: int) -> float:
    # P(rate > 0.30 | x of n) under Beta(1, 1): the posterior is Beta(1 + x, 1 + n - x).
    return float(stats.beta.sf(0.30, 1 + x, 1 + n - x))


def test_posterior_matches_the_binomial_identity() -> None:
    # With a Beta(1, 1) prior, P(p > t | x, n) = P(Binomial(n + 1, t) <= x): at n = 5, x = 2
    # that is 0.7443 (R: pbinom(2, 6, 0.3)), and 0.9295 for x = 3 (pbinom(3, 6, 0.3)).
    assert posterior(2, 5) == pytest.approx(0.74431, abs=1e-5)
    assert posterior(3, 5) == pytest.approx(0.92953, abs=1e-5)


def test_safety_monitoring_looks_count_severe_toxicity_among_the_first_n_treated(built: Built,
                                                                                   records: Records) -> None:
    part_b = records.in_registration_order(q for q in records.safety if q.part == "part_b")
    events = [q.id for q in part_b if severe_toxicity(q)]
    expected = []
    for n in range(5, len(part_b) + 1, 5):
        x = sum(1 for q in part_b[:n] if q.id in events)
        stop_at = next(k for k in range(n + 1) if posterior(k, n) > 0.90)
        p = posterior(x, n)
        expected.append([str(n), str(x), str(stop_at), half_up(Fraction(p), 3),
                         "stop" if p > 0.90 else "continue"])
    table = find_table(built.report, "table-safety-monitoring")
    assert body(table) == expected
    assert (table.note or "").endswith(f"{len(events)} participants with the event so far, listed after "
                                       "this table.")
    # Every participant with the event is listed, by their place in the order of treatment.
    listing = find_listing(built.report, "safety-monitoring-events").table
    order = {q.id: k for k, q in enumerate(part_b, start=1)}
    assert [row[:2] for row in body(listing)] == [[str(order[pid]), pid] for pid in events]
    # The callout states the current count and posterior over everyone treated in Part B.
    callout = next(b for b in built.report.sections[0].blocks
                   if isinstance(b, Callout) and b.title.startswith("Safety monitoring (Part B)"))
    now = posterior(len(events), len(part_b))
    first_stop = next((r for r in expected if r[-1] == "stop"), None)
    current = (f"{len(events)} participants with severe toxicity among {len(part_b)} treated; "
               f"P(rate > 30 % | data) = {half_up(Fraction(now), 3)}")
    if first_stop is None:
        assert callout.text.replace("\u00a0", " ") == current + " (stop above 0.90 at a look every 5 treated)."
    else:   # the first look that met the rule, then where the count stands now
        assert callout.text.replace("\u00a0", " ") == (
            f"{first_stop[1]} of the first {first_stop[0]} with severe toxicity: P(rate > 30 % | data) above "
            f"0.90 (P = {first_stop[3]}). Now {current}.")
    if first_stop is not None:
        assert callout.title.endswith(f"stopping rule met at the look after {first_stop[0]} treated")
    elif now > 0.90:
        assert "above the stopping bound" in callout.title
    else:
        assert callout.title.endswith("no signal")


# -- exposure --------------------------------------------------------------------------------------


def _is_reduced(given: Decimal, reference: Decimal) -> bool:
    return 0 < given <= Decimal("0.9") * reference


def _delays(built: Built, records: list) -> int:
    # A systemic record more than the per-cycle visit's window_after (3 days) after the previous
    # record of the agent in the same phase plus the cycle length (21 days) is a delay.
    n = 0
    for phase in {d.phase for d in records if d.phase is not None}:
        length = built.protocol.phase(phase).cycle_length_days
        window = next(v.timing.window_after for v in built.protocol.visits
                      if v.repeat is not None and v.repeat.per_cycle == phase)
        dates = sorted(d.date for d in records if d.phase == phase)
        n += sum(1 for a, b in itertools.pairwise(dates) if (b - a).days > length + window)
    return n


def _exposure_row(built: Built, records: Records, agent_id: str) -> list[str]:
    agent = next(a for a in built.protocol.agents if a.id == agent_id)
    hipec = agent_id in built.protocol.hipec.agents
    treated, cycles, events, reduced, delays, rdi, rtd = [], [], [], [], [], [], []
    for q in records.safety:
        rs = sorted((d for d in q.doses if d.agent == agent_id), key=lambda d: (d.date, d.cycle or 0))
        if not any(d.given > 0 for d in rs):
            continue
        treated.append(q.id)
        cycles.append(sum(d.given > 0 for d in rs) if hipec else len({(d.phase, d.cycle) for d in rs if d.given > 0}))
        start = next((d.prescribed for d in rs if d.prescribed is not None), None)
        given = [d.given for d in rs if d.given > 0]
        # A reduction event: a dose given at <= 90 % of the dose given before it (the first one:
        # of the starting dose); a dose at a reduced level: <= 90 % of the starting dose.
        previous = [start, *given[:-1]]
        events.append(sum(1 for g, ref in zip(given, previous, strict=True) if ref and _is_reduced(g, ref)))
        reduced.append(sum(1 for g in given if start and _is_reduced(g, start)))
        delays.append(0 if hipec else _delays(built, rs))
        started = [d for d in rs if d.prescribed is not None or d.given > 0]
        g_total = sum(d.given for d in rs)
        planned = [start if agent.reducible else d.prescribed for d in started]
        if any(p is None for p in planned):
            continue
        p_total = sum(planned)
        rtd.append(Fraction(g_total) / Fraction(p_total))
        if not hipec:
            phases = {d.phase for d in started}
            length = {p: built.protocol.phase(p).cycle_length_days for p in phases}
            t = sum((max(d.date for d in started if d.phase == p) - min(d.date for d in started if d.phase == p)).days
                    + length[p] for p in phases)
            s = sum(length[d.phase] for d in started)
            rdi.append((Fraction(g_total) / t) / (Fraction(p_total) / s))
    if agent.reducible:
        reductions = f"{sum(e > 0 for e in events)} ({sum(events)})"
        at_reduced = f"{sum(reduced)} ({sum(r > 0 for r in reduced)})"
    else:
        reductions = at_reduced = "not reduced (protocol)"
    return [agent.name, str(len(treated)), median_range(cycles), reductions, at_reduced,
            f"{sum(d > 0 for d in delays)} ({sum(delays)})",
            "not applicable" if hipec else median_range(rdi, digits=2), median_range(rtd, digits=2)]


def test_exposure_counts_reduction_events_apart_from_doses_at_a_reduced_level(built: Built,
                                                                              records: Records) -> None:
    table = find_table(built.report, "table-exposure")
    expected = [_exposure_row(built, records, a.id) for a in built.protocol.agents]
    assert body(table) == expected
