"""CDISC ODM 1.3.2: a trial's metadata and clinical data as one document, and back."""

from hipectrial.export.odm.errors import OdmError, OdmProblem
from hipectrial.export.odm.reader import read_odm
from hipectrial.export.odm.schema import validate_odm
from hipectrial.export.odm.writer import OdmSummary, write_odm

__all__ = ["OdmError", "OdmProblem", "OdmSummary", "read_odm", "validate_odm", "write_odm"]
