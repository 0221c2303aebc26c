"""The rules of a participant's course, from the protocol's words.

protocol-decisions.md "Part A": DLT window from HIPEC (day 0) to the end of cycle 1
(the seed YAML: ``dose_finding.dlt.window.end`` = induction cycle 1 day 21); "DLT-evaluable:
received HIPEC and cycle 1 as planned, or had a DLT". Cycle days: day 1 is the cycle start
and day d is d - 1 days after it. "Endpoints": R0 = R0 with CC-0 and CY0 at surgery, CY1
at surgery counts as R1.
"""

from __future__ import annotations

import datetime as dt

import pytest

from hipectrial.clinical.course import (
    DltReason,
    R0Reason,
    day1_labs_in_time,
    dlt_evaluable,
    dlt_window,
    not_operated_phases,
    planned_agents,
    r0_as_counted,
)
from hipectrial.clinical.surgery.peritoneum import CcScore, Cytology, ResidualTumour
from hipectrial.clinical.visits.types import TreatmentDates
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol, load_protocol
from hipectrial.protocol.regimen import Anchor, Timing

SEED = load_protocol()
D = dt.date
HIPEC = D(2026, 3, 1)  # day 0
C1 = D(2026, 3, 22)  # induction cycle 1 day 1
C1D21 = D(2026, 4, 11)  # 20 days after C1 (day 1 is C1 itself)
DATES = TreatmentDates(hipec=HIPEC, cycle_starts={"induction": [C1]})
HER2_NEG_AGENTS = ("oxaliplatin", "s-1", "tislelizumab")


def _window_end(protocol: Protocol, **update: object) -> Protocol:
    dlt = protocol.dose_finding.dlt
    window = dlt.window.model_copy(update={"end": dlt.window.end.model_copy(update=update)})
    finding = protocol.dose_finding.model_copy(
        update={"dlt": dlt.model_copy(update={"window": window})})
    return protocol.model_copy(update={"dose_finding": finding})


# -- the cycle-day convention -------------------------------------------------------------

def test_cycle_day_1_is_the_cycle_start_and_day_21_is_20_days_later() -> None:
    timing = Timing(anchor="cycle_start", phase="induction", cycle=1, day=21)
    assert timing.offset_days(1) == 0
    assert timing.offset_days() == 20


def test_the_day_before_cycle_day_1_is_day_minus_1() -> None:
    timing = Timing(anchor="cycle_start", phase="induction", cycle=1, day=1)
    assert timing.offset_days(-1) == -1
    assert timing.offset_days(2) == 1


def test_cycle_day_0_does_not_exist() -> None:
    timing = Timing(anchor="cycle_start", phase="induction", cycle=1, day=1)
    with pytest.raises(InputError):
        timing.offset_days(0)


def test_other_anchors_count_the_event_as_day_0() -> None:
    assert Timing(anchor="hipec", day=21).offset_days() == 21
    assert Timing(anchor="hipec", day=21).offset_days(0) == 0
    assert Timing(anchor="registration", day=-14).offset_days() == -14


# -- the DLT window -----------------------------------------------------------------------

def test_seed_window_runs_from_hipec_to_induction_cycle_1_day_21() -> None:
    window = dlt_window(protocol=SEED, dates=DATES)
    assert (window.start, window.end) == (HIPEC, C1D21)
    assert window.end_day == "induction cycle 1 day 21"


def test_window_includes_both_ends_and_nothing_beyond() -> None:
    window = dlt_window(protocol=SEED, dates=DATES)
    assert window.contains(HIPEC)
    assert window.contains(C1D21)
    assert not window.contains(HIPEC - dt.timedelta(days=1))
    assert not window.contains(C1D21 + dt.timedelta(days=1))


def test_window_end_follows_a_delayed_cycle_1() -> None:
    late = TreatmentDates(hipec=HIPEC, cycle_starts={"induction": [D(2026, 3, 29)]})
    assert dlt_window(protocol=SEED, dates=late).end == D(2026, 4, 18)


def test_window_end_unknown_until_cycle_1_starts() -> None:
    window = dlt_window(protocol=SEED, dates=TreatmentDates(hipec=HIPEC))
    assert window.end is None
    assert window.contains(D(2027, 1, 1))  # open while it has not ended


