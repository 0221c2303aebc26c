"""The visit schedule: visits, their timing and windows, repetition, and required forms."""

from __future__ import annotations

from enum import StrEnum

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


class ScheduleEnd(StrEnum):
    """Events after which a participant's scheduled visits are no longer due.

    ``death`` and ``off_study`` end every scheduled visit; a visit's ``ends_at`` names the
    further events that end it (``progression``: the first documented progression).
    :func:`hipectrial.clinical.visits.schedule.visit_schedule` applies them.
    """

    DEATH = "death"
    OFF_STUDY = "off_study"
    PROGRESSION = "progression"


# Events that end every scheduled visit, so that ``ends_at`` does not name them.
ENDS_EVERY_VISIT = (ScheduleEnd.DEATH, ScheduleEnd.OFF_STUDY)


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
    # Events after which the visit is no longer due, besides death and off-study (which end
    # every visit): ``[progression]`` for tumour assessments. Omitted = only those two.
    ends_at: list[ScheduleEnd] = Field(default_factory=list)
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
        if self.ends_at and self.timing.anchor is Anchor.EVENT:
            raise ValueError("an event visit (anchor: event) has no schedule to end: omit ends_at")
        for end in self.ends_at:
            if end in ENDS_EVERY_VISIT:
                raise ValueError(f"ends_at: {end.value} ends every visit and is not listed; "
                                 "ends_at names the further events: "
                                 + ", ".join(e.value for e in ScheduleEnd if e not in ENDS_EVERY_VISIT))
        if len(set(self.ends_at)) != len(self.ends_at):
            raise ValueError("ends_at names each event once")
        return self
