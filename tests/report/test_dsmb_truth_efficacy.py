"""The DSMB report's design decisions and efficacy numbers, recomputed from the seed-1 records:
Part A dose finding (BOIN), the primary endpoint as designed (Simon stage 1 and the final
analysis), the R0 listings, the secondary surgical and peritoneal endpoints and overall
survival.

Rules: src/hipectrial/analysis/interim.py, primary.py, surgical.py, peritoneal.py and tte.py
docstrings; protocol-decisions.md "Part A", "Part B", §Endpoints. Exceptions to "never call
the code under test", each named where used: exact limits come from ``scipy.stats.beta``, the
Kaplan-Meier estimator from ``lifelines`` (an independent implementation); the simulator's
own record of the BOIN cohorts and the Simon look is compared where it has one.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from fractions import Fraction

from scipy import optimize, stats

from .truth import (
    Built,
    Person,
    Records,
    assert_rate,
    assert_survival_row,
    body,
    callout,
    codelist,
    count_of,
    dlt_evaluable,
    find_table,
    half_up,
    metric,
)

# -- Part A: BOIN --------------------------------------------------------------------------------


def boin_boundaries(phi: float, phi1: float, phi2: float) -> tuple[float, float]:
    # Liu & Yuan (2015), eq. 2: lambda_e = log((1 - phi1) / (1 - phi)) / log(phi (1 - phi1) / (phi1 (1 - phi)));
    # lambda_d = log((1 - phi) / (1 - phi2)) / log(phi2 (1 - phi) / (phi (1 - phi2))).
    # R BOIN::get.boundary(target = 0.3) gives 0.236 and 0.359.
    e = math.log((1 - phi1) / (1 - phi)) / math.log(phi * (1 - phi1) / (phi1 * (1 - phi)))
    d = math.log((1 - phi) / (1 - phi2)) / math.log(phi2 * (1 - phi) / (phi * (1 - phi2)))
    return e, d


def test_boin_boundaries_in_the_history_note_are_the_designs(built: Built) -> None:
    design = built.protocol.dose_finding.design
    e, d = boin_boundaries(design.target, design.phi1, design.phi2)
    assert (round(e, 3), round(d, 3)) == (0.236, 0.359)
    note = find_table(built.report, "table-boin-history").note or ""
    assert f"≤ {half_up(Fraction(e), 3)}, de-escalate when ≥ {half_up(Fraction(d), 3)}" in note


def dlt_known_on(built: Built, q: Person) -> dt.date | None:
    """When a Part A participant's DLT outcome became known (interim.py docstring): the first
    DLT's onset; else, evaluable, the last day of the DLT window (cycle 1 day 21); else the
    earliest of death, off study, the recorded end of treatment, and the window's end once
    cycle 1 has started (if on or before the cut-off)."""
    dlts = [ae.onset_date for ae in q.aes if ae.dlt]
    if dlts:
        return min(dlts)
    cycle1 = [d.date for d in q.doses if d.phase == "induction" and d.cycle == 1]
    window_end = min(cycle1) + dt.timedelta(days=20) if cycle1 else None
    if dlt_evaluable(built.protocol, q):
        return window_end
    cutoff = built.trial.generated_at.date()
    ends = [d for d in (q.death_date, q.p.off_study_date, eot_recorded(q)) if d is not None]
    if window_end is not None and window_end <= cutoff:
        ends.append(window_end)
    return min(ends, default=None)


def test_boin_history_has_the_cohorts_of_consecutive_registrations_and_the_simulators_decisions(
        built: Built, records: Records) -> None:
    part_a = records.in_registration_order(q for q in records.registered if q.part == "part_a")
    cohorts: list[list[Person]] = []
    for q in part_a:
        if cohorts and cohorts[-1][0].p.dose_level == q.p.dose_level and len(cohorts[-1]) < 3:
            cohorts[-1].append(q)
        else:
            cohorts.append([q])
    rows = body(find_table(built.report, "table-boin-history"))
    simulated = built.simulated.cohorts
    assert len(rows) == len(cohorts) == len(simulated)
    cumulative: dict[str, list[int]] = {}
    for number, (cohort, row, sim) in enumerate(zip(cohorts, rows, simulated, strict=True), start=1):
        level = cohort[0].p.dose_level or ""
        evaluable = [q for q in cohort if dlt_evaluable(built.protocol, q)]
        dlts = sum(1 for q in evaluable if any(ae.dlt for ae in q.aes))
        n, y = cumulative.setdefault(level, [0, 0])
        cumulative[level] = [n + len(evaluable), y + dlts]
        known = max(d for q in cohort if (d := dlt_known_on(built, q)) is not None)
        assert row[:6] == [str(number), level, ", ".join(q.id for q in cohort), f"{dlts}/{len(evaluable)}",
                           f"{cumulative[level][1]}/{cumulative[level][0]}", known.isoformat()]
        # The simulator's own run of the trial: same people, data, date and decision.
        assert set(sim.participant_ids) == {q.id for q in cohort}
        assert (sim.dose_level, sim.dlts, sim.evaluable, sim.known_on) == (level, dlts, len(evaluable), known)
        if sim.selected_dose_level is not None:
            assert row[6] == f"{sim.action}: dose level {sim.selected_dose_level} selected ({sim.reason})"
        else:
            assert row[6] == f"{sim.action}: next cohort at level {sim.next_dose_level}"


def test_boin_decisions_follow_the_boundaries(built: Built) -> None:
    # Each escalate / stay / de-escalate is the boundary rule on the cumulative data at the level.
    design = built.protocol.dose_finding.design
    e, d = boin_boundaries(design.target, design.phi1, design.phi2)
    for row in body(find_table(built.report, "table-boin-history")):
        y, n = map(int, row[4].split("/"))
        action = row[6].split(":")[0]
        expected = "escalate" if y / n <= e else "de-escalate" if y / n >= d else "stay"
        if action != "stop":
            assert action == expected, row


def pava(values: Sequence[float], weights: Sequence[float]) -> list[float]:
    """Weighted pool-adjacent-violators: the closest non-decreasing sequence."""
    blocks: list[list[float]] = []  # [value, weight, count]
    for v, w in zip(values, weights, strict=True):
        blocks.append([v, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, c2 = blocks.pop()
            v1, w1, c1 = blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    return [b[0] for b in blocks for _ in range(int(b[2]))]


def test_dlt_table_gives_rates_isotonic_estimates_and_eliminations_by_level(built: Built,
                                                                           records: Records) -> None:
    levels = built.protocol.dose_finding.levels
    part_a = [q for q in records.registered if q.part == "part_a"]
    n = [sum(1 for q in part_a if q.p.dose_level == lv.id and dlt_evaluable(built.protocol, q)) for lv in levels]
    y = [sum(1 for q in part_a if q.p.dose_level == lv.id and dlt_evaluable(built.protocol, q)
             and any(ae.dlt for ae in q.aes)) for lv in levels]
    # Elimination (BOIN): P(p > 0.30 | Beta(1 + y, 1 + n - y)) > 0.95 with n >= 3, and every higher dose.
    eliminated = [k >= 3 and stats.beta.sf(0.30, 1 + j, 1 + k - j) > 0.95 for j, k in zip(y, n, strict=True)]
    if True in eliminated:
        eliminated[eliminated.index(True):] = [True] * (len(levels) - eliminated.index(True))
    # Isotonic estimates (R BOIN select.mtd): (y + 0.05) / (n + 0.1) over treated, admissible doses,
    # pooled by PAVA with inverse-variance weights.
    treated = [i for i in range(len(levels)) if n[i] and not eliminated[i]]
    phat = [(y[i] + 0.05) / (n[i] + 0.1) for i in treated]
    var = [(y[i] + 0.05) * (n[i] - y[i] + 0.05) / ((n[i] + 0.1) ** 2 * (n[i] + 1.1)) for i in treated]
    fitted = dict(zip(treated, pava(phat, [1 / v for v in var]), strict=True))
    rows = body(find_table(built.report, "table-dlt"))
    assert [r[0] for r in rows] == [lv.id for lv in levels]
    for i, (lv, row) in enumerate(zip(levels, rows, strict=True)):
        assert row[1] == f"{lv.doses['hipec-paclitaxel']} {lv.unit}"
        assert row[2] == str(sum(1 for q in part_a if q.p.dose_level == lv.id))
        if n[i]:
            assert_rate(row[3], y[i], n[i])
        else:
            assert row[3] == "0/0 (no participant in the population yet)"
        assert row[4] == (half_up(Fraction(fitted[i]), 3) if i in fitted else "–")
        assert row[5] == ("yes" if eliminated[i] else "no")


def test_dlt_listing_describes_every_flagged_dlt_with_its_day_after_hipec(built: Built,
                                                                          records: Records) -> None:
    order = [lv.id for lv in built.protocol.dose_finding.levels]
    position = {q.id: i for i, q in enumerate(records)}
    events = sorted(((q, ae) for q in records.safety for ae in q.aes if ae.dlt),
                    key=lambda e: (order.index(e[0].p.dose_level or ""), position[e[0].id], e[1].onset_date))
    expected = []
    for q, ae in events:
        hipec = q.day0_hipec
        day = str((ae.onset_date - hipec.date).days) if hipec is not None and hipec.given > 0 else "–"
        expected.append([q.id, q.p.dose_level or "–", ae.term, str(ae.grade), ae.onset_date.isoformat(), day,
                         "yes" if ae.serious else "no"])
    assert body(find_table(built.report, "table-dlt-events")) == expected


def test_dose_finding_callout_is_the_simulators_selection(built: Built) -> None:
    sim = built.simulated
    level = next(lv for lv in built.protocol.dose_finding.levels if lv.id == sim.rp2d)
    c = callout(built, "Dose finding")
    assert c.title == (f"Dose finding complete: dose level {sim.rp2d} ({level.doses['hipec-paclitaxel']} "
                       f"{level.unit}) selected as the recommended phase II dose")
    assert c.text == f"BOIN stopped after cohort {len(sim.cohorts)}: {sim.part_a_end}."


# -- the primary endpoint as designed ---------------------------------------------------------------


def eot_recorded(q: Person) -> dt.date | None:
    """When the end of treatment was recorded: the end_of_treatment form's eot_date, else the
    end-of-treatment visit's date."""
    for r in q.forms:
        if r.form_id == "end_of_treatment" and isinstance(r.values.get("eot_date"), dt.date):
            return r.values["eot_date"]  # type: ignore[return-value]
    return min((v.actual_date for v in q.visits if v.visit_id == "end-of-treatment" and v.actual_date),
               default=None)