def test_window_end_follows_the_protocol_day() -> None:
    protocol = _window_end(SEED, day=14)
    assert dlt_window(protocol=protocol, dates=DATES).end == D(2026, 4, 4)


def test_window_end_counted_from_hipec_when_the_protocol_says_so() -> None:
    protocol = _window_end(SEED, anchor=Anchor.HIPEC, phase=None, cycle=None, day=28)
    assert dlt_window(protocol=protocol, dates=DATES).end == D(2026, 3, 29)


def test_window_end_in_cycle_2_uses_cycle_2s_start() -> None:
    protocol = _window_end(SEED, cycle=2, day=1)
    two = TreatmentDates(hipec=HIPEC, cycle_starts={"induction": [C1, D(2026, 4, 14)]})
    assert dlt_window(protocol=protocol, dates=two).end == D(2026, 4, 14)
    assert dlt_window(protocol=protocol, dates=DATES).end is None


# -- DLT-evaluable --------------------------------------------------------------------------

def _judge(*, dates: TreatmentDates = DATES, given: tuple[str, ...] = HER2_NEG_AGENTS, dlt: bool = False,
           alive: dt.date | None = C1D21, as_of: dt.date | None = None,
           cohort: str = "HER2-negative", protocol: Protocol = SEED) -> DltReason:
    return dlt_evaluable(protocol=protocol, cohort=cohort, dates=dates, agents_given=given, had_dlt=dlt,
                         known_alive=alive, as_of=as_of).reason


def test_followed_exactly_to_cycle_1_day_21_is_evaluable() -> None:
    assert _judge(alive=C1D21) is DltReason.COMPLETED_WINDOW


def test_followed_to_cycle_1_day_20_only_is_not_evaluable() -> None:
    assert _judge(alive=C1D21 - dt.timedelta(days=1)) is DltReason.NOT_FOLLOWED


def test_never_known_alive_is_not_evaluable() -> None:
    assert _judge(alive=None) is DltReason.NOT_FOLLOWED


def test_a_dlt_makes_evaluable_whatever_else() -> None:
    result = dlt_evaluable(protocol=SEED, cohort="HER2-negative", dates=TreatmentDates(), agents_given=(),
                           had_dlt=True, known_alive=None)
    assert result.evaluable
    assert result.reason is DltReason.HAD_DLT


def test_no_hipec_is_not_evaluable() -> None:
    assert _judge(dates=TreatmentDates(cycle_starts={"induction": [C1]})) is DltReason.NO_HIPEC


def test_cycle_1_not_started_is_not_evaluable() -> None:
    assert _judge(dates=TreatmentDates(hipec=HIPEC), given=()) is DltReason.CYCLE_NOT_STARTED


def test_one_planned_agent_missing_from_cycle_1_is_not_evaluable() -> None:
    result = dlt_evaluable(protocol=SEED, cohort="HER2-negative", dates=DATES,
                           agents_given=("oxaliplatin", "s-1"), had_dlt=False, known_alive=C1D21)
    assert result.reason is DltReason.CYCLE_INCOMPLETE
    assert result.missing_agents == ("tislelizumab",)


def test_her2_positive_needs_trastuzumab_in_cycle_1() -> None:
    assert _judge(cohort="HER2-positive") is DltReason.CYCLE_INCOMPLETE
    assert _judge(cohort="HER2-positive", given=(*HER2_NEG_AGENTS, "trastuzumab")) is DltReason.COMPLETED_WINDOW


def test_window_ending_after_the_cutoff_is_not_yet_evaluable() -> None:
    assert _judge(alive=D(2026, 4, 1), as_of=C1D21 - dt.timedelta(days=1)) is DltReason.WINDOW_OPEN


def test_window_ending_on_the_cutoff_is_judged() -> None:
    assert _judge(alive=D(2026, 4, 1), as_of=C1D21) is DltReason.NOT_FOLLOWED


def test_death_in_the_window_without_dlt_is_not_evaluable_even_before_it_ends() -> None:
    died = TreatmentDates(hipec=HIPEC, cycle_starts={"induction": [C1]}, death=D(2026, 4, 1))
    assert _judge(dates=died, alive=D(2026, 4, 1), as_of=D(2026, 4, 5)) is DltReason.NOT_FOLLOWED


