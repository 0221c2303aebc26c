"""Nothing is analysed unvalidated: the trial data are checked against the protocol first.

:func:`check_trial_data` runs :func:`hipectrial.data.validate`. An error-level finding (an
unknown cohort or dose level, a record dated after the participant's death, a value outside
its code list, …) means the records contradict the protocol or themselves: the data are not
analysed and :class:`DataInvalidError` lists the findings. Warnings (incomplete or unusual
records: a required field left blank, a dose changed without a reason) do not stop the
analysis; they are carried into it so that the report's data-quality section shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hipectrial.data import Finding, Severity, TrialData, validate
from hipectrial.errors import DataError
from hipectrial.protocol import Protocol

# Errors quoted in the message; the rest are counted (``hipectrial validate`` lists all).
SHOWN_ERRORS = 20


class DataInvalidError(DataError):
    """Trial data with error-level findings: they were not analysed.

    ``findings`` holds every error-level finding, in document order.
    """

    code = "data_invalid"

    def __init__(self, findings: Sequence[Finding]) -> None:
        if not findings:
            raise ValueError("DataInvalidError needs at least one finding")
        self.findings: tuple[Finding, ...] = tuple(findings)
        count = len(self.findings)
        lines = [f"  {finding}" for finding in self.findings[:SHOWN_ERRORS]]
        if count > SHOWN_ERRORS:
            lines.append(f"  … and {count - SHOWN_ERRORS} more")
        head = (f"the trial data contradict the protocol ({count} error{'s' if count != 1 else ''}); "
                "nothing was analysed")
        tail = "list every finding with `hipectrial validate --data FILE`"
        super().__init__("\n".join([head + ":", *lines, tail]))


@dataclass(frozen=True, slots=True)
class DataCheck:
    """The findings of the check that let the data through: warnings only."""

    warnings: tuple[Finding, ...]


def check_trial_data(*, trial: TrialData, protocol: Protocol) -> DataCheck:
    """Validate ``trial`` against ``protocol`` before it is analysed.

    Returns
    -------
    DataCheck
        The warning-level findings, in document order.

    Raises
    ------
    DataInvalidError
        When :func:`hipectrial.data.validate` finds any error.
    """
    findings = validate(trial, protocol)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        raise DataInvalidError(errors)
    return DataCheck(tuple(f for f in findings if f.severity is Severity.WARNING))
