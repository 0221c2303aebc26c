"""Waterfall plot: each participant's best change in the sum of target lesion diameters.

Bars are sorted from the largest increase to the largest decrease; the best overall response
(or any other category) is shown by fill and hatch, so it reads in black and white.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.artist import Artist
from matplotlib.patches import Patch

from hipectrial.analysis.figures import _checks as check
from hipectrial.analysis.figures._recist import PD_LINE_PCT, draw_thresholds
from hipectrial.analysis.figures.render import Figure, freeze_layout, new_figure, styled
from hipectrial.analysis.figures.style import BOR_ORDER, assign_styles
from hipectrial.errors import InputError

YLABEL = "Best change from baseline in sum of\ntarget lesion diameters (%)"
#: Up to this many bars, each is labelled with its participant id.
_MAX_LABELLED = 40


@dataclass(frozen=True, slots=True)
class WaterfallBar:
    """One participant's bar.

    Attributes
    ----------
    participant_id : str
        Printed under the bar when there are at most 40 bars.
    best_change_pct : float
        Best (most negative) percent change from baseline, >= -100.
    category : str
        Usually the best overall response (``CR``, ``PR``, ``SD``, ``non-CR-non-PD``,
        ``PD``, ``NE``, styled in that order); any other labels are styled after them.
    """

    participant_id: str
    best_change_pct: float
    category: str


def waterfall_plot(bars: Sequence[WaterfallBar], *, title: str) -> Figure:
    """Draw the waterfall plot with the RECIST 1.1 +20 % and -30 % reference lines.

    Parameters
    ----------
    bars : sequence of WaterfallBar
        One per participant with a post-baseline measurement; distinct ids.
    title : str
        The title.

    Returns
    -------
    Figure
        ``kind="waterfall"``; 6.7 inches wide. The legend gives the count per category.

    Raises
    ------
    InputError
        Duplicate ids, a change below -100 % or not finite, more than 8 categories.

    Examples
    --------
    >>> bars = [WaterfallBar(participant_id="SH-001", best_change_pct=-45.0, category="PR"),
    ...         WaterfallBar(participant_id="SH-002", best_change_pct=12.5, category="SD")]
    >>> waterfall_plot(bars, title="Best change in target lesions").size_px
    (1005, 585)
    """
    check.text("title", title)
    parsed = []
    for i, value in enumerate(check.items("bars", bars)):
        bar = check.instance(f"bars[{i}]", value, WaterfallBar)
        parsed.append((check.number(f"bars[{i}].best_change_pct", bar.best_change_pct, low=-100),
                       check.text(f"bars[{i}].participant_id", bar.participant_id),
                       check.text(f"bars[{i}].category", bar.category)))
    ids = [p for _, p, _ in parsed]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise InputError("bars", duplicates, "one bar per participant id")
    styles = assign_styles(field="bars.category", categories=[c for _, _, c in parsed],
                           preferred=BOR_ORDER)
    parsed.sort(key=lambda bar: (-bar[0], bar[1]))
    labelled = len(parsed) <= _MAX_LABELLED

    with styled():
        figure = new_figure(height_in=3.9)
        ax = figure.add_subplot()
        for x, (change, _, category) in enumerate(parsed):
            style = styles[category]
            ax.bar(x, change, width=0.8, color=style.fill_gray, hatch=style.hatch,
                   edgecolor="black", linewidth=0.6, zorder=2)
        draw_thresholds(ax, pd_label="right", pr_label="left")
        top = max(PD_LINE_PCT + 20, max(change for change, _, _ in parsed) + 8)
        ax.set_ylim(-105, top)
        ax.set_xlim(-0.7, len(parsed) - 0.3)
        ax.set_ylabel(YLABEL)
        ax.spines["bottom"].set_visible(False)
        if labelled:
            ax.set_xticks(range(len(parsed)), [p for _, p, _ in parsed], rotation=90)
            ax.tick_params(axis="x", length=0)
        else:
            ax.set_xticks([])
        ax.set_xlabel(f"Participants (n = {len(parsed)})")
        counts = {c: sum(1 for _, _, k in parsed if k == c) for c in styles}
        handles: list[Artist] = [Patch(facecolor=s.fill_gray, hatch=s.hatch, edgecolor="black",
                                       linewidth=0.6) for s in styles.values()]
        ax.legend(handles, [f"{c} (n = {n})" for c, n in counts.items()], loc="lower left",
                  bbox_to_anchor=(0, 1.01), ncols=min(len(handles), 6), borderaxespad=0,
                  handlelength=1.8, handleheight=1.2)
        figure.suptitle(title, x=0.02, ha="left")
        freeze_layout(figure)
    return Figure(kind="waterfall", title=title, figure=figure)

