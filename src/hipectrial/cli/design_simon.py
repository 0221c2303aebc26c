"""``hipectrial design simon | simon-decide``: Simon two-stage designs and decisions.

The search is :func:`hipectrial.design.simon.simon_design` and the decision and estimate
:mod:`hipectrial.design.simon_inference`; this module only parses options, calls them and
prints a table (or JSON with ``--json``). Their :class:`~hipectrial.errors.InputError`
reaches the user through the root app (exit 2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from hipectrial.cli.output import echo_json, make_console

if TYPE_CHECKING:  # the statistics (SciPy) are imported when a command runs (CLI start-up)
    from hipectrial.design.simon import SimonCharacteristics, SimonSearch
    from hipectrial.design.simon_inference import SimonDecision

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _design_document(oc: SimonCharacteristics, kind: str, q: tuple[float, float]) -> dict[str, object]:
    d = oc.design
    return {"kind": kind, "r1": d.r1, "n1": d.n1, "r": d.r, "n": d.n, "alpha": oc.alpha,
            "power": oc.power, "en0": oc.en0, "pet0": oc.pet0, "en1": oc.en1, "pet1": oc.pet1,
            "q_low": q[0], "q_high": q[1]}


def _kind(found: SimonSearch, oc: SimonCharacteristics) -> str:
    kinds = [name for name, best in (("minimax", found.minimax), ("optimal", found.optimal)) if best == oc]
    return " + ".join(kinds) if kinds else "admissible"


def simon(
    p0: Annotated[float, typer.Option("--p0", help="Uninteresting response rate (H0).", show_default=False)],
    p1: Annotated[float, typer.Option("--p1", help="Target response rate.", show_default=False)],
    alpha: Annotated[float, typer.Option("--alpha", help="Largest one-sided type I error.",
                                         show_default=False)],
    power: Annotated[float, typer.Option("--power", help="Smallest power at p1.", show_default=False)],
    nmax: Annotated[int, typer.Option(
        "--nmax", help="Largest total sample size searched, 2 to 500 (clinfun's default: 100).")] = 100,
    as_json: JsonOpt = False,
) -> None:
    """Optimal, minimax and admissible Simon two-stage designs (exact binomial)."""
    from hipectrial.design.simon import simon_design

    found = simon_design(p0=p0, p1=p1, alpha=alpha, power=power, nmax=nmax)
    rows = [_design_document(oc, _kind(found, oc), q)
            for oc, q in zip(found.admissible, found.weights, strict=True)]
    if as_json:
        echo_json({"p0": found.p0, "p1": found.p1, "alpha": found.alpha, "power": found.power,
                   "nmax": found.nmax, "designs": rows})
        return
    console = make_console()
    console.print(Text(f"Simon two-stage designs: p0 {found.p0:g} -> p1 {found.p1:g}, "
                       f"alpha <= {found.alpha:g}, power >= {found.power:g}, n <= {found.nmax}",
                       style="bold"))
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    for column in ("Design", "r1/n1", "r/n", "alpha", "power", "EN0", "PET0", "EN1", "q range"):
        table.add_column(column, justify="left" if column in ("Design", "q range") else "right")
    for row in rows:
        table.add_row(str(row["kind"]), f"{row['r1']}/{row['n1']}", f"{row['r']}/{row['n']}",
                      f"{row['alpha']:.4f}", f"{row['power']:.4f}", f"{row['en0']:.1f}",
                      f"{row['pet0']:.2f}", f"{row['en1']:.1f}", f"{row['q_low']:.3f}-{row['q_high']:.3f}")
    console.print(table)
    console.print("Stop after stage 1 if responses <= r1 among n1; reject H0 if responses > r among n. "
                  "Admissible: minimises q*n + (1-q)*EN0 for q in the range (Jung et al. 2004).")


def _decision_document(decision: SimonDecision, level: float, p0: float | None) -> dict[str, object]:
    d = decision.design
    document: dict[str, object] = {
        "design": {"r1": d.r1, "n1": d.n1, "r": d.r, "n": d.n},
        "responses": decision.responses, "enrolled": decision.enrolled, "stage": decision.stage,
        "action": decision.action.value, "futility_certain": decision.futility_certain,
        "success_certain": decision.success_certain, "complete": decision.complete,
        "reject_h0": decision.reject_h0, "reasons": list(decision.reasons), "estimate": None}
    est = decision.estimate
    if est is not None:
        ci = est.confidence_interval(level)
        document["estimate"] = {
            "stage": est.stage, "proportion": est.proportion, "umvue": est.umvue,
            "ci_low": ci.low, "ci_high": ci.high, "confidence_level": ci.confidence_level,
            "ci_method": ci.method, "p0": p0, "pvalue": est.pvalue(p0) if p0 is not None else None}
    return document


def decide(
    r1: Annotated[int, typer.Option("--r1", help="Stop after stage 1 with at most r1 responses.",
                                    show_default=False)],
    n1: Annotated[int, typer.Option("--n1", help="Participants in stage 1.", show_default=False)],
    r: Annotated[int, typer.Option("--r", help="Reject H0 with more than r responses in all n.",
                                   show_default=False)],
    n: Annotated[int, typer.Option("--n", help="Participants in both stages.", show_default=False)],
    responses: Annotated[int, typer.Option("--responses", help="Responses so far.", show_default=False)],
    enrolled: Annotated[int, typer.Option("--enrolled", help="Evaluable participants so far.",
                                          show_default=False)],
    level: Annotated[float, typer.Option("--confidence-level",
                                         help="Level of the interval of a completed trial.")] = 0.95,
    p0: Annotated[float | None, typer.Option("--p0", help="H0 response rate, for the p-value of a "
                                             "completed trial.", show_default=False)] = None,
    as_json: JsonOpt = False,
) -> None:
    """The design's decision on the data so far; for a completed trial, the estimate and CI."""
    from hipectrial.design.simon_inference import simon_decide

    decision = simon_decide(r1=r1, n1=n1, r=r, n=n, responses=responses, enrolled=enrolled)
    document = _decision_document(decision, level, p0)
    if as_json:
        echo_json(document)
        return
    console = make_console()
    console.print(Text(f"Simon {decision.design}: {decision.responses} responses in "
                       f"{decision.enrolled} enrolled (stage {decision.stage})", style="bold"))
    console.print(Text(f"Decision: {decision.action.value}", style="bold"))
    for reason in decision.reasons:
        console.print(f"  - {reason}")
    est = decision.estimate
    if est is not None:
        ci = est.confidence_interval(level)
        console.print(f"Estimate (trial ended at stage {est.stage}, {est.responses}/{est.enrolled}):")
        console.print(f"  proportion {est.proportion:.4f}; UMVUE {est.umvue:.4f} (Jung & Kim 2004)")
        console.print(f"  {ci.confidence_level:.0%} CI {ci.low:.4f} to {ci.high:.4f} ({ci.method})")
        if p0 is not None:
            console.print(f"  one-sided p-value for H0 p <= {p0:g}: {est.pvalue(p0):.4g} (stage-wise)")


def register(app: typer.Typer) -> None:
    """Add the ``simon`` and ``simon-decide`` commands to ``app``."""
    app.command("simon")(simon)
    app.command("simon-decide")(decide)
