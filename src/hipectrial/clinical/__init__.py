"""Pure clinical calculators and rules, driven by the protocol.

Body and kidney (:mod:`.body`), prescription (:mod:`.dosing.prescribe`) and dose modification
(:mod:`.dosing.modify`), CTCAE v5.0 lab grading (:mod:`.labs.ctcae`, :mod:`.labs.units`), RECIST 1.1
(:mod:`.recist`), peritoneum and surgery (:mod:`.surgery.peritoneum`, :mod:`.surgery.rules`), eligibility
(:mod:`.eligibility`), visit windows and deviations (:mod:`.visits.schedule`, :mod:`.visits.deviations`),
and the rules of a participant's course (:mod:`.course`: the DLT window and DLT-evaluable, R0 as
counted, received HIPEC, the not-operated phases, the day-1 lab window).
Every function validates its input, returns a frozen result with the steps that produced
it, and never reads the clock or a database. Input record types with common names
(``Cytology``…) stay in their modules; import them from there.

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
    from hipectrial.clinical.course import (
        DltEvaluability,
        DltWindowDates,
        R0Count,
        day1_labs_in_time,
        dlt_evaluable,
        dlt_window,
        not_operated_phases,
        r0_as_counted,
        received_hipec,
    )
    from hipectrial.clinical.dosing.modify import decide_modifications
    from hipectrial.clinical.dosing.modify_result import ModificationDecision
    from hipectrial.clinical.dosing.prescribe import prescribe, prescribe_hipec
    from hipectrial.clinical.dosing.result import Prescription
    from hipectrial.clinical.eligibility import EligibilityResult, EligibilityStatus, evaluate_eligibility
    from hipectrial.clinical.labs.ctcae import LabGrade, ctcae_criteria, grade_lab
    from hipectrial.clinical.labs.units import LabTest, convert_lab_value, parse_lab_test
    from hipectrial.clinical.numbers import to_decimal
    from hipectrial.clinical.recist import Response, best_overall_response, check_baseline, evaluate_recist
    from hipectrial.clinical.surgery.peritoneum import (
        PciResult,
        completeness_of_cytoreduction,
        peritoneal_cancer_index,
        residual_tumour,
    )
    from hipectrial.clinical.surgery.rules import ClavienDindo, conversion_criteria
    from hipectrial.clinical.visits.deviations import DeviationReport, deviations
    from hipectrial.clinical.visits.schedule import VisitSchedule, visit_schedule
    from hipectrial.clinical.visits.targets import visit_targets

__all__ = [
    "BsaResult",
    "ClavienDindo",
    "CrclResult",
    "DeviationReport",
    "DltEvaluability",
    "DltWindowDates",
    "EligibilityResult",
    "EligibilityStatus",
    "LabGrade",
    "LabTest",
    "ModificationDecision",
    "PciResult",
    "Prescription",
    "R0Count",
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
    "day1_labs_in_time",
    "decide_modifications",
    "deviations",
    "dlt_evaluable",
    "dlt_window",
    "evaluate_eligibility",
    "evaluate_recist",
    "grade_lab",
    "not_operated_phases",
    "parse_lab_test",
    "peritoneal_cancer_index",
    "prescribe",
    "prescribe_hipec",
    "r0_as_counted",
    "received_hipec",
    "residual_tumour",
    "to_decimal",
    "visit_schedule",
    "visit_targets",
    "weight_change",
]

_EXPORTS = {
    "hipectrial.clinical.course": ("DltEvaluability", "DltWindowDates", "R0Count", "day1_labs_in_time",
                                   "dlt_evaluable", "dlt_window", "not_operated_phases", "r0_as_counted",
                                   "received_hipec"),
    "hipectrial.clinical.body": ("BsaResult", "CrclResult", "WeightChange", "body_surface_area",
                                 "creatinine_clearance", "weight_change"),
    "hipectrial.clinical.labs.ctcae": ("LabGrade", "ctcae_criteria", "grade_lab"),
    "hipectrial.clinical.visits.deviations": ("DeviationReport", "deviations"),
    "hipectrial.clinical.dosing.result": ("Prescription",),
    "hipectrial.clinical.eligibility": ("EligibilityResult", "EligibilityStatus", "evaluate_eligibility"),
    "hipectrial.clinical.labs.units": ("LabTest", "convert_lab_value", "parse_lab_test"),
    "hipectrial.clinical.dosing.modify": ("decide_modifications",),
    "hipectrial.clinical.dosing.modify_result": ("ModificationDecision",),
    "hipectrial.clinical.numbers": ("to_decimal",),
    "hipectrial.clinical.surgery.peritoneum": ("PciResult", "completeness_of_cytoreduction",
                                       "peritoneal_cancer_index", "residual_tumour"),
    "hipectrial.clinical.dosing.prescribe": ("prescribe", "prescribe_hipec"),
    "hipectrial.clinical.recist": ("Response", "best_overall_response", "check_baseline", "evaluate_recist"),
    "hipectrial.clinical.surgery.rules": ("ClavienDindo", "conversion_criteria"),
    "hipectrial.clinical.visits.schedule": ("VisitSchedule", "visit_schedule"),
    "hipectrial.clinical.visits.targets": ("visit_targets",),
}

if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
