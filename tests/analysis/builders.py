"""Hand-built TrialData for the analysis tests, written as the conventions say.

Days are counted from registration (day 0 = ``REG``), so a test reads like a case report::

    t = TrialBuilder()
    p = t.participant(1).hipec().baseline_ct(targets={"T1": 50}).ct(42, T1=30)
    trial = t.build()
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from hipectrial.analysis.facts import Facts, collect_facts
from hipectrial.analysis.populations import Populations, StudyGroup, study_groups
from hipectrial.data import (
    AdverseEvent,
    AeOutcome,
    AssessmentMethod,
    Attribution,
    CcScore,
    ClavienDindo,
    Complication,
    Cytology,
    DoseAdministration,
    FieldValue,
    FollowUp,
    FormRecord,
    LabResult,
    Lesion,
    LesionRole,
    LesionStatus,
    Participant,
    Pathology,
    ResidualTumour,
    Severity,
    Sex,
    Site,
    Surgery,
    TrialData,
    TumourAssessment,
    Visit,
    VitalStatus,
    validate,
)
from hipectrial.protocol import load_protocol
from hipectrial.protocol.endpoints import Population

REG = dt.date(2025, 1, 6)
SITE = "SH01"
GENERATED = dt.datetime(2026, 6, 30, tzinfo=dt.UTC)


# Unremarkable values in the seed protocol's lab units (10^9/L, g/L, U/L, umol/L, ratio).
NORMAL_LABS = {"WBC": "6.0", "NEUT": "3.5", "HGB": "130", "PLAT": "220", "LYM": "1.8", "ALT": "25",
               "AST": "24", "ALP": "80", "BILI": "10", "CREAT": "70", "K": "4.1", "SODIUM": "140",
               "ALB": "40", "INR": "1.0"}


def _lab_unit(code: str) -> str:
    for field in load_protocol().form("labs").fields:
        if field.cdisc == code and field.unit is not None:
            return field.unit
    raise KeyError(f"no labs field with CDISC code {code!r} and a unit in the seed protocol")


def day(n: int) -> dt.date:
    return REG + dt.timedelta(days=n)


def pci_scores(total: int) -> tuple[int, ...]:
    """13 region scores summing to ``total`` (3s first)."""
    scores = []
    for _ in range(13):
        take = min(3, total)
        scores.append(take)
        total -= take
    return tuple(scores)


class ParticipantBuilder:
    def __init__(self, trial: TrialBuilder, participant: Participant) -> None:
        self.t = trial
        self.p = participant
        self.id = participant.id
        self._targets: tuple[str, ...] = ("T1",)
        self._non_targets: tuple[str, ...] = ()

    # -- treatment -----------------------------------------------------------------------
    def hipec(self, at: int = 2, *, given: str = "200", prescribed: str = "200", pci: int = 10,
              cytology: Cytology | None = Cytology.CY0) -> ParticipantBuilder:
        """Day-0 laparoscopy + HIPEC: dose, operation, first-look assessment, visit."""
        self.t.doses.append(DoseAdministration(self.id, "hipec-paclitaxel", day(at), Decimal(prescribed),
                                               Decimal(given), "mg"))
        self.t.surgeries.append(Surgery(self.id, day(at), "diagnostic_laparoscopy_hipec"))
        self.t.assessments.append(TumourAssessment(self.id, day(at), AssessmentMethod.LAPAROSCOPY,
                                                   pci=pci_scores(pci), cytology=cytology))
        self.t.visits.append(Visit(self.id, "day0-laparoscopy-hipec", actual_date=day(at)))
        return self

    def dose(self, agent: str, at: int, *, phase: str = "induction", cycle: int = 1, given: str = "200",
             prescribed: str | None = "200", reason: str | None = None) -> ParticipantBuilder:
        self.t.doses.append(DoseAdministration(self.id, agent, day(at), Decimal(prescribed) if prescribed else None,
                                               Decimal(given), "mg", phase=phase, cycle=cycle, day=1,
                                               change_reason=reason))
        return self

    def cycle(self, at: int, n: int = 1, *, phase: str = "induction") -> ParticipantBuilder:
        """A full SOX + tislelizumab cycle on day ``at`` (HER2-negative agents)."""
        for agent, mg in (("oxaliplatin", "220"), ("s-1", "60"), ("tislelizumab", "200")):
            self.dose(agent, at, phase=phase, cycle=n, given=mg, prescribed=mg)
        return self

    # -- disease -------------------------------------------------------------------------
    def baseline_ct(self, at: int = -5, *, targets: dict[str, int] | None = None,
                    non_targets: tuple[str, ...] = ()) -> ParticipantBuilder:
        lesions = [Lesion(tid, "liver", LesionRole.TARGET, measurement_mm=Decimal(mm))
                   for tid, mm in (targets or {"T1": 50}).items()]
        lesions += [Lesion(nid, "peritoneum", LesionRole.NON_TARGET) for nid in non_targets]
        self.t.assessments.append(TumourAssessment(self.id, day(at), AssessmentMethod.CT, lesions=tuple(lesions)))
        self._targets = tuple((targets or {"T1": 50}).keys())
        self._non_targets = non_targets
        return self

    def ct(self, at: int, *, new: bool = False, nt: LesionStatus = LesionStatus.PRESENT,
           **mm: int | None) -> ParticipantBuilder:
        """A follow-up CT: each target's mm (``None``: not evaluated; 0: disappeared)."""
        lesions = []
        for tid in self._targets:
            value = mm.get(tid)
            if value is None:
                lesions.append(Lesion(tid, "liver", LesionRole.TARGET, status=LesionStatus.NOT_EVALUATED))
            elif value == 0:
                lesions.append(Lesion(tid, "liver", LesionRole.TARGET, status=LesionStatus.DISAPPEARED))
            else:
                lesions.append(Lesion(tid, "liver", LesionRole.TARGET, status=LesionStatus.MEASURED,
                                      measurement_mm=Decimal(value)))
        lesions += [Lesion(nid, "peritoneum", LesionRole.NON_TARGET, status=nt) for nid in self._non_targets]
        if new:
            lesions.append(Lesion("N1", "lung", LesionRole.NEW, status=LesionStatus.PRESENT))
        self.t.assessments.append(TumourAssessment(self.id, day(at), AssessmentMethod.CT, lesions=tuple(lesions)))
        return self

    def second_look(self, at: int, *, pci: int = 4, cytology: Cytology | None = Cytology.CY0) -> ParticipantBuilder:
        self.t.assessments.append(TumourAssessment(self.id, day(at), AssessmentMethod.LAPAROSCOPY,
                                                   pci=pci_scores(pci), cytology=cytology))
        self.t.visits.append(Visit(self.id, "reevaluation", actual_date=day(at)))
        return self

    def surgery(self, at: int, *, r: ResidualTumour | None = ResidualTumour.R0, cc: CcScore | None = CcScore.CC0,
                cytology: Cytology | None = Cytology.CY0, pcr: bool | None = False, trg: str | None = "2",
                complications: tuple[tuple[ClavienDindo, int], ...] = ()) -> ParticipantBuilder:
        """Conversion surgery on day ``at``; complications as (grade, days after surgery)."""
        comps = tuple(Complication(f"complication {g.value}", g, day(at + after)) for g, after in complications)
        self.t.surgeries.append(Surgery(self.id, day(at), "conversion_surgery_hipec", r_status=r, cc_score=cc,
                                        complications=comps, pathology=Pathology(pcr=pcr, regression_grade=trg)))
        if cytology is not None:
            self.t.assessments.append(TumourAssessment(self.id, day(at), AssessmentMethod.LAPAROTOMY,
                                                       cytology=cytology))
        return self

    def day0_complication(self, grade: ClavienDindo, after: int) -> ParticipantBuilder:
        for i, s in enumerate(self.t.surgeries):
            if s.participant_id == self.id and s.procedure == "diagnostic_laparoscopy_hipec":
                self.t.surgeries[i] = Surgery(s.participant_id, s.date, s.procedure, complications=(
                    *s.complications, Complication("day-0 complication", grade, s.date + dt.timedelta(days=after))))
        return self

    # -- follow-up -----------------------------------------------------------------------
    def alive(self, at: int, *, progression: int | None = None, method: str = "recist") -> ParticipantBuilder:
        self.t.follow_ups.append(FollowUp(self.id, day(at), VitalStatus.ALIVE,
                                          progression_date=day(progression) if progression is not None else None))
        values: dict[str, FieldValue] = {"fu_date": day(at), "vital_status": "alive", "subsequent_therapy": False,
                                     "progressed": progression is not None}
        if progression is not None:
            values |= {"progression_date": day(progression), "progression_method": method}
        self._form("follow_up", "follow-up-3-monthly", values)
        return self

    def died(self, at: int, *, progression: int | None = None, cause: str | None = "disease_progression",
             contact: int | None = None) -> ParticipantBuilder:
        """Death on day ``at``, learnt at a contact on day ``contact`` (default the same day)."""
        self.t.follow_ups.append(FollowUp(self.id, day(at if contact is None else contact), VitalStatus.DEAD,
                                          death_date=day(at),
                                          progression_date=day(progression) if progression is not None else None,
                                          cause_of_death=cause))
        return self

    def new_therapy(self, at: int, *, contact: int | None = None) -> ParticipantBuilder:
        self._form("follow_up", "follow-up-3-monthly", {
            "fu_date": day(contact or at), "vital_status": "alive", "subsequent_therapy": True,
            "subsequent_therapy_date": day(at), "progressed": False})
        return self

    def ae(self, term: str, grade: int, at: int, *, related: bool = True, serious: bool = False,
           dlt: bool = False, immune: bool = False, stop: bool = False,
           attribution: dict[str, Attribution] | None = None, outcome: AeOutcome | None = None) -> ParticipantBuilder:
        """An AE with onset on day ``at``; attributed to oxaliplatin (probable, or unrelated when
        not ``related``) unless ``attribution`` is given."""
        if attribution is None:
            attribution = {"oxaliplatin": Attribution.PROBABLE if related else Attribution.UNRELATED}
        self.t.aes.append(AdverseEvent(self.id, term, grade, day(at), serious=serious, attribution=attribution,
                                       dlt=dlt, immune_related=immune, led_to_discontinuation=stop,
                                       outcome=outcome))
        return self

    def lab(self, code: str, at: int, value: str | None = None) -> ParticipantBuilder:
        """A lab result in the unit the seed protocol's labs field with this CDISC code declares;
        by default a normal value (``NORMAL_LABS``)."""
        amount = Decimal(value if value is not None else NORMAL_LABS[code])
        self.t.labs.append(LabResult(self.id, code, amount, _lab_unit(code), day(at)))
        return self

    def visit(self, visit_id: str, at: int, repeat: int = 1) -> ParticipantBuilder:
        self.t.visits.append(Visit(self.id, visit_id, repeat, actual_date=day(at)))
        return self

    def reevaluation(self, at: int, *, decision: str = "continue_systemic",
                     mdt: int | None = None) -> ParticipantBuilder:
        """The re-evaluation visit and form on day ``at``; the MDT's ``decision`` on day ``mdt``
        (``mdt_date`` not recorded when ``None``)."""
        self.t.visits.append(Visit(self.id, "reevaluation", actual_date=day(at)))
        values: dict[str, FieldValue] = {"reeval_date": day(at), "reeval_new_lesion": False,
                                         "reeval_distant_metastasis": False, "reeval_cc0_achievable": True,
                                         "mdt_decision": decision}
        if mdt is not None:
            values["mdt_date"] = day(mdt)
        self._form("reevaluation", "reevaluation", values)
        return self

    def off_treatment(self, last_dose: int, *, eot: int | None, reason: str = "toxicity") -> ParticipantBuilder:
        """Off treatment: ``off_treatment_date`` is the last dose day (conventions); the
        end-of-treatment visit and form on day ``eot`` (neither when ``None``)."""
        self._replace(off_treatment_date=day(last_dose), off_treatment_reason=reason)
        if eot is not None:
            self.t.visits.append(Visit(self.id, "end-of-treatment", actual_date=day(eot)))
            self._form("end_of_treatment", "end-of-treatment", {
                "eot_date": day(eot), "last_dose_date": day(last_dose), "eot_reason": reason})
        return self

    def off_study(self, at: int, *, reason: str = "consent_withdrawn") -> ParticipantBuilder:
        self._replace(off_study_date=day(at), off_study_reason=reason)
        return self

    def _replace(self, **changes: object) -> None:
        i = self.t.participants.index(self.p)
        self.p = dataclasses.replace(self.p, **changes)  # type: ignore[arg-type]
        self.t.participants[i] = self.p

    def _form(self, form_id: str, visit_id: str, values: dict[str, FieldValue]) -> None:
        repeat = 1 + sum(1 for r in self.t.forms if r.participant_id == self.id and r.visit_id == visit_id)
        self.t.forms.append(FormRecord(self.id, form_id, visit_id, repeat, values=values))


