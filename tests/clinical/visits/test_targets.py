"""Target dates of a visit counted from its anchor's date (``visit_targets``): the one rule
the visit schedule and the simulator share. Expected dates worked by hand from the seed
protocol's visit table (PD §Treatment flow 7: CT every 6 weeks from cycle 1 day 1 until
surgery, first at cycle 1 day 43; after surgery every 12 weeks, ±14 days, to 5 years)."""

from __future__ import annotations

import datetime as dt

import pytest

from hipectrial.clinical.visits.targets import occurrence_days, visit_targets
from hipectrial.errors import InputError
from hipectrial.protocol import load_protocol

PROTOCOL = load_protocol()
C1D1 = dt.date(2026, 3, 2)


def visit(visit_id: str):
    return next(v for v in PROTOCOL.visits if v.id == visit_id)


def test_preoperative_ct_counts_cycle_days_from_day_1():
    # Cycle 1 day 43 is 42 days after day 1: 2 March + 42 = 13 April; then every 42 days.
    found = visit_targets(visit=visit("tumour-assessment-preop"), anchor=C1D1, until=dt.date(2026, 7, 6))
    assert found == [(1, dt.date(2026, 4, 13)), (2, dt.date(2026, 5, 25)), (3, dt.date(2026, 7, 6))]


def test_until_is_inclusive_and_a_day_earlier_drops_the_occurrence():
    ct = visit("tumour-assessment-preop")
    assert visit_targets(visit=ct, anchor=C1D1, until=dt.date(2026, 4, 13)) == [(1, dt.date(2026, 4, 13))]
    assert visit_targets(visit=ct, anchor=C1D1, until=dt.date(2026, 4, 12)) == []


def test_postoperative_ct_stops_at_its_last_day():
    # Surgery-anchored (day d = d days after surgery): day 84, 168, ... to day 1826 (5 years):
    # 1826 // 84 = 21 occurrences, the last on day 1764.
    days = list(occurrence_days(visit("tumour-assessment-postop")))
    assert days[0] == (1, 84)
    assert days[-1] == (21, 1764)
    assert len(days) == 21
    surgery = dt.date(2027, 1, 1)
    found = visit_targets(visit=visit("tumour-assessment-postop"), anchor=surgery, until=dt.date(2040, 1, 1))
    assert found[0] == (1, surgery + dt.timedelta(days=84))
    assert found[-1] == (21, surgery + dt.timedelta(days=1764))


def test_a_per_cycle_visit_is_refused_with_the_function_that_lists_it():
    per_cycle = next(v for v in PROTOCOL.visits if v.repeat is not None and v.repeat.per_cycle)
    with pytest.raises(InputError) as caught:
        visit_targets(visit=per_cycle, anchor=C1D1, until=dt.date(2027, 1, 1))
    assert caught.value.field == "visit"
    assert "visit_schedule" in str(caught.value)
