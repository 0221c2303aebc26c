"""CONSORT flow diagram: the steps from screening to resection, with who left at each step and why.

The counts are checked before anything is drawn: ``n`` never increases down the flow and the
exclusions of a step add up exactly to the drop to the next step. Nothing is filled in:
unexplained drops must be given as an explicit reason such as "Reason not recorded".

Boxes are sized to their wrapped text, measured with the renderer, so no text overflows.

References
----------
Schulz KF, Altman DG, Moher D, for the CONSORT Group. CONSORT 2010 Statement: updated
guidelines for reporting parallel group randomised trials. BMJ 2010;340:c332 (flow diagram).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle

from hipectrial.analysis.figures import _checks as check
from hipectrial.analysis.figures.render import Figure, new_figure, styled, whole_pixels
from hipectrial.analysis.figures.style import DPI, FONT_PT, SMALL_PT, WIDTH_IN
from hipectrial.errors import InputError

# Geometry, inches.
_MAIN_LEFT, _MAIN_WIDTH = 0.3, 2.75
_SIDE_LEFT = 3.45
_SIDE_MAX_WIDTH = WIDTH_IN - _SIDE_LEFT - 0.1
_SIDE_MIN_WIDTH = 1.6
_PAD = 0.09
_TOP = 0.5
_MIN_GAP = 0.32
_LINESPACING = 1.25


@dataclass(frozen=True, slots=True)
class ConsortStep:
    """One box of the main flow and the side box of those who left after it.

    Attributes
    ----------
    label : str
        E.g. ``"Screened"``, ``"Registered"``, ``"Treated (HIPEC)"``.
    n : int
        Participants at this step.
    exclusions : sequence of (reason, n)
        Why participants did not reach the next step; must add up to this step's ``n``
        minus the next step's. Empty for the last step.
    exclusion_label : str
        Heading of the side box, e.g. ``"Excluded"``, ``"Not operated"``.
    """

    label: str
    n: int
    exclusions: Sequence[tuple[str, int]] = ()
    exclusion_label: str = "Excluded"


@dataclass(frozen=True, slots=True)
class _Step:
    label: str
    n: int
    exclusions: list[tuple[str, int]]
    exclusion_label: str


def consort_diagram(steps: Sequence[ConsortStep], *, title: str) -> Figure:
    """Draw the CONSORT flow: one box per step, arrows down, a side box for each exclusion.

    Parameters
    ----------
    steps : sequence of ConsortStep
        From first (e.g. screened) to last (e.g. R0 resection).
    title : str
        The title.

    Returns
    -------
    Figure
        ``kind="consort"``; 6.7 inches wide, as tall as the boxes need.

    Raises
    ------
    InputError
        A step with more participants than the step before it, exclusions that do not add
        up to the drop to the next step (the error names the step), exclusions after the
        last step, counts that are not whole numbers >= 0, blank labels or reasons.

    Examples
    --------
    >>> flow = [ConsortStep(label="Screened", n=20, exclusions=[("Ineligible", 4), ("Declined", 1)]),
    ...         ConsortStep(label="Registered", n=15)]
    >>> consort_diagram(flow, title="Participant flow").kind
    'consort'
    >>> consort_diagram([ConsortStep(label="Screened", n=20, exclusions=[("Ineligible", 4)]),
    ...                  ConsortStep(label="Registered", n=15)], title="Participant flow")
    Traceback (most recent call last):
    ...
    hipectrial.errors.InputError: steps[0].exclusions must be reasons adding up to 5, ...
    """
    check.text("title", title)
    parsed = [_step(f"steps[{i}]", s) for i, s in enumerate(check.items("steps", steps))]
    _check_flow(parsed)
    with styled():
        figure = new_figure(height_in=4.0, layout=None)
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        main_font = FontProperties(size=FONT_PT)
        side_font = FontProperties(size=SMALL_PT)
        main_texts = [[(line, 0.0) for line in _wrap([*s.label.split(), f"(n = {s.n})"],
                                                     _MAIN_WIDTH - 2 * _PAD, main_font, renderer)]
                      for s in parsed]
        side_texts = [_side_text(s, side_font, renderer) if s.exclusions else [] for s in parsed]
        main_heights = [_height(lines, FONT_PT) for lines in main_texts]
        side_heights = [_height(lines, SMALL_PT) if lines else 0.0 for lines in side_texts]
        gaps = [max(_MIN_GAP, h + 0.2) for h in side_heights[:-1]]
        height = _TOP + sum(main_heights) + sum(gaps) + 0.12
        height = whole_pixels(height)
        figure.set_size_inches(WIDTH_IN, height)
        ax = figure.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, WIDTH_IN)
        ax.set_ylim(0, height)
        ax.set_axis_off()
        centre = _MAIN_LEFT + _MAIN_WIDTH / 2
        top = height - _TOP
        for i, lines in enumerate(main_texts):
            bottom = top - main_heights[i]
            _box(ax, _MAIN_LEFT, bottom, _MAIN_WIDTH, main_heights[i], lines, FONT_PT, centred=True)
            if i + 1 < len(parsed):
                next_top = bottom - gaps[i]
                _arrow(ax, (centre, bottom), (centre, next_top))
                if side_texts[i]:
                    middle = bottom - gaps[i] / 2
                    # The side box is as wide as its longest line needs (within the page).
                    widest = max(_width_in(t, side_font, renderer) + x for t, x in side_texts[i])
                    width = min(_SIDE_MAX_WIDTH, max(_SIDE_MIN_WIDTH, widest + 2 * _PAD + 0.02))
                    _box(ax, _SIDE_LEFT, middle - side_heights[i] / 2, width, side_heights[i],
                         side_texts[i], SMALL_PT, centred=False)
                    _arrow(ax, (centre, middle), (_SIDE_LEFT, middle))
                top = next_top
        figure.suptitle(title, x=0.02, y=1 - 0.12 / height, ha="left", va="top")
    return Figure(kind="consort", title=title, figure=figure)


def _step(field: str, value: object) -> _Step:
    step = check.instance(field, value, ConsortStep)
    exclusions = []
    for j, item in enumerate(check.items(f"{field}.exclusions", step.exclusions, non_empty=False)):
        where = f"{field}.exclusions[{j}]"
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise InputError(where, item, "a (reason, n) pair")
        exclusions.append((check.text(f"{where}.reason", item[0]), check.count(f"{where}.n", item[1])))
    return _Step(check.text(f"{field}.label", step.label), check.count(f"{field}.n", step.n),
                 exclusions, check.text(f"{field}.exclusion_label", step.exclusion_label))


def _check_flow(steps: list[_Step]) -> None:
    for i, (step, nxt) in enumerate(pairwise(steps)):
        if nxt.n > step.n:
            raise InputError(f"steps[{i + 1}].n", nxt.n,
                             f"at most {step.n}, the n of the step before ({step.label!r})",
                             hint=f"{nxt.label!r} cannot have more participants than {step.label!r}")
        drop = step.n - nxt.n
        given = sum(n for _, n in step.exclusions)
        if given != drop:
            raise InputError(f"steps[{i}].exclusions", step.exclusions,
                             f"reasons adding up to {drop}, the drop from {step.label!r} "
                             f"(n = {step.n}) to {nxt.label!r} (n = {nxt.n})",
                             hint=f"they add up to {given}; give unexplained ones as an explicit "
                                  f"reason such as 'Reason not recorded'")
    if steps[-1].exclusions:
        raise InputError(f"steps[{len(steps) - 1}].exclusions", steps[-1].exclusions,
                         "empty for the last step", hint=f"no step follows {steps[-1].label!r}")


def _side_text(step: _Step, font: FontProperties, renderer: RendererBase) -> list[tuple[str, float]]:
    """The side box's lines with their indent (inches): a heading, then one bullet per reason."""
    total = sum(n for _, n in step.exclusions)
    usable = _SIDE_MAX_WIDTH - 2 * _PAD
    lines = [(line, 0.0) for line in _wrap([*step.exclusion_label.split(), f"(n = {total}):"],
                                           usable, font, renderer)]
    bullet = "\u2022 "
    indent = _width_in(bullet, font, renderer)
    for reason, n in step.exclusions:
        wrapped = _wrap([*reason.split(), f"(n = {n})"], usable - indent, font, renderer)
        lines.append((bullet + wrapped[0], 0.0))
        lines.extend((line, indent) for line in wrapped[1:])
    return lines


