"""Target dates of a visit counted from its anchor's date: the one rule for "occurrence k of
a visit that repeats every N days" that :func:`~hipectrial.clinical.visits.schedule.visit_schedule`
and the simulator share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from hipectrial.errors import InputError
from hipectrial.protocol.schedule import Visit

__all__ = ["occurrence_days", "visit_targets"]


def occurrence_days(visit: Visit) -> Iterator[tuple[int, int]]:
    """(occurrence, day) of each occurrence of a visit that repeats every N days from its
    anchor (or occurs once), in the visit timing's own day count: day ``timing.day + k x
    every_days`` for occurrence ``k + 1``, up to the repeat's ``until_day``. Without an
    ``until_day`` the sequence does not end: the caller stops at its own horizon.

    >>> from hipectrial.protocol.regimen import Timing
    >>> from hipectrial.protocol.schedule import Repeat
    >>> ct = Visit(id="ct", name={"en": "CT", "zh": "CT"}, timing=Timing(anchor="hipec", day=42),
    ...            repeat=Repeat(every_days=42, until_day=126), forms=["ct"])
    >>> list(occurrence_days(ct))
    [(1, 42), (2, 84), (3, 126)]
    """
    timing, repeat = visit.timing, visit.repeat
    if repeat is None or repeat.every_days is None:
        yield 1, timing.day
        return
    k = 0
    while repeat.until_day is None or timing.day + k * repeat.every_days <= repeat.until_day:
        yield k + 1, timing.day + k * repeat.every_days
        k += 1


def visit_targets(*, visit: Visit, anchor: dt.date, until: dt.date) -> list[tuple[int, dt.date]]:
    """(occurrence, target date) of a visit counted from its anchor's date (the date of the
    event or cycle start the visit's timing names), up to ``until`` inclusive: the target
    dates :func:`visit_schedule` gives once that anchor has happened.

    >>> import datetime as dt
    >>> from hipectrial.protocol.regimen import Timing
    >>> from hipectrial.protocol.schedule import Repeat
    >>> ct = Visit(id="ct", name={"en": "CT", "zh": "CT"},
    ...            timing=Timing(anchor="cycle_start", phase="induction", cycle=1, day=43),
    ...            repeat=Repeat(every_days=42, until="surgery"), forms=["ct"])
    >>> visit_targets(visit=ct, anchor=dt.date(2026, 3, 1), until=dt.date(2026, 6, 1))
    [(1, datetime.date(2026, 4, 12)), (2, datetime.date(2026, 5, 24))]
    """
    if visit.repeat is not None and visit.repeat.per_cycle is not None:
        raise InputError("visit", visit.id, "a visit that occurs once or every N days",
                         "a per-cycle visit's dates follow its cycles: visit_schedule lists them")
    found: list[tuple[int, dt.date]] = []
    for occurrence, day in occurrence_days(visit):
        when = anchor + dt.timedelta(days=visit.timing.offset_days(day))
        if when > until:
            break
        found.append((occurrence, when))
    return found
