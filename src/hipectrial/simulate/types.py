"""The values the simulator's parts hand each other: a screened person's profile and an enrolment.

``screening`` (accrual, baseline values, eligibility) produces a :class:`ScreeningProfile`
for every screened person and an :class:`Enrolment` for each one registered; ``course``
simulates an enrolled participant's treatment and follow-up from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from hipectrial.data.vocab import Cytology, Sex


@dataclass(frozen=True, slots=True)
class LabValue:
    """One screening laboratory value in the unit the protocol's labs field declares, with
    the site's reference range (``lower``/``upper``, ``None`` where the test has none)."""

    value: Decimal
    unit: str
    lower: Decimal | None = None
    upper: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ScreeningProfile:
    """What screening found about one person: the values eligibility and dosing start from.

    ``labs`` maps CDISC LBTESTCD codes (``NEUT``, ``PLAT``, ``HGB``, ``BILI``, ``AST``,
    ``ALT``, ``CREAT``, ``INR``…) to values; ``pci`` holds the 13 region scores of the
    staging laparoscopy (Sugarbaker, 0-3 each) and ``cytology`` its lavage cytology.
    ``lvef_percent`` is measured for HER2-positive people only.
    """

    participant_id: str
    site_id: str
    sex: Sex
    birth_date: dt.date
    consent_date: dt.date
    screening_date: dt.date
    height_cm: Decimal
    weight_kg: Decimal
    ecog: int
    labs: Mapping[str, LabValue]
    pci: tuple[int, ...]
    cytology: Cytology
    her2_positive: bool
    lvef_percent: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A registered participant: the profile, the registration and the assigned treatment.

    ``study_part`` is a code of the protocol's ``study-part`` list (``part_a``/``part_b``);
    ``cohort`` and ``dose_level`` are protocol ids.
    """

    profile: ScreeningProfile
    registration_date: dt.date
    cohort: str
    dose_level: str
    study_part: str
