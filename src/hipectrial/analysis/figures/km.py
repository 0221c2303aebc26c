"""Kaplan-Meier curves with confidence bands, censor marks and a number-at-risk table.

The estimates are computed elsewhere (the survival analysis); this module only draws them.
Curves are told apart by line style and gray level, their confidence bands by fill versus
hatch, so the figure reads the same printed in black and white.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from matplotlib.axes import Axes
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from hipectrial.analysis.figures import _checks as check
from hipectrial.analysis.figures.render import Figure, freeze_layout, new_figure, styled
from hipectrial.analysis.figures.style import SMALL_PT, SeriesStyle, series_style
from hipectrial.errors import InputError

#: Slack for floating-point noise when comparing survival values and limits.
_EPS = 1e-9
#: Gray of the hatch lines of the second and later confidence bands.
_BAND_HATCH_GRAY = "0.55"


@dataclass(frozen=True, slots=True)
class KmCurve:
    """One Kaplan-Meier estimate as a step function, with its pointwise confidence limits.

    Attributes
    ----------
    label : str
        The group, e.g. ``"HER2-negative"``; shown in the legend.
    times : sequence of float
        Where the step function changes, in the x unit (days); starts at 0, strictly increasing.
    survival : sequence of float
        S(t) from each time on (right-continuous steps), in [0, 1], non-increasing.
    lower, upper : sequence of float or None
        Confidence limits at each time; ``None`` or NaN where not estimable.
    censor_times, censor_survival : sequence of float
        Where censored observations are marked, and S(t) there.
    median : float or None
        The median survival time to mark with drop lines (from the survival analysis);
        ``None`` draws none.
    median_text : str or None
        How the legend writes the median (e.g. ``"9.3 months"``, rounded by the caller's
        rule); default the number itself.
    """

    label: str
    times: Sequence[float]
    survival: Sequence[float]
    lower: Sequence[float | None]
    upper: Sequence[float | None]
    censor_times: Sequence[float] = ()
    censor_survival: Sequence[float] = ()
    median: float | None = None
    median_text: str | None = None


@dataclass(frozen=True, slots=True)
class AtRisk:
    """The number at risk of one curve at the times printed under the plot.

    ``label`` must equal the label of the curve the row belongs to.
    """

    label: str
    times: Sequence[float]
    counts: Sequence[int]


@dataclass(frozen=True, slots=True)
class _Curve:
    label: str
    times: check.FloatArray
    survival: check.FloatArray
    lower: check.FloatArray
    upper: check.FloatArray
    censor_times: check.FloatArray
    censor_survival: check.FloatArray
    median: float | None
    median_text: str | None


def km_plot(curves: Sequence[KmCurve], *, title: str, xlabel: str = "Days since registration",
            ylabel: str = "Survival probability", at_risk: Sequence[AtRisk] | None = None,
            xmax: float | None = None) -> Figure:
    """Draw Kaplan-Meier curves, their confidence bands and censor marks, with a number-at-risk table.

    Parameters
    ----------
    curves : sequence of KmCurve
        One to eight curves with distinct labels.
    title, xlabel, ylabel : str
        Texts of the figure.
    at_risk : sequence of AtRisk, optional
        One row per curve, in the order of ``curves`` and with the same labels, all at the
        same times; those times become the x ticks and the counts are printed under them.
    xmax : float, optional
        Right end of the x axis; default the last time of any curve, censor mark or at-risk
        column.

    Returns
    -------
    Figure
        ``kind="km"``; 6.7 inches wide.

    Raises
    ------
    InputError
        Survival outside [0, 1] or increasing, limits not enclosing the estimate, arrays of
        unequal length, times not starting at 0 or not increasing, at-risk rows that do not
        match the curves, counts that are not whole numbers >= 0 or that increase.

    Examples
    --------
    >>> curve = KmCurve(label="All", times=[0, 30, 90], survival=[1.0, 0.8, 0.6],
    ...                 lower=[None, 0.6, 0.4], upper=[None, 0.95, 0.8],
    ...                 censor_times=[120], censor_survival=[0.6])
    >>> figure = km_plot([curve], title="Overall survival",
    ...                  at_risk=[AtRisk(label="All", times=[0, 60, 120], counts=[10, 8, 5])])
    >>> figure.png()[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    check.text("title", title)
    check.text("xlabel", xlabel)
    check.text("ylabel", ylabel)
    parsed = [_curve(f"curves[{i}]", c) for i, c in enumerate(check.items("curves", curves))]
    labels = [c.label for c in parsed]
    if len(set(labels)) != len(labels):
        raise InputError("curves", labels, "curves with distinct labels")
    styles = [series_style(index=i) for i in range(len(parsed))]
    rows = _at_risk(at_risk, labels) if at_risk is not None else None
    ends = [float(c.times[-1]) for c in parsed] + [float(t) for c in parsed for t in c.censor_times]
    if rows:
        ends.append(float(rows[0][0][-1]))
    right = max(ends) if xmax is None else check.number("xmax", xmax)
    if right <= 0:
        raise InputError("xmax", xmax, "a number > 0", hint="the curves start at time 0")
    if rows and rows[0][0][-1] > right:
        raise InputError("at_risk", at_risk, f"times up to xmax ({right:g})")

    with styled():
        table_in = 0.45 + 0.2 * len(parsed) if rows else 0.0
        figure = new_figure(height_in=4.4 + table_in)
        grid = figure.add_gridspec(2 if rows else 1, 1,
                                   height_ratios=[3.6, table_in] if rows else None)
        ax = figure.add_subplot(grid[0])
        handles: list[tuple[Patch, Line2D]] = []
        for curve, style, index in zip(parsed, styles, range(len(parsed)), strict=True):
            handles.append(_draw_curve(ax, curve, style, index, right))
        ax.set_xlim(0, right)
        ax.set_ylim(0, 1.03)
        ax.set_yticks(np.linspace(0, 1, 6))
        ax.grid(axis="y", color="0.85", linewidth=0.5)
        ax.set_axisbelow(True)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        censor = Line2D([], [], linestyle="none", marker="+", color="black", markersize=7)
        legend_labels = [_legend_label(c) for c in parsed] + ["Censored"]
        ax.legend([*handles, censor], legend_labels, handler_map={tuple: HandlerTuple(ndivide=1)},
                  loc="lower left", bbox_to_anchor=(0, 1.01), ncols=_legend_columns(legend_labels),
                  handlelength=3.2, borderaxespad=0)
        figure.suptitle(title, x=0.02, ha="left")
        if rows:
            ax.set_xticks(rows[0][0])
            _draw_table(figure.add_subplot(grid[1], sharex=ax), labels, rows)
        freeze_layout(figure)
    return Figure(kind="km", title=title, figure=figure)


def _curve(field: str, value: object) -> _Curve:
    curve = check.instance(field, value, KmCurve)
    label = check.text(f"{field}.label", curve.label)
    times = check.numbers(f"{field}.times", curve.times)
    if times[0] != 0 or np.any(times < 0):
        raise InputError(f"{field}.times", curve.times, "times starting at 0",
                         hint="prepend time 0 with survival 1")
    check.increasing(f"{field}.times", times)
    survival = check.numbers(f"{field}.survival", curve.survival)
    check.same_length(f"{field}.survival", curve.survival, f"{field}.times", times.size)
    if np.any(survival < 0) or np.any(survival > 1):
        raise InputError(f"{field}.survival", curve.survival, "probabilities in [0, 1]")
    if np.any(np.diff(survival) > _EPS):
        raise InputError(f"{field}.survival", curve.survival, "non-increasing",
                         hint="a survival function never rises")
    limits = []
    for name in ("lower", "upper"):
        values = check.numbers(f"{field}.{name}", getattr(curve, name), allow_missing=True)
        check.same_length(f"{field}.{name}", getattr(curve, name), f"{field}.times", times.size)
        if np.any((values < -_EPS) | (values > 1 + _EPS)):
            raise InputError(f"{field}.{name}", getattr(curve, name), "probabilities in [0, 1]")
        limits.append(values)
    lower, upper = limits
    with np.errstate(invalid="ignore"):
        below = np.flatnonzero(lower > survival + _EPS)
        above = np.flatnonzero(upper < survival - _EPS)
    if below.size or above.size:
        i = int(np.min(np.concatenate([below, above])))
        raise InputError(f"{field}.lower", curve.lower, "lower <= survival <= upper at every time",
                         hint=f"at times[{i}] = {times[i]:g}: {lower[i]:g} <= {survival[i]:g} "
                              f"<= {upper[i]:g} fails")
    censor_times = check.numbers(f"{field}.censor_times", curve.censor_times, non_empty=False)
    censor_survival = check.numbers(f"{field}.censor_survival", curve.censor_survival,
                                    non_empty=False)
    check.same_length(f"{field}.censor_survival", curve.censor_survival, f"{field}.censor_times",
                      censor_times.size)
    if np.any(censor_times < 0):
        raise InputError(f"{field}.censor_times", curve.censor_times, "times >= 0")
    if np.any(censor_survival < 0) or np.any(censor_survival > 1):
        raise InputError(f"{field}.censor_survival", curve.censor_survival, "probabilities in [0, 1]")
    median = None if curve.median is None else check.number(f"{field}.median", curve.median, low=0)
    median_text = None if curve.median_text is None else check.text(f"{field}.median_text", curve.median_text)
    return _Curve(label, times, survival, lower, upper, censor_times, censor_survival, median, median_text)


def _at_risk(value: object, labels: list[str]) -> list[tuple[check.FloatArray, list[int]]]:
    rows: list[tuple[check.FloatArray, list[int]]] = []
    entries = check.items("at_risk", value)
    given = [getattr(e, "label", None) for e in entries]
    if given != labels:
        raise InputError("at_risk", given, f"one row per curve, in order: {labels}")
    for i, entry in enumerate(entries):
        field = f"at_risk[{i}]"
        row = check.instance(field, entry, AtRisk)
        times = check.numbers(f"{field}.times", row.times)
        check.increasing(f"{field}.times", times)
        if np.any(times < 0):
            raise InputError(f"{field}.times", row.times, "times >= 0")
        if rows and not np.array_equal(times, rows[0][0]):
            raise InputError(f"{field}.times", row.times, "the same times as at_risk[0]",
                             hint=f"{rows[0][0].tolist()}")
        counts = [check.count(f"{field}.counts[{j}]", c)
                  for j, c in enumerate(check.items(f"{field}.counts", row.counts))]
        check.same_length(f"{field}.counts", row.counts, f"{field}.times", times.size)
        if any(b > a for a, b in pairwise(counts)):
            raise InputError(f"{field}.counts", row.counts, "non-increasing counts",
                             hint="nobody enters the risk set after time 0")
        rows.append((times, counts))
    return rows


def _draw_curve(ax: Axes, curve: _Curve, style: SeriesStyle, index: int,
                right: float) -> tuple[Patch, Line2D]:
    color = style.line_gray
    last = max([float(curve.times[-1]), *curve.censor_times.tolist()])
    x = np.append(curve.times, min(max(last, float(curve.times[-1])), right))
    # The first curve's band is a light gray fill; the others are hatched in their line's gray,
    # so overlapping bands stay distinguishable without colour.
    fill, alpha, hatch = ("0.82", 0.7, None) if index == 0 else ("none", 1.0, style.hatch or "////")
    ax.fill_between(x, np.append(curve.lower, curve.lower[-1]), np.append(curve.upper, curve.upper[-1]),
                    step="post", linewidth=0, zorder=1, facecolor=fill, edgecolor="none", alpha=alpha,
                    hatch=hatch, hatchcolor=_BAND_HATCH_GRAY)
    (line,) = ax.step(x, np.append(curve.survival, curve.survival[-1]), where="post", color=color,
                      linestyle=style.linestyle, zorder=3)
    shown = curve.censor_times <= right
    if np.any(shown):
        ax.plot(curve.censor_times[shown], curve.censor_survival[shown], linestyle="none", marker="+",
                markersize=7, markeredgewidth=1.0, color=color, zorder=4, clip_on=False)
    if curve.median is not None:
        ax.plot([0, curve.median, curve.median], [0.5, 0.5, 0], color="0.4", linewidth=0.7,
                linestyle=(0, (1, 1.5)), zorder=2)
    handle = Patch(label=curve.label, linewidth=0, facecolor=fill, edgecolor="none", alpha=alpha,
                   hatch=hatch, hatchcolor=_BAND_HATCH_GRAY)
    return handle, line


def _legend_columns(labels: list[str]) -> int:
    """As many legend columns as fit the width (about 85 characters of 8 pt text with handles)."""
    for columns in (3, 2):
        rows = [labels[i:i + columns] for i in range(0, len(labels), columns)]
        widest = [max(len(r[c]) for r in rows if c < len(r)) + 9
                  for c in range(min(columns, len(labels)))]
        if sum(widest) <= 85:
            return columns
    return 1


def _legend_label(curve: _Curve) -> str:
    if curve.median is None:
        return curve.label
    return f"{curve.label} (median {curve.median_text or f'{curve.median:g}'})"


def _draw_table(ax: Axes, labels: list[str], rows: list[tuple[check.FloatArray, list[int]]]) -> None:
    for spine in ax.spines.values():
        spine.set_visible(False)
    # The counts at time 0 are centred on the axis line: keep the row labels clear of them.
    ax.tick_params(axis="both", length=0)
    ax.tick_params(axis="y", pad=16)
    ax.tick_params(axis="x", labelbottom=False)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_yticks(range(len(rows)), labels)
    for j, (times, counts) in enumerate(rows):
        for t, n in zip(times, counts, strict=True):
            ax.text(float(t), j, str(n), ha="center", va="center", fontsize=SMALL_PT)
    ax.set_title("Number at risk", loc="left", fontsize=SMALL_PT, fontweight="bold")
