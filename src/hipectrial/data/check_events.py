"""Checks of doses, adverse events, tumour assessments, surgeries and follow-ups."""

from __future__ import annotations

from hipectrial.data.findings import Checker, Severity, listing
from hipectrial.data.records import Participant
from hipectrial.data.treatment import AdverseEvent, DoseAdministration
from hipectrial.data.vocab import AeOutcome, AssessmentMethod, LesionRole, RecordKind, VitalStatus
from hipectrial.protocol.regimen import Agent

_SURGICAL = (AssessmentMethod.LAPAROSCOPY, AssessmentMethod.LAPAROTOMY)


def dose_units(c: Checker, agent: Agent) -> set[str]:
    """Units a dose of ``agent`` may be recorded in: the unit of its dose rule (or of its
    dose levels, for an explored agent) and ``mg``, the unit amounts are dispensed in."""
    units = {agent.dose.unit, "mg"}
    if agent.id in c.protocol.dose_finding.explored_agents:
        units |= {level.unit for level in c.protocol.dose_finding.levels}
    return units


def _agent_for(c: Checker, kind: RecordKind, i: int, record: DoseAdministration | AdverseEvent,
               field: str, agent_id: str, participant: Participant | None) -> Agent | None:
    """The protocol's agent ``agent_id``; an error if unknown or not given to the cohort."""
    try:
        agent = c.protocol.agent(agent_id)
    except KeyError:
        c.error(kind, i, record, field, f"unknown agent {agent_id!r}; the protocol's agents: "
                f"{listing(a.id for a in c.protocol.agents)}")
        return None
    cohort = c.cohort_of(participant)
    if agent.cohorts is not None and cohort is not None and cohort not in agent.cohorts:
        c.error(kind, i, record, field, f"agent {agent_id!r} is given to cohorts "
                f"{listing(agent.cohorts)} only; the participant is in {cohort!r}")
    return agent


def check_doses(c: Checker) -> None:
    kind = RecordKind.DOSE
    for i, d in enumerate(c.trial.doses):
        participant = c.participant_of(kind, i, d, d.participant_id)
        agent = _agent_for(c, kind, i, d, "agent", d.agent, participant)
        if agent is not None:
            _dose_against_agent(c, i, d, agent)
        if d.prescribed is not None and d.given != d.prescribed and not d.change_reason:
            c.warning(kind, i, d, "change_reason", f"given {d.given} {d.unit} differs from prescribed "
                      f"{d.prescribed} {d.unit} and no reason is recorded")
        if participant is None:
            continue
        c.after_registration(kind, i, d, participant, "date", d.date)
        c.in_lifetime(kind, i, d, participant, "date", d.date, consent=None)
        off = participant.off_treatment_date
        if off is not None and d.date > off:
            c.warning(kind, i, d, "date", f"given on {d.date.isoformat()}, after the participant went "
                      f"off treatment ({off.isoformat()})")


def _dose_against_agent(c: Checker, i: int, d: DoseAdministration, agent: Agent) -> None:
    kind = RecordKind.DOSE
    units = dose_units(c, agent)
    if d.unit not in units:
        c.error(kind, i, d, "unit", f"dose of {agent.id!r} in {d.unit!r}; the protocol gives it in "
                f"{' or '.join(sorted(units))}")
    if d.phase is not None:
        try:
            phase = c.protocol.phase(d.phase)
        except KeyError:
            c.error(kind, i, d, "phase", f"unknown phase {d.phase!r}; the protocol's phases: "
                    f"{listing(p.id for p in c.protocol.phases)}")
            return
        if agent.id not in phase.agents:
            c.error(kind, i, d, "agent", f"agent {agent.id!r} is not given in phase {phase.id!r} "
                    f"({listing(phase.agents)})")
        if d.cycle is not None and phase.cycles is not None and d.cycle > phase.cycles:
            c.error(kind, i, d, "cycle", f"cycle {d.cycle} is beyond the {phase.cycles} cycles of "
                    f"phase {phase.id!r}")
    if d.day is not None and agent.schedule is not None and d.day not in agent.schedule.days:
        days = ", ".join(str(day) for day in agent.schedule.days)
        c.warning(kind, i, d, "day", f"day {d.day} is not a dosing day of {agent.id!r} (days {days})")