def mdt(q: Person) -> tuple[str | None, dt.date | None]:
    """The first reevaluation form's MDT decision and its date (mdt_date, else reeval_date, else
    the reevaluation visit's date)."""
    for r in q.forms:
        if r.form_id == "reevaluation" and isinstance(r.values.get("mdt_decision"), str):
            for name in ("mdt_date", "reeval_date"):
                if isinstance(r.values.get(name), dt.date):
                    return str(r.values["mdt_decision"]), r.values[name]  # type: ignore[return-value]
            visit = min((v.actual_date for v in q.visits if v.visit_id == "reevaluation" and v.actual_date),
                        default=None)
            return str(r.values["mdt_decision"]), visit
    return None, None


def outcome_known(q: Person) -> tuple[dt.date | None, str] | None:
    """When the conversion-surgery (R0) outcome became known and by what (surgical.py): the
    operation's day; else the earliest of an MDT decision other than surgery, progression, death,
    off study, the recorded end of treatment, the first dose in a not-operated phase; ``None``
    while open."""
    if q.conversion is not None:
        return q.conversion.date, "conversion surgery"
    decision, decided_on = mdt(q)
    settled: list[tuple[dt.date | None, str]] = []
    if decision is not None and decision != "conversion_surgery":
        settled.append((decided_on, f"MDT decision {decision}"))
    settled += [(d, what) for d, what in ((q.progression_date, "progression"), (q.death_date, "died"),
                                          (q.p.off_study_date, "off study")) if d is not None]
    if q.p.off_treatment_date is not None:
        settled.append((eot_recorded(q), "off treatment"))
    not_operated = [d.date for d in q.doses if d.phase in ("continuation", "maintenance-not-operated")]
    if not_operated:
        settled.append((min(not_operated), "first dose in a not-operated phase"))
    dated = [(d, what) for d, what in settled if d is not None]
    if dated:
        return min(dated, key=lambda s: s[0])
    if q.p.off_treatment_date is not None:
        return q.p.off_treatment_date, "off treatment"
    return (None, settled[0][1]) if settled else None


