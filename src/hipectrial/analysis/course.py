"""Each registered participant's course, for a swimmer plot; days count from registration.

A treatment phase runs from its first administration to its last plus one cycle length
minus one day (the end of the last cycle), cut at the last date known (death, or last known
alive). HIPEC sessions are the HIPEC-agent doses given; the response marker is the first
assessment counted as CR or PR in the best-overall-response working; ``ongoing`` means
alive, not off study, at the cut-off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hipectrial.analysis.facts import Facts
from hipectrial.analysis.response import ParticipantResponse
from hipectrial.clinical.recist import Response
from hipectrial.protocol import Protocol


@dataclass(frozen=True, slots=True)
class PhaseSpan:
    phase: str
    start_day: int
    end_day: int
    cycles: int


@dataclass(frozen=True, slots=True)
class Timeline:
    participant_id: str
    study_part: str | None
    cohort: str | None
    dose_level: str | None
    phases: tuple[PhaseSpan, ...]
    hipec_days: tuple[int, ...]
    surgery_day: int | None
    response: str | None
    response_day: int | None
    progression_day: int | None
    death_day: int | None
    last_known_day: int
    ongoing: bool


def timelines(protocol: Protocol, registered: Sequence[str], facts: Mapping[str, Facts],
              responses: Mapping[str, ParticipantResponse]) -> tuple[Timeline, ...]:
    out = []
    for pid in registered:
        f = facts[pid]
        origin = f.registration_date
        if origin is None:
            continue
        last = f.death_date or f.last_known_alive or origin

        def day(d: dt.date, origin: dt.date = origin) -> int:
            return (d - origin).days

        spans = []
        for phase in protocol.phases:
            doses = [d for d in f.doses if d.phase == phase.id and d.given > 0]
            if doses:
                first = min(d.date for d in doses)
                end = min(max(d.date for d in doses).toordinal() + phase.last_day_offset(),
                          last.toordinal())
                spans.append(PhaseSpan(phase.id, day(first), end - origin.toordinal(),
                                       len({d.cycle for d in doses})))
        hipec = tuple(sorted(day(d.date) for d in f.doses
                             if d.agent in protocol.hipec.agents and d.given > 0))
        resp = responses.get(pid)
        bor = resp.bor if resp is not None else None
        first_response = None
        if bor is not None:
            first_response = next((r.date for r in bor.readings
                                   if r.counts_as in (Response.CR, Response.PR)), None)
        out.append(Timeline(
            pid, f.study_part, f.participant.cohort, f.participant.dose_level, tuple(spans), hipec,
            day(f.conversion_surgery.date) if f.conversion_surgery else None,
            bor.response.value if bor is not None else None,
            day(first_response) if first_response else None,
            day(f.progression_date) if f.progression_date else None,
            day(f.death_date) if f.death_date else None, day(last),
            f.death_date is None and f.participant.off_study_date is None))
    return tuple(out)
