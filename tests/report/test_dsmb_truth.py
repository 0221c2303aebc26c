"""Every number of the DSMB report's summary headline, accrual, participant flow, populations
and baseline, recomputed from the seed-1 trial's records.

Each test is an oracle: a few lines that read ``trial.participants``, ``trial.doses``, … by the
rule the report states (the analysis modules' docstrings, docs/trialdata-conventions.md,
shared/reference/protocol-decisions.md) and compare with the report's cells as a reader sees
them. ``hipectrial.analysis`` is never called for an expected value; where the simulator
recorded a decision (``SimulatedTrial.summary()``), that independent record is compared too.
Safety, deaths, design and efficacy, conduct and the 1,000-participant trial have their own
modules (``test_dsmb_truth_*.py``); the shared oracle material is in :mod:`.truth`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from hipectrial.clinical import evaluate_eligibility
from hipectrial.report.document import Callout, MetricGrid, Paragraph

from .truth import (
    Built,
    Person,
    Records,
    assert_rate,
    body,
    by_first_cell,
    codelist,
    count_of,
    dlt_evaluable,
    find_listing,
    find_table,
    groups,
    header,
    median_range,
)


def metrics(built: Built) -> dict[str, tuple[str, str]]:
    """The summary's tiles: label -> (value, detail), no-break spaces as spaces."""
    grid = next(b for b in built.report.sections[0].blocks if isinstance(b, MetricGrid))
    return {m.label: (m.value.replace("\u00a0", " "), (m.detail or "").replace("\u00a0", " "))
            for m in grid.metrics}


def test_nothing_is_dated_after_the_cutoff(built: Built) -> None:
    # The oracles below read every record: that is right only because the data hold nothing
    # after the cut-off (conventions: "nothing is dated after it").
    cutoff = built.trial.generated_at.date()
    assert built.analysis.cutoff == cutoff
    t = built.trial
    dates = [v.actual_date for v in t.visits if v.actual_date] + [d.date for d in t.doses]
    dates += [a.onset_date for a in t.adverse_events] + [a.date for a in t.tumour_assessments]
    dates += [s.date for s in t.surgeries] + [f.date for f in t.follow_ups]
    dates += [p.registration_date for p in t.participants if p.registration_date]
    assert max(dates) <= cutoff


# -- summary: registration ----------------------------------------------------------------------


def test_registered_tile_counts_registered_by_part_and_everyone_screened(built: Built, records: Records) -> None:
    registered = records.registered
    part_a = sum(1 for q in registered if q.part == "part_a")
    part_b = sum(1 for q in registered if q.part == "part_b")
    value, detail = metrics(built)["Registered"]
    assert value == str(len(registered))
    assert detail == f"Part A {part_a} · Part B {part_b} · screened {len(built.trial.participants)}"
    # The simulator's own record of what it did.
    summary = built.simulated.summary()
    assert (summary["registered"], summary["screened"]) == (len(registered), len(built.trial.participants))
    by_part = summary["registered_by_part_and_level"]
    assert isinstance(by_part, dict)
    assert sum(n for k, n in by_part.items() if k.startswith("part_a")) == part_a
    assert sum(n for k, n in by_part.items() if k.startswith("part_b")) == part_b


def test_summary_names_the_data_cutoff_the_protocol_and_the_simulation(built: Built) -> None:
    intro = next(b for b in built.report.sections[0].blocks if isinstance(b, Paragraph)).text
    t = built.trial
    assert f"Data cut-off {t.generated_at.date().isoformat()}." in intro
    assert f"Protocol {t.protocol_id} version {t.protocol_version}." in intro
    assert t.source is not None
    assert f"Data: {t.source.description}." in intro
    assert built.report.data_notice is not None
    assert "SIMULATED" in built.report.data_notice


