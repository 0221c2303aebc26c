"""The DSMB report's conduct section recomputed from the seed-1 records: data completeness and
visit deviations (from a visit schedule rebuilt here from the protocol's timings), lab
completeness, doses reduced without a reason, data currency by site and the data-quality
counts.

The schedule oracle follows the rules of src/hipectrial/clinical/visits/schedule.py's docstring (and
analysis/conduct.py's for the dates it is given): every visit counts from an anchor event
(registration, HIPEC, a cycle's actual start, surgery, end of treatment, last dose); a
per-cycle day-1 visit judges the cycle start against when the cycle was due; an every-N-days
repeat runs to ``until_day`` or its ``until`` event; a cycle not started is projected from the
last one that did. **Stops**: a visit not done whose window had not closed before the
participant's death, off-study date or (for visits that end at progression: the tumour
assessments and the re-evaluation) first progression is no longer due. A visit is *expected*
once its window closed before the cut-off (projected occurrences aside), *recorded* when done.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import pytest

from hipectrial.protocol.regimen import Timing
from hipectrial.report.document import Callout

from .truth import Built, Person, Records, body, find_listing, find_table

NOT_OPERATED_PHASES = ("continuation", "maintenance-not-operated")



# -- a visit schedule, rebuilt from the protocol's timings ----------------------------------------


@dataclass(frozen=True)
class Occurrence:
    visit_id: str
    n: int
    target: dt.date
    earliest: dt.date
    latest: dt.date
    projected: bool
    actual: dt.date | None


class Schedule:
    """One registered participant's visit occurrences as of ``cutoff`` (module docstring)."""

    def __init__(self, built: Built, q: Person, cutoff: dt.date) -> None:
        self.protocol, self.q, self.cutoff = built.protocol, q, cutoff
        self.branch = ("operated" if q.conversion is not None else
                       "not_operated" if any(d.phase in NOT_OPERATED_PHASES for d in q.doses) else None)
        starts: dict[str, dict[int, dt.date]] = {}
        for d in q.doses:  # a cycle starts on the first dose date of its (phase, cycle)
            if d.phase is not None and d.cycle is not None:
                cycles = starts.setdefault(d.phase, {})
                cycles[d.cycle] = min(cycles.get(d.cycle, d.date), d.date)
        self.starts = {p: [c[k] for k in sorted(c)] for p, c in starts.items()}
        eot = [v.actual_date for v in q.visits if v.visit_id == "end-of-treatment" and v.actual_date]
        self.events = {"registration": q.p.registration_date,
                       "hipec": q.day0_hipec.date if q.received_hipec and q.day0_hipec else None,
                       "surgery": q.conversion.date if q.conversion else None,
                       "end_of_treatment": min(eot) if eot else None,
                       # "The last dose" is known once treatment has ended (a participant whose
                       # cycle is held at the cut-off may still be dosed): before, no visit
                       # counts from it (PD §7: safety follow-up 30/90 days after the last dose).
                       "last_dose": q.last_dose if q.p.off_treatment_date is not None else None}
        self.done = {(v.visit_id, v.repeat): v.actual_date for v in q.visits if v.actual_date}

    # anchors ----------------------------------------------------------------------------------

    def applies(self, phase_id: str) -> bool:
        branch = self.protocol.phase(phase_id).branch
        return branch == "all" or branch == self.branch

    def cycles(self, phase_id: str) -> int:
        if not self.applies(phase_id):
            return 0
        done = len(self.starts.get(phase_id, []))
        if self.events["end_of_treatment"] is not None:
            return done
        planned = self.protocol.phase(phase_id).cycles
        return planned if planned is not None else done + 1

    def due(self, phase_id: str, n: int) -> tuple[dt.date, bool] | None:
        """When cycle n is due (and whether projected): cycle 1 by the phase's start timing,
        later ones a cycle length after the previous cycle's start."""
        if n == 1:
            return self.resolve(self.protocol.phase(phase_id).start)
        previous = self.start(phase_id, n - 1)
        if previous is None:
            return None
        return previous[0] + dt.timedelta(days=self.protocol.phase(phase_id).cycle_length_days), previous[1]

    def start(self, phase_id: str, n: int) -> tuple[dt.date, bool] | None:
        actual = self.starts.get(phase_id, [])
        if n <= len(actual):
            return actual[n - 1], False
        due = self.due(phase_id, n)
        return None if due is None else (due[0], True)

    def resolve(self, timing: Timing, day: int | None = None) -> tuple[dt.date, bool] | None:
        day = timing.day if day is None else day
        if timing.anchor.value == "cycle_start":
            assert timing.phase is not None
            assert timing.cycle is not None
            start = self.start(timing.phase, timing.cycle) if self.applies(timing.phase) else None
            if start is None:
                return None
            # For a cycle start, day 1 is the start itself (protocol.regimen.Timing).
            return start[0] + dt.timedelta(days=day - 1 if day > 0 else day), start[1]
        event = self.events[timing.anchor.value]
        return None if event is None else (event + dt.timedelta(days=day), False)

    def stop(self, visit_id: str) -> dt.date | None:
        visit = next(v for v in self.protocol.visits if v.id == visit_id)
        dates = [self.q.death_date, self.q.p.off_study_date]
        if "progression" in [e.value for e in visit.ends_at]:
            dates.append(self.q.progression_date)
        return min((d for d in dates if d is not None), default=None)

    # occurrences ------------------------------------------------------------------------------

    def occurrences(self) -> list[Occurrence]:
        out = []
        for visit in self.protocol.visits:
            if visit.timing.anchor.value == "event":
                continue
            if visit.cohorts is not None and self.q.p.cohort not in visit.cohorts:
                continue
            if visit.branch != "all" and visit.branch != self.branch:
                continue
            stop = self.stop(visit.id)
            event = self.events.get(visit.records_event.value) if visit.records_event else None
            for o in self.plans(visit, event):
                if o.actual is None and stop is not None and o.latest >= stop:
                    continue  # no longer due: the window had not closed before the stop
                out.append(o)
        return out

    def plans(self, visit, event: dt.date | None) -> list[Occurrence]:  # type: ignore[no-untyped-def]
        timing, repeat = visit.timing, visit.repeat
        before, after = timing.window_before, timing.window_after

        def occurrence(n: int, when: tuple[dt.date, bool], b: int, a: int,
                       default: dt.date | None = None) -> Occurrence:
            target = when[0]
            actual = self.done.get((visit.id, n), default)
            return Occurrence(visit.id, n, target, target - dt.timedelta(days=b), target + dt.timedelta(days=a),
                              when[1], actual)

        if repeat is not None and repeat.per_cycle is not None:
            phase = self.protocol.phase(repeat.per_cycle)
            plans = []
            for n in range(1, self.cycles(phase.id) + 1):
                started = self.starts.get(phase.id, [])
                assert timing.day == 1  # the seed's per-cycle visits are on day 1
                due = self.due(phase.id, n)
                if due is None:
                    break
                b, a = (phase.start.window_before, phase.start.window_after) if n == 1 else (before, after)
                plans.append(occurrence(n, due, b, a, started[n - 1] if n <= len(started) else None))
            return plans
        first = self.resolve(timing)
        if first is None:
            return []
        if repeat is None or repeat.every_days is None:
            return [occurrence(1, first, before, after, event)]
        until = self.events[repeat.until.value] if repeat.until is not None else None
        last_done = max((n for v, n in self.done if v == visit.id), default=0)
        plans, k = [], 0
        while True:
            day = timing.day + k * repeat.every_days
            if repeat.until_day is not None and day > repeat.until_day:
                break
            when = self.resolve(timing, day)
            assert when is not None
            if until is not None and when[0] >= until:
                break
            if when[0] - dt.timedelta(days=before) > self.cutoff and k + 1 > last_done:
                break  # from here on no window has opened by the cut-off: nothing is due yet
            plans.append(occurrence(k + 1, when, before, after))
            k += 1
        return plans


