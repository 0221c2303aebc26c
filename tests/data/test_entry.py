"""Reading what a user typed into a CRF field (hipectrial.data.entry), on the seed protocol's
fields: each type's accepted forms, and every refusal naming the field, the text and the
format expected."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import pytest

from hipectrial.data.entry import expected_input, parse_field_input
from hipectrial.data.values import FieldValue
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol, load_protocol
from hipectrial.protocol.forms import FieldDef


@pytest.fixture(scope="module")
def protocol() -> Protocol:
    return load_protocol()


def _parse(protocol: Protocol, field_id: str, raw: str | Sequence[str] | None) -> FieldValue | None:
    _, field = protocol.field(field_id)
    return parse_field_input(field=field, raw=raw, protocol=protocol)


def _refused(protocol: Protocol, field_id: str, raw: str | Sequence[str] | None) -> InputError:
    with pytest.raises(InputError) as caught:
        _parse(protocol, field_id, raw)
    assert caught.value.field == field_id
    return caught.value


# The seed's field types: anc decimal (10^9/L, 2 decimals), systolic_bp int (mmHg), lab_date
# date, sex choice (female, male), ae_sae_criteria multi_choice, ae_serious boolean,
# comorbidities text.

@pytest.mark.parametrize("raw", [None, "", "   ", "\t\n"])
@pytest.mark.parametrize("field_id", ["anc", "systolic_bp", "lab_date", "sex", "ae_serious", "comorbidities"])
def test_blank_input_is_a_blank_field(protocol: Protocol, field_id: str, raw: str | None) -> None:
    assert _parse(protocol, field_id, raw) is None


@pytest.mark.parametrize(("raw", "value"), [
    ("1.50", Decimal("1.50")), (" 1.5 ", Decimal("1.5")), ("0", Decimal("0")), ("-0.25", Decimal("-0.25")),
    ("0.5", Decimal("0.5")), ("120", Decimal("120")),
])
def test_decimal_keeps_the_digits_typed(protocol: Protocol, raw: str, value: Decimal) -> None:
    parsed = _parse(protocol, "anc", raw)
    assert isinstance(parsed, Decimal)
    # Same digits, same exponent: "1.50" is not "1.5".
    assert parsed.as_tuple() == value.as_tuple()


@pytest.mark.parametrize(("raw", "hint"), [
    ("1,5", "use a point for decimals"),
    ("1,000.5", "no thousands separator"),
    ("abc", None), ("NaN", None), ("nan", None), ("inf", None), ("-Infinity", None), ("1e3", None),
    ("1E-2", None), ("0x10", None), ("1.5.1", None), ("+1.5", None), ("1 5", None),
    (".5", "a digit on both sides of the point"), ("5.", "a digit on both sides of the point"),
    ("１.５", "half-width"), ("1．5", "half-width"),
])
def test_decimal_refuses_anything_but_plain_digits_and_a_point(protocol: Protocol, raw: str,
                                                                hint: str | None) -> None:
    error = _refused(protocol, "anc", raw)
    assert error.value == raw.strip()
    assert error.expected == "a number in 10^9/L, e.g. 1.25"
    assert str(error).startswith(f"anc must be a number in 10^9/L, e.g. 1.25; got {raw.strip()!r}")
    if hint is not None:
        assert error.hint is not None
        assert hint in error.hint


def test_decimal_range_is_not_checked_here(protocol: Protocol) -> None:
    # anc's max is 100 10^9/L: 250 is read; the protocol check (form_check) reports it.
    assert _parse(protocol, "anc", "250") == Decimal("250")
    # More decimals than the protocol records (2) is read too (a warning there).
    assert _parse(protocol, "anc", "1.255") == Decimal("1.255")


@pytest.mark.parametrize(("raw", "value"), [("120", 120), ("007", 7), ("-3", -3), (" 80 ", 80)])
def test_int_reads_whole_numbers(protocol: Protocol, raw: str, value: int) -> None:
    parsed = _parse(protocol, "systolic_bp", raw)
    assert parsed == value
    assert type(parsed) is int


@pytest.mark.parametrize(("raw", "hint"), [
    ("3.0", "without a decimal point"), ("120.5", "without a decimal point"), ("1,200", "point for decimals"),
    ("1e2", None), ("twelve", None), ("NaN", None), ("１２０", "half-width"),
])
def test_int_refuses_a_decimal_point_and_anything_not_digits(protocol: Protocol, raw: str,
                                                             hint: str | None) -> None:
    error = _refused(protocol, "systolic_bp", raw)
    assert error.expected == "a whole number in mmHg, e.g. 12"
    if hint is not None:
        assert error.hint is not None
        assert hint in error.hint


def test_a_dimensionless_unit_reads_as_a_kind_of_number(protocol: Protocol) -> None:
    assert _refused(protocol, "pdl1_cps", "high").expected == "a whole number (score), e.g. 12"
    assert _refused(protocol, "her2_ish_ratio", "2:1").expected == "a number (ratio), e.g. 1.25"


@pytest.mark.parametrize(("raw", "value"), [
    ("2025-03-01", dt.date(2025, 3, 1)), ("2024-02-29", dt.date(2024, 2, 29)), (" 2025-12-31 ", dt.date(2025, 12, 31)),
])
def test_date_reads_iso_dates(protocol: Protocol, raw: str, value: dt.date) -> None:
    assert _parse(protocol, "lab_date", raw) == value


@pytest.mark.parametrize(("raw", "hint"), [
    ("2025-13-01", "no such date"), ("2025-02-29", "no such date"), ("2025-04-31", "no such date"),
    ("03/01/2025", None), ("01.03.2025", None), ("2025/03/01", None), ("20250301", None), ("2025-3-1", None),
    ("2025-03-01T10:00", None), ("2025年3月1日", None),
])
def test_date_refuses_other_formats_and_dates_that_do_not_exist(protocol: Protocol, raw: str,
                                                                hint: str | None) -> None:
    error = _refused(protocol, "lab_date", raw)
    assert error.expected == "a date YYYY-MM-DD, e.g. 2025-03-01"
    if hint is not None:
        assert error.hint == hint


def _datetime_field() -> FieldDef:
    # The seed protocol has no datetime field; one as a protocol would declare it.
    return FieldDef.model_validate({"id": "ae_start", "label": {"en": "Start", "zh": "开始"}, "type": "datetime"})


@pytest.mark.parametrize(("raw", "value"), [
    ("2025-03-01T14:30+08:00", dt.datetime(2025, 3, 1, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))),
    ("2025-03-01 14:30:15+08:00",
     dt.datetime(2025, 3, 1, 14, 30, 15, tzinfo=dt.timezone(dt.timedelta(hours=8)))),
    ("2025-03-01T06:30Z", dt.datetime(2025, 3, 1, 6, 30, tzinfo=dt.UTC)),
    ("2025-03-01T06:30:00.250-05:00",
     dt.datetime(2025, 3, 1, 6, 30, 0, 250000, tzinfo=dt.timezone(dt.timedelta(hours=-5)))),
])
def test_datetime_reads_iso_with_an_offset(protocol: Protocol, raw: str, value: dt.datetime) -> None:
    parsed = parse_field_input(field=_datetime_field(), raw=raw, protocol=protocol)
    assert parsed == value
    assert isinstance(parsed, dt.datetime)
    assert parsed.utcoffset() == value.utcoffset()


@pytest.mark.parametrize(("raw", "hint"), [
    ("2025-03-01T14:30", "a UTC offset is needed, e.g. +08:00"),
    ("2025-03-01 14:30:00", "a UTC offset is needed, e.g. +08:00"),
    ("2025-03-01T25:00+08:00", "no such date or time"), ("2025-02-30T10:00+08:00", "no such date or time"),
    ("2025-03-01", None), ("14:30", None), ("2025-03-01T14:30+0800", None), ("01/03/2025 14:30 CST", None),
])
def test_datetime_refuses_a_naive_time_saying_an_offset_is_needed(protocol: Protocol, raw: str,
                                                                  hint: str | None) -> None:
    with pytest.raises(InputError) as caught:
        parse_field_input(field=_datetime_field(), raw=raw, protocol=protocol, form_id="adverse_events")
    error = caught.value
    assert (error.field, error.value) == ("ae_start", raw)
    assert "UTC offset" in error.expected
    assert error.hint is not None
    assert error.hint.endswith("form 'adverse_events'")
    if hint is not None:
        assert error.hint.startswith(hint)


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("false", False), (" true ", True)])
def test_boolean_reads_true_and_false(protocol: Protocol, raw: str, value: bool) -> None:
    assert _parse(protocol, "ae_serious", raw) is value


@pytest.mark.parametrize("raw", ["yes", "no", "Yes", "True", "FALSE", "1", "0", "on", "是", "否", "t"])
def test_boolean_refuses_labels_and_checkbox_states(protocol: Protocol, raw: str) -> None:
    assert _refused(protocol, "ae_serious", raw).expected == "true or false"


def test_choice_takes_a_code_of_the_fields_code_list(protocol: Protocol) -> None:
    assert _parse(protocol, "sex", "female") == "female"
    assert _parse(protocol, "her2_ihc", "ihc2plus") == "ihc2plus"


@pytest.mark.parametrize(("field_id", "raw"), [
    ("sex", "Female"), ("sex", "F"), ("sex", "女"), ("her2_ihc", "2+"), ("her2_ihc", "IHC 2+"),
])
def test_choice_refuses_labels_submission_values_and_other_spellings(protocol: Protocol, field_id: str,
                                                                      raw: str) -> None:
    error = _refused(protocol, field_id, raw)
    codes = ", ".join(protocol.codelist(str(protocol.field(field_id)[1].codelist)).codes)
    assert error.expected.endswith(codes)


def test_multi_choice_takes_distinct_codes_in_the_order_given(protocol: Protocol) -> None:
    assert _parse(protocol, "ae_sae_criteria", ["hospitalisation", "death"]) == ("hospitalisation", "death")
    assert _parse(protocol, "ae_sae_criteria", ["hospitalisation", " "]) == ("hospitalisation",)
    assert _parse(protocol, "ae_sae_criteria", []) is None
    assert _parse(protocol, "ae_sae_criteria", ["", "  "]) is None


def test_multi_choice_refuses_a_code_not_in_the_list_duplicates_and_a_single_string(protocol: Protocol) -> None:
    error = _refused(protocol, "ae_sae_criteria", ["death", "fatal"])
    assert error.value == "fatal"
    assert "sae-criterion" in error.expected
    error = _refused(protocol, "ae_sae_criteria", ["death", "death"])
    assert error.hint == "death given more than once"
    error = _refused(protocol, "ae_sae_criteria", "death,hospitalisation")
    assert error.hint == "give the ticked codes as a list"


def test_a_single_valued_field_refuses_a_list(protocol: Protocol) -> None:
    assert _refused(protocol, "sex", ["female"]).hint == "one value, not a list"


def test_text_keeps_what_was_typed_inside_the_surrounding_whitespace(protocol: Protocol) -> None:
    assert _parse(protocol, "comorbidities", "  Hypertension, 10 y  ") == "Hypertension, 10 y"


def test_the_form_is_named_in_the_hint(protocol: Protocol) -> None:
    _, anc = protocol.field("anc")
    with pytest.raises(InputError) as caught:
        parse_field_input(field=anc, raw="3.0.1", protocol=protocol, form_id="labs")
    assert caught.value.hint == "form 'labs'"
    assert str(caught.value) == "anc must be a number in 10^9/L, e.g. 1.25; got '3.0.1' (form 'labs')"


def test_expected_input_names_the_unit_and_codes(protocol: Protocol) -> None:
    assert expected_input(protocol.field("weight_kg")[1], protocol) == "a number in kg, e.g. 1.2"
    assert expected_input(protocol.field("haemoglobin")[1], protocol) == "a number in g/L, e.g. 12"
    assert expected_input(protocol.field("ae_sae_criteria")[1], protocol).startswith(
        "a list of distinct codes of code list sae-criterion: death, life_threatening")
