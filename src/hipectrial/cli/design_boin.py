"""``hipectrial design boin boundaries | next | select | simulate``: the BOIN design.

The rules are :mod:`hipectrial.design.boin` and the simulation
:mod:`hipectrial.design.boin_sim`; this module parses options, calls them and prints a
table (or JSON with ``--json``). Dose levels are 1-based here, 0-based in the core.
Errors are :class:`~hipectrial.errors.InputError`, which the root app turns into exit 2.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.progress import Progress
from rich.table import Table
from rich.text import Text

from hipectrial.cli.oc import ExecutorOpt, SchedulerOpt, WorkersOpt, executor_choice
from hipectrial.cli.output import echo_json, make_console
from hipectrial.errors import InputError

# The design modules are imported when a command runs: the boundaries need only the closed-form
# rules of design.boin, not NumPy or the simulator (CLI start-up).
if TYPE_CHECKING:
    from hipectrial.design.boin import BoinDesign
    from hipectrial.design.boin_sim import DoseFindingOC, McEstimate
    from hipectrial.oc.executors import ExecutorChoice

boin_app = typer.Typer(help="BOIN dose finding (Liu & Yuan 2015): boundaries, the next dose, "
                       "MTD selection and operating characteristics.", no_args_is_help=True)

TargetOpt = Annotated[float, typer.Option("--target", help="Target DLT probability, e.g. 0.3.",
                                          show_default=False)]
Phi1Opt = Annotated[float | None, typer.Option("--phi1", help="Under-dosing rate; 0.6 x target "
                                               "when omitted.", show_default=False)]
Phi2Opt = Annotated[float | None, typer.Option("--phi2", help="Over-dosing rate; 1.4 x target "
                                               "when omitted.", show_default=False)]
CutoffOpt = Annotated[float, typer.Option("--cutoff", help="Eliminate a dose when "
                                          "P(p > target | data) exceeds this.")]
NOpt = Annotated[str, typer.Option("--doses-n", help="Patients treated per dose, lowest first, "
                                   "e.g. 3,3,0.", show_default=False)]
DltOpt = Annotated[str, typer.Option("--doses-dlt", help="DLTs per dose, e.g. 0,1,0.",
                                     show_default=False)]
StopNOpt = Annotated[int | None, typer.Option("--stop-n-at-dose", help="Stop when this many have "
                                              "been treated at a dose the design stays at.",
                                              show_default=False)]
CohortSizeOpt = Annotated[int, typer.Option("--cohort-size", help="Patients per cohort.")]
NCohortsOpt = Annotated[int, typer.Option("--n-cohorts", help="Maximum number of cohorts.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
ConventionOpt = Annotated[str, typer.Option(
    "--convention", help="Boundary counts where n x lambda is a whole number: boin-2.7.2 "
    "(R BOIN 2.7.2: de-escalate only above n x lambda_d) or paper (Liu & Yuan 2015, "
    "R BOIN <= 2.7.1: at or above).")]


def _ints(option: str, text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        values = (-1,)
    if any(v < 0 for v in values):
        raise InputError(option, text, "comma-separated whole numbers >= 0, e.g. 3,3,0")
    return values


def _floats(option: str, text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise InputError(option, text, "comma-separated probabilities, e.g. 0.05,0.1,0.2") from None


_CONVENTION_WORDS = {"boin-2.7.2": "in R BOIN 2.7.2", "paper": "in the paper"}


def _level(index: int | None) -> int | None:
    return None if index is None else index + 1


def _table(*columns: str) -> Table:
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    for column in columns:
        table.add_column(column, justify="right" if column != "Dose level" else "left")
    return table


@boin_app.command("boundaries")
def boundaries(target: TargetOpt, cohort_size: CohortSizeOpt = 3, n_cohorts: NCohortsOpt = 10,
               phi1: Phi1Opt = None, phi2: Phi2Opt = None, cutoff: CutoffOpt = 0.95,
               convention: ConventionOpt = "boin-2.7.2", as_json: JsonOpt = False) -> None:
    """Escalation/de-escalation boundaries and the decision table by patients treated."""
    from hipectrial.design.boin import boin_boundaries

    result = boin_boundaries(target=target, phi1=phi1, phi2=phi2, cutoff=cutoff,
                             cohort_size=cohort_size, n_cohorts=n_cohorts,
                             convention=convention)
    if as_json:
        echo_json(result)
        return
    console = make_console()
    design = result.design
    console.print(Text(f"BOIN target {design.target:g} (phi1 {design.phi1:.3g}, phi2 "
                       f"{design.phi2:.3g}, elimination cutoff {design.cutoff:g}; boundaries "
                       f"counted as {_CONVENTION_WORDS[design.convention]})", style="bold"))
    console.print(f"Escalate if the observed DLT rate <= lambda_e = {result.lambda_e:.4f}; "
                  f"de-escalate if >= lambda_d = {result.lambda_d:.4f}"
                  + (" (> where n x lambda_d is a whole number)"
                     if design.convention == "boin-2.7.2" else ""))
    table = _table("Patients at dose", "Escalate if DLTs <=", "De-escalate if DLTs >=",
                   "Eliminate if DLTs >=")
    for row in result.rows:
        table.add_row(str(row.n), str(row.escalate_at_most), str(row.de_escalate_at_least),
                      "-" if row.eliminate_at_least is None else str(row.eliminate_at_least))
    console.print(table)


@boin_app.command("next")
def next_dose(target: TargetOpt, doses_n: NOpt, doses_dlt: DltOpt,
              current: Annotated[int, typer.Option("--current", help="Current dose level "
                                                   "(1 = lowest).", show_default=False)],
              phi1: Phi1Opt = None, phi2: Phi2Opt = None, cutoff: CutoffOpt = 0.95,
              stop_n_at_dose: StopNOpt = None,
              max_n: Annotated[int | None, typer.Option("--max-n", help="Maximum sample size.",
                                                        show_default=False)] = None,
              convention: ConventionOpt = "boin-2.7.2", as_json: JsonOpt = False) -> None:
    """The dose for the next cohort given the data so far."""
    from hipectrial.design.boin import boin_design
    from hipectrial.design.dose_finding import Action, DoseState

    n, dlt = _ints("doses-n", doses_n), _ints("doses-dlt", doses_dlt)
    if not 1 <= current <= len(n):
        raise InputError("current", current, f"a dose level in 1..{len(n)}")
    design = boin_design(target=target, phi1=phi1, phi2=phi2, cutoff=cutoff,
                         stop_n_at_dose=stop_n_at_dose, max_n=max_n,
                         convention=convention)
    decision = design.decide(DoseState(n=n, dlt=dlt, current=current - 1))
    eliminated = [i + 1 for i, flag in enumerate(decision.eliminated or ()) if flag]
    document = {"action": decision.action, "next_dose_level": _level(decision.next_dose),
                "reason": decision.reason, "selected_dose_level": _level(decision.selected),
                "eliminated_dose_levels": eliminated}
    if as_json:
        echo_json(document)
        return
    console = make_console()
    where = ""
    if decision.next_dose is not None:
        word = "at" if decision.action is Action.STAY else "to"
        where = f" {word} dose level {decision.next_dose + 1}"
    console.print(Text(f"{decision.action.value.upper()}{where}", style="bold"))
    if decision.reason:
        console.print(f"Reason: {decision.reason}")
    if decision.action is Action.STOP:
        chosen = decision.selected
        console.print("Selected: " + ("no dose" if chosen is None else f"dose level {chosen + 1}"))
    if eliminated:
        console.print("Eliminated dose levels: " + ", ".join(map(str, eliminated)))


@boin_app.command("select")
def select(target: TargetOpt, doses_n: NOpt, doses_dlt: DltOpt, cutoff: CutoffOpt = 0.95,
           as_json: JsonOpt = False) -> None:
    """The MTD by isotonic regression at the end of the trial."""
    from hipectrial.design.boin import select_mtd

    n, dlt = _ints("doses-n", doses_n), _ints("doses-dlt", doses_dlt)
    result = select_mtd(target=target, n=n, dlt=dlt, cutoff=cutoff)
    if as_json:
        echo_json({"selected_dose_level": _level(result.selected), "estimates": result.estimates,
                   "eliminated": result.eliminated, "reason": result.reason})
        return
    console = make_console()
    chosen = "no dose" if result.selected is None else f"dose level {result.selected + 1}"
    console.print(Text(f"MTD: {chosen} ({result.reason})", style="bold"))
    table = _table("Dose level", "Patients", "DLTs", "Isotonic estimate", "Eliminated")
    for i, (treated, toxic) in enumerate(zip(n, dlt, strict=True)):
        estimate = result.estimates[i]
        table.add_row(str(i + 1), str(treated), str(toxic),
                      "-" if estimate is None else f"{estimate:.3f}",
                      "yes" if result.eliminated[i] else "")
    console.print(table)


def _lazy_progress(delay_s: float) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A progress callback that shows a bar on stderr only once ``delay_s`` has passed."""
    start = time.monotonic()
    state: dict[str, Progress] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state and time.monotonic() - start > delay_s:
            bar = Progress(console=make_console(stderr=True), transient=True)
            bar.start()
            bar.add_task("Simulating", total=total)
            state["bar"] = bar
        if "bar" in state:
            state["bar"].update(state["bar"].task_ids[0], completed=done)

    def close() -> None:
        if "bar" in state:
            state["bar"].stop()

    return update, close


