"""The look shared by every figure: sizes, fonts and a palette that survives black-and-white printing.

Series are told apart by line style, marker and hatch, and gray levels only reinforce that:
a figure photocopied in black and white, or read by someone who cannot tell hues apart,
loses nothing. Sizes are in inches and points at the saved size (an A4 page with 2 cm
margins leaves about 6.7 inches of width); no text is smaller than 8 pt.

The settings are applied with :func:`matplotlib.rc_context` around building and saving a
figure (:mod:`hipectrial.analysis.figures.render`), never to the global ``rcParams``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from cycler import cycler
from matplotlib.typing import RcKeyType

from hipectrial.clinical.recist.vocab import Response
from hipectrial.errors import InputError

#: A Matplotlib line style: a name or ``(offset, (on, off, ...))`` in points.
LineStyle = Literal["-", "--", "-.", ":"] | tuple[float, tuple[float, ...]]

#: Width of every figure, inches: fits an A4 page with 2 cm margins (21 cm - 4 cm = 6.7 in).
WIDTH_IN = 6.7
#: Resolution of the PNG files, dots per inch.
DPI = 150
#: Font sizes, points; 8 pt is the smallest text on any figure.
FONT_PT = 9.0
SMALL_PT = 8.0
TITLE_PT = 10.0

#: Matplotlib settings applied locally (``rc_context``) while a figure is built and saved.
RC: Mapping[RcKeyType, Any] = MappingProxyType({
    "font.family": "DejaVu Sans",
    "font.size": FONT_PT,
    "axes.titlesize": TITLE_PT,
    "axes.labelsize": FONT_PT,
    "figure.titlesize": TITLE_PT,
    "figure.titleweight": "bold",
    "xtick.labelsize": SMALL_PT,
    "ytick.labelsize": SMALL_PT,
    "legend.fontsize": SMALL_PT,
    "legend.title_fontsize": SMALL_PT,
    "axes.edgecolor": "black",
    "axes.labelcolor": "black",
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=["black"]),
    "text.color": "black",
    "xtick.color": "black",
    "ytick.color": "black",
    "lines.linewidth": 1.3,
    "hatch.linewidth": 0.6,
    "hatch.color": "black",
    "legend.frameon": False,
    # Labels are data (participant ids, AE terms): a "$" must not start mathtext.
    "text.parse_math": False,
    # SVG keeps text as text (searchable, selectable) and its ids do not change between runs.
    "svg.fonttype": "none",
    "svg.hashsalt": "hipectrial",
    "svg.id": "hipectrial-figure",
    "savefig.dpi": DPI,
    "figure.dpi": DPI,
    "savefig.facecolor": "white",
    "figure.facecolor": "white",
})

#: Line styles in the order series receive them (solid, dashed, dash-dot, dotted, long dash...).
LINESTYLES: tuple[LineStyle, ...] = (
    "-", (0, (5, 2)), (0, (5, 2, 1, 2)), (0, (1, 1.5)), (0, (9, 3)), (0, (5, 2, 1, 2, 1, 2)),
    (0, (2, 2)), (0, (9, 2, 2, 2)),
)
#: Line gray levels paired with ``LINESTYLES`` (0 = black); all dark enough to read on paper.
LINE_GRAYS: tuple[str, ...] = ("0.0", "0.35", "0.0", "0.35", "0.0", "0.35", "0.0", "0.35")
#: Marker shapes in the order series receive them.
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Hatches for filled areas (bars, lanes, bands), paired with ``FILL_GRAYS``.
HATCHES: tuple[str, ...] = ("", "////", "....", "\\\\\\\\", "xxxx", "++", "----", "oo")
#: Face gray levels for filled areas (1 = white); neighbouring entries differ visibly.
FILL_GRAYS: tuple[str, ...] = ("0.25", "0.85", "1.0", "0.6", "1.0", "0.45", "0.92", "1.0")

#: Best overall response categories (RECIST 1.1) in the order they are shown and styled.
BOR_ORDER: tuple[str, ...] = tuple(response.value for response in Response)


@dataclass(frozen=True, slots=True)
class SeriesStyle:
    """How one series (a curve, a category, a kind of segment) is drawn."""

    linestyle: LineStyle
    line_gray: str
    marker: str
    hatch: str
    fill_gray: str

    def text_gray(self) -> str:
        """Black or white, whichever contrasts with ``fill_gray``."""
        return contrasting_text(luminance=float(self.fill_gray))


def series_style(*, index: int) -> SeriesStyle:
    """The style of the ``index``-th series (0-based); raises past the last distinct style."""
    count = max_series()
    if not 0 <= index < count:
        raise InputError("series", index + 1, f"at most {count} distinct series in one figure",
                         hint="merge small categories or split the figure")
    return SeriesStyle(linestyle=LINESTYLES[index],
                       line_gray=LINE_GRAYS[index],
                       marker=MARKERS[index], hatch=HATCHES[index], fill_gray=FILL_GRAYS[index])


def max_series() -> int:
    """How many series one figure can tell apart (markers, hatches and fills all distinct)."""
    return min(len(LINESTYLES), len(MARKERS), len(HATCHES), len(FILL_GRAYS))


def assign_styles(*, field: str, categories: Iterable[str],
                  preferred: Sequence[str] = ()) -> dict[str, SeriesStyle]:
    """Give each distinct category a style: ``preferred`` ones first, in that order, then the rest.

    Categories in ``preferred`` keep the same style from figure to figure as long as the
    same preferred categories are present; others follow in order of first appearance.
    """
    seen = list(dict.fromkeys(categories))
    ordered = [c for c in preferred if c in seen] + [c for c in seen if c not in preferred]
    if len(ordered) > max_series():
        raise InputError(field, ordered, f"at most {max_series()} distinct categories",
                         hint="merge small categories or split the figure")
    return {category: series_style(index=i) for i, category in enumerate(ordered)}


def contrasting_text(*, luminance: float) -> str:
    """``"black"`` on a light background (relative luminance >= 0.5), ``"white"`` on a dark one."""
    return "black" if luminance >= 0.5 else "white"
