"""What the DSMB report's sections share: link targets, population names, group columns."""

from __future__ import annotations

from collections.abc import Sequence

from hipectrial.analysis.labels import Labels
from hipectrial.analysis.populations import StudyGroup
from hipectrial.report.document import Align, Column

L, R = Align.LEFT, Align.RIGHT

# Populations the analysis names besides the protocol's (analysis.primary, analysis.safety).
_NAMED_POPULATIONS = {
    "part_b_itt_rp2d": "Part B ITT at the RP2D",
}


def listing_id(endpoint_id: str, population: str) -> str:
    """The appendix anchor of the participants behind one endpoint in one population.

    >>> listing_id("r0-resection", "part_b_itt_rp2d"), listing_id("dlt-rate", "dlt_evaluable, level 1")
    ('records-r0-resection-part-b-itt-rp2d', 'records-dlt-rate-dlt-evaluable-level-1')
    """
    slug = "".join(c if c.isalnum() else "-" for c in population.lower())
    while "--" in slug:
        slug = slug.replace("--", "-")
    return f"records-{endpoint_id}-{slug.strip('-')}"


def population_name(population: str) -> str:
    """How a reader sees an analysis population's id.

    >>> [population_name(p) for p in ("itt", "part_a_itt_level_1", "dlt_evaluable, level 2")]
    ['ITT', 'Part A ITT, level 1', 'DLT-evaluable, level 2']
    """
    if population in _NAMED_POPULATIONS:
        return _NAMED_POPULATIONS[population]
    if population.startswith("part_a_itt_level_"):
        return f"Part A ITT, level {population.removeprefix('part_a_itt_level_')}"
    head, _, level = population.partition(", ")
    try:
        name = Labels.population(head)
    except ValueError:
        return population
    return f"{name}, {level}" if level else name


def group_columns(groups: Sequence[StudyGroup], *, counts: Sequence[int] | None = None) -> tuple[Column, ...]:
    """One right-aligned column per study group, headed by its label and n (``counts``, default
    the group's registered participants)."""
    sizes = counts if counts is not None else [len(g.participant_ids) for g in groups]
    return tuple(Column(f"{g.label} (n = {n})", R) for g, n in zip(groups, sizes, strict=True))
