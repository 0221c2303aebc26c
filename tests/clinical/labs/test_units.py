"""Lab test names, units and exact unit conversion.

Factors: counts 1 /mm3 = 1 /uL = 10^6 /L = 0.001 x 10^9/L and 10^3/uL = 10^9/L (SI prefixes;
CTCAE v5.0 writes <1500/mm3 = <1.5 x 10e9/L); haemoglobin g/dL x 10 = g/L (1 dL = 0.1 L);
bilirubin mg/dL x 17.1 = umol/L; creatinine mg/dL x 88.4 = umol/L (protocol-decisions.md);
K+/Na+ mEq/L = mmol/L; enzymes IU/L = U/L, ukat/L x 60 = U/L.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hipectrial.clinical.labs.units import (
    LAB_TESTS,
    UNIT_CONVERSIONS,
    LabTest,
    UnitConversion,
    _check_conversions,
    allowed_units,
    convert_lab_value,
    normalise_unit,
    parse_lab_test,
    to_decimal,
)
from hipectrial.errors import InputError


@pytest.mark.parametrize(
    ("name", "test"),
    [
        ("NEUT", LabTest.NEUT), ("neutrophils", LabTest.NEUT), ("ANC", LabTest.NEUT),
        ("PLAT", LabTest.PLAT), ("platelets", LabTest.PLAT), ("plt", LabTest.PLAT),
        ("HGB", LabTest.HGB), ("hemoglobin", LabTest.HGB), ("Haemoglobin", LabTest.HGB), ("hb", LabTest.HGB),
        ("WBC", LabTest.WBC), ("wbc", LabTest.WBC),
        ("LYM", LabTest.LYM), ("lymphocytes", LabTest.LYM),
        ("ALT", LabTest.ALT), ("alt", LabTest.ALT), ("AST", LabTest.AST), ("ast", LabTest.AST),
        ("ALP", LabTest.ALP), ("alp", LabTest.ALP),
        ("BILI", LabTest.BILI), ("bilirubin", LabTest.BILI),
        ("CREAT", LabTest.CREAT), ("creatinine", LabTest.CREAT),
        ("K", LabTest.K), ("potassium", LabTest.K), ("k", LabTest.K),
        ("SODIUM", LabTest.SODIUM), ("sodium", LabTest.SODIUM),
        ("  Total   Bilirubin ", LabTest.BILI),
    ],
)
def test_accepts_cdisc_codes_and_common_names_case_insensitively(name: str, test: LabTest) -> None:
    assert parse_lab_test(name) is test


def test_rejects_an_unknown_test_naming_field_test() -> None:
    with pytest.raises(InputError) as info:
        parse_lab_test("troponin")
    assert info.value.field == "test"
    assert "CDISC LBTESTCD code" in str(info.value)
    assert "NEUT" in str(info.value)


@pytest.mark.parametrize(
    ("test", "value", "unit", "expected"),
    [
        ("HGB", "9.5", "g/dL", "95"),  # 9.5 x 10 = 95 g/L
        ("HGB", "95", "g/L", "95"),
        ("BILI", "2.0", "mg/dL", "34.2"),  # 2.0 x 17.1 = 34.2 umol/L
        ("BILI", "1.2", "mg/dL", "20.52"),  # 1.2 x 17.1 = 20.52
        ("CREAT", "1.0", "mg/dL", "88.4"),  # 1.0 x 88.4
        ("CREAT", "1.2", "mg/dL", "106.08"),  # 1.2 x 88.4 = 106.08
        ("NEUT", "1500", "/mm3", "1.5"),  # 1500 x 0.001 = 1.5 x 10^9/L
        ("NEUT", "1500", "cells/uL", "1.5"),
        ("PLAT", "75", "10^3/uL", "75"),  # 10^3/uL = 10^9/L
        ("PLAT", "75", "K/uL", "75"),
        ("WBC", "3.0", "10^3/mm3", "3.0"),
        ("LYM", "800", "/uL", "0.8"),  # 800 x 0.001
        ("K", "3.4", "mEq/L", "3.4"),  # monovalent: mEq = mmol
        ("SODIUM", "129", "mEq/L", "129"),
        ("ALT", "2", "ukat/L", "120"),  # 2 x 60 U/L
        ("AST", "40", "IU/L", "40"),
    ],
)
def test_converts_exactly_to_the_canonical_unit(test: str, value: str, unit: str, expected: str) -> None:
    result = convert_lab_value(test=test, value=value, unit=unit)
    assert result.value == Decimal(expected)
    assert result.unit == LAB_TESTS[parse_lab_test(test)].canonical_unit
    assert result.reported_value == Decimal(value)


def test_conversion_step_shows_the_arithmetic() -> None:
    assert convert_lab_value(test="hb", value="9.5", unit="g/dL").step("HGB") == "HGB 9.5 g/dL x 10 = 95 g/L"
    assert convert_lab_value(test="BILI", value="2.0", unit="mg/dL").step("BILI") == "BILI 2.0 mg/dL x 17.1 = 34.2 umol/L"
    assert convert_lab_value(test="BILI", value="21", unit="umol/L").step("ULN") == "ULN 21 umol/L"


@pytest.mark.parametrize(
    ("written", "normal"),
    [(" µmol/l", "umol/L"), ("μmol/L", "umol/L"), ("g/dl", "g/dL"), ("10^9 / L", "10^9/L"),
     ("mmol/l", "mmol/L"), ("U/l", "U/L"), ("G/L", "G/L")],
)
def test_normalises_only_spelling_noise(written: str, normal: str) -> None:
    assert normalise_unit(written) == normal


@pytest.mark.parametrize(
    ("test", "unit"),
    [
        ("PLAT", "g/L"),  # grams, not a count
        ("PLAT", "G/L"),  # giga per litre is not in the vocabulary: too close to g/L
        ("HGB", "mmol/L"),  # CTCAE's Hb mmol/L equivalents are rounded; not converted
        ("HGB", "10^9/L"),
        ("ALT", "umol/L"),
        ("K", "mg/dL"),
        ("BILI", "g/L"),
        ("NEUT", "%"),  # a differential percentage is not a count
        ("CREAT", "mmol/L"),
    ],
)
def test_rejects_a_unit_that_does_not_fit_the_test(test: str, unit: str) -> None:
    with pytest.raises(InputError) as info:
        convert_lab_value(test=test, value="1", unit=unit)
    assert info.value.field == "unit"
    assert info.value.value == unit
    for allowed in allowed_units(parse_lab_test(test)):
        assert allowed in str(info.value)


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ("-3", "a number in [0, 200] 10^9/L"),
        (-0.01, "a number in [0, 200] 10^9/L"),
        ("NaN", "a finite number"),
        (float("inf"), "a finite number"),
        ("1,5", "a number"),
        ("", "a number"),
        (True, "a number"),
        (None, "a number"),
        ("1" * 31, "at most 30 significant digits"),
        ("1500", "a number in [0, 200] 10^9/L"),  # 1500 given as 10^9/L: meant /mm3
    ],
)
def test_rejects_values_that_are_not_plausible_numbers(value: object, phrase: str) -> None:
    with pytest.raises(InputError) as info:
        convert_lab_value(test="NEUT", value=value, unit="10^9/L")
    assert info.value.field == "value"
    assert phrase in str(info.value)


def test_out_of_range_error_shows_the_conversion_and_a_hint() -> None:
    # 95 g/dL (meant g/L) x 10 = 950 g/L, above the 250 g/L plausibility limit
    with pytest.raises(InputError) as info:
        convert_lab_value(test="HGB", value="95", unit="g/dL")
    assert info.value.field == "value"
    assert "95 g/dL = 950 g/L" in str(info.value)
    assert "check the unit" in str(info.value)


def test_to_decimal_keeps_the_shortest_float_text() -> None:
    assert to_decimal("value", 0.1) == Decimal("0.1")
    assert to_decimal("value", 120.0) == Decimal("120.0")
    assert to_decimal("value", 3) == Decimal(3)


def test_the_conversion_table_names_a_source_for_every_factor() -> None:
    for row in UNIT_CONVERSIONS:
        assert row.source.strip(), row.unit
    bilirubin = next(r for r in UNIT_CONVERSIONS if LabTest.BILI in r.tests and r.unit == "mg/dL")
    creatinine = next(r for r in UNIT_CONVERSIONS if LabTest.CREAT in r.tests and r.unit == "mg/dL")
    assert bilirubin.factor == Decimal("17.1")
    assert creatinine.factor == Decimal("88.4")
    assert "protocol-decisions.md" in creatinine.source


def _row(unit: str, factor: str, tests: frozenset[LabTest] = frozenset({LabTest.HGB}),
         canonical: str = "g/L", source: str = "test") -> UnitConversion:
    return UnitConversion(tests, unit, canonical, Decimal(factor), source)


@pytest.mark.parametrize(
    ("rows", "phrase"),
    [
        ((_row("g/L", "1"), _row("g/dL", "0")), "factor must be positive"),
        ((_row("g/L", "1"), _row("g/dL", "10", source=" ")), "no source"),
        ((_row("g/L", "1"), _row("g/L", "1")), "listed twice"),
        ((_row("g/L", "1"), _row("g/dL", "10", canonical="mg/L")), "canonical unit"),
        ((_row("g/L", "2"),), "identity with factor"),
        ((_row("g/dL", "10"),), "no row for its canonical unit"),
    ],
)
def test_a_broken_conversion_table_is_refused_at_load(rows: tuple[UnitConversion, ...], phrase: str) -> None:
    with pytest.raises(ValueError, match=phrase):
        _check_conversions(rows, {LabTest.HGB: LAB_TESTS[LabTest.HGB]})


@given(st.decimals(min_value=0, max_value=80, places=2))
def test_mg_dl_and_umol_l_give_the_same_canonical_bilirubin(mg_dl: Decimal) -> None:
    # value x 17.1 computed independently in the default 28-digit context: exact for 2 places
    converted = convert_lab_value(test="BILI", value=mg_dl, unit="mg/dL").value
    assert converted == mg_dl * Decimal("17.1")
    assert convert_lab_value(test="BILI", value=converted, unit="umol/L").value == converted
