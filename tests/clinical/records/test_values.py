"""Decoding a screening record from JSON into the types the seed protocol declares."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from hipectrial.clinical.records.values import check_values, values_from_json
from hipectrial.errors import InputError
from hipectrial.protocol import load_protocol

SEED = load_protocol()


def decode(text: str) -> dict[str, object]:
    return values_from_json(protocol=SEED, document=json.loads(text, parse_float=Decimal))


def test_each_declared_type_is_decoded():
    values = decode("""{"consent_obtained": true, "consent_date": "2026-03-02", "anc": 1.50,
                        "platelets": 100, "baseline_neuropathy_grade": 0, "ecog": "1",
                        "consent_version": "1.0", "crs_procedures": ["bursectomy"],
                        "her2_ish_ratio": null}""")
    assert values == {
        "consent_obtained": True, "consent_date": dt.date(2026, 3, 2), "anc": Decimal("1.50"),
        "platelets": Decimal(100), "baseline_neuropathy_grade": 0, "ecog": "1",
        "consent_version": "1.0", "crs_procedures": ("bursectomy",),
    }


def test_a_float_parsed_json_number_keeps_its_written_digits():
    assert values_from_json(protocol=SEED, document={"anc": 1.1}) == {"anc": Decimal("1.1")}


@pytest.mark.parametrize(
    ("text", "field", "phrase"),
    [
        ('{"anc": "1.5"}', "anc", "a JSON number in 10^9/L; got '1.5' (write it without quotes)"),
        ('{"ecog": 1}', "ecog", 'write it in quotes: "1"'),
        ('{"consent_date": "02/03/2026"}', "consent_date", "a date written YYYY-MM-DD"),
        ('{"consent_date": "2026-02-30"}', "consent_date", "a calendar date"),
        ('{"consent_date": 20260302}', "consent_date", "a date written YYYY-MM-DD"),
        ('{"baseline_neuropathy_grade": 1.0}', "baseline_neuropathy_grade", "a whole number"),
        ('{"consent_obtained": "true"}', "consent_obtained", "true or false"),
        ('{"crs_procedures": "bursectomy"}', "crs_procedures", "a list of codes"),
        ('{"crs_procedures": ["gastrectomy"]}', "crs_procedures", "one of greater_omentectomy"),
        ('{"sex": "M"}', "sex", "one of male, female"),
        ('{"anc": 150}', "anc", "a number in [0, 100] 10^9/L"),
        ('{"age": 50}', "age", "derived, not entered"),
        ('{"her2_status": "positive"}', "her2_status", "a variable the protocol declares"),
    ],
)
def test_bad_json_values_are_refused_naming_the_field(text, field, phrase):
    with pytest.raises(InputError) as info:
        decode(text)
    assert info.value.field == field
    assert phrase in str(info.value)


def test_a_record_must_be_an_object():
    with pytest.raises(InputError) as info:
        values_from_json(protocol=SEED, document=[1, 2])
    assert info.value.field == "screening record"


def test_check_values_drops_missing_values():
    assert check_values(protocol=SEED, values={"anc": None, "ecog": "0"}) == {"ecog": "0"}
