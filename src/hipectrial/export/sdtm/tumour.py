"""The tumour assessments of each subject as TU, TR and RS see them: in date order, with
their visit, their link group and the lesions (or locations) they identify.

- An **imaging** assessment (the methods RECIST is evaluated on, :data:`hipectrial.analysis.
  facts.IMAGING`) gets the link group ``A<n>`` (n from 1 per subject, in date order): TRLNKGRP
  of its measurements and RSLNKGRP of the overall response computed from them.
- A RECIST **lesion** is identified (TU) by the first assessment that records its id; its
  role there (target, non-target, new) and its organ are the identification.
- The **peritoneum** explored at laparoscopy or laparotomy is represented by locations of
  interest (SDTMIG 3.4 TU assumption 3: "a record is required in TU in order to link the
  assessments of the particular location of interest in TR"): the 13 regions of Sugarbaker's
  Peritoneal Cancer Index (TULNKID ``PCI-R0`` ... ``PCI-R12``, named by
  :data:`hipectrial.clinical.surgery.peritoneum.PCI_REGION_NAMES`), identified at the first
  exploration that scores them, and the peritoneal cavity for lavage cytology (``CYTOLOGY``),
  identified at the first exploration that records it. Each exploration's lesion-size score
  per region and its cytology are TR results on them; the PCI total is not written (TR holds
  collected results only, SDTMIG 3.4 TR assumption 3).

Records without a visit of their own take the visit on the same date that collects the
tumour-assessment CRF (imaging) or the laparoscopy CRF (explorations), per
:mod:`~hipectrial.export.sdtm.visit_match`. These two form ids are the CRFs the typed
``TumourAssessment`` transcribes (docs/trialdata-conventions.md); a protocol without them
gives no VISIT.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from hipectrial.analysis.facts import IMAGING
from hipectrial.clinical.surgery.peritoneum import PCI_REGION_NAMES
from hipectrial.data import AssessmentMethod, Lesion, LesionRole, TrialData, TumourAssessment
from hipectrial.export.sdtm.visit_match import VisitIndex, VisitLabel

SURGICAL = frozenset({AssessmentMethod.LAPAROSCOPY, AssessmentMethod.LAPAROTOMY})
# The CRFs a typed TumourAssessment transcribes (docs/trialdata-conventions.md).
IMAGING_FORMS = ("tumour_assessment", "recist_lesions")
EXPLORATION_FORMS = ("laparoscopy",)
CYTOLOGY_ID = "CYTOLOGY"


def region_id(region: int) -> str:
    """TULNKID of PCI region ``region`` (``PCI-R0`` ... ``PCI-R12``)."""
    return f"PCI-R{region}"


def region_location(region: int) -> str:
    """TULOC of a PCI region: ``PCI REGION 0 CENTRAL`` (a sponsor extension of LOC)."""
    return f"PCI REGION {region} {PCI_REGION_NAMES[region].upper()}"


@dataclass(frozen=True, slots=True)
class Assessment:
    """One tumour assessment with its place: ``index`` in ``TrialData.tumour_assessments``,
    ``group`` its link group (imaging only) and ``visit``."""

    index: int
    record: TumourAssessment
    group: str | None
    visit: VisitLabel | None

    @property
    def surgical(self) -> bool:
        return self.record.method in SURGICAL


@dataclass(frozen=True, slots=True)
class Identification:
    """A lesion or location of interest and the assessment that first identifies it."""

    link_id: str
    assessment: Assessment
    lesion: Lesion | None  # None for a location of interest
    region: int | None = None  # PCI region; None for a lesion and for the cytology location

    @property
    def role(self) -> LesionRole | None:
        return None if self.lesion is None else self.lesion.role


@dataclass(frozen=True, slots=True)
class SubjectTumours:
    """One subject's assessments in date order and what they identify, in identification order."""

    participant_id: str
    assessments: tuple[Assessment, ...]
    identified: tuple[Identification, ...]

    def identification(self, link_id: str) -> Identification:
        for item in self.identified:
            if item.link_id == link_id:
                return item
        raise KeyError(link_id)


def _identify(assessments: list[Assessment]) -> list[Identification]:
    found: dict[str, Identification] = {}
    for a in assessments:
        for lesion in a.record.lesions:
            found.setdefault(lesion.id, Identification(lesion.id, a, lesion))
        if not a.surgical:
            continue
        if any(score is not None for score in a.record.pci):
            for region in range(len(a.record.pci)):
                found.setdefault(region_id(region), Identification(region_id(region), a, None, region))
        if a.record.cytology is not None:
            found.setdefault(CYTOLOGY_ID, Identification(CYTOLOGY_ID, a, None))
    return list(found.values())


def subject_tumours(trial: TrialData, visits: VisitIndex) -> dict[str, SubjectTumours]:
    """Every subject's :class:`SubjectTumours` (subjects without assessments have none)."""
    by_subject: dict[str, list[tuple[int, TumourAssessment]]] = defaultdict(list)
    for i, record in enumerate(trial.tumour_assessments):
        by_subject[record.participant_id].append((i, record))
    result = {}
    for pid, items in by_subject.items():
        items.sort(key=lambda item: (item[1].date, item[0]))
        assessments: list[Assessment] = []
        groups = 0
        for i, record in items:
            group = None
            if record.method in IMAGING:
                groups += 1
                group = f"A{groups}"
            forms = EXPLORATION_FORMS if record.method in SURGICAL else IMAGING_FORMS
            assessments.append(Assessment(i, record, group, visits.on_date(pid, record.date, forms)))
        result[pid] = SubjectTumours(pid, tuple(assessments), tuple(_identify(assessments)))
    return result
