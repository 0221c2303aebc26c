"""The report document model: a report is sections of blocks, checked when it is built.

Everything here is a frozen, slotted dataclass validated in ``__post_init__``; a value
that cannot be rendered raises :class:`~hipectrial.errors.InputError` naming the field.
Sequences may be given as lists and are stored as tuples. Prose blocks take the tiny
markup of :mod:`hipectrial.report.markup`; every other string is shown literally.

Ids (sections, tables, figures) are slugs, ``^[a-z][a-z0-9_]*(-[a-z0-9_]+)*$`` of at most
64 characters: HTML anchors and PDF bookmark names at once. The renderers' own anchors
contain a double hyphen, which a slug cannot, so they never clash with a report's ids.

Examples
--------
>>> from datetime import date, datetime, timezone
>>> report = Report(
...     title="DSMB report", subtitle="Interim analysis 1", trial_id="HIPEC-01",
...     protocol_version="2.0", data_cutoff=date(2025, 6, 30),
...     generated_at=datetime(2025, 7, 1, 9, 30, tzinfo=timezone.utc),
...     confidentiality="Closed report — for the DSMB only",
...     sections=[Section(id="summary", title="Summary", blocks=[
...         MetricGrid(metrics=[Metric(label="Enrolled", value="31", link="listing")])])],
...     appendix=[Section(id="listing", title="Listing", blocks=[Paragraph(text="…")])])
>>> report.sections[0].blocks[0].metrics[0].link
'listing'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeAlias

from hipectrial.errors import InputError
from hipectrial.report.images import check_svg, png_size
from hipectrial.report.markup import check_text

_SLUG = re.compile(r"[a-z][a-z0-9_]*(?:-[a-z0-9_]+)*")
MAX_SECTION_DEPTH = 3


class Align(StrEnum):
    """Horizontal alignment of a table column."""

    LEFT = "left"
    RIGHT = "right"
    CENTER = "center"


class CalloutKind(StrEnum):
    """What a callout announces; each kind has its own border style, icon and word."""

    INFO = "info"
    WARNING = "warning"
    STOP = "stop"
    OK = "ok"


def _tuple(field_name: str, value: object) -> tuple[Any, ...]:
    if not isinstance(value, list | tuple):
        raise InputError(field_name, value, "a list or tuple")
    return tuple(value)


def _optional_slug(field_name: str, value: object) -> None:
    if value is not None:
        _slug(field_name, value)


def _slug(field_name: str, value: object) -> str:
    if not isinstance(value, str) or len(value) > 64 or not _SLUG.fullmatch(value):
        raise InputError(field_name, value, "a slug of at most 64 characters (a-z, 0-9, _ and "
                         "single hyphens, starting with a letter)", hint="e.g. 'ae-listing'")
    return value


def _enum(field_name: str, value: object, kind: type[StrEnum]) -> Any:
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return kind(value)
    except ValueError:
        allowed = ", ".join(repr(member.value) for member in kind)
        raise InputError(field_name, value, f"one of {allowed}") from None


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of prose (inline markup: ``**bold**``, ``*italic*``)."""

    text: str

    def __post_init__(self) -> None:
        check_text("text", self.text)


@dataclass(frozen=True, slots=True)
class BulletList:
    """An unordered list; each item is prose (inline markup allowed)."""

    items: tuple[str, ...]

    def __post_init__(self) -> None:
        items = _tuple("items", self.items)
        if not items:
            raise InputError("items", self.items, "at least one item")
        for index, item in enumerate(items):
            check_text(f"items[{index}]", item)
        object.__setattr__(self, "items", items)


@dataclass(frozen=True, slots=True)
class Callout:
    """A boxed statement of a decision or warning, e.g. "BOIN: escalate to dose level 2"."""

    kind: CalloutKind
    title: str
    text: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", _enum("kind", self.kind, CalloutKind))
        check_text("title", self.title)
        check_text("text", self.text, allow_empty=True)


@dataclass(frozen=True, slots=True)
class Metric:
    """A headline number; ``link`` is the id of the section, table or figure behind it."""

    label: str
    value: str
    detail: str | None = None
    link: str | None = None

    def __post_init__(self) -> None:
        check_text("label", self.label)
        check_text("value", self.value)
        if self.detail is not None:
            check_text("detail", self.detail)
        _optional_slug("link", self.link)


