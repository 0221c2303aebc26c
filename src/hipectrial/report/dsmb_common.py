"""What the DSMB report's sections share: link targets, population names, group columns."""

from __future__ import annotations

from collections.abc import Sequence

from hipectrial.analysis.labels import Labels
from hipectrial.analysis.populations import StudyGroup
from hipectrial.report.document import Align, Column

L, R = Align.LEFT, Align.RIGHT

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
    """How a reader sees an analysis population's id (:meth:`Labels.population_name`)."""
    return Labels.population_name(population)


def group_columns(groups: Sequence[StudyGroup], *, counts: Sequence[int] | None = None,
                  noun: str = "") -> tuple[Column, ...]:
    """One right-aligned column per study group, headed by its label and n (``counts``, default
    the group's registered participants; ``noun`` says what n counts, e.g. "treated")."""
    sizes = counts if counts is not None else [len(g.participant_ids) for g in groups]
    return labelled_columns([g.label for g in groups], sizes, noun=noun)


def labelled_columns(labels: Sequence[str], sizes: Sequence[int], *, noun: str = "") -> tuple[Column, ...]:
    """Right-aligned columns headed "label (n = k)", or "label: k noun" when ``noun`` is given."""
    if noun:
        return tuple(Column(f"{label}: {n} {noun}", R) for label, n in zip(labels, sizes, strict=True))
    return tuple(Column(f"{label} (n = {n})", R) for label, n in zip(labels, sizes, strict=True))
