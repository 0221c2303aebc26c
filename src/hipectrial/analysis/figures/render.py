"""The one result type of every figure function, and how a figure is created and written.

Figures are built on the Agg canvas without ``pyplot`` (no global figure manager, no
display) and under :data:`~hipectrial.analysis.figures.style.RC` applied locally, so the
caller's Matplotlib settings are neither used nor changed. Output is reproducible: the same
input gives byte-identical PNG and SVG files (no creation date or software tag in either;
SVG ids salted with a constant).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from hipectrial.analysis.figures.style import DPI, RC, WIDTH_IN
from hipectrial.errors import InputError

#: PNG metadata: no "Software" entry (it names the Matplotlib version) and no time stamp.
_PNG_METADATA: dict[str, str | None] = {"Software": None}
#: SVG metadata: no "Date" (otherwise the time of saving) and no version-bearing "Creator".
_SVG_METADATA: dict[str, str | None] = {"Date": None, "Creator": None}


@dataclass(frozen=True, slots=True)
class Figure:
    """A finished figure: the Matplotlib figure and how to write it as PNG and SVG.

    Attributes
    ----------
    kind : str
        Which figure this is (``"km"``, ``"swimmer"``, ``"waterfall"``, ``"spider"``,
        ``"ae-heatmap"``, ``"consort"``).
    title : str
        The title printed on the figure.
    figure : matplotlib.figure.Figure
        The Matplotlib figure, attached to an Agg canvas. Treat it as read-only.
    dpi : int
        Resolution of the PNG, dots per inch.
    """

    kind: str
    title: str
    figure: MplFigure
    dpi: int = DPI

    @property
    def size_in(self) -> tuple[float, float]:
        """Width and height in inches at the saved size."""
        width, height = self.figure.get_size_inches()
        return float(width), float(height)

    @property
    def size_px(self) -> tuple[int, int]:
        """Width and height of the PNG in pixels."""
        width, height = self.size_in
        return round(width * self.dpi), round(height * self.dpi)

    def png(self) -> bytes:
        """The figure as PNG bytes at :attr:`dpi`, without metadata that varies between runs."""
        return self._bytes("png", _PNG_METADATA)

    def svg(self) -> bytes:
        """The figure as SVG bytes (text kept as text), without a date."""
        return self._bytes("svg", _SVG_METADATA)

    def save(self, path: str | Path) -> tuple[Path, Path]:
        """Write ``<path>.png`` and ``<path>.svg``; return the two paths (PNG first).

        Parameters
        ----------
        path : str or Path
            The file name without suffix, e.g. ``out/km_os`` gives ``out/km_os.png`` and
            ``out/km_os.svg``. Its directory must exist.

        Raises
        ------
        InputError
            ``path`` ends in ``.png`` or ``.svg``, or its directory does not exist.
        """
        base = Path(path)
        if base.suffix.lower() in {".png", ".svg"}:
            raise InputError("path", str(path), "a file name without .png or .svg",
                             hint="both files are written, the suffixes are added")
        if not base.parent.is_dir():
            raise InputError("path", str(path), "in an existing directory",
                             hint=f"create {base.parent} first")
        png_path = base.with_name(base.name + ".png")
        svg_path = base.with_name(base.name + ".svg")
        png_path.write_bytes(self.png())
        svg_path.write_bytes(self.svg())
        return png_path, svg_path

    def _bytes(self, fmt: str, metadata: dict[str, str | None]) -> bytes:
        buffer = io.BytesIO()
        with styled():
            self.figure.savefig(buffer, format=fmt, dpi=self.dpi, metadata=metadata)
        return buffer.getvalue()


def whole_pixels(size_in: float) -> float:
    """``size_in`` rounded to a whole number of pixels at :data:`DPI`."""
    return round(size_in * DPI) / DPI


@contextmanager
def styled() -> Iterator[None]:
    """Apply the house style for the duration of the block (``rc_context``, never global)."""
    with matplotlib.rc_context(dict(RC)):
        yield


def freeze_layout(figure: MplFigure) -> None:
    """Lay the figure out once and keep that layout; call inside :func:`styled` when done.

    Constrained layout starts from the current positions at every draw, so a figure drawn
    twice comes out a pixel different. Fixing the layout after one draw makes every export
    of the figure, PNG or SVG, first or tenth, identical.
    """
    figure.draw_without_rendering()
    figure.set_layout_engine("none")


def new_figure(*, height_in: float, width_in: float = WIDTH_IN,
               layout: Literal["constrained"] | None = "constrained") -> MplFigure:
    """A blank figure of the given size on an Agg canvas; call inside :func:`styled`."""
    # Whole pixels at DPI: otherwise the PNG size is truncated (5.25 in at 150 dpi gives 787 px).
    height_in = whole_pixels(height_in)
    figure = MplFigure(figsize=(width_in, height_in), dpi=DPI, layout=layout)
    engine = figure.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        # A little more than the default 3 pt at the edges, so edge tick labels breathe.
        engine.set(w_pad=0.08, h_pad=0.06)
    FigureCanvasAgg(figure)
    return figure
