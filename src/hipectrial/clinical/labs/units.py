"""Lab tests by their CDISC code, the units their values are written in, and exact conversion.

A lab value arrives as a report prints it (``9.5 g/dL``, ``1500 /mm3``, ``2.0 mg/dL``) with the
site's reference range. This module names the test (:class:`LabTest`, the CDISC LBTESTCD
code, or a common name), checks the unit fits the test, and converts the value to the
test's canonical unit (the SI unit CTCAE v5.0 grades in) in :class:`~decimal.Decimal`, so a
value exactly on a grade boundary stays exactly on it.

Every conversion factor is one row of :data:`UNIT_CONVERSIONS`, naming its source; the
table is checked when the module is imported.

References
----------
shared/reference/protocol-decisions.md, "Identifiers the software and its users rely on"
(LBTESTCD codes, units as written on lab reports) and "Dose calculation" (creatinine
umol/L = mg/dL x 88.4).
CDISC SDTM Controlled Terminology, LBTESTCD codelist (C65047).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Context, Decimal, Inexact, InvalidOperation
from enum import StrEnum
from types import MappingProxyType

from hipectrial.clinical.numbers import to_decimal
from hipectrial.clinical.refusals import ENGLISH, ValueRefusal, refused
from hipectrial.errors import InputError
from hipectrial.phrases import Phrase, english


class LabTest(StrEnum):
    """A lab test by its CDISC LBTESTCD code (protocol-decisions.md, "Identifiers")."""

    NEUT = "NEUT"
    PLAT = "PLAT"
    HGB = "HGB"
    WBC = "WBC"
    LYM = "LYM"
    ALT = "ALT"
    AST = "AST"
    ALP = "ALP"
    BILI = "BILI"
    CREAT = "CREAT"
    K = "K"
    SODIUM = "SODIUM"


@dataclass(frozen=True, slots=True)
class LabTestInfo:
    """What the software knows about one test: its names, canonical unit and plausible ranges.

    ``plausible`` (a result or a baseline) and ``reference_plausible`` (a site's LLN or ULN)
    are closed ranges in the canonical unit. They are not clinical limits: a number outside
    them is a unit or typing error (platelets ``150000`` given in ``10^9/L``, an LLN of 1.8
    read as ``/mm3``), and refusing it is safer than grading it. Source:
    ``PLAUSIBILITY_SOURCE``.
    """

    test: LabTest
    name: str
    aliases: tuple[str, ...]
    canonical_unit: str
    plausible: tuple[Decimal, Decimal]
    reference_plausible: tuple[Decimal, Decimal]


PLAUSIBILITY_SOURCE = (
    "hipectrial plausibility limits (not CTCAE): results wide enough for any living adult, "
    "narrow enough to catch a count given per mm3 as 10^9/L or g/L as g/dL (creatinine, "
    "potassium and sodium as the seed protocol's laboratory CRF); reference limits wider than "
    "any adult reference interval and than the seed CRF's LLN/ULN fields"
)

LAB_TESTS: Mapping[LabTest, LabTestInfo] = MappingProxyType({
    info.test: info for info in (
        LabTestInfo(LabTest.NEUT, "neutrophils", ("neutrophils", "neutrophil", "anc", "neut",
                                                  "absolute neutrophil count"),
                    "10^9/L", (Decimal(0), Decimal(200)), (Decimal("0.5"), Decimal(10))),
        LabTestInfo(LabTest.PLAT, "platelets", ("platelets", "platelet", "plt", "plat"),
                    "10^9/L", (Decimal(0), Decimal(5000)), (Decimal(50), Decimal(1000))),
        LabTestInfo(LabTest.HGB, "haemoglobin", ("hemoglobin", "haemoglobin", "hb", "hgb"),
                    "g/L", (Decimal(20), Decimal(250)), (Decimal(80), Decimal(250))),
        LabTestInfo(LabTest.WBC, "white blood cells", ("wbc", "white blood cells", "leukocytes",
                                                       "leucocytes"),
                    "10^9/L", (Decimal(0), Decimal(200)), (Decimal(1), Decimal(30))),
        LabTestInfo(LabTest.LYM, "lymphocytes", ("lymphocytes", "lymphocyte", "lym", "alc"),
                    "10^9/L", (Decimal(0), Decimal(200)), (Decimal("0.2"), Decimal(10))),
        LabTestInfo(LabTest.ALT, "alanine aminotransferase", ("alt", "sgpt",
                                                              "alanine aminotransferase"),
                    "U/L", (Decimal(0), Decimal(50000)), (Decimal(5), Decimal(500))),
        LabTestInfo(LabTest.AST, "aspartate aminotransferase", ("ast", "sgot",
                                                                "aspartate aminotransferase"),
                    "U/L", (Decimal(0), Decimal(50000)), (Decimal(5), Decimal(500))),
        LabTestInfo(LabTest.ALP, "alkaline phosphatase", ("alp", "alkaline phosphatase"),
                    "U/L", (Decimal(0), Decimal(20000)), (Decimal(20), Decimal(1000))),
        LabTestInfo(LabTest.BILI, "total bilirubin", ("bilirubin", "total bilirubin", "bili",
                                                      "tbil"),
                    "umol/L", (Decimal(0), Decimal(1500)), (Decimal(2), Decimal(100))),
        LabTestInfo(LabTest.CREAT, "creatinine", ("creatinine", "creat", "serum creatinine"),
                    "umol/L", (Decimal(0), Decimal(3000)), (Decimal(20), Decimal(300))),
        LabTestInfo(LabTest.K, "potassium", ("potassium", "k"),
                    "mmol/L", (Decimal(1), Decimal(10)), (Decimal("2.5"), Decimal(7))),
        LabTestInfo(LabTest.SODIUM, "sodium", ("sodium", "na"),
                    "mmol/L", (Decimal(90), Decimal(200)), (Decimal(115), Decimal(160))),
    )
})


@dataclass(frozen=True, slots=True)
class UnitConversion:
    """One way of writing a test's unit: ``value in unit x factor = value in canonical unit``."""

    tests: frozenset[LabTest]
    unit: str
    canonical_unit: str
    factor: Decimal
    source: str


_COUNTS = frozenset({LabTest.NEUT, LabTest.PLAT, LabTest.WBC, LabTest.LYM})
_ENZYMES = frozenset({LabTest.ALT, LabTest.AST, LabTest.ALP})
_IONS = frozenset({LabTest.K, LabTest.SODIUM})

_SI_VOLUME = "SI: 1 uL = 1 mm3 = 10^-6 L (exact)"
_COUNT_PER_UL = (_SI_VOLUME + "; 1 /uL = 10^6 /L = 0.001 x 10^9/L. CTCAE v5.0 writes each count "
                 "both ways, e.g. <1500/mm3 = <1.5 x 10e9/L (Neutrophil count decreased)")
_SAME = "the canonical unit"

# The one table of conversion factors. Units are written as on lab reports; see
# normalise_unit for the spelling variants accepted (spaces, micro sign, lower-case l).
UNIT_CONVERSIONS: tuple[UnitConversion, ...] = (
    UnitConversion(_COUNTS, "10^9/L", "10^9/L", Decimal(1), _SAME),
    UnitConversion(_COUNTS, "x10^9/L", "10^9/L", Decimal(1), "another spelling of 10^9/L"),
    UnitConversion(_COUNTS, "10E9/L", "10^9/L", Decimal(1), "another spelling of 10^9/L"),
    UnitConversion(_COUNTS, "10^3/uL", "10^9/L", Decimal(1),
                   _SI_VOLUME + "; 10^3 per 10^-6 L = 10^9 per L"),
    UnitConversion(_COUNTS, "10^3/mm3", "10^9/L", Decimal(1),
                   _SI_VOLUME + "; 10^3 per 10^-6 L = 10^9 per L"),
    UnitConversion(_COUNTS, "K/uL", "10^9/L", Decimal(1),
                   "US report spelling of 10^3/uL (thousands per microlitre); " + _SI_VOLUME),
    UnitConversion(_COUNTS, "/mm3", "10^9/L", Decimal("0.001"), _COUNT_PER_UL),
    UnitConversion(_COUNTS, "cells/mm3", "10^9/L", Decimal("0.001"), _COUNT_PER_UL),
    UnitConversion(_COUNTS, "/uL", "10^9/L", Decimal("0.001"), _COUNT_PER_UL),
    UnitConversion(_COUNTS, "cells/uL", "10^9/L", Decimal("0.001"), _COUNT_PER_UL),
    UnitConversion(frozenset({LabTest.HGB}), "g/L", "g/L", Decimal(1), _SAME),
    UnitConversion(frozenset({LabTest.HGB}), "g/dL", "g/L", Decimal(10),
                   "SI: 1 dL = 0.1 L (exact); CTCAE v5.0 Anemia: <10.0 g/dL = <100 g/L"),
    UnitConversion(_ENZYMES, "U/L", "U/L", Decimal(1), _SAME),
    UnitConversion(_ENZYMES, "IU/L", "U/L", Decimal(1),
                   "IUB 1964: 1 international unit (IU) = 1 U = 1 umol substrate/min"),
    UnitConversion(_ENZYMES, "ukat/L", "U/L", Decimal(60),
                   "SI: 1 katal = 1 mol/s, so 1 ukat = 1 umol/s = 60 umol/min = 60 U (exact)"),
    UnitConversion(frozenset({LabTest.BILI}), "umol/L", "umol/L", Decimal(1), _SAME),
    UnitConversion(frozenset({LabTest.BILI}), "mg/dL", "umol/L", Decimal("17.1"),
                   "standard SI conversion factor for total bilirubin, 1 mg/dL = 17.1 umol/L "
                   "(AMA Manual of Style, SI conversion table: 17.104; from the molar mass "
                   "584.66 g/mol: 10 mg/L / 584.66 g/mol = 17.10 umol/L)"),
    UnitConversion(frozenset({LabTest.CREAT}), "umol/L", "umol/L", Decimal(1), _SAME),
    UnitConversion(frozenset({LabTest.CREAT}), "mg/dL", "umol/L", Decimal("88.4"),
                   "protocol-decisions.md, Dose calculation: \"serum creatinine converted from "
                   "umol/L by dividing by 88.4\" (seed protocol dose_calculation.crcl."
                   "creatinine_umol_per_mg_dl; molar mass 113.12 g/mol gives 88.40)"),
    UnitConversion(_IONS, "mmol/L", "mmol/L", Decimal(1), _SAME),
    UnitConversion(_IONS, "mEq/L", "mmol/L", Decimal(1),
                   "K+ and Na+ carry one charge, so 1 mEq = 1 mmol (definition of the equivalent)"),
)


def _check_conversions(conversions: tuple[UnitConversion, ...],
                       tests: Mapping[LabTest, LabTestInfo]) -> None:
    """Raise ValueError unless every test has one identity row and no (test, unit) repeats."""
    seen: set[tuple[LabTest, str]] = set()
    for row in conversions:
        if row.factor <= 0 or not row.factor.is_finite():
            raise ValueError(f"conversion {row.unit}: factor must be positive; got {row.factor}")
        if not row.source.strip():
            raise ValueError(f"conversion {row.unit}: no source")
        for test in row.tests:
            if (test, row.unit) in seen:
                raise ValueError(f"conversion {row.unit} listed twice for {test}")
            seen.add((test, row.unit))
            if row.canonical_unit != tests[test].canonical_unit:
                raise ValueError(f"conversion {row.unit} for {test}: canonical unit "
                                 f"{row.canonical_unit} is not {tests[test].canonical_unit}")
            if row.unit == row.canonical_unit and row.factor != 1:
                raise ValueError(f"conversion {row.unit} for {test}: identity with factor {row.factor}")
    for test, info in tests.items():
        if (test, info.canonical_unit) not in seen:
            raise ValueError(f"{test}: no row for its canonical unit {info.canonical_unit}")
        for low, high in (info.plausible, info.reference_plausible):
            if not Decimal(0) <= low < high:
                raise ValueError(f"{test}: plausible range [{low}, {high}] is empty or negative")


_check_conversions(UNIT_CONVERSIONS, LAB_TESTS)

_BY_TEST_UNIT: Mapping[tuple[LabTest, str], UnitConversion] = MappingProxyType(
    {(test, row.unit): row for row in UNIT_CONVERSIONS for test in row.tests}
)
_BY_NAME: Mapping[str, LabTest] = MappingProxyType({
    **{alias: info.test for info in LAB_TESTS.values() for alias in info.aliases},
    **{test.value.lower(): test for test in LabTest},
})

# Products of a report value (at most ~30 digits) and a factor fit well within 100 digits;
# Inexact is trapped so a rounded product can never pass silently.
_EXACT = Context(prec=100, traps=[InvalidOperation, Inexact])


def parse_lab_test(name: str | LabTest) -> LabTest:
    """The test named by a CDISC LBTESTCD code or a common name (case-insensitive).

    >>> parse_lab_test("ANC"), parse_lab_test("Haemoglobin"), parse_lab_test("sodium")
    (<LabTest.NEUT: 'NEUT'>, <LabTest.HGB: 'HGB'>, <LabTest.SODIUM: 'SODIUM'>)
    """
    if isinstance(name, LabTest):
        return name
    key = " ".join(str(name).split()).lower()
    test = _BY_NAME.get(key)
    if test is None:
        codes = ", ".join(LabTest)
        raise InputError("test", name, f"a CDISC LBTESTCD code ({codes}) or a common name",
                         "e.g. neutrophils, anc, platelets, hb, bilirubin, creatinine, potassium")
    return test


def normalise_unit(unit: str) -> str:
    """A unit as written, with only spelling noise removed: spaces, micro sign, lower-case l.

    Letter case is otherwise kept: ``G/L`` (giga per litre) is not ``g/L`` (grams per litre).

    >>> normalise_unit(" µmol/l "), normalise_unit("g/dl"), normalise_unit("10^9 / L")
    ('umol/L', 'g/dL', '10^9/L')
    """
    text = "".join(str(unit).split()).replace("\u00b5", "u").replace("\u03bc", "u")
    if text.endswith("/dl"):
        text = text[:-3] + "/dL"
    elif text.endswith("/l"):
        text = text[:-2] + "/L"
    return text


def allowed_units(test: LabTest) -> tuple[str, ...]:
    """The units a value of ``test`` may be given in, canonical unit first.

    >>> allowed_units(LabTest.BILI)
    ('umol/L', 'mg/dL')
    """
    return tuple(row.unit for row in UNIT_CONVERSIONS if test in row.tests)


def unit_conversion(test: LabTest, unit: str, *, field: str = "unit") -> UnitConversion:
    """The conversion of ``unit`` for ``test``; InputError naming ``field`` if it does not fit.

    >>> unit_conversion(LabTest.CREAT, "mg/dl").factor
    Decimal('88.4')
    """
    row = _BY_TEST_UNIT.get((test, normalise_unit(unit)))
    if row is None:
        raise refused(field, unit, ValueRefusal.LAB_UNIT, units=allowed_units(test), test=test.value,
                      name=LAB_TESTS[test].name)
    return row




@dataclass(frozen=True, slots=True)
class LabQuantity:
    """A lab value converted exactly to its test's canonical unit, with the conversion used."""

    test: LabTest
    value: Decimal
    unit: str
    reported_value: Decimal
    reported_unit: str
    factor: Decimal
    source: str

    @property
    def converted(self) -> bool:
        return self.factor != 1 or self.reported_unit != self.unit

    def step(self, label: str) -> str:
        """The conversion as a clinician checks it, e.g. ``Hb 9.5 g/dL x 10 = 95 g/L``."""
        reported = format(self.reported_value, "f")
        if not self.converted:
            return f"{label} {reported} {self.unit}"
        return (f"{label} {reported} {self.reported_unit} x {number_text(self.factor)} = "
                f"{number_text(self.value)} {self.unit}")


def number_text(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros after the point.

    >>> number_text(Decimal("120.00")), number_text(Decimal("1E+2")), number_text(Decimal("0.50"))
    ('120', '100', '0.5')
    """
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def convert_lab_value(*, test: str | LabTest, value: object, unit: str,
                      field: str = "value", unit_field: str = "unit",
                      reference: bool = False, unit_hint: str | None = None) -> LabQuantity:
    """Convert a lab value exactly to the test's canonical unit and check it is plausible.

    Parameters
    ----------
    test
        CDISC LBTESTCD code or common name (see :func:`parse_lab_test`).
    value
        The number as reported (Decimal, int, float or numeric string), in ``unit``.
    unit
        As written on the report; must be one of :func:`allowed_units` for the test.
    field, unit_field
        The field names used in errors (``lln``, ``reference_unit`` ...).
    reference
        The number is a site's LLN or ULN: checked against the reference-limit range.
    unit_hint
        Added to the hint of an out-of-range error (where the unit came from).

    Returns
    -------
    LabQuantity
        The value in the canonical unit (``value``), the reported value and unit, and the
        factor with its source.

    Raises
    ------
    InputError
        Unknown test (field ``test``), a unit that does not fit the test (``unit_field``), or a
        value that is not a finite number inside the test's plausible range (``field``).

    Examples
    --------
    Haemoglobin 9.5 g/dL x 10 = 95 g/L; bilirubin 2.0 mg/dL x 17.1 = 34.2 umol/L.

    >>> convert_lab_value(test="hb", value="9.5", unit="g/dL").value
    Decimal('95.0')
    >>> convert_lab_value(test="BILI", value="2.0", unit="mg/dL").value
    Decimal('34.20')
    """
    lab_test = parse_lab_test(test)
    row = unit_conversion(lab_test, unit, field=unit_field)
    reported = to_decimal(field, value)
    converted = _EXACT.multiply(reported, row.factor)
    info = LAB_TESTS[lab_test]
    low, high = info.reference_plausible if reference else info.plausible
    if not low <= converted <= high:
        hint = "check the unit: a value outside this range is a unit or typing error"
        if unit_hint:
            hint += f"; {unit_hint}"
        if row.factor != 1 or row.unit != row.canonical_unit:
            hint = (f"{number_text(reported)} {row.unit} = {number_text(converted)} "
                    f"{row.canonical_unit}; " + hint)
        # the hint (a conversion, where the unit came from) is the English page's alone
        phrase = Phrase(ValueRefusal.LAB_IMPLAUSIBLE, (
            ("low", number_text(low)), ("high", number_text(high)), ("unit", info.canonical_unit),
            ("test", lab_test.value)))
        raise InputError(field, value, english(phrase, ENGLISH), hint, phrase=phrase)
    return LabQuantity(lab_test, converted, row.canonical_unit, reported, row.unit, row.factor,
                       row.source)


def exact_product(a: Decimal, b: Decimal) -> Decimal:
    """``a x b`` computed exactly (Inexact is trapped), for limits such as 3.0 x ULN.

    >>> exact_product(Decimal("3.0"), Decimal("40"))
    Decimal('120.0')
    """
    return _EXACT.multiply(a, b)
