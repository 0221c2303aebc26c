"""Values as ODM 1.3.2 writes them (the XML Schema lexical forms of its DataTypes), and back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hipectrial.export.odm.values import DATA_TYPES, ValueProblem, odm_text, odm_value
from hipectrial.export.tables import Code, Column, ColumnType

BEIJING = dt.timezone(dt.timedelta(hours=8))
CODES = (Code("hospitalisation", "Hospitalisation", "住院"), Code("death", "Death", "死亡"))


def column(kind: ColumnType, codes: tuple[Code, ...] = ()) -> Column:
    return Column("x", "X", "X", kind, codelist="sae-criterion" if codes else None, codes=codes)


@pytest.mark.parametrize(("kind", "value", "text"), [
    # xs:decimal keeps the digits recorded (trailing zeros too); no exponent form exists.
    (ColumnType.DECIMAL, Decimal("61.50"), "61.50"),
    (ColumnType.DECIMAL, Decimal("-0.05"), "-0.05"),
    (ColumnType.DECIMAL, Decimal("1E+2"), "100"),
    (ColumnType.INTEGER, -14, "-14"),
    # xs:boolean's canonical forms are true and false (XML Schema Part 2, §3.2.2.2).
    (ColumnType.BOOLEAN, True, "true"),
    (ColumnType.BOOLEAN, False, "false"),
    (ColumnType.DATE, dt.date(2025, 3, 1), "2025-03-01"),
    (ColumnType.DATETIME, dt.datetime(2025, 2, 25, 10, 5, 30, tzinfo=BEIJING), "2025-02-25T10:05:30+08:00"),
    (ColumnType.DATETIME, dt.datetime(2025, 2, 25, 2, 5, 30, 120000, tzinfo=dt.UTC),
     "2025-02-25T02:05:30.120000+00:00"),
    (ColumnType.TEXT, "汉族 & <tag>", "汉族 & <tag>"),
    (ColumnType.CODE, "female", "female"),
    (ColumnType.CODES, ("hospitalisation", "death"), "hospitalisation death"),
])
def test_writes_each_type_in_its_xml_schema_form(kind: ColumnType, value: object, text: str) -> None:
    assert odm_text(column(kind), value) == text


def test_odm_data_types_are_those_the_standard_names() -> None:
    # ODM 1.3.2 §3.1.4.5: integer, float (xs:decimal), date, datetime, boolean, text.
    assert DATA_TYPES == {
        ColumnType.TEXT: "text", ColumnType.INTEGER: "integer", ColumnType.DECIMAL: "float",
        ColumnType.DATE: "date", ColumnType.DATETIME: "datetime", ColumnType.BOOLEAN: "boolean",
        ColumnType.CODE: "text", ColumnType.CODES: "text",
    }


def test_multi_choice_keeps_the_order_recorded() -> None:
    codes = column(ColumnType.CODES, CODES)
    assert odm_value(codes, "death hospitalisation") == ("death", "hospitalisation")


@pytest.mark.parametrize(("kind", "text"), [
    (ColumnType.DECIMAL, "1E+2"),          # ODM float is xs:decimal: no exponent
    (ColumnType.DECIMAL, "1,5"),
    (ColumnType.INTEGER, "1.0"),
    (ColumnType.DATE, "2025-02-30"),       # no such day
    (ColumnType.DATE, "2025-3-1"),
    (ColumnType.DATE, "2025-03-01Z"),      # our dates carry no time zone
    (ColumnType.DATETIME, "2025-02-25T10:05:30"),            # no offset: which instant?
    (ColumnType.DATETIME, "2025-02-25T10:05:30.1234567+08:00"),  # would be cut to microseconds
    (ColumnType.BOOLEAN, "yes"),
    (ColumnType.CODES, "death  hospitalisation"),             # two spaces: an empty code
])
def test_refuses_a_text_outside_the_types_lexical_space(kind: ColumnType, text: str) -> None:
    with pytest.raises(ValueProblem):
        odm_value(column(kind, CODES if kind is ColumnType.CODES else ()), text)


def test_reads_xml_schema_boolean_digits() -> None:
    assert odm_value(column(ColumnType.BOOLEAN), "1") is True
    assert odm_value(column(ColumnType.BOOLEAN), "0") is False


def test_refuses_a_code_not_in_the_code_list_naming_the_list() -> None:
    with pytest.raises(ValueProblem, match=r"a code of sae-criterion .*hospitalisation, death"):
        odm_value(column(ColumnType.CODE, CODES), "disability")


def test_refuses_to_write_an_offset_with_seconds() -> None:
    # xs:dateTime offsets are hh:mm; an offset of +05:00:03 cannot be written exactly.
    odd = dt.timezone(dt.timedelta(hours=5, seconds=3))
    with pytest.raises(ValueProblem, match="whole minutes"):
        odm_text(column(ColumnType.DATETIME), dt.datetime(2025, 1, 1, tzinfo=odd))


def test_refuses_to_write_a_code_holding_a_space() -> None:
    with pytest.raises(ValueProblem, match="no space"):
        odm_text(column(ColumnType.CODES), ("a b", "c"))


def _no_exponent(d: Decimal) -> bool:
    exponent = d.as_tuple().exponent
    return isinstance(exponent, int) and exponent <= 0


_DECIMALS: st.SearchStrategy[Decimal] = st.decimals(allow_nan=False, allow_infinity=False).filter(_no_exponent)
_OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda m: dt.timezone(dt.timedelta(minutes=m)))


@given(st.one_of(
    st.tuples(st.just(ColumnType.DECIMAL), _DECIMALS),
    st.tuples(st.just(ColumnType.INTEGER), st.integers()),
    st.tuples(st.just(ColumnType.DATE), st.dates(min_value=dt.date(1, 1, 1))),
    st.tuples(st.just(ColumnType.DATETIME), st.datetimes(timezones=_OFFSETS)),
    st.tuples(st.just(ColumnType.BOOLEAN), st.booleans()),
    st.tuples(st.just(ColumnType.TEXT), st.text()),
))
def test_reads_back_exactly_what_it_writes(case: tuple[ColumnType, object]) -> None:
    kind, value = case
    back = odm_value(column(kind), odm_text(column(kind), value))
    assert back == value
    assert type(back) is type(value)
    if isinstance(value, Decimal):
        assert str(back) == str(value)  # the digits recorded, not just the number
    if isinstance(value, dt.datetime) and isinstance(back, dt.datetime):
        assert back.utcoffset() == value.utcoffset()
