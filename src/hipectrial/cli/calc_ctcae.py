"""``hipectrial calc ctcae``: grade one lab value by CTCAE v5.0 and show the working.

The grading itself is :func:`hipectrial.clinical.labs.ctcae.grade_lab`; this module only parses
the options, calls it and prints the result (text, or JSON with ``--json``). Numbers are
passed on as typed, so the core reports a bad number with its field name; its errors
(:class:`~hipectrial.errors.InputError`) reach the user through the root app (exit 2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.text import Text

from hipectrial.cli.output import echo_json, make_console

if TYPE_CHECKING:  # the grading is imported when the command runs (CLI start-up)
    from hipectrial.clinical.labs.ctcae import LabGrade

TestOpt = Annotated[str, typer.Option(
    "--test", help="CDISC code (NEUT, PLAT, HGB, WBC, LYM, ALT, AST, ALP, BILI, CREAT, K, SODIUM) "
                   "or a common name (anc, platelets, hb, bilirubin, potassium...).",
    show_default=False)]
ValueOpt = Annotated[str, typer.Option("--value", help="The result as reported.", show_default=False)]
UnitOpt = Annotated[str, typer.Option(
    "--unit", help="Unit as on the report: 10^9/L, /mm3, g/L, g/dL, U/L, umol/L, mg/dL, mmol/L...",
    show_default=False)]
LlnOpt = Annotated[str | None, typer.Option("--lln", help="The site's lower limit of normal.")]
UlnOpt = Annotated[str | None, typer.Option("--uln", help="The site's upper limit of normal.")]
BaselineOpt = Annotated[str | None, typer.Option(
    "--baseline", help="The participant's baseline value (ALT, AST, ALP, bilirubin, creatinine).")]
RefUnitOpt = Annotated[str | None, typer.Option(
    "--ref-unit", help="Unit of --lln, --uln and --baseline when not the value's unit.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def ctcae(test: TestOpt, value: ValueOpt, unit: UnitOpt, lln: LlnOpt = None, uln: UlnOpt = None,
          baseline: BaselineOpt = None, ref_unit: RefUnitOpt = None, as_json: JsonOpt = False) -> None:
    """Grade a lab value by CTCAE v5.0: the grade, the term and the steps to check it."""
    from hipectrial.clinical.labs.ctcae import grade_lab

    result = grade_lab(test=test, value=value, unit=unit, lln=lln, uln=uln, baseline=baseline,
                       reference_unit=ref_unit)
    if as_json:
        echo_json(result)
        return
    print_lab_grade(make_console(), result)


def print_lab_grade(console: Console, result: LabGrade) -> None:
    """The grade first, then the values used, the steps, flags and notes, and the source."""
    from hipectrial.clinical.labs.units import number_text

    console.print(Text(f"{result.headline}  ({result.version})", style="bold"))
    refs = [f"{name} {number_text(v)} {result.unit}" for name, v in
            (("LLN", result.lln), ("ULN", result.uln), ("baseline", result.baseline)) if v is not None]
    value = f"{result.test.value} {number_text(result.value)} {result.unit}"
    console.print("  " + "; ".join([value, *refs]))
    if result.grade == result.lab_derivable_max_grade and result.lab_derivable_max_grade < 4:
        console.print(f"  highest grade a lab value can give: {result.lab_derivable_max_grade}")
    console.print("Steps")
    for number, step in enumerate(result.steps, start=1):
        console.print(f"  {number}. {step}")
    if result.flags:
        console.print("Flags: " + ", ".join(flag.value for flag in result.flags))
    if result.notes:
        console.print("Notes")
        for note in result.notes:
            console.print(f"  - {note}")
    console.print(f"Source: {result.source}")


def register(app: typer.Typer) -> None:
    """Add the ``ctcae`` command to ``app`` (the lead wires it into the ``calc`` group)."""
    app.command("ctcae")(ctcae)
