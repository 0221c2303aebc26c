"""Checking what :func:`~hipectrial.clinical.visits.schedule.visit_schedule` is given: the branch, the
anchor and stop dates, and the visits done. Each problem is an InputError naming the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from hipectrial.clinical.visits.types import ActualVisit, Branch, TreatmentDates
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import Anchor


def branch_of(branch: Branch | str | None) -> Branch | None:
    if branch is None or isinstance(branch, Branch):
        return branch
    try:
        return Branch(branch)
    except ValueError:
        raise InputError("branch", branch, "operated, not_operated or None (not decided)") from None


def check_dates(protocol: Protocol, dates: TreatmentDates, branch: Branch | None,
                 as_of: dt.date) -> None:
    named = {"registration": dates.registration, "hipec": dates.hipec, "surgery": dates.surgery,
             "end_of_treatment": dates.end_of_treatment, "last_dose": dates.last_dose,
             "death": dates.death, "off_study": dates.off_study, "progression": dates.progression}
    for name, value in named.items():
        if value is None:
            continue
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise InputError(name, value, "a date")
        if value > as_of:
            raise InputError(name, value, f"a date on or before as_of ({as_of.isoformat()})")
    if dates.surgery is not None and branch is Branch.NOT_OPERATED:
        raise InputError("surgery", dates.surgery, "absent for branch not_operated",
                         "give branch 'operated'")
    phases = {p.id: p for p in protocol.phases}
    for phase_id, starts in dates.cycle_starts.items():
        where = f"cycle_starts[{phase_id}]"
        if phase_id not in phases:
            raise InputError("cycle_starts", phase_id, "a phase of the protocol: " + ", ".join(phases))
        phase = phases[phase_id]
        if starts and phase.branch != "all" and (branch is None or branch.value != phase.branch):
            raise InputError("branch", branch.value if branch else None, phase.branch,
                             f"cycles of phase {phase_id!r} were given")
        if phase.cycles is not None and len(starts) > phase.cycles:
            raise InputError(where, len(starts), f"at most {phase.cycles} cycle starts")
        previous: dt.date | None = None
        for i, start in enumerate(starts, 1):
            if isinstance(start, dt.datetime) or not isinstance(start, dt.date):
                raise InputError(where, start, f"a date (cycle {i})")
            if start > as_of:
                raise InputError(where, start, f"a date on or before as_of ({as_of.isoformat()})")
            if previous is not None and start <= previous:
                raise InputError(where, start, f"a date after cycle {i - 1} ({previous.isoformat()})",
                                 "list cycle starts in order, cycle 1 first")
            previous = start


def actual_by_key(protocol: Protocol, actual: Sequence[ActualVisit],
                   as_of: dt.date) -> dict[tuple[str, int], ActualVisit]:
    visits = {v.id: v for v in protocol.visits}
    forms = {f.id for f in protocol.forms}
    done: dict[tuple[str, int], ActualVisit] = {}
    for a in actual:
        if a.visit_id not in visits or visits[a.visit_id].timing.anchor is Anchor.EVENT:
            raise InputError("visit_id", a.visit_id, "a scheduled visit of the protocol")
        if isinstance(a.occurrence, bool) or not isinstance(a.occurrence, int) or a.occurrence < 1:
            raise InputError("occurrence", a.occurrence, "a whole number >= 1")
        if isinstance(a.date, dt.datetime) or not isinstance(a.date, dt.date):
            raise InputError("date", a.date, "a date")
        if a.date > as_of:
            raise InputError("date", a.date, f"a date on or before as_of ({as_of.isoformat()})",
                             f"visit {a.visit_id} #{a.occurrence}")
        for f in a.forms or ():
            if f not in forms:
                raise InputError("forms", f, "a form of the protocol")
        key = (a.visit_id, a.occurrence)
        if key in done:
            raise InputError("occurrence", a.occurrence,
                             f"given once for visit {a.visit_id!r}", "it was given twice")
        done[key] = a
    return done