def test_summary_tiles_and_callouts_read_in_the_html_as_checked_here(built: Built) -> None:
    # The numbers of the summary are checked on the document model (here and in the other truth
    # modules); a reader sees them in the rendered HTML, word for word.
    def words(text: str) -> str:
        return " ".join(text.replace("\u00a0", " ").split())

    seen = words(built.html_text)
    blocks = built.report.sections[0].blocks
    grid = next(b for b in blocks if isinstance(b, MetricGrid))
    for m in grid.metrics:
        assert words(f"{m.label} {m.value} {m.detail or ''}") in seen, m.label
    for c in (b for b in blocks if isinstance(b, Callout)):
        assert words(c.title) in seen, c.title
        assert words(c.text) in seen, c.title


# -- summary: the R0 tiles (the primary endpoint's own table is in test_dsmb_truth_efficacy) -------


def test_primary_tile_is_r0_among_part_b_itt_at_the_rp2d_with_its_exact_interval(
        built: Built, records: Records) -> None:
    rp2d = built.simulated.rp2d  # the simulator's own BOIN run selected it
    assert rp2d is not None
    designed = [q for q in records.itt if q.part == "part_b" and q.p.dose_level == rp2d]
    x = sum(q.r0 for q in designed)
    value, detail = metrics(built)[f"Primary: R0 resection, Part B at the RP2D (level {rp2d})"]
    interval, *rest = detail.split("; ")
    assert interval.startswith("exact ")
    assert_rate(f"{value} ({interval.removeprefix('exact ')})", x, len(designed))
    # Every outcome is known at the end of the simulated trial; more than n were registered at
    # the RP2D, and the Simon final analysis counts the first n (protocol: n = 43).
    n = built.protocol.statistics.primary.total.n
    assert len(designed) > n == 43
    assert rest == [f"the Simon final analysis counts the first {n}"]


@pytest.mark.parametrize(("label", "counted"), [
    ("R0 resection, all ITT (secondary)", lambda q: q.r0),
    ("Conversion surgery (ITT)", lambda q: q.conversion is not None),
])
def test_itt_rate_tiles_count_the_itt_participants(built: Built, records: Records, label: str,
                                                   counted: object) -> None:
    itt = records.itt
    x = sum(1 for q in itt if counted(q))  # type: ignore[operator]
    value, detail = metrics(built)[label]
    assert_rate(f"{value} ({detail.removeprefix('exact ')})", x, len(itt))


def test_r0_count_is_the_simulators(built: Built, records: Records) -> None:
    # The simulator counts R0 resections from its own course records (independent code).
    assert sum(q.r0 for q in records.registered) == built.simulated.summary()["r0_resections"]


# -- accrual ----------------------------------------------------------------------------------------


def test_accrual_by_site_counts_consents_and_registrations_with_their_dates(built: Built,
                                                                              records: Records) -> None:
    rows = body(find_table(built.report, "table-accrual-site"))
    expected = []
    for site in built.trial.sites:
        people = [q for q in records if q.p.site_id == site.id]
        regs = sorted(q.p.registration_date for q in people if q.p.registration_date)
        expected.append([site.id, site.name, site.activation_date.isoformat() if site.activation_date else "–",
                         str(len(people)), str(len(regs)), regs[0].isoformat() if regs else "–",
                         regs[-1].isoformat() if regs else "–"])
    expected.append(["Total", "", "", str(len(built.trial.participants)), str(len(records.registered)), "", ""])
    assert rows == expected


