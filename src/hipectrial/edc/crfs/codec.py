"""Records to and from the text stored in a row: the data layer's codecs, provenance apart."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from hipectrial.data import jsonio
from hipectrial.data.records import FormRecord, Provenance, Visit
from hipectrial.data.trial import Record as DataRecord
from hipectrial.edc.audit.chain import canonical
from hipectrial.edc.crfs.models import Kind

CODECS: Mapping[str, Any] = {
    Kind.VISIT: jsonio.VISIT,
    Kind.FORM: jsonio.FORM_RECORD,
    Kind.DOSE: jsonio.DOSE,
    Kind.ADVERSE_EVENT: jsonio.ADVERSE_EVENT,
    Kind.LAB: jsonio.LAB_RESULT,
    Kind.TUMOUR_ASSESSMENT: jsonio.TUMOUR_ASSESSMENT,
    Kind.SURGERY: jsonio.SURGERY,
    Kind.FOLLOW_UP: jsonio.FOLLOW_UP,
}


def plain(kind: str, record: DataRecord) -> dict[str, Any]:
    """The record's JSON form (as in a TrialData document) without ``provenance``."""
    encoded = dict(CODECS[kind].encode(replace(record, provenance=None)))  # type: ignore[type-var]
    encoded.pop("provenance", None)
    return encoded


def to_payload(kind: str, record: DataRecord) -> str:
    return canonical(plain(kind, record))


def from_payload(kind: str, payload: str, provenance: Provenance | None = None) -> DataRecord:
    raw = json.loads(payload)
    raw["provenance"] = None
    record: DataRecord = CODECS[kind].decode(raw, kind)
    return replace(record, provenance=provenance) if provenance is not None else record  # type: ignore[type-var]


def natural_key(kind: str, record: DataRecord) -> str | None:
    """The key a visit or a CRF record is known by (``record.key``); None for other kinds."""
    if isinstance(record, Visit | FormRecord):
        return record.key
    return None


def flat_changes(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> dict[str, tuple[Any, Any]]:
    """Field -> (old, new) for the fields that differ; a CRF's values count field by field
    (``values.anc``), anything nested as a whole."""

    def flatten(data: Mapping[str, Any] | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in (data or {}).items():
            if name == "values" and isinstance(value, Mapping):
                for field, typed in value.items():
                    out[f"values.{field}"] = typed.get("value") if isinstance(typed, Mapping) else typed
            else:
                out[name] = value
        return out

    before, after = flatten(old), flatten(new)
    return {
        name: (before.get(name), after.get(name))
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }
