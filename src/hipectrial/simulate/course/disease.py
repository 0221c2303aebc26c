"""The disease of a simulated participant: RECIST lesions, peritoneum, surgery, pathology.

Lesion measurements are built so that RECIST 1.1 (:mod:`hipectrial.clinical.recist`)
computes the intended response: CR (every target gone, nodes < 10 mm, non-targets gone), PR
(sum of diameters 35-60 % below baseline), SD (-20 % to +10 %), PD (a new lesion and the sum
25-50 % above the nadir). After conversion surgery the resected lesions are recorded as
disappeared and a recurrence is a new lesion.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from hipectrial.clinical.course import r0_as_counted
from hipectrial.data import (
    AssessmentMethod,
    CcScore,
    ClavienDindo,
    Complication,
    Cytology,
    Lesion,
    LesionRole,
    LesionStatus,
    Pathology,
    ResidualTumour,
    Sex,
    Surgery,
    TumourAssessment,
)
from hipectrial.simulate.course.common import Context, choose, days
from hipectrial.simulate.scenario.course import OperationRisk

RESPONSES = ("CR", "PR", "SD", "PD")


@dataclass(frozen=True, slots=True)
class BaseLesion:
    id: str
    site: str
    role: LesionRole
    nodal: bool
    size_mm: int


@dataclass(slots=True)
class Disease:
    """The participant's lesions at baseline and the response they follow."""

    lesions: tuple[BaseLesion, ...]
    measurable: bool
    response: str = "SD"             # at re-evaluation: CR, PR, SD or PD
    factor: float = 1.0              # sum at re-evaluation / baseline sum

    @property
    def targets(self) -> tuple[BaseLesion, ...]:
        return tuple(lesion for lesion in self.lesions if lesion.role is LesionRole.TARGET)


def baseline_disease(rng: np.random.Generator, measurable: bool, sex: Sex) -> Disease:
    """Targets among lymph nodes, omentum, peritoneum (and ovary); the primary and the
    peritoneal disease as non-targets."""
    lesions: list[BaseLesion] = []
    if measurable:
        sites = [("lymph_node", True), ("omentum", False), ("peritoneum", False)]
        if sex is Sex.FEMALE:
            sites.append(("ovary", False))
        count = int(rng.integers(1, 4))
        order = rng.permutation(len(sites))[:count]
        for i, k in enumerate(sorted(int(x) for x in order), 1):
            site, nodal = sites[k]
            size = int(rng.integers(16, 36)) if nodal else int(rng.integers(12, 46))
            lesions.append(BaseLesion(f"T{i}", site, LesionRole.TARGET, nodal, size))
    lesions.append(BaseLesion("NT1", "stomach", LesionRole.NON_TARGET, False, 0))
    lesions.append(BaseLesion("NT2", "peritoneum", LesionRole.NON_TARGET, False, 0))
    return Disease(tuple(lesions), measurable)


def set_response(rng: np.random.Generator, disease: Disease, response: str) -> None:
    disease.response = response
    disease.factor = {"CR": 0.0, "PR": float(rng.uniform(0.40, 0.65)),
                      "SD": float(rng.uniform(0.80, 1.10)), "PD": float(rng.uniform(1.25, 1.50))}[response]


def _mm(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1), ROUND_HALF_UP)


def ct(ctx: Context, disease: Disease, when: dt.date, *, stage: str, fraction: float = 1.0
       ) -> TumourAssessment:
    """A CT at ``stage``: ``baseline``; ``on_treatment`` (``fraction`` of the way from the
    baseline to the re-evaluation response, never PD); ``response`` (the intended response,
    kept afterwards); ``progression`` (PD by a new lesion); ``resected`` / ``recurrence``
    (after conversion surgery)."""
    lesions: list[Lesion] = []
    non_target = {"baseline": None, "on_treatment": LesionStatus.PRESENT,
                  "response": LesionStatus.DISAPPEARED if disease.response == "CR" else LesionStatus.PRESENT,
                  "progression": LesionStatus.UNEQUIVOCAL_PROGRESSION
                  if not disease.measurable else LesionStatus.PRESENT,
                  "resected": LesionStatus.DISAPPEARED, "recurrence": LesionStatus.DISAPPEARED}[stage]
    if stage == "on_treatment":
        target_factor = 1.0 + (min(disease.factor, 1.0) - 1.0) * fraction
        target_factor = max(target_factor, 0.55)
    elif stage in ("response",):
        target_factor = disease.factor
    elif stage == "progression":
        nadir = min(disease.factor, 1.0) if disease.response != "PD" else 1.0
        target_factor = max(nadir * 1.3, disease.factor if disease.response == "PD" else 0.0)
    else:
        target_factor = 1.0
    for b in disease.lesions:
        if b.role is LesionRole.NON_TARGET:
            lesions.append(Lesion(id=b.id, site=b.site, role=b.role, nodal=b.nodal, status=non_target))
            continue
        if stage == "baseline":
            lesions.append(Lesion(id=b.id, site=b.site, role=b.role, nodal=b.nodal,
                                  measurement_mm=Decimal(b.size_mm)))
            continue
        gone = stage in ("resected", "recurrence") or (stage == "response" and disease.response == "CR") \
            or (stage == "progression" and target_factor == 0.0)
        if gone and b.nodal:
            lesions.append(Lesion(id=b.id, site=b.site, role=b.role, nodal=True,
                                  measurement_mm=Decimal(int(ctx.rng.integers(5, 10))),
                                  status=LesionStatus.MEASURED))
        elif gone:
            # Recorded as measured 0 mm: a target lesion always carries a measurement
            # (hipectrial.data.validate), and RECIST 1.1 counts a disappeared lesion as 0 mm.
            lesions.append(Lesion(id=b.id, site=b.site, role=b.role, measurement_mm=Decimal(0),
                                  status=LesionStatus.MEASURED))
        else:
            size = max(_mm(b.size_mm * target_factor), Decimal(5) if not b.nodal else Decimal(1))
            lesions.append(Lesion(id=b.id, site=b.site, role=b.role, nodal=b.nodal,
                                  measurement_mm=size, status=LesionStatus.MEASURED))
    if stage in ("progression", "recurrence") or (stage == "response" and disease.response == "PD"):
        lesions.append(Lesion(id="N1", site="peritoneum", role=LesionRole.NEW))
    return TumourAssessment(participant_id=ctx.pid, date=when, method=AssessmentMethod.CT,
                            lesions=tuple(lesions))


