"""Figures of the analysis and the DSMB report, drawn from plain values, written as PNG and SVG.

Every function takes validated plain values (the frozen dataclasses below, not TrialData)
and returns a :class:`Figure` with ``png()``, ``svg()`` and ``save(path)``; output is
byte-for-byte reproducible and legible in black and white.
"""

from hipectrial.analysis.figures.ae_heatmap import AeCell, HeatCell, ae_heatmap, heat_cells
from hipectrial.analysis.figures.consort import ConsortStep, consort_diagram
from hipectrial.analysis.figures.km import AtRisk, KmCurve, km_plot
from hipectrial.analysis.figures.render import Figure
from hipectrial.analysis.figures.spider import SpiderSeries, spider_plot
from hipectrial.analysis.figures.swimmer import SwimmerLane, swimmer_plot
from hipectrial.analysis.figures.waterfall import WaterfallBar, waterfall_plot

__all__ = [
    "AeCell",
    "AtRisk",
    "ConsortStep",
    "Figure",
    "HeatCell",
    "KmCurve",
    "SpiderSeries",
    "SwimmerLane",
    "WaterfallBar",
    "ae_heatmap",
    "consort_diagram",
    "heat_cells",
    "km_plot",
    "spider_plot",
    "swimmer_plot",
    "waterfall_plot",
]