def stage1_people(records: Records, n1: int) -> list[Person]:
    return records.in_registration_order(q for q in records.itt if q.part == "part_b")[:n1]


def test_simon_stage1_counts_r0_among_the_first_13_part_b_itt_and_dates_the_look(built: Built,
                                                                                 records: Records) -> None:
    s = built.protocol.statistics.primary
    first = stage1_people(records, s.stage1.n)
    assert len(first) == s.stage1.n
    x = sum(q.r0 for q in first)
    known = [outcome_known(q) for q in first]
    assert all(k is not None and k[0] is not None for k in known)
    look = max(k[0] for k in known if k is not None and k[0] is not None)
    decision = "continue stage 2" if x > s.stage1.r else "stop for futility"
    rule = (f"continue to stage 2 if more than {s.stage1.r} R0 resections among the first {s.stage1.n} Part B "
            "ITT participants; stop for futility otherwise")
    c = callout(built, "Simon stage 1")
    assert c.title == f"Simon stage 1: {decision}"
    assert c.text == (f"{x} R0 resections among the first {s.stage1.n} Part B ITT participants at the RP2D ({rule}); "
                      "the look "
                      f"was possible on {look.isoformat()}, when the last of their outcomes was known.")
    row = next(r for r in body(find_table(built.report, "table-primary")) if r[0].startswith("Simon stage 1"))
    # Every outcome is known at the end of the simulated trial: participants = outcomes known.
    assert row == [f"Simon stage 1: the first {s.stage1.n} Part B ITT at the RP2D", str(s.stage1.n),
                   str(s.stage1.n), str(x), "–", f"{decision}, {look.isoformat()} ({rule})"]
    # The wrong number: 20 was every Part B R0, not the stage-1 count.
    assert x != sum(q.r0 for q in records.itt if q.part == "part_b")
    assert built.simulated.simon is not None
    # The simulator's look counts the same first n1 Part B ITT participants.
    assert (x, decision) == (built.simulated.simon.responses, built.simulated.simon.action)


