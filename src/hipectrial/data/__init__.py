"""TrialData: the one in-memory picture of a trial's records, its JSON form and its checks."""

from hipectrial.data.assessments import (
    PCI_REGIONS,
    Complication,
    FollowUp,
    Lesion,
    Pathology,
    Surgery,
    TumourAssessment,
)
from hipectrial.data.codec_base import DocumentError
from hipectrial.data.entry import parse_field_input
from hipectrial.data.findings import Finding, Severity
from hipectrial.data.form_check import (
    FormFinding,
    FormFindingCode,
    check_form_values,
    missing_required,
    shown_fields,
)
from hipectrial.data.identity import (
    IDENTITY_FIELDS,
    IDENTITY_FORM,
    IdentityContradiction,
    participant_contradictions,
    recorded_identity,
)
from hipectrial.data.jsonio import SCHEMA_VERSION
from hipectrial.data.records import DataSource, FormRecord, Participant, Provenance, Site, Visit
from hipectrial.data.treatment import AdverseEvent, DoseAdministration, LabResult
from hipectrial.data.trial import Record, TrialData
from hipectrial.data.validate import validate
from hipectrial.data.values import FieldValue, FrozenMap
from hipectrial.data.vocab import (
    AeOutcome,
    AssessmentMethod,
    Attribution,
    CcScore,
    ClavienDindo,
    Cytology,
    LesionRole,
    LesionStatus,
    RecordKind,
    ResidualTumour,
    Sex,
    SourceKind,
    VitalStatus,
)

__all__ = [
    "IDENTITY_FIELDS",
    "IDENTITY_FORM",
    "PCI_REGIONS",
    "SCHEMA_VERSION",
    "AdverseEvent",
    "AeOutcome",
    "AssessmentMethod",
    "Attribution",
    "CcScore",
    "ClavienDindo",
    "Complication",
    "Cytology",
    "DataSource",
    "DocumentError",
    "DoseAdministration",
    "FieldValue",
    "Finding",
    "FollowUp",
    "FormFinding",
    "FormFindingCode",
    "FormRecord",
    "FrozenMap",
    "IdentityContradiction",
    "LabResult",
    "Lesion",
    "LesionRole",
    "LesionStatus",
    "Participant",
    "Pathology",
    "Provenance",
    "Record",
    "RecordKind",
    "ResidualTumour",
    "Severity",
    "Sex",
    "Site",
    "SourceKind",
    "Surgery",
    "TrialData",
    "TumourAssessment",
    "Visit",
    "VitalStatus",
    "check_form_values",
    "missing_required",
    "parse_field_input",
    "participant_contradictions",
    "recorded_identity",
    "shown_fields",
    "validate",
]
