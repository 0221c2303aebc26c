"""Peritoneal disease and the result of cytoreduction: PCI, CC score, cytology, R status.

References
----------
Jacquet P, Sugarbaker PH. Clinical research methodologies in diagnosis and staging of
patients with peritoneal carcinomatosis. Cancer Treat Res 1996;82:359-74 (PCI regions and
lesion-size scores; completeness-of-cytoreduction score).
Japanese Gastric Cancer Association. Japanese classification of gastric carcinoma, 15th
edition (CY0/CY1/CYX; CY1 counted as R1).
shared/reference/clinical.md §5.1-5.4; shared/reference/protocol-decisions.md, "Endpoints"
(R0 = negative margins, CC-0 and CY0 at surgery; CY1 at surgery counts as R1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import TypeVar

from hipectrial.clinical.numbers import to_decimal
from hipectrial.errors import InputError

# clinical.md §5.1: the 13 regions of Sugarbaker's PCI, by number.
PCI_REGION_NAMES: tuple[str, ...] = (
    "central", "right upper", "epigastrium", "left upper", "left flank", "left lower", "pelvis",
    "right lower", "right flank", "upper jejunum", "lower jejunum", "upper ileum", "lower ileum",
)
PCI_MAX = 3 * len(PCI_REGION_NAMES)

# Largest plausible residual or implant size: a typo guard (a metre), not a clinical limit.
MAX_SIZE_MM = Decimal(1000)

# Lesion-size and CC boundaries in mm (clinical.md §5.1, §5.2; Jacquet & Sugarbaker 1996).
LS1_MAX_MM = Decimal(5)  # LS-1: implants up to 0.5 cm
LS2_MAX_MM = Decimal(50)  # LS-2: > 0.5 cm up to 5 cm; exactly 5.0 cm is LS-2
CC1_BELOW_MM = Decimal("2.5")  # CC-1: nodules < 2.5 mm; exactly 2.5 mm is CC-2
CC2_MAX_MM = Decimal(25)  # CC-2: 2.5 mm to 2.5 cm inclusive; CC-3 above 2.5 cm

E = TypeVar("E", bound=StrEnum)


def region_field(region: int) -> str:
    """The variable name of a region's score on the seed protocol's laparoscopy form.

    >>> region_field(12)
    'pci_r12'
    """
    return f"pci_r{region}"


class LesionSize(IntEnum):
    """Lesion-size score of one PCI region (largest implant, not their number)."""

    LS0 = 0
    LS1 = 1
    LS2 = 2
    LS3 = 3


@dataclass(frozen=True, slots=True)
class RegionScore:
    region: int
    name: str
    score: LesionSize


@dataclass(frozen=True, slots=True)
class PciResult:
    """The Peritoneal Cancer Index: each region's score by name and their sum (0-39)."""

    regions: tuple[RegionScore, ...]
    total: int
    steps: tuple[str, ...]


def peritoneal_cancer_index(*, scores: Sequence[int] | Mapping[int, int]) -> PciResult:
    """Sugarbaker's Peritoneal Cancer Index from the 13 regional lesion-size scores.

    Parameters
    ----------
    scores
        The lesion-size score (0-3) of every region: a sequence in region order (0 central
        ... 12 lower ileum) or a mapping of region number to score. Every region is required:
        a region not scored is not a region without disease.

    Raises
    ------
    InputError
        For a region left out (the field is its ``pci_r<n>`` name, the message names the
        region), a score that is not a whole number 0-3, or a region number outside 0-12.

    Examples
    --------
    >>> r = peritoneal_cancer_index(scores=[0, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    >>> r.total, r.regions[3].name, int(r.regions[3].score)
    (7, 'left upper', 3)
    >>> peritoneal_cancer_index(scores=[0] * 12)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hipectrial.errors.InputError: pci_r12 must be a lesion-size score 0-3 for region 12 (lower ileum); ...
    """
    given: dict[int, object] = {}
    if isinstance(scores, Mapping):
        for key, score in scores.items():
            if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key < len(PCI_REGION_NAMES):
                raise InputError("scores", key, f"a region number 0-{len(PCI_REGION_NAMES) - 1}")
            given[key] = score
    elif isinstance(scores, str | bytes) or not isinstance(scores, Sequence):
        raise InputError("scores", scores, "13 lesion-size scores in region order")
    else:
        if len(scores) > len(PCI_REGION_NAMES):
            raise InputError("scores", list(scores), "13 lesion-size scores in region order",
                             f"{len(scores)} were given")
        given.update(enumerate(scores))
    regions = []
    for number, name in enumerate(PCI_REGION_NAMES):
        value = given.get(number)
        expected = f"a lesion-size score 0-3 for region {number} ({name})"
        if value is None:
            raise InputError(region_field(number), None, expected,
                             f"every one of the {len(PCI_REGION_NAMES)} regions must be scored")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3:
            raise InputError(region_field(number), value, expected)
        regions.append(RegionScore(number, name, LesionSize(value)))
    total = sum(int(r.score) for r in regions)
    scored = [f"{r.region} {r.name} {int(r.score)}" for r in regions if r.score]
    steps = (
        "regions scored above 0: " + (", ".join(scored) if scored else "none"),
        f"PCI = sum of the 13 regional scores = {total} (of {PCI_MAX})",
    )
    return PciResult(tuple(regions), total, steps)


