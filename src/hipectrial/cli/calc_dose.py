"""``hipectrial calc bsa | crcl | dose``: body-surface area, creatinine clearance and a
cycle's doses, with the working.

The calculations are :mod:`hipectrial.clinical.body` and
:func:`hipectrial.clinical.dosing.prescribe.prescribe` (or ``prescribe_hipec``); this module only
parses the options, calls them and prints the result (text, or JSON with ``--json``).
Numbers are passed on as typed, so the core reports a bad number with its field name; its
errors (:class:`~hipectrial.errors.InputError`) reach the user through the root app (exit 2).
The seed protocol is used unless ``--protocol FILE`` names another; it is loaded through
:mod:`hipectrial.cli.protocol_cache`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from hipectrial.cli.output import echo_json, make_console
from hipectrial.errors import InputError

# The calculators (and the protocol loader behind them) are imported by each command when it
# runs, so that `hipectrial --help` and the other commands do not pay for them.
if TYPE_CHECKING:
    from hipectrial.clinical.body import BsaResult, CrclResult
    from hipectrial.clinical.dosing.result import AgentDose, Prescription
    from hipectrial.protocol import Protocol

ProtocolOpt = Annotated[Path | None, typer.Option(
    "--protocol", help="Protocol YAML file; the seed protocol when omitted.", metavar="FILE",
    show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
HeightOpt = Annotated[str, typer.Option("--height-cm", help="Height in cm, measured at this visit.",
                                        show_default=False)]
WeightOpt = Annotated[str, typer.Option("--weight-kg", help="Weight in kg, measured at this visit.",
                                        show_default=False)]
AgeOpt = Annotated[int, typer.Option("--age", help="Age in whole years.", show_default=False)]
SexOpt = Annotated[str, typer.Option("--sex", help="male or female.", show_default=False)]
CreatinineOpt = Annotated[str, typer.Option("--creatinine", help="Serum creatinine.", show_default=False)]
UnitOpt = Annotated[str, typer.Option("--unit", help="Unit of --creatinine: umol/L or mg/dL.",
                                      show_default=False)]


def _protocol(path: Path | None) -> Protocol:
    from hipectrial.cli.protocol_cache import load_protocol_cached

    return load_protocol_cached(path)


def _steps(console: Console, steps: tuple[str, ...], indent: str = "  ") -> None:
    for number, step in enumerate(steps, start=1):
        console.print(f"{indent}{number}. {step}")


# -- bsa ------------------------------------------------------------------------------------


def bsa(height_cm: HeightOpt, weight_kg: WeightOpt,
        method: Annotated[str | None, typer.Option(
            "--method", help="mosteller or dubois; the protocol's method when omitted.",
            show_default=False)] = None,
        protocol: ProtocolOpt = None, as_json: JsonOpt = False) -> None:
    """Body-surface area (m2) by the protocol's method and rounding, with the working."""
    from hipectrial.clinical.body import body_limits, body_surface_area

    trial = _protocol(protocol)
    settings = trial.dose_calculation.bsa
    if method is not None:
        if method not in ("mosteller", "dubois"):
            raise InputError("method", method, "mosteller or dubois")
        settings = settings.model_copy(update={"method": method})
    result = body_surface_area(height_cm=height_cm, weight_kg=weight_kg, settings=settings,
                               limits=body_limits(trial))
    if as_json:
        echo_json(result)
        return
    print_bsa(make_console(), result)


def print_bsa(console: Console, result: BsaResult) -> None:
    from hipectrial.clinical.dosing.rules import amount_text

    method = "Mosteller" if result.method == "mosteller" else "Du Bois"
    console.print(Text(f"BSA {result.bsa_m2} m2 ({method}; {amount_text(result.height_cm)} cm, "
                       f"{amount_text(result.weight_kg)} kg)", style="bold"))
    console.print("Steps")
    _steps(console, result.steps)


# -- crcl -----------------------------------------------------------------------------------


def crcl(age: AgeOpt, sex: SexOpt, weight_kg: WeightOpt, creatinine: CreatinineOpt, unit: UnitOpt,
         protocol: ProtocolOpt = None, as_json: JsonOpt = False) -> None:
    """Creatinine clearance (Cockcroft-Gault, actual weight) as the protocol computes it."""
    from hipectrial.clinical.body import body_limits, creatinine_clearance

    trial = _protocol(protocol)
    result = creatinine_clearance(age_years=age, sex=sex, weight_kg=weight_kg, creatinine=creatinine,
                                  unit=unit, settings=trial.dose_calculation.crcl, limits=body_limits(trial))
    if as_json:
        echo_json(result)
        return
    print_crcl(make_console(), result)


def print_crcl(console: Console, result: CrclResult) -> None:
    from hipectrial.clinical.dosing.rules import amount_text

    console.print(Text(f"CrCl {result.crcl_ml_min} mL/min (Cockcroft-Gault; {result.sex.value}, "
                       f"{result.age_years} y, {amount_text(result.weight_kg)} kg, creatinine "
                       f"{amount_text(result.creatinine)} {result.creatinine_unit})", style="bold"))
    console.print("Steps")
    _steps(console, result.steps)


# -- dose -----------------------------------------------------------------------------------


def _pairs(option: str, texts: list[str]) -> dict[str, int]:
    """``AGENT=N`` options as a mapping; a malformed one is an InputError naming the option."""
    pairs: dict[str, int] = {}
    for text in texts:
        agent, sep, number = text.partition("=")
        try:
            value = int(number)
        except ValueError:
            value = -1
        if not sep or not agent.strip() or value < 0:
            raise InputError(option, text, "AGENT=N with N a whole number >= 0, e.g. s-1=1")
        pairs[agent.strip()] = value
    return pairs


