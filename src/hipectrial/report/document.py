"""The report document model: a report is sections of blocks, checked when it is built.

Everything here is a frozen, slotted dataclass validated in ``__post_init__``; a value
that cannot be rendered raises :class:`~hipectrial.errors.InputError` naming the field.
Sequences may be given as lists and are stored as tuples. Prose blocks take the tiny
markup of :mod:`hipectrial.report.markup`; every other string is shown literally.

A :class:`Listing` is a table of records that may run long: every listing is written in full
as ``listings/<name>.csv`` beside the report, and the report shows it inline when it has at
most ``inline_limit`` rows, else its summary and a link to the file.

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
MAX_RUNNING_TEXT = 120
#: What the header says for the data cut-off of a report with none (``Report.data_cutoff`` None).
NO_CUTOFF = "none (simulated trials, each with its own)"  # characters of a text printed in every page header


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


# A listing up to this many rows is shown inline. At the PDF's 8 pt cells a one-line row is
# 15 pt high and an A4 portrait page holds about 45 of them, so 200 rows are 4-5 pages: as
# much as a reader pages through inside a report; a longer listing is read better as a CSV
# (sorted, filtered), and a 1,000-participant trial's listings stay out of the PDF.
DEFAULT_INLINE_LIMIT = 200
LISTINGS_DIR = "listings"  # the folder beside the report that holds the listings' CSV files


@dataclass(frozen=True, slots=True)
class Listing:
    """Records one per row: inline when short, else summarised; always written in full as CSV.

    ``name`` is the file's stem (a slug, unique in the report): the listing is written as
    ``listings/<name>.csv`` beside the report. A listing of at most ``inline_limit`` rows
    is shown as its table; a longer one as its ``summary`` (a table without an id, a
    paragraph, or nothing) and the line "Full listing: N rows in listings/<name>.csv"
    linking to the file. Either way it is numbered as one table, and ``table.id`` (the
    listing's link target) is carried by what is shown.
    """

    table: Table
    name: str
    summary: Table | Paragraph | None = None
    inline_limit: int = DEFAULT_INLINE_LIMIT

    def __post_init__(self) -> None:
        if not isinstance(self.table, Table):
            raise InputError("table", self.table, "a Table")
        _slug("name", self.name)
        if self.summary is not None and not isinstance(self.summary, Table | Paragraph):
            raise InputError("summary", self.summary, "a Table, a Paragraph or None")
        if isinstance(self.summary, Table) and self.summary.id is not None:
            raise InputError("summary.id", self.summary.id, "None (the listing's id is its table's id)",
                             hint="give the id to the listing's table; the summary is shown in its place")
        if isinstance(self.inline_limit, bool) or not isinstance(self.inline_limit, int) \
                or self.inline_limit < 0:
            raise InputError("inline_limit", self.inline_limit, "a whole number of rows >= 0")

    @property
    def id(self) -> str | None:
        """The listing's link target: its table's id."""
        return self.table.id

    @property
    def inline(self) -> bool:
        """Whether the report shows the rows themselves (at most ``inline_limit`` of them)."""
        return len(self.table.rows) <= self.inline_limit

    @property
    def csv_path(self) -> str:
        """Where the CSV lies, relative to the report: ``listings/<name>.csv``."""
        return f"{LISTINGS_DIR}/{self.name}.csv"


# What a table or an inline listing without a row shows in place of its rows (both renderers).
NO_ROWS = "None."


def listing_line(listing: Listing) -> str:
    """The line under a listing that names its CSV file, as both renderers print it.

    The renderers make the file's path (``listing.csv_path``, which the line contains once) a
    link to the file.

    >>> rows = tuple((str(i),) for i in range(1234))
    >>> table = Table(columns=(Column(name="n"),), rows=rows, caption="c")
    >>> listing_line(Listing(table=table, name="ae-severe"))
    'Full listing: 1,234 rows in listings/ae-severe.csv'
    >>> listing_line(Listing(table=table, name="ae-severe", inline_limit=2000))
    'The same 1,234 rows as CSV: listings/ae-severe.csv'
    >>> one = Table(columns=(Column(name="n"),), rows=rows[:1], caption="c")
    >>> listing_line(Listing(table=one, name="a")), listing_line(Listing(table=one, name="a", inline_limit=0))
    ('The same 1 row as CSV: listings/a.csv', 'Full listing: 1 row in listings/a.csv')
    >>> listing_line(Listing(table=Table(columns=(Column(name="n"),), rows=(), caption="c"), name="none"))
    'None. listings/none.csv holds the column names only.'
    """
    count = len(listing.table.rows)
    rows = f"{count:,} row{'' if count == 1 else 's'}"
    if count == 0 and listing.inline:
        return f"{NO_ROWS} {listing.csv_path} holds the column names only."
    if listing.inline:
        return f"The same {rows} as CSV: {listing.csv_path}"
    return f"Full listing: {rows} in {listing.csv_path}"


Block: TypeAlias = Paragraph | BulletList | Callout | MetricGrid | Table | Listing | Figure
_BLOCK_TYPES = (Paragraph, BulletList, Callout, MetricGrid, Table, Listing, Figure)


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
                                 "MetricGrid, Table, Listing or Figure")
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
    ``generated_at`` must be timezone-aware; it is printed, never read from a clock, and
    is the PDF's creation date. ``data_notice`` (e.g. "SIMULATED DATA — virtual
    participants, not patients") is printed on every page and beside every top-level
    heading. Listing names are unique (each is a file). ``data_cutoff`` may be ``None`` for a
    report on no one trial's data (operating characteristics: each simulated trial has its
    own); the header then says :data:`NO_CUTOFF`.
    """

    title: str
    subtitle: str
    trial_id: str
    protocol_version: str
    data_cutoff: date | None
    generated_at: datetime
    confidentiality: str
    sections: tuple[Section, ...]
    appendix: tuple[Section, ...] = ()
    data_notice: str | None = None

    def __post_init__(self) -> None:
        check_text("title", self.title)
        check_text("subtitle", self.subtitle, allow_empty=True)
        check_text("trial_id", self.trial_id)
        check_text("protocol_version", self.protocol_version)
        for name in ("confidentiality", "data_notice"):
            value = getattr(self, name)
            if value is None and name == "data_notice":
                continue
            check_text(name, value)
            if len(value) > MAX_RUNNING_TEXT:
                raise InputError(name, value, f"at most {MAX_RUNNING_TEXT} characters (it is printed "
                                 "in every page header)")
        if self.data_cutoff is not None and (isinstance(self.data_cutoff, datetime)
                                             or not isinstance(self.data_cutoff, date)):
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


def listings(report: Report) -> Iterator[Listing]:
    """Every listing of the report, body then appendix, in document order."""
    for prefix in ("sections", "appendix"):
        for _path, _depth, section in walk(prefix, getattr(report, prefix)):
            for block in section.blocks:
                if isinstance(block, Listing):
                    yield block


def _cell_links(where: str, table: Table) -> Iterator[tuple[str, str, str]]:
    for row_index, row in enumerate(table.rows):
        for position, value in enumerate(row):
            if isinstance(value, Cell) and value.link is not None:
                yield "link", f"{where}.rows[{row_index}][{position}].link", value.link


def _targets_and_links(path: str, section: Section) -> Iterator[tuple[str, str, str]]:
    """``("id" | "link" | "file", field path, value)`` for every id, link and listing file
    a section holds itself."""
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
            yield from _cell_links(where, block)
        if isinstance(block, Listing):
            yield "file", f"{where}.name", block.name
            if block.id is not None:
                yield "id", f"{where}.table.id", block.id
            yield from _cell_links(f"{where}.table", block.table)
            if isinstance(block.summary, Table):
                yield from _cell_links(f"{where}.summary", block.summary)


def _check_ids_and_links(report: Report) -> None:
    seen: dict[str, str] = {}
    files: dict[str, str] = {}
    links: list[tuple[str, str]] = []
    for prefix in ("sections", "appendix"):
        for path, depth, section in walk(prefix, getattr(report, prefix)):
            if depth > MAX_SECTION_DEPTH:
                raise InputError(f"{path}.id", section.id,
                                 f"a section at most {MAX_SECTION_DEPTH} levels deep")
            for kind, where, value in _targets_and_links(path, section):
                if kind == "link":
                    links.append((where, value))
                elif kind == "file":
                    if value in files:
                        raise InputError(where, value, "a listing name unique across the report",
                                         hint=f"listings/{value}.csv is also written by {files[value]}")
                    files[value] = where
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