def test_the_simulators_look_date_is_the_outcome_rule_on_the_first_13_itt(built: Built,
                                                                          records: Records) -> None:
    # The simulator looked once the first 13 Part B ITT participants' outcomes were known (a
    # registration never given HIPEC is replaced by the next). The outcome rule on those 13
    # gives its date: an independent check of outcome_known above.
    sim = built.simulated.simon
    assert sim is not None
    registered = records.in_registration_order(q for q in records.registered if q.part == "part_b")
    assert any(not q.itt for q in registered[:sim.n1])  # seed 1: one of the first 13 had no HIPEC
    first = stage1_people(records, sim.n1)
    dates = [k[0] for q in first if (k := outcome_known(q)) is not None and k[0] is not None]
    assert len(dates) == sim.n1
    assert max(dates) == sim.look_date


def simon_final_inference(s: int, n1: int, r1: int, n: int, p0: float, level: float = 0.95
                          ) -> tuple[float, float, float, float]:
    """(UMVUE, stage-wise lower, upper, one-sided p) after a Simon trial that went to stage 2 with
    ``s`` responses in all. UMVUE: Jung & Kim (2004) eq. 3; interval and p-value by the
    stage-wise ordering (Koyama & Chen 2008), where every stage-2 outcome ranks above every
    stage-1 stop."""
    n2 = n - n1
    x1s = [x1 for x1 in range(r1 + 1, min(n1, s) + 1) if 0 <= s - x1 <= n2]
    umvue = (sum(math.comb(n1 - 1, x1 - 1) * math.comb(n2, s - x1) for x1 in x1s)
             / sum(math.comb(n1, x1) * math.comb(n2, s - x1) for x1 in x1s))

    def at_least(p: float) -> float:  # P(go to stage 2 and S >= s)
        return sum(stats.binom.pmf(x1, n1, p) * stats.binom.sf(s - x1 - 1, n2, p) for x1 in range(r1 + 1, n1 + 1))

    def at_most(p: float) -> float:  # P(stop at stage 1) + P(go to stage 2 and S <= s)
        stop = stats.binom.cdf(r1, n1, p)
        return stop + sum(stats.binom.pmf(x1, n1, p) * stats.binom.cdf(s - x1, n2, p) for x1 in range(r1 + 1, n1 + 1))

    alpha = (1 - level) / 2
    lower = optimize.brentq(lambda p: at_least(p) - alpha, 1e-9, 1 - 1e-9, xtol=1e-12)
    upper = optimize.brentq(lambda p: at_most(p) - alpha, 1e-9, 1 - 1e-9, xtol=1e-12)
    return umvue, lower, upper, at_least(p0)


