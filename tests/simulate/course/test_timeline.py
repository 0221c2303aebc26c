"""The simulator's anchor dates are the participant's TreatmentDates (one definition of an
event's date): every anchor the protocol may use, and an error for one with no date."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from hipectrial.errors import InputError
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import Anchor, Timing
from hipectrial.simulate.course.common import Context
from hipectrial.simulate.course.timeline import anchor_date, target_date

from .helpers import REGISTRATION, default_params, enrolment

HIPEC = REGISTRATION + dt.timedelta(days=6)
C1, C2 = HIPEC + dt.timedelta(days=21), HIPEC + dt.timedelta(days=42)


def _ctx(protocol: Protocol) -> Context:
    ctx = Context(protocol=protocol, params=default_params(), enrolment=enrolment(),
                  rng=np.random.default_rng(1), horizon=REGISTRATION + dt.timedelta(days=1826))
    ctx.hipec = HIPEC
    ctx.cycle_starts = {"induction": [C1, C2]}
    return ctx


def test_event_anchors_are_the_participants_dates(protocol: Protocol) -> None:
    ctx = _ctx(protocol)
    assert anchor_date(ctx, Timing(anchor=Anchor.REGISTRATION, day=0)) == REGISTRATION
    assert anchor_date(ctx, Timing(anchor=Anchor.HIPEC, day=21)) == HIPEC
    assert target_date(ctx, Timing(anchor=Anchor.HIPEC, day=21)) == C1
    assert anchor_date(ctx, Timing(anchor=Anchor.SURGERY, day=35)) is None   # not operated
    # cycle 2 of induction; day 1 is the cycle start, day 36 is 35 days after it
    timing = Timing(anchor=Anchor.CYCLE_START, phase="induction", cycle=2, day=36)
    assert anchor_date(ctx, timing) == C2
    assert target_date(ctx, timing) == C2 + dt.timedelta(days=35)
    assert anchor_date(ctx, Timing(anchor=Anchor.CYCLE_START, phase="induction", cycle=3, day=1)) is None


def test_last_dose_is_an_anchor_once_treatment_has_stopped(protocol: Protocol) -> None:
    ctx = _ctx(protocol)
    ctx.last_dose = C2
    timing = Timing(anchor=Anchor.LAST_DOSE, day=30)
    assert anchor_date(ctx, timing) is None          # still on treatment: not the last dose yet
    ctx.off_treatment_reason = "toxicity"
    assert anchor_date(ctx, timing) == C2
    assert target_date(ctx, timing) == C2 + dt.timedelta(days=30)
    # the end of treatment is decided after the timeline: not known here
    assert anchor_date(ctx, Timing(anchor=Anchor.END_OF_TREATMENT, day=0)) is None


def test_an_anchor_without_one_date_is_an_error(protocol: Protocol) -> None:
    ctx = _ctx(protocol)
    with pytest.raises(InputError, match=r"timing\.anchor"):
        anchor_date(ctx, Timing(anchor=Anchor.EVENT, day=0))
    with pytest.raises(InputError, match="phase and cycle"):   # no silent 'cycle 1'
        anchor_date(ctx, Timing(anchor=Anchor.CYCLE_START, phase="induction", day=1))