@pytest.fixture(scope="module")
def schedules(built: Built, records: Records) -> dict[str, list[Occurrence]]:
    cutoff = built.trial.generated_at.date()
    return {q.id: Schedule(built, q, cutoff).occurrences() for q in records.registered}


def expected_and_missed(occurrences: list[Occurrence], cutoff: dt.date) -> tuple[list[Occurrence], list[Occurrence]]:
    expected = [o for o in occurrences if o.latest < cutoff and not o.projected]
    return expected, [o for o in expected if o.actual is None]


def test_every_visit_done_is_on_the_rebuilt_schedule(built: Built, records: Records,
                                                     schedules: dict[str, list[Occurrence]]) -> None:
    # A check of the oracle itself: each scheduled visit recorded for a registered participant
    # is one of the occurrences rebuilt above.
    scheduled = {v.id for v in built.protocol.visits if v.timing.anchor.value != "event"}
    for q in records.registered:
        keys = {(o.visit_id, o.n) for o in schedules[q.id]}
        done = {(v.visit_id, v.repeat) for v in q.visits if v.visit_id in scheduled and v.actual_date}
        assert done <= keys, (q.id, sorted(done - keys))


def test_completeness_counts_visits_due_only_while_the_participant_is_on_the_schedule(
        built: Built, schedules: dict[str, list[Occurrence]]) -> None:
    cutoff = built.trial.generated_at.date()
    expected = recorded = 0
    for occurrences in schedules.values():
        due, missed = expected_and_missed(occurrences, cutoff)
        expected += len(due)
        recorded += len(due) - len(missed)
    shown = {r[0]: r[1] for r in body(find_table(built.report, "table-completeness"))}
    assert shown["Scheduled visits due by the cut-off"] == str(expected)
    assert shown["… recorded"] == str(recorded)
    assert shown["… missed"] == str(expected - recorded)
    pct = f"{Decimal(100 * recorded) / Decimal(expected):.10f}"
    assert shown["Visits recorded"].replace("\u00a0", " ") == (
        f"{Decimal(pct).quantize(Decimal('0.1'), rounding='ROUND_HALF_UP')} %")


