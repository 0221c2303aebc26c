"""Protocol labels in the page's language, and the address of a CRF page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy

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
