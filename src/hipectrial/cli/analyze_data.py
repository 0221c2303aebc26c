"""``hipectrial analyze --data trial.json``: every endpoint of a trial's data.

Reads a TrialData JSON document, loads the protocol (the seed protocol unless one is given),
runs :func:`hipectrial.analysis.trial_analysis.analyze_trial` and prints a summary (every
endpoint with its estimate and CI, the populations, the Simon and BOIN status) or, with
``--json``, the whole analysis document (the numbers the report shows).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.progress import Progress
from rich.table import Table

from hipectrial.analysis.labels import Labels
from hipectrial.analysis.results import (
    AdverseEventValue,
    BinaryValue,
    CategoricalValue,
    ContinuousValue,
    DltValue,
    EndpointValue,
    TimeToEventValue,
)
from hipectrial.analysis.trial_analysis import TrialAnalysis, analyze_trial
from hipectrial.cli.output import echo_json, make_console
from hipectrial.cli.trial_file import read_trial
from hipectrial.protocol import load_protocol, seed_protocol_path
from hipectrial.report import dsmb_flow as flow
from hipectrial.report import dsmb_summary as summary
from hipectrial.report import numbers
from hipectrial.report.document import Cell


def _pop(population: str) -> str:
    return Labels.population_name(population)


def describe(value: EndpointValue) -> str:
    """One line for an endpoint value: estimate and CI, or its summary, in the report's wording
    (with ordinary spaces where the report keeps a number and its unit together, so that the
    terminal's text can be searched as typed)."""
    return _describe(value).replace(numbers.NBSP, " ")


def _describe(value: EndpointValue) -> str:
    if isinstance(value, BinaryValue):
        # Written as the DSMB report writes it (one wording for both).
        return f"{numbers.proportion(value.estimate)}, {value.estimate.method} [{_pop(value.population)}]"
    if isinstance(value, ContinuousValue):
        s = value.summary
        if s.n == 0:
            return f"n = 0 [{_pop(value.population)}]"
        num = numbers.number
        return (f"n = {s.n}, mean {num(s.mean, digits=2)} (SD {num(s.sd, digits=2)}), median {num(s.median)} "
                f"(IQR {num(s.q1)} to {num(s.q3)}), range {num(s.minimum)} to {num(s.maximum)} "
                f"[{_pop(value.population)}]")
    if isinstance(value, CategoricalValue):
        counts = ", ".join(f"{c.category}: {c.count}" for c in value.counts)
        return f"{value.label}: n = {value.n}; {counts} [{_pop(value.population)}]"
    if isinstance(value, TimeToEventValue):
        events = sum(r.event for r in value.rows)
        if value.km is None:
            return f"n = {len(value.rows)}, events {events}; {value.km_note} [{_pop(value.population)}]"
        km = value.km
        at = "; ".join(f"S({a.day} d) = {numbers.percent_ci(a.survival, a.lower, a.upper)}"
                       for a in km.at_days)
        return (f"n = {km.n}, events {km.events}, median {numbers.days(km.median_days)} "
                f"(95 % CI {numbers.bound(km.median_lower)} to {numbers.bound(km.median_upper)} days)"
                f"{'; ' + at if at else ''} [{_pop(value.population)}]")
    if isinstance(value, AdverseEventValue):
        return f"n = {value.n}; " + ", ".join(f"{c.category} {c.participants}" for c in value.summary)
    if isinstance(value, DltValue):
        return "; ".join(f"level {lv.level} ({lv.dose}): {lv.value.estimate.events}/{lv.value.estimate.n}"
                         for lv in value.levels)
    raise TypeError(type(value).__name__)


def print_analysis(analysis: TrialAnalysis, labels: Labels) -> None:
    """The analysis in the DSMB report's words: populations, every endpoint, the headline
    numbers and the decisions (the report's summary callouts, :mod:`hipectrial.report.dsmb_summary`)."""
    console = make_console()
    console.print(f"{analysis.protocol_id} (protocol version {analysis.protocol_version}), "
                  f"data cut-off {analysis.cutoff.isoformat()}")
    pops = Table(title="Populations")
    for column in ("population", "n", "rule"):
        pops.add_column(column, justify="right" if column == "n" else "left")
    for row in flow.populations(analysis).rows:
        pops.add_row(*(_plain(cell) for cell in row))
    console.print(pops)
    table = Table(title="Endpoints")
    table.add_column("endpoint")
    table.add_column("role")
    table.add_column("result")
    for e in analysis.endpoints:
        lines = [describe(e.value), *(describe(v) for v in e.also_reported)]
        table.add_row(e.endpoint_id, e.role, "\n".join(lines))
    console.print(table)
    for metric in summary.metrics(analysis).metrics:
        detail = f" ({metric.detail})" if metric.detail else ""
        console.print(_plain(f"{metric.label}: {metric.value}{detail}"))
    for callout in summary.decisions(analysis, labels):
        console.print(_plain(f"{callout.title}. {callout.text}"))


def _plain(value: object) -> str:
    text = value.text if isinstance(value, Cell) else "" if value is None else str(value)
    return text.replace(numbers.NBSP, " ")


def run(*, data: Path, protocol: Path | None, as_json: bool, cutoff: dt.date | None) -> None:
    """Analyse ``data`` (a TrialData JSON file) under ``protocol`` and print the result.

    Raises
    ------
    HipectrialError
        For a file that cannot be read, a document that is not TrialData, a bad protocol.
    """
    # A few seconds for a full trial (reading the JSON, eligibility recomputed per person
    # screened): a bar on stderr, drawn only on a terminal and never with --json.
    with Progress(console=make_console(stderr=True), transient=True, disable=as_json) as bar:
        task = bar.add_task("Reading the trial data", total=3)
        trial = read_trial(data)
        bar.update(task, advance=1, description="Loading the protocol")
        loaded = load_protocol(protocol if protocol is not None else seed_protocol_path())
        bar.update(task, advance=1, description="Deriving the endpoints")
        analysis = analyze_trial(trial=trial, protocol=loaded, cutoff=cutoff)
        bar.update(task, advance=1)
    if as_json:
        echo_json(analysis.to_document())
        return
    print_analysis(analysis, Labels(loaded))