def test_missed_visits_are_listed_per_participant_with_their_windows(
        built: Built, records: Records, schedules: dict[str, list[Occurrence]]) -> None:
    cutoff = built.trial.generated_at.date()
    names = {v.id: v.name.en for v in built.protocol.visits}
    listing = {r[0]: r for r in body(find_table(built.report, "listing-completeness"))}
    deviations = [r for r in body(find_table(built.report, "listing-deviations"))
                  if r[1] == "Visit missed (window closed while on the schedule)"]
    shown_windows = Counter((r[0], r[2], r[4]) for r in deviations)
    expected_windows: Counter[tuple[str, str, str]] = Counter()
    for q in records.registered:
        due, missed = expected_and_missed(schedules[q.id], cutoff)
        missed_text = "; ".join(f"{names[o.visit_id]} #{o.n}" for o in sorted(missed, key=lambda o: o.target)) or "–"
        if q.id in listing:
            assert listing[q.id][1:4] == [str(len(due)), str(len(due) - len(missed)), missed_text], q.id
        else:
            assert not missed, q.id  # only participants with a missed visit or lab are listed
        for o in missed:
            # The rule: nothing is missed after death, off study or (scans) progression.
            for stop in (q.death_date, q.p.off_study_date):
                assert stop is None or o.latest < stop, (q.id, o)
            expected_windows[(q.id, f"{names[o.visit_id]} #{o.n}",
                              f"not done; window {o.earliest.isoformat()} to {o.latest.isoformat()} closed")] += 1
    assert shown_windows == expected_windows


def test_visits_out_of_window_are_the_deviations_by_kind(built: Built,
                                                       schedules: dict[str, list[Occurrence]]) -> None:
    cutoff = built.trial.generated_at.date()
    kinds: Counter[str] = Counter()
    for occurrences in schedules.values():
        for o in occurrences:
            if o.actual is not None and o.actual < o.earliest:
                kinds["Visit done before its window"] += 1
            elif o.actual is not None and o.actual > o.latest:
                kinds["Visit done after its window"] += 1
        kinds["Visit missed (window closed while on the schedule)"] += len(expected_and_missed(occurrences, cutoff)[1])
    shown = {r[0]: int(r[1]) for r in body(find_table(built.report, "table-deviations"))}
    for kind, n in kinds.items():
        assert shown.get(kind, 0) == n, kind
    assert shown.get("Dose given outside the protocol's tolerance of the dose prescribed", 0) == \
        dose_deviations(built)


