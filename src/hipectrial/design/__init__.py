"""Statistical designs, pure NumPy/SciPy: exact binomial inference, Simon two-stage, BOIN and
3+3 dose finding (one ``DoseFindingDesign`` interface), Bayesian toxicity monitoring,
vectorised operating-characteristics simulation and a pluggable executor for scenario grids.

The names below are imported on first use (PEP 562), so ``import hipectrial.design.boin``
does not import SciPy with the Simon and monitoring modules.
"""

from typing import TYPE_CHECKING

from hipectrial._lazy import lazy_exports

if TYPE_CHECKING:
    from hipectrial.design.binomial import binomial_interval, binomial_test
    from hipectrial.design.boin import BoundaryConvention, boin_boundaries, boin_design, select_mtd
    from hipectrial.design.boin_sim import DoseFindingOC, McEstimate, simulate_boin, simulate_design_loop
    from hipectrial.design.dose_finding import Action, Decision, DoseFindingDesign, DoseState
    from hipectrial.design.executor import run_grid
    from hipectrial.design.monitor import toxicity_monitor
    from hipectrial.design.settings import boin_design_of, select_mtd_of, simon_design_of
    from hipectrial.design.simon import SimonDesign, evaluate_simon, simon_design
    from hipectrial.design.simon_inference import simon_decide, simon_estimate
    from hipectrial.design.threeplusthree import (
        ThreePlusThree,
        threeplusthree_exact,
        threeplusthree_simulate,
    )

__all__ = [
    "Action",
    "BoundaryConvention",
    "Decision",
    "DoseFindingDesign",
    "DoseFindingOC",
    "DoseState",
    "McEstimate",
    "SimonDesign",
    "ThreePlusThree",
    "binomial_interval",
    "binomial_test",
    "boin_boundaries",
    "boin_design",
    "boin_design_of",
    "evaluate_simon",
    "run_grid",
    "select_mtd",
    "select_mtd_of",
    "simon_decide",
    "simon_design",
    "simon_design_of",
    "simon_estimate",
    "simulate_boin",
    "simulate_design_loop",
    "threeplusthree_exact",
    "threeplusthree_simulate",
    "toxicity_monitor",
]

_EXPORTS = {
    "hipectrial.design.binomial": ("binomial_interval", "binomial_test"),
    "hipectrial.design.boin": ("BoundaryConvention", "boin_boundaries", "boin_design", "select_mtd"),
    "hipectrial.design.boin_sim": ("DoseFindingOC", "McEstimate", "simulate_boin", "simulate_design_loop"),
    "hipectrial.design.dose_finding": ("Action", "Decision", "DoseFindingDesign", "DoseState"),
    "hipectrial.design.executor": ("run_grid",),
    "hipectrial.design.monitor": ("toxicity_monitor",),
    "hipectrial.design.settings": ("boin_design_of", "select_mtd_of", "simon_design_of"),
    "hipectrial.design.simon": ("SimonDesign", "evaluate_simon", "simon_design"),
    "hipectrial.design.simon_inference": ("simon_decide", "simon_estimate"),
    "hipectrial.design.threeplusthree": ("ThreePlusThree", "threeplusthree_exact",
                                         "threeplusthree_simulate"),
}

if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
