"""When an open-ended treatment phase stops: a time limit and the events that end it.

The seed protocol's maintenance phases read "1 year from induction cycle 1 day 1,
progression or unacceptable toxicity" (PD §Treatment flow 6). The words stay as the label;
the limit and the events are fields a program acts on.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import Field, PositiveInt, model_validator

from hipectrial.protocol.common import Id, Model, Text

if TYPE_CHECKING:
    from hipectrial.protocol.regimen import Timing


class StopEvent(StrEnum):
    """Events that end an open-ended phase before its time limit."""

    PROGRESSION = "progression"
    UNACCEPTABLE_TOXICITY = "unacceptable_toxicity"


class CycleDay(Model):
    """A day of one cycle of one phase ("induction cycle 1 day 1"); day 1 is the cycle start."""

    phase: Id
    cycle: PositiveInt
    day: int

    @model_validator(mode="after")
    def _no_day_zero(self) -> CycleDay:
        if self.day == 0:
            raise ValueError("cycle days count from 1 (day 1 is the cycle start); there is no day 0")
        return self

    def timing(self) -> Timing:
        """The same day as a ``cycle_start`` timing (no window)."""
        from hipectrial.protocol.regimen import Anchor, Timing

        return Timing(anchor=Anchor.CYCLE_START, phase=self.phase, cycle=self.cycle, day=self.day)


class PhaseUntil(Model):
    """The stop rule of a phase without a fixed number of cycles.

    No cycle of the phase starts on or after the day ``max_days`` days after ``counted_from``
    ("1 year from induction cycle 1 day 1" is ``max_days: 365`` counted from induction cycle 1
    day 1); each of ``events`` ends it earlier. ``label`` is the protocol's words.
    """

    label: Text
    max_days: PositiveInt | None = None
    counted_from: CycleDay | None = None
    events: list[StopEvent] = Field(default_factory=list)

    @model_validator(mode="after")
    def _limit_has_origin(self) -> PhaseUntil:
        if (self.max_days is None) != (self.counted_from is None):
            raise ValueError("'max_days' and 'counted_from' go together")
        if self.max_days is None and not self.events:
            raise ValueError("a stop rule gives 'max_days' with 'counted_from', or 'events'")
        return self

    def __str__(self) -> str:
        return self.label