def check_adverse_events(c: Checker) -> None:
    kind = RecordKind.ADVERSE_EVENT
    for i, ae in enumerate(c.trial.adverse_events):
        participant = c.participant_of(kind, i, ae, ae.participant_id)
        for agent_id in ae.attribution:
            _agent_for(c, kind, i, ae, f"attribution.{agent_id}", agent_id, participant)
        c.order(kind, i, ae, ("onset_date", ae.onset_date), ("resolution_date", ae.resolution_date))
        if ae.grade == 5 and ae.outcome not in (None, AeOutcome.FATAL):
            c.error(kind, i, ae, "outcome", f"a grade 5 event is fatal (CTCAE v5.0); outcome is "
                    f"{ae.outcome}")
        if ae.outcome is AeOutcome.FATAL and ae.grade != 5:
            c.error(kind, i, ae, "grade", f"a fatal event is grade 5 (CTCAE v5.0); got grade {ae.grade}")
        if ae.resolution_date is not None and ae.outcome in (AeOutcome.NOT_RECOVERED, AeOutcome.RECOVERING):
            c.warning(kind, i, ae, "resolution_date", f"resolved on {ae.resolution_date.isoformat()} "
                      f"but the outcome is {ae.outcome}")
        if ae.dlt and not ae.related_agents:
            c.warning(kind, i, ae, "dlt", "flagged as a DLT but not attributed (possible or higher) "
                      "to any study agent")
        if participant is not None:
            c.in_lifetime(kind, i, ae, participant, "onset_date", ae.onset_date, consent=Severity.WARNING)


def check_tumour_assessments(c: Checker) -> None:
    kind = RecordKind.TUMOUR_ASSESSMENT
    for i, ta in enumerate(c.trial.tumour_assessments):
        participant = c.participant_of(kind, i, ta, ta.participant_id)
        seen: set[str] = set()
        for j, lesion in enumerate(ta.lesions):
            if lesion.id in seen:
                c.error(kind, i, ta, f"lesions[{j}].id", f"lesion id {lesion.id!r} is given twice")
            seen.add(lesion.id)
            if lesion.role is LesionRole.TARGET and lesion.measurement_mm is None:
                c.error(kind, i, ta, f"lesions[{j}].measurement_mm",
                        f"target lesion {lesion.id!r} has no measurement")
        if ta.method not in _SURGICAL:
            if any(score is not None for score in ta.pci):
                c.warning(kind, i, ta, "pci", f"PCI scored at a {ta.method} assessment; the PCI is "
                          "scored at surgical exploration")
            if ta.cytology is not None:
                c.warning(kind, i, ta, "cytology", f"lavage cytology at a {ta.method} assessment")
        if participant is not None:
            c.in_lifetime(kind, i, ta, participant, "date", ta.date, consent=Severity.WARNING)


def check_surgeries(c: Checker) -> None:
    kind = RecordKind.SURGERY
    for i, s in enumerate(c.trial.surgeries):
        participant = c.participant_of(kind, i, s, s.participant_id)
        c.coded(kind, i, s, "procedure", s.procedure)
        for j, complication in enumerate(s.complications):
            c.order(kind, i, s, ("the surgery date", s.date),
                    (f"complications[{j}].onset_date", complication.onset_date))
        if participant is not None:
            c.after_registration(kind, i, s, participant, "date", s.date)
            c.in_lifetime(kind, i, s, participant, "date", s.date, consent=None)


def check_follow_ups(c: Checker) -> None:
    kind = RecordKind.FOLLOW_UP
    for i, f in enumerate(c.trial.follow_ups):
        participant = c.participant_of(kind, i, f, f.participant_id)
        dead = f.vital_status is VitalStatus.DEAD
        if dead and f.death_date is None:
            c.error(kind, i, f, "death_date", "vital status dead without a death date")
        if not dead and f.death_date is not None:
            c.error(kind, i, f, "death_date", f"a death date with vital status {f.vital_status}")
        if not dead and f.cause_of_death:
            c.error(kind, i, f, "cause_of_death", f"a cause of death with vital status {f.vital_status}")
        c.coded(kind, i, f, "cause_of_death", f.cause_of_death)
        c.order(kind, i, f, ("death_date", f.death_date), ("date", f.date))
        c.order(kind, i, f, ("progression_date", f.progression_date), ("date", f.date))
        if participant is None:
            continue
        death = c.death_dates.get(participant.id)
        if f.death_date is not None and death is not None and f.death_date != death:
            c.error(kind, i, f, "death_date", f"death date {f.death_date.isoformat()} differs from "
                    f"{death.isoformat()} in another follow-up")
        if f.vital_status is VitalStatus.ALIVE and death is not None and f.date > death:
            c.error(kind, i, f, "vital_status", f"alive on {f.date.isoformat()} but died on "
                    f"{death.isoformat()} (from another follow-up)")
        c.order(kind, i, f, ("consent_date", participant.consent_date), ("date", f.date))
        for name in ("death_date", "progression_date"):
            when = getattr(f, name)
            if not c.order(kind, i, f, ("registration_date", participant.registration_date), (name, when)):
                c.order(kind, i, f, ("consent_date", participant.consent_date), (name, when))