def _month(d: dt.date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def test_accrual_by_month_shows_every_month_from_first_activation_to_cutoff_zeros_included(
        built: Built, records: Records) -> None:
    t = built.trial
    first = min([s.activation_date for s in t.sites if s.activation_date]
                + [p.consent_date for p in t.participants])
    cutoff = t.generated_at.date()
    months = []
    y, m = first.year, first.month
    while (y, m) <= (cutoff.year, cutoff.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    screened = Counter(_month(p.consent_date) for p in t.participants)
    registered = Counter((_month(q.p.registration_date), q.p.site_id) for q in records.registered
                         if q.p.registration_date)
    site_ids = [s.id for s in t.sites]
    table = find_table(built.report, "table-accrual-month")
    assert header(table) == ["Month", "Screened", "Registered", *site_ids, "Cumulative registered"]
    expected, cumulative = [], 0
    for month in months:
        per_site = [registered[(month, s)] for s in site_ids]
        cumulative += sum(per_site)
        expected.append([month, str(screened[month]), str(sum(per_site)), *map(str, per_site), str(cumulative)])
    assert body(table) == expected
    # A pause shows as a row of zeros: the seed-1 trial has months without anyone.
    assert any(r[1:3] == ["0", "0"] for r in expected[:-1])


# -- participant flow ---------------------------------------------------------------------------------


def _reevaluated(q: Person) -> bool:
    # Re-evaluated: a ``reevaluation`` visit took place, or a second-look laparoscopy was done
    # (a laparoscopy after day 0, before or on the day of any conversion surgery).
    if any(v.visit_id == "reevaluation" and v.actual_date for v in q.visits):
        return True
    day0, surgery = q.day0_date, q.conversion
    return day0 is not None and any(
        a.method.value == "laparoscopy" and a.date > day0 and (surgery is None or a.date <= surgery.date)
        for a in q.tas)


def test_consort_steps_by_group_follow_registration_hipec_reevaluation_surgery_r0(built: Built,
                                                                                   records: Records) -> None:
    gs = groups(built.protocol, records)
    table = find_table(built.report, "table-consort-groups")
    assert header(table) == ["Step", *(g.label for g in gs)]
    steps = {
        "registered": lambda q: True,
        "received HIPEC (ITT)": lambda q: q.received_hipec,
        "re-evaluated": lambda q: q.received_hipec and (_reevaluated(q) or q.conversion is not None),
        "conversion surgery": lambda q: q.received_hipec and q.conversion is not None,
        "R0 resection": lambda q: q.received_hipec and q.r0,
    }
    expected = [[step, *(str(sum(1 for q in g.members if rule(q))) for g in gs)] for step, rule in steps.items()]
    assert body(table) == expected


def _labels(built: Built, codelist_id: str) -> dict[str, str]:
    return codelist(built.protocol, codelist_id)


def test_treatment_status_by_group_is_read_from_doses_deaths_and_end_of_treatment(built: Built,
                                                                                  records: Records) -> None:
    eot = _labels(built, "eot-reason")

    def status(q: Person) -> str:
        if not q.treated:
            return "never treated"
        if q.p.off_treatment_date is None:
            return "died without an end-of-treatment record" if q.death_date else "on treatment"
        return f"off treatment: {eot[q.p.off_treatment_reason or '']}"

    _assert_status_table(built, records, "table-treatment-status", status)


def test_follow_up_status_by_group_is_dead_off_study_or_in_follow_up(built: Built, records: Records) -> None:
    eos = _labels(built, "eos-reason")

    def status(q: Person) -> str:
        if q.death_date is not None:
            return "dead"
        return f"off study: {eos[q.p.off_study_reason]}" if q.p.off_study_reason else "in follow-up"

    _assert_status_table(built, records, "table-follow-up-status", status)


def _assert_status_table(built: Built, records: Records, table_id: str, status: object) -> None:
    gs = groups(built.protocol, records)
    table = find_table(built.report, table_id)
    assert header(table) == ["Status", *(f"{g.label} (n = {len(g.members)})" for g in gs)]
    shown = by_first_cell(table)
    counts = [Counter(status(q) for q in g.members) for g in gs]  # type: ignore[operator]
    # Every category someone is in is shown, with the right count in every group ...
    for category in counts[-1]:
        assert shown[category] == [count_of(c[category], len(g.members)) for c, g in zip(counts, gs, strict=True)]
    # ... and any other row shown is empty.
    for category, cells in shown.items():
        if category not in counts[-1]:
            assert cells == [count_of(0, len(g.members)) for g in gs], category


# -- screening --------------------------------------------------------------------------------------


def _eligibility_inputs(q: Person) -> tuple[dict[str, object], dt.date | None]:
    # docs/trialdata-conventions.md "Eligibility inputs": the forms at ``screening`` and
    # ``screening-cardiac`` and the staging laparoscopy form (``lap_context`` diagnostic) at an
    # ``unscheduled`` visit before registration (dated by its ``lap_date``); as_of is the
    # latest of their dates.
    values: dict[str, object] = {}
    dates: list[dt.date] = []
    visit_dates = {(v.visit_id, v.repeat): v.actual_date for v in q.visits if v.actual_date}
    for r in q.forms:
        when = visit_dates.get((r.visit_id, r.visit_repeat))
        if r.form_id == "laparoscopy" and r.visit_id == "unscheduled" and r.values.get("lap_context") == "diagnostic":
            lap_date = r.values.get("lap_date")
            when = lap_date if isinstance(lap_date, dt.date) else when
            if q.p.registration_date is not None and when is not None and when > q.p.registration_date:
                continue
        elif r.visit_id not in ("screening", "screening-cardiac"):
            continue
        values.update(r.values)
        if when is not None:
            dates.append(when)
    return values, max(dates, default=None)


def test_screening_failures_count_people_and_criteria_from_the_screening_forms(built: Built,
                                                                                records: Records) -> None:
    # Exception to "never call the code under test": the eligibility verdict of one person is
    # the clinical engine's (hipectrial.clinical.evaluate_eligibility, validated in
    # tests/clinical); who is screened, which records are its inputs and the counting are here.
    # A screen failure is a person never registered whose off-study reason is screen_failure
    # (the CONSORT figure's "not eligible"); the table counts the criteria those recomputed as
    # ineligible failed; registered participants recomputed as not eligible are in its note.
    failed: Counter[str] = Counter()
    people = other = registered_not_eligible = 0
    screening_listing = []
    for q in records:
        values, as_of = _eligibility_inputs(q)
        assert values, q.id
        assert as_of is not None, q.id
        status = evaluate_eligibility(protocol=built.protocol, values=values, as_of=as_of)
        verdict = status.status.value
        registered = q.p.registration_date is not None
        if verdict != "eligible":
            screening_listing.append([q.id, "yes" if registered else "no", verdict.replace("_", " ")])
            registered_not_eligible += registered
        if registered or q.p.off_study_reason != "screen_failure":
            continue
        if verdict == "ineligible":
            people += 1
            failed.update(status.failed)
        else:
            other += 1
    table = find_table(built.report, "table-screening-failures")
    assert f": {people} people not eligible" in table.caption
    # The simulator's own record: screen failures are written with off-study reason screen_failure.
    assert people + other == built.simulated.summary()["screen_failures"]
    expected = [[f"{c.id}: {c.text.en}", str(c.kind.value if hasattr(c.kind, "value") else c.kind),
                 str(failed[c.id])] for c in built.protocol.eligibility if failed[c.id]]
    assert body(table) == expected
    note = table.note or ""
    assert ("Screen failures whose recomputed verdict" in note) is (other > 0)
    assert (f"Registered participants recomputed as not eligible from the screening forms: "
            f"{registered_not_eligible}" in note) is (registered_not_eligible > 0)
    # The CONSORT figure's first step loses the same people, and the listing holds every person
    # whose verdict is not eligible, registered or not.
    assert sum(r.count for r in built.analysis.consort[0].not_continuing) == people + other
    listing = body(find_listing(built.report, "screening").table)
    assert [row[:3] for row in listing] == screening_listing


# -- populations -------------------------------------------------------------------------------------


def test_population_sizes_follow_their_rules(built: Built, records: Records) -> None:
    shown = {row[0]: int(row[1]) for row in body(find_table(built.report, "table-populations"))}
    reg = records.registered
    assert shown["ITT"] == sum(q.itt for q in reg)
    assert shown["Safety"] == sum(q.treated for q in reg)
    assert shown["Operated"] == sum(q.conversion is not None for q in reg)
    assert shown["CY1 at baseline"] == sum(
        1 for q in records.itt if (look := q.first_look) is not None and look.cytology is not None
        and look.cytology.value == "CY1")
    assert shown["Part A"] == sum(q.part == "part_a" for q in reg)
    assert shown["Part B"] == sum(q.part == "part_b" for q in reg)
    assert shown["DLT-evaluable"] == sum(dlt_evaluable(built.protocol, q) for q in reg if q.part == "part_a")
    # Per protocol: ITT, recomputed eligibility not "ineligible" (the clinical engine's verdict,
    # as in the screening test), day-0 HIPEC dose within the protocol's tolerance (5 %) of the
    # dose prescribed.
    tolerance = built.protocol.dose_calculation.dose_tolerance_percent

    def per_protocol(q: Person) -> bool:
        values, as_of = _eligibility_inputs(q)
        verdict = evaluate_eligibility(protocol=built.protocol, values=values, as_of=as_of).status.value
        d = q.day0_hipec
        return (verdict != "ineligible" and d is not None and bool(d.prescribed)
                and abs(d.given - d.prescribed) * 100 <= tolerance * d.prescribed)  # type: ignore[operator]

    assert shown["Per protocol"] == sum(per_protocol(q) for q in records.itt)


# -- baseline ----------------------------------------------------------------------------------------


def _age(q: Person) -> int:
    born, on = q.p.birth_date, q.p.consent_date
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def test_baseline_by_part_is_read_from_the_screening_forms_and_the_day0_laparoscopy(built: Built,
                                                                                    records: Records) -> None:
    itt = records.itt
    columns = [("Part A", [q for q in itt if q.part == "part_a"]),
               ("Part B", [q for q in itt if q.part == "part_b"]), ("All (ITT)", itt)]
    table = find_table(built.report, "table-baseline")
    assert header(table)[2:] == [f"{name} (n = {len(qs)})" for name, qs in columns]

    def diagnosis(field: str) -> object:
        return lambda q: (q.form("diagnosis", "screening") or {}).get(field)

    def ecog(q: Person) -> object:
        return (q.form("ecog_assessment", "screening") or {}).get("ecog")

    def pci(q: Person) -> int | None:
        look = q.first_look
        return None if look is None or None in look.pci else sum(look.pci)  # type: ignore[arg-type]

    def cytology(q: Person) -> str | None:
        look = q.first_look
        return look.cytology.value if look is not None and look.cytology is not None else None

    cohorts = {c.id: c.label.en for c in built.protocol.cohorts}
    categorical = [
        ("Sex", lambda q: q.p.sex.value, _labels(built, "sex")),
        ("ECOG performance status", ecog, _labels(built, "ecog")),
        ("HER2 status (cohort)", lambda q: q.p.cohort, cohorts),
        ("Primary site", diagnosis("primary_site"), _labels(built, "primary-site")),
        ("Histology", diagnosis("histology"), _labels(built, "histology")),
        ("Lauren type", diagnosis("lauren_type"), _labels(built, "lauren")),
        ("Peritoneal cytology at day 0", cytology, _labels(built, "cytology")),
        ("Site", lambda q: q.p.site_id, {s.id: s.id for s in built.trial.sites}),
    ]
    expected: list[list[str]] = [
        ["Age (years)", "median (range)", *(median_range([_age(q) for q in qs]) for _, qs in columns)]]
    for name, value, labels in categorical:
        expected.append([name, "", "", "", ""])
        values = [[value(q) for q in qs] for _, qs in columns]  # type: ignore[operator]
        for code, label in labels.items():
            if any(code in vs for vs in values):
                expected.append(["", label, *(count_of(vs.count(code), len(vs)) for vs in values)])
        if any(None in vs for vs in values):
            expected.append(["", "missing", *(str(vs.count(None)) for vs in values)])
        if name == "Lauren type":
            pcis = [[pci(q) for q in qs] for _, qs in columns]
            expected.append(["PCI at the day-0 laparoscopy", "median (range)",
                             *(median_range([v for v in vs if v is not None]) for vs in pcis)])
    shown = body(table)
    assert sorted(map(tuple, shown)) == sorted(map(tuple, expected))  # the same rows ...
    assert [r for r in shown if r[0]] == [r for r in expected if r[0]]  # ... variables in the same order