def _cell(estimate: McEstimate, digits: int = 1) -> str:
    return f"{estimate.value:.{digits}f} ({estimate.se:.{digits + 1}f})"


@boin_app.command("simulate")
def simulate(target: TargetOpt,
             truth: Annotated[str, typer.Option("--truth", help="True DLT probability per dose, "
                                                "lowest first; several scenarios separated by ';' "
                                                "run as a grid on a process pool.",
                                                show_default=False)],
             trials: Annotated[int, typer.Option("--trials", help="Simulated trials.")] = 10_000,
             seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 1,
             cohort_size: CohortSizeOpt = 3, n_cohorts: NCohortsOpt = 10,
             start: Annotated[int, typer.Option("--start", help="Starting dose level.")] = 1,
             phi1: Phi1Opt = None, phi2: Phi2Opt = None, cutoff: CutoffOpt = 0.95,
             stop_n_at_dose: StopNOpt = None, convention: ConventionOpt = "boin-2.7.2",
             as_json: JsonOpt = False, workers: WorkersOpt = None, executor: ExecutorOpt = "local",
             scheduler: SchedulerOpt = None) -> None:
    """Operating characteristics by simulation (Monte-Carlo SE in brackets).

    Several scenarios (``--truth "0.05,0.1,0.2;0.1,0.25,0.4"``) fan out through
    :func:`hipectrial.design.run_grid` on the executor chosen as for ``hipectrial oc`` (a
    local process pool by default, or dask), each with its own seed spawned from ``--seed``,
    with a progress bar.
    """
    from hipectrial.design.boin import boin_design
    from hipectrial.design.boin_sim import simulate_boin

    scenarios = [part for part in truth.split(";") if part.strip()]
    if len(scenarios) > 1:
        _simulate_grid(target, scenarios, trials, seed, cohort_size, n_cohorts, start, phi1, phi2,
                       cutoff, stop_n_at_dose, convention, as_json,
                       executor_choice(executor, workers, scheduler))
        return
    probabilities = _floats("truth", truth)
    if not 1 <= start <= len(probabilities):
        raise InputError("start", start, f"a dose level in 1..{len(probabilities)}")
    design = boin_design(target=target, phi1=phi1, phi2=phi2, cutoff=cutoff,
                         stop_n_at_dose=stop_n_at_dose, convention=convention)
    update, close = _lazy_progress(1.0)
    try:
        oc = simulate_boin(design, truth=probabilities, cohort_size=cohort_size,
                           n_cohorts=n_cohorts, start_dose=start - 1, n_trials=trials, seed=seed,
                           progress=update)
    finally:
        close()
    if as_json:
        echo_json({"design": design, "oc": oc})
        return
    print_oc(design, oc)


