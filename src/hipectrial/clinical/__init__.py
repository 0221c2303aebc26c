"""Pure clinical calculators and rules, driven by the protocol.

Body and kidney (:mod:`.body`), prescription (:mod:`.prescribe`) and dose modification
(:mod:`.modify`), CTCAE v5.0 lab grading (:mod:`.ctcae`, :mod:`.labunits`), RECIST 1.1
(:mod:`.recist`), peritoneum and surgery (:mod:`.peritoneum`, :mod:`.surgery`), eligibility
(:mod:`.eligibility`), visit windows and deviations (:mod:`.visits`, :mod:`.deviations`).
Every function validates its input, returns a frozen result with the steps that produced
it, and never reads the clock or a database. Input record types with common names
(``Participant``, ``Cytology``…) stay in their modules; import them from there.

The names below are imported on first use (PEP 562): a calculator that needs
:mod:`.body` does not import the RECIST, dosing and visit modules with it.
"""

from typing import TYPE_CHECKING

from hipectrial._lazy import lazy_exports

if TYPE_CHECKING:
    from hipectrial.clinical.body import (
        BsaResult,
        CrclResult,
        WeightChange,
        body_surface_area,
        creatinine_clearance,
        weight_change,
    )
    from hipectrial.clinical.ctcae import LabGrade, ctcae_criteria, grade_lab
    from hipectrial.clinical.deviations import DeviationReport, deviations
    from hipectrial.clinical.dose_result import Prescription
    from hipectrial.clinical.eligibility import EligibilityResult, EligibilityStatus, evaluate_eligibility
    from hipectrial.clinical.labunits import LabTest, convert_lab_value, parse_lab_test
    from hipectrial.clinical.modify import decide_modifications
    from hipectrial.clinical.modify_result import ModificationDecision
    from hipectrial.clinical.numbers import to_decimal
    from hipectrial.clinical.peritoneum import (
        PciResult,
        completeness_of_cytoreduction,
        peritoneal_cancer_index,
        residual_tumour,
    )
    from hipectrial.clinical.prescribe import prescribe, prescribe_hipec
    from hipectrial.clinical.recist import Response, best_overall_response, check_baseline, evaluate_recist
    from hipectrial.clinical.surgery import ClavienDindo, conversion_criteria
    from hipectrial.clinical.visits import VisitSchedule, visit_schedule

__all__ = [
    "BsaResult",
    "ClavienDindo",
    "CrclResult",
    "DeviationReport",
    "EligibilityResult",
    "EligibilityStatus",
    "LabGrade",
    "LabTest",
    "ModificationDecision",
    "PciResult",
    "Prescription",
    "Response",
    "VisitSchedule",
    "WeightChange",
    "best_overall_response",
    "body_surface_area",
    "check_baseline",
    "completeness_of_cytoreduction",
    "conversion_criteria",
    "convert_lab_value",
    "creatinine_clearance",
    "ctcae_criteria",
    "decide_modifications",
    "deviations",
    "evaluate_eligibility",
    "evaluate_recist",
    "grade_lab",
    "parse_lab_test",
    "peritoneal_cancer_index",
    "prescribe",
    "prescribe_hipec",
    "residual_tumour",
    "to_decimal",
    "visit_schedule",
    "weight_change",
]

_EXPORTS = {
    "hipectrial.clinical.body": ("BsaResult", "CrclResult", "WeightChange", "body_surface_area",
                                 "creatinine_clearance", "weight_change"),
    "hipectrial.clinical.ctcae": ("LabGrade", "ctcae_criteria", "grade_lab"),
    "hipectrial.clinical.deviations": ("DeviationReport", "deviations"),
    "hipectrial.clinical.dose_result": ("Prescription",),
    "hipectrial.clinical.eligibility": ("EligibilityResult", "EligibilityStatus", "evaluate_eligibility"),
    "hipectrial.clinical.labunits": ("LabTest", "convert_lab_value", "parse_lab_test"),
    "hipectrial.clinical.modify": ("decide_modifications",),
    "hipectrial.clinical.modify_result": ("ModificationDecision",),
    "hipectrial.clinical.numbers": ("to_decimal",),
    "hipectrial.clinical.peritoneum": ("PciResult", "completeness_of_cytoreduction",
                                       "peritoneal_cancer_index", "residual_tumour"),
    "hipectrial.clinical.prescribe": ("prescribe", "prescribe_hipec"),
    "hipectrial.clinical.recist": ("Response", "best_overall_response", "check_baseline", "evaluate_recist"),
    "hipectrial.clinical.surgery": ("ClavienDindo", "conversion_criteria"),
    "hipectrial.clinical.visits": ("VisitSchedule", "visit_schedule"),
}

if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
