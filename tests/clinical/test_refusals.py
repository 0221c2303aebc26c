"""A value the clinical functions refuse carries its refusal as a code and parameters beside
the English, which is the sentence it always was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hipectrial.clinical.labs.ctcae import grade_lab
from hipectrial.clinical.records.values import check_values
from hipectrial.clinical.refusals import ENGLISH, HINTS, ValueRefusal
from hipectrial.errors import InputError
from hipectrial.phrases import Phrase
from hipectrial.protocol import load_protocol

SEED = load_protocol()


def refused(call) -> InputError:
    with pytest.raises(InputError) as caught:
        call()
    return caught.value


@pytest.mark.parametrize(("values", "message", "code"), [
    # The seed protocol (protocols/hipec-pd1-sox.yaml): anc in 10^9/L within [0, 100]; ECOG
    # codes 0-4; ecog_date a date; age a derived variable from birth_date and consent_date.
    ({"anc": Decimal("162")}, "anc must be a number in [0, 100] 10^9/L; got 162 (check the unit)",
     ValueRefusal.RANGE),
    ({"ecog": "7"}, "ecog must be one of 0, 1, 2, 3, 4; got '7'", ValueRefusal.ONE_OF),
    ({"anc": "1.5"}, "anc must be a number in 10^9/L; got '1.5'", ValueRefusal.NUMBER),
    ({"ecog": 1}, "ecog must be a code written as text; got 1", ValueRefusal.CODE_AS_TEXT),
    ({"ecog_date": dt.date(2026, 3, 9)},
     "ecog_date must be a date on or before 2026-03-03 (as_of); got datetime.date(2026, 3, 9) (a record cannot "
     "hold a date after the day it is evaluated)", ValueRefusal.NOT_AFTER_AS_OF),
    ({"age": 61}, "age must be left out: it is derived, not entered; got 61 (give its inputs: "
     "birth_date, consent_date)", ValueRefusal.DERIVED_GIVEN),
    ({"ecgo": "1"}, "ecgo must be a variable the protocol declares; got '1' (did you mean 'ecog'?)",
     ValueRefusal.UNKNOWN_VARIABLE_LIKE),
])
def test_check_values_refusals_say_their_code_beside_the_same_english(values, message, code):
    error = refused(lambda: check_values(protocol=SEED, values=values, as_of=dt.date(2026, 3, 3)))
    assert str(error) == message
    assert error.phrase is not None
    assert error.phrase.code == code


def test_a_unit_is_a_nested_phrase_and_the_range_its_text():
    number = refused(lambda: check_values(protocol=SEED, values={"anc": "1.5"}))
    assert number.phrase == Phrase(ValueRefusal.NUMBER, (("unit", Phrase(ValueRefusal.IN_UNIT, (("unit", "10^9/L"),))),))
    out = refused(lambda: check_values(protocol=SEED, values={"anc": Decimal("162")}))
    assert out.phrase is not None
    assert out.phrase.param("range") == "[0, 100] 10^9/L"
    assert out.phrase.param("check") == Phrase(ValueRefusal.CHECK_UNIT)


def test_a_lab_grade_needing_a_missing_uln_says_which_limit_in_which_unit():
    # CTCAE v5.0, Investigations, Alanine aminotransferase increased: every grade is a multiple of the ULN.
    error = refused(lambda: grade_lab(test="ALT", value=165, unit="U/L"))
    assert error.field == "uln"
    assert error.expected == "the site's upper limit of normal (ULN) for ALT, in U/L"
    assert error.phrase is not None
    assert error.phrase.code == ValueRefusal.LAB_REFERENCE_MISSING
    assert error.phrase.param("reference") == Phrase(ValueRefusal.ULN)
    assert (error.phrase.param("test"), error.phrase.param("unit")) == ("ALT", "U/L")


def test_lln_above_uln_and_an_implausible_value_are_coded():
    # potassium is graded against both limits (CTCAE v5.0 hypo- and hyperkalaemia)
    above = refused(lambda: grade_lab(test="K", value="4.0", unit="mmol/L", lln="5.0", uln="3.5"))
    assert str(above) == "lln must be below the ULN (3.5 mmol/L); got '5.0'"
    assert above.phrase is not None
    assert above.phrase.code == ValueRefusal.LAB_LLN_NOT_BELOW_ULN
    implausible = refused(lambda: grade_lab(test="NEUT", value="500", unit="10^9/L"))
    assert implausible.expected == "a number in [0, 200] 10^9/L for NEUT"
    assert implausible.hint == "check the unit: a value outside this range is a unit or typing error"
    assert implausible.phrase == Phrase(ValueRefusal.LAB_IMPLAUSIBLE, (
        ("low", "0"), ("high", "200"), ("unit", "10^9/L"), ("test", "NEUT")))


def test_every_code_has_its_english_and_hints_name_codes():
    assert set(ENGLISH) == set(ValueRefusal)
    assert set(HINTS) <= set(ValueRefusal)
