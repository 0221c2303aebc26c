"""Time-to-event data per participant (PFS, OS) and their Kaplan-Meier summaries.

**OS** (clinical.md §6): origin (registration) to death from any cause; a participant alive
is censored at the last date known alive (docs/trialdata-conventions.md), which is never
after the cut-off.

**PFS** (clinical.md §6, FDA-style censoring; protocol-decisions.md §Endpoints): origin to
the first progression (``FollowUp.progression_date``: RECIST PD, unequivocal peritoneal
progression at laparoscopy, or recurrence after R0) or death, whichever is first.
Conversion surgery is not an event; recurrence after R0 is (it is a progression date).
An *adequate assessment* is a post-baseline CT/MRI with an evaluable overall RECIST response
(not NE). In order:

1. new anticancer therapy (``follow_up`` form ``subsequent_therapy_date``) started before
   the event (or without one): censored at the last adequate assessment on or before its
   start, or at the origin (day 0) when there is none;
2. an event more than ``2 x every_days + window_after`` days after the last adequate
   assessment before it (or the origin), with the tumour-assessment schedule in force on
   the event date (before surgery the visit repeating ``until: surgery``, 42 days + 7 in
   the seed; after surgery the visit anchored on surgery, 84 + 14), i.e. after >= 2 missed
   assessments: censored at that last adequate assessment (origin when none);
3. otherwise an event: progression or death;
4. no event: censored at the last adequate assessment, or at the origin when there is no
   post-baseline adequate assessment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from hipectrial.analysis.facts import IMAGING, Facts
from hipectrial.analysis.km import kaplan_meier
from hipectrial.analysis.response import ParticipantResponse, is_adequate
from hipectrial.analysis.results import KmSummary, ParticipantNote, SurvivalAt, TteRow
from hipectrial.errors import HipectrialError
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import Anchor

_METHOD = {"recist": "RECIST PD", "laparoscopy": "peritoneal progression at laparoscopy",
           "recurrence_after_r0": "recurrence after R0", "clinical": "clinical progression"}


def origin_date(anchor: Anchor | None, f: Facts) -> dt.date | None:
    if anchor is Anchor.HIPEC:
        return f.hipec_date
    return f.registration_date


def os_row(f: Facts, origin: dt.date) -> TteRow:
    if f.death_date is not None:
        return TteRow(f.id, (f.death_date - origin).days, True, f"death on {f.death_date.isoformat()}")
    last = f.last_known_alive or origin
    return TteRow(f.id, (last - origin).days, False, f"censored: alive, last known alive {last.isoformat()}")


def assessment_gaps(protocol: Protocol) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """(every_days, window_after) of the tumour-assessment visit before and after surgery."""
    pre = post = None
    for v in protocol.visits:
        if v.repeat is None or v.repeat.every_days is None or "tumour_assessment" not in v.forms:
            continue
        if v.repeat.until is Anchor.SURGERY:
            pre = (v.repeat.every_days, v.timing.window_after)
        elif v.timing.anchor is Anchor.SURGERY:
            post = (v.repeat.every_days, v.timing.window_after)
    return pre, post


def _progression_method(f: Facts, day: dt.date) -> str:
    for values in f.form_values("follow_up"):
        if values.get("progression_date") == day and isinstance(values.get("progression_method"), str):
            return _METHOD.get(str(values["progression_method"]), str(values["progression_method"]))
    return "progression"


def pfs_row(protocol: Protocol, f: Facts, origin: dt.date,
            response: ParticipantResponse | None) -> tuple[TteRow, str | None]:
    """One participant's PFS datum and a note when adequacy could not be judged by RECIST."""
    note = None
    if response is not None and response.baseline is not None and response.baseline.ok:
        adequate = sorted(t.date for t in response.timepoints if is_adequate(t) and t.date > origin)
    else:
        adequate = sorted(a.date for a in f.assessments if a.method in IMAGING and a.date > origin)
        note = "no valid RECIST baseline: every post-baseline CT taken as adequate"

    def at(day: dt.date) -> int:
        return (day - origin).days

    candidates = [(d, k) for d, k in ((f.progression_date, "progression"), (f.death_date, "death")) if d]
    event_date, kind = min(candidates) if candidates else (None, "")
    therapy = f.new_therapy_date
    if therapy is not None and (event_date is None or therapy < event_date):
        before = [d for d in adequate if d <= therapy]
        if not before:
            return TteRow(f.id, 0, False, f"censored: new anticancer therapy on {therapy.isoformat()} before "
                                          "progression, no adequate assessment before it: at the origin"
                          ), note
        return TteRow(f.id, at(before[-1]), False,
                      f"censored: new anticancer therapy on {therapy.isoformat()} before progression — "
                      f"last adequate assessment {before[-1].isoformat()}"), note
    if event_date is not None:
        before = [d for d in adequate if d < event_date]
        last = before[-1] if before else origin
        pre, post = assessment_gaps(protocol)
        surgery = f.conversion_surgery.date if f.conversion_surgery is not None else None
        schedule = post if surgery is not None and event_date > surgery else pre
        if schedule is not None:
            every, after = schedule
            limit = 2 * every + after
            gap = (event_date - last).days
            if gap > limit:
                where = (f"last adequate assessment {last.isoformat()}" if before
                         else "no adequate assessment: origin")
                return TteRow(f.id, at(last), False,
                              f"censored: {kind} on {event_date.isoformat()} after >= 2 missed assessments "
                              f"({gap} days > 2 x {every} + {after}) — {where}"), note
        if kind == "death":
            return TteRow(f.id, at(event_date), True,
                          f"death without progression on {event_date.isoformat()}"), note
        method = _progression_method(f, event_date)
        return TteRow(f.id, at(event_date), True, f"progression ({method}) on {event_date.isoformat()}"), note
    if not adequate:
        return TteRow(f.id, 0, False, "censored: no post-baseline adequate assessment: at the origin"), note
    return TteRow(f.id, at(adequate[-1]), False,
                  "censored: alive without progression — last adequate assessment "
                  f"{adequate[-1].isoformat()}"), note


