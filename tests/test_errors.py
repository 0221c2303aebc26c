"""The error tree's phrase: what an error says as a code and parameters, its English unchanged."""

from __future__ import annotations

import pickle
from decimal import Decimal

from hipectrial.errors import ConflictError, InputError, refusal
from hipectrial.phrases import Phrase

TEMPLATES = {"not_after": "a date on or before {day}", "unit": " in {unit}", "number": "a number{unit}"}
HINTS = {"not_after": "the record is dated {day}", "number": "{unit}"}


def test_an_input_error_with_a_phrase_says_the_same_english_as_without():
    phrase = Phrase("not_after", (("day", "2026-03-02"),))
    with_phrase = InputError("consent_date", "2030-01-01", "a date on or before 2026-03-02", phrase=phrase)
    assert str(with_phrase) == "consent_date must be a date on or before 2026-03-02; got '2030-01-01'"
    assert str(with_phrase) == str(InputError("consent_date", "2030-01-01", "a date on or before 2026-03-02"))
    assert with_phrase.phrase == phrase


def test_an_error_without_a_phrase_has_none():
    assert InputError("x", 1, "2").phrase is None
    assert ConflictError("changed meanwhile").phrase is None


def test_refusal_composes_expected_and_hint_from_the_phrase():
    error = refusal("consent_date", "2030-01-01", Phrase("not_after", (("day", "2026-03-02"),)), TEMPLATES, HINTS)
    assert error.expected == "a date on or before 2026-03-02"
    assert error.hint == "the record is dated 2026-03-02"
    assert str(error) == ("consent_date must be a date on or before 2026-03-02; got '2030-01-01' "
                          "(the record is dated 2026-03-02)")


def test_refusal_says_a_nested_phrase_by_its_own_template_and_drops_an_empty_hint():
    with_unit = refusal("anc", "x", Phrase("number", (("unit", Phrase("unit", (("unit", "10^9/L"),))),)),
                        TEMPLATES, HINTS)
    assert (with_unit.expected, with_unit.hint) == ("a number in 10^9/L", " in 10^9/L")
    without = refusal("ecog", "x", Phrase("number", (("unit", ""),)), TEMPLATES, HINTS)
    assert (without.expected, without.hint) == ("a number", None)


def test_an_input_error_pickles_with_its_phrase():
    error = InputError("weight_kg", Decimal("-3.0"), "a number in [25, 250] kg", "check the unit",
                       phrase=Phrase("range", (("range", "[25, 250] kg"),)))
    again = pickle.loads(pickle.dumps(error))
    assert (again.field, again.value, again.expected, again.hint, again.phrase) == (
        "weight_kg", Decimal("-3.0"), "a number in [25, 250] kg", "check the unit", error.phrase)
    assert str(again) == "weight_kg must be a number in [25, 250] kg; got -3.0 (check the unit)"


def test_a_conflict_keeps_its_message_and_phrase():
    phrase = Phrase("record_changed", (("key", "SH01-001/screening#1/labs"),))
    error = ConflictError("SH01-001/screening#1/labs was changed meanwhile", phrase=phrase)
    assert (str(error), error.phrase) == ("SH01-001/screening#1/labs was changed meanwhile", phrase)