def _grid_point(scenario: tuple[BoinDesign, tuple[float, ...], int, int, int, int],
                seed: int) -> DoseFindingOC:
    """One grid scenario (module level, so a process pool can pickle it)."""
    from hipectrial.design.boin_sim import simulate_boin

    design, probabilities, cohort_size, n_cohorts, start_dose, trials = scenario
    return simulate_boin(design, truth=probabilities, cohort_size=cohort_size, n_cohorts=n_cohorts,
                         start_dose=start_dose, n_trials=trials, seed=seed)


def _simulate_grid(target: float, scenarios: list[str], trials: int, seed: int, cohort_size: int,
                   n_cohorts: int, start: int, phi1: float | None, phi2: float | None,
                   cutoff: float, stop_n_at_dose: int | None, convention: str, as_json: bool,
                   choice: ExecutorChoice) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from hipectrial.design.boin import boin_design
    from hipectrial.design.executor import run_grid
    from hipectrial.oc.executors import open_backend

    design = boin_design(target=target, phi1=phi1, phi2=phi2, cutoff=cutoff,
                         stop_n_at_dose=stop_n_at_dose, convention=convention)
    grid = []
    for i, text in enumerate(scenarios):
        probabilities = tuple(_floats(f"truth[{i + 1}]", text))
        if not 1 <= start <= len(probabilities):
            raise InputError("start", start, f"a dose level in 1..{len(probabilities)}")
        grid.append((design, probabilities, cohort_size, n_cohorts, start - 1, trials))
    update, close = _lazy_progress(1.0)
    try:
        with open_backend(choice) as backend, ThreadPoolExecutor(max_workers=1) as here:
            # one worker: the grid runs here, one point after the other (a thread of this process)
            results = run_grid(_grid_point, grid, seed=seed, progress=update,
                               executor=backend.executor or here)
    finally:
        close()
    if as_json:
        echo_json({"design": design, "scenarios": results})
        return
    for oc in results:
        print_oc(design, oc)


