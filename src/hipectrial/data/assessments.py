"""How the disease responded: tumour assessments, surgery and follow-up.

The records hold what was observed (lesions, region scores, cytology, R status, grades);
derived results (RECIST response, PCI total, pCR as an endpoint) are computed from them by
``hipectrial.clinical`` and ``hipectrial.analysis``, never stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from hipectrial.data.records import Provenance
from hipectrial.data.values import require_amount
from hipectrial.data.vocab import (
    AssessmentMethod,
    CcScore,
    ClavienDindo,
    Cytology,
    LesionRole,
    LesionStatus,
    ResidualTumour,
    VitalStatus,
)
from hipectrial.errors import InputError

# Sugarbaker's Peritoneal Cancer Index has 13 abdominopelvic regions, numbered 0-12
# (0 central ... 12 lower ileum), each scored 0-3 by lesion size (clinical.md §5.1).
PCI_REGIONS = 13
PCI_MAX_SCORE = 3
PCI_NOT_ASSESSED: tuple[int | None, ...] = (None,) * PCI_REGIONS


@dataclass(frozen=True, slots=True)
class Lesion:
    """One lesion at one assessment (RECIST 1.1).

    ``measurement_mm`` is the longest diameter, or the short axis of a lymph node
    (``nodal``); ``None`` for a lesion that is not measured (non-target, new). ``status``
    is the lesion's state at this assessment (``None`` when not recorded, as at baseline):
    a measured, split or coalesced lesion carries its measurement; one too small to
    measure, disappeared, present (non-target), unequivocally progressing or not evaluated
    carries none (RECIST 1.1 counts the first two as 5 and 0 mm).

    >>> Lesion(id="T1", site="liver", role=LesionRole.TARGET, status=LesionStatus.DISAPPEARED,
    ...        measurement_mm=Decimal("12"))
    Traceback (most recent call last):
    ...
    hipectrial.errors.InputError: measurement_mm must be absent for a lesion that is disappeared; got 12
    """

    id: str
    site: str
    role: LesionRole
    nodal: bool = False
    measurement_mm: Decimal | None = None
    status: LesionStatus | None = None

    def __post_init__(self) -> None:
        require_amount("measurement_mm", self.measurement_mm)
        if self.status is None:
            return
        if not isinstance(self.status, LesionStatus):
            raise InputError("status", self.status, "a LesionStatus")
        measured = self.status in _MEASURED_STATUSES
        if measured and self.measurement_mm is None:
            raise InputError("measurement_mm", None,
                             f"a measurement for a lesion that is {self.status.value}")
        if not measured and self.measurement_mm is not None:
            raise InputError("measurement_mm", self.measurement_mm,
                             f"absent for a lesion that is {self.status.value}")


_MEASURED_STATUSES = frozenset({LesionStatus.MEASURED, LesionStatus.SPLIT, LesionStatus.COALESCED})


@dataclass(frozen=True, slots=True)
class TumourAssessment:
    """One tumour assessment: imaging (lesions for RECIST 1.1) and/or surgical exploration.

    ``pci`` holds the lesion-size score (0-3) of each of the 13 PCI regions in region order,
    ``None`` for a region not scored; all ``None`` when the assessment was not surgical.

    >>> from datetime import date
    >>> TumourAssessment(participant_id="SH01-001", date=date(2025, 1, 10),
    ...                  method=AssessmentMethod.LAPAROSCOPY, pci=(1, 2, 0))
    Traceback (most recent call last):
    ...
    hipectrial.errors.InputError: pci must be 13 region scores, each 0-3 or None; got (1, 2, 0)
    """

    participant_id: str
    date: dt.date
    method: AssessmentMethod
    lesions: tuple[Lesion, ...] = ()
    pci: tuple[int | None, ...] = PCI_NOT_ASSESSED
    cytology: Cytology | None = None
    provenance: Provenance | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "lesions", tuple(self.lesions))
        pci = tuple(self.pci)
        if len(pci) != PCI_REGIONS or not all(
            score is None
            or (isinstance(score, int) and not isinstance(score, bool) and 0 <= score <= PCI_MAX_SCORE)
            for score in pci
        ):
            raise InputError("pci", self.pci, "13 region scores, each 0-3 or None")
        object.__setattr__(self, "pci", pci)

    @property
    def key(self) -> str:
        return f"{self.participant_id}/{self.method.value}/{self.date.isoformat()}"


@dataclass(frozen=True, slots=True)
class Complication:
    """A post-operative complication and its Clavien-Dindo grade."""

    description: str
    grade: ClavienDindo
    onset_date: dt.date


@dataclass(frozen=True, slots=True)
class Pathology:
    """Pathology of the resected specimen: ypTNM categories, regression grade and pCR.

    ``ypt`` and ``ypn`` are written as staged (``ypT0``, ``ypN1``); ``regression_grade`` in
    the protocol's system (Becker for the seed protocol: ``1a``, ``1b``, ``2``, ``3``).
    """

    ypt: str | None = None
    ypn: str | None = None
    regression_grade: str | None = None
    pcr: bool | None = None


@dataclass(frozen=True, slots=True)
class Surgery:
    """A conversion (or other) operation: residual tumour, cytoreduction, complications."""

    participant_id: str
    date: dt.date
    procedure: str
    r_status: ResidualTumour | None = None
    cc_score: CcScore | None = None
    complications: tuple[Complication, ...] = ()
    pathology: Pathology | None = None
    provenance: Provenance | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "complications", tuple(self.complications))

    @property
    def key(self) -> str:
        return f"{self.participant_id}/surgery/{self.date.isoformat()}"


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A follow-up contact: vital status on ``date``, and progression or death if known.

    ``death_date`` is when the participant died (it may precede the contact that learnt
    of it); it belongs with ``vital_status`` ``dead``, and :func:`~hipectrial.data.validate`
    reports one without the other.
    """

    participant_id: str
    date: dt.date
    vital_status: VitalStatus
    progression_date: dt.date | None = None
    death_date: dt.date | None = None
    cause_of_death: str | None = None
    provenance: Provenance | None = None

    @property
    def key(self) -> str:
        return f"{self.participant_id}/follow-up/{self.date.isoformat()}"