@dataclass(frozen=True, slots=True)
class MetricGrid:
    """Headline numbers set as a grid of boxes."""

    metrics: tuple[Metric, ...]

    def __post_init__(self) -> None:
        metrics = _tuple("metrics", self.metrics)
        if not metrics:
            raise InputError("metrics", self.metrics, "at least one Metric")
        for index, metric in enumerate(metrics):
            if not isinstance(metric, Metric):
                raise InputError(f"metrics[{index}]", metric, "a Metric")
        object.__setattr__(self, "metrics", metrics)


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: its header and the alignment of its cells (numbers: ``right``)."""

    name: str
    align: Align = Align.LEFT

    def __post_init__(self) -> None:
        check_text("name", self.name)
        object.__setattr__(self, "align", _enum("align", self.align, Align))


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell with a link, e.g. a count linking to the listing of its records."""

    text: str
    link: str | None = None

    def __post_init__(self) -> None:
        check_text("text", self.text, allow_empty=True)
        _optional_slug("link", self.link)


CellValue: TypeAlias = Cell | str | int | float | None


def cell_text(value: CellValue) -> str:
    """How a cell is shown: ``None`` as an empty cell, numbers by ``str()``.

    Format numbers (decimals, percentages) yourself and pass strings where the
    precision matters; a float is shown by Python's shortest round-trip ``str``.

    >>> [cell_text(v) for v in (None, 3, 0.25, "n/a", Cell(text="5", link="x"))]
    ['', '3', '0.25', 'n/a', '5']
    """
    if value is None:
        return ""
    if isinstance(value, Cell):
        return value.text
    return str(value)


@dataclass(frozen=True, slots=True)
class Table:
    """A captioned table; ``id`` (optional) makes it a link target and numbers it."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[CellValue, ...], ...]
    caption: str
    note: str | None = None
    id: str | None = None

    def __post_init__(self) -> None:
        columns = _tuple("columns", self.columns)
        if not columns:
            raise InputError("columns", self.columns, "at least one Column")
        for index, column in enumerate(columns):
            if not isinstance(column, Column):
                raise InputError(f"columns[{index}]", column, "a Column")
        check_text("caption", self.caption)
        if self.note is not None:
            check_text("note", self.note)
        _optional_slug("id", self.id)
        name = f"table {self.id or self.caption!r}"
        rows: list[tuple[CellValue, ...]] = []
        for index, row in enumerate(_tuple("rows", self.rows)):
            cells = _tuple(f"rows[{index}]", row)
            if len(cells) != len(columns):
                plural = "" if len(cells) == 1 else "s"
                raise InputError(f"rows[{index}]", row,
                                 f"{len(columns)} cells, one per column of {name}",
                                 hint=f"row {index} of {name} has {len(cells)} cell{plural}")
            for position, value in enumerate(cells):
                _check_cell(f"rows[{index}][{position}]", value)
            rows.append(cells)
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "rows", tuple(rows))


def _check_cell(field_name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, Cell | str | int | float | None):
        raise InputError(field_name, value, "a Cell, str, int, float or None")
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(field_name, value, "a finite number",
                         hint="pass a string such as 'NE' to show a missing estimate")
    if isinstance(value, str):
        check_text(field_name, value, allow_empty=True)


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure: a PNG (both renderers) and optionally an SVG (preferred by the HTML).

    ``width_in`` is the printed width in inches; the height follows the PNG's aspect
    ratio. The SVG must not contain scripts, event handlers or external references.
    """

    id: str
    caption: str
    png: bytes = field(repr=False)
    svg: bytes | None = field(default=None, repr=False)
    width_in: float = 6.0

    def __post_init__(self) -> None:
        _slug("id", self.id)
        check_text("caption", self.caption)
        png_size(self.png)
        if self.svg is not None:
            check_svg(self.svg)
        if (isinstance(self.width_in, bool) or not isinstance(self.width_in, int | float)
                or not 0 < self.width_in <= 20):
            raise InputError("width_in", self.width_in, "a width in inches in (0, 20]")

    @property
    def aspect(self) -> float:
        """Height over width of the PNG."""
        width, height = png_size(self.png)
        return height / width


Block: TypeAlias = Paragraph | BulletList | Callout | MetricGrid | Table | Figure
_BLOCK_TYPES = (Paragraph, BulletList, Callout, MetricGrid, Table, Figure)


