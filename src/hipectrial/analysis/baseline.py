"""Baseline characteristics of the ITT population.

Sources (docs/trialdata-conventions.md): age in completed years from ``birth_date`` to
``consent_date`` (the protocol's ``age`` variable); sex from the participant; ECOG from the
``ecog_assessment`` form at ``screening``; HER2 cohort from the participant's ``cohort``;
PCI and cytology from the day-0 laparoscopy (first look); site from the participant.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hipectrial.analysis.facts import Facts
from hipectrial.analysis.peritoneal import pci_total
from hipectrial.analysis.results import ContinuousSummary, summarise
from hipectrial.data import Cytology


@dataclass(frozen=True, slots=True)
class Counts:
    """Participants per category (sorted by category); ``missing`` counts those without one."""

    counts: tuple[tuple[str, int], ...]
    missing: int


@dataclass(frozen=True, slots=True)
class BaselineTable:
    population: str
    n: int
    age_years: ContinuousSummary
    sex: Counts
    ecog: Counts
    cohort: Counts
    pci: ContinuousSummary
    pci_missing: int
    cytology: Counts
    site: Counts


def age_years(birth: dt.date, on: dt.date) -> int:
    """Completed years from ``birth`` to ``on``.

    >>> born = dt.date(1960, 5, 4)
    >>> age_years(born, dt.date(2025, 5, 3)), age_years(born, dt.date(2025, 5, 4))
    (64, 65)
    """
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _counts(values: Sequence[str | None]) -> Counts:
    present = Counter(v for v in values if v is not None)
    return Counts(tuple(sorted(present.items())), sum(v is None for v in values))


def _ecog(f: Facts) -> str | None:
    for values in f.form_values("ecog_assessment", ("screening",)):
        if values.get("ecog") is not None:
            return str(values["ecog"])
    return None


def baseline_table(ids: Sequence[str], facts: Mapping[str, Facts], population: str = "itt") -> BaselineTable:
    people = [facts[pid] for pid in ids]
    pcis = [pci_total(f.first_look) for f in people]
    cytology: list[str | None] = []
    for f in people:
        cy = f.first_look.cytology if f.first_look is not None else None
        cytology.append(cy.value if isinstance(cy, Cytology) else None)
    return BaselineTable(
        population, len(people),
        summarise([age_years(f.participant.birth_date, f.participant.consent_date) for f in people]),
        _counts([f.participant.sex.value for f in people]), _counts([_ecog(f) for f in people]),
        _counts([f.participant.cohort for f in people]),
        summarise([v for v in pcis if v is not None]), sum(v is None for v in pcis),
        _counts(cytology), _counts([f.participant.site_id for f in people]))
