"""Spider plot: each participant's percent change in the sum of target diameters over time.

One line per participant; the category (usually the best overall response) sets the line
style, gray and marker, so categories read apart in black and white.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.artist import Artist
from matplotlib.lines import Line2D

from hipectrial.analysis.figures import _checks as check
from hipectrial.analysis.figures._recist import PD_LINE_PCT, draw_thresholds
from hipectrial.analysis.figures.render import Figure, freeze_layout, new_figure, styled
from hipectrial.analysis.figures.style import BOR_ORDER, assign_styles
from hipectrial.errors import InputError

YLABEL = "Change from baseline in sum of\ntarget lesion diameters (%)"


@dataclass(frozen=True, slots=True)
class SpiderSeries:
    """One participant's course.

    Attributes
    ----------
    participant_id : str
        Distinct per series.
    days : sequence of float
        Assessment days (baseline included, usually at or before 0), strictly increasing.
    change_pct : sequence of float
        Percent change from baseline at each day, >= -100 (0 at baseline).
    category : str
        Usually the best overall response; styled in the order CR, PR, SD, non-CR-non-PD,
        PD, NE, then others.
    """

    participant_id: str
    days: Sequence[float]
    change_pct: Sequence[float]
    category: str


def spider_plot(series: Sequence[SpiderSeries], *, title: str,
                xlabel: str = "Days since registration") -> Figure:
    """Draw one line per participant with the RECIST 1.1 +20 % and -30 % reference lines.

    Parameters
    ----------
    series : sequence of SpiderSeries
        One per participant, distinct ids.
    title, xlabel : str
        Texts of the figure.

    Returns
    -------
    Figure
        ``kind="spider"``; 6.7 inches wide. The legend gives the count per category.

    Raises
    ------
    InputError
        Duplicate ids, unequal lengths, days not increasing, a change below -100 % or not
        finite, more than 8 categories.

    Examples
    --------
    >>> one = SpiderSeries(participant_id="SH-001", days=[0, 42, 84], change_pct=[0, -20, -35],
    ...                    category="PR")
    >>> spider_plot([one], title="Target lesions over time").kind
    'spider'
    """
    check.text("title", title)
    check.text("xlabel", xlabel)
    parsed = []
    for i, value in enumerate(check.items("series", series)):
        field = f"series[{i}]"
        item = check.instance(field, value, SpiderSeries)
        days = check.numbers(f"{field}.days", item.days)
        check.increasing(f"{field}.days", days)
        change = check.numbers(f"{field}.change_pct", item.change_pct)
        check.same_length(f"{field}.change_pct", item.change_pct, f"{field}.days", days.size)
        if change.min() < -100:
            raise InputError(f"{field}.change_pct", item.change_pct, "changes >= -100",
                             hint="a sum of diameters cannot fall below zero")
        parsed.append((check.text(f"{field}.participant_id", item.participant_id), days, change,
                       check.text(f"{field}.category", item.category)))
    ids = [p[0] for p in parsed]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise InputError("series", duplicates, "one series per participant id")
    styles = assign_styles(field="series.category", categories=[p[3] for p in parsed],
                           preferred=BOR_ORDER)

    with styled():
        figure = new_figure(height_in=4.0)
        ax = figure.add_subplot()
        # Draw category by category, in legend order, so the drawing order does not depend on
        # the order the caller listed participants within a category.
        for category, style in styles.items():
            for _, days, change, _ in sorted((p for p in parsed if p[3] == category),
                                             key=lambda p: p[0]):
                ax.plot(days, change, color=style.line_gray, linestyle=style.linestyle,
                        linewidth=1.1, marker=style.marker, markersize=4.0,
                        markerfacecolor="white" if style.line_gray != "0.0" else style.line_gray,
                        markeredgecolor=style.line_gray, zorder=3, clip_on=False)
        draw_thresholds(ax, pd_label="outside", pr_label="outside")
        top = max(PD_LINE_PCT + 20, max(float(p[2].max()) for p in parsed) + 8)
        ax.set_ylim(-105, top)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(YLABEL)
        counts = {c: sum(1 for p in parsed if p[3] == c) for c in styles}
        handles: list[Artist] = [
            Line2D([], [], color=s.line_gray, linestyle=s.linestyle, marker=s.marker, markersize=4.0,
                   markerfacecolor="white" if s.line_gray != "0.0" else s.line_gray,
                   markeredgecolor=s.line_gray)
            for s in styles.values()]
        ax.legend(handles, [f"{c} (n = {n})" for c, n in counts.items()], loc="lower left",
                  bbox_to_anchor=(0, 1.01), ncols=min(len(handles), 5), borderaxespad=0,
                  handlelength=3.2)
        figure.suptitle(title, x=0.02, ha="left")
        freeze_layout(figure)
    return Figure(kind="spider", title=title, figure=figure)