def dose_deviations(built: Built) -> int:
    # A dose in mg given (> 0) more than the protocol's tolerance (5 %) away from its prescribed dose.
    tolerance = Decimal(built.protocol.dose_calculation.dose_tolerance_percent)
    return sum(1 for d in built.trial.doses if d.unit == "mg" and d.prescribed and d.given > 0
               and abs(d.given - d.prescribed) * 100 > tolerance * d.prescribed)


def test_lab_values_required_at_each_cycle_visit_done_within_72_hours(built: Built, records: Records,
                                                                      schedules: dict[str, list[Occurrence]]) -> None:
    required = [f.cdisc for f in built.protocol.form("labs").fields if f.required and f.cdisc and f.show_if is None]
    cycle_visits = {v.id for v in built.protocol.visits
                    if v.repeat is not None and v.repeat.per_cycle is not None and "labs" in v.forms}
    expected = missing = 0
    for q in records.registered:
        for o in schedules[q.id]:
            if o.visit_id not in cycle_visits or o.actual is None:
                continue
            for code in required:
                expected += 1
                # "labs within 72 hours before dosing": a result 0 to 3 days before the visit.
                missing += not any(lab.test_code == code and 0 <= (o.actual - lab.date).days <= 3 for lab in q.labs)
    shown = {r[0]: r[1] for r in body(find_table(built.report, "table-completeness"))}
    assert shown["Lab values required at the cycle visits done"] == str(expected)
    assert shown["… missing (no result within 72 hours before the visit)"] == str(missing)


# -- doses reduced without a reason ------------------------------------------------------------------


def unexplained_reductions(built: Built, records: Records) -> list[tuple[str, str, dt.date]]:
    """(participant, agent, date) of each dose given at <= 90 % of its own prescribed dose, or a
    step down (reducible agents: <= 90 % of the previous dose given, the first of the starting
    dose), with no change_reason: a deviation (exposure.py)."""
    out = []
    for agent in built.protocol.agents:
        for q in records.safety:
            rs = sorted((d for d in q.doses if d.agent == agent.id), key=lambda d: (d.date, d.cycle or 0))
            start = next((d.prescribed for d in rs if d.prescribed is not None), None)
            previous = start
            for d in rs:
                if d.given <= 0:
                    continue
                below = d.prescribed is not None and d.given <= Decimal("0.9") * d.prescribed
                step = agent.reducible and previous is not None and d.given <= Decimal("0.9") * previous
                if (below or step) and not (d.change_reason or "").strip():
                    out.append((q.id, agent.id, d.date))
                previous = d.given
    return out


def test_doses_reduced_without_a_reason_are_counted_and_listed(built: Built, records: Records) -> None:
    found = unexplained_reductions(built, records)
    label = "Dose reduced by 10 % or more with no reason recorded"
    assert {r[0]: r[1] for r in body(find_table(built.report, "table-deviations"))}[label] == str(len(found))
    names = {a.id: a.name for a in built.protocol.agents}
    listed = Counter((r[0], r[2].split(" ")[0], r[3]) for r in body(find_table(built.report, "listing-deviations"))
                     if r[1] == label)
    assert listed == Counter((pid, names[agent].split(" ")[0], day.isoformat()) for pid, agent, day in found)
    quality = {r[0]: r[1] for r in body(find_table(built.report, "table-data-quality"))}
    assert quality.get(label.lower(), "0") == str(len(found))


# -- data currency ---------------------------------------------------------------------------------


