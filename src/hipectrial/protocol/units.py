"""The units a protocol may declare, spelled as they are written on lab reports and orders.

A closed vocabulary: a unit a protocol uses must be listed here, so a typo (``mg/m^2``,
``umol``) is a located load error rather than a silent new unit. Each unit names the kind of
quantity it measures, so a field and the limit it is compared with can be checked for the
same kind. Conversions between units of one kind belong to ``hipectrial.clinical``.
Spellings follow ``shared/reference/protocol-decisions.md`` ("Units as written on lab
reports") and UCUM where the reference is silent.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType


class Quantity(StrEnum):
    """The kind of quantity a unit measures."""

    CELL_COUNT = "cell count concentration"
    MASS_CONCENTRATION = "mass concentration"
    SUBSTANCE_CONCENTRATION = "substance concentration"
    CATALYTIC_CONCENTRATION = "catalytic concentration"
    VIRAL_LOAD = "viral load"
    RATIO = "ratio"
    FRACTION = "fraction"
    MASS = "mass"
    MASS_PER_AREA = "mass per body-surface area"
    MASS_PER_BODY_MASS = "mass per body mass"
    LENGTH = "length"
    BODY_MASS = "body mass"
    AREA = "area"
    VOLUME = "volume"
    FLOW = "volume flow"
    TEMPERATURE = "temperature"
    TIME = "time"
    PRESSURE = "pressure"
    RATE = "rate"
    SCORE = "score"


UNITS: MappingProxyType[str, Quantity] = MappingProxyType(
    {
        "10^9/L": Quantity.CELL_COUNT,
        "10^12/L": Quantity.CELL_COUNT,
        "g/L": Quantity.MASS_CONCENTRATION,
        "g/dL": Quantity.MASS_CONCENTRATION,
        "mg/dL": Quantity.MASS_CONCENTRATION,
        "ng/mL": Quantity.MASS_CONCENTRATION,
        "U/mL": Quantity.CATALYTIC_CONCENTRATION,
        "U/L": Quantity.CATALYTIC_CONCENTRATION,
        "umol/L": Quantity.SUBSTANCE_CONCENTRATION,
        "mmol/L": Quantity.SUBSTANCE_CONCENTRATION,
        "IU/mL": Quantity.VIRAL_LOAD,
        "ratio": Quantity.RATIO,
        "%": Quantity.FRACTION,
        "mg": Quantity.MASS,
        "mg/m2": Quantity.MASS_PER_AREA,
        "mg/kg": Quantity.MASS_PER_BODY_MASS,
        "cm": Quantity.LENGTH,
        "mm": Quantity.LENGTH,
        "kg": Quantity.BODY_MASS,
        "m2": Quantity.AREA,
        "mL": Quantity.VOLUME,
        "mL/min": Quantity.FLOW,
        "degC": Quantity.TEMPERATURE,
        "min": Quantity.TIME,
        "h": Quantity.TIME,
        "days": Quantity.TIME,
        "weeks": Quantity.TIME,
        "months": Quantity.TIME,
        "years": Quantity.TIME,
        "mmHg": Quantity.PRESSURE,
        "beats/min": Quantity.RATE,
        "breaths/min": Quantity.RATE,
        "score": Quantity.SCORE,
    }
)


def is_known_unit(unit: str) -> bool:
    """Whether ``unit`` is in the vocabulary (spelling is exact and case-sensitive).

    >>> is_known_unit("umol/L"), is_known_unit("umol/l")
    (True, False)
    """
    return unit in UNITS


def known_units_text() -> str:
    """The vocabulary as one line, for error messages."""
    return ", ".join(UNITS)
