"""Screening forms of an eligible HER2-negative man, as a coordinator enters them: each form
of the ``screening`` visit with all its required fields, and the staging laparoscopy at an
``unscheduled`` visit. The values are those of tests/clinical/test_eligibility.py's fully
eligible participant (every criterion met but I17, which applies to HER2-positive only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

CONSENT = dt.date(2026, 3, 2)
BIRTH = dt.date(1970, 5, 10)  # 55 completed years at consent
SCREENING_DAY = dt.date(2026, 3, 3)
# the staging laparoscopy, after consent (a visit before consent is an error of the data layer)
LAPAROSCOPY_DAY = dt.date(2026, 3, 2)

def screening_forms(consent: dt.date = CONSENT, birth: dt.date = BIRTH) -> dict[str, dict[str, object]]:
    """The screening forms' values, dated from ``consent`` (measurements on the consent day)."""
    return {
        "demographics": {"consent_obtained": True, "consent_date": consent, "consent_version": "1.0",
                         "birth_date": birth, "sex": "male"},
        "medical_history": {
            "prior_systemic_advanced": False, "prior_adjuvant_therapy": False,
            "prior_checkpoint_inhibitor": False, "autoimmune_systemic_2y": False, "steroids_gt10mg_14d": False,
            "ild_pneumonitis": False, "hbv_serology_positive": False, "hcv_active": False,
            "hiv_positive": False, "baseline_neuropathy_grade": 0, "gastric_outlet_obstruction": False,
            "oral_intake_possible": True, "major_surgery_28d": False, "other_malignancy_5y": False,
            "life_expectancy_3m": True},
        "diagnosis": {"diagnosis_date": consent - dt.timedelta(days=20), "primary_site": "stomach",
                      "histology_confirmed": True, "histology": "tubular", "distant_metastasis_other": False},
        # IHC 1+ is HER2-negative without ISH
        "biomarkers": {"her2_specimen": "biopsy", "her2_ihc": "ihc1plus", "mmr_status": "pmmr"},
        "vital_signs": {"vs_date": consent, "height_cm": Decimal("170.0"), "weight_kg": Decimal("70.0"),
                        "systolic_bp": 125, "diastolic_bp": 78, "heart_rate": 72},
        "ecog_assessment": {"ecog_date": consent, "ecog": "1"},
        "labs": {"lab_date": consent, "wbc": Decimal("6.0"), "anc": Decimal("3.5"), "haemoglobin": Decimal(120),
                 "platelets": Decimal(220), "alt": Decimal(25), "alt_uln": Decimal(40), "ast": Decimal(22),
                 "ast_uln": Decimal(40), "bilirubin": Decimal("12.0"), "bilirubin_uln": Decimal("21.0"),
                 "creatinine": Decimal(80), "inr": Decimal("1.00"), "inr_uln": Decimal("1.20")},
        # the baseline CT: peritoneal disease not measurable by RECIST 1.1 (registration
        # waits for every required screening form, not only those the criteria read)
        "tumour_assessment": {"ta_date": consent, "ta_method": "ct", "measurable_disease": False,
                              "new_lesion_present": False, "overall_response": "NE"},
    }


def laparoscopy(on: dt.date = LAPAROSCOPY_DAY) -> dict[str, object]:
    """A diagnostic laparoscopy: P1, CY1, PCI 5."""
    return {"lap_date": on, "lap_context": "diagnostic", "p_status": "P1", "cytology": "CY1",
            **{f"pci_r{i}": (1 if i < 5 else 0) for i in range(13)}}


def enter_screening(actor: Any, participant: Any, *, changes: dict[str, dict[str, object]] | None = None,
                    leave_out: tuple[str, ...] = (), drafts: tuple[str, ...] = (),
                    staging: bool = True, screening_day: dt.date = SCREENING_DAY,
                    consent: dt.date = CONSENT) -> None:
    """Store the screening visit, its forms (``changes`` per form id replace values; a field
    given as None is left blank; ``leave_out`` forms are not entered, ``drafts`` are saved as
    drafts) and the staging laparoscopy, through the crfs services."""
    from hipectrial.data import FormRecord, Visit
    from hipectrial.edc.crfs.models import Kind, Status
    from hipectrial.edc.crfs.services import record_create
    from hipectrial.edc.protocol_source import protocol_version

    pid = participant.participant_id
    version = protocol_version()
    record_create(actor=actor, participant=participant, kind=Kind.VISIT, protocol_version=version,
                  record=Visit(pid, "screening", 1, None, screening_day))
    for form_id, values in screening_forms(consent, participant.birth_date).items():
        if form_id in leave_out:
            continue
        merged = {**values, **(changes or {}).get(form_id, {})}
        kept = {k: v for k, v in merged.items() if v is not None}
        record_create(actor=actor, participant=participant, kind=Kind.FORM, protocol_version=version,
                      status=Status.DRAFT if form_id in drafts else Status.COMPLETE,
                      record=FormRecord(pid, form_id, "screening", values=kept))  # type: ignore[arg-type]
    if staging:
        lap_day = consent - (CONSENT - LAPAROSCOPY_DAY)
        record_create(actor=actor, participant=participant, kind=Kind.VISIT, protocol_version=version,
                      record=Visit(pid, "unscheduled", 1, None, lap_day))
        record_create(actor=actor, participant=participant, kind=Kind.FORM, protocol_version=version,
                      record=FormRecord(pid, "laparoscopy", "unscheduled", values=laparoscopy(lap_day)))  # type: ignore[arg-type]
