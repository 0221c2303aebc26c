"""Visit numbers, visit names and planned study days, from the protocol's schedule.

- ``VISITNUM`` = 1000 x the visit's position in ``protocol.visits`` (1-based) + the
  occurrence number (the cycle of a per-cycle visit, the n-th of an every-N-days visit, 1
  for a visit that does not repeat): ``Induction cycle day 1`` cycle 2 is 6002 in the seed
  protocol. Numbers follow the protocol's order and never depend on the data.
- ``VISIT`` = the visit's English name, followed for a repeating visit by ``, cycle n`` (per
  cycle) or ``, number n`` (every N days), and for the second and later occurrence of a
  visit that does not repeat (an unscheduled or other event visit) by `` n``
  (``Unscheduled visit 2``), so that VISIT and VISITNUM are one-to-one (VISIT is the
  synonym qualifier of VISITNUM, SDTMIG 3.4 SV) in TV, SV and every findings domain.
- ``VISITDY`` = the planned study day of the occurrence in the protocol's *ideal* schedule:
  registration and the day-0 HIPEC on the same day (study day 1, the day of RFSTDTC), every
  later anchor on its target day (:func:`hipectrial.clinical.visit_schedule` computes the
  targets). Visits counted from events whose day the protocol does not fix (end of
  treatment, last dose, unscheduled events) have none.

References
----------
SDTMIG 3.4 §4.4.5 (VISITNUM, VISIT, VISITDY), §7.3.1 (TV).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from hipectrial.clinical.visits.schedule import visit_schedule
from hipectrial.clinical.visits.types import Branch, TreatmentDates
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import Anchor
from hipectrial.protocol.schedule import Visit

OCCURRENCES = 1000  # room for 999 occurrences of one visit
_IDEAL_START = dt.date(2000, 1, 3)  # any date: only differences between dates are used
_HORIZON_DAYS = 3660  # ten years: past every visit the seed protocol schedules


def visit_number(protocol: Protocol, visit_id: str, occurrence: int) -> int:
    """``VISITNUM`` of an occurrence of a protocol visit.

    >>> from hipectrial.protocol import load_protocol
    >>> visit_number(load_protocol(), "induction-cycle", 2)
    6002

    Raises
    ------
    InputError
        (field ``visit_id``) for a visit the protocol does not have, (field ``repeat``) for
        an occurrence number outside 1..999.
    """
    position = _positions(protocol).get(visit_id)
    if position is None:
        raise InputError("visit_id", visit_id, "a visit of the protocol's schedule")
    if not 1 <= occurrence < OCCURRENCES:
        raise InputError("repeat", occurrence, f"an occurrence number from 1 to {OCCURRENCES - 1}",
                         f"visit {visit_id}")
    return position * OCCURRENCES + occurrence


def visit_name(protocol: Protocol, visit_id: str, occurrence: int) -> str:
    """``VISIT``: the English name, with the cycle or occurrence of a repeating visit, or
    the occurrence number from the second time of a visit that does not repeat.

    >>> from hipectrial.protocol import load_protocol
    >>> [visit_name(load_protocol(), "unscheduled", n) for n in (1, 2)]
    ['Unscheduled visit', 'Unscheduled visit 2']
    """
    visit = protocol.visit(visit_id)
    if visit.repeat is None:
        # An event visit (unscheduled, adverse event…) may happen again: its n-th time
        # gets its own VISITNUM, so its own VISIT too (VISIT is the synonym qualifier of
        # VISITNUM, SDTMIG 3.4 SV: one name per number and one number per name).
        return visit.name.en if occurrence == 1 else f"{visit.name.en} {occurrence}"
    if visit.repeat.per_cycle is not None:
        return f"{visit.name.en}, cycle {occurrence}"
    return f"{visit.name.en}, number {occurrence}"


def planned_days(protocol: Protocol) -> Mapping[tuple[str, int], int]:
    """(visit id, occurrence) -> planned study day in the ideal schedule of every cohort and
    both branches (module docstring); an occurrence absent from it has no planned day."""
    found: dict[tuple[str, int], int] = {}
    start = _IDEAL_START
    as_of = start + dt.timedelta(days=_HORIZON_DAYS)
    surgery_visit = next((v.id for v in protocol.visits if v.records_event is Anchor.SURGERY), None)
    for cohort in protocol.cohorts:
        for branch in (Branch.OPERATED, Branch.NOT_OPERATED):
            dates = TreatmentDates(registration=start, hipec=start)
            schedule = visit_schedule(protocol=protocol, cohort=cohort.id, branch=branch,
                                      dates=dates, as_of=as_of)
            if branch is Branch.OPERATED and surgery_visit is not None:
                surgery = [o.target for o in schedule.of(surgery_visit)]
                if surgery:
                    dates = TreatmentDates(registration=start, hipec=start, surgery=surgery[0])
                    schedule = visit_schedule(protocol=protocol, cohort=cohort.id, branch=branch,
                                              dates=dates, as_of=as_of)
            for o in schedule.occurrences:
                days = (o.target - start).days
                found.setdefault((o.visit_id, o.occurrence), days + 1 if days >= 0 else days)
    return found


def scheduled(visit: Visit) -> bool:
    """Whether a visit has a schedule (not an event visit: adverse event, death…)."""
    return visit.timing.anchor is not Anchor.EVENT


def _positions(protocol: Protocol) -> dict[str, int]:
    return {v.id: i for i, v in enumerate(protocol.visits, start=1)}
