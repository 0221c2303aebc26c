"""The trial as known at a data cut-off: records dated after it are left out.

Every analysis is of the data as of one date. ``TrialData`` from the EDC or the simulator
holds nothing after ``generated_at`` (docs/trialdata-conventions.md); an earlier cut-off
(to reproduce a past DSMB report) drops what was learnt later, so that no derivation has to
remember to compare dates with the cut-off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from hipectrial.data import Participant, Surgery, TrialData
from hipectrial.data.trial import COLLECTIONS, Record


def _participant(p: Participant, cutoff: dt.date) -> Participant:
    def keep(day: dt.date | None) -> dt.date | None:
        return day if day is not None and day <= cutoff else None

    registered = keep(p.registration_date)
    off_treatment = keep(p.off_treatment_date)
    off_study = keep(p.off_study_date)
    return replace(
        p, registration_date=registered,
        cohort=p.cohort if registered else None, dose_level=p.dose_level if registered else None,
        off_treatment_date=off_treatment,
        off_treatment_reason=p.off_treatment_reason if off_treatment else None,
        off_study_date=off_study, off_study_reason=p.off_study_reason if off_study else None)


def _surgery(s: Surgery, cutoff: dt.date) -> Surgery:
    return replace(s, complications=tuple(c for c in s.complications if c.onset_date <= cutoff))


def _entered(record: Record, cutoff: dt.date) -> bool:
    """Whether the record was in the data by ``cutoff`` (records without provenance are)."""
    provenance = record.provenance
    return provenance is None or provenance.entered_at.date() <= cutoff


def at_cutoff(trial: TrialData, cutoff: dt.date) -> TrialData:
    """``trial`` without what happened, or was entered, after ``cutoff``.

    Left out: sites activated after it; participants who consented after it; registration,
    off-treatment and off-study dates (with their reasons) after it; visits, doses, adverse
    events (by onset), lab results, tumour assessments, surgeries, complications (by onset)
    and follow-up contacts dated after it; CRF records of a visit occurrence done after it
    (CRF records at a visit without a ``Visit`` record are kept, and dates inside them are
    compared with the cut-off where they are used); and any record whose provenance says it
    was entered after it (it was not yet in the data at the cut-off).
    """
    entered: dict[str, Any] = {kind.value: tuple(r for r in trial.records(kind) if _entered(r, cutoff))
                               for kind in COLLECTIONS}
    trial = replace(trial, **entered)
    participants = tuple(_participant(p, cutoff) for p in trial.participants
                         if p.consent_date <= cutoff)
    ids = {p.id for p in participants}
    late_visits = {(v.participant_id, v.visit_id, v.repeat) for v in trial.visits
                   if v.actual_date is not None and v.actual_date > cutoff}
    return replace(
        trial,
        sites=tuple(s for s in trial.sites if s.activation_date is None or s.activation_date <= cutoff),
        participants=participants,
        visits=tuple(v for v in trial.visits if v.participant_id in ids
                     and (v.actual_date is None or v.actual_date <= cutoff)),
        form_records=tuple(r for r in trial.form_records if r.participant_id in ids
                           and (r.participant_id, r.visit_id, r.visit_repeat) not in late_visits),
        doses=tuple(d for d in trial.doses if d.participant_id in ids and d.date <= cutoff),
        adverse_events=tuple(a for a in trial.adverse_events
                             if a.participant_id in ids and a.onset_date <= cutoff),
        lab_results=tuple(r for r in trial.lab_results if r.participant_id in ids and r.date <= cutoff),
        tumour_assessments=tuple(a for a in trial.tumour_assessments
                                 if a.participant_id in ids and a.date <= cutoff),
        surgeries=tuple(_surgery(s, cutoff) for s in trial.surgeries
                        if s.participant_id in ids and s.date <= cutoff),
        follow_ups=tuple(f for f in trial.follow_ups if f.participant_id in ids and f.date <= cutoff),
    )
