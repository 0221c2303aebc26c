"""Closed vocabularies of trial records: one ``StrEnum`` per coded item.

The value of each member is what ``TrialData`` JSON carries. Where a standard names the
codes, the values follow it (sources in each class's docstring).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

# One vocabulary, one place: these are the clinical engine's (data sits above clinical).
from hipectrial.clinical.body import Sex as Sex
from hipectrial.clinical.dosing.inputs import Attribution as Attribution
from hipectrial.clinical.surgery.peritoneum import CcScore as CcScore
from hipectrial.clinical.surgery.peritoneum import Cytology as Cytology
from hipectrial.clinical.surgery.peritoneum import ResidualTumour as ResidualTumour
from hipectrial.clinical.surgery.rules import ClavienDindo as ClavienDindo

# Typed record fields that hold a code of one of the protocol's code lists (named by the code
# list's id; docs/trialdata-conventions.md). validate() checks each value against that list
# when the protocol has it; reports show the list's label instead of the code.
CODED_FIELDS: Mapping[str, str] = MappingProxyType({
    "off_treatment_reason": "eot-reason",
    "off_study_reason": "eos-reason",
    "cause_of_death": "death-cause",
    "procedure": "operation",
})


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


class LesionStatus(StrEnum):
    """A lesion at one assessment (the seed code list ``lesion-status``; RECIST 1.1 §4.3 and
    appendix II): measured, present without a measurement (non-target), too small to measure
    (counts 5 mm), disappeared (0 mm), split, coalesced, unequivocal progression (non-target),
    not evaluated."""

    MEASURED = "measured"
    PRESENT = "present"
    TOO_SMALL = "too_small"
    DISAPPEARED = "disappeared"
    SPLIT = "split"
    COALESCED = "coalesced"
    UNEQUIVOCAL_PROGRESSION = "unequivocal_progression"
    NOT_EVALUATED = "not_evaluated"





class SourceKind(StrEnum):
    """What produced a ``TrialData``: the simulator (virtual patients), the EDC (a snapshot of
    its database), or an import of another system's records."""

    SIMULATION = "simulation"
    EDC = "edc"
    IMPORT = "import"


class VitalStatus(StrEnum):
    """Vital status at a follow-up contact; ``unknown`` when the participant was not reached."""

    ALIVE = "alive"
    DEAD = "dead"
    UNKNOWN = "unknown"