def test_data_currency_gives_each_sites_last_visit_and_record_count(built: Built, records: Records) -> None:
    cutoff = built.trial.generated_at.date()
    rows = body(find_table(built.report, "table-data-currency"))
    assert [r[0] for r in rows] == [s.id for s in built.trial.sites]
    for site, row in zip(built.trial.sites, rows, strict=True):
        people = [q for q in records if q.p.site_id == site.id]
        visits = [v.actual_date for q in people for v in q.visits if v.actual_date]
        last = max(visits) if visits else None
        # The records about the site's people: each participant record and every record about them.
        kinds = ("visits", "forms", "doses", "aes", "labs", "tas", "surgeries", "fus")
        count = len(people) + sum(len(getattr(q, kind)) for q in people for kind in kinds)
        dated = [r for q in people for kind in kinds for r in getattr(q, kind) if r.provenance is not None]
        dated += [q.p for q in people if q.p.provenance is not None]
        assert row[1] == str(sum(q.registered for q in people))
        assert row[2:4] == [last.isoformat() if last else "–", str((cutoff - last).days) if last else "–"]
        assert not dated  # simulated records carry no provenance: entry dates cannot be judged
        assert row[4:7] == ["not recorded", f"0 of {count}", "–"]


# -- data-quality counts -------------------------------------------------------------------------------


def test_data_quality_counts_the_deaths_to_complete_and_the_dose_records_to_explain(built: Built,
                                                                                    records: Records) -> None:
    quality = {r[0]: r[1] for r in body(find_table(built.report, "table-data-quality"))}
    # deaths.py: a death with cause treatment toxicity or surgical complication, or within 30 days
    # of an operation, without a fatal (grade 5) adverse event recorded, is a record to complete.
    notes = 0
    for q in records:
        death = q.death_date
        if death is None:
            continue
        operations = [d for d in (q.day0_date, q.conversion.date if q.conversion else None) if d is not None]
        needs = (q.cause_of_death in ("treatment_toxicity", "surgical_complication")
                 or any(0 <= (death - d).days <= 30 for d in operations))
        has_fatal = any(ae.grade == 5 or (ae.outcome is not None and ae.outcome.value == "fatal") for ae in q.aes)
        notes += needs and not has_fatal
        notes += q.cause_of_death is None
    assert quality.get("record an endpoint could not use as it is (deaths)", "0") == str(notes)
    # exposure.py: a dose record with neither a prescribed nor a given dose is not a cycle started.
    empty = {(q.id, d.agent) for q in records.safety for d in q.doses if d.prescribed is None and d.given == 0}
    assert quality.get("record an endpoint could not use as it is (exposure)", "0") == str(len(empty))


def test_data_quality_callout_counts_what_is_left_to_resolve(built: Built, records: Records) -> None:
    callout = next(b for b in built.report.sections[0].blocks
                   if isinstance(b, Callout) and b.title.startswith("Data quality"))
    reductions = len(unexplained_reductions(built, records))
    quality = {r[0]: int(r[1]) for r in body(find_table(built.report, "table-data-quality"))}
    # The callout and the table count the same findings (one counting function); the reductions
    # without a reason are recomputed above from the dose records.
    assert quality["dose reduced by 10 % or more with no reason recorded"] == reductions
    total = sum(quality.values())
    assert callout.title == f"Data quality: {total} findings to resolve"
    text = callout.text.replace("\u00a0", " ")
    for kind, n in quality.items():
        assert f"{n} finding{'s' if n != 1 else ''}: {kind}" in text
    # ...and sends the reader to the listing that holds each (next test).
    assert text.endswith("None stops the analysis; each is listed in the data-quality listing (appendix).")


def test_data_quality_listing_holds_every_finding_the_table_counts(built: Built, records: Records) -> None:
    # Every counted finding is in the listing, one row each (the reductions without a reason,
    # recomputed from the dose records, included).
    quality = {r[0]: int(r[1]) for r in body(find_table(built.report, "table-data-quality"))}
    listing = body(find_listing(built.report, "data-quality").table)
    assert Counter(row[0] for row in listing) == Counter(quality)
    reductions = unexplained_reductions(built, records)
    listed = [row[1] for row in listing if row[0] == "dose reduced by 10 % or more with no reason recorded"]
    assert sorted(listed) == sorted(pid for pid, *_ in reductions)
