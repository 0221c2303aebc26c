"""Each value has one canonical text, and the text gives the value back exactly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hipectrial.errors import InputError
from hipectrial.export.tables import Code, Column, ColumnType, from_text, to_text

GRADES = Column("grade", "Grade", "分级", ColumnType.CODE, codelist="ctcae-grade",
                codes=(Code("1", "Grade 1", "1级"), Code("2", "Grade 2", "2级")))
CRITERIA = Column("criteria", "SAE criteria", "严重标准", ColumnType.CODES, codelist="sae-criterion",
                  codes=(Code("death", "Death", "死亡"), Code("hospitalisation", "Hospitalisation", "住院")))


def col(kind: ColumnType) -> Column:
    return Column("x", "X", "X", kind)


@pytest.mark.parametrize(("column", "value", "text"), [
    (col(ColumnType.TEXT), "汉族, a \"quoted\" text", "汉族, a \"quoted\" text"),
    (col(ColumnType.INTEGER), -12, "-12"),
    (col(ColumnType.DECIMAL), Decimal("1.50"), "1.50"),
    (col(ColumnType.DECIMAL), Decimal("-1E+1"), "-1E+1"),
    (col(ColumnType.DECIMAL), Decimal("0.000"), "0.000"),
    (col(ColumnType.DATE), dt.date(2025, 2, 28), "2025-02-28"),
    (col(ColumnType.DATETIME), dt.datetime(2025, 2, 25, 10, 5, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
     "2025-02-25T10:05:30+08:00"),
    (col(ColumnType.DATETIME), dt.datetime(2025, 2, 25, 10, 5, 0, 250000, tzinfo=dt.UTC),
     "2025-02-25T10:05:00.250000+00:00"),
    (col(ColumnType.BOOLEAN), True, "true"),
    (col(ColumnType.BOOLEAN), False, "false"),
    (GRADES, "2", "2"),
    (CRITERIA, ("hospitalisation", "death"), "hospitalisation|death"),
    (col(ColumnType.TEXT), None, ""),
])
def test_text_and_back(column: Column, value: object, text: str) -> None:
    assert to_text(column, value) == text
    back = from_text(column, text, where="t row 1 column x")
    assert back == value
    assert type(back) is type(value)
    assert str(back) == str(value)


@pytest.mark.parametrize(("column", "text"), [
    (col(ColumnType.INTEGER), "1.0"),
    (col(ColumnType.INTEGER), " 1"),
    (col(ColumnType.DECIMAL), "1,5"),
    (col(ColumnType.DECIMAL), "NaN"),
    (col(ColumnType.DATE), "2025/03/01"),
    (col(ColumnType.DATE), "2025-02-30"),
    (col(ColumnType.DATETIME), "2025-03-01T09:30:00"),  # no offset
    (col(ColumnType.DATETIME), "2025-03-01"),
    (col(ColumnType.BOOLEAN), "yes"),
    (col(ColumnType.BOOLEAN), "1"),
    (GRADES, "6"),
    (CRITERIA, "death|"),
    (CRITERIA, "death,hospitalisation"),
])
def test_from_text_refuses_what_is_not_the_canonical_text(column: Column, text: str) -> None:
    with pytest.raises(InputError) as caught:
        from_text(column, text, where="form_labs row 3 column x")
    assert caught.value.field == "form_labs row 3 column x"
    assert caught.value.value == text


def test_a_refused_code_names_the_code_list_and_its_codes() -> None:
    with pytest.raises(InputError, match=r"a code of ctcae-grade \(1, 2\); got '6'"):
        from_text(GRADES, "6", where="ae row 1")


@pytest.mark.parametrize(("column", "value"), [
    (col(ColumnType.DECIMAL), 1.5), (col(ColumnType.INTEGER), True), (col(ColumnType.DATE), dt.datetime(2025, 1, 1)),
    (col(ColumnType.TEXT), ""), (CRITERIA, ()), (GRADES, "9"),
])
def test_to_text_refuses_a_value_not_of_the_column(column: Column, value: object) -> None:
    with pytest.raises(InputError):
        to_text(column, value)
