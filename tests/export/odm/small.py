"""A small trial for the clinical-data and import tests: one participant with provenance,
two visits, a CRF, a repeating CRF with a multi-choice value, a dose, two sites."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hipectrial.data import (
    DataSource,
    DoseAdministration,
    FormRecord,
    Participant,
    Provenance,
    Sex,
    Site,
    SourceKind,
    TrialData,
    Visit,
)

BEIJING = dt.timezone(dt.timedelta(hours=8))
A = "SH01-001"
CHANGED = Provenance(entered_by="nurse.li", entered_at=dt.datetime(2025, 2, 3, 9, 30, tzinfo=BEIJING),
                     protocol_version="1.0", changed_by="dm.zhao",
                     changed_at=dt.datetime(2025, 2, 5, 10, 0, tzinfo=BEIJING))


def small_trial() -> TrialData:
    return TrialData(
        protocol_id="HIPEC-PD1-SOX", protocol_version="1.0",
        generated_at=dt.datetime(2025, 6, 1, 0, 0, tzinfo=BEIJING),
        sites=(Site(id="SH01", name="Shanghai General Hospital", country="CN",
                    activation_date=dt.date(2025, 1, 10)),
               Site(id="BJ02", name="北京肿瘤医院", country="CN")),
        participants=(Participant(id=A, site_id="SH01", sex=Sex.FEMALE, birth_date=dt.date(1962, 5, 4),
                                  consent_date=dt.date(2025, 2, 3), provenance=CHANGED),),
        visits=(Visit(participant_id=A, visit_id="screening", actual_date=dt.date(2025, 2, 10)),
                Visit(participant_id=A, visit_id="induction-cycle", repeat=2,
                      actual_date=dt.date(2025, 4, 2))),
        form_records=(
            FormRecord(participant_id=A, form_id="labs", visit_id="screening",
                       values={"anc": Decimal("1.50"), "on_anticoagulant": False}),
            FormRecord(participant_id=A, form_id="adverse_events", visit_id="adverse-event", repeat=1,
                       values={"ae_term": "Nausea", "ae_sae_criteria": ("death", "hospitalisation")}),
        ),
        doses=(DoseAdministration(participant_id=A, agent="s-1", date=dt.date(2025, 4, 2),
                                  prescribed=Decimal("60"), given=Decimal("40"), unit="mg",
                                  phase="induction", cycle=2, day=1),),
        source=DataSource(kind=SourceKind.EDC, description="EDC snapshot"),
    )
