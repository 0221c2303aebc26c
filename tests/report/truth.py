"""What the DSMB truth tests share: the seed-1 trial and its report, the report's cells as
text, and a small index of the records with the facts every oracle reads.

The oracles in ``test_dsmb_truth*.py`` recompute each number the report shows from the
``TrialData`` records and the rules written in the analysis modules' docstrings,
docs/trialdata-conventions.md and shared/reference/protocol-decisions.md. Nothing here calls
``hipectrial.analysis``: the facts below are read from the records as the conventions put
them, in a few lines each, so that a reader can check them against the rule by eye.

The seed-1 trial, its analysis, its report and the report's HTML are built once per test
process (:func:`seed1`, ~8 s) and shared by every truth module; so are the oracles more than
one module needs (DLT-evaluability, last date known alive, the Kaplan-Meier row of the
survival table with lifelines).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from html.parser import HTMLParser

from lifelines import KaplanMeierFitter
from scipy import stats

from hipectrial.analysis.trial_analysis import TrialAnalysis, analyze_trial
from hipectrial.data import (
    AdverseEvent,
    DoseAdministration,
    FollowUp,
    FormRecord,
    LabResult,
    Participant,
    Surgery,
    TrialData,
    TumourAssessment,
    Visit,
)
from hipectrial.protocol import Protocol, load_protocol
from hipectrial.report.document import Callout, Listing, MetricGrid, Report, Table, cell_text, walk
from hipectrial.report.dsmb import dsmb_report
from hipectrial.report.html import render_html
from hipectrial.simulate import load_scenario, simulate_trial
from hipectrial.simulate.trial.result import SimulatedTrial

NBSP = "\u00a0"
GENERATED_AT = dt.datetime(2029, 10, 5, 14, 30, tzinfo=dt.UTC)

# Codes of the seed protocol's code lists and ids (docs/trialdata-conventions.md).
HIPEC_AGENT = "hipec-paclitaxel"
DAY0_OPERATION = "diagnostic_laparoscopy_hipec"
CONVERSION = "conversion_surgery_hipec"
RELATED = ("possible", "probable", "definite")  # NCI CTEP attribution: "at least possibly related"
CLAVIEN_DINDO = ("I", "II", "IIIa", "IIIb", "IVa", "IVb", "V")
PARTS = (("part_a", "Part A"), ("part_b", "Part B"))


# -- the seed-1 trial and its report ----------------------------------------------------------


@dataclass(frozen=True)
class Built:
    protocol: Protocol
    simulated: SimulatedTrial
    trial: TrialData
    analysis: TrialAnalysis
    report: Report
    html: str          # the rendered document
    html_text: str     # what a reader sees of it: text nodes only, NBSP as a space


@functools.cache
def seed1() -> Built:
    """The seed-1 simulated trial (scenario ``default``) and its DSMB report, built once."""
    protocol = load_protocol()
    simulated = simulate_trial(protocol, load_scenario("default"), seed=1)
    trial = simulated.trial
    analysis = analyze_trial(trial=trial, protocol=protocol)
    report = dsmb_report(trial=trial, protocol=protocol, analysis=analysis, generated_at=GENERATED_AT)
    html = render_html(report=report)
    return Built(protocol, simulated, trial, analysis, report, html, visible_text(html))


class _TextOnly(HTMLParser):
    """Collects the text nodes of an HTML document: what a reader sees. Tags, attributes (ids,
    links, CSV file names in ``href``) and the contents of ``<style>`` and ``<script>`` are left
    out, and so is every element whose ``id`` is in ``skip``."""

    def __init__(self, skip: frozenset[str] = frozenset()) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = skip
        self._hidden: list[str] = []  # the tags opened while hidden, to find where hiding ends

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        hiding = self._hidden or tag in ("style", "script") or dict(attrs).get("id") in self.skip
        if hiding and tag not in VOID_TAGS:
            self._hidden.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._hidden and self._hidden[-1] == tag:
            self._hidden.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                       "track", "wbr"})


def visible_text(html: str, skip: frozenset[str] = frozenset()) -> str:
    """The text a reader sees (no-break spaces as spaces), leaving out the elements with an id
    in ``skip``."""
    parser = _TextOnly(skip)
    parser.feed(html)
    return " ".join(parser.parts).replace(NBSP, " ")


# -- the report's tables as text ----------------------------------------------------------------


def tables(report: Report) -> Iterator[Table]:
    """Every table of the report (a listing's table too), body then appendix."""
    for prefix in ("sections", "appendix"):
        for _path, _depth, section in walk(prefix, getattr(report, prefix)):
            for block in section.blocks:
                if isinstance(block, Listing):
                    yield block.table
                elif isinstance(block, Table):
                    yield block


def find_table(report: Report, table_id: str) -> Table:
    found = [t for t in tables(report) if t.id == table_id]
    assert len(found) == 1, f"{len(found)} tables with id {table_id!r}"
    return found[0]


def find_listing(report: Report, name: str) -> Listing:
    found = []
    for prefix in ("sections", "appendix"):
        for _path, _depth, section in walk(prefix, getattr(report, prefix)):
            found += [b for b in section.blocks if isinstance(b, Listing) and b.name == name]
    assert len(found) == 1, f"{len(found)} listings named {name!r}"
    return found[0]


def text(value: object) -> str:
    return cell_text(value).replace(NBSP, " ")  # type: ignore[arg-type]


def header(table: Table) -> list[str]:
    return [c.name.replace(NBSP, " ") for c in table.columns]


def body(table: Table) -> list[list[str]]:
    """The table's cells as a reader sees them (no-break spaces as spaces)."""
    return [[text(c) for c in row] for row in table.rows]


def by_first_cell(table: Table) -> dict[str, list[str]]:
    rows = body(table)
    keys = [r[0] for r in rows]
    assert len(keys) == len(set(keys)), f"repeated first cells in {table.id}: {keys}"
    return {r[0]: r[1:] for r in rows}


# -- numbers as the report writes them (re-derived here, not imported) -------------------------


def half_up(value: Fraction | int, digits: int = 1) -> str:
    """``value`` rounded half up (away from zero) to ``digits`` decimals, computed exactly."""
    value = Fraction(value)
    scale = 10 ** digits
    sign = -1 if value < 0 else 1
    units = (abs(value) * scale + Fraction(1, 2)).__floor__()
    whole, frac = divmod(units, scale)
    body_ = f"{whole}.{frac:0{digits}d}" if digits else f"{whole}"
    return ("−" if sign < 0 and units else "") + body_


def count_of(k: int, n: int) -> str:
    """``"12 (19.4 %)"``: a count and its percentage of ``n`` (exact, half up); the count alone
    when ``n`` is 0."""
    return f"{k} ({half_up(Fraction(100 * k, n))} %)" if n else str(k)


def clopper_pearson(x: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) limits from the beta quantiles, straight from scipy.
    R: binom.test(x, n)$conf.int gives the same."""
    alpha = 1 - level
    lower = 0.0 if x == 0 else float(stats.beta.ppf(alpha / 2, x, n - x + 1))
    upper = 1.0 if x == n else float(stats.beta.ppf(1 - alpha / 2, x + 1, n - x))
    return lower, upper


RATE = re.compile(r"^(\d+)/(\d+) = (\d+\.\d) % \(95 % CI (\d+\.\d)–(\d+\.\d)\)$")


def assert_rate(shown: str, x: int, n: int) -> None:
    """``shown`` is ``"x/n = p % (95 % CI lo–hi)"`` with the exact interval of x/n: the
    counts and p exactly, each limit within rounding (0.05 percentage points)."""
    m = RATE.match(shown.replace(NBSP, " ").strip())
    assert m, f"not a rate with its interval: {shown!r}"
    assert (int(m[1]), int(m[2])) == (x, n), f"{shown!r}: expected {x}/{n}"
    assert m[3] == half_up(Fraction(100 * x, n)), f"{shown!r}: expected {half_up(Fraction(100 * x, n))} %"
    lower, upper = clopper_pearson(x, n)
    assert abs(float(m[4]) - 100 * lower) <= 0.05 + 1e-9, f"{shown!r}: lower limit {100 * lower:.4f}"
    assert abs(float(m[5]) - 100 * upper) <= 0.05 + 1e-9, f"{shown!r}: upper limit {100 * upper:.4f}"


def median_range(values: Sequence[float], digits: int = 0) -> str:
    """``"57 (33–74)"``: the median (mean of the middle two for an even count) and the range,
    rounded half up; ``"–"`` when there is no value."""
    if not values:
        return "–"
    s = sorted(Fraction(v) for v in values)
    k = len(s)
    median = s[k // 2] if k % 2 else (s[k // 2 - 1] + s[k // 2]) / 2
    return f"{half_up(median, digits)} ({half_up(s[0], digits)}–{half_up(s[-1], digits)})"


# -- the records, by participant ------------------------------------------------------------------


@dataclass
class Person:
    """One participant's records and the facts the conventions define, each read from its one
    place (docs/trialdata-conventions.md)."""

    p: Participant
    visits: list[Visit] = field(default_factory=list)
    forms: list[FormRecord] = field(default_factory=list)
    doses: list[DoseAdministration] = field(default_factory=list)
    aes: list[AdverseEvent] = field(default_factory=list)
    labs: list[LabResult] = field(default_factory=list)
    tas: list[TumourAssessment] = field(default_factory=list)
    surgeries: list[Surgery] = field(default_factory=list)
    fus: list[FollowUp] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.p.id

    @property
    def registered(self) -> bool:
        return self.p.registration_date is not None

    @property
    def part(self) -> str | None:
        """``study_part`` of the ``registration`` form."""
        for r in self.forms:
            if r.form_id == "registration" and isinstance(r.values.get("study_part"), str):
                return str(r.values["study_part"])
        return None

    @property
    def day0_hipec(self) -> DoseAdministration | None:
        """The first HIPEC session: the earliest ``hipec-paclitaxel`` dose outside the cycles."""
        sessions = [d for d in self.doses if d.agent == HIPEC_AGENT and d.cycle is None]
        return min(sessions, key=lambda d: d.date) if sessions else None

    @property
    def received_hipec(self) -> bool:
        d = self.day0_hipec
        return d is not None and d.given > 0

    @property
    def itt(self) -> bool:
        return self.registered and self.received_hipec

    @property
    def treated(self) -> bool:
        return any(d.given > 0 for d in self.doses)

    @property
    def safety(self) -> bool:
        return self.registered and self.treated

    @property
    def last_dose(self) -> dt.date | None:
        return max((d.date for d in self.doses if d.given > 0), default=None)

    @property
    def death_date(self) -> dt.date | None:
        return min((f.death_date for f in self.fus if f.death_date is not None), default=None)

    @property
    def cause_of_death(self) -> str | None:
        for f in sorted(self.fus, key=lambda u: u.date):
            if f.death_date is not None and f.cause_of_death is not None:
                return f.cause_of_death
        return None

    @property
    def progression_date(self) -> dt.date | None:
        return min((f.progression_date for f in self.fus if f.progression_date is not None), default=None)

    @property
    def last_known_alive(self) -> dt.date | None:
        """The latest date of a record about the living participant (conventions): visits,
        doses, labs, assessments, operations, follow-up contacts alive, registration; before any
        death."""
        dates = [v.actual_date for v in self.visits if v.actual_date] + [d.date for d in self.doses]
        dates += [lab.date for lab in self.labs] + [a.date for a in self.tas] + [s.date for s in self.surgeries]
        dates += [f.date for f in self.fus if f.vital_status.value == "alive"]
        dates += [self.p.registration_date] if self.p.registration_date else []
        death = self.death_date
        return max((d for d in dates if death is None or d < death), default=None)

    @property
    def conversion(self) -> Surgery | None:
        ops = [s for s in self.surgeries if s.procedure == CONVERSION]
        return min(ops, key=lambda s: s.date) if ops else None

    @property
    def day0_operation(self) -> Surgery | None:
        ops = [s for s in self.surgeries if s.procedure == DAY0_OPERATION]
        return min(ops, key=lambda s: s.date) if ops else None

    @property
    def day0_date(self) -> dt.date | None:
        """The day-0 laparoscopy + HIPEC: its operation record, else the HIPEC dose date."""
        op = self.day0_operation
        if op is not None:
            return op.date
        d = self.day0_hipec
        return d.date if d is not None and d.given > 0 else None

    @property
    def first_look(self) -> TumourAssessment | None:
        """The laparoscopy assessment on the day-0 HIPEC date."""
        d = self.day0_hipec
        when = d.date if d is not None else (self.day0_operation.date if self.day0_operation else None)
        return next((a for a in self.tas if a.method.value == "laparoscopy" and a.date == when), None)

    @property
    def r0(self) -> bool:
        """R0 resection: conversion surgery with R0, CC-0 and CY0 at the laparotomy on its day."""
        s = self.conversion
        if s is None or s.r_status is None or s.cc_score is None:
            return False
        cytology = next((a.cytology for a in self.tas
                         if a.method.value == "laparotomy" and a.date == s.date), None)
        return (s.r_status.value == "R0" and s.cc_score.value == "CC-0"
                and cytology is not None and cytology.value == "CY0")

    def form(self, form_id: str, visit_id: str | None = None) -> dict[str, object] | None:
        """The values of the first record of ``form_id`` (at ``visit_id`` when given)."""
        for r in self.forms:
            if r.form_id == form_id and (visit_id is None or r.visit_id == visit_id):
                return dict(r.values)
        return None


@dataclass(frozen=True)
class Records:
    trial: TrialData
    people: dict[str, Person]

    def __iter__(self) -> Iterator[Person]:
        return iter(self.people.values())

    def __getitem__(self, pid: str) -> Person:
        return self.people[pid]

    @property
    def registered(self) -> list[Person]:
        return [q for q in self if q.registered]

    @property
    def itt(self) -> list[Person]:
        return [q for q in self if q.itt]

    @property
    def safety(self) -> list[Person]:
        return [q for q in self if q.safety]

    def in_registration_order(self, people: Iterable[Person]) -> list[Person]:
        return sorted(people, key=lambda q: (q.p.registration_date or q.p.consent_date, q.id))


def index(trial: TrialData) -> Records:
    """Every participant's records, in the order of ``trial.participants``."""
    people = {p.id: Person(p) for p in trial.participants}
    for name, records in (("visits", trial.visits), ("forms", trial.form_records), ("doses", trial.doses),
                          ("aes", trial.adverse_events), ("labs", trial.lab_results),
                          ("tas", trial.tumour_assessments), ("surgeries", trial.surgeries),
                          ("fus", trial.follow_ups)):
        by_pid: dict[str, list[object]] = defaultdict(list)
        for r in records:
            by_pid[r.participant_id].append(r)
        for pid, rs in by_pid.items():
            getattr(people[pid], name).extend(rs)
    return Records(trial, people)


@dataclass(frozen=True)
class Group:
    """Registered participants of one part at one dose level, or all of them (the report's
    columns: protocol order, only groups with someone in them, then all registered)."""

    label: str
    members: tuple[Person, ...]


def groups(protocol: Protocol, records: Records) -> list[Group]:
    agent = protocol.dose_finding.explored_agents[0]
    out = []
    for part, part_label in PARTS:
        for level in protocol.dose_finding.levels:
            members = tuple(q for q in records.registered if q.part == part and q.p.dose_level == level.id)
            if members:
                label = f"{part_label}, level {level.id} ({level.doses[agent]} {level.unit})"
                out.append(Group(label, members))
    out.append(Group("All registered", tuple(records.registered)))
    return out


def codelist(protocol: Protocol, codelist_id: str) -> dict[str, str]:
    """Code -> English label, in the list's order."""
    found = next(c for c in protocol.codelists if c.id == codelist_id)
    return {item.code: item.label.en for item in found.items}


def related(ae: AdverseEvent, agent: str | None = None) -> bool:
    """At least possibly related (to ``agent``, or to any agent)."""
    return any(a.value in RELATED for g, a in ae.attribution.items() if agent is None or g == agent)


def dlt_evaluable(protocol: Protocol, q: Person) -> bool:
    """DLT-evaluable (PD §DLT): Part A, received HIPEC and every induction cycle-1 agent of the
    cohort, followed to cycle 1 day 21 (a record about them alive on or after it), or had a DLT."""
    if any(ae.dlt for ae in q.aes):
        return True
    cycle1 = [d for d in q.doses if d.phase == "induction" and d.cycle == 1]
    if not q.received_hipec or not cycle1:
        return False
    agents = [a.id for a in protocol.agents if a.id in protocol.phase("induction").agents
              and (a.cohorts is None or q.p.cohort in a.cohorts)]
    if not all(any(d.agent == a and d.given > 0 for d in cycle1) for a in agents):
        return False
    window_end = min(d.date for d in cycle1) + dt.timedelta(days=21 - 1)  # cycle 1 day 21
    last = q.last_known_alive
    return last is not None and last >= window_end


# -- what the summary shows ---------------------------------------------------------------------


def callout(built: Built, title_start: str) -> Callout:
    return next(b for b in built.report.sections[0].blocks if isinstance(b, Callout)
                and b.title.startswith(title_start))


def metric(built: Built, label: str) -> tuple[str, str]:
    grid = next(b for b in built.report.sections[0].blocks if isinstance(b, MetricGrid))
    m = next(m for m in grid.metrics if m.label == label)
    return m.value.replace("\u00a0", " "), (m.detail or "").replace("\u00a0", " ")


# -- Kaplan-Meier (lifelines), as the survival table shows it -------------------------------------

MONTH_DAYS = 365.25 / 12  # days in a month, as the report converts days to months


def r_median(times: Sequence[float], values: Sequence[float]) -> float | None:
    """R survival's median rule (survmean's minmin): the first time the curve is at or below 0.5;
    when it is exactly 0.5 there, the midpoint with the time it drops below."""
    tolerance = math.sqrt(2.220446049250313e-16)
    kept = [(t, v) for t, v in zip(times, values, strict=True) if v < 0.5 + tolerance]
    if not kept:
        return None
    t0, v0 = kept[0]
    lower = next((t for t, v in kept if v < v0), None)
    return (t0 + lower) / 2 if abs(v0 - 0.5) < tolerance and lower is not None else t0


def km(durations: Sequence[int], events: Sequence[bool]) -> KaplanMeierFitter:
    # Exception: lifelines' Kaplan-Meier estimator (an independent implementation of the
    # analysis' own); its confidence interval is the exponential Greenwood (log-log) one.
    return KaplanMeierFitter(alpha=0.05).fit(durations, events)


def assert_survival_row(built: Built, name: str, durations: list[int], events: list[bool]) -> None:
    fit = km(durations, events)
    sf = fit.survival_function_.iloc[:, 0]
    ci = fit.confidence_interval_
    times = list(sf.index)
    median = r_median(times, list(sf))
    lower = r_median(times, list(ci.iloc[:, 0]))
    upper = r_median(times, list(ci.iloc[:, 1]))

    def days(v: float | None) -> str:
        return "NE" if v is None else half_up(Fraction(v), 0)

    median_text = ("not reached" if median is None else
                   f"{days(median)} days ({half_up(Fraction(median) / Fraction(MONTH_DAYS), 1)} months)")
    table = find_table(built.report, "table-survival")
    row = next(r for r in body(table) if r[0] == name)
    assert row[1] == f"{sum(events)}/{len(events)}"
    assert row[2] == f"{median_text}; 95 % CI {days(lower)}–{days(upper)} days"
    for column, cell in zip(header(table)[3:], row[3:], strict=True):
        t = int(re.fullmatch(r"At (\d+) days \(95 % CI\)", column)[1])  # type: ignore[index]
        at = max(i for i in times if i <= t)
        s, lo, hi = float(sf[at]), float(ci.iloc[:, 0][at]), float(ci.iloc[:, 1][at])
        m = re.fullmatch(r"(\d+\.\d) % \((\d+\.\d)–(\d+\.\d) %\)", cell)
        assert m, cell
        for shown, value in zip(m.groups(), (s, lo, hi), strict=True):
            assert abs(float(shown) - 100 * value) <= 0.05 + 1e-6, (name, t, cell, value)