@dataclass(frozen=True, slots=True)
class LesionSizeResult:
    largest_mm: Decimal
    confluent: bool
    score: LesionSize
    steps: tuple[str, ...]


def lesion_size_score(*, largest_mm: object, confluent: bool = False) -> LesionSizeResult:
    """The lesion-size score of one region from its largest implant (mm).

    LS-0 no implant (0 mm); LS-1 up to 5 mm; LS-2 over 5 mm up to 50 mm; LS-3 over 50 mm or
    confluent disease. Sources disagree on an implant of exactly 5.0 cm (clinical.md §5.1);
    here it is LS-2, as "LS-2 > 0.5 to <= 5 cm" reads, and likewise exactly 0.5 cm is LS-1.

    >>> [int(lesion_size_score(largest_mm=mm).score) for mm in (0, 5, "5.1", 50, "50.1")]
    [0, 1, 2, 2, 3]
    """
    size = _size_mm("largest_mm", largest_mm)
    if not isinstance(confluent, bool):
        raise InputError("confluent", confluent, "true or false")
    if confluent:
        if size == 0:
            raise InputError("confluent", confluent, "false when no implant is seen (largest_mm 0)")
        score, why = LesionSize.LS3, "confluent disease"
    elif size == 0:
        score, why = LesionSize.LS0, "no implant"
    elif size <= LS1_MAX_MM:
        score, why = LesionSize.LS1, f"{size} mm <= {LS1_MAX_MM} mm"
    elif size <= LS2_MAX_MM:
        score, why = LesionSize.LS2, f"{LS1_MAX_MM} mm < {size} mm <= {LS2_MAX_MM} mm"
    else:
        score, why = LesionSize.LS3, f"{size} mm > {LS2_MAX_MM} mm"
    return LesionSizeResult(size, confluent, score, (f"LS-{int(score)}: {why}",))


def _size_mm(field: str, value: object) -> Decimal:
    size = to_decimal(field, value)
    if not Decimal(0) <= size <= MAX_SIZE_MM:
        raise InputError(field, value, f"a size in [0, {MAX_SIZE_MM}] mm",
                         "give millimetres" if 0 < size < 1 else None)
    return size


class CcScore(StrEnum):
    """Completeness of cytoreduction (codes of the seed code list ``cc-score``)."""

    CC0 = "CC-0"
    CC1 = "CC-1"
    CC2 = "CC-2"
    CC3 = "CC-3"

    @property
    def complete(self) -> bool:
        """CC-0 and CC-1 count as complete cytoreduction (clinical.md §5.2)."""
        return self in (CcScore.CC0, CcScore.CC1)


@dataclass(frozen=True, slots=True)
class CcResult:
    largest_residual_mm: Decimal
    confluent: bool
    score: CcScore
    steps: tuple[str, ...]


def completeness_of_cytoreduction(*, largest_residual_mm: object, confluent: bool = False) -> CcResult:
    """The CC score from the largest residual nodule after cytoreduction (mm).

    CC-0 no visible residual (0 mm); CC-1 nodules < 2.5 mm; CC-2 2.5 mm to 25 mm, both ends
    included; CC-3 over 25 mm or confluent unresectable disease. Exactly 2.5 mm is CC-2
    ("CC-1 < 2.5 mm" is strict) and exactly 25 mm is CC-2 ("CC-3 > 2.5 cm" is strict).

    Raises
    ------
    InputError
        For a negative or implausible size, or ``confluent`` with no residual.

    Examples
    --------
    >>> [completeness_of_cytoreduction(largest_residual_mm=mm).score.value
    ...  for mm in (0, "2.4", "2.5", 25, "25.1")]
    ['CC-0', 'CC-1', 'CC-2', 'CC-2', 'CC-3']
    """
    size = _size_mm("largest_residual_mm", largest_residual_mm)
    if not isinstance(confluent, bool):
        raise InputError("confluent", confluent, "true or false")
    if confluent:
        if size == 0:
            raise InputError("confluent", confluent,
                             "false when no residual is left (largest_residual_mm 0)")
        score, why = CcScore.CC3, "confluent unresectable residual disease"
    elif size == 0:
        score, why = CcScore.CC0, "no visible residual"
    elif size < CC1_BELOW_MM:
        score, why = CcScore.CC1, f"{size} mm < {CC1_BELOW_MM} mm"
    elif size <= CC2_MAX_MM:
        score, why = CcScore.CC2, f"{CC1_BELOW_MM} mm <= {size} mm <= {CC2_MAX_MM} mm"
    else:
        score, why = CcScore.CC3, f"{size} mm > {CC2_MAX_MM} mm"
    return CcResult(size, confluent, score, (f"{score.value}: {why}",))


