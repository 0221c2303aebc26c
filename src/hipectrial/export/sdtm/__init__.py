"""SDTM datasets (SDTMIG 3.4) from TrialData: the shared dataset model and reference dates."""

from hipectrial.export.sdtm.context import StudyContext, SubjectDates, study_context
from hipectrial.export.sdtm.model import (
    Builder,
    CodeList,
    Core,
    Dataset,
    Origin,
    Value,
    ValueLevel,
    Variable,
    VarType,
)

__all__ = [
    "Builder",
    "CodeList",
    "Core",
    "Dataset",
    "Origin",
    "StudyContext",
    "SubjectDates",
    "Value",
    "ValueLevel",
    "VarType",
    "Variable",
    "study_context",
]
