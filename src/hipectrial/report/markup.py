"""The tiny inline markup of report prose, and the checks every report string passes.

Prose blocks (:class:`~hipectrial.report.document.Paragraph`, the items of a
:class:`~hipectrial.report.document.BulletList` and the text of a
:class:`~hipectrial.report.document.Callout`) may use exactly two marks:

- ``**bold**`` for strong emphasis,
- ``*italic*`` for emphasis,
- ``\\*`` for a literal asterisk.

A mark opens only before a non-space character and closes only after one, so
``3 * 4 * 5`` stays as it is. Marks do not nest; anything else (HTML tags, entities,
``<script>``) is text and is escaped by both renderers. Titles, captions, table cells
and metrics take no markup at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from hipectrial.errors import InputError

# C0 controls other than tab and newline, DEL, and the C1 controls: neither HTML nor the
# PDF's XML paragraph markup can carry them, and in trial text they are always a mistake.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MARK = re.compile(r"\\\*|\*\*(?=\S)(.+?)(?<=\S)\*\*|\*(?=[^\s*])(.+?)(?<=[^\s*\\])\*")


class Style(StrEnum):
    """How a run of inline text is set."""

    PLAIN = "plain"
    BOLD = "bold"
    ITALIC = "italic"


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of text set in one style (text is raw, not yet escaped)."""

    text: str
    style: Style


def parse_inline(text: str) -> tuple[Run, ...]:
    """Split prose into runs by the report's inline markup.

    Parameters
    ----------
    text : str
        Prose with optional ``**bold**``, ``*italic*`` and ``\\*`` marks.

    Returns
    -------
    tuple of Run
        Adjacent runs of one style merged; empty for empty text.

    Examples
    --------
    >>> [(r.text, r.style.value) for r in parse_inline("Dose **level 2**, *n* = 3 * 2 \\\\* x")]
    [('Dose ', 'plain'), ('level 2', 'bold'), (', ', 'plain'), ('n', 'italic'), (' = 3 * 2 * x', 'plain')]
    """
    runs: list[Run] = []

    def add(piece: str, style: Style) -> None:
        if not piece:
            return
        if runs and runs[-1].style is style:
            runs[-1] = Run(runs[-1].text + piece, style)
        else:
            runs.append(Run(piece, style))

    position = 0
    for match in _MARK.finditer(text):
        add(text[position:match.start()], Style.PLAIN)
        if match.group(1) is not None:
            add(match.group(1).replace("\\*", "*"), Style.BOLD)
        elif match.group(2) is not None:
            add(match.group(2).replace("\\*", "*"), Style.ITALIC)
        else:
            add("*", Style.PLAIN)
        position = match.end()
    add(text[position:], Style.PLAIN)
    return tuple(runs)


def check_text(field: str, value: object, *, allow_empty: bool = False) -> str:
    """``value`` as report text, or an :class:`InputError` naming ``field``.

    Text must be a ``str``, not blank (unless ``allow_empty``) and free of control
    characters other than tab and newline.
    """
    if not isinstance(value, str):
        raise InputError(field, value, "a string")
    if not allow_empty and not value.strip():
        raise InputError(field, value, "non-blank text")
    bad = _CONTROL.search(value)
    if bad is not None:
        raise InputError(field, value, "text without control characters",
                         hint=f"found U+{ord(bad.group()):04X} at position {bad.start()}")
    return value
