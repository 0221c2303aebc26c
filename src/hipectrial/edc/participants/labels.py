"""Protocol labels in the page's language, and the address of a CRF page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy

from hipectrial.protocol import Protocol
from hipectrial.protocol.common import Label

# The participant record's fields (participants.convert.FIELDS) as a page names them.
PARTICIPANT_FIELDS: Mapping[str, Promise] = {
    "sex": gettext_lazy("Sex"),
    "birth_date": gettext_lazy("Date of birth"),
    "consent_date": gettext_lazy("Date of informed consent"),
    "registration_date": gettext_lazy("Registration date"),
    "cohort": gettext_lazy("Cohort"),
    "dose_level": gettext_lazy("Dose level"),
    "off_treatment_date": gettext_lazy("Off-treatment date"),
    "off_treatment_reason": gettext_lazy("Off-treatment reason"),
    "off_study_date": gettext_lazy("Off-study date"),
    "off_study_reason": gettext_lazy("Off-study reason"),
}

# The fields of the trial's other records (hipectrial.data's visits, CRF records, doses,
# adverse events, lab results, tumour assessments, surgeries, follow-ups: what their audit
# entries name) and the fields a refusal may name, as a page names them.
RECORD_FIELDS: Mapping[str, Promise] = {
    "id": gettext_lazy("Participant number"),
    "participant_id": gettext_lazy("Participant"),
    "site_id": gettext_lazy("Site"),
    "visit_id": gettext_lazy("Visit"),
    "repeat": gettext_lazy("Occurrence"),
    "visit_repeat": gettext_lazy("Visit occurrence"),
    "form_id": gettext_lazy("Form"),
    "planned_date": gettext_lazy("Planned date"),
    "actual_date": gettext_lazy("Visit date"),
    "status": gettext_lazy("Status"),
    "values": gettext_lazy("Values"),
    "agent": gettext_lazy("Agent"),
    "date": gettext_lazy("Date"),
    "prescribed": gettext_lazy("Prescribed dose"),
    "given": gettext_lazy("Dose given"),
    "unit": gettext_lazy("Unit"),
    "phase": gettext_lazy("Phase"),
    "cycle": pgettext_lazy("treatment", "Cycle"),
    "day": gettext_lazy("Day"),
    "change_reason": gettext_lazy("Reason for the dose change"),
    "term": gettext_lazy("Adverse event term"),
    "grade": gettext_lazy("Grade"),
    "onset_date": gettext_lazy("Onset date"),
    "resolution_date": gettext_lazy("Resolution date"),
    "serious": gettext_lazy("Serious"),
    "attribution": gettext_lazy("Attribution"),
    "dlt": gettext_lazy("Dose-limiting toxicity (DLT)"),
    "immune_related": gettext_lazy("Immune-related"),
    "led_to_discontinuation": gettext_lazy("Led to discontinuation"),
    "outcome": gettext_lazy("Outcome"),
    "test_code": gettext_lazy("Lab test"),
    "value": gettext_lazy("Value"),
    "reference_lower": gettext_lazy("Reference range, lower limit"),
    "reference_upper": gettext_lazy("Reference range, upper limit"),
    "method": gettext_lazy("Assessment method"),
    "lesions": gettext_lazy("Lesions"),
    "pci": gettext_lazy("Peritoneal cancer index (PCI)"),
    "cytology": gettext_lazy("Peritoneal lavage cytology"),
    "procedure": gettext_lazy("Procedure"),
    "r_status": gettext_lazy("Residual tumour (R)"),
    "cc_score": gettext_lazy("Completeness of cytoreduction (CC)"),
    "complications": gettext_lazy("Complications"),
    "pathology": gettext_lazy("Pathology"),
    "vital_status": gettext_lazy("Vital status"),
    "progression_date": gettext_lazy("Progression date"),
    "death_date": gettext_lazy("Date of death"),
    "cause_of_death": gettext_lazy("Cause of death"),
    # named by refusals only
    "key": gettext_lazy("Record"),
    "version": gettext_lazy("Version"),
    "reason": gettext_lazy("Reason"),
    "visit_date": gettext_lazy("Visit date"),
    "eligibility_confirmed": gettext_lazy("Eligibility confirmed"),
    "language": gettext_lazy("Language"),
    "stage": gettext_lazy("End of participation"),
    "changes": gettext_lazy("Changes"),
    "as_of": gettext_lazy("Evaluation date"),
    "lln": gettext_lazy("Lower limit of normal (LLN)"),
    "uln": gettext_lazy("Upper limit of normal (ULN)"),
    "baseline": gettext_lazy("Baseline value"),
    "test": gettext_lazy("Lab test"),
}

# The participant record's coded fields and the protocol code list of their codes (the
# cohort's codes are the protocol's cohorts).
PARTICIPANT_CODELISTS = {
    "sex": "sex",
    "dose_level": "dose-level",
    "off_treatment_reason": "eot-reason",
    "off_study_reason": "eos-reason",
}


def language_of(code: str | None = None) -> str:
    """``zh`` for Simplified Chinese (``zh-hans``), else ``en``: the protocol's two languages."""
    code = code or get_language() or "en"
    return "zh" if code.lower().startswith("zh") else "en"


def list_separator(language: str) -> str:
    """Between the items of a list in a sentence: a comma in English, the enumeration comma
    (、) in Chinese."""
    return "、" if language == "zh" else ", "


def pick(label: Label | Sequence[str], language: str) -> str:
    """The text of ``label`` (a protocol ``Label`` or an (en, zh) pair) in ``language``."""
    en, zh = (label.en, label.zh) if isinstance(label, Label) else (label[0], label[1])
    return str(zh if language == "zh" else en)


def crf_url(participant_id: str, visit_id: str, repeat: int, form_id: str) -> str:
    """The CRF page of one form at one visit occurrence (the crfs app serves it)."""
    return reverse("crfs:form", args=[participant_id, visit_id, repeat, form_id])


def visit_url(participant_id: str, visit_id: str, repeat: int) -> str:
    """The page of one visit occurrence (its forms; the crfs app serves it)."""
    return reverse("crfs:visit", args=[participant_id, visit_id, repeat])


def participant_codes(protocol: Protocol, name: str) -> dict[str, Label] | None:
    """The codes of the participant record's field ``name`` with their protocol labels;
    ``None`` for a field that is not coded."""
    if name == "cohort":
        return {c.id: c.label for c in protocol.cohorts}
    codelist = PARTICIPANT_CODELISTS.get(name)
    if codelist is None:
        return None
    return {item.code: item.label for item in protocol.codelist(codelist).items}
