"""Reading the JSON file of ``hipectrial calc recist`` and evaluating it.

The file's format is in :mod:`hipectrial.cli.calc_recist`. Its structure is checked with
pydantic (required keys, no unknown keys, dates, whole numbers); the values of lesions go to
:mod:`hipectrial.clinical.recist` unchanged, which checks them and names the field. Every
failure is an :class:`~hipectrial.errors.InputError` naming the JSON path. A module of its
own so that the command's module, imported at CLI start-up, does not import pydantic.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hipectrial.clinical.recist import (
    BaselineLesion,
    FollowUpAssessment,
    NonTargetObservation,
    RecistEvaluation,
    TargetMeasurement,
    check_baseline,
    evaluate_recist,
)
from hipectrial.clinical.recist.baseline import MAX_SLICE_THICKNESS_MM
from hipectrial.clinical.recist.vocab import MeasurementMethod, require_enum, require_mm
from hipectrial.errors import InputError
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
