"""A small trial for the REDCap record tests: one participant whose records land in each kind
of REDCap place (a plain event, a repeating instrument of a repeating visit numbered by
visit occurrence, a repeating form's numbered instances, typed records at the participant
event, the trial and its site at the study event)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hipectrial.data import (
    DataSource,
    DoseAdministration,
    FormRecord,
    Participant,
    Sex,
    Site,
    SourceKind,
    TrialData,
    Visit,
)

P = "SH01-001"
UTC = dt.UTC


def small_trial() -> TrialData:
    return TrialData(
        protocol_id="HIPEC-PD1-SOX", protocol_version="1.0",
        generated_at=dt.datetime(2025, 6, 1, 12, 0, tzinfo=UTC),
        source=DataSource(kind=SourceKind.EDC, description="EDC snapshot"),
        sites=(Site(id="SH01", name="Shanghai, General Hospital", country="CN"),),
        participants=(Participant(id=P, site_id="SH01", sex=Sex.FEMALE, birth_date=dt.date(1962, 5, 4),
                                  consent_date=dt.date(2025, 2, 3), registration_date=dt.date(2025, 2, 20),
                                  cohort="HER2-negative", dose_level="1"),),
        visits=(
            Visit(participant_id=P, visit_id="screening", actual_date=dt.date(2025, 2, 10)),
            Visit(participant_id=P, visit_id="induction-cycle", repeat=2, actual_date=dt.date(2025, 4, 2)),
            Visit(participant_id=P, visit_id="adverse-event", actual_date=dt.date(2025, 4, 9)),
        ),
        form_records=(
            FormRecord(participant_id=P, form_id="demographics", visit_id="screening",
                       values={"consent_obtained": True, "sex": "female", "childbearing_potential": False}),
            FormRecord(participant_id=P, form_id="vital_signs", visit_id="induction-cycle", visit_repeat=2,
                       values={"vs_date": dt.date(2025, 4, 2), "weight_kg": Decimal("61.50")}),
            FormRecord(participant_id=P, form_id="dosing", visit_id="induction-cycle", visit_repeat=2, repeat=1,
                       values={"dose_agent": "oxaliplatin", "dose_given": Decimal("130")}),
            FormRecord(participant_id=P, form_id="dosing", visit_id="induction-cycle", visit_repeat=2, repeat=3,
                       values={"dose_agent": "s-1"}),
            FormRecord(participant_id=P, form_id="adverse_events", visit_id="adverse-event", repeat=1,
                       values={"ae_term": "Nausea", "ae_serious": True,
                               "ae_sae_criteria": ("death", "hospitalisation")}),
        ),
        doses=(DoseAdministration(participant_id=P, agent="oxaliplatin", date=dt.date(2025, 4, 2),
                                  prescribed=None, given=Decimal("130"), unit="mg", phase="induction", cycle=2,
                                  day=1),),
    )