def test_a_shorter_protocol_window_is_followed() -> None:
    protocol = _window_end(SEED, day=14)
    assert _judge(protocol=protocol, alive=D(2026, 4, 4)) is DltReason.COMPLETED_WINDOW
    assert _judge(protocol=protocol, alive=D(2026, 4, 3)) is DltReason.NOT_FOLLOWED


def test_planned_agents_by_cohort() -> None:
    assert planned_agents(protocol=SEED, phase="induction", cohort="HER2-negative") == HER2_NEG_AGENTS
    assert planned_agents(protocol=SEED, phase="induction", cohort=None) == HER2_NEG_AGENTS


# -- not-operated phases ----------------------------------------------------------------------

def test_not_operated_phases_are_read_from_the_branch() -> None:
    assert not_operated_phases(SEED) == ("continuation", "maintenance-not-operated")
    phases = [p.model_copy(update={"branch": "all"}) if p.id == "continuation" else p for p in SEED.phases]
    assert not_operated_phases(SEED.model_copy(update={"phases": phases})) == ("maintenance-not-operated",)


# -- R0 as counted ----------------------------------------------------------------------------

R, CC, CY = ResidualTumour, CcScore, Cytology


@pytest.mark.parametrize(("r", "cc", "cy", "reason"), [
    (R.R0, CC.CC0, CY.CY0, R0Reason.R0),
    (R.R0, CC.CC0, CY.CY1, R0Reason.CY1_AT_SURGERY),
    (R.R0, CC.CC0, CY.CYX, R0Reason.CYTOLOGY_NOT_DONE),
    (R.R0, CC.CC0, None, R0Reason.CYTOLOGY_MISSING),
    (R.R0, CC.CC1, CY.CY0, R0Reason.CC_NOT_CC0),
    (R.R0, None, CY.CY0, R0Reason.CC_MISSING),
    (R.R1, CC.CC0, CY.CY0, R0Reason.NOT_R0),
    (R.RX, CC.CC0, CY.CY0, R0Reason.NOT_R0),
    (None, CC.CC0, CY.CY0, R0Reason.R_STATUS_MISSING),
])
def test_r0_counts_only_with_r0_cc0_and_cy0(r: ResidualTumour | None, cc: CcScore | None,
                                            cy: Cytology | None, reason: R0Reason) -> None:
    result = r0_as_counted(operated=True, r_status=r, cc_score=cc, cytology=cy)
    assert result.reason is reason
    assert result.counted is (reason is R0Reason.R0)


def test_not_operated_is_not_r0() -> None:
    result = r0_as_counted(operated=False, r_status=None, cc_score=None, cytology=None)
    assert not result.counted
    assert result.reason is R0Reason.NOT_OPERATED


# -- day-1 labs in time ------------------------------------------------------------------------

def _labs_within(protocol: Protocol, hours: int) -> Protocol:
    mods = protocol.dose_modifications
    retreatment = mods.retreatment.model_copy(update={"labs_within_hours": hours})
    return protocol.model_copy(update={"dose_modifications": mods.model_copy(update={"retreatment": retreatment})})


def _in_time(days_before: int, protocol: Protocol = SEED) -> bool:
    return day1_labs_in_time(protocol=protocol, lab_date=C1 - dt.timedelta(days=days_before), dosing_date=C1)


def test_seed_states_labs_within_72_hours() -> None:
    assert SEED.dose_modifications.retreatment.labs_within_hours == 72


def test_labs_3_days_before_dosing_are_in_time_and_4_days_are_not() -> None:
    assert _in_time(0)
    assert _in_time(3)  # 72 hours
    assert not _in_time(4)  # 96 hours


def test_labs_after_dosing_do_not_count() -> None:
    assert not _in_time(-1)


def test_lab_window_follows_the_protocol() -> None:
    assert _in_time(1, _labs_within(SEED, 48))
    assert _in_time(2, _labs_within(SEED, 48))
    assert not _in_time(3, _labs_within(SEED, 48))
    assert not _in_time(2, _labs_within(SEED, 47))