def _wrap(tokens: list[str], width_in: float, font: FontProperties,
          renderer: RendererBase) -> list[str]:
    """Greedy word wrap measured with the renderer; a token wider than the line stands alone."""
    lines: list[str] = []
    current = ""
    for token in tokens:
        candidate = f"{current} {token}" if current else token
        if current and _width_in(candidate, font, renderer) > width_in:
            lines.append(current)
            current = token
        else:
            current = candidate
    lines.append(current)
    return lines


def _width_in(text: str, font: FontProperties, renderer: RendererBase) -> float:
    width, _, _ = renderer.get_text_width_height_descent(text, font, ismath=False)
    return float(width) / DPI  # the figure is created at DPI, so are the renderer's pixels


def _height(lines: list[tuple[str, float]], size_pt: float) -> float:
    return (len(lines) * _LINESPACING * size_pt) / 72.0 + 2 * _PAD


def _box(ax: Axes, left: float, bottom: float, width: float, height: float,
         lines: list[tuple[str, float]], size_pt: float, *, centred: bool) -> None:
    ax.add_patch(Rectangle((left, bottom), width, height, facecolor="white", edgecolor="black",
                           linewidth=0.8))
    line_in = _LINESPACING * size_pt / 72.0
    first = bottom + height / 2 + (len(lines) - 1) * line_in / 2
    # One text per line at a fixed pitch: the box height was computed from the same pitch.
    for k, (line, indent) in enumerate(lines):
        ax.text(left + width / 2 if centred else left + _PAD + indent, first - k * line_in, line,
                ha="center" if centred else "left", va="center_baseline", fontsize=size_pt)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.annotate("", xy=end, xytext=start,
                arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 0.8,
                            "shrinkA": 0, "shrinkB": 0, "mutation_scale": 9})
