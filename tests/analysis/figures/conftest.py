"""Checks shared by the figure tests: PNG header, SVG text, legibility of every text."""

from __future__ import annotations

import struct
from collections.abc import Callable

import pytest
from matplotlib.text import Text

from hipectrial.analysis.figures import Figure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunks(data: bytes) -> list[bytes]:
    """The chunk types of a PNG file, in order (read from the file, not from Matplotlib)."""
    assert data[:8] == PNG_SIGNATURE
    types, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        types.append(data[offset + 4:offset + 8])
        offset += 12 + length
    return types


def check_rendering(figure: Figure) -> tuple[bytes, str]:
    """Render both formats; check the PNG header and size and the SVG root; return them."""
    png = figure.png()
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    width_in, height_in = figure.figure.get_size_inches()
    assert (width, height) == (round(width_in * figure.dpi), round(height_in * figure.dpi))
    assert 6.5 <= width_in <= 7.0, "fits an A4 page"
    assert figure.dpi == 150
    svg = figure.svg().decode("utf-8")
    assert svg.lstrip().startswith("<?xml")
    assert "<svg" in svg
    return png, svg


def check_fonts(figure: Figure) -> None:
    """Every visible text on the figure is at least 8 pt at the saved size."""
    texts = [t for t in figure.figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert texts
    small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < 8]
    assert not small


@pytest.fixture
def rendered() -> Callable[[Figure], tuple[bytes, str]]:
    return check_rendering


@pytest.fixture
def legible() -> Callable[[Figure], None]:
    return check_fonts


@pytest.fixture
def chunks() -> Callable[[bytes], list[bytes]]:
    return png_chunks
