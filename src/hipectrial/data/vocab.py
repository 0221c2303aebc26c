"""Closed vocabularies of trial records: one ``StrEnum`` per coded item.

The value of each member is what ``TrialData`` JSON carries. Where a standard names the
codes, the values follow it (sources in each class's docstring).
"""

from __future__ import annotations

from enum import StrEnum


class RecordKind(StrEnum):
    """The kinds of record a :class:`~hipectrial.data.TrialData` holds.

    The value is the key of the record list in the JSON document, so a finding's location
    (``participants[3].birth_date``) is also the path into the document. ``TRIAL`` is the
    document itself (its protocol id and version).
    """

    TRIAL = "trial"
    SITE = "sites"
    PARTICIPANT = "participants"
    VISIT = "visits"
    FORM = "form_records"
    DOSE = "doses"
    ADVERSE_EVENT = "adverse_events"
    LAB = "lab_results"
    TUMOUR_ASSESSMENT = "tumour_assessments"
    SURGERY = "surgeries"
    FOLLOW_UP = "follow_ups"


class Sex(StrEnum):
    """Sex at birth, as the seed protocol spells it (protocol-decisions.md, "Identifiers")."""

    MALE = "male"
    FEMALE = "female"


class Attribution(StrEnum):
    """Relationship of an adverse event to one agent (NCI CTEP five-point attribution scale)."""

    UNRELATED = "unrelated"
    UNLIKELY = "unlikely"
    POSSIBLE = "possible"
    PROBABLE = "probable"
    DEFINITE = "definite"

    @property
    def related(self) -> bool:
        """At least possibly related: the threshold for treatment-related AEs and DLTs.

        >>> Attribution.POSSIBLE.related, Attribution.UNLIKELY.related
        (True, False)
        """
        return self in (Attribution.POSSIBLE, Attribution.PROBABLE, Attribution.DEFINITE)


class AeOutcome(StrEnum):
    """Outcome of an adverse event (CDISC SDTM AEOUT codelist C66768, in lower snake case)."""

    RECOVERED = "recovered"
    RECOVERING = "recovering"
    NOT_RECOVERED = "not_recovered"
    RECOVERED_WITH_SEQUELAE = "recovered_with_sequelae"
    FATAL = "fatal"
    UNKNOWN = "unknown"


class AssessmentMethod(StrEnum):
    """How a tumour assessment was made: imaging (RECIST 1.1) or surgical exploration (PCI)."""

    CT = "ct"
    MRI = "mri"
    PET_CT = "pet_ct"
    X_RAY = "x_ray"
    LAPAROSCOPY = "laparoscopy"
    LAPAROTOMY = "laparotomy"
    CLINICAL = "clinical"


class LesionRole(StrEnum):
    """A lesion's role in RECIST 1.1 (Eisenhauer et al. 2009)."""

    TARGET = "target"
    NON_TARGET = "non_target"
    NEW = "new"


class Cytology(StrEnum):
    """Peritoneal lavage cytology (JGCA): CY0 negative, CY1 positive, CYX not done."""

    CY0 = "CY0"
    CY1 = "CY1"
    CYX = "CYX"


class ResidualTumour(StrEnum):
    """Residual tumour (R) classification (UICC/AJCC; clinical.md §5.4)."""

    R0 = "R0"
    R1 = "R1"
    R2 = "R2"
    RX = "RX"


class CcScore(StrEnum):
    """Completeness of cytoreduction (Sugarbaker; clinical.md §5.2)."""

    CC0 = "CC-0"
    CC1 = "CC-1"
    CC2 = "CC-2"
    CC3 = "CC-3"


class ClavienDindo(StrEnum):
    """Clavien-Dindo grade of a post-operative complication (Dindo et al. 2004)."""

    I = "I"  # noqa: E741 - the grade's own name
    II = "II"
    IIIA = "IIIa"
    IIIB = "IIIb"
    IVA = "IVa"
    IVB = "IVb"
    V = "V"


class VitalStatus(StrEnum):
    """Vital status at a follow-up contact; ``unknown`` when the participant was not reached."""

    ALIVE = "alive"
    DEAD = "dead"
    UNKNOWN = "unknown"
