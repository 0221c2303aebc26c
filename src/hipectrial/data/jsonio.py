"""``TrialData`` as JSON: the document schema, version 3.

The document is one object::

    {
      "schema_version": 3,
      "protocol_id": "HIPEC-PD1-SOX", "protocol_version": "1.0",
      "generated_at": "2025-03-01T08:00:00+08:00",
      "source": {"kind": "simulation", "description": "hipectrial simulate: scenario default, seed 1"},
      "sites": [...], "participants": [...], "visits": [...], "form_records": [...],
      "doses": [...], "adverse_events": [...], "lab_results": [...],
      "tumour_assessments": [...], "surgeries": [...], "follow_ups": [...]
    }

``source`` says what produced the data (``kind`` one of ``simulation``, ``edc``,
``import``, and a ``description`` of the run), or is ``null`` when that is not known.

Each record is an object with exactly the fields of its dataclass (``null`` for a value
not given; ``provenance`` is always present). Types are written so that reading needs no
protocol and loses nothing:

* dates as ``"YYYY-MM-DD"``; date-times in ISO 8601 with their UTC offset;
* Decimals as strings (``"72.50"``), so they stay exact; vocabularies as their codes;
* a CRF value as ``{"type": t, "value": v}`` with ``t`` one of ``int``, ``decimal``,
  ``text`` (text and single-choice codes), ``date``, ``datetime``, ``boolean`` and
  ``multi_choice`` (a list of codes);
* ``attribution`` as an object agent id -> attribution; ``pci`` as a list of 13 scores or
  ``null``.

Output is deterministic: keys sorted, records in ``TrialData`` order, two-space indent,
UTF-8 text not escaped, a final newline. Reading is strict: unknown or missing keys,
duplicate keys, a float where a decimal string belongs, and a ``schema_version`` not in
:data:`READABLE_VERSIONS` are errors that name the path. A version-2 document (no
``source`` key) reads as ``source=None``.

Reading is quick: the document is parsed with the collector paused and decoded without
paths (:mod:`hipectrial.data.codec_base`); only a document that the quick reading does not
accept is read again carefully, path by path, to name its first problem. Writing fills one
template per record. Reading takes about three times as long as ``json.loads`` of the same
text, writing less than ``json.dumps`` (``python benchmarks/trialdata_io.py``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final, NoReturn

from hipectrial.data.assessments import (
    Complication,
    FollowUp,
    Lesion,
    Pathology,
    Surgery,
    TumourAssessment,
)
from hipectrial.data.codec_base import (
    Codec,
    DocumentError,
    JsonObject,
    Quick,
    Reject,
    Writer,
    as_json,
    check_object,
    fail,
    quick_object,
)
from hipectrial.data.codecs import (
    Bool,
    Date,
    DateTime,
    Dec,
    EnumOf,
    Int,
    MapOf,
    OptionalOf,
    RecordCodec,
    Text,
    TupleOf,
)
from hipectrial.data.records import DataSource, FormRecord, Participant, Provenance, Site, Visit
from hipectrial.data.treatment import AdverseEvent, DoseAdministration, LabResult
from hipectrial.data.trial import TrialData
from hipectrial.data.values import FieldValue
from hipectrial.data.vocab import (
    AeOutcome,
    AssessmentMethod,
    Attribution,
    CcScore,
    ClavienDindo,
    Cytology,
    LesionRole,
    LesionStatus,
    ResidualTumour,
    Sex,
    SourceKind,
    VitalStatus,
)
from hipectrial.errors import InputError

# Version 2 added ``status`` to each lesion of a tumour assessment and
# ``led_to_discontinuation`` to adverse events; version 3 added ``source``.
SCHEMA_VERSION = 3

TEXT, INT, BOOL, DATE, DATETIME, DECIMAL = Text(), Int(), Bool(), Date(), DateTime(), Dec()
OPT_TEXT, OPT_INT, OPT_BOOL = OptionalOf(TEXT), OptionalOf(INT), OptionalOf(BOOL)
OPT_DATE, OPT_DECIMAL = OptionalOf(DATE), OptionalOf(DECIMAL)


class FieldValueCodec(Codec[FieldValue]):
    """A CRF value with its type tag: ``{"type": "decimal", "value": "61.5"}``."""

    CODECS: Final[Mapping[str, Codec[Any]]] = MappingProxyType({
        "int": INT, "decimal": DECIMAL, "text": TEXT, "date": DATE, "datetime": DATETIME,
        "boolean": BOOL, "multi_choice": TupleOf(TEXT),
    })

    def encode(self, value: FieldValue) -> Any:
        return {"type": _tag(value), "value": self.CODECS[_tag(value)].encode(value)}

    def decode(self, raw: Any, path: str) -> FieldValue:
        obj = check_object(raw, path, 'an object {"type": ..., "value": ...}')
        if set(obj) != {"type", "value"}:
            raise fail(path, 'an object with keys "type" and "value"', raw)
        tag = obj["type"]
        if not isinstance(tag, str) or tag not in self.CODECS:
            raise fail(f"{path}.type", "one of " + ", ".join(self.CODECS), tag)
        value: FieldValue = self.CODECS[tag].decode(obj["value"], f"{path}.value")
        return value

    def quick(self) -> Quick[FieldValue]:
        by_tag = {tag: codec.quick() for tag, codec in self.CODECS.items()}

        def field_value(raw: Any) -> FieldValue:
            if type(raw) is tuple and len(raw) == 2:
                (type_key, tag), (value_key, value) = raw
                if type_key != "type" or value_key != "value":  # keys in another order
                    obj = quick_object(raw)
                    if obj.keys() != {"type", "value"}:
                        raise Reject
                    tag, value = obj["type"], obj["value"]
                decode = by_tag.get(tag) if type(tag) is str else None
                if decode is not None:
                    decoded: FieldValue = decode(value)
                    return decoded
            raise Reject

        return field_value

    def writer(self, indent: str) -> Writer[FieldValue]:
        deeper = indent + "  "
        heads = {tag: f'{{\n{deeper}"type": "{tag}",\n{deeper}"value": ' for tag in self.CODECS}
        values = {tag: codec.writer(deeper) for tag, codec in self.CODECS.items()}
        closing = "\n" + indent + "}"

        def field_value(value: FieldValue) -> str:
            tag = _TAGS.get(type(value)) or _tag(value)
            return heads[tag] + values[tag](value) + closing

        return field_value


# The tag of each exact type (subclasses go through _tag).
_TAGS: Final[Mapping[type, str]] = MappingProxyType({
    bool: "boolean", int: "int", Decimal: "decimal", str: "text", dt.datetime: "datetime",
    dt.date: "date", tuple: "multi_choice",
})


def _tag(value: FieldValue) -> str:
    # bool before int and datetime before date: each is a subclass of the other.
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int"
    if isinstance(value, Decimal):
        return "decimal"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dt.datetime):
        return "datetime"
    if isinstance(value, dt.date):
        return "date"
    return "multi_choice"


PROVENANCE = OptionalOf(RecordCodec(Provenance, {
    "entered_by": TEXT, "entered_at": DATETIME, "protocol_version": TEXT,
    "changed_by": OPT_TEXT, "changed_at": OptionalOf(DATETIME),
}))

SITE = RecordCodec(Site, {
    "id": TEXT, "name": TEXT, "country": TEXT, "city": OPT_TEXT,
    "principal_investigator": OPT_TEXT, "activation_date": OPT_DATE, "provenance": PROVENANCE,
})

PARTICIPANT = RecordCodec(Participant, {
    "id": TEXT, "site_id": TEXT, "sex": EnumOf(Sex), "birth_date": DATE,
    "consent_date": DATE, "registration_date": OPT_DATE, "cohort": OPT_TEXT,
    "dose_level": OPT_TEXT, "off_treatment_date": OPT_DATE, "off_treatment_reason": OPT_TEXT,
    "off_study_date": OPT_DATE, "off_study_reason": OPT_TEXT, "provenance": PROVENANCE,
})

VISIT = RecordCodec(Visit, {
    "participant_id": TEXT, "visit_id": TEXT, "repeat": INT, "planned_date": OPT_DATE,
    "actual_date": OPT_DATE, "provenance": PROVENANCE,
})

FORM_RECORD = RecordCodec(FormRecord, {
    "participant_id": TEXT, "form_id": TEXT, "visit_id": TEXT, "visit_repeat": INT,
    "repeat": OPT_INT, "values": MapOf(FieldValueCodec()), "provenance": PROVENANCE,
})

DOSE = RecordCodec(DoseAdministration, {
    "participant_id": TEXT, "agent": TEXT, "date": DATE, "prescribed": OPT_DECIMAL,
    "given": DECIMAL, "unit": TEXT, "phase": OPT_TEXT, "cycle": OPT_INT, "day": OPT_INT,
    "change_reason": OPT_TEXT, "provenance": PROVENANCE,
})

ADVERSE_EVENT = RecordCodec(AdverseEvent, {
    "participant_id": TEXT, "term": TEXT, "grade": INT, "onset_date": DATE,
    "resolution_date": OPT_DATE, "serious": BOOL, "attribution": MapOf(EnumOf(Attribution)),
    "dlt": BOOL, "immune_related": BOOL, "led_to_discontinuation": BOOL,
    "outcome": OptionalOf(EnumOf(AeOutcome)), "provenance": PROVENANCE,
})

LAB_RESULT = RecordCodec(LabResult, {
    "participant_id": TEXT, "test_code": TEXT, "value": DECIMAL, "unit": TEXT, "date": DATE,
    "reference_lower": OPT_DECIMAL, "reference_upper": OPT_DECIMAL, "provenance": PROVENANCE,
})

LESION = RecordCodec(Lesion, {
    "id": TEXT, "site": TEXT, "role": EnumOf(LesionRole), "nodal": BOOL,
    "measurement_mm": OPT_DECIMAL, "status": OptionalOf(EnumOf(LesionStatus)),
})

TUMOUR_ASSESSMENT = RecordCodec(TumourAssessment, {
    "participant_id": TEXT, "date": DATE, "method": EnumOf(AssessmentMethod),
    "lesions": TupleOf(LESION), "pci": TupleOf(OPT_INT),
    "cytology": OptionalOf(EnumOf(Cytology)), "provenance": PROVENANCE,
})

COMPLICATION = RecordCodec(Complication, {
    "description": TEXT, "grade": EnumOf(ClavienDindo), "onset_date": DATE,
})

PATHOLOGY = RecordCodec(Pathology, {
    "ypt": OPT_TEXT, "ypn": OPT_TEXT, "regression_grade": OPT_TEXT, "pcr": OPT_BOOL,
})

SURGERY = RecordCodec(Surgery, {
    "participant_id": TEXT, "date": DATE, "procedure": TEXT,
    "r_status": OptionalOf(EnumOf(ResidualTumour)), "cc_score": OptionalOf(EnumOf(CcScore)),
    "complications": TupleOf(COMPLICATION), "pathology": OptionalOf(PATHOLOGY),
    "provenance": PROVENANCE,
})

FOLLOW_UP = RecordCodec(FollowUp, {
    "participant_id": TEXT, "date": DATE, "vital_status": EnumOf(VitalStatus),
    "progression_date": OPT_DATE, "death_date": OPT_DATE, "cause_of_death": OPT_TEXT,
    "provenance": PROVENANCE,
})

SOURCE = OptionalOf(RecordCodec(DataSource, {"kind": EnumOf(SourceKind), "description": TEXT}))

_RECORDS: Mapping[str, Codec[Any]] = {
    "protocol_id": TEXT, "protocol_version": TEXT, "generated_at": DATETIME,
    "sites": TupleOf(SITE), "participants": TupleOf(PARTICIPANT), "visits": TupleOf(VISIT),
    "form_records": TupleOf(FORM_RECORD), "doses": TupleOf(DOSE),
    "adverse_events": TupleOf(ADVERSE_EVENT), "lab_results": TupleOf(LAB_RESULT),
    "tumour_assessments": TupleOf(TUMOUR_ASSESSMENT), "surgeries": TupleOf(SURGERY),
    "follow_ups": TupleOf(FOLLOW_UP),
}
TRIAL = RecordCodec(TrialData, {**_RECORDS, "source": SOURCE})
# A version-2 document has no ``source``; TrialData's default (None) fills it.
TRIAL_BY_VERSION: Final[Mapping[int, RecordCodec[TrialData]]] = MappingProxyType({
    2: RecordCodec(TrialData, _RECORDS), 3: TRIAL,
})
READABLE_VERSIONS = tuple(sorted(TRIAL_BY_VERSION))


_WRITE_DOCUMENT = TRIAL.writer("", constants={"schema_version": str(SCHEMA_VERSION)})


def dump_trial(trial: TrialData) -> str:
    """``trial`` as a JSON document; see the module docstring for the schema.

    The codecs' writers write the text directly; a record holding a value not of its
    field's type (which they refuse) is written through the plain JSON encoder, as the
    writers would have written it had they accepted it.
    """
    try:
        return _WRITE_DOCUMENT(trial) + "\n"
    except (TypeError, ValueError, AttributeError):
        return write_carefully(trial)


def write_carefully(trial: TrialData) -> str:
    """:func:`dump_trial` through the plain JSON encoder: the reference writing."""
    document = {"schema_version": SCHEMA_VERSION, **TRIAL.encode(trial)}
    return as_json(document, "") + "\n"


# What the quick reading raises for a value it does not accept (see hipectrial.data.codecs):
# its own Reject, a record's own check, a look-up of a list or an object, a bad ISO date.
NOT_QUICK = (Reject, InputError, TypeError, ValueError)


def load_trial(text: str) -> TrialData:
    """Read a document written by :func:`dump_trial`; DocumentError names the first problem.

    The document is read by :func:`load_trial_quickly`; one that the quick reading does not
    accept is read again by :func:`load_trial_carefully`, which names the problem. Python's
    cyclic garbage collector is paused meanwhile: reading makes millions of objects and
    keeps them all, so collections would free nothing and only walk the growing heap again
    and again (measured: about a third of the reading time of a 1,000-participant trial).
    """
    if not isinstance(text, str):
        raise DocumentError("", f"expected the document as text (str), got {type(text).__name__}")
    with _collection_paused():
        try:
            return load_trial_quickly(text)
        except NOT_QUICK:
            pass  # read again below, once the quick reading's objects are freed
        return load_trial_carefully(text)


@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_trial_quickly(text: str) -> TrialData:
    """The quick reading alone: objects parsed as tuples of (key, value) pairs and decoded
    by the codecs' quick decoders, without paths.

    Whatever it accepts, :func:`load_trial_carefully` accepts too and reads as an equal
    ``TrialData``; for anything else it raises one of :data:`NOT_QUICK` (text that is not
    JSON raises DocumentError, as the careful reading does).
    """
    document = quick_object(_parse(text, tuple))
    version = document.pop("schema_version", None)
    if type(version) is not int or version not in TRIAL_BY_VERSION:
        raise Reject
    trial: TrialData = TRIAL_BY_VERSION[version].quick()(tuple(document.items()))
    return trial


def load_trial_carefully(text: str) -> TrialData:
    """:func:`load_trial` checking every value with its path: the reference reading, and
    the one that names what is wrong in a document the quick reading does not accept."""
    raw = _parse(text, JsonObject)
    document = check_object(raw, "", "a JSON object (a TrialData document)")
    if "schema_version" not in document:
        raise DocumentError("schema_version", "required key is missing (is this a TrialData document?)")
    version = document["schema_version"]
    if isinstance(version, bool) or not isinstance(version, int):
        raise fail("schema_version", "an integer", version)
    if version not in TRIAL_BY_VERSION:
        raise DocumentError(
            "schema_version",
            f"unsupported version {version}; this version of hipectrial reads versions "
            + " and ".join(map(str, READABLE_VERSIONS)),
        )
    body = JsonObject([(k, v) for k, v in document.items() if k != "schema_version"])
    return TRIAL_BY_VERSION[version].decode(body, "")


def _parse(text: str, objects: Callable[[list[tuple[str, Any]]], Any]) -> Any:
    try:
        return json.loads(text, object_pairs_hook=objects, parse_float=Decimal,
                          parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise DocumentError("", f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None


def _no_constant(name: str) -> NoReturn:
    raise DocumentError("", f"not JSON: {name} is not a JSON number")
