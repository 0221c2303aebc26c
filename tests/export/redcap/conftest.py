"""Fixtures of the REDCap tests: the seed protocol's project, and a protocol with a form of
every field type to write branching-logic cases against."""

from __future__ import annotations

from typing import Any

import pytest

from hipectrial.export.redcap.design import Project, project_design
from hipectrial.protocol import Protocol

from ..protocols import edited_protocol


def _field(field_id: str, kind: str, **more: Any) -> dict[str, Any]:
    return {"id": field_id, "label": {"en": field_id, "zh": field_id}, "type": kind, **more}


def add_case_forms(document: dict[str, Any]) -> None:
    """A form ``cases`` (at screening) with one field of each type, and a form ``later`` (at
    registration) that refers to fields of other forms."""
    document["forms"].append({"id": "cases", "label": {"en": "Cases", "zh": "案例"}, "fields": [
        _field("cs_flag", "boolean"),
        _field("cs_code", "choice", codelist="cytology"),
        _field("cs_text", "text"),
        _field("cs_int", "int"),
        _field("cs_dec", "decimal"),
        _field("cs_date", "date"),
        _field("cs_date2", "date"),
        _field("cs_multi", "multi_choice", codelist="sae-criterion"),
    ]})
    document["forms"].append({"id": "later", "label": {"en": "Later", "zh": "稍后"}, "fields": [
        _field("lt_flag", "boolean")]})
    for visit in document["visits"]:
        if visit["id"] == "screening":
            visit["optional_forms"] = [*visit.get("optional_forms", []), "cases"]
        if visit["id"] == "registration":
            visit["optional_forms"] = [*visit.get("optional_forms", []), "later"]


@pytest.fixture(scope="session")
def seed_project(seed_protocol: Protocol) -> Project:
    return project_design(seed_protocol)


@pytest.fixture(scope="session")
def cases_protocol() -> Protocol:
    return edited_protocol(add_case_forms)


@pytest.fixture(scope="session")
def cases_project(cases_protocol: Protocol) -> Project:
    return project_design(cases_protocol)
