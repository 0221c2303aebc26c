"""Rich renderings of a :class:`~hipectrial.cli.protocol_view.ProtocolView`.

The schedule of assessments is printed as two tables a research nurse reads together: the
visits (number, name, when, window, repetition, who), and a forms × visits matrix whose
columns are the visit numbers, marked ● where the visit requires the form and ○ where it
offers it. When the visits do not fit the console width, the matrix is split into several
tables of consecutive visits, each repeating the form column.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from hipectrial.cli.protocol_view import CohortView, ProtocolView
from hipectrial.cli.schedule_view import ScheduleView, VisitRow

REQUIRED, OPTIONAL = "●", "○"
_HEADING = "bold"


def _marks(console: Console) -> tuple[str, str]:
    """The required/optional marks, in ASCII where the output cannot encode them."""
    encoding = (console.encoding or "").lower()
    return (REQUIRED, OPTIONAL) if encoding.startswith("utf") else ("X", "o")


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", title_style=_HEADING, box=box.SIMPLE_HEAD,
                  header_style=_HEADING, pad_edge=False, collapse_padding=True)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def render_study(view: ProtocolView) -> RenderableType:
    s = view.study
    head = Text(f"{s.id} · {s.short_title} · Phase {s.phase} · version {s.version} ({s.date.isoformat()})",
                style=_HEADING)
    lines = [head, Text(s.full_title)]
    facts = [s.masking.replace("_", " "), "multicenter" if s.multicenter else "single centre"]
    if s.registry_id:
        facts.append(f"registry {s.registry_id}")
    lines.append(Text(", ".join(facts)))
    cohorts = "; ".join(f"{c.id} ({c.label['en']})" if c.label["en"] != c.id else c.id
                        for c in view.cohorts)
    lines.append(Text(f"Cohorts: {cohorts}" + (f" (shown: {view.cohort} only)" if view.cohort else "")))
    return Group(*lines)


def render_regimen(cohort: CohortView) -> Table:
    label = cohort.label["en"]
    title = f"Regimen: {cohort.id}" + (f" — {label}" if label != cohort.id else "")
    table = _table(title, "Agent", "Route", "Dose", "Schedule", "Reduction")
    for a in cohort.regimen:
        # One BSA band per line: a band must never be split across lines.
        shown = a.dose_text
        if a.dose.get("basis") == "bsa_bands":
            shown = shown.replace(": ", ":\n", 1).replace("; ", "\n")
        dose = Text(shown)
        if a.dose_notes:
            dose.append("\n" + "; ".join(a.dose_notes), style="dim")
        table.add_row(f"{a.name}\n({a.id})", a.route, dose, a.schedule_text, a.reduction_text)
    return table


def render_phases(view: ProtocolView) -> Table:
    table = _table("Treatment phases", "Phase", "Cycles", "Starts", "Window", "Agents", "Who")
    table.columns[0].min_width = _natural([ph.id for ph in view.phases], 30)
    for ph in view.phases:
        who = "all" if ph.branch == "all" else ph.branch.replace("_", " ")
        table.add_row(f"{ph.id}\n{ph.label['en']}", ph.cycles_text, ph.start_text, ph.window,
                      ph.agents_text, who)
    return table


def render_hipec(view: ProtocolView) -> RenderableType:
    h, df = view.hipec, view.dose_finding
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("  agents", "; ".join(h.agent_texts))
    grid.add_row("  perfusion", h.perfusion_text)
    grid.add_row("  sessions", "; ".join(s["text"] for s in h.sessions))
    grid.add_row("  dose finding", df.design_text)
    grid.add_row("  DLT window", df.dlt_window_text)
    return Group(Text("HIPEC", style=_HEADING), grid)


def render_visits(schedule: ScheduleView, width: int) -> Table:
    table = _table("Schedule of assessments: visits (days)", "#", "Visit", "When", "Window",
                   "Repeats", "Who")
    rows = schedule.visits
    for row in rows:
        table.add_row(row.number, f"{row.name['en']}\n({row.id})", row.when, row.window,
                      row.repeats, row.who)
    _fit_visit_columns(table, rows, width)
    return table


def _natural(texts: list[str], cap: int) -> int:
    """The longest line among ``texts``, at most ``cap``."""
    return min(max((len(line) for t in texts for line in t.splitlines()), default=0), cap)


def _fit_visit_columns(table: Table, rows: tuple[VisitRow, ...], width: int) -> None:
    """Keep "HIPEC + 21 d" and "each cycle (3 × 21 d)" on one line, then give the visit name
    what is left; when the width is too small for that, let rich share it out."""
    if not rows:
        return
    number = _natural([r.number for r in rows], 8)
    window = _natural(["Window"] + [r.window for r in rows], 10)
    who = _natural(["Who"] + [r.who for r in rows], 16)
    budget = width - _overhead(len(table.columns)) - number - window - who
    when = _natural([r.when for r in rows], 36)
    repeats_min = _natural([r.repeats for r in rows], 22)
    visit = min(_natural([r.name["en"] for r in rows] + [f"({r.id})" for r in rows], width),
                budget - when - repeats_min)
    if visit < 16:
        return
    repeats = min(_natural([r.repeats for r in rows], width), budget - when - visit)
    for column, fixed in zip(table.columns, (number, visit, when, window, repeats, who), strict=True):
        column.width = fixed


def _overhead(columns: int) -> int:
    """Characters a table takes beyond its cells: the two edges, and between two columns
    the divider and one (collapsed) padding."""
    return 2 + 2 * (columns - 1)


def _chunks(visits: tuple[VisitRow, ...], size: int) -> Iterator[tuple[VisitRow, ...]]:
    for start in range(0, len(visits), size):
        yield visits[start:start + size]


def render_matrix(schedule: ScheduleView, width: int, marks: tuple[str, str]) -> list[Table]:
    """The forms × visits matrix, in as few parts (runs of visits) as fit ``width``.

    One line per form: the form id in full, its label cut to the room left (or left out when
    under 8 characters), so a row reads straight across to its marks.
    """
    if not schedule.forms:
        return []
    visits = schedule.visits
    id_width = max(len(f.id) for f in schedule.forms)
    mark_width = max(len(v.number) for v in visits)
    fits = max(1, (width - _overhead(1) - id_width) // (mark_width + 2))
    parts = -(-len(visits) // fits)
    size = -(-len(visits) // parts)
    label_room = width - _overhead(2 + size) - id_width - size * mark_width
    label_width = min(max(len(f.label["en"]) for f in schedule.forms), label_room)
    tables = []
    for k, run in enumerate(_chunks(visits, size), start=1):
        title = "Schedule of assessments: forms by visit"
        if parts > 1:
            title += f" ({run[0].number}-{run[-1].number}, part {k} of {parts})"
        table = Table(title=title, title_justify="left", title_style=_HEADING, box=box.SIMPLE_HEAD,
                      header_style=_HEADING, pad_edge=False, collapse_padding=True)
        table.add_column("Form", no_wrap=True)
        if label_width >= 8:
            table.add_column("", width=label_width, no_wrap=True, overflow="ellipsis")
        for v in run:
            table.add_column(v.number, justify="center", no_wrap=True, width=mark_width)
        for form in schedule.forms:
            cells = [marks[0] if v.id in form.visits_required
                     else marks[1] if v.id in form.visits_optional else ""
                     for v in run]
            label = [form.label["en"]] if label_width >= 8 else []
            table.add_row(form.id, *label, *cells)
        tables.append(table)
    return tables


def print_protocol(console: Console, view: ProtocolView) -> None:
    """Print the whole summary: study, regimen per cohort, phases, HIPEC, schedule.

    To a pipe or file the text is written without the trailing blanks tables pad lines with.
    """
    if console.is_terminal:
        _print(console, view)
        return
    with console.capture() as captured:
        _print(console, view)
    console.file.write("\n".join(line.rstrip() for line in captured.get().splitlines()) + "\n")


def _print(console: Console, view: ProtocolView) -> None:
    marks = _marks(console)
    console.print(render_study(view))
    for cohort in view.cohorts:
        console.print()
        console.print(render_regimen(cohort))
    console.print(render_phases(view))
    console.print(render_hipec(view))
    console.print()
    console.print(render_visits(view.schedule, console.width))
    for table in render_matrix(view.schedule, console.width, marks):
        console.print(table)
    legend = f"{marks[0]} required   {marks[1]} optional"
    if view.schedule.unscheduled_forms:
        legend += "   not in any visit: " + ", ".join(view.schedule.unscheduled_forms)
    console.print(Text(legend))
