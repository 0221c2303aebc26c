"""REDCap: the protocol as a REDCap project (data dictionary, events, arms, instrument
designations, repeating setup, Chinese labels), a trial's records as a REDCap flat record
file, and such a file read back into ``TrialData``.

See :mod:`hipectrial.export.redcap.design` for how the trial is laid out in REDCap,
:mod:`hipectrial.export.redcap.branching` for the ``show_if`` translation and its refusals.
"""

from hipectrial.export.redcap.branching import BranchingRefusal, branching_logic, translate_show_ifs
from hipectrial.export.redcap.design import Project, project_design
from hipectrial.export.redcap.dictionary import HEADER, DataDictionary, data_dictionary
from hipectrial.export.redcap.files import (
    ProjectFiles,
    RedcapExport,
    read_redcap_file,
    redcap_project_files,
    write_redcap_export,
)
from hipectrial.export.redcap.languages import mlm_language
from hipectrial.export.redcap.read import RecordProblem, RedcapRecordsError, read_redcap_records
from hipectrial.export.redcap.records import record_header, record_rows

__all__ = [
    "HEADER",
    "BranchingRefusal",
    "DataDictionary",
    "Project",
    "ProjectFiles",
    "RecordProblem",
    "RedcapExport",
    "RedcapRecordsError",
    "branching_logic",
    "data_dictionary",
    "mlm_language",
    "project_design",
    "read_redcap_file",
    "read_redcap_records",
    "record_header",
    "record_rows",
    "redcap_project_files",
    "translate_show_ifs",
    "write_redcap_export",
]