def test_simon_final_analysis_counts_the_first_43_with_the_simon_adjusted_estimate(built: Built,
                                                                                   records: Records) -> None:
    s = built.protocol.statistics.primary
    first = records.in_registration_order(q for q in records.itt if q.part == "part_b")[:s.total.n]
    assert len(first) == s.total.n
    assert all(outcome_known(q) for q in first)  # the final analysis is complete
    x = sum(q.r0 for q in first)
    decision = "reject H0" if x > s.total.r else "do not reject H0"
    umvue, lower, upper, p = simon_final_inference(x, s.stage1.n, s.stage1.r, s.total.n, s.p0)
    row = next(r for r in body(find_table(built.report, "table-primary")) if r[0].startswith("Simon final"))
    assert row[:4] == [f"Simon final analysis: the first {s.total.n} Part B ITT at the RP2D", str(s.total.n),
                       str(s.total.n), str(x)]
    m = re.fullmatch(r"UMVUE (\d+\.\d) % \(95 % CI (\d+\.\d)–(\d+\.\d), stage-wise\)", row[4])
    assert m, row[4]
    assert m[1] == half_up(Fraction(100 * umvue))
    assert abs(float(m[2]) - 100 * lower) <= 0.05 + 1e-6
    assert abs(float(m[3]) - 100 * upper) <= 0.05 + 1e-6
    shown_p = "< 0.0001" if p < 0.0001 else f"= {half_up(Fraction(p), 4)}"
    assert row[5].startswith(f"{decision}; one-sided p {shown_p}; naive ")
    assert_rate(row[5].split("naive ")[1], x, s.total.n)
    c = callout(built, "Simon final analysis")
    assert c.title == f"Simon final analysis: {decision}"
    assert c.text.replace("\u00a0", " ").startswith(
        f"{x} R0 resections among {s.total.n} Part B ITT participants (")
    assert f"(UMVUE) {m[1]} %, stage-wise 95 % CI {m[2]}–{m[3]}; one-sided p {shown_p}" in c.text.replace("\u00a0", " ")


