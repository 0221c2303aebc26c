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
import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rich import box
from rich.console import Console
from rich.table import Table

from hipectrial.cli.output import echo_json, make_console
from hipectrial.clinical.recist import (
    BaselineLesion,
    FollowUpAssessment,
    NonTargetObservation,
    RecistEvaluation,
    Response,
    TargetMeasurement,
    TimepointResult,
    check_baseline,
    evaluate_recist,
)
from hipectrial.clinical.recist_baseline import MAX_SLICE_THICKNESS_MM
from hipectrial.clinical.recist_vocab import MeasurementMethod, require_enum, require_mm
from hipectrial.errors import InputError
from hipectrial.protocol import load_protocol
from hipectrial.protocol.endpoints import ResponseAssessment

T = TypeVar("T")


class _Missing:
    def __repr__(self) -> str:
        return "nothing"


MISSING = _Missing()


class _In(BaseModel):
    # Structure only (required keys, no unknown keys, dates, whole numbers); the values of
    # lesions go to hipectrial.clinical unchanged, which checks them and names the field.
    model_config = ConfigDict(extra="forbid", strict=True)


class LesionIn(_In):
    id: Any
    organ: Any
    role: Any
    kind: Any = "solid"
    method: Any = None
    longest_diameter_mm: Any = None
    short_axis_mm: Any = None
    slice_thickness_mm: Any = None


class BaselineIn(_In):
    date: dt.date
    method: Any = None
    slice_thickness_mm: Any = None
    lesions: list[LesionIn]


class TargetIn(_In):
    lesion_id: Any
    status: Any = "measured"
    longest_diameter_mm: Any = None
    short_axis_mm: Any = None


class NonTargetIn(_In):
    lesion_id: Any
    status: Any


class AssessmentIn(_In):
    date: dt.date
    targets: list[TargetIn] = Field(default_factory=list)
    non_targets: list[NonTargetIn] = Field(default_factory=list)
    new_lesions: list[Any] = Field(default_factory=list)
    tumour_markers_normal: Any = None


class RecistIn(_In):
    participant: str | None = None
    reference_date: dt.date
    confirmation_days: int | None = None
    sd_minimum_days: int | None = None
    cutoff_date: dt.date | None = None
    baseline: BaselineIn
    assessments: list[AssessmentIn] = Field(default_factory=list)


_EXPECTED = {
    "date_type": "a date (YYYY-MM-DD)", "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)", "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
    "int_type": "a whole number", "int_parsing": "a whole number", "int_from_float": "a whole number",
    "string_type": "a text", "list_type": "a list", "model_type": "an object", "dict_type": "an object",
    "bool_type": "true or false",
}


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "--file"


def _from_validation(exc: ValidationError) -> InputError:
    """The first problem pydantic found, as an InputError naming the JSON path."""
    error = exc.errors()[0]
    field = _path(tuple(error["loc"]))
    kind = error["type"]
    if kind == "missing":
        return InputError(field, MISSING, "given", "a required key")
    if kind == "extra_forbidden":
        return InputError(field, error["input"], "absent", "not a key of this object; see the format in "
                                                            "`hipectrial calc recist --help`")
    expected = _EXPECTED.get(kind, error["msg"].removeprefix("Input should be ").rstrip("."))
    return InputError(field, error["input"], expected)


def _at(prefix: str, build: Callable[[], T]) -> T:
    """Run ``build``; an InputError it raises is re-raised with its field under ``prefix``."""
    try:
        return build()
    except InputError as exc:
        raise InputError(f"{prefix}.{exc.field}", exc.value, exc.expected, exc.hint) from None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise InputError(key, value, "given once in its object", "the JSON repeats this key")
        seen[key] = value
    return seen


def read_recist_file(path: Path) -> RecistIn:
    """Read and structure-check the JSON input; every failure is an InputError naming the place."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError("--file", str(path), "a readable UTF-8 JSON file", reason) from None
    try:
        json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise InputError("--file", str(path), "valid JSON",
                         f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    try:
        return RecistIn.model_validate_json(text)
    except ValidationError as exc:
        raise _from_validation(exc) from None


def _lesion(base: BaselineIn, i: int, les: LesionIn) -> BaselineLesion:
    method = les.method if les.method is not None else base.method
    slice_mm = les.slice_thickness_mm if les.slice_thickness_mm is not None else base.slice_thickness_mm
    return _at(f"baseline.lesions[{i}]", lambda: BaselineLesion(
        id=les.id, organ=les.organ, role=les.role, kind=les.kind, method=method,
        longest_diameter_mm=les.longest_diameter_mm, short_axis_mm=les.short_axis_mm,
        slice_thickness_mm=slice_mm))


def _assessment(i: int, a: AssessmentIn) -> FollowUpAssessment:
    at = f"assessments[{i}]"
    targets = tuple(_at(f"{at}.targets[{k}]", lambda t=t: TargetMeasurement(
        lesion_id=t.lesion_id, status=t.status, longest_diameter_mm=t.longest_diameter_mm,
        short_axis_mm=t.short_axis_mm)) for k, t in enumerate(a.targets))
    non_targets = tuple(_at(f"{at}.non_targets[{k}]", lambda n=n: NonTargetObservation(
        lesion_id=n.lesion_id, status=n.status)) for k, n in enumerate(a.non_targets))
    return _at(at, lambda: FollowUpAssessment(
        date=a.date, targets=targets, non_targets=non_targets, new_lesions=tuple(a.new_lesions),
        tumour_markers_normal=a.tumour_markers_normal))


def with_protocol_settings(data: RecistIn, settings: ResponseAssessment) -> RecistIn:
    """``data`` with the protocol's confirmation interval and SD minimum where the file is silent."""
    return data.model_copy(update={
        "confirmation_days": data.confirmation_days if data.confirmation_days is not None
        else settings.confirmation_days,
        "sd_minimum_days": data.sd_minimum_days if data.sd_minimum_days is not None
        else settings.sd_minimum_days,
    })


def evaluate_file(data: RecistIn) -> RecistEvaluation:
    """Build the clinical inputs from the file and evaluate; errors name the JSON path."""
    if data.confirmation_days is None or data.sd_minimum_days is None:
        raise InputError("confirmation_days", None, "given by the file or the protocol")
    # The baseline's defaults are checked where they are written, not on the first lesion using them.
    if data.baseline.method is not None:
        require_enum("baseline.method", data.baseline.method, MeasurementMethod)
    if data.baseline.slice_thickness_mm is not None:
        require_mm("baseline.slice_thickness_mm", data.baseline.slice_thickness_mm,
                   high=MAX_SLICE_THICKNESS_MM, low_open=True)
    lesions = [_lesion(data.baseline, i, les) for i, les in enumerate(data.baseline.lesions)]
    check = check_baseline(lesions=lesions)
    if check.problems:
        ids = tuple(dict.fromkeys(i for p in check.problems for i in p.lesion_ids))
        raise InputError("baseline.lesions", ids, "a RECIST 1.1 baseline selection without problems",
                         "; ".join(f"baseline.{p}" for p in check.problems))
    assessments = [_assessment(i, a) for i, a in enumerate(data.assessments)]
    return evaluate_recist(baseline_date=data.baseline.date, baseline_lesions=lesions,
                           assessments=assessments, reference_date=data.reference_date,
                           confirmation_days=data.confirmation_days, sd_minimum_days=data.sd_minimum_days,
                           cutoff_date=data.cutoff_date)


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
    data = with_protocol_settings(read_recist_file(file),
                                  load_protocol(protocol_file).response_assessment)
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
