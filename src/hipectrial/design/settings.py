"""A trial's BOIN or Simon design built from its settings: the one constructor the analysis
and the simulator call.

The settings are read structurally (:class:`typing.Protocol`): any object with these
attribute names will do — the protocol model's ``dose_finding.design`` and
``statistics.primary`` are such objects — so ``design`` stays free of ``hipectrial.protocol``
(DESIGN.md: design is pure statistics over numbers, importing numpy and scipy only) while
the protocol's numbers reach the design through one function each.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from hipectrial.design.boin import BoinDesign, BoundaryConvention, MtdSelection, boin_design, select_mtd
from hipectrial.design.monitor import ToxicityMonitor, toxicity_monitor
from hipectrial.design.simon import SimonDesign, check_design

__all__ = [
    "BoinSettingsLike",
    "SafetyMonitoringSettingsLike",
    "SimonSettingsLike",
    "SimonStageSettingsLike",
    "boin_design_of",
    "select_mtd_of",
    "simon_design_of",
    "toxicity_monitor_of",
]


class BoinSettingsLike(Protocol):
    """What a BOIN design is built from (the protocol's ``dose_finding.design``)."""

    @property
    def target(self) -> float: ...
    @property
    def phi1(self) -> float: ...
    @property
    def phi2(self) -> float: ...
    @property
    def elimination_cutoff(self) -> float: ...
    @property
    def minimum_for_elimination(self) -> int: ...
    @property
    def stop_n_at_dose(self) -> int: ...
    @property
    def max_n(self) -> int: ...
    @property
    def boundary_convention(self) -> str: ...


def boin_design_of(settings: BoinSettingsLike) -> BoinDesign:
    """The BOIN design the settings state (target, phi1, phi2, elimination cut-off and its
    minimum count, the stop-at-dose count, the maximum sample size and the boundary
    convention, :class:`~hipectrial.design.boin.BoundaryConvention`).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> seed = SimpleNamespace(target=0.3, phi1=0.18, phi2=0.42, elimination_cutoff=0.95,
    ...                        minimum_for_elimination=3, stop_n_at_dose=9, max_n=18,
    ...                        boundary_convention="boin-2.7.2")
    >>> d = boin_design_of(seed)
    >>> round(d.lambda_e, 4), round(d.lambda_d, 4), d.stop_n_at_dose, d.max_n
    (0.2365, 0.3585, 9, 18)
    """
    return boin_design(target=settings.target, phi1=settings.phi1, phi2=settings.phi2,
                       cutoff=settings.elimination_cutoff, min_n_eliminate=settings.minimum_for_elimination,
                       stop_n_at_dose=settings.stop_n_at_dose, max_n=settings.max_n,
                       convention=BoundaryConvention(settings.boundary_convention))


def select_mtd_of(settings: BoinSettingsLike, *, n: Sequence[int], dlt: Sequence[int],
                  eliminated: Sequence[bool]) -> MtdSelection:
    """The dose the settings' BOIN design selects from the patients treated (``n``) and DLTs
    (``dlt``) per level (0-based index, as :func:`~hipectrial.design.boin.select_mtd`), levels
    ``eliminated`` excluded (:func:`~hipectrial.design.boin.select_mtd`
    with the settings' target, elimination cut-off and its minimum count; the boundary
    convention plays no part: R BOIN 2.7.2 ``select.mtd`` with its default ``boundMTD = FALSE``
    selects as 2.6.9 did). Worked by hand:
    estimates (y + 0.05) / (n + 0.1) = 0.008, 0.225, 0.661, already increasing; level 3 is
    not eliminated (P(p > 0.3 | 2/3, Beta(1, 1)) = 0.916 <= 0.95); 0.225 is closest to 0.3.

    >>> from types import SimpleNamespace
    >>> seed = SimpleNamespace(target=0.3, phi1=0.18, phi2=0.42, elimination_cutoff=0.95,
    ...                        minimum_for_elimination=3, stop_n_at_dose=9, max_n=18)
    >>> select_mtd_of(seed, n=[6, 9, 3], dlt=[0, 2, 2], eliminated=[False, False, False]).selected
    1
    """
    return select_mtd(target=settings.target, n=n, dlt=dlt, cutoff=settings.elimination_cutoff,
                      min_n_eliminate=settings.minimum_for_elimination, eliminated=eliminated)


class SimonStageSettingsLike(Protocol):
    """One stage's boundary: stop (or fail) when responses <= ``r`` among ``n``."""

    @property
    def n(self) -> int: ...
    @property
    def r(self) -> int: ...


class SimonSettingsLike(Protocol):
    """What a Simon two-stage design is built from (the protocol's ``statistics.primary``)."""

    @property
    def stage1(self) -> SimonStageSettingsLike: ...
    @property
    def total(self) -> SimonStageSettingsLike: ...


def simon_design_of(settings: SimonSettingsLike) -> SimonDesign:
    """The Simon two-stage design the settings state, checked
    (:func:`hipectrial.design.simon.check_design`).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> str(simon_design_of(NS(stage1=NS(n=13, r=3), total=NS(n=43, r=12))))
    '3/13, 12/43'
    """
    return check_design(r1=settings.stage1.r, n1=settings.stage1.n, r=settings.total.r, n=settings.total.n)


class SafetyMonitoringSettingsLike(Protocol):
    """What the Part B toxicity monitor is built from (the protocol's
    ``statistics.safety_monitoring``)."""

    @property
    def threshold(self) -> float: ...
    @property
    def posterior_cutoff(self) -> float: ...
    @property
    def every_n(self) -> int: ...
    @property
    def prior_a(self) -> float: ...
    @property
    def prior_b(self) -> float: ...


def toxicity_monitor_of(settings: SafetyMonitoringSettingsLike, *, enrol: int) -> ToxicityMonitor:
    """The toxicity monitor of the protocol's safety-monitoring settings for a Part B of
    ``enrol`` participants (looks every ``every_n`` up to ``max(enrol, every_n)``); the
    analysis at the cut-off and the virtual trial build it here."""
    return toxicity_monitor(threshold=settings.threshold, cutoff=settings.posterior_cutoff,
                            max_n=max(enrol, settings.every_n), every=settings.every_n,
                            prior_a=settings.prior_a, prior_b=settings.prior_b)
