"""Each participant's facts, read from the one place docs/trialdata-conventions.md puts them.

:func:`collect_facts` indexes a :class:`~hipectrial.data.TrialData` by participant once and
reads every fact the endpoint derivations share (registration, HIPEC, operations, first and
second look, progression, death, new therapy, last date known alive), so that no two
derivations read the same fact from two places.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from hipectrial.clinical.course import first_hipec_dose, hipec_given, not_operated_phases
from hipectrial.data import (
    AdverseEvent,
    AssessmentMethod,
    Cytology,
    DoseAdministration,
    FieldValue,
    FollowUp,
    FormRecord,
    LabResult,
    Participant,
    Surgery,
    TrialData,
    TumourAssessment,
    Visit,
    VitalStatus,
)
from hipectrial.protocol import Protocol

# Operation codes (seed code list ``operation``; conventions "Operations and disease").
DAY0_OPERATION = "diagnostic_laparoscopy_hipec"
SECOND_LOOK_OPERATION = "second_look_laparoscopy"
CONVERSION_OPERATION = "conversion_surgery_hipec"
IMAGING = (AssessmentMethod.CT, AssessmentMethod.MRI, AssessmentMethod.PET_CT)
REEVALUATION_VISIT = "reevaluation"
# MDT decision codes (seed code list ``mdt-decision``).
MDT_SURGERY = "conversion_surgery"


@dataclass(frozen=True, slots=True)
class Facts:
    """One participant's records and the facts derived from them (``None``: not known)."""

    participant: Participant
    visits: tuple[Visit, ...]
    forms: tuple[FormRecord, ...]
    doses: tuple[DoseAdministration, ...]
    adverse_events: tuple[AdverseEvent, ...]
    labs: tuple[LabResult, ...]
    assessments: tuple[TumourAssessment, ...]
    surgeries: tuple[Surgery, ...]
    follow_ups: tuple[FollowUp, ...]
    study_part: str | None
    hipec_dose: DoseAdministration | None
    conversion_surgery: Surgery | None
    day0_surgery: Surgery | None
    surgery_cytology: Cytology | None
    first_look: TumourAssessment | None
    second_look: TumourAssessment | None
    death_date: dt.date | None
    cause_of_death: str | None
    progression_date: dt.date | None
    new_therapy_date: dt.date | None
    last_known_alive: dt.date | None
    mdt_decision: str | None
    # The first dose date in a phase of the not-operated branch
    # (:func:`hipectrial.clinical.course.not_operated_phases`).
    not_operated_start: dt.date | None = None

    @property
    def id(self) -> str:
        return self.participant.id

    @property
    def registration_date(self) -> dt.date | None:
        return self.participant.registration_date

    @property
    def received_hipec(self) -> bool:
        """The day-0 HIPEC dose was given (:func:`hipectrial.clinical.course.hipec_given`)."""
        return hipec_given(self.hipec_dose)

    @property
    def hipec_date(self) -> dt.date | None:
        return self.hipec_dose.date if self.hipec_dose is not None and self.received_hipec else None

    @property
    def last_dose_date(self) -> dt.date | None:
        """The latest date a dose of any agent was given (``given > 0``), HIPEC included."""
        return max((d.date for d in self.doses if d.given > 0), default=None)

    @property
    def treated(self) -> bool:
        """Any study treatment given (a dose of any agent with ``given > 0``)."""
        return any(d.given > 0 for d in self.doses)

    @property
    def reevaluated(self) -> bool:
        """Re-evaluated: a ``reevaluation`` visit took place or a second look was done."""
        return self.second_look is not None or any(v.visit_id == REEVALUATION_VISIT for v in self.visits)

    def form_values(self, form_id: str, visit_ids: tuple[str, ...] | None = None
                    ) -> tuple[Mapping[str, FieldValue], ...]:
        """The values of every record of ``form_id`` (at ``visit_ids`` when given)."""
        return tuple(r.values for r in self.forms
                     if r.form_id == form_id and (visit_ids is None or r.visit_id in visit_ids))


def _first(dates: list[dt.date]) -> dt.date | None:
    return min(dates) if dates else None


def _study_part(forms: tuple[FormRecord, ...]) -> str | None:
    for r in forms:
        if r.form_id == "registration":
            part = r.values.get("study_part")
            if isinstance(part, str):
                return part
    return None


def _new_therapy(forms: tuple[FormRecord, ...]) -> dt.date | None:
    """The first ``subsequent_therapy_date`` of a ``follow_up`` form saying therapy started."""
    days = [r.values["subsequent_therapy_date"] for r in forms
            if r.form_id == "follow_up" and r.values.get("subsequent_therapy") is True
            and isinstance(r.values.get("subsequent_therapy_date"), dt.date)]
    return _first([d for d in days if isinstance(d, dt.date)])


def _mdt_decision(forms: tuple[FormRecord, ...]) -> str | None:
    for r in forms:
        if r.form_id == "reevaluation" and isinstance(r.values.get("mdt_decision"), str):
            return str(r.values["mdt_decision"])
    return None


