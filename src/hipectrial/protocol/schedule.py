"""The visit schedule: visits, their timing and windows, repetition, and required forms."""

from __future__ import annotations

from pydantic import Field, PositiveInt, model_validator

from hipectrial.protocol.common import Id, Label, Model, Oid, oid_part
from hipectrial.protocol.regimen import Anchor, Timing


class Repeat(Model):
    """How a visit repeats.

    ``per_cycle``: once per cycle of the named phase (the timing's anchor is then
    ``cycle_start`` and its ``cycle`` is omitted). ``every_days``: every so many days from the
    first occurrence, until ``until_day`` (days from the anchor) or the ``until`` event.
    """

    per_cycle: Id | None = None
    every_days: PositiveInt | None = None
    until_day: PositiveInt | None = None
    until: Anchor | None = None

    @model_validator(mode="after")
    def _one(self) -> Repeat:
        if (self.per_cycle is None) == (self.every_days is None):
            raise ValueError("a repeat gives exactly one of 'per_cycle' and 'every_days'")
        if self.every_days is not None and self.until_day is None and self.until is None:
            raise ValueError("an every_days repeat gives 'until_day' or 'until'")
        return self


class Visit(Model):
    id: Id
    name: Label
    timing: Timing
    repeat: Repeat | None = None
    forms: list[Id] = Field(default_factory=list)
    optional_forms: list[Id] = Field(default_factory=list)
    # Cohorts the visit applies to; omitted = all.
    cohorts: list[Id] | None = None
    # The visit at which this event happens (registration, the day-0 HIPEC, surgery…): its
    # date is the event's date unless a visit date is recorded.
    records_event: Anchor | None = None
    # Branch after re-evaluation the visit applies to.
    branch: str = Field(default="all", pattern=r"^(all|operated|not_operated)$")
    oid: Oid | None = None

    @property
    def resolved_oid(self) -> str:
        return self.oid or f"SE.{oid_part(self.id)}"

    @model_validator(mode="after")
    def _shape(self) -> Visit:
        if self.timing.anchor is Anchor.EVENT and (
            self.repeat is not None or self.timing.day != 0
        ):
            raise ValueError("an event visit (anchor: event) has day 0 and no repeat")
        if self.records_event in (Anchor.EVENT, Anchor.CYCLE_START) or (
            self.records_event is not None and self.repeat is not None
        ):
            raise ValueError("records_event names a dated event (registration, hipec, surgery, "
                             "end_of_treatment, last_dose) of a visit that does not repeat")
        if not self.forms and not self.optional_forms:
            raise ValueError("a visit requires or offers at least one form")
        return self