def test_primary_table_gives_the_designed_population_part_a_by_level_all_itt_and_operated(
        built: Built, records: Records) -> None:
    rp2d = built.simulated.rp2d
    rows = body(find_table(built.report, "table-primary"))
    designed = [q for q in records.itt if q.part == "part_b" and q.p.dose_level == rp2d]
    x = sum(q.r0 for q in designed)
    # Every outcome is known at the end of the simulated trial: participants = outcomes known.
    assert rows[0][:4] == [f"Part B ITT at the RP2D (level {rp2d}): the Simon design's population",
                           str(len(designed)), str(len(designed)), str(x)]
    assert_rate(rows[0][4], x, len(designed))
    checks = [(f"Part A ITT, dose level {lv.id} ({lv.doses['hipec-paclitaxel']} {lv.unit})",
               [q for q in records.itt if q.part == "part_a" and q.p.dose_level == lv.id])
              for lv in built.protocol.dose_finding.levels]
    checks += [("All ITT participants (secondary)", records.itt),
               ("Operated (secondary)", [q for q in records.registered if q.conversion is not None])]
    for label, people in checks:
        row = next(r for r in rows if r[0] == label)
        x = sum(q.r0 for q in people)
        assert row[1:4] == [str(len(people)), str(len(people)), str(x)], label
        if people:
            assert_rate(row[4], x, len(people))
        else:
            assert row[4] == "0/0 (no participant in the population yet)"
    assert len(rows) == 3 + len(checks)


def test_r0_listings_say_yes_exactly_for_the_r0_resections_and_why(built: Built, records: Records) -> None:
    mdt_labels = codelist(built.protocol, "mdt-decision")
    for listing_id, people in (
            ("records-r0-resection-itt", records.itt),
            ("records-r0-resection-part-b-itt-rp2d",
             [q for q in records.itt if q.part == "part_b" and q.p.dose_level == built.simulated.rp2d])):
        table = find_table(built.report, listing_id)
        rows = body(table)
        assert [r[0] for r in rows] == [q.id for q in people]
        assert table.caption.endswith(f": {sum(q.r0 for q in people)} of {len(people)}")
        for q, row in zip(people, rows, strict=True):
            assert row[1] == ("yes" if q.r0 else "no"), q.id
            if q.conversion is not None:
                assert row[2].startswith(f"conversion surgery {q.conversion.date.isoformat()}: "), row
                r_status = q.conversion.r_status.value if q.conversion.r_status else ""
                assert row[2].endswith("R0, CC-0, CY0" if q.r0 else ""), row
                assert q.r0 or r_status != "R0" or "R0 recorded but" in row[2]
            else:
                known = outcome_known(q)
                assert known is not None
                assert known[0] is not None
                by = known[1]
                if by.startswith("MDT decision "):
                    by = f"MDT decision: {mdt_labels[by.removeprefix('MDT decision ')]}"
                assert row[2] == f"not operated: {by}, {known[0].isoformat()}", row


# -- secondary endpoints -------------------------------------------------------------------------------


def second_look(q: Person):  # type: ignore[no-untyped-def]
    """The re-evaluation laparoscopy: after day 0, not after any conversion surgery; the one on
    the reevaluation visit's date, else the first."""
    day0 = q.day0_hipec.date if q.day0_hipec is not None else None
    later = sorted((a for a in q.tas if a.method.value == "laparoscopy" and day0 is not None and a.date > day0
                    and (q.conversion is None or a.date <= q.conversion.date)), key=lambda a: a.date)
    reeval = {v.actual_date for v in q.visits if v.visit_id == "reevaluation"}
    return next((a for a in later if a.date in reeval), later[0] if later else None)


def quantile7(values: Sequence[float], p: float) -> float:
    # R quantile(type = 7): linear interpolation between order statistics.
    s = sorted(values)
    h = (len(s) - 1) * p
    lo = math.floor(h)
    return s[lo] + (h - lo) * (s[min(lo + 1, len(s) - 1)] - s[lo])


