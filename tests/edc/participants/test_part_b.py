"""Registration on a trial whose Part A is over: Part B at the recommended phase II dose.

A virtual trial (default scenario, seed 1) opened on 2024-06-01 and cut off on 2025-05-27 is
imported through the services; by then its Part A design has stopped and selected a dose
(``analysis.assignment``). A new eligible participant registered on the cut-off day goes to
Part B at the level the core gives on the simulator's own data.
"""

from __future__ import annotations

import datetime as dt

import pytest
from tests.edc.participants.conftest import screen
from tests.edc.participants.screening import enter_screening

pytestmark = pytest.mark.django_db
OPENED, CUTOFF = dt.date(2024, 6, 1), dt.date(2025, 5, 27)


def test_after_part_a_a_new_participant_registers_in_part_b_at_the_rp2d(cast):
    from hipectrial.analysis.assignment import next_assignment
    from hipectrial.edc.participants.registration import participant_register
    from hipectrial.edc.snapshot import import_trial
    from hipectrial.protocol import load_protocol
    from hipectrial.simulate.scenario.world import Cutoff, load_scenario
    from hipectrial.simulate.trial.run import simulate

    protocol = load_protocol()
    scenario = load_scenario("default").model_copy(update={"start_date": OPENED, "cutoff": Cutoff(date=CUTOFF)})
    trial = simulate(protocol, scenario, 1)
    expected = next_assignment(protocol=protocol, trial=trial, as_of=CUTOFF)
    assert (expected.open, expected.study_part) == (True, "part_b")  # the premise of this test
    import_trial(actor=cast.administrator, trial=trial)

    consent = CUTOFF - dt.timedelta(days=5)
    p = screen(cast.coordinator, cast.site_a, consent=consent)
    enter_screening(cast.coordinator, p, consent=consent, screening_day=consent + dt.timedelta(days=1))
    participant_register(actor=cast.coordinator, participant=p, as_of=CUTOFF, expected_version=p.version)
    p.refresh_from_db()
    assert (p.cohort, p.dose_level) == ("HER2-negative", expected.dose_level)
    from hipectrial.edc.participants.selectors import study_part_of

    assert study_part_of(p) == "part_b"
