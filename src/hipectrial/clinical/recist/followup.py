"""RECIST 1.1 follow-up records: each baseline lesion at an assessment, and new lesions.

These are the inputs of :mod:`~hipectrial.clinical.recist.timepoint`; they check what holds
whatever the baseline (types, ranges, a measurement that fits its status). Whether the
lesions match the baseline is checked when the assessment is evaluated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from hipectrial.clinical.recist.vocab import (
    DISAPPEARED_MM,
    TOO_SMALL_TO_MEASURE_MM,
    NonTargetStatus,
    TargetStatus,
    require_date,
    require_enum,
    require_mm,
    require_text,
)
from hipectrial.errors import InputError

_MEASURED = (TargetStatus.MEASURED, TargetStatus.SPLIT, TargetStatus.COALESCED)


@dataclass(frozen=True, slots=True)
class TargetMeasurement:
    """A baseline target lesion at a follow-up assessment.

    Give the axis the lesion is measured by (longest diameter, or short axis for a node)
    when ``status`` is measured, split (sum of the fragments) or coalesced (the merged
    lesion's diameter on one of them, 0 on the others). ``too_small`` counts 5 mm and
    ``disappeared`` 0 mm; their measurement may be left out or given as 5 and 0.

    >>> TargetMeasurement(lesion_id="T1", status="too_small").value_mm
    Decimal('5')
    >>> TargetMeasurement(lesion_id="T1", status="measured")
    Traceback (most recent call last):
    ...
    hipectrial.errors.InputError: longest_diameter_mm must be a number in [0, 1000] for a measured ...
    """

    lesion_id: str
    status: TargetStatus = TargetStatus.MEASURED
    longest_diameter_mm: Decimal | None = None
    short_axis_mm: Decimal | None = None

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "lesion_id", require_text("lesion_id", self.lesion_id))
        status = require_enum("status", self.status, TargetStatus)
        put(self, "status", status)
        for name in ("longest_diameter_mm", "short_axis_mm"):
            value = getattr(self, name)
            if value is not None:
                put(self, name, require_mm(name, value))
        ld, sa = self.longest_diameter_mm, self.short_axis_mm
        if ld is not None and sa is not None:
            raise InputError("short_axis_mm", sa, "absent when longest_diameter_mm is given",
                             "give the one axis the lesion is measured by: the short axis for a "
                             "lymph node, else the longest diameter")
        given = ld if ld is not None else sa
        name = "longest_diameter_mm" if ld is not None or sa is None else "short_axis_mm"
        if status in _MEASURED and given is None:
            raise InputError(name, None, f"a number in [0, 1000] for a {status.value} lesion",
                             "or short_axis_mm for a lymph node; a lesion without a measurement "
                             "is too_small, disappeared or not_evaluated")
        if status is TargetStatus.TOO_SMALL and given is not None and given != TOO_SMALL_TO_MEASURE_MM:
            raise InputError(name, given, "5 or absent for a lesion too small to measure",
                             "RECIST 1.1 records 5 mm; a lesion that can be measured is 'measured'")
        if status is TargetStatus.DISAPPEARED and given is not None and given != DISAPPEARED_MM:
            raise InputError(name, given, "0 or absent for a lesion that disappeared",
                             "a lesion still seen is 'measured' or 'too_small'")
        if status is TargetStatus.NOT_EVALUATED and given is not None:
            raise InputError(name, given, "absent for a lesion not evaluated",
                             "a lesion with a measurement is 'measured'")

    @property
    def value_mm(self) -> Decimal | None:
        """What enters the sum of diameters; ``None`` when not evaluated."""
        if self.status is TargetStatus.TOO_SMALL:
            return TOO_SMALL_TO_MEASURE_MM
        if self.status is TargetStatus.DISAPPEARED:
            return DISAPPEARED_MM
        if self.status is TargetStatus.NOT_EVALUATED:
            return None
        return self.longest_diameter_mm if self.longest_diameter_mm is not None else self.short_axis_mm


@dataclass(frozen=True, slots=True)
class NonTargetObservation:
    """A baseline non-target lesion at a follow-up assessment."""

    lesion_id: str
    status: NonTargetStatus

    def __post_init__(self) -> None:
        object.__setattr__(self, "lesion_id", require_text("lesion_id", self.lesion_id))
        object.__setattr__(self, "status", require_enum("status", self.status, NonTargetStatus))


@dataclass(frozen=True, slots=True)
class FollowUpAssessment:
    """One follow-up tumour assessment: every baseline lesion's status and any new lesion.

    ``new_lesions`` describes each unequivocal new lesion (an equivocal one is recorded only
    once confirmed; its PD then dates from the scan that first showed it, RECIST 1.1
    §4.3.3, so that earlier record is corrected). ``tumour_markers_normal`` is ``None``
    when not recorded; ``False`` rules out a complete response.
    """

    date: dt.date
    targets: tuple[TargetMeasurement, ...] = ()
    non_targets: tuple[NonTargetObservation, ...] = ()
    new_lesions: tuple[str, ...] = ()
    tumour_markers_normal: bool | None = None

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "date", require_date("date", self.date))
        for name, kind in (("targets", TargetMeasurement), ("non_targets", NonTargetObservation)):
            items = tuple(getattr(self, name))
            for k, item in enumerate(items):
                if not isinstance(item, kind):
                    raise InputError(f"{name}[{k}]", item, f"a {kind.__name__}")
            put(self, name, items)
        if isinstance(self.new_lesions, str):
            raise InputError("new_lesions", self.new_lesions, "a list of new-lesion descriptions")
        put(self, "new_lesions", tuple(require_text(f"new_lesions[{k}]", d)
                                       for k, d in enumerate(self.new_lesions)))
        if self.tumour_markers_normal is not None and not isinstance(self.tumour_markers_normal, bool):
            raise InputError("tumour_markers_normal", self.tumour_markers_normal, "true, false or absent")
