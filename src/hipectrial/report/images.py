"""Checks of the images a report figure carries (PNG and SVG bytes)."""

from __future__ import annotations

import re
import struct

from hipectrial.errors import InputError

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(png: object) -> tuple[int, int]:
    """Pixel width and height of a PNG, read from its IHDR chunk, or an InputError."""
    if not isinstance(png, bytes) or len(png) < 24 or not png.startswith(_PNG_SIGNATURE) \
            or png[12:16] != b"IHDR":
        raise InputError("png", png[:16] if isinstance(png, bytes) else png, "the bytes of a PNG image")
    width, height = struct.unpack(">II", png[16:24])
    if width == 0 or height == 0:
        raise InputError("png", (width, height), "a PNG with a non-zero width and height")
    return int(width), int(height)


_SVG_FORBIDDEN = re.compile(
    r"<script|<foreignObject|<[a-z][^<>]*\son[a-z]+\s*=|(?:href|src)\s*=\s*[\"'](?!#|data:image/)",
    re.IGNORECASE)


def check_svg(svg: object) -> None:
    """An InputError unless ``svg`` is UTF-8 SVG without scripts, handlers or external references."""
    if not isinstance(svg, bytes):
        raise InputError("svg", svg, "the bytes of an SVG image or None")
    try:
        text = svg.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("svg", svg[:40], "UTF-8 encoded SVG") from None
    if "<svg" not in text:
        raise InputError("svg", svg[:40], "an SVG document (no <svg> element found)")
    bad = _SVG_FORBIDDEN.search(text)
    if bad is not None:
        raise InputError("svg", bad.group(), "an SVG without scripts, event handlers or "
                         "external references (the report must be self-contained)")