@dataclass(frozen=True, slots=True)
class Section:
    """A section: an id (anchor and bookmark), a title, blocks and subsections."""

    id: str
    title: str
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = ()

    def __post_init__(self) -> None:
        _slug("id", self.id)
        check_text("title", self.title)
        blocks = _tuple("blocks", self.blocks)
        for index, block in enumerate(blocks):
            if not isinstance(block, _BLOCK_TYPES):
                raise InputError(f"blocks[{index}]", block, "a Paragraph, BulletList, Callout, "
                                 "MetricGrid, Table or Figure")
        subsections = _tuple("subsections", self.subsections)
        for index, subsection in enumerate(subsections):
            if not isinstance(subsection, Section):
                raise InputError(f"subsections[{index}]", subsection, "a Section")
        object.__setattr__(self, "blocks", blocks)
        object.__setattr__(self, "subsections", subsections)


@dataclass(frozen=True, slots=True)
class Report:
    """A whole report: the header facts, the numbered sections and the appendix.

    Ids of sections, tables and figures are unique across the report, every link names
    one of them, and sections nest at most :data:`MAX_SECTION_DEPTH` deep.
    ``generated_at`` must be timezone-aware; it is printed, never read from a clock.
    """

    title: str
    subtitle: str
    trial_id: str
    protocol_version: str
    data_cutoff: date
    generated_at: datetime
    confidentiality: str
    sections: tuple[Section, ...]
    appendix: tuple[Section, ...] = ()

    def __post_init__(self) -> None:
        check_text("title", self.title)
        check_text("subtitle", self.subtitle, allow_empty=True)
        check_text("trial_id", self.trial_id)
        check_text("protocol_version", self.protocol_version)
        check_text("confidentiality", self.confidentiality)
        if len(self.confidentiality) > 120:
            raise InputError("confidentiality", self.confidentiality,
                             "at most 120 characters (it is printed in every page header)")
        if isinstance(self.data_cutoff, datetime) or not isinstance(self.data_cutoff, date):
            raise InputError("data_cutoff", self.data_cutoff, "a date (not a datetime)")
        if not isinstance(self.generated_at, datetime) or self.generated_at.utcoffset() is None:
            raise InputError("generated_at", self.generated_at, "a timezone-aware datetime")
        for name in ("sections", "appendix"):
            parts = _tuple(name, getattr(self, name))
            for index, section in enumerate(parts):
                if not isinstance(section, Section):
                    raise InputError(f"{name}[{index}]", section, "a Section")
            object.__setattr__(self, name, parts)
        if not self.sections:
            raise InputError("sections", self.sections, "at least one Section")
        _check_ids_and_links(self)


def walk(prefix: str, sections: tuple[Section, ...], depth: int = 1
         ) -> Iterator[tuple[str, int, Section]]:
    """Every section with its field path and depth (1 = top level), in document order."""
    for index, section in enumerate(sections):
        path = f"{prefix}[{index}]"
        yield path, depth, section
        yield from walk(f"{path}.subsections", section.subsections, depth + 1)


def _targets_and_links(path: str, section: Section) -> Iterator[tuple[str, str, str]]:
    """``("id" | "link", field path, value)`` for every id and link a section holds itself."""
    yield "id", f"{path}.id", section.id
    for index, block in enumerate(section.blocks):
        where = f"{path}.blocks[{index}]"
        if isinstance(block, Table | Figure) and block.id is not None:
            yield "id", f"{where}.id", block.id
        if isinstance(block, MetricGrid):
            for position, metric in enumerate(block.metrics):
                if metric.link is not None:
                    yield "link", f"{where}.metrics[{position}].link", metric.link
        if isinstance(block, Table):
            for row_index, row in enumerate(block.rows):
                for position, value in enumerate(row):
                    if isinstance(value, Cell) and value.link is not None:
                        yield "link", f"{where}.rows[{row_index}][{position}].link", value.link


def _check_ids_and_links(report: Report) -> None:
    seen: dict[str, str] = {}
    links: list[tuple[str, str]] = []
    for prefix in ("sections", "appendix"):
        for path, depth, section in walk(prefix, getattr(report, prefix)):
            if depth > MAX_SECTION_DEPTH:
                raise InputError(f"{path}.id", section.id,
                                 f"a section at most {MAX_SECTION_DEPTH} levels deep")
            for kind, where, value in _targets_and_links(path, section):
                if kind == "link":
                    links.append((where, value))
                elif value in seen:
                    raise InputError(where, value, "an id unique across the report",
                                     hint=f"duplicate id {value!r}, first used at {seen[value]}")
                else:
                    seen[value] = where
    dangling = [(where, value) for where, value in links if value not in seen]
    if dangling:
        listed = "; ".join(f"{value!r} at {where}" for where, value in dangling)
        raise InputError(dangling[0][0], dangling[0][1],
                         "the id of a section, table or figure in this report",
                         hint=f"dangling link(s): {listed}")