def dose(
    cohort: Annotated[str, typer.Option("--cohort", help="Cohort id, e.g. HER2-negative.",
                                        show_default=False)],
    dose_level: Annotated[str, typer.Option("--dose-level", help="Dose level id, e.g. 1.",
                                            show_default=False)],
    height_cm: HeightOpt, weight_kg: WeightOpt, creatinine: CreatinineOpt, unit: UnitOpt, age: AgeOpt,
    sex: SexOpt,
    cycle: Annotated[int, typer.Option("--cycle", help="Cycle number within the phase.")] = 1,
    phase: Annotated[str | None, typer.Option(
        "--phase", help="Treatment phase id; the protocol's first phase when omitted.",
        show_default=False)] = None,
    hipec: Annotated[str | None, typer.Option(
        "--hipec", help="Prescribe this HIPEC session (e.g. diagnostic-laparoscopy) instead of a cycle.",
        show_default=False, metavar="SESSION")] = None,
    dosing_weight_kg: Annotated[str | None, typer.Option(
        "--dosing-weight-kg", help="The weight the current doses were based on.", show_default=False)] = None,
    reductions: Annotated[list[str] | None, typer.Option(
        "--reductions", help="Permanent reductions taken so far, AGENT=N (repeatable).",
        show_default=False, metavar="AGENT=N")] = None,
    days_late: Annotated[list[str] | None, typer.Option(
        "--days-late", help="Days after its due date this dose of AGENT is given, AGENT=N (repeatable).",
        show_default=False, metavar="AGENT=N")] = None,
    protocol: ProtocolOpt = None, as_json: JsonOpt = False,
) -> None:
    """Each agent's dose for one cycle (or HIPEC session), with unit, schedule and the working."""
    from hipectrial.clinical.dosing.inputs import AgentState, Cycle, DosingParticipant, ParticipantDoseState
    from hipectrial.clinical.dosing.prescribe import prescribe, prescribe_hipec

    loaded = _protocol(protocol)
    taken = _pairs("reductions", reductions or [])
    state = ParticipantDoseState(agents={a: AgentState(reductions=n) for a, n in taken.items()})
    participant = DosingParticipant(cohort=cohort, dose_level=dose_level, sex=sex, age_years=age,
                              height_cm=height_cm, weight_kg=weight_kg, creatinine=creatinine,
                              creatinine_unit=unit, dosing_weight_kg=dosing_weight_kg, state=state)
    if hipec is not None:
        result = prescribe_hipec(protocol=loaded, participant=participant, session=hipec)
    else:
        which = Cycle(phase=phase if phase is not None else loaded.phases[0].id, number=cycle,
                      days_late=_pairs("days-late", days_late or []))
        result = prescribe(protocol=loaded, participant=participant, cycle=which)
    if as_json:
        echo_json(prescription_document(result))
        return
    print_prescription(make_console(), result)


def prescription_document(result: Prescription) -> dict[str, object]:
    """The prescription as a JSON document: every field, plus each dose's one-line text."""
    document = dataclasses.asdict(result)
    for dose_doc, dose_value in zip(document["doses"], result.doses, strict=True):
        dose_doc["unit"] = "mg"
        dose_doc["daily_mg"] = dose_value.daily_mg
        dose_doc["text"] = dose_value.text
    return document


def _dose_cell(dose_value: AgentDose) -> str:
    from hipectrial.clinical.dosing.rules import amount_text

    if dose_value.amount_mg is None:
        return dose_value.status.value
    return f"{amount_text(dose_value.amount_mg)} mg"


def print_prescription(console: Console, result: Prescription) -> None:
    """The doses first (a table), then the body measures, then each agent's working."""
    from hipectrial.clinical.dosing.rules import amount_text

    where = (f"HIPEC session {result.session}" if result.session is not None
             else f"{result.phase} cycle {result.cycle}")
    console.print(Text(f"{result.protocol_id} · {result.cohort} · dose level {result.dose_level} · {where}",
                       style="bold"))
    console.print(f"BSA {result.bsa.bsa_m2} m2 (dosing weight {amount_text(result.dosing_weight_kg)} kg) · "
                  f"CrCl {result.crcl.crcl_ml_min} mL/min")
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, collapse_padding=True)
    for column in ("Agent", "Dose", "Route", "Schedule", "Units / note"):
        table.add_column(column, overflow="fold")
    for d in result.doses:
        note = " + ".join(str(u) for u in d.units) if d.units else (d.reason or "")
        if d.loading:
            note = "loading dose" + (f"; {note}" if note else "")
        if d.new_reductions:
            note += ("; " if note else "") + f"new reduction: record {', '.join(d.rules)}"
        table.add_row(d.name, _dose_cell(d), d.route, d.schedule if d.given else "-", note)
    console.print(table)
    console.print(Text("Body", style="bold"))
    _steps(console, result.steps)
    for d in result.doses:
        console.print(Text(f"{d.name} ({d.agent})", style="bold"))
        _steps(console, d.steps)
    if result.rules_applied:
        console.print(f"Rules applied now (record in the dose state): {', '.join(result.rules_applied)}")


def register(app: typer.Typer) -> None:
    """Add the ``bsa``, ``crcl`` and ``dose`` commands to ``app`` (the lead wires them into ``calc``)."""
    app.command("bsa")(bsa)
    app.command("crcl")(crcl)
    app.command("dose")(dose)
