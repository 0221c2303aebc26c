"""Protocol labels in the page's language, and the address of a CRF page."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import get_language

from hipectrial.protocol.common import Label


def language_of(code: str | None = None) -> str:
    """``zh`` for Simplified Chinese (``zh-hans``), else ``en``: the protocol's two languages."""
    code = code or get_language() or "en"
    return "zh" if code.lower().startswith("zh") else "en"


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