def second_look_pci(rng: np.random.Generator, first: tuple[int, ...], delta: int) -> tuple[int, ...]:
    """Region scores after the total changed by ``delta`` (clamped to 0-39), one point at a time
    in randomly chosen regions that can change."""
    scores = list(first)
    step = 1 if delta > 0 else -1
    for _ in range(abs(delta)):
        movable = [i for i, s in enumerate(scores) if (s < 3 if step > 0 else s > 0)]
        if not movable:
            break
        scores[movable[int(rng.integers(len(movable)))]] += step
    return tuple(scores)


def laparoscopy(ctx: Context, when: dt.date, pci: tuple[int, ...], cytology: Cytology,
                method: AssessmentMethod = AssessmentMethod.LAPAROSCOPY) -> TumourAssessment:
    return TumourAssessment(participant_id=ctx.pid, date=when, method=method, pci=pci,
                            cytology=cytology)


def complications(ctx: Context, risk: OperationRisk, when: dt.date) -> tuple[tuple[Complication, ...], bool]:
    """The worst complication of one operation (if any) and whether it was fatal."""
    rng = ctx.rng
    items = risk.complications.items()
    died = float(rng.random()) < risk.postoperative_death_probability
    if died:
        onset = when + days(int(rng.integers(1, 15)))
        return (Complication("post-operative death", ClavienDindo.V, onset),), True
    index = choose(rng, [p for _, p in items])
    if index is None:
        return (), False
    grade = ClavienDindo(items[index][0])
    onset = when + days(int(rng.integers(1, 15)))
    text = {"I": "ileus", "II": "wound infection", "IIIa": "intra-abdominal collection drained",
            "IIIb": "anastomotic leak, re-operation", "IVa": "respiratory failure",
            "IVb": "multi-organ failure"}[grade.value]
    return (Complication(text, grade, onset),), False


@dataclass(frozen=True, slots=True)
class Resection:
    r_status: ResidualTumour
    cc_score: CcScore
    cytology: Cytology
    pathology: Pathology

    @property
    def r0(self) -> bool:
        """Counted as an R0 resection for the endpoint (:func:`~hipectrial.clinical.course.r0_as_counted`)."""
        return r0_as_counted(operated=True, r_status=self.r_status, cc_score=self.cc_score,
                             cytology=self.cytology).counted


def resection(ctx: Context, pci: int) -> Resection:
    """R status, CC score, cytology at surgery and pathology of a conversion operation."""
    rng, params = ctx.rng, ctx.params
    r0 = float(rng.random()) < params.r0_probability_at(pci)
    if r0:
        pcr = float(rng.random()) < params.pcr_probability
        if pcr:
            return Resection(ResidualTumour.R0, CcScore.CC0, Cytology.CY0,
                             Pathology(ypt="ypT0", ypn="ypN0", regression_grade="1a", pcr=True))
        return Resection(ResidualTumour.R0, CcScore.CC0, Cytology.CY0, _pathology(ctx))
    if float(rng.random()) < params.cy1_at_surgery_probability:
        # Cytology positive at surgery: counts as R1 whatever the margins (PD §Endpoints).
        return Resection(ResidualTumour.R1, CcScore.CC0, Cytology.CY1, _pathology(ctx))
    if float(rng.random()) < params.r1_probability_if_cy0:
        return Resection(ResidualTumour.R1, CcScore.CC0, Cytology.CY0, _pathology(ctx))
    cc = (CcScore.CC1, CcScore.CC2)[int(rng.integers(2))]
    return Resection(ResidualTumour.R2, cc, Cytology.CY0, _pathology(ctx))


def _pathology(ctx: Context) -> Pathology:
    rng = ctx.rng
    trg = ctx.params.becker_trg_without_pcr
    codes = list(trg)
    grade = codes[choose(rng, [trg[c] for c in codes]) or 0]
    ypt = ("ypT1b", "ypT2", "ypT3", "ypT4a")[int(rng.integers(4))]
    ypn = ("ypN0", "ypN1", "ypN2", "ypN3a")[int(rng.integers(4))]
    return Pathology(ypt=ypt, ypn=ypn, regression_grade=grade, pcr=False)


def surgery_record(ctx: Context, when: dt.date, procedure: str, outcome: Resection | None,
                   found: tuple[Complication, ...]) -> Surgery:
    return Surgery(participant_id=ctx.pid, date=when, procedure=procedure,
                   r_status=outcome.r_status if outcome else None,
                   cc_score=outcome.cc_score if outcome else None, complications=found,
                   pathology=outcome.pathology if outcome else None)
