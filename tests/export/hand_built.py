"""A small trial written out by hand with every optional field of every record set, for the
seed protocol with the date-time field of ``protocols.add_start_time``.

Two participants at two sites; the records of the two are interleaved (B's before A's in
some collections), so the trial is not in canonical order. Values that a careless copy
would lose are here on purpose: Decimals with trailing zeros (``1.50``), date-times at
+08:00 and -05:00, a multi-choice value in an order other than the code list's, PCI regions
left unscored, a pathology recorded with no values, provenance with and without a change.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hipectrial.data import (
    AdverseEvent,
    AeOutcome,
    AssessmentMethod,
    Attribution,
    CcScore,
    ClavienDindo,
    Complication,
    Cytology,
    DataSource,
    DoseAdministration,
    FollowUp,
    FormRecord,
    LabResult,
    Lesion,
    LesionRole,
    LesionStatus,
    Participant,
    Pathology,
    Provenance,
    ResidualTumour,
    Sex,
    Site,
    SourceKind,
    Surgery,
    TrialData,
    TumourAssessment,
    Visit,
    VitalStatus,
)

BEIJING = dt.timezone(dt.timedelta(hours=8))
NEW_YORK = dt.timezone(dt.timedelta(hours=-5))
A, B = "SH01-001", "BJ02-001"

ENTERED = Provenance(entered_by="nurse.li", entered_at=dt.datetime(2025, 3, 2, 9, 30, tzinfo=BEIJING),
                     protocol_version="1.0")
CHANGED = Provenance(entered_by="crc.wang", entered_at=dt.datetime(2025, 3, 5, 14, 0, 5, tzinfo=BEIJING),
                     protocol_version="1.0", changed_by="dm.zhao",
                     changed_at=dt.datetime(2025, 4, 1, 8, 15, tzinfo=NEW_YORK))

SITES = (
    Site(id="SH01", name="Shanghai General Hospital", country="CN", city="Shanghai",
         principal_investigator="Dr Chen", activation_date=dt.date(2025, 1, 10), provenance=ENTERED),
    Site(id="BJ02", name="北京肿瘤医院", country="CN"),
)

PARTICIPANTS = (
    Participant(id=A, site_id="SH01", sex=Sex.FEMALE, birth_date=dt.date(1962, 5, 4),
                consent_date=dt.date(2025, 2, 3), registration_date=dt.date(2025, 2, 20),
                cohort="HER2-negative", dose_level="2", off_treatment_date=dt.date(2025, 9, 1),
                off_treatment_reason="toxicity", off_study_date=dt.date(2026, 1, 5),
                off_study_reason="death", provenance=CHANGED),
    Participant(id=B, site_id="BJ02", sex=Sex.MALE, birth_date=dt.date(1958, 11, 30),
                consent_date=dt.date(2025, 3, 1)),
)

VISITS = (
    Visit(participant_id=B, visit_id="screening", planned_date=None, actual_date=dt.date(2025, 3, 3)),
    Visit(participant_id=A, visit_id="screening", actual_date=dt.date(2025, 2, 10), provenance=ENTERED),
    Visit(participant_id=A, visit_id="induction-cycle", repeat=2, planned_date=dt.date(2025, 4, 1),
          actual_date=dt.date(2025, 4, 2), provenance=CHANGED),
    Visit(participant_id=A, visit_id="day0-laparoscopy-hipec", actual_date=dt.date(2025, 2, 25)),
)

FORM_RECORDS = (
    FormRecord(participant_id=A, form_id="labs", visit_id="screening",
               values={"lab_date": dt.date(2025, 2, 10), "anc": Decimal("1.50"), "wbc": Decimal("4.00"),
                       "on_anticoagulant": False}, provenance=CHANGED),
    FormRecord(participant_id=B, form_id="demographics", visit_id="screening",
               values={"consent_obtained": True, "ethnic_group": "汉族"}),
    FormRecord(participant_id=A, form_id="adverse_events", visit_id="adverse-event", repeat=2,
               values={"ae_term": "Diarrhea", "ae_serious": True,
                       "ae_sae_criteria": ("hospitalisation", "death")}),
    FormRecord(participant_id=A, form_id="hipec_procedure", visit_id="day0-laparoscopy-hipec",
               values={"hipec_date": dt.date(2025, 2, 25), "hipec_dose_mg": Decimal("212.50"),
                       "hipec_duration_min": 60,
                       "hipec_start_time": dt.datetime(2025, 2, 25, 10, 5, 30, tzinfo=BEIJING)}),
    FormRecord(participant_id=A, form_id="adverse_events", visit_id="adverse-event", repeat=1,
               values={"ae_term": "Nausea"}),
)

DOSES = (
    DoseAdministration(participant_id=A, agent="hipec-paclitaxel", date=dt.date(2025, 2, 25),
                       prescribed=Decimal("212.5"), given=Decimal("212.50"), unit="mg", provenance=ENTERED),
    DoseAdministration(participant_id=B, agent="oxaliplatin", date=dt.date(2025, 3, 20), prescribed=None,
                       given=Decimal("0"), unit="mg", phase="induction", cycle=1, day=1,
                       change_reason="withheld for grade 3 neutropenia"),
    DoseAdministration(participant_id=A, agent="s-1", date=dt.date(2025, 4, 2), prescribed=Decimal("60"),
                       given=Decimal("40"), unit="mg", phase="induction", cycle=2, day=1,
                       change_reason="reduced one level", provenance=CHANGED),
)

ADVERSE_EVENTS = (
    AdverseEvent(participant_id=A, term="Diarrhea", grade=3, onset_date=dt.date(2025, 4, 9),
                 resolution_date=dt.date(2025, 4, 20), serious=True,
                 attribution={"s-1": Attribution.PROBABLE, "oxaliplatin": Attribution.UNLIKELY},
                 dlt=True, immune_related=False, led_to_discontinuation=True,
                 outcome=AeOutcome.RECOVERED_WITH_SEQUELAE, provenance=CHANGED),
    AdverseEvent(participant_id=A, term="Nausea", grade=1, onset_date=dt.date(2025, 3, 1)),
)

LAB_RESULTS = (
    LabResult(participant_id=B, test_code="NEUT", value=Decimal("0.80"), unit="10^9/L",
              date=dt.date(2025, 3, 18), reference_lower=Decimal("2.0"), reference_upper=Decimal("7.50"),
              provenance=ENTERED),
    LabResult(participant_id=A, test_code="HGB", value=Decimal("-1E+1"), unit="g/L", date=dt.date(2025, 2, 10)),
)

_PCI = (2, None, 3, 0, 0, 1, None, 0, 0, 0, 0, 1, 2)

TUMOUR_ASSESSMENTS = (
    TumourAssessment(participant_id=A, date=dt.date(2025, 2, 8), method=AssessmentMethod.CT, lesions=(
        Lesion(id="T1", site="liver", role=LesionRole.TARGET, measurement_mm=Decimal("23.0")),
        Lesion(id="NT1", site="peritoneum", role=LesionRole.NON_TARGET),
    ), provenance=ENTERED),
    TumourAssessment(participant_id=A, date=dt.date(2025, 2, 25), method=AssessmentMethod.LAPAROSCOPY,
                     pci=_PCI, cytology=Cytology.CY1),
    TumourAssessment(participant_id=A, date=dt.date(2025, 5, 20), method=AssessmentMethod.CT, lesions=(
        Lesion(id="T1", site="liver", role=LesionRole.TARGET, measurement_mm=Decimal("12.40"),
               status=LesionStatus.MEASURED),
        Lesion(id="NT1", site="peritoneum", role=LesionRole.NON_TARGET, status=LesionStatus.PRESENT),
        Lesion(id="N1", site="lymph_node", role=LesionRole.NEW, nodal=True,
               status=LesionStatus.UNEQUIVOCAL_PROGRESSION),
    )),
)

SURGERIES = (
    Surgery(participant_id=A, date=dt.date(2025, 7, 1), procedure="conversion_surgery_hipec",
            r_status=ResidualTumour.R0, cc_score=CcScore.CC0, complications=(
                Complication(description="Anastomotic leak", grade=ClavienDindo.IIIB,
                             onset_date=dt.date(2025, 7, 6)),
                Complication(description="Wound infection", grade=ClavienDindo.I,
                             onset_date=dt.date(2025, 7, 4)),
            ), pathology=Pathology(ypt="ypT2", ypn="ypN0", regression_grade="1b", pcr=False),
            provenance=CHANGED),
    Surgery(participant_id=A, date=dt.date(2025, 2, 25), procedure="diagnostic_laparoscopy_hipec",
            pathology=Pathology()),
)

FOLLOW_UPS = (
    FollowUp(participant_id=A, date=dt.date(2025, 12, 1), vital_status=VitalStatus.ALIVE,
             progression_date=dt.date(2025, 11, 20)),
    FollowUp(participant_id=A, date=dt.date(2026, 1, 5), vital_status=VitalStatus.DEAD,
             death_date=dt.date(2026, 1, 2), cause_of_death="disease_progression", provenance=ENTERED),
)


def hand_built_trial() -> TrialData:
    """The trial above (not in canonical order: B's records come before some of A's)."""
    return TrialData(
        protocol_id="HIPEC-PD1-SOX", protocol_version="1.0",
        generated_at=dt.datetime(2026, 2, 1, 0, 0, tzinfo=BEIJING),
        sites=SITES, participants=PARTICIPANTS, visits=VISITS, form_records=FORM_RECORDS,
        doses=DOSES, adverse_events=ADVERSE_EVENTS, lab_results=LAB_RESULTS,
        tumour_assessments=TUMOUR_ASSESSMENTS, surgeries=SURGERIES, follow_ups=FOLLOW_UPS,
        source=DataSource(kind=SourceKind.EDC, description="EDC snapshot, test site"),
    )