def _last_known_alive(p: Participant, visits: tuple[Visit, ...], doses: tuple[DoseAdministration, ...],
                      labs: tuple[LabResult, ...], assessments: tuple[TumourAssessment, ...],
                      surgeries: tuple[Surgery, ...], follow_ups: tuple[FollowUp, ...],
                      death: dt.date | None) -> dt.date | None:
    """Latest date of a record about the living participant (conventions: visits, doses,
    labs, assessments, follow-up contacts with status alive; operations and registration
    too, which need a living participant); never on or after a death date."""
    days: list[dt.date] = [v.actual_date for v in visits if v.actual_date is not None]
    days += [d.date for d in doses] + [r.date for r in labs] + [a.date for a in assessments]
    days += [s.date for s in surgeries]
    days += [f.date for f in follow_ups if f.vital_status is VitalStatus.ALIVE]
    if p.registration_date is not None:
        days.append(p.registration_date)
    if death is not None:
        days = [d for d in days if d < death]
    return max(days) if days else None


@dataclass(slots=True)
class _Records:
    visits: list[Visit]
    forms: list[FormRecord]
    doses: list[DoseAdministration]
    aes: list[AdverseEvent]
    labs: list[LabResult]
    tas: list[TumourAssessment]
    surgeries: list[Surgery]
    fus: list[FollowUp]


def _empty() -> _Records:
    return _Records([], [], [], [], [], [], [], [])


def _facts(protocol: Protocol, p: Participant, r: _Records) -> Facts:
    visits, forms, doses, aes = tuple(r.visits), tuple(r.forms), tuple(r.doses), tuple(r.aes)
    labs, tas, surgeries, fus = tuple(r.labs), tuple(r.tas), tuple(r.surgeries), tuple(r.fus)

    hipec_dose = first_hipec_dose(protocol=protocol, doses=doses)
    conversion = min((s for s in surgeries if s.procedure == CONVERSION_OPERATION),
                     key=lambda s: s.date, default=None)
    day0 = min((s for s in surgeries if s.procedure == DAY0_OPERATION), key=lambda s: s.date, default=None)
    cytology = None
    if conversion is not None:
        cytology = next((a.cytology for a in tas if a.method is AssessmentMethod.LAPAROTOMY
                         and a.date == conversion.date), None)
    laparoscopies = sorted((a for a in tas if a.method is AssessmentMethod.LAPAROSCOPY), key=lambda a: a.date)
    day0_date = hipec_dose.date if hipec_dose is not None else (day0.date if day0 is not None else None)
    first_look = next((a for a in laparoscopies if a.date == day0_date), None)
    reeval_dates = {v.actual_date for v in visits if v.visit_id == REEVALUATION_VISIT}
    later = [a for a in laparoscopies if day0_date is not None and a.date > day0_date
             and (conversion is None or a.date <= conversion.date)]
    second_look = next((a for a in later if a.date in reeval_dates), later[0] if later else None)
    death = _first([f.death_date for f in fus if f.death_date is not None])
    cause = next((f.cause_of_death for f in sorted(fus, key=lambda u: u.date)
                  if f.death_date is not None and f.cause_of_death is not None), None)
    progression = _first([f.progression_date for f in fus if f.progression_date is not None])
    not_operated = not_operated_phases(protocol)
    return Facts(
        participant=p, visits=visits, forms=forms, doses=doses, adverse_events=aes, labs=labs,
        assessments=tas, surgeries=surgeries, follow_ups=fus, study_part=_study_part(forms),
        hipec_dose=hipec_dose, conversion_surgery=conversion, day0_surgery=day0,
        surgery_cytology=cytology, first_look=first_look, second_look=second_look,
        death_date=death, cause_of_death=cause, progression_date=progression,
        new_therapy_date=_new_therapy(forms),
        last_known_alive=_last_known_alive(p, visits, doses, labs, tas, surgeries, fus, death),
        mdt_decision=_mdt_decision(forms),
        not_operated_start=min((d.date for d in doses if d.phase in not_operated), default=None))


def collect_facts(*, trial: TrialData, protocol: Protocol) -> dict[str, Facts]:
    """Every participant's :class:`Facts`, in the order of ``trial.participants``."""
    grouped: dict[str, _Records] = defaultdict(_empty)
    for v in trial.visits:
        grouped[v.participant_id].visits.append(v)
    for f in trial.form_records:
        grouped[f.participant_id].forms.append(f)
    for d in trial.doses:
        grouped[d.participant_id].doses.append(d)
    for a in trial.adverse_events:
        grouped[a.participant_id].aes.append(a)
    for lab in trial.lab_results:
        grouped[lab.participant_id].labs.append(lab)
    for t in trial.tumour_assessments:
        grouped[t.participant_id].tas.append(t)
    for s in trial.surgeries:
        grouped[s.participant_id].surgeries.append(s)
    for u in trial.follow_ups:
        grouped[u.participant_id].fus.append(u)
    return {p.id: _facts(protocol, p, grouped[p.id]) for p in trial.participants}
