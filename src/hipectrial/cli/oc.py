"""``hipectrial oc``: operating characteristics of the whole protocol, by simulation.

The work is :func:`hipectrial.oc.run.run_oc` (many virtual trials, each read by the
analysis, summarised with Monte-Carlo standard errors); this module parses options, shows a
progress bar with the time left on stderr (not with ``--json``, nor when stderr is not a
terminal), prints one comparison table (a column per scenario) or JSON, and with ``--out``
writes ``oc.json``, ``trials.csv`` (one row per trial, with its seed) and the page
``report.html`` / ``report.pdf`` (:func:`hipectrial.report.oc.oc_report`). A trial that failed on
every attempt is named and the command exits 1; bad options exit 2.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from hipectrial.cli.output import echo_json, make_console
from hipectrial.errors import InputError

if TYPE_CHECKING:
    from hipectrial.oc.executors import ExecutorChoice
    from hipectrial.oc.run import OcRun

ScenarioOpt = Annotated[list[str] | None, typer.Option(
    "--scenario", help="A shipped scenario (default, toxic, ineffective) or a YAML file; repeat the "
    "option to compare scenarios.", show_default=False)]
TrialsOpt = Annotated[int, typer.Option("--trials", help="Virtual trials per scenario.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Root seed: trial i gets the i-th seed "
                                      "spawned from it.")]
WorkersOpt = Annotated[int | None, typer.Option(
    "--workers", help="Processes (or local dask workers); one per CPU when omitted; 1 runs here.",
    show_default=False)]
ExecutorOpt = Annotated[str, typer.Option(
    "--executor", help="local (a process pool) or dask (a local dask.distributed cluster; needs "
    "pip install -e '.\\[distributed]').")]
SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", help="Address of a running dask scheduler, e.g. tcp://10.0.0.5:8786 (implies "
    "--executor dask).", show_default=False)]


def executor_choice(executor: str, workers: int | None, scheduler: str | None) -> ExecutorChoice:
    """The executor the options name (shared with ``design boin simulate``)."""
    from hipectrial.oc.executors import ExecutorChoice, ExecutorKind

    try:
        kind = ExecutorKind(executor)
    except ValueError:
        raise InputError("executor", executor, "local or dask") from None
    if scheduler is not None:
        kind = ExecutorKind.DASK
    return ExecutorChoice(kind, workers, scheduler)


def _print_table(run: OcRun, wall_s: float) -> None:
    from hipectrial.report.oc_table import comparison_rows

    console = make_console()
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False,
                  title=f"Operating characteristics: {run.summaries[0].trials_requested:,} trials "
                        f"per scenario, seed {run.summaries[0].seed}")
    table.add_column("value (Monte-Carlo SE)")
    for s in run.summaries:
        table.add_column(s.scenario, justify="right")
    for label, cells in comparison_rows(run.summaries):
        table.add_row(label, *cells)
    console.print(table)
    if run.summaries[0].pct_safety_stop is None:
        console.print("Safety monitoring during the trial: not simulated (the row above is empty); "
                      "the cut-off analysis row is what the DSMB report would say.")
    console.print(f"Ran on {run.executor} in {wall_s:.1f} s; {run.retried} attempts retried.")
    for s in run.summaries:
        for f in s.failed:
            console.print(f"[bold red]Trial {f.index} of {s.scenario} (seed {f.seed}) failed on every "
                          f"attempt[/]: {f.error}")


def _progress_bar(enabled: bool) -> tuple[Progress | None, object]:
    if not enabled or not make_console(stderr=True).is_terminal:
        return None, None
    bar = Progress(TextColumn("Virtual trials"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("time left"), TimeRemainingColumn(), console=make_console(stderr=True),
                   transient=True)
    return bar, bar.add_task("trials", total=None)


def trials_csv(run: OcRun) -> str:
    """One row per trial held: scenario, index, seed and the trial's figures (every figure
    of the summary can be recomputed from these rows)."""
    from hipectrial.analysis.oc_summary import part_b_end

    levels = run.summaries[0].levels
    header = ["scenario", "trial", "seed", "screened", "registered", "part_a", "part_b", "selected_level",
              *(f"part_a_level_{lv}_{what}" for lv in levels for what in ("registered", "evaluable", "dlts")),
              "part_b_end", "stage1_decision", "stage1_look_date", "final_decision", "reject_h0",
              "safety_stop_date", "safety_rule_met_at_cutoff", "r0", "r0_n", "r0_ci_lower", "r0_ci_upper",
              "simon_ci_lower", "simon_ci_upper", "simon_umvue", "grade3_participants", "safety_n",
              "first_consent", "last_registration", "cutoff"]
    lines = [",".join(header)]
    for k, (summary, outcomes) in enumerate(zip(run.summaries, run.outcomes, strict=True)):
        failed = {f.index for f in summary.failed}
        indexes = [i for i in range(summary.trials_requested) if i not in failed]
        stops = run.safety_stops[k] if run.safety_stops is not None else (None,) * len(outcomes)
        for index, o, stop in zip(indexes, outcomes, stops, strict=True):
            per_level = [v for c in o.part_a_levels for v in (c.registered, c.evaluable, c.dlts)]
            end = part_b_end(o, stop) if run.safety_stops is not None else None
            cells = [summary.scenario, index, o.seed, o.screened, o.registered, o.part_a_registered,
                     o.part_b_registered, o.selected_level, *per_level, end, o.stage1_decision,
                     o.stage1_look_date, o.final_decision, o.reject_h0, stop, o.safety_rule_met, o.r0_events,
                     o.r0_n, o.r0_ci_lower, o.r0_ci_upper, o.simon_ci_lower, o.simon_ci_upper, o.simon_umvue,
                     o.grade3_participants, o.safety_n, o.first_consent, o.last_registration, o.cutoff]
            lines.append(",".join(_csv_cell(c) for c in cells))
    return "\n".join(lines) + "\n"


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return f'"{text}"' if "," in text or '"' in text else text


def register(app: typer.Typer) -> None:
    """Add ``oc`` to the root command."""

    @app.command("oc")
    def oc(
        scenario: ScenarioOpt = None,
        trials: TrialsOpt = 1000,
        seed: SeedOpt = 1,
        workers: WorkersOpt = None,
        executor: ExecutorOpt = "local",
        scheduler: SchedulerOpt = None,
        out: Annotated[Path | None, typer.Option(
            "--out", help="Folder to write oc.json, trials.csv, report.html and report.pdf into.",
            show_default=False)] = None,
        protocol_file: Annotated[Path | None, typer.Option(
            "--protocol", help="Protocol YAML; the seed protocol when omitted.", show_default=False)] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the summaries as JSON.")] = False,
    ) -> None:
        """Operating characteristics of the whole protocol: many virtual trials per scenario
        (BOIN Part A, Simon Part B, safety monitoring, dropout), each read by the analysis,
        summarised with Monte-Carlo standard errors."""
        from hipectrial.cli.output import to_json
        from hipectrial.oc.run import run_oc
        from hipectrial.protocol import load_protocol, seed_protocol_path
        from hipectrial.simulate.scenario.world import load_scenario

        choice = executor_choice(executor, workers, scheduler)
        if out is not None:  # refused now, not after the run
            from hipectrial.report.write import check_out_dir
            check_out_dir(out)
            try:
                out.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError("out", str(out), "a folder that can be created and written",
                                 exc.strerror) from None
        names = scenario or ["default"]
        scenarios = [load_scenario(name) for name in names]
        if len({s.name for s in scenarios}) != len(scenarios):
            raise InputError("scenario", ", ".join(names), "different scenarios (each name once)")
        protocol = load_protocol(protocol_file if protocol_file is not None else seed_protocol_path())
        bar, task = _progress_bar(not as_json)
        start = time.monotonic()

        def update(done: int, total: int) -> None:
            if bar is not None:
                bar.update(task, completed=done, total=total)  # type: ignore[arg-type]

        if bar is not None:
            bar.start()
        try:
            run = run_oc(protocol, scenarios, trials=trials, seed=seed, choice=choice, progress=update)
        finally:
            if bar is not None:
                bar.stop()
        wall = time.monotonic() - start
        document = {"protocol": protocol.study.id, "protocol_version": protocol.study.version,
                    "trials": trials, "seed": seed, "executor": run.executor, "workers": run.workers,
                    "retried": run.retried, "scenarios": [s.to_document() for s in run.summaries]}
        files: list[str] = []
        if out is not None:
            from hipectrial.cli.simulate import write_atomically
            from hipectrial.report.oc import oc_report
            from hipectrial.report.write import write_report

            write_atomically(out / "oc.json", to_json(document))
            write_atomically(out / "trials.csv", trials_csv(run))
            page = oc_report(protocol=protocol, summaries=run.summaries, outcomes=run.outcomes,
                             generated_at=dt.datetime.now(dt.UTC))
            html, pdf = write_report(report=page, out_dir=out)
            files = [str(out / "oc.json"), str(out / "trials.csv"), str(html), str(pdf)]
        if as_json:
            echo_json({**document, "files": files})
        else:
            _print_table(run, wall)
            for f in files:
                make_console().print(f"Written: {f}")
        if any(s.failed for s in run.summaries):
            raise typer.Exit(1)
