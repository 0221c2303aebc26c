"""Helpers for the validate() tests: change one record of a trial, and read the findings."""

from __future__ import annotations

import dataclasses
from typing import Any

from hipectrial.data import Finding, Record, Severity, TrialData, validate
from hipectrial.protocol import Protocol


def replaced(trial: TrialData, kind: str, index: int, **changes: Any) -> TrialData:
    """``trial`` with record ``kind[index]`` changed."""
    records = list(getattr(trial, kind))
    records[index] = dataclasses.replace(records[index], **changes)
    return dataclasses.replace(trial, **{kind: tuple(records)})


def added(trial: TrialData, kind: str, *new: Record) -> TrialData:
    """``trial`` with records appended to ``kind``."""
    return dataclasses.replace(trial, **{kind: (*getattr(trial, kind), *new)})


def removed(trial: TrialData, kind: str, index: int) -> TrialData:
    records = list(getattr(trial, kind))
    del records[index]
    return dataclasses.replace(trial, **{kind: tuple(records)})


def with_values(trial: TrialData, index: int, **values: Any) -> TrialData:
    """``trial`` with CRF values of ``form_records[index]`` set (None removes a value)."""
    record = trial.form_records[index]
    merged = {**record.values, **values}
    return replaced(trial, "form_records", index,
                    values={k: v for k, v in merged.items() if v is not None})


def only_finding(trial: TrialData, protocol: Protocol) -> Finding:
    """The one finding for a trial with one defect (a defect must not cascade into noise)."""
    findings = validate(trial=trial, protocol=protocol)
    assert len(findings) == 1, "\n".join(str(f) for f in findings)
    return findings[0]


def assert_finding(finding: Finding, severity: Severity, location: str, *phrases: str) -> None:
    assert (finding.severity, finding.location) == (severity, location), str(finding)
    for phrase in phrases:
        assert phrase in finding.message, str(finding)