class TrialBuilder:
    def __init__(self, generated_at: dt.datetime = GENERATED) -> None:
        self.generated_at = generated_at
        self.participants: list[Participant] = []
        self.visits: list[Visit] = []
        self.forms: list[FormRecord] = []
        self.doses: list[DoseAdministration] = []
        self.aes: list[AdverseEvent] = []
        self.labs: list[LabResult] = []
        self.assessments: list[TumourAssessment] = []
        self.surgeries: list[Surgery] = []
        self.follow_ups: list[FollowUp] = []

    def participant(self, n: int, *, registered: int | None = 0, part: str = "part_b",
                    cohort: str = "HER2-negative", dose_level: str = "2",
                    off_study_reason: str | None = None, consent: int = -20) -> ParticipantBuilder:
        pid = f"{SITE}-{n:03d}"
        reg = day(registered) if registered is not None else None
        p = Participant(id=pid, site_id=SITE, sex=Sex.FEMALE if n % 2 else Sex.MALE,
                        birth_date=dt.date(1960, 5, 4), consent_date=day(consent), registration_date=reg,
                        cohort=cohort if reg else None, dose_level=dose_level if reg else None,
                        off_study_date=(day((registered if registered is not None else consent) + 10)
                                        if off_study_reason else None),
                        off_study_reason=off_study_reason)
        self.participants.append(p)
        builder = ParticipantBuilder(self, p)
        if reg is not None:
            self.visits.append(Visit(pid, "registration", actual_date=reg))
            builder._form("registration", "registration", {
                "registration_date": reg, "eligibility_confirmed": True, "study_part": part,
                "dose_level": dose_level})
        return builder

    def build(self) -> TrialData:
        return TrialData(protocol_id="HIPEC-PD1-SOX", protocol_version="1.0", generated_at=self.generated_at,
                         sites=(Site(id=SITE, name="Shanghai General Hospital", country="CN"),),
                         participants=tuple(self.participants), visits=tuple(self.visits),
                         form_records=tuple(self.forms), doses=tuple(self.doses),
                         adverse_events=tuple(self.aes), lab_results=tuple(self.labs),
                         tumour_assessments=tuple(self.assessments), surgeries=tuple(self.surgeries),
                         follow_ups=tuple(self.follow_ups))


def refused_facts(trial: TrialData) -> tuple[dict[str, Facts], tuple[StudyGroup, ...]]:
    """Facts and study groups of records that validate() refuses (so analyze_trial would not
    analyse them), for testing that a derivation still says what is odd on unvalidated data."""
    protocol = load_protocol()
    assert any(f.severity is Severity.ERROR for f in validate(trial, protocol)), "the data validate"
    facts = collect_facts(trial=trial, protocol=protocol)
    registered = tuple(pid for pid, f in facts.items() if f.registration_date is not None)
    populations = Populations(
        sets=dict.fromkeys(Population, ()), rules={}, registered=registered,
        part_a=tuple(pid for pid in registered if facts[pid].study_part == "part_a"),
        part_b=tuple(pid for pid in registered if facts[pid].study_part == "part_b"), notes=())
    return facts, study_groups(protocol, populations, facts)
