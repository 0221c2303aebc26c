"""``hipectrial calc recist``: RECIST 1.1 responses from a JSON file of tumour assessments.

The file (``examples/recist-assessments.json`` is a worked example)::

    {
      "participant": "SH01-003",                 optional, shown in the heading
      "reference_date": "2025-01-06",            the date the SD minimum counts from
      "confirmation_days": 28,                   optional: CR/PR confirmation interval, days
      "sd_minimum_days": 35,                     optional: SD counts from this many days after it
      "cutoff_date": "2025-05-20",               optional: surgery / new anticancer therapy;
                                                 later assessments are excluded
      "baseline": {
        "date": "2025-01-02",
        "method": "ct", "slice_thickness_mm": 5, optional defaults for the lesions
        "lesions": [
          {"id": "T1", "organ": "liver", "role": "target", "longest_diameter_mm": 32},
          {"id": "T2", "organ": "lymph_node", "role": "target", "kind": "node",
           "short_axis_mm": 18},
          {"id": "NT1", "organ": "peritoneum", "role": "non_target",
           "kind": "peritoneal_carcinomatosis"}
        ]
      },
      "assessments": [
        {"date": "2025-02-17",
         "targets": [{"lesion_id": "T1", "longest_diameter_mm": 20},
                     {"lesion_id": "T2", "status": "too_small"}],
         "non_targets": [{"lesion_id": "NT1", "status": "present"}],
         "new_lesions": [],
         "tumour_markers_normal": true}
      ]
    }

A lesion's ``kind`` is ``solid`` unless given (``node`` for a lymph node, or a kind of
non-measurable disease); its ``method`` and ``slice_thickness_mm`` default to the
baseline's. A target's ``status`` is ``measured`` unless given (``too_small``,
``disappeared``, ``split``, ``coalesced``, ``not_evaluated``). Non-target statuses:
``present``, ``disappeared``, ``unequivocal_progression``, ``not_evaluated``.

The reference date (the participant's registration date in the seed protocol) is required.
The confirmation interval and the SD minimum come from the protocol's
``response_assessment`` section (28 and 35 days in the seed protocol, protocol-decisions.md
"Endpoints") unless the file gives them; a file that gives them is used as written and the
output says so.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from hipectrial.cli.output import echo_json, make_console

# Reading the file (pydantic) and RECIST itself are imported when the command runs (CLI start-up).
if TYPE_CHECKING:
    from hipectrial.cli.recist_file import RecistIn
    from hipectrial.clinical.recist import RecistEvaluation, Response, TimepointResult

def _number(value: object) -> str:
    if value is None:
        return "—"
    text = f"{value:f}" if isinstance(value, Decimal) else str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _change(mm: object, pct: object) -> str:
    if mm is None:
        return "—"
    sign = "+" if not str(mm).startswith("-") else ""
    shown = f"{sign}{_number(mm)} mm"
    return shown + (f" ({sign}{_number(pct)} %)" if pct is not None else "")


def _label(response: Response | None) -> str:
    return response.label if response is not None else "—"


def _timepoint_row(t: TimepointResult) -> list[str]:
    sod = _number(t.sum_of_diameters_mm)
    if t.sum_of_diameters_mm is None and t.evaluated_sum_mm is not None:
        sod = f"NE ({_number(t.evaluated_sum_mm)} evaluated)"
    return [t.date.isoformat(), sod, _change(t.change_from_baseline_mm, t.change_from_baseline_pct),
            _number(t.nadir_sum_mm), _change(t.change_from_nadir_mm, t.change_from_nadir_pct),
            _label(t.target_response), _label(t.non_target_response),
            "yes" if t.new_lesions else "no", t.overall_response.label]


def _print(console: Console, data: RecistIn, ev: RecistEvaluation, path: Path) -> None:
    who = f" — participant {data.participant}" if data.participant else ""
    console.print(f"RECIST 1.1{who} ({path.name})", style="bold")
    cut = f"; cut-off {data.cutoff_date.isoformat()}" if data.cutoff_date else "; no cut-off"
    console.print(f"Reference date {data.reference_date.isoformat()}; confirmation >= "
                  f"{data.confirmation_days} days; SD >= {data.sd_minimum_days} days after the reference "
                  f"date{cut}", soft_wrap=True)
    console.print()
    console.print(f"Baseline {ev.baseline_date.isoformat()}", style="bold")
    for step in ev.baseline.steps:
        console.print(f"  {step}", soft_wrap=True)
    console.print()
    table = Table(title="Assessments", title_justify="left", title_style="bold", box=box.SIMPLE_HEAD,
                  header_style="bold", pad_edge=False)
    for column in ("Date", "SOD mm", "vs baseline", "Nadir mm", "vs nadir", "Target", "Non-target", "New",
                   "Overall"):
        table.add_column(column, overflow="fold")
    for t in ev.timepoints:
        table.add_row(*_timepoint_row(t))
    console.print(table)
    if ev.excluded:
        dates = ", ".join(a.date.isoformat() for a in ev.excluded)
        console.print(f"Excluded (after the cut-off): {dates}")
    for t in ev.timepoints:
        console.print()
        console.print(f"{t.date.isoformat()}: {t.overall_response.label}", style="bold")
        for step in t.steps:
            console.print(f"  {step}", soft_wrap=True)
    console.print()
    best = ev.best
    confirmed = f", confirmed {best.confirmation_date.isoformat()}" if best.confirmation_date else ""
    when = f" ({best.date.isoformat()}{confirmed})" if best.date else ""
    console.print(f"Best overall response: {best.response.label}{when}", style="bold")
    for step in best.steps:
        console.print(f"  {step}", soft_wrap=True)


def _document(data: RecistIn, ev: RecistEvaluation, path: Path) -> dict[str, object]:
    best = ev.best
    return {
        "file": str(path),
        "participant": data.participant,
        "settings": {"reference_date": data.reference_date, "confirmation_days": data.confirmation_days,
                     "sd_minimum_days": data.sd_minimum_days, "cutoff_date": data.cutoff_date},
        "baseline": {"date": ev.baseline_date, "sum_of_diameters_mm": ev.baseline.sum_of_diameters_mm,
                     "measurable_disease": ev.baseline.measurable_disease,
                     "lesions": [dataclasses.asdict(les) for les in ev.baseline.lesions],
                     "steps": list(ev.baseline.steps)},
        "assessments": [dataclasses.asdict(t) for t in ev.timepoints],
        "excluded": [a.date for a in ev.excluded],
        "best_overall_response": {
            "response": best.response, "date": best.date, "confirmation_date": best.confirmation_date,
            "objective_response": best.objective_response, "disease_control": best.disease_control,
            "readings": [dataclasses.asdict(r) for r in best.readings], "steps": list(best.steps)},
    }


FileOpt = Annotated[Path, typer.Option("--file", "-f", help="JSON file of baseline and follow-up assessments "
                                       "(see examples/recist-assessments.json).", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


ProtocolOpt = Annotated[Path | None, typer.Option(
    "--protocol", help="Protocol file for the confirmation interval and SD minimum (default: the seed).",
    show_default=False)]


def recist(file: FileOpt, as_json: JsonOpt = False, protocol_file: ProtocolOpt = None) -> None:
    """RECIST 1.1: sum of diameters, changes and responses per assessment, and the confirmed BOR.

    Checks the baseline selection (measurability, at most 5 targets and 2 per organ), then
    evaluates each assessment up to the cut-off and derives the best overall response with
    confirmation and the SD minimum, showing the working. A bad file or value exits 2 with a
    message naming the JSON field.
    """
    from hipectrial.cli.protocol_cache import load_protocol_cached
    from hipectrial.cli.recist_file import evaluate_file, read_recist_file, with_protocol_settings

    data = with_protocol_settings(read_recist_file(file),
                                  load_protocol_cached(protocol_file).response_assessment)
    evaluation = evaluate_file(data)
    if as_json:
        echo_json(_document(data, evaluation, file))
        return
    _print(make_console(), data, evaluation, file)


HELP = (
    "RECIST 1.1 from a JSON file: sum of diameters, change from baseline and nadir, and the target, "
    "non-target and overall response at each assessment, then the best overall response with "
    "confirmation and the SD minimum, with the working.\n\n"
    "The baseline selection is checked first (measurability; at most 5 targets, 2 per organ). "
    "Assessments after cutoff_date (surgery, new therapy) are excluded. "
    "The file format is in examples/recist-assessments.json and the module hipectrial.cli.calc_recist. "
    "A bad file or value exits 2 with a message naming the JSON field."
)


def register(app: typer.Typer) -> None:
    """Add the ``recist`` command to ``app`` (the ``calc`` group)."""
    app.command("recist", help=HELP)(recist)
