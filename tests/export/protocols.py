"""The seed protocol, changed for a test: its YAML as data, edited, parsed again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from hipectrial.protocol import Protocol, parse_protocol, seed_protocol_path


def edited_protocol(edit: Callable[[dict[str, Any]], None]) -> Protocol:
    """The seed protocol after ``edit`` changed its YAML document (a dict) in place."""
    document = yaml.safe_load(seed_protocol_path().read_text(encoding="utf-8"))
    edit(document)
    return parse_protocol(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "edited.yaml")


def form_of(document: dict[str, Any], form_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(f for f in document["forms"] if f["id"] == form_id)
    return found


def add_start_time(document: dict[str, Any]) -> None:
    """A date-time field on the HIPEC form (the seed protocol has none)."""
    form_of(document, "hipec_procedure")["fields"].append(
        {"id": "hipec_start_time", "label": {"en": "Perfusion start", "zh": "灌注开始时间"},
         "type": "datetime"})
