"""Baseline characteristics of the ITT population, by study part and in total.

Sources (docs/trialdata-conventions.md): age in completed years from ``birth_date`` to
``consent_date`` (the protocol's ``age`` variable); sex from the participant; ECOG from the
``ecog_assessment`` form at ``screening``; primary site, histology and Lauren type from the
``diagnosis`` form at ``screening``; HER2 status from the participant's cohort; PCI and
cytology from the day-0 laparoscopy (first look); site from the participant.

Coded values are shown by their protocol labels, categories in code-list order (only those
that occur); a participant without a value counts as missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from hipectrial.analysis.facts import Facts
from hipectrial.analysis.labels import Labels
from hipectrial.analysis.peritoneal import pci_total
from hipectrial.analysis.populations import PART_A, PART_B, PART_LABELS, Populations
from hipectrial.analysis.results import ContinuousSummary, summarise
from hipectrial.data import Cytology
from hipectrial.protocol import Protocol
from hipectrial.protocol.endpoints import Population

SCREENING = "screening"


@dataclass(frozen=True, slots=True)
class BaselineColumn:
    id: str
    label: str
    participant_ids: tuple[str, ...]

    @property
    def n(self) -> int:
        return len(self.participant_ids)


@dataclass(frozen=True, slots=True)
class CategoryRow:
    """One category and its count in each column."""

    category: str
    counts: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class BaselineVariable:
    """A characteristic: a summary per column (continuous) or category counts per column;
    ``missing`` counts the participants without a value, per column."""

    name: str
    summaries: tuple[ContinuousSummary, ...] | None
    categories: tuple[CategoryRow, ...]
    missing: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class BaselineTable:
    population: str
    columns: tuple[BaselineColumn, ...]
    variables: tuple[BaselineVariable, ...]

    def variable(self, name: str) -> BaselineVariable:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(name)


def age_years(birth: dt.date, on: dt.date) -> int:
    """Completed years from ``birth`` to ``on``.

    >>> born = dt.date(1960, 5, 4)
    >>> age_years(born, dt.date(2025, 5, 3)), age_years(born, dt.date(2025, 5, 4))
    (64, 65)
    """
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _screening_value(f: Facts, form_id: str, field_id: str) -> str | None:
    for values in f.form_values(form_id, (SCREENING,)):
        value = values.get(field_id)
        if isinstance(value, str):
            return value
    return None


def _cytology(f: Facts) -> str | None:
    cy = f.first_look.cytology if f.first_look is not None else None
    return cy.value if isinstance(cy, Cytology) else None


def _categorical(name: str, columns: Sequence[BaselineColumn], facts: Mapping[str, Facts],
                 value: Callable[[Facts], str | None], order: Sequence[str],
                 label: Callable[[str], str]) -> BaselineVariable:
    values = {pid: value(facts[pid]) for c in columns for pid in c.participant_ids}
    present = {v for v in values.values() if v is not None}
    ordered = [code for code in order if code in present] + sorted(present - set(order))
    rows = tuple(CategoryRow(label(code), tuple(sum(1 for pid in c.participant_ids if values[pid] == code)
                                               for c in columns)) for code in ordered)
    missing = tuple(sum(1 for pid in c.participant_ids if values[pid] is None) for c in columns)
    return BaselineVariable(name, None, rows, missing)


def _continuous(name: str, columns: Sequence[BaselineColumn], facts: Mapping[str, Facts],
                value: Callable[[Facts], float | None]) -> BaselineVariable:
    per_column = [[value(facts[pid]) for pid in c.participant_ids] for c in columns]
    return BaselineVariable(name, tuple(summarise([v for v in vs if v is not None]) for vs in per_column), (),
                            tuple(sum(v is None for v in vs) for vs in per_column))


def baseline_table(*, protocol: Protocol, populations: Populations, facts: Mapping[str, Facts],
                   labels: Labels) -> BaselineTable:
    """The ITT population's baseline by study part (Part A, Part B) and in total."""
    itt = populations[Population.ITT]
    members = set(itt)
    columns = [BaselineColumn(part, PART_LABELS[part], tuple(p for p in ids if p in members))
               for part, ids in ((PART_A, populations.part_a), (PART_B, populations.part_b))]
    columns.append(BaselineColumn("all", "All (ITT)", itt))

    def codes(codelist_id: str) -> tuple[str, ...]:
        return protocol.codelist(codelist_id).codes

    sites = list(dict.fromkeys(facts[pid].participant.site_id for pid in itt))
    variables = (
        _continuous("Age (years)", columns, facts,
                    lambda f: age_years(f.participant.birth_date, f.participant.consent_date)),
        _categorical("Sex", columns, facts, lambda f: f.participant.sex.value, codes("sex"),
                     lambda c: labels.code("sex", c)),
        _categorical("ECOG performance status", columns, facts,
                     lambda f: _screening_value(f, "ecog_assessment", "ecog"), codes("ecog"),
                     lambda c: labels.code("ecog", c)),
        _categorical("HER2 status (cohort)", columns, facts, lambda f: f.participant.cohort,
                     [c.id for c in protocol.cohorts], labels.cohort),
        _categorical("Primary site", columns, facts,
                     lambda f: _screening_value(f, "diagnosis", "primary_site"), codes("primary-site"),
                     lambda c: labels.field("primary_site", c)),
        _categorical("Histology", columns, facts, lambda f: _screening_value(f, "diagnosis", "histology"),
                     codes("histology"), lambda c: labels.field("histology", c)),
        _categorical("Lauren type", columns, facts, lambda f: _screening_value(f, "diagnosis", "lauren_type"),
                     codes("lauren"), lambda c: labels.field("lauren_type", c)),
        _continuous("PCI at the day-0 laparoscopy", columns, facts, lambda f: pci_total(f.first_look)),
        _categorical("Peritoneal cytology at day 0", columns, facts, _cytology, codes("cytology"),
                     lambda c: labels.code("cytology", c)),
        _categorical("Site", columns, facts, lambda f: f.participant.site_id, sites, lambda c: c),
    )
    return BaselineTable(Population.ITT.value, tuple(columns), variables)