def test_secondary_surgical_and_peritoneal_endpoints_recompute(built: Built, records: Records) -> None:
    rows = {(r[0], r[1]): r[2] for r in body(find_table(built.report, "table-endpoints"))}
    itt = records.itt
    operated = [q for q in records.registered if q.conversion is not None]
    assert_rate(rows[("Conversion surgery rate", "ITT")], sum(q.conversion is not None for q in itt), len(itt))
    # Cytology conversion: CY1 at the day-0 laparoscopy, CY0 at the second look.
    cy1 = [q for q in itt if q.first_look is not None and q.first_look.cytology is not None
           and q.first_look.cytology.value == "CY1"]
    converted = sum(1 for q in cy1 if (s := second_look(q)) is not None and s.cytology is not None
                    and s.cytology.value == "CY0")
    assert_rate(rows[("Cytology conversion rate (CY1 to CY0)", "CY1 at baseline")], converted, len(cy1))
    # pCR: Pathology.pcr is true.
    pcr = sum(1 for q in operated if q.conversion and q.conversion.pathology and q.conversion.pathology.pcr is True)
    assert_rate(rows[("Pathological complete response rate", "Operated")], pcr, len(operated))
    assert_rate(rows[("Pathological complete response rate", "ITT")], pcr, len(itt))
    # TRG: Becker grade of the conversion-surgery pathology, "missing" otherwise.
    grades = [q.conversion.pathology.regression_grade if q.conversion and q.conversion.pathology
              and q.conversion.pathology.regression_grade else "missing" for q in operated]
    assert rows[("Tumour regression grade (Becker)", "Operated")] == (
        "; ".join(f"{g}: {grades.count(g)}" for g in ("1a", "1b", "2", "3", "missing")) + f" (n = {len(operated)})")
    # PCI change: second look minus first look, over ITT participants with both.
    changes = []
    for q in itt:
        first, second = q.first_look, second_look(q)
        if first and second and None not in first.pci and None not in second.pci:
            changes.append(sum(second.pci) - sum(first.pci))  # type: ignore[arg-type]
    mean = Fraction(sum(changes), len(changes))
    sd = math.sqrt(sum((c - mean) ** 2 for c in changes) / (len(changes) - 1))

    def one(v: float | Fraction) -> str:
        return half_up(Fraction(v), 1)

    assert rows[("Change in PCI from first to second look", "ITT")] == (
        f"median {one(quantile7(changes, 0.5))} (IQR {one(quantile7(changes, 0.25))} to "
        f"{one(quantile7(changes, 0.75))}); mean {one(mean)} (SD {one(sd)}); n = {len(changes)}")


# -- overall survival ----------------------------------------------------------------------------------


def test_overall_survival_from_registration_recomputes_with_lifelines(built: Built, records: Records) -> None:
    durations, events = [], []
    for q in records.itt:
        start = q.p.registration_date
        assert start is not None
        if q.death_date is not None:
            durations.append((q.death_date - start).days)
            events.append(True)
        else:
            durations.append(((q.last_known_alive or start) - start).days)
            events.append(False)
    assert_survival_row(built, "Overall survival", durations, events)
    value, detail = metric(built, "Median overall survival")
    row = next(r for r in body(find_table(built.report, "table-survival")) if r[0] == "Overall survival")
    # row[2] reads "590 days (19.4 months); 95 % CI …": the tile shows the months as its value and
    # the days, interval and events as its detail.
    days_text, months_text = row[2].split(" (")[0], row[2].split("(")[1].split(")")[0]
    assert value == months_text
    assert detail == f"{days_text}; {row[2].split('); ')[1]}; {sum(events)} events among {len(events)}"


def test_survival_table_has_one_row_per_time_to_event_endpoint(built: Built) -> None:
    rows = body(find_table(built.report, "table-survival"))
    assert [r[0] for r in rows] == ["Progression-free survival", "Overall survival"]
    assert len({tuple(r) for r in rows}) == len(rows)


def test_count_of_rounds_half_up() -> None:
    # One oracle helper the whole suite leans on: 1/8 = 12.5 % exactly; 1/16 = 6.25 % -> "6.3".
    assert count_of(1, 8) == "1 (12.5 %)"
    assert count_of(1, 16) == "1 (6.3 %)"
    assert count_of(3, 0) == "3"