class Cytology(StrEnum):
    """Peritoneal lavage cytology (JGCA): CY0 negative, CY1 cancer cells, CYX not done."""

    CY0 = "CY0"
    CY1 = "CY1"
    CYX = "CYX"


class Margin(StrEnum):
    """A resection margin on pathology (codes of the seed code list ``margin``)."""

    NEGATIVE = "negative"
    POSITIVE = "positive"
    NOT_ASSESSED = "not_assessed"


class ResidualTumour(StrEnum):
    """Residual tumour (R) classification."""

    R0 = "R0"
    R1 = "R1"
    R2 = "R2"
    RX = "RX"


@dataclass(frozen=True, slots=True)
class RStatusResult:
    margins: Mapping[str, Margin]
    cc_score: CcScore
    cytology: Cytology
    r_status: ResidualTumour
    steps: tuple[str, ...]


def _member(enum: type[E], field: str, value: object) -> E:
    if isinstance(value, enum):
        return value
    if isinstance(value, str):
        try:
            return enum(value)
        except ValueError:
            pass
    raise InputError(field, value, "one of " + ", ".join(m.value for m in enum))


def residual_tumour(*, margins: Mapping[str, Margin | str], cc_score: CcScore | str,
                    cytology: Cytology | str) -> RStatusResult:
    """The R status of a resection from its margins, CC score and cytology at surgery.

    In this order:

    1. CC-1, CC-2 or CC-3 (visible residual, unresected nodules included) is **R2**.
    2. CC-0 with any margin positive, or with CY1 at surgery, is **R1** (CY1 counts as R1:
       protocol-decisions.md "Endpoints"; JGCA).
    3. CC-0 with every margin negative and CY0 is **R0**.
    4. Otherwise (a margin not assessed, none given, or cytology CYX) the residual tumour
       cannot be assessed: **RX**. R0 is never assumed from missing information.

    Parameters
    ----------
    margins
        Each margin examined (``{"proximal": "negative", "distal": "negative"}``).
    cc_score, cytology
        At surgery; the seed protocol's codes (``CC-0``, ``CY1``).

    Examples
    --------
    >>> neg = {"proximal": "negative", "distal": "negative"}
    >>> residual_tumour(margins=neg, cc_score="CC-0", cytology="CY0").r_status.value
    'R0'
    >>> residual_tumour(margins=neg, cc_score="CC-0", cytology="CY1").r_status.value
    'R1'
    >>> residual_tumour(margins=neg, cc_score="CC-1", cytology="CY0").r_status.value
    'R2'
    """
    if not isinstance(margins, Mapping):
        raise InputError("margins", margins, "a mapping of margin name -> negative/positive/not_assessed")
    checked = {str(k): _member(Margin, f"margins[{k}]", v) for k, v in margins.items()}
    cc = _member(CcScore, "cc_score", cc_score)
    cy = _member(Cytology, "cytology", cytology)
    positive = [k for k, v in checked.items() if v is Margin.POSITIVE]
    unassessed = [k for k, v in checked.items() if v is Margin.NOT_ASSESSED]
    steps: list[str] = []
    if cc is not CcScore.CC0:
        status = ResidualTumour.R2
        steps.append(f"{cc.value}: macroscopic residual disease -> R2")
    elif positive or cy is Cytology.CY1:
        status = ResidualTumour.R1
        if positive:
            steps.append(f"positive margin ({', '.join(positive)}) -> R1")
        if cy is Cytology.CY1:
            steps.append("CY1 at surgery counts as R1")
    elif checked and not unassessed and cy is Cytology.CY0:
        status = ResidualTumour.R0
        steps.append(f"CC-0, margins negative ({', '.join(checked)}), CY0 -> R0")
    else:
        status = ResidualTumour.RX
        if not checked:
            steps.append("no margin given")
        if unassessed:
            steps.append(f"margin not assessed ({', '.join(unassessed)})")
        if cy is Cytology.CYX:
            steps.append("cytology not done (CYX)")
        steps.append("R0 cannot be confirmed -> RX")
    return RStatusResult(checked, cc, cy, status, tuple(steps))
