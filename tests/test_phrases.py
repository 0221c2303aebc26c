"""Phrases: a sentence the core composes, said by a code and named parameters, with its
English filled from one template per code."""

from __future__ import annotations

import pytest

from hipectrial.phrases import Phrase, english

TEMPLATES = {
    "wait": "Registration waits for {pending}.{windows}",
    "item": "{participant} (cohort {cohort})",
    "closes": " The last window closes on {date}.",
    "level": "at {level}",
}


def test_a_nested_phrase_a_list_and_an_absent_optional_part_are_said_in_english():
    items = tuple(Phrase("item", (("participant", pid), ("cohort", "1"))) for pid in ("SH01-001", "SH01-002"))
    closes = Phrase("closes", (("date", "2025-02-18"),))
    assert english(Phrase("wait", (("pending", items), ("windows", closes))), TEMPLATES) == (
        "Registration waits for SH01-001 (cohort 1), SH01-002 (cohort 1). The last window closes on 2025-02-18.")
    assert english(Phrase("wait", (("pending", items[:1]), ("windows", ""))), TEMPLATES) == (
        "Registration waits for SH01-001 (cohort 1).")


def test_render_says_a_parameter_by_its_name_and_leaves_the_others_as_they_are():
    def render(name: str, value: str) -> str:
        return f"dose level {value} (75 mg/m2)" if name == "level" else value

    assert english(Phrase("level", (("level", "1"),)), TEMPLATES, render) == "at dose level 1 (75 mg/m2)"
    assert english(Phrase("item", (("participant", "SH01-001"), ("cohort", "2"))), TEMPLATES, render) == (
        "SH01-001 (cohort 2)")


def test_a_code_without_a_template_or_a_parameter_missing_is_a_key_error():
    with pytest.raises(KeyError, match="nothing"):
        english(Phrase("nothing"), TEMPLATES)
    with pytest.raises(KeyError, match="date"):
        english(Phrase("closes"), TEMPLATES)


def test_param_gives_a_parameter_by_name():
    phrase = Phrase("closes", (("date", "2025-02-18"),))
    assert phrase.param("date") == "2025-02-18"
    with pytest.raises(KeyError):
        phrase.param("cohort")
