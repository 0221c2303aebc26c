"""``hipectrial analyze survival``: Kaplan-Meier, log-rank and Cox on a CSV file.

The statistics are :mod:`hipectrial.analysis.km`, :mod:`~hipectrial.analysis.logrank` and
:mod:`~hipectrial.analysis.cox`; this module reads the CSV (naming the row of any bad
value), calls them and prints text or, with ``--json``, one JSON document with the same
numbers and the full Kaplan-Meier tables. Errors are :class:`~hipectrial.errors.InputError`
and reach the user through the root app (message, exit 2).
"""

from __future__ import annotations

import csv
import math
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from hipectrial.cli.output import echo_json, make_console
from hipectrial.errors import InputError

# NumPy, pandas and the models (statsmodels for Cox) are imported when the command runs, and
# each only if the options ask for it (CLI start-up).
if TYPE_CHECKING:
    from hipectrial.analysis.cox import CoxResult
    from hipectrial.analysis.km import KaplanMeier
    from hipectrial.analysis.logrank import LogRankResult

Document = dict[str, object]


def _read(path: Path, columns: dict[str, str]) -> dict[str, list[str]]:
    """The named columns of the CSV as text, keyed by option; every cell present."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as error:
        raise InputError("--csv", str(path), "a readable UTF-8 CSV file", hint=str(error)) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InputError("--csv", str(path), "a CSV file with a header row", hint="the file is empty")
    header = [cell.strip() for cell in rows[0]]
    body = [row for row in rows[1:] if any(cell.strip() for cell in row)]
    if not body:
        raise InputError("--csv", str(path), "a CSV file with at least one data row")
    out: dict[str, list[str]] = {}
    for option, name in columns.items():
        if name not in header:
            raise InputError(option, name, "a column of " + path.name + ": " + ", ".join(header))
        index = header.index(name)
        values = []
        for number, row in enumerate(body, start=1):
            cell = row[index].strip() if index < len(row) else ""
            if cell == "":
                raise InputError(name, cell, "a value in every row",
                                 hint=f"row {number} of {path.name} is empty")
            values.append(cell)
        out[option] = values
    return out


def _numbers(name: str, cells: list[str], path: Path) -> list[float]:
    values = []
    for number, cell in enumerate(cells, start=1):
        try:
            value = float(cell)
        except ValueError:
            raise InputError(name, cell, "a number", hint=f"row {number} of {path.name}") from None
        if not math.isfinite(value):
            raise InputError(name, cell, "a finite number", hint=f"row {number} of {path.name}")
        values.append(value)
    return values


def _times_at(text: str) -> list[float]:
    try:
        return [float(cell) for cell in text.split(",")]
    except ValueError:
        raise InputError("--at", text, "comma-separated times, e.g. 365,730") from None


def _checked_times(name: str, cells: list[str], path: Path) -> list[float]:
    times = _numbers(name, cells, path)
    for number, value in enumerate(times, start=1):
        if value < 0:
            raise InputError(name, value, "a time >= 0", hint=f"row {number} of {path.name}")
    return times


def _checked_events(name: str, cells: list[str], path: Path) -> list[int]:
    events = _numbers(name, cells, path)
    for number, value in enumerate(events, start=1):
        if value not in (0.0, 1.0):
            raise InputError(name, cells[number - 1], "0 (censored) or 1 (event)",
                             hint=f"row {number} of {path.name}")
    return [int(v) for v in events]


def _km_document(label: str | None, km: KaplanMeier, at: list[float], rmean: float | None) -> Document:
    return {"group": label, "n": km.n, "events": km.events, "median": asdict(km.median()),
            "survival_at": [asdict(s) for s in km.survival_at(at)] if at else [],
            "restricted_mean": asdict(km.restricted_mean(rmean)) if rmean is not None else None,
            "table": [asdict(row) for row in km.table]}


def _cox_document(fit: CoxResult) -> Document:
    return asdict(fit)


def _logrank_document(test: LogRankResult) -> Document:
    return asdict(test)


def _fmt(value: float | None, digits: int = 4) -> str:
    return "NA" if value is None else f"{value:.{digits}g}"


def _print_text(document: Document, curves: list[tuple[str | None, KaplanMeier]], at: list[float],
                rmean: float | None, test: LogRankResult | None, model: CoxResult | None) -> None:
    console = make_console()
    console.print(Text(f"Kaplan-Meier: {document['csv']} ({document['conf_level']:.0%} limits, "
                       f"{document['conf_type']})", style="bold"))
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    for column in ("Group", "n", "Events", "Median", "Lower", "Upper"):
        table.add_column(column, justify="left" if column == "Group" else "right")
    for label, km in curves:
        median = km.median()
        table.add_row(label or "all", str(km.n), str(km.events), _fmt(median.estimate), _fmt(median.lower),
                      _fmt(median.upper))
    console.print(table)
    for label, km in curves:
        name = label or "all"
        for point in km.survival_at(at) if at else ():
            console.print(f"  {name}: S({point.time:g}) = {_fmt(point.survival, 6)} "
                          f"(se {_fmt(point.std_err, 6)}; {_fmt(point.lower, 6)} to {_fmt(point.upper, 6)}; "
                          f"at risk {point.n_risk})")
        if rmean is not None:
            restricted = km.restricted_mean(rmean)
            console.print(f"  {name}: restricted mean to {restricted.horizon:g} = "
                          f"{restricted.estimate:.6g} (se {restricted.std_err:.6g})")
    if test is not None:
        kind = "stratified by " + str(document["strata"]) if test.strata else "unstratified"
        console.print(Text(f"Log-rank test ({kind}): chi-square {test.statistic:.6g} on {test.df} df, "
                           f"p = {test.p:.4g}", style="bold"))
        for g, n, o, e in zip(test.groups, test.n, test.observed, test.expected, strict=True):
            console.print(f"  {g}: n {n}, observed {o}, expected {e:.6g}")
    if model is not None:
        console.print(Text(f"Cox model ({model.ties} ties): n {model.n}, events {model.events}",
                           style="bold"))
        cox_table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
        for column in ("Term", "coef", "se", "HR", "Lower", "Upper", "z", "p"):
            cox_table.add_column(column, justify="left" if column == "Term" else "right")
        for term in model.terms:
            cox_table.add_row(term.name, f"{term.coef:.6g}", f"{term.se:.6g}", f"{term.hazard_ratio:.6g}",
                              f"{term.lower:.6g}", f"{term.upper:.6g}", f"{term.z:.6g}", f"{term.p:.4g}")
        console.print(cox_table)
        lr = model.likelihood_ratio
        console.print(f"  Concordance {model.concordance:.6g} (se {model.concordance_se:.6g}); "
                      f"log-likelihood {model.loglik:.6g} (null {model.loglik_null:.6g})")
        console.print(f"  Likelihood ratio test {lr.statistic:.6g} on {lr.df} df, p = {lr.p:.4g}; "
                      f"Wald {model.wald.statistic:.6g}; score {model.score.statistic:.6g}")


def survival(
    csv_path: Annotated[Path, typer.Option("--csv", help="CSV file, one row per participant.",
                                           show_default=False)],
    time: Annotated[str, typer.Option("--time", help="Column of follow-up times.", show_default=False)],
    event: Annotated[str, typer.Option("--event", help="Column of event indicators (1 event, 0 censored).",
                                       show_default=False)],
    group: Annotated[str | None, typer.Option("--group", help="Column of groups: curves per group and "
                                              "the log-rank test.", show_default=False)] = None,
    strata: Annotated[str | None, typer.Option("--strata", help="Column of strata for the log-rank test.",
                                               show_default=False)] = None,
    covariates: Annotated[str | None, typer.Option("--covariates", help="Comma-separated numeric columns "
                                                   "for a Cox model.", show_default=False)] = None,
    ties: Annotated[str, typer.Option("--ties", help="Cox ties: efron or breslow.")] = "efron",
    conf_type: Annotated[str, typer.Option("--conf-type",
                                           help="KM limits: log-log, log or plain.")] = "log-log",
    conf_level: Annotated[float, typer.Option("--conf-level", help="Confidence level.")] = 0.95,
    at: Annotated[str | None, typer.Option("--at", help="Comma-separated times to read the curves at.",
                                           show_default=False)] = None,
    rmean: Annotated[float | None, typer.Option("--rmean", help="Horizon of the restricted mean.",
                                                show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Kaplan-Meier curves (overall or per group), the log-rank test and a Cox model from a CSV."""
    if strata is not None and group is None:
        raise InputError("--strata", strata, "used together with --group",
                         hint="it stratifies the log-rank test")
    names = [c.strip() for c in covariates.split(",")] if covariates is not None else []
    if covariates is not None and not all(names):
        raise InputError("--covariates", covariates, "comma-separated column names")
    times_at = _times_at(at) if at is not None else []
    columns = {"--time": time, "--event": event}
    if group is not None:
        columns["--group"] = group
    if strata is not None:
        columns["--strata"] = strata
    for i, name in enumerate(names):
        columns[f"--covariates[{i}]"] = name
    cells = _read(csv_path, columns)
    import numpy as np

    from hipectrial.analysis.km import kaplan_meier

    t = _checked_times(time, cells["--time"], csv_path)
    e = _checked_events(event, cells["--event"], csv_path)
    curves: list[tuple[str | None, KaplanMeier]] = []
    groups = cells.get("--group")
    if groups is None:
        curves.append((None, kaplan_meier(time=t, event=e, conf_level=conf_level, conf_type=conf_type)))
    else:
        labels = np.array(groups)
        for label in sorted(set(groups)):
            mine = labels == label
            curves.append((label, kaplan_meier(time=np.array(t)[mine], event=np.array(e)[mine],
                                               conf_level=conf_level, conf_type=conf_type)))
    test = None
    if groups is not None:
        from hipectrial.analysis.logrank import logrank

        test = logrank(time=t, event=e, group=groups, strata=cells.get("--strata"))
    model = None
    if names:
        import pandas as pd

        from hipectrial.analysis.cox import cox

        frame = pd.DataFrame({time: t, event: e} | {
            name: _numbers(name, cells[f"--covariates[{i}]"], csv_path) for i, name in enumerate(names)})
        model = cox(frame=frame, duration=time, event=event, covariates=names, ties=ties,
                    conf_level=conf_level)
    document: Document = {
        "csv": str(csv_path), "time": time, "event": event, "group": group, "strata": strata,
        "conf_type": conf_type, "conf_level": conf_level,
        "curves": [_km_document(label, km, times_at, rmean) for label, km in curves],
        "logrank": _logrank_document(test) if test is not None else None,
        "cox": _cox_document(model) if model is not None else None}
    if as_json:
        echo_json(document)
    else:
        _print_text(document, curves, times_at, rmean, test, model)


def register(app: typer.Typer) -> None:
    """Add the ``survival`` command to ``app`` (the ``analyze`` group)."""
    app.command("survival")(survival)
