"""A course as known at a data cut-off: nothing dated after it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from hipectrial.data import AeOutcome, FormRecord

if TYPE_CHECKING:
    from hipectrial.simulate.course.run import Course


def _form_known(form: FormRecord, cutoff: dt.date) -> bool:
    """A form is known at the cut-off when none of its dates is after it."""
    return all(not isinstance(v, dt.date) or (v.date() if isinstance(v, dt.datetime) else v) <= cutoff
               for v in form.values.values())


def truncate(course: Course, cutoff: dt.date) -> Course:
    p = course.participant
    known_visits = tuple(v for v in course.visits if v.actual_date is not None and v.actual_date <= cutoff)
    occurrences = {(v.visit_id, v.repeat) for v in known_visits}
    forms = tuple(f for f in course.form_records
                  if (f.visit_id, f.visit_repeat) in occurrences and _form_known(f, cutoff))
    events = []
    for e in course.adverse_events:
        if e.onset_date > cutoff:
            continue
        if e.resolution_date is not None and e.resolution_date > cutoff:
            e = replace(e, resolution_date=None, outcome=AeOutcome.NOT_RECOVERED)
        events.append(e)
    surgeries = []
    for s in course.surgeries:
        if s.date > cutoff:
            continue
        complications = tuple(c for c in s.complications if c.onset_date <= cutoff)
        surgeries.append(replace(s, complications=complications) if complications != s.complications else s)
    follow_ups = tuple(f for f in course.follow_ups if f.date <= cutoff)
    off_treatment, reason = p.off_treatment_date, p.off_treatment_reason
    off_study_known = p.off_study_date is not None and p.off_study_date <= cutoff
    eot_known = (any(v.visit_id == "end-of-treatment" for v in known_visits)
                 or (reason == "death" and any(f.death_date is not None for f in follow_ups))
                 or (reason == "progression" and any(f.progression_date is not None for f in follow_ups))
                 or (reason in ("lost_to_follow_up", "participant_withdrawal") and off_study_known))
    keep_off_treatment = off_treatment is not None and off_treatment <= cutoff and eot_known
    participant = replace(
        p,
        off_treatment_date=off_treatment if keep_off_treatment else None,
        off_treatment_reason=p.off_treatment_reason if keep_off_treatment else None,
        off_study_date=p.off_study_date if off_study_known else None,
        off_study_reason=p.off_study_reason if off_study_known else None,
    )
    return replace(
        course,
        participant=participant,
        visits=known_visits,
        form_records=forms,
        doses=tuple(d for d in course.doses if d.date <= cutoff),
        adverse_events=tuple(events),
        lab_results=tuple(r for r in course.lab_results if r.date <= cutoff),
        tumour_assessments=tuple(a for a in course.tumour_assessments if a.date <= cutoff),
        surgeries=tuple(surgeries),
        follow_ups=follow_ups,
        dlt=course.dlt and course.dlt_known_on <= cutoff,
        r0=course.r0 and course.r0_known_on <= cutoff,
    )
