"""Operating-characteristics figures: how often each dose is selected, and how long trials
take, one group of bars (or one box) per scenario.

Bars carry their 95 % Monte-Carlo interval (value ± 1.96 SE); grey levels and hatches tell
the scenarios apart in black and white.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from hipectrial.analysis.figures import _checks as check
from hipectrial.analysis.figures.render import Figure, freeze_layout, new_figure, styled
from hipectrial.errors import InputError

_FILLS = ("0.35", "0.65", "0.9", "0.5", "0.8", "0.2")
_HATCHES = ("", "//", "..", "xx", "\\\\", "--")


@dataclass(frozen=True, slots=True)
class SelectionGroup:
    """One scenario's selection percentages: ``percent`` and ``se`` per category (the dose
    levels, then "no dose"), in ``categories`` order."""

    scenario: str
    percent: tuple[float, ...]
    se: tuple[float, ...]


def selection_plot(groups: Sequence[SelectionGroup], *, categories: Sequence[str], title: str) -> Figure:
    """Grouped bars: % of trials selecting each category, per scenario, with ± 1.96 SE.

    Raises
    ------
    InputError
        No group, more than six, or a group whose values do not match ``categories``.

    Examples
    --------
    >>> g = [SelectionGroup("default", (10.0, 60.0, 25.0, 5.0), (1.0, 1.5, 1.4, 0.7))]
    >>> selection_plot(g, categories=["1", "2", "3", "none"], title="Selection").size_px
    (1005, 495)
    """
    check.text("title", title)
    items = [check.instance(f"groups[{i}]", g, SelectionGroup)
             for i, g in enumerate(check.items("groups", groups))]
    if len(items) > len(_FILLS):
        raise InputError("groups", len(items), f"at most {len(_FILLS)} scenarios")
    cats = [check.text(f"categories[{i}]", c) for i, c in enumerate(categories)]
    for i, g in enumerate(items):
        if len(g.percent) != len(cats) or len(g.se) != len(cats):
            raise InputError(f"groups[{i}]", g.scenario, f"one percentage and SE per category ({len(cats)})")
        for j, (v, e) in enumerate(zip(g.percent, g.se, strict=True)):
            if check.number(f"groups[{i}].percent[{j}]", v, low=0) > 100:
                raise InputError(f"groups[{i}].percent[{j}]", v, "a percentage from 0 to 100")
            if not (math.isnan(e) or e >= 0):
                raise InputError(f"groups[{i}].se[{j}]", e, "a standard error >= 0 (or NaN)")
    width = 0.8 / len(items)
    with styled():
        figure = new_figure(height_in=3.3)
        ax = figure.add_subplot()
        for k, g in enumerate(items):
            xs = [j - 0.4 + width * (k + 0.5) for j in range(len(cats))]
            errors = [0.0 if math.isnan(e) else 1.96 * e for e in g.se]
            ax.bar(xs, g.percent, width=width * 0.92, color=_FILLS[k], hatch=_HATCHES[k], edgecolor="black",
                   linewidth=0.6, yerr=errors, capsize=2, error_kw={"elinewidth": 0.8}, label=g.scenario,
                   zorder=2)
        ax.set_xticks(range(len(cats)), cats)
        ax.set_ylim(0, 100)
        ax.set_ylabel("Trials selecting it (%)")
        ax.set_xlabel("Recommended phase II dose")
        ax.grid(axis="y", linewidth=0.4, color="0.85", zorder=0)
        ax.legend(loc="upper right", title="Scenario")
        figure.suptitle(title, x=0.02, ha="left")
        freeze_layout(figure)
    return Figure(kind="oc-selection", title=title, figure=figure)


def duration_plot(durations: Sequence[tuple[str, Sequence[float]]], *, title: str) -> Figure:
    """Box plots of months from the first consent to the cut-off, one per scenario
    (whiskers at the 5th and 95th percentiles).

    Examples
    --------
    >>> duration_plot([("default", [30.0, 32.5, 35.0]), ("toxic", [12.0, 14.0])], title="Months").size_px
    (1005, 420)
    """
    check.text("title", title)
    check.items("durations", durations)
    names: list[str] = []
    values: list[list[float]] = []
    for i, item in enumerate(durations):
        name, months = item
        names.append(check.text(f"durations[{i}][0]", name))
        row = [check.number(f"durations[{i}][1]", m, low=0) for m in months]
        if not row:
            raise InputError(f"durations[{i}][1]", "[]", "at least one trial's months")
        values.append(row)
    with styled():
        figure = new_figure(height_in=2.8)
        ax = figure.add_subplot()
        ax.boxplot(values, orientation="horizontal", whis=(5, 95), widths=0.5, showfliers=False,
                   medianprops={"color": "black"}, boxprops={"facecolor": "0.85"}, patch_artist=True)
        ax.set_yticks(range(1, len(names) + 1), names)
        ax.invert_yaxis()
        ax.set_xlabel("Months from the first consent to the data cut-off")
        ax.grid(axis="x", linewidth=0.4, color="0.85")
        figure.suptitle(title, x=0.02, ha="left")
        freeze_layout(figure)
    return Figure(kind="oc-duration", title=title, figure=figure)
