"""The one interface every dose-finding design implements (STYLE.md, "Families share one
interface").

A design is anything with ``decide(state) -> Decision``: given the data so far (patients and
DLTs per dose, the current dose, the doses already eliminated) it says where the next cohort
goes, or that the trial stops and which dose it selects. One simulator runs any design by
treating a cohort, asking ``decide``, and repeating until the decision is ``STOP``.

Dose indices here are **0-based** (index 0 is the lowest dose); user-facing shells show
1-based dose levels.

>>> state = DoseState(n=(3, 0, 0), dlt=(0, 0, 0), current=0)
>>> state.eliminated
(False, False, False)
>>> Decision(action=Action.ESCALATE, next_dose=1).action
<Action.ESCALATE: 'escalate'>
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from hipectrial.errors import InputError

__all__ = ["Action", "Decision", "DoseFindingDesign", "DoseState", "StopReason"]


class Action(StrEnum):
    """What happens next."""

    ESCALATE = "escalate"
    STAY = "stay"
    DE_ESCALATE = "de-escalate"
    STOP = "stop"


class StopReason(StrEnum):
    """Why a trial stops (designs may give other ``str`` reasons of their own)."""

    LOWEST_DOSE_TOO_TOXIC = "lowest dose too toxic"
    ENOUGH_AT_DOSE = "enough patients at the recommended dose"
    MAX_SAMPLE_SIZE = "maximum sample size reached"
    MTD_DETERMINED = "MTD determined"


@dataclass(frozen=True, slots=True)
class DoseState:
    """Data of a dose-finding trial after the latest cohort.

    Parameters
    ----------
    n : tuple of int
        Patients treated at each dose (lowest first).
    dlt : tuple of int
        Patients with a dose-limiting toxicity at each dose.
    current : int
        0-based index of the dose the latest cohort received.
    eliminated : tuple of bool, optional
        Doses already eliminated (never to be used again); all ``False`` when omitted.
    """

    n: tuple[int, ...]
    dlt: tuple[int, ...]
    current: int
    eliminated: tuple[bool, ...] = ()

    def __post_init__(self) -> None:
        doses = len(self.n)
        if doses == 0:
            raise InputError("n", self.n, "one count per dose, at least one dose")
        if len(self.dlt) != doses:
            raise InputError("dlt", self.dlt, f"{doses} counts, one per dose like n")
        for treated, toxic in zip(self.n, self.dlt, strict=True):
            if treated < 0 or toxic < 0 or toxic > treated:
                raise InputError("dlt", self.dlt, "whole numbers with 0 <= dlt <= n at each dose",
                                 f"n = {self.n}")
        if not 0 <= self.current < doses:
            raise InputError("current", self.current, f"a dose index in 0..{doses - 1}")
        if not self.eliminated:
            object.__setattr__(self, "eliminated", (False,) * doses)
        elif len(self.eliminated) != doses:
            raise InputError("eliminated", self.eliminated, f"{doses} flags, one per dose")


@dataclass(frozen=True, slots=True)
class Decision:
    """A design's answer for one state.

    Parameters
    ----------
    action : Action
        Escalate, stay, de-escalate (each relative to the current dose) or stop.
    next_dose : int or None
        0-based dose for the next cohort; ``None`` when the action is ``STOP``.
    reason : str or None
        Why the trial stops (a :class:`StopReason` or a design's own text); may explain
        other actions too (e.g. "next dose eliminated").
    selected : int or None
        On ``STOP``: the 0-based dose the design selects (MTD / RP2D), ``None`` for no dose.
    eliminated : tuple of bool or None
        The eliminated flags after this decision; ``None`` means unchanged from the state.
    """

    action: Action
    next_dose: int | None
    reason: str | None = None
    selected: int | None = None
    eliminated: tuple[bool, ...] | None = None


@runtime_checkable
class DoseFindingDesign(Protocol):
    """A dose-finding design: BOIN, 3+3, ...

    ``decide`` must be a pure function of the state (no hidden memory between calls), so
    one simulator can run any design and a clinician can replay a decision.
    """

    def decide(self, state: DoseState) -> Decision:
        """The decision for the data in ``state``."""
        ...
