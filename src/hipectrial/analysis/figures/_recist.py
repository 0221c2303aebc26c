"""The RECIST 1.1 reference lines shared by the waterfall and spider plots."""

from __future__ import annotations

from typing import Literal

from matplotlib.axes import Axes

from hipectrial.analysis.figures.style import SMALL_PT
from hipectrial.clinical.recist.rules import PD_INCREASE_PCT, PR_DECREASE_PCT

#: RECIST 1.1 §4.3.1 thresholds, percent change in the sum of target diameters.
PD_LINE_PCT = float(PD_INCREASE_PCT)
PR_LINE_PCT = -float(PR_DECREASE_PCT)
PD_LABEL = f"+{PD_LINE_PCT:g} % (PD threshold)"
PR_LABEL = f"\u2212{-PR_LINE_PCT:g} % (PR threshold)"

Place = Literal["left", "right", "outside"]


def draw_thresholds(ax: Axes, *, pd_label: Place, pr_label: Place) -> None:
    """Dashed lines at +20 % and -30 % with their labels, and a solid line at 0.

    A label sits just above its line at the left or right end inside the axes (where the
    data leave room), or ``outside`` to the right of the axes, in two lines. The PD line
    compares with baseline, as is customary in these plots; RECIST's PD rule compares with
    the nadir.
    """
    ax.axhline(0, color="black", linewidth=0.8, zorder=1)
    for value, label, place in ((PD_LINE_PCT, PD_LABEL, pd_label), (PR_LINE_PCT, PR_LABEL, pr_label)):
        ax.axhline(value, color="0.3", linewidth=0.9, linestyle=(0, (5, 3)), zorder=1)
        if place == "outside":
            ax.annotate(label.replace(" (", "\n("), xy=(1.0, value), xycoords=("axes fraction", "data"),
                        xytext=(4, 0), textcoords="offset points", ha="left", va="center",
                        fontsize=SMALL_PT, color="0.1", annotation_clip=False)
            continue
        right = place == "right"
        ax.annotate(label, xy=(0.995 if right else 0.005, value), xycoords=("axes fraction", "data"),
                    xytext=(0, 2), textcoords="offset points", ha="right" if right else "left",
                    va="bottom", fontsize=SMALL_PT, color="0.1")