def print_oc(design: BoinDesign, oc: DoseFindingOC) -> None:
    console = make_console()
    console.print(Text(f"BOIN target {design.target:g} (boundaries {design.convention.value}): "
                       f"{oc.n_trials} trials, seed {oc.seed}, "
                       f"cohorts of {oc.cohort_size} (at most {oc.n_cohorts}), start dose level "
                       f"{oc.start_dose + 1}", style="bold"))
    table = _table("Dose level", "True DLT prob.", "% selected", "Mean patients", "Mean DLTs")
    for i, p in enumerate(oc.truth):
        table.add_row(str(i + 1), f"{p:g}", _cell(oc.pct_selected[i]),
                      _cell(oc.mean_patients[i], 2), _cell(oc.mean_dlts[i], 2))
    console.print(table)
    console.print(f"No dose selected: {_cell(oc.pct_no_dose)} %; stopped early for toxicity: "
                  f"{_cell(oc.pct_early_stop)} %; stopped with enough at a dose: "
                  f"{_cell(oc.pct_stop_at_dose)} %")
    console.print(f"Mean sample size {_cell(oc.mean_sample_size, 2)}; mean DLTs "
                  f"{_cell(oc.mean_total_dlts, 2)}")


def register(app: typer.Typer) -> None:
    """Add the ``boin`` sub-group to ``app`` (the lead mounts it under ``hipectrial design``)."""
    app.add_typer(boin_app, name="boin")
