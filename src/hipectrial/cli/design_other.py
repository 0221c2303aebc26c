"""``threeplusthree simulate`` and ``monitor``: 3+3 operating characteristics and the Bayesian
toxicity-monitoring rule, as tables or JSON.

The statistics are :mod:`hipectrial.design.threeplusthree` and
:mod:`hipectrial.design.monitor`; this module parses the options, calls them and prints the
results. Their :class:`~hipectrial.errors.InputError` reaches the user through the root app
(exit 2). ``register(app)`` adds both to a Typer app (the lead mounts them under
``hipectrial design``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from hipectrial.cli.output import echo_json, make_console
from hipectrial.errors import InputError

if TYPE_CHECKING:  # the statistics (SciPy) are imported when a command runs (CLI start-up)
    from hipectrial.design.monitor import MonitorOC, ToxicityMonitor
    from hipectrial.design.threeplusthree import ThreePlusThreeOC

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _rates(field: str, text: str) -> list[float]:
    """``0.05,0.1,0.2`` as floats; anything else is an InputError naming the option."""
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise InputError(field, text, "comma-separated probabilities, e.g. 0.05,0.1,0.2") from None


def _table(title: str, columns: tuple[str, ...]) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD,
                  header_style="bold", pad_edge=False, collapse_padding=True)
    for number, column in enumerate(columns):
        table.add_column(column, justify="left" if number == 0 else "right")
    return table


# -- threeplusthree simulate ---------------------------------------------------------------


def simulate(
    truth: Annotated[str, typer.Option(
        "--truth", help="True DLT probability at each dose, lowest first, e.g. 0.05,0.1,0.2,0.3.",
        show_default=False)],
    trials: Annotated[int | None, typer.Option(
        "--trials", help="Simulated trials [default: 10000; none with --exact unless given].",
        show_default=False)] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random-number generator.")] = 1,
    deescalation: Annotated[bool, typer.Option(
        "--deescalation/--no-deescalation",
        help="Expand the dose below an exceeded dose to 6 before declaring it the MTD.")] = True,
    exact: Annotated[bool, typer.Option(
        "--exact", help="Exact operating characteristics (all trial paths); add --trials to also simulate.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Operating characteristics of the 3+3 design: P(select each dose), patients and DLTs per dose."""
    from hipectrial.design.threeplusthree import threeplusthree_exact, threeplusthree_simulate

    rates = _rates("truth", truth)
    if trials is not None and trials < 2:
        raise InputError("trials", trials, "a whole number >= 2")
    exact_oc = threeplusthree_exact(truth=rates, deescalation=deescalation) if exact else None
    simulated = None
    if trials is not None or not exact:
        simulated = threeplusthree_simulate(truth=rates, n_trials=10_000 if trials is None else trials,
                                            seed=seed, deescalation=deescalation)
    if as_json:
        echo_json({"design": "3+3", "deescalation": deescalation, "truth": rates, "exact": exact_oc,
                   "simulation": simulated})
        return
    console = make_console()
    for oc in (exact_oc, simulated):
        if oc is not None:
            print_threeplusthree(console, oc)


def print_threeplusthree(console: Console, oc: ThreePlusThreeOC) -> None:
    variant = "with" if oc.deescalation else "without"
    if oc.method == "exact":
        title = f"3+3 {variant} de-escalation: exact ({oc.paths} trial paths)"
    else:
        title = f"3+3 {variant} de-escalation: {oc.n_trials} simulated trials, seed {oc.seed} (± 1 SE)"
    table = _table(title, ("Dose level", "True P(DLT)", "P(select)", "E[patients]", "E[DLTs]"))
    se = oc.standard_errors

    def cell(value: float, error: float | None, digits: int) -> str:
        return f"{value:.{digits}f}" + (f" ± {error:.{digits}f}" if error is not None else "")

    for dose, p in enumerate(oc.truth):
        table.add_row(str(dose + 1), f"{p:g}",
                      cell(oc.prob_select[dose], se.prob_select[dose] if se else None, 4),
                      cell(oc.expected_patients[dose], se.expected_patients[dose] if se else None, 3),
                      cell(oc.expected_dlts[dose], se.expected_dlts[dose] if se else None, 3))
    table.add_row("no MTD", "", cell(oc.prob_no_mtd, se.prob_no_mtd if se else None, 4), "", "")
    table.add_row("total", "", "", cell(oc.expected_sample_size, se.expected_sample_size if se else None, 3),
                  cell(sum(oc.expected_dlts), None, 3))
    console.print(table)


# -- monitor ---------------------------------------------------------------------------------


def monitor(
    p_tox: Annotated[str, typer.Option(
        "--p-tox", help="True toxicity rates to evaluate, e.g. 0.1,0.2,0.3,0.4.", show_default=False)],
    threshold: Annotated[float, typer.Option(
        "--threshold", help="Unacceptable toxicity rate, in (0, 1).", show_default=False)],
    cutoff: Annotated[float, typer.Option(
        "--cutoff", help="Stop when P(rate > threshold | data) exceeds this, in (0, 1).",
        show_default=False)],
    max_n: Annotated[int, typer.Option("--max-n", help="Largest number of participants.",
                                       show_default=False)],
    every: Annotated[int, typer.Option("--every", help="Participants between looks.")] = 5,
    prior_a: Annotated[float, typer.Option("--prior-a", help="Beta prior a.")] = 1.0,
    prior_b: Annotated[float, typer.Option("--prior-b", help="Beta prior b.")] = 1.0,
    as_json: JsonOpt = False,
) -> None:
    """Bayesian toxicity stopping boundaries (beta-binomial) and their exact operating characteristics."""
    from hipectrial.design.monitor import toxicity_monitor

    rates = _rates("p_tox", p_tox)
    rule = toxicity_monitor(threshold=threshold, cutoff=cutoff, max_n=max_n, every=every,
                            prior_a=prior_a, prior_b=prior_b)
    ocs = rule.operating_characteristics(p_tox=rates)
    if as_json:
        echo_json({"threshold": rule.threshold, "cutoff": rule.cutoff, "prior_a": rule.prior_a,
                   "prior_b": rule.prior_b, "every": rule.every, "max_n": rule.max_n,
                   "looks": rule.looks, "operating_characteristics": ocs})
        return
    print_monitor(make_console(), rule, ocs)


def print_monitor(console: Console, rule: ToxicityMonitor, ocs: tuple[MonitorOC, ...]) -> None:
    prior = f"Beta({rule.prior_a:g}, {rule.prior_b:g})"
    boundaries = _table(f"Stop if P(rate > {rule.threshold:g} | data) > {rule.cutoff:g}, prior {prior}",
                        ("Participants", "Stop if events >=", "P(rate > threshold) at boundary"))
    for look in rule.looks:
        if look.stop_at is None or look.posterior_at_boundary is None:
            boundaries.add_row(str(look.n), "never", "")
        else:
            boundaries.add_row(str(look.n), str(look.stop_at), f"{look.posterior_at_boundary:.4f}")
    console.print(boundaries)
    table = _table("Operating characteristics (exact)", ("True rate", "P(stop)", "E[participants]"))
    for oc in ocs:
        table.add_row(f"{oc.p_tox:g}", f"{oc.prob_stop:.4f}", f"{oc.expected_n:.2f}")
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the ``threeplusthree`` group (``simulate``) and the ``monitor`` command to ``app``."""
    group = typer.Typer(help="The 3+3 dose-escalation design.", no_args_is_help=True)
    group.command("simulate")(simulate)
    app.add_typer(group, name="threeplusthree")
    app.command("monitor")(monitor)
