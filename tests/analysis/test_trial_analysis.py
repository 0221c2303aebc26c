"""``analyze_trial`` as a whole: every endpoint in protocol order, a JSON document, the cut-off."""

from __future__ import annotations

import json

import pytest

from hipectrial.analysis.trial_analysis import analyze_trial
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol

from .builders import TrialBuilder, day


def _trial() -> TrialBuilder:
    t = TrialBuilder()
    t.participant(1).hipec().baseline_ct().ct(42, T1=30).ct(70, T1=28).surgery(110).alive(300)
    t.participant(2).hipec().baseline_ct().ct(42, T1=45).died(150)
    t.participant(3, part="part_a", dose_level="1").hipec().cycle(21).alive(60)
    return t


def test_one_result_per_endpoint_in_protocol_order(protocol: Protocol) -> None:
    a = analyze_trial(trial=_trial().build(), protocol=protocol)
    assert [e.endpoint_id for e in a.endpoints] == [e.id for e in protocol.endpoints]


def test_document_is_json_and_holds_the_numbers(protocol: Protocol) -> None:
    a = analyze_trial(trial=_trial().build(), protocol=protocol)
    document = a.to_document()
    text = json.dumps(document, sort_keys=True)
    again = json.loads(text)
    assert again == document
    r0 = next(e for e in again["endpoints"] if e["endpoint_id"] == "r0-resection")
    # R0 in 001 of ITT 001, 002, 003: 1/3. R: binom.test(1, 3)$conf.int -> 0.00840375865961 0.90570067594975
    assert (r0["value"]["estimate"]["events"], r0["value"]["estimate"]["n"]) == (1, 3)
    assert r0["value"]["estimate"]["ci_lower"] == pytest.approx(0.00840375865961, abs=1e-12)
    assert r0["value"]["numerator_ids"] == ["SH01-001"]
    assert again["populations"]["sets"]["itt"] == ["SH01-001", "SH01-002", "SH01-003"]
    assert again["cutoff"] == "2026-06-30"
    assert json.dumps(analyze_trial(trial=_trial().build(), protocol=protocol).to_document()) == json.dumps(document)


def test_cutoff_leaves_out_later_records(protocol: Protocol) -> None:
    a = analyze_trial(trial=_trial().build(), protocol=protocol, cutoff=day(100))
    value = a.endpoint("r0-resection").value
    assert value.numerator_ids == ()  # type: ignore[union-attr]  # surgery on day 110 is after the cut-off
    os_rows = {r.participant_id: r for r in a.endpoint("os").value.rows}  # type: ignore[union-attr]
    assert os_rows["SH01-002"].event is False


def test_refuses_data_of_another_protocol(protocol: Protocol) -> None:
    trial = _trial().build()
    other = type(trial)(protocol_id="OTHER", protocol_version="1", generated_at=trial.generated_at)
    with pytest.raises(InputError) as info:
        analyze_trial(trial=other, protocol=protocol)
    assert info.value.field == "trial.protocol_id"
