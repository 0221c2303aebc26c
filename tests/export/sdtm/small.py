"""Hand-built trials for the SDTM domain tests: one site, participants with the dates the
tests need, and the protocol amended through its YAML (as tests/simulate does)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import yaml

from hipectrial.data import DoseAdministration, Participant, Sex, Site, TrialData, Visit
from hipectrial.export.sdtm import StudyContext, study_context
from hipectrial.protocol import Protocol, parse_protocol, seed_protocol_path

D = dt.date
SITE = Site(id="SH01", name="Shanghai", country="CN")
REGISTERED = D(2025, 1, 8)


def person(pid: str, *, registered: dt.date | None = REGISTERED) -> Participant:
    return Participant(id=pid, site_id="SH01", sex=Sex.FEMALE, birth_date=D(1960, 5, 4),
                       consent_date=D(2025, 1, 2), registration_date=registered,
                       cohort="HER2-negative" if registered else None, dose_level="2" if registered else None)


def dose(pid: str, agent: str, day: dt.date, given: str = "100") -> DoseAdministration:
    return DoseAdministration(participant_id=pid, agent=agent, date=day, prescribed=Decimal(given),
                              given=Decimal(given), unit="mg")


def visit(pid: str, visit_id: str, day: dt.date, repeat: int = 1) -> Visit:
    return Visit(participant_id=pid, visit_id=visit_id, repeat=repeat, planned_date=day, actual_date=day)


def trial(**records: Any) -> TrialData:
    """A trial of site SH01; ``participants`` defaults to SH01-001 registered on 8 January 2025."""
    records.setdefault("participants", (person("SH01-001"),))
    return TrialData(protocol_id="HIPEC-PD1-SOX", protocol_version="1.0",
                     generated_at=dt.datetime(2025, 12, 1, tzinfo=dt.UTC), sites=(SITE,), **records)


def context(data: TrialData, protocol: Protocol) -> StudyContext:
    return study_context(data, protocol)


def amended(edit: Callable[[dict[str, Any]], None]) -> Protocol:
    """The seed protocol with ``edit`` applied to its YAML data."""
    data: dict[str, Any] = yaml.safe_load(seed_protocol_path().read_text(encoding="utf-8"))
    edit(data)
    return parse_protocol(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "amended.yaml")


def by_id(items: list[dict[str, Any]], item_id: str) -> dict[str, Any]:
    return next(i for i in items if i["id"] == item_id)


def columns(records: tuple[dict[str, Any], ...], names: list[str]) -> list[dict[str, Any]]:
    """The records restricted to ``names`` (the columns a test writes out)."""
    return [{n: r[n] for n in names} for r in records]
