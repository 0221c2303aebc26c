"""The pure texts behind ``protocol show``: doses, timings, repetitions, who has a visit."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from hipectrial.cli.protocol_view import band_text, dose_text, protocol_view, reduction_text
from hipectrial.cli.schedule_view import repeat_text, timing_text, who_text
from hipectrial.cli.text import ANCHOR_TEXT
from hipectrial.errors import InputError
from hipectrial.protocol import load_protocol
from hipectrial.protocol.regimen import Anchor, BsaBand, DoseRule, Timing
from hipectrial.protocol.schedule import Visit


@pytest.fixture(scope="module")
def protocol():
    return load_protocol(Path(__file__).parent / "fixtures" / "sox-mini.yaml")


def rule(**fields):
    return DoseRule.model_validate(fields)


def test_fixed_per_bsa_and_per_weight_doses(protocol):
    assert dose_text(protocol, "x", rule(basis="fixed", amount=200, unit="mg")) == "200 mg"
    assert dose_text(protocol, "x", rule(basis="per_bsa", amount="130.0", unit="mg/m2")) == "130 mg/m2"
    assert dose_text(protocol, "x", rule(basis="per_weight", amount="7.5", unit="mg/kg")) == "7.5 mg/kg"


def test_loading_dose_without_reload_rule(protocol):
    dose = rule(basis="per_weight", amount=6, unit="mg/kg", loading={"amount": 8})
    assert dose_text(protocol, "x", dose) == "8 mg/kg loading then 6 mg/kg"


def test_loading_dose_with_reload_rule(protocol):
    dose = rule(basis="per_weight", amount=6, unit="mg/kg",
                loading={"amount": 8, "reload_if_late_days": 7})
    assert dose_text(protocol, "x", dose) == (
        "8 mg/kg loading then 6 mg/kg (reload 8 mg/kg if a dose is more than 7 d late)"
    )


def test_bsa_bands_lower_bound_inclusive():
    assert band_text(BsaBand(max_m2=Decimal("1.25"), amount=Decimal(40))) == "<1.25 m2 40 mg"
    assert band_text(BsaBand(min_m2=Decimal("1.25"), max_m2=Decimal("1.5"), amount=Decimal(50))) == (
        "1.25-<1.50 m2 50 mg"
    )
    assert band_text(BsaBand(min_m2=Decimal("1.5"), amount=Decimal(60))) == ">=1.50 m2 60 mg"


def test_dose_level_dose_lists_each_level(protocol):
    dose = protocol.agent("hipec-paclitaxel").dose
    assert dose_text(protocol, "hipec-paclitaxel", dose) == "per dose level: L1 75, L2 125, L3 175 mg/m2"
    assert dose_text(protocol, "other", dose) == "per dose level (no level gives a dose)"


def test_reduction_texts(protocol):
    assert reduction_text(protocol.agent("oxaliplatin")) == "130 → 100 → 85 mg/m2, at most 2 reductions"
    assert reduction_text(protocol.agent("trastuzumab")) == "no reduction: hold or discontinue only"
    assert reduction_text(protocol.agent("hipec-paclitaxel")) == "no reduction ladder"


@pytest.mark.parametrize(
    ("timing", "text"),
    [
        ({"anchor": "registration", "day": -7}, "registration - 7 d"),
        ({"anchor": "surgery", "day": 35}, "surgery + 35 d"),
        ({"anchor": "hipec", "day": 0}, "HIPEC (day 0)"),
        ({"anchor": "event", "day": 0}, "when it occurs"),
        ({"anchor": "cycle_start", "phase": "induction", "cycle": 1, "day": 1},
         "induction C1D1 = HIPEC + 21 d"),
        # Later cycles move with delays: no day from HIPEC is claimed.
        ({"anchor": "cycle_start", "phase": "induction", "cycle": 3, "day": 15}, "induction C3D15"),
    ],
)
def test_timing_texts(protocol, timing, text):
    assert timing_text(protocol, Timing.model_validate(timing)) == text


def _visit(**fields):
    base = {"id": "v", "name": {"en": "V", "zh": "V"}, "forms": ["labs"]}
    return Visit.model_validate({**base, **fields})


def test_repeat_until_a_day_or_an_event(protocol):
    visit = _visit(timing={"anchor": "registration", "day": 90},
                   repeat={"every_days": 90, "until_day": 730, "until": "last_dose"})
    assert repeat_text(protocol, visit) == "every 90 d until day 730 or last dose"


def test_visit_without_repeat_happens_once_or_as_needed(protocol):
    assert repeat_text(protocol, _visit(timing={"anchor": "surgery", "day": 30})) == "once"
    assert repeat_text(protocol, _visit(timing={"anchor": "event", "day": 0})) == "as needed"


def test_who_names_cohorts_and_branch():
    assert who_text(["HER2-positive"], "operated") == "HER2-positive; operated"


def test_unknown_cohort_is_an_input_error_naming_the_field(protocol):
    with pytest.raises(InputError, match="one of HER2-negative, HER2-positive") as caught:
        protocol_view(protocol, "HER3")
    assert caught.value.field == "cohort"


def test_anchor_texts_cover_every_anchor():
    assert set(ANCHOR_TEXT) == set(Anchor)
