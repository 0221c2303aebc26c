"""The quick reading and writing against the careful ones (the reference implementations).

Contract (hipectrial.data.codecs): whatever the quick reading accepts, the careful reading
accepts too and reads as an equal TrialData; ``from_json`` gives what the careful reading
gives, value or error. (The quick reading also accepts everything the careful one does, so
that no valid document is read twice.) The quick writer writes byte for byte what the plain JSON encoder
writes. Checked on random trials and on random damage done to a good document.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipectrial.data import (
    AdverseEvent,
    DocumentError,
    FormRecord,
    Site,
    TrialData,
    Visit,
    jsonio,
)
from hipectrial.data.codec_base import Reject
from hipectrial.data.codecs import Date, RecordCodec, Text
from hipectrial.data.jsonio import (
    NOT_QUICK,
    dump_trial,
    load_trial,
    load_trial_carefully,
    load_trial_quickly,
    write_carefully,
)

from .strategies import trials

SLOW = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
UTC_2025 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


@SLOW
@given(trials)
def test_quick_reading_accepts_every_written_trial(trial: TrialData) -> None:
    text = write_carefully(trial)
    assert load_trial_quickly(text) == load_trial_carefully(text) == trial


@SLOW
@given(trials)
def test_quick_writing_writes_what_the_json_encoder_writes(trial: TrialData) -> None:
    assert dump_trial(trial) == write_carefully(trial)


def test_a_valid_document_is_never_read_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    trial = TrialData(protocol_id="P", protocol_version="1", generated_at=UTC_2025,
                      visits=(Visit(participant_id="p", visit_id="v"),))

    def not_again(text: str) -> TrialData:
        raise AssertionError("the careful reading ran on a valid document")

    monkeypatch.setattr(jsonio, "load_trial_carefully", not_again)
    assert TrialData.from_json(trial.to_json()) == trial


def test_keys_in_any_order_and_compact_text_read_quickly() -> None:
    record = FormRecord(participant_id="p", form_id="f", visit_id="v",
                        values={"ecog": 1, "weight_kg": Decimal("61.5")})
    trial = TrialData(protocol_id="P", protocol_version="1", generated_at=UTC_2025, form_records=(record,))
    document = json.loads(trial.to_json())
    text = json.dumps(_reversed_keys(document), separators=(",", ":"))
    assert text.startswith('{"visits":[],')  # keys really are in reverse order
    assert load_trial_quickly(text) == trial


def _reversed_keys(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _reversed_keys(node[key]) for key in sorted(node, reverse=True)}
    if isinstance(node, list):
        return [_reversed_keys(item) for item in node]
    return node


def test_a_boolean_is_not_read_as_the_integer_seen_before() -> None:
    # Quick decoders remember strings only: true == 1 in Python, and must not pass for it.
    trial = TrialData(protocol_id="P", protocol_version="1", generated_at=UTC_2025,
                      visits=(Visit(participant_id="p", visit_id="v"), Visit(participant_id="p", visit_id="w")))
    document = json.loads(trial.to_json())
    document["visits"][1]["repeat"] = True
    with pytest.raises(DocumentError) as caught:
        TrialData.from_json(json.dumps(document))
    assert caught.value.path == "visits[1].repeat"


def test_decimals_equal_in_value_keep_their_own_digits() -> None:
    # Decimal("1.0") == Decimal("1.00"): each must still be read and written as written.
    record = FormRecord(participant_id="p", form_id="f", visit_id="v",
                        values={"a": Decimal("1.0"), "b": Decimal("1.00"), "c": Decimal("1E+1")})
    trial = TrialData(protocol_id="P", protocol_version="1", generated_at=UTC_2025, form_records=(record,))
    text = trial.to_json()
    written = [line.split(": ")[1] for line in text.splitlines() if '"value": "' in line]
    assert written == ['"1.0"', '"1.00"', '"1E+1"']
    values = TrialData.from_json(text).form_records[0].values
    assert [str(values[key]) for key in "abc"] == ["1.0", "1.00", "1E+1"]


class _Code(StrEnum):
    X = "x"


@pytest.mark.parametrize("trial", [
    # values of a type their field does not declare (records do not check every field)
    TrialData(protocol_id="P", protocol_version="1", generated_at=UTC_2025,
              sites=(Site(id="S", name=5, country="CN"),)),  # type: ignore[arg-type]
    TrialData(protocol_id="P", protocol_version="1", generated_at=UTC_2025,
              adverse_events=(AdverseEvent(participant_id="p", term="t", grade=1,
                                           onset_date=dt.date(2025, 1, 2), serious=1),)),  # type: ignore[arg-type]
    TrialData(protocol_id="P", protocol_version="1", generated_at=UTC_2025,
              sites=(Site(id=_Code.X, name="n", country="CN"),)),
], ids=["number as a name", "1 as serious", "str enum as an id"])
def test_a_value_of_another_type_is_written_as_the_json_encoder_writes_it(trial: TrialData) -> None:
    assert dump_trial(trial) == write_carefully(trial)


# -- random damage to a good document ----------------------------------------------------------

def _good_document() -> dict[str, Any]:
    from .sample import clean_trial

    document: dict[str, Any] = json.loads(clean_trial().to_json())
    return document


GOOD = _good_document()


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


PATHS = _paths(GOOD)[1:]
# Values that a field may hold, and values close to them.
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-2, max_value=14),
    st.sampled_from(["", "1", "61.5", "-5", "NaN", "1E+3", "2025-02-03", "2025-02-30", "2025-03-01T08:00:00",
                     "2025-03-01T08:00:00+08:00", "possible", "measured", "target", "female", "int", "decimal",
                     "multi_choice", "SH01", "SH01-001", "R0", "CC-0", "CY0", "dead", "simulation"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10, max_value=100),
)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.sampled_from(["type", "value", "id", "kind", "x"]), inner,
                                             max_size=3), max_leaves=6)


# A value like the one it replaces: mostly of the same JSON type, so that many changes keep
# the document valid and the two readings are compared on values, not only on refusals; and
# the near misses Python equality hides (true == 1, false == 0).
LIKE = {str: st.sampled_from(["", "1", "61.5", "2025-02-03", "possible", "measured", "female", "SH01"]),
        bool: st.booleans() | st.integers(min_value=0, max_value=1),
        int: st.integers(min_value=0, max_value=5) | st.booleans()}


@st.composite
def damaged(draw: st.DrawFn) -> str:
    """The good document with one to three things changed, its keys in a drawn order, and
    sometimes one key written twice."""
    document = json.loads(json.dumps(GOOD))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(PATHS))
        parent = document
        try:
            for part in path[:-1]:
                parent = parent[part]
            action = draw(st.sampled_from(["like", "like", "set", "delete", "add"]))
            if action == "like":
                parent[path[-1]] = draw(LIKE.get(type(parent[path[-1]]), json_values))
            elif action == "set":
                parent[path[-1]] = draw(json_values)
            elif action == "delete" and isinstance(parent, dict):
                del parent[path[-1]]
            elif action == "add" and isinstance(parent, dict):
                parent[draw(st.sampled_from(["extra", "id", "value", "source"]))] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier change took this path away
    twice = draw(st.sampled_from(PATHS)) if draw(st.integers(min_value=0, max_value=3)) == 0 else None
    shuffle = draw(st.randoms(use_true_random=False))
    return _render(document, (), twice, shuffle)


def _render(node: Any, path: tuple[Any, ...], twice: tuple[Any, ...] | None, shuffle: Any) -> str:
    if isinstance(node, dict):
        keys = list(node)
        shuffle.shuffle(keys)
        items = [f"{json.dumps(key)}: {_render(node[key], (*path, key), twice, shuffle)}" for key in keys]
        if twice is not None and keys and twice[:-1] == path:
            items.append(items[0])  # the first key again, with the same value
        return "{" + ", ".join(items) + "}"
    if isinstance(node, list):
        return "[" + ", ".join(_render(item, (*path, i), twice, shuffle) for i, item in enumerate(node)) + "]"
    if isinstance(node, Decimal):
        return str(node)  # a JSON number (read back as a Decimal, as a float would be)
    return json.dumps(node)


def _outcome(read: Any, text: str, errors: tuple[type[Exception], ...]) -> Any:
    try:
        return read(text)
    except errors as exc:
        return ("error", str(exc)) if isinstance(exc, DocumentError) else ("rejected",)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_quick_reading_accepts_exactly_what_the_careful_reading_accepts(text: str) -> None:
    careful = _outcome(load_trial_carefully, text, (DocumentError,))
    quick = _outcome(load_trial_quickly, text, (DocumentError, *NOT_QUICK))
    if isinstance(careful, TrialData):
        assert quick == careful  # and so never read twice
    else:
        assert quick == ("rejected",) or quick == careful  # a refusal, or not JSON alike
    assert _outcome(load_trial, text, (DocumentError,)) == careful


def test_the_good_document_reads_quickly() -> None:
    text = json.dumps(GOOD)
    assert load_trial_quickly(text) == load_trial_carefully(text)


@dataclasses.dataclass(frozen=True)
class _OneField:
    name: str


@dataclasses.dataclass(frozen=True)
class _TwoFields:
    when: dt.date
    name: str


@pytest.mark.parametrize(("codec", "raw", "expected"), [
    (RecordCodec(_OneField, {"name": Text()}), {"name": "a"}, _OneField("a")),
    (RecordCodec(_TwoFields, {"when": Date(), "name": Text()}), {"name": "b", "when": "2025-01-02"},
     _TwoFields(dt.date(2025, 1, 2), "b")),
])
def test_a_record_of_any_number_of_fields_reads_quickly_as_carefully(codec: RecordCodec[Any], raw: dict[str, Any],
                                                                       expected: object) -> None:
    quick = codec.quick()
    assert codec.decode(raw, "x") == expected
    assert quick(tuple(sorted(raw.items()))) == expected
    assert quick(tuple(sorted(raw.items(), reverse=True))) == expected  # keys in another order
    with pytest.raises(Reject):
        quick((("other", "a"),) * len(raw))  # an unknown key: the careful reading names it
