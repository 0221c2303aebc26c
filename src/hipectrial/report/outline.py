"""Numbering shared by both renderers: sections ``1``, ``1.2``, ``A``, ``A.1``; tables and
figures numbered through the whole report (appendix included) in document order. A listing
is one table, whether it is shown inline or summarised.
"""

from __future__ import annotations

from dataclasses import dataclass

from hipectrial.report.document import NO_CUTOFF, Figure, Listing, Report, Section, Table, walk


@dataclass(frozen=True, slots=True)
class Heading:
    """A section's place in the report.

    ``block_labels`` is aligned with ``section.blocks``: ``"Table 3"`` (a table or a
    listing), ``"Figure 1"`` or ``None`` for blocks that are not numbered.
    """

    section: Section
    number: str
    depth: int
    appendix: bool
    block_labels: tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class Outline:
    """Every heading in document order and the label of every link target."""

    headings: tuple[Heading, ...]
    labels: dict[str, str]

    def heading(self, section_id: str) -> Heading:
        """The heading of the section with this id."""
        for heading in self.headings:
            if heading.section.id == section_id:
                return heading
        raise KeyError(section_id)


def appendix_letter(index: int) -> str:
    """``0 -> 'A'``, ``25 -> 'Z'``, ``26 -> 'AA'`` (bijective base 26).

    >>> [appendix_letter(i) for i in (0, 1, 25, 26, 27)]
    ['A', 'B', 'Z', 'AA', 'AB']
    """
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def outline(report: Report) -> Outline:
    """Number the sections, tables and figures of ``report``."""
    headings: list[Heading] = []
    labels: dict[str, str] = {}
    tables = figures = 0
    for part in ("sections", "appendix"):
        numbers: list[int] = []
        for _path, depth, section in walk(part, getattr(report, part)):
            del numbers[depth:]
            if len(numbers) < depth:
                numbers.append(0)
            numbers[depth - 1] += 1
            if part == "appendix":
                number = ".".join([appendix_letter(numbers[0] - 1), *map(str, numbers[1:])])
            else:
                number = ".".join(map(str, numbers))
            labels[section.id] = f"{'Appendix' if part == 'appendix' else 'Section'} {number}"
            block_labels: list[str | None] = []
            for block in section.blocks:
                label: str | None = None
                if isinstance(block, Table | Listing):
                    tables += 1
                    label = f"Table {tables}"
                elif isinstance(block, Figure):
                    figures += 1
                    label = f"Figure {figures}"
                if label is not None and isinstance(block, Table | Listing | Figure) and block.id is not None:
                    labels[block.id] = label
                block_labels.append(label)
            headings.append(Heading(section=section, number=number, depth=depth,
                                    appendix=part == "appendix", block_labels=tuple(block_labels)))
    return Outline(headings=tuple(headings), labels=labels)


def cutoff_text(report: Report) -> str:
    """The data cut-off as both renderers show it."""
    return NO_CUTOFF if report.data_cutoff is None else report.data_cutoff.isoformat()


def generated_text(report: Report) -> str:
    """``generated_at`` as shown in both renderers, e.g. ``2025-07-01 09:30 UTC+02:00``."""
    offset = report.generated_at.strftime("%z")
    zone = "UTC" if offset in ("+0000", "") else f"UTC{offset[:3]}:{offset[3:5]}"
    return f"{report.generated_at:%Y-%m-%d %H:%M} {zone}"