def tte_rows(*, protocol: Protocol, ids: Sequence[str], facts: Mapping[str, Facts], pfs: bool,
             origin: Anchor | None, responses: Mapping[str, ParticipantResponse]
             ) -> tuple[tuple[TteRow, ...], tuple[ParticipantNote, ...]]:
    rows, notes = [], []
    for pid in ids:
        f = facts[pid]
        start = origin_date(origin, f)
        if start is None:
            notes.append(ParticipantNote(pid, f"no {origin.value if origin else 'origin'} date: left out"))
            continue
        if pfs:
            row, note = pfs_row(protocol, f, start, responses.get(pid))
            if note:
                notes.append(ParticipantNote(pid, note))
        else:
            row = os_row(f, start)
        rows.append(row)
    return tuple(rows), tuple(notes)


def km_summary(rows: Sequence[TteRow], at_days: Sequence[int], conf_level: float = 0.95
               ) -> tuple[KmSummary | None, str | None]:
    """The KM median (log-log CI) and survival at ``at_days``; ``None`` and why when not computed."""
    if not rows:
        return None, "no participant: Kaplan-Meier not computed"
    try:
        fit = kaplan_meier(time=[r.time_days for r in rows], event=[r.event for r in rows],
                           conf_level=conf_level, conf_type="log-log")
    except HipectrialError as exc:
        return None, f"Kaplan-Meier not computed: {exc}"
    median = fit.median()
    points = fit.survival_at(list(at_days)) if at_days else ()
    return KmSummary(n=len(rows), events=sum(r.event for r in rows), median_days=median.estimate,
                     median_lower=median.lower, median_upper=median.upper, conf_level=conf_level,
                     conf_type="log-log",
                     at_days=tuple(SurvivalAt(int(p.time), p.survival, p.lower, p.upper)
                                   for p in points)), None
