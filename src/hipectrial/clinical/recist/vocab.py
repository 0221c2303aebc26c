"""RECIST 1.1 vocabularies, the one order of responses, and the value checks shared by its modules.

The codes are those of the seed protocol's code lists (``recist-response``,
``recist-role``, ``lesion-status``), so a CRF value maps to a member by ``Response(code)``.

References
----------
Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
guideline (version 1.1). Eur J Cancer 2009;45:228-247.
shared/reference/clinical.md §4.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from hipectrial.errors import InputError

# Largest plausible diameter: a typo guard, not a clinical limit.
MAX_DIAMETER_MM = Decimal(1000)

# RECIST 1.1 §4.3.1 (Eisenhauer 2009, p. 234) and appendix II: a target lesion "believed to
# be present ... but too small to measure" is recorded as 5 mm; one that has disappeared, 0 mm.
TOO_SMALL_TO_MEASURE_MM = Decimal(5)
DISAPPEARED_MM = Decimal(0)


class Response(StrEnum):
    """A RECIST 1.1 response: of target lesions, non-target lesions, a timepoint or the best.

    Target lesions are CR, PR, SD, PD or NE; non-target lesions CR, non-CR/non-PD, PD or NE;
    ``NON_CR_NON_PD`` is an overall response only for disease without target lesions.
    Members compare by clinical merit with :meth:`better_than` (never by their text).

    >>> Response("non-CR-non-PD") is Response.NON_CR_NON_PD
    True
    >>> Response.PR.better_than(Response.SD), Response.PD.better_than(Response.NE)
    (True, True)
    """

    CR = "CR"
    PR = "PR"
    SD = "SD"
    NON_CR_NON_PD = "non-CR-non-PD"
    PD = "PD"
    NE = "NE"

    @property
    def rank(self) -> int:
        """Position in :data:`RESPONSE_ORDER`: 0 is the best (CR), 5 the worst (NE)."""
        return RESPONSE_ORDER.index(self)

    def better_than(self, other: Response) -> bool:
        """Whether this response is strictly better than ``other`` in :data:`RESPONSE_ORDER`."""
        return self.rank < other.rank

    @property
    def label(self) -> str:
        """How the response is written in text: ``non-CR/non-PD`` rather than its code."""
        return "non-CR/non-PD" if self is Response.NON_CR_NON_PD else self.value


# The one order of responses, best first. PD ranks above NE so that a participant whose only
# informative assessment is PD has a best overall response of PD, not NE (RECIST 1.1 Table 3:
# "PR -> PD: SD if the SD minimum is met, else PD"; admiralonco's order CR, PR, SD,
# NON-CR/NON-PD, PD, NE).
RESPONSE_ORDER: tuple[Response, ...] = (
    Response.CR,
    Response.PR,
    Response.SD,
    Response.NON_CR_NON_PD,
    Response.PD,
    Response.NE,
)


def best_response(responses: Iterable[Response]) -> Response | None:
    """The best of ``responses`` by :data:`RESPONSE_ORDER`; ``None`` when there are none.

    >>> best_response([Response.SD, Response.PD, Response.PR])
    <Response.PR: 'PR'>
    """
    return min(responses, key=lambda r: r.rank, default=None)


class LesionRole(StrEnum):
    """The role a lesion is given at baseline (seed code list ``recist-role``)."""

    TARGET = "target"
    NON_TARGET = "non_target"


class LesionKind(StrEnum):
    """What a baseline lesion is, which decides whether it can ever be measurable.

    ``SOLID`` is a discrete non-nodal lesion, measured by its longest diameter; ``NODE`` a
    lymph node, measured by its short axis. Every other kind is non-measurable disease by
    RECIST 1.1 §3.1.2 (clinical.md §4.1) and may only be a non-target lesion: peritoneal
    carcinomatosis (including thickening and omental caking without a discrete nodule),
    ascites, pleural or pericardial effusion, leptomeningeal disease, lymphangitic
    involvement of skin or lung, inflammatory breast disease, bone lesions without a
    measurable soft-tissue part, previously irradiated lesions, and abdominal masses or
    organomegaly not reproducibly measurable on imaging.

    >>> LesionKind.ASCITES.measurable_kind, LesionKind.NODE.measurable_kind
    (False, True)
    """

    SOLID = "solid"
    NODE = "node"
    PERITONEAL_CARCINOMATOSIS = "peritoneal_carcinomatosis"
    ASCITES = "ascites"
    PLEURAL_EFFUSION = "pleural_effusion"
    PERICARDIAL_EFFUSION = "pericardial_effusion"
    LEPTOMENINGEAL = "leptomeningeal"
    LYMPHANGITIC = "lymphangitic"
    INFLAMMATORY_BREAST = "inflammatory_breast"
    BONE_WITHOUT_SOFT_TISSUE = "bone_without_soft_tissue"
    IRRADIATED = "irradiated"
    NOT_REPRODUCIBLY_MEASURABLE = "not_reproducibly_measurable"

    @property
    def measurable_kind(self) -> bool:
        """Whether a lesion of this kind can be measurable (and so a target) at all."""
        return self in (LesionKind.SOLID, LesionKind.NODE)

    @property
    def label(self) -> str:
        return "lymph node" if self is LesionKind.NODE else self.value.replace("_", " ")


class MeasurementMethod(StrEnum):
    """How a lesion was measured; the codes match ``AssessmentMethod`` of the trial records.

    ``CLINICAL`` is clinical examination with calipers (superficial lesions).
    ``PET_CT`` is the CT part of a PET-CT of diagnostic quality, which RECIST 1.1 (§3.2)
    allows to be used as a CT.
    """

    CT = "ct"
    MRI = "mri"
    PET_CT = "pet_ct"
    X_RAY = "x_ray"
    CLINICAL = "clinical"

    @property
    def cross_sectional(self) -> bool:
        return self in (MeasurementMethod.CT, MeasurementMethod.MRI, MeasurementMethod.PET_CT)


class TargetStatus(StrEnum):
    """A target lesion at a follow-up assessment (seed code list ``lesion-status``).

    ``SPLIT``: the measurement is the sum of the fragments' diameters; ``COALESCED``: the
    lesion holding the merged lesion's diameter carries it, the others 0 mm (RECIST 1.1
    appendix II).
    """

    MEASURED = "measured"
    TOO_SMALL = "too_small"
    DISAPPEARED = "disappeared"
    SPLIT = "split"
    COALESCED = "coalesced"
    NOT_EVALUATED = "not_evaluated"


class NonTargetStatus(StrEnum):
    """A non-target lesion at a follow-up assessment (seed code list ``lesion-status``).

    ``DISAPPEARED`` for a lymph node means it is now normal (short axis < 10 mm).
    ``UNEQUIVOCAL_PROGRESSION`` is the investigator's judgement of the overall non-target
    burden (RECIST 1.1 §4.3.3), recorded on the lesion(s) that progressed.
    """

    PRESENT = "present"
    DISAPPEARED = "disappeared"
    UNEQUIVOCAL_PROGRESSION = "unequivocal_progression"
    NOT_EVALUATED = "not_evaluated"


E = TypeVar("E", bound=StrEnum)


def require_enum(field: str, value: object, enum: type[E]) -> E:
    """``value`` as a member of ``enum`` (a member or its code); else InputError listing the codes.

    >>> require_enum("status", "measured", TargetStatus)
    <TargetStatus.MEASURED: 'measured'>
    """
    if isinstance(value, enum):
        return value
    codes = ", ".join(m.value for m in enum)
    if not isinstance(value, str):
        raise InputError(field, value, f"one of {codes}")
    try:
        return enum(value)
    except ValueError:
        raise InputError(field, value, f"one of {codes}") from None


def require_mm(field: str, value: object, *, low: Decimal = Decimal(0),
               high: Decimal = MAX_DIAMETER_MM, low_open: bool = False) -> Decimal:
    """A length in mm as a Decimal: an int, float or Decimal, finite, within the bounds.

    Floats go through their shortest text form (``12.3`` is ``Decimal('12.3')``); text and
    booleans are refused, never parsed.

    >>> require_mm("longest_diameter_mm", 12.3)
    Decimal('12.3')
    >>> require_mm("longest_diameter_mm", -3.0)
    Traceback (most recent call last):
    ...
    hipectrial.errors.InputError: longest_diameter_mm must be a number in [0, 1000]; got -3.0
    """
    bracket = "(" if low_open else "["
    expected = f"a number in {bracket}{low}, {high}]"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise InputError(field, value, expected)
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(field, value, expected)
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite() or number < low or number > high or (low_open and number == low):
        raise InputError(field, value, expected)
    return number


def require_int(field: str, value: object, *, low: int, high: int) -> int:
    """A whole number within [low, high] (booleans refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(field, value, f"a whole number in [{low}, {high}]")
    return value


def require_date(field: str, value: object) -> dt.date:
    """A calendar date (a ``datetime`` is refused: RECIST works in days)."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InputError(field, value, "a date (YYYY-MM-DD)")
    return value


def require_text(field: str, value: object) -> str:
    """A non-blank string, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(field, value, "a non-empty text")
    return value.strip()


def fmt_mm(value: Decimal) -> str:
    """A length for the steps: ``12 mm``, ``9.9 mm`` (no exponent, no trailing zeros).

    >>> fmt_mm(Decimal("12.0")), fmt_mm(Decimal("9.90")), fmt_mm(Decimal("0"))
    ('12 mm', '9.9 mm', '0 mm')
    """
    text = f"{value.normalize():f}" if value else "0"
    return f"{text} mm"
