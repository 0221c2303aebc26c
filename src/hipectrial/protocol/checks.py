"""Cross-checks of a structurally valid protocol: what one section says about another.

Each check returns ``(path, message)`` pairs; the loader locates the path in the YAML
file. Every check runs, so a file with several mistakes gets every message at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal

from hipectrial.protocol.expressions import ALLOWED_FUNCTIONS, ARITHMETIC, ValueType
from hipectrial.protocol.model import Protocol
from hipectrial.protocol.regimen import ActionKind, Agent, Anchor, DoseBasis, Phase, Timing
from hipectrial.protocol.schedule import Visit
from hipectrial.protocol.units import is_known_unit, known_units_text

Path = tuple[str | int, ...]
Finding = tuple[Path, str]


def _listing(names: Iterable[str], limit: int = 12) -> str:
    names = sorted(names)
    shown = ", ".join(names[:limit])
    return shown + (", …" if len(names) > limit else "")


def _duplicates(items: Sequence[object], key: Callable[[object], str], base: Path,
                what: str, attr: str = "id") -> Iterator[Finding]:
    counts = Counter(key(item) for item in items)
    seen: set[str] = set()
    for i, item in enumerate(items):
        k = key(item)
        if counts[k] > 1:
            if k in seen:
                yield (*base, i, attr), f"duplicate {what} {k!r}"
            seen.add(k)


def check_ids(p: Protocol) -> Iterator[Finding]:
    sections: list[tuple[str, Sequence[object], str]] = [
        ("cohorts", p.cohorts, "cohort id"),
        ("codelists", p.codelists, "code list id"),
        ("forms", p.forms, "form id"),
        ("variables", p.variables, "variable id"),
        ("agents", p.agents, "agent id"),
        ("phases", p.phases, "phase id"),
        ("eligibility", p.eligibility, "criterion id"),
        ("visits", p.visits, "visit id"),
        ("endpoints", p.endpoints, "endpoint id"),
    ]
    for name, items, what in sections:
        yield from _duplicates(items, lambda x: x.id, (name,), what)  # type: ignore[attr-defined]
    yield from _duplicates(p.dose_finding.levels, lambda x: x.id,  # type: ignore[attr-defined]
                           ("dose_finding", "levels"), "dose level id")
    yield from _duplicates(p.dose_modifications.rules, lambda x: x.id,  # type: ignore[attr-defined]
                           ("dose_modifications", "rules"), "rule id")
    for i, cl in enumerate(p.codelists):
        yield from _duplicates(cl.items, lambda x: x.code,  # type: ignore[attr-defined]
                               ("codelists", i, "items"), "code", "code")
    # Field ids are variable names: unique across the protocol, and distinct from
    # derived variables.
    owner: dict[str, str] = {}
    for i, form in enumerate(p.forms):
        for j, f in enumerate(form.fields):
            if f.id in owner:
                yield (("forms", i, "fields", j, "id"),
                       f"duplicate field id {f.id!r} (also in form {owner[f.id]!r}); field ids "
                       "are variable names and must be unique across the protocol")
            else:
                owner[f.id] = form.id
        yield from _duplicates(form.checks, lambda x: x.id,  # type: ignore[attr-defined]
                               ("forms", i, "checks"), "edit check id")
    for i, d in enumerate(p.variables):
        if d.id in owner:
            yield (("variables", i, "id"),
                   f"derived variable {d.id!r} has the id of a field in form {owner[d.id]!r}")
    oids: dict[str, Path] = {}
    for path, oid in _oids(p):
        if oid in oids:
            yield path, f"duplicate OID {oid!r}"
        oids[oid] = path


def _oids(p: Protocol) -> Iterator[tuple[Path, str]]:
    for i, form in enumerate(p.forms):
        yield ("forms", i, "oid"), form.resolved_oid
        for j, f in enumerate(form.fields):
            yield ("forms", i, "fields", j, "oid"), form.field_oid(f)
    for i, cl in enumerate(p.codelists):
        yield ("codelists", i, "oid"), cl.resolved_oid
    for i, v in enumerate(p.visits):
        yield ("visits", i, "oid"), v.resolved_oid


def check_references(p: Protocol) -> Iterator[Finding]:
    cohorts = {c.id for c in p.cohorts}
    codelists = {c.id for c in p.codelists}
    forms = {f.id for f in p.forms}
    agents = {a.id: a for a in p.agents}
    phases = {ph.id: ph for ph in p.phases}

    def unknown(kind: str, value: str, known: Iterable[str]) -> str:
        return f"unknown {kind} {value!r}; known {kind}s: {_listing(known)}"

    for i, form in enumerate(p.forms):
        for j, f in enumerate(form.fields):
            if f.codelist is not None and f.codelist not in codelists:
                yield (("forms", i, "fields", j, "codelist"),
                       unknown("code list", f.codelist, codelists))
    for i, agent in enumerate(p.agents):
        for k, c in enumerate(agent.cohorts or []):
            if c not in cohorts:
                yield ("agents", i, "cohorts", k), unknown("cohort", c, cohorts)
    for i, cohort in enumerate(p.cohorts):
        if not p.agents_for(cohort.id):
            yield ("cohorts", i, "id"), f"cohort {cohort.id!r} receives no agent"
    for i, ph in enumerate(p.phases):
        for k, a in enumerate(ph.agents):
            schedule = agents[a].schedule if a in agents else None
            if a not in agents:
                yield ("phases", i, "agents", k), unknown("agent", a, agents)
            elif schedule is None:
                yield (("phases", i, "agents", k),
                       f"agent {a!r} is given in cycles but has no 'schedule'")
            elif max(schedule.days) > ph.cycle_length_days:
                yield (("phases", i, "agents", k),
                       f"agent {a!r} is given on day {max(schedule.days)}, after the "
                       f"end of this phase's {ph.cycle_length_days}-day cycle")
        yield from _timing(p, ph.start, ("phases", i, "start"))
        if ph.until is not None and ph.until.counted_from is not None:
            yield from _timing(p, ph.until.counted_from.timing(), ("phases", i, "until", "counted_from"))
    for k, a in enumerate(p.hipec.agents):
        if a not in agents:
            yield ("hipec", "agents", k), unknown("agent", a, agents)
        elif agents[a].dose.basis is not DoseBasis.DOSE_LEVEL:
            yield ("hipec", "agents", k), f"HIPEC agent {a!r} must take its dose from the dose level"
    for i, v in enumerate(p.visits):
        for key in ("forms", "optional_forms"):
            for k, form_id in enumerate(getattr(v, key)):
                if form_id not in forms:
                    yield ("visits", i, key, k), unknown("form", form_id, forms)
        for k, c in enumerate(v.cohorts or []):
            if c not in cohorts:
                yield ("visits", i, "cohorts", k), unknown("cohort", c, cohorts)
        yield from _timing(p, v.timing, ("visits", i, "timing"), per_cycle=bool(
            v.repeat and v.repeat.per_cycle))
        if v.repeat is not None:
            yield from _repeat(p, v, i, phases)
    for i, e in enumerate(p.eligibility):
        for k, c in enumerate(e.cohorts or []):
            if c not in cohorts:
                yield ("eligibility", i, "cohorts", k), unknown("cohort", c, cohorts)
    names = set(p.scope.variables)
    for i, d in enumerate(p.variables):
        for k, name in enumerate(d.inputs):
            if name not in names:
                yield ("variables", i, "inputs", k), unknown("variable", name, names)
    yield from _dose_finding(p, agents)
    yield from _modifications(p, agents, names)
    endpoints = {e.id: e for e in p.endpoints}
    primary = p.statistics.primary
    if primary.endpoint not in endpoints:
        yield ("statistics", "primary", "endpoint"), unknown("endpoint", primary.endpoint, endpoints)
    elif endpoints[primary.endpoint].kind.value != "binary":
        yield (("statistics", "primary", "endpoint"),
               f"a Simon two-stage design needs a binary endpoint; {primary.endpoint!r} is "
               f"{endpoints[primary.endpoint].kind.value}")
    if not any(e.role == "primary" for e in p.endpoints):
        yield ("endpoints",), "no endpoint has role primary"


def _timing(p: Protocol, t: Timing, path: Path, per_cycle: bool = False) -> Iterator[Finding]:
    phases = {ph.id: ph for ph in p.phases}
    if t.anchor is Anchor.CYCLE_START:
        if t.phase is None:
            yield (*path, "phase"), "a cycle_start timing names its phase"
        elif t.phase not in phases:
            yield (*path, "phase"), f"unknown phase {t.phase!r}; known phases: {_listing(phases)}"
        elif per_cycle:
            if t.cycle is not None:
                yield (*path, "cycle"), "a per-cycle visit gives no 'cycle': it occurs in each"
        elif t.cycle is None:
            yield (*path, "cycle"), "a cycle_start timing names its cycle"
        else:
            n = phases[t.phase].cycles
            if n is not None and t.cycle > n:
                yield (*path, "cycle"), f"cycle {t.cycle} is beyond the phase's {n} cycles"
        if t.phase in phases and t.day > phases[t.phase].cycle_length_days + 90:
            yield (*path, "day"), f"day {t.day} is implausibly far from the cycle start"
    elif t.phase is not None or t.cycle is not None:
        yield (*path, "phase"), "'phase' and 'cycle' go with anchor cycle_start only"


def _repeat(p: Protocol, v: Visit, i: int, phases: dict[str, Phase]) -> Iterator[Finding]:
    r = v.repeat
    if r is None:
        return
    span = v.timing.window_before + v.timing.window_after
    if r.per_cycle is not None:
        if r.per_cycle not in phases:
            yield (("visits", i, "repeat", "per_cycle"),
                   f"unknown phase {r.per_cycle!r}; known phases: {_listing(phases)}")
            return
        ph = phases[r.per_cycle]
        if v.timing.anchor is not Anchor.CYCLE_START or v.timing.phase != r.per_cycle:
            yield (("visits", i, "timing", "anchor"),
                   f"a per-cycle visit is anchored at cycle_start of phase {r.per_cycle!r}")
        if span >= ph.cycle_length_days:
            yield (("visits", i, "timing"),
                   f"window -{v.timing.window_before}/+{v.timing.window_after} days spans a "
                   f"whole {ph.cycle_length_days}-day cycle; windows of successive visits "
                   "would overlap")
    elif r.every_days is not None:
        if span >= r.every_days:
            yield (("visits", i, "timing"),
                   f"window -{v.timing.window_before}/+{v.timing.window_after} days is as long "
                   f"as the {r.every_days}-day repeat interval; windows would overlap")
        if r.until_day is not None and r.until_day < v.timing.day:
            yield (("visits", i, "repeat", "until_day"),
                   f"until_day {r.until_day} is before the first occurrence (day {v.timing.day})")


def _dose_finding(p: Protocol, agents: dict[str, Agent]) -> Iterator[Finding]:
    df = p.dose_finding
    explored = set(df.explored_agents)
    for k, a in enumerate(df.explored_agents):
        if a not in agents:
            yield ("dose_finding", "explored_agents", k), f"unknown agent {a!r}"
    level_ids = [lv.id for lv in df.levels]
    if df.start_level not in level_ids:
        yield (("dose_finding", "start_level"),
               f"unknown dose level {df.start_level!r}; levels: {', '.join(level_ids)}")
    numbers = [int(lv.id) for lv in df.levels]
    if numbers != sorted(numbers):
        yield ("dose_finding", "levels"), f"dose levels must be listed lowest first; got {level_ids}"
    for i, lv in enumerate(df.levels):
        if set(lv.doses) != explored:
            yield (("dose_finding", "levels", i, "doses"),
                   f"level {lv.id} gives doses for {sorted(lv.doses)}; the explored agents are "
                   f"{sorted(explored)}")
        if not is_known_unit(lv.unit):
            yield (("dose_finding", "levels", i, "unit"),
                   f"unknown unit {lv.unit!r}; known units: {known_units_text()}")
    for a in df.explored_agents:
        previous: tuple[str, Decimal] | None = None
        for i, lv in enumerate(df.levels):
            dose = lv.doses.get(a)
            if dose is None:
                continue
            if previous is not None and not dose > previous[1]:
                yield (("dose_finding", "levels", i, "doses", a),
                       f"dose levels must be strictly increasing: level {lv.id} gives {a} "
                       f"{dose} after level {previous[0]} gave {previous[1]}")
            previous = (lv.id, dose)
    design = df.design
    if design.stop_n_at_dose > design.max_n:
        yield (("dose_finding", "design", "stop_n_at_dose"),
               f"stop_n_at_dose ({design.stop_n_at_dose}) exceeds max_n ({design.max_n})")
    window = df.dlt.window.end
    yield from _timing(p, window, ("dose_finding", "dlt", "window", "end"))


def _modifications(p: Protocol, agents: dict[str, Agent], names: set[str]) -> Iterator[Finding]:
    rt = p.dose_modifications.retreatment
    if rt.max_delay_days < rt.delay_days:
        yield (("dose_modifications", "retreatment", "max_delay_days"),
               f"max_delay_days ({rt.max_delay_days}) is shorter than one delay ({rt.delay_days})")
    for i, rule in enumerate(p.dose_modifications.rules):
        base: Path = ("dose_modifications", "rules", i)
        lab, expression = rule.when.lab, rule.when.expression
        if lab is not None and lab not in names:
            yield (*base, "when", "lab"), f"unknown variable {lab!r}"
        elif lab is not None and expression is not None and lab not in expression.variables:
            yield ((*base, "when", "lab"),
                   f"names lab {lab!r}, which its expression does not use")
        for agent_id, action in rule.actions.items():
            agent = agents.get(agent_id)
            if agent is None:
                yield ((*base, "actions", agent_id),
                       f"unknown agent {agent_id!r}; known agents: {_listing(agents)}")
                continue
            if action.action is ActionKind.REDUCE and (not agent.reducible or agent.reduction is None):
                yield ((*base, "actions", agent_id),
                       f"agent {agent_id!r} has no dose-reduction ladder; it can be held or "
                       "discontinued, not reduced")
            elif action.action is ActionKind.REDUCE and agent.reduction is not None and (
                action.levels or 0) > agent.reduction.max_reductions:
                yield ((*base, "actions", agent_id, "levels"),
                       f"reduces {action.levels} levels; {agent_id!r} allows at most "
                       f"{agent.reduction.max_reductions}")


def check_expressions(p: Protocol) -> Iterator[Finding]:
    scope = p.scope
    names = set(scope.variables)
    for path, expr, boolean in p.expressions():
        unknown = sorted(expr.variables - names)
        for name in unknown:
            yield path, f"unknown variable {name!r}; known variables: {_listing(names)}"
        for fn in sorted(expr.functions - ALLOWED_FUNCTIONS):
            yield path, f"unknown function {fn!r}; allowed: {_listing(ALLOWED_FUNCTIONS, 40)}"
        if unknown or expr.functions - ALLOWED_FUNCTIONS:
            continue
        decimals = sorted(v for v in expr.variables if scope.variables[v].type is ValueType.DECIMAL)
        if decimals and expr.operators & ARITHMETIC:
            yield (path, f"arithmetic on decimal values ({', '.join(decimals)}) is inexact in "
                         "CEL's doubles (1.5 * 1.2 is 1.7999999999999998) and misjudges values "
                         "exactly at a limit; compare a ratio instead, e.g. "
                         "ratio(bilirubin, bilirubin_uln) <= 1.5")
            continue
        for problem in scope.code_problems(expr):
            yield path, problem
        for problem in scope.type_problems(expr, boolean=boolean):
            yield path, problem
        if path[0] == "forms" and path[2] == "fields":
            form = p.forms[int(path[1])]
            own = form.fields[int(path[3])].id
            if own in expr.variables:
                yield path, f"show_if of field {own!r} refers to the field itself"


def check_derived_cycles(p: Protocol) -> Iterator[Finding]:
    derived = {d.id: d for d in p.variables}
    deps = {
        d.id: (set(d.expression.variables) if d.expression else set(d.inputs)) & derived.keys()
        for d in p.variables
    }
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> list[str] | None:
        state[name] = 1
        for dep in sorted(deps[name]):
            if state.get(dep) == 1:
                return [*trail, name, dep]
            if dep not in state:
                found = visit(dep, [*trail, name])
                if found:
                    return found
        state[name] = 2
        return None

    for i, d in enumerate(p.variables):
        if d.id not in state:
            cycle = visit(d.id, [])
            if cycle:
                yield (("variables", i, "id"),
                       "derived variables depend on each other in a cycle: " + " -> ".join(cycle))


ALL_CHECKS = (check_ids, check_references, check_expressions, check_derived_cycles)


def cross_check(p: Protocol) -> list[Finding]:
    """Every cross-check finding for ``p``, in file order of the checks."""
    findings: list[Finding] = []
    for check in ALL_CHECKS:
        findings.extend(check(p))
    return findings
