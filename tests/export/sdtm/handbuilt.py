"""A two-participant trial written by hand; the SDTM tests write its datasets out by hand too.

SH01-001 (male, born 1960-05-04) consented on 2025-01-02, was registered on 2025-01-10 in the
HER2-negative cohort, Part A, dose level 1, had the day-0 HIPEC on 2025-01-13 (RFSTDTC),
induction cycle 1 on 2025-02-03 and cycle 2 on 2025-02-24, where oxaliplatin was withheld
(given 0) and S-1 reduced (60 -> 50 mg). Treatment ended for toxicity (last dose
2025-02-24, S-1 taken to day 14, 2025-03-09 = RFXENDTC); he died on 2025-06-01 (off study: death).

SH01-002 (female, born 1970-08-20) consented on 2025-02-01 and failed screening (off study
2025-02-10, never registered, never treated).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hipectrial.data import (
    DoseAdministration,
    FollowUp,
    FormRecord,
    Participant,
    Sex,
    Site,
    TrialData,
    Visit,
    VitalStatus,
)

D = dt.date
P1, P2 = "SH01-001", "SH01-002"


def _dose(agent: str, day: dt.date, prescribed: str | None, given: str, *, phase: str | None = None,
          cycle: int | None = None, reason: str | None = None) -> DoseAdministration:
    return DoseAdministration(
        participant_id=P1, agent=agent, date=day,
        prescribed=None if prescribed is None else Decimal(prescribed), given=Decimal(given),
        unit="mg", phase=phase, cycle=cycle, day=1 if cycle else None, change_reason=reason)


def hand_built_trial() -> TrialData:
    people = (
        Participant(id=P1, site_id="SH01", sex=Sex.MALE, birth_date=D(1960, 5, 4),
                    consent_date=D(2025, 1, 2), registration_date=D(2025, 1, 10),
                    cohort="HER2-negative", dose_level="1", off_treatment_date=D(2025, 2, 24),
                    off_treatment_reason="toxicity", off_study_date=D(2025, 6, 1),
                    off_study_reason="death"),
        Participant(id=P2, site_id="SH01", sex=Sex.FEMALE, birth_date=D(1970, 8, 20),
                    consent_date=D(2025, 2, 1), off_study_date=D(2025, 2, 10),
                    off_study_reason="screen_failure"),
    )
    visits = (
        Visit(participant_id=P1, visit_id="screening", actual_date=D(2025, 1, 5)),
        Visit(participant_id=P1, visit_id="registration", actual_date=D(2025, 1, 10)),
        Visit(participant_id=P1, visit_id="day0-laparoscopy-hipec", actual_date=D(2025, 1, 13)),
        Visit(participant_id=P1, visit_id="induction-cycle", repeat=1, actual_date=D(2025, 2, 3)),
        Visit(participant_id=P1, visit_id="induction-cycle", repeat=2, actual_date=D(2025, 2, 24)),
        Visit(participant_id=P1, visit_id="end-of-treatment", actual_date=D(2025, 3, 3)),
        Visit(participant_id=P1, visit_id="death", actual_date=D(2025, 6, 1)),
        Visit(participant_id=P2, visit_id="screening", actual_date=D(2025, 2, 3)),
    )
    doses = (
        _dose("hipec-paclitaxel", D(2025, 1, 13), "130", "130"),
        _dose("oxaliplatin", D(2025, 2, 3), "215", "215", phase="induction", cycle=1),
        _dose("s-1", D(2025, 2, 3), "60", "60", phase="induction", cycle=1),
        _dose("tislelizumab", D(2025, 2, 3), "200", "200", phase="induction", cycle=1),
        _dose("oxaliplatin", D(2025, 2, 24), "215", "0", phase="induction", cycle=2,
              reason="withheld: neutropenia grade 3"),
        _dose("s-1", D(2025, 2, 24), "60", "50", phase="induction", cycle=2,
              reason="dose reduced: neutropenia grade 3"),
        _dose("tislelizumab", D(2025, 2, 24), "200", "200", phase="induction", cycle=2),
    )
    forms = (
        FormRecord(participant_id=P1, form_id="registration", visit_id="registration",
                   values={"registration_date": D(2025, 1, 10), "eligibility_confirmed": True,
                           "study_part": "part_a", "dose_level": "1"}),
    )
    follow_ups = (
        FollowUp(participant_id=P1, date=D(2025, 4, 20), vital_status=VitalStatus.ALIVE),
        FollowUp(participant_id=P1, date=D(2025, 6, 1), vital_status=VitalStatus.DEAD,
                 death_date=D(2025, 6, 1), cause_of_death="disease_progression"),
    )
    return TrialData(
        protocol_id="HIPEC-PD1-SOX", protocol_version="1.0",
        generated_at=dt.datetime(2025, 7, 1, tzinfo=dt.UTC),
        sites=(Site(id="SH01", name="Shanghai", country="CN"),),
        participants=people, visits=visits, form_records=forms, doses=doses, follow_ups=follow_ups)
