"""The tiny inline markup of prose: bold, italic, a literal asterisk, nothing else."""

from __future__ import annotations

import pytest

from hipectrial.report.markup import Run, Style, parse_inline

BOLD, ITALIC, PLAIN = Style.BOLD, Style.ITALIC, Style.PLAIN


@pytest.mark.parametrize(("text", "expected"), [
    ("plain", [("plain", PLAIN)]),
    ("**bold** end", [("bold", BOLD), (" end", PLAIN)]),
    ("an *italic* word", [("an ", PLAIN), ("italic", ITALIC), (" word", PLAIN)]),
    ("3 * 4 * 5", [("3 * 4 * 5", PLAIN)]),
    ("unclosed **bold", [("unclosed **bold", PLAIN)]),
    (r"a \*literal\* star", [("a *literal* star", PLAIN)]),
    ("<b>tags</b> & stay text", [("<b>tags</b> & stay text", PLAIN)]),
    ("", []),
])
def test_parses_inline_markup(text: str, expected: list[tuple[str, Style]]) -> None:
    assert parse_inline(text) == tuple(Run(t, s) for t, s in expected)
