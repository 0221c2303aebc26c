"""The rules of a participant's course that the analysis, the simulator and the EDC share:
the DLT window and who is DLT-evaluable, R0 as counted for the endpoint, and which phases
are the not-operated branch.

Every function takes plain values (dates, enums, agent ids) and the protocol, so each
caller only gathers its own records into them.

* **DLT window** (protocol ``dose_finding.dlt.window``): from the ``start`` event (the seed:
  HIPEC, day 0) to the ``end`` timing (the seed: induction cycle 1 day 21), both days
  included. The end is counted by :meth:`hipectrial.protocol.regimen.Timing.offset_days`
  from its anchor's actual date; while that date is not known the end is not known either.
* **DLT-evaluable** (protocol ``dose_finding.dlt.evaluable``; the seed: "received HIPEC and
  cycle 1 of induction as planned and was followed to cycle 1 day 21, or had a DLT"): in
  this order, a DLT makes a participant evaluable; otherwise they must have received
  HIPEC, the cycle the window ends in must have started with every agent planned for the
  participant's cohort given (:func:`planned_agents`; a window that ends at another event
  asks only for HIPEC), and they must be known alive on or after the window's last day. A
  participant alive whose window ends after the cut-off is not evaluable *yet*
  (:attr:`DltReason.WINDOW_OPEN`).
* **R0 as counted** (protocol-decisions.md "Endpoints"; clinical.md §5.4): a conversion
  surgery whose recorded R status is R0, with CC-0 and CY0 at surgery. CY1 at surgery
  counts as R1 (as in :func:`hipectrial.clinical.surgery.peritoneum.residual_tumour`); a missing CC
  score or cytology, or CYX, is not counted as R0: R0 is never assumed from missing
  information.
* **Not-operated phases**: the phases whose ``branch`` is ``not_operated``.
* **Received HIPEC** (the ITT population: "all registered participants who received
  HIPEC"): the first HIPEC session's dose (a dose of a protocol HIPEC agent outside the
  systemic cycles, the earliest by date) was given, ``given > 0``.
* **Day-1 labs in time** (protocol ``dose_modifications.retreatment.labs_within_hours``; the
  seed: "labs within 72 hours before dosing"): results carry a date, not a time, so a lab
  dated ``k`` days before the dosing date (``k >= 0``) is in time when ``24 k`` hours is
  within the protocol's hours (72 hours: the dosing day and the 3 days before it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol as TypingProtocol
from typing import TypeVar

from hipectrial.clinical.surgery.peritoneum import CcScore, Cytology, ResidualTumour
from hipectrial.clinical.visits.types import TreatmentDates
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import Anchor, Timing

__all__ = ["DltEvaluability", "DltReason", "DltWindowDates", "R0Count", "R0Reason", "day1_labs_in_time",
           "dlt_evaluable", "dlt_window", "first_hipec_dose", "hipec_given", "not_operated_phases",
           "planned_agents",
           "r0_as_counted", "received_hipec"]


def _event_date(dates: TreatmentDates, anchor: Anchor) -> dt.date | None:
    try:
        return dates.event(anchor)
    except KeyError:
        raise InputError("anchor", anchor.value, "an event with a date or cycle_start") from None


def _timing_date(dates: TreatmentDates, timing: Timing) -> dt.date | None:
    """The actual date of ``timing`` (its anchor's date + :meth:`Timing.offset_days`), or
    ``None`` while its anchor has not happened."""
    if timing.anchor is Anchor.CYCLE_START:
        if timing.phase is None or timing.cycle is None:
            raise InputError("timing", timing, "a cycle_start timing naming its phase and cycle")
        starts = dates.cycle_starts.get(timing.phase, ())
        if len(starts) < timing.cycle:
            return None
        anchor = starts[timing.cycle - 1]
    else:
        event = _event_date(dates, timing.anchor)
        if event is None:
            return None
        anchor = event
    return anchor + dt.timedelta(days=timing.offset_days())


@dataclass(frozen=True, slots=True)
class DltWindowDates:
    """A participant's DLT window: ``start`` and ``end`` are its first and last days
    (``None`` while the anchor they count from has not happened); ``end_day`` names the end
    as the protocol does (``induction cycle 1 day 21``)."""

    start: dt.date | None
    end: dt.date | None
    end_day: str

    def contains(self, when: dt.date) -> bool:
        """Whether ``when`` is in the window (both ends included; an end not yet known is
        open)."""
        return (self.start is not None and self.start <= when
                and (self.end is None or when <= self.end))


def _end_words(timing: Timing) -> str:
    if timing.anchor is Anchor.CYCLE_START:
        return f"{timing.phase} cycle {timing.cycle} day {timing.day}"
    return f"{timing.anchor.value} day {timing.day}"


def dlt_window(*, protocol: Protocol, dates: TreatmentDates) -> DltWindowDates:
    """The DLT window of one participant from their actual dates (module docstring).

    Parameters
    ----------
    protocol
        Its ``dose_finding.dlt.window`` gives the start event and the end timing.
    dates
        The participant's actual dates; the seed needs ``hipec`` and the induction
        ``cycle_starts``.

    Examples
    --------
    HIPEC on 1 March 2026, induction cycle 1 day 1 on 22 March: the window runs to cycle 1
    day 21, 20 days after day 1, 11 April.

    >>> import datetime as dt
    >>> from hipectrial.protocol import load_protocol
    >>> w = dlt_window(protocol=load_protocol(),
    ...                dates=TreatmentDates(hipec=dt.date(2026, 3, 1),
    ...                                     cycle_starts={"induction": [dt.date(2026, 3, 22)]}))
    >>> w.start, w.end, w.end_day
    (datetime.date(2026, 3, 1), datetime.date(2026, 4, 11), 'induction cycle 1 day 21')
    >>> w.contains(dt.date(2026, 4, 11)), w.contains(dt.date(2026, 4, 12))
    (True, False)
    """
    window = protocol.dose_finding.dlt.window
    return DltWindowDates(_event_date(dates, window.start), _timing_date(dates, window.end),
                          _end_words(window.end))


def planned_agents(*, protocol: Protocol, phase: str, cohort: str | None) -> tuple[str, ...]:
    """The agents of ``phase`` planned for a participant of ``cohort`` (agents restricted to
    cohorts are planned only for them; with ``cohort`` unknown, only the unrestricted ones).

    >>> from hipectrial.protocol import load_protocol
    >>> planned_agents(protocol=load_protocol(), phase="induction", cohort="HER2-positive")
    ('oxaliplatin', 's-1', 'tislelizumab', 'trastuzumab')
    """
    agents = []
    for agent_id in protocol.phase(phase).agents:
        allowed = protocol.agent(agent_id).cohorts
        if allowed is None or (cohort is not None and cohort in allowed):
            agents.append(agent_id)
    return tuple(agents)


class DltReason(StrEnum):
    """Why a participant is or is not DLT-evaluable."""

    HAD_DLT = "had_dlt"
    COMPLETED_WINDOW = "completed_window"  # received HIPEC and the cycle, followed to its end
    NO_HIPEC = "no_hipec"
    CYCLE_NOT_STARTED = "cycle_not_started"
    CYCLE_INCOMPLETE = "cycle_incomplete"  # not every planned agent given
    NOT_FOLLOWED = "not_followed"  # not known alive to the window's end (died or lost)
    WINDOW_OPEN = "window_open"  # alive, and the window ends after the cut-off: not yet


@dataclass(frozen=True, slots=True)
class DltEvaluability:
    """Whether a participant is DLT-evaluable (``evaluable``), why (``reason``), their
    window, and the planned agents of the window's cycle not given."""

    evaluable: bool
    reason: DltReason
    window: DltWindowDates
    missing_agents: tuple[str, ...] = ()


def dlt_evaluable(*, protocol: Protocol, cohort: str | None, dates: TreatmentDates,
                  agents_given: Collection[str], had_dlt: bool, known_alive: dt.date | None,
                  as_of: dt.date | None = None) -> DltEvaluability:
    """Whether one participant is DLT-evaluable, by the rule of the module docstring.

    Parameters
    ----------
    cohort
        The participant's cohort (which agents are planned).
    dates
        Actual dates: ``hipec`` (``None``: HIPEC not received), the ``cycle_starts`` of the
        phase the window ends in, and ``death``.
    agents_given
        The agents given (amount > 0) in the cycle the window ends in.
    had_dlt
        Whether any adverse event was judged a DLT.
    known_alive
        The last date the participant is known alive (their death date when they died).
    as_of
        The cut-off; ``None`` judges as if the window had closed.

    Examples
    --------
    >>> import datetime as dt
    >>> from hipectrial.protocol import load_protocol
    >>> p = load_protocol()
    >>> dates = TreatmentDates(hipec=dt.date(2026, 3, 1),
    ...                        cycle_starts={"induction": [dt.date(2026, 3, 22)]})
    >>> given = ("oxaliplatin", "s-1", "tislelizumab")
    >>> def judge(alive, as_of=None):
    ...     return dlt_evaluable(protocol=p, cohort="HER2-negative", dates=dates, agents_given=given,
    ...                          had_dlt=False, known_alive=alive, as_of=as_of).reason.value
    >>> judge(dt.date(2026, 4, 11)), judge(dt.date(2026, 4, 10))
    ('completed_window', 'not_followed')
    >>> judge(dt.date(2026, 4, 1), as_of=dt.date(2026, 4, 10))
    'window_open'
    """
    window = dlt_window(protocol=protocol, dates=dates)
    if had_dlt:
        return DltEvaluability(True, DltReason.HAD_DLT, window)
    if dates.hipec is None:
        return DltEvaluability(False, DltReason.NO_HIPEC, window)
    end = protocol.dose_finding.dlt.window.end
    phase = end.phase if end.anchor is Anchor.CYCLE_START else None
    if phase is not None:
        if window.end is None:
            return DltEvaluability(False, DltReason.CYCLE_NOT_STARTED, window)
        missing = tuple(a for a in planned_agents(protocol=protocol, phase=phase, cohort=cohort)
                        if a not in agents_given)
        if missing:
            return DltEvaluability(False, DltReason.CYCLE_INCOMPLETE, window, missing)
    if window.end is None or known_alive is None or known_alive < window.end:
        if as_of is not None and (window.end is None or window.end > as_of) and dates.death is None:
            return DltEvaluability(False, DltReason.WINDOW_OPEN, window)
        return DltEvaluability(False, DltReason.NOT_FOLLOWED, window)
    return DltEvaluability(True, DltReason.COMPLETED_WINDOW, window)


def not_operated_phases(protocol: Protocol) -> tuple[str, ...]:
    """The ids of the phases of the not-operated branch (``branch: not_operated``).

    >>> from hipectrial.protocol import load_protocol
    >>> not_operated_phases(load_protocol())
    ('continuation', 'maintenance-not-operated')
    """
    return tuple(p.id for p in protocol.phases if p.branch == "not_operated")


def day1_labs_in_time(*, protocol: Protocol, lab_date: dt.date, dosing_date: dt.date) -> bool:
    """Whether a lab result dated ``lab_date`` counts for the day-1 check of a dose given on
    ``dosing_date`` (module docstring: not after dosing, at most the protocol's
    ``labs_within_hours`` before it, counting whole days).

    >>> import datetime as dt
    >>> from hipectrial.protocol import load_protocol
    >>> p, day1 = load_protocol(), dt.date(2026, 3, 22)
    >>> [day1_labs_in_time(protocol=p, lab_date=day1 - dt.timedelta(days=k), dosing_date=day1)
    ...  for k in (-1, 0, 3, 4)]
    [False, True, True, False]
    """
    days = (dosing_date - lab_date).days
    return days >= 0 and days * 24 <= protocol.dose_modifications.retreatment.labs_within_hours


class R0Reason(StrEnum):
    """Why a participant is or is not counted as an R0 resection."""

    R0 = "r0"  # R0 recorded, CC-0, CY0
    NOT_OPERATED = "not_operated"
    NOT_R0 = "not_r0"  # R1, R2 or RX recorded
    R_STATUS_MISSING = "r_status_missing"
    CC_NOT_CC0 = "cc_not_cc0"
    CC_MISSING = "cc_missing"
    CY1_AT_SURGERY = "cy1_at_surgery"  # counts as R1
    CYTOLOGY_NOT_DONE = "cytology_not_done"  # CYX
    CYTOLOGY_MISSING = "cytology_missing"


@dataclass(frozen=True, slots=True)
class R0Count:
    """Whether a participant counts as an R0 resection, why, and the values judged."""

    counted: bool
    reason: R0Reason
    r_status: ResidualTumour | None
    cc_score: CcScore | None
    cytology: Cytology | None


def r0_as_counted(*, operated: bool, r_status: ResidualTumour | None, cc_score: CcScore | None,
                  cytology: Cytology | None) -> R0Count:
    """Whether a conversion surgery counts as an R0 resection for the endpoint (module
    docstring): R0 recorded, CC-0 and CY0 at surgery; CY1 counts as R1; missing is not R0.

    Parameters
    ----------
    operated
        Whether the participant had conversion surgery.
    r_status, cc_score, cytology
        As recorded for that surgery (cytology: the lavage at surgery); ``None`` = missing.

    Examples
    --------
    >>> R, CC, CY = ResidualTumour, CcScore, Cytology
    >>> r0_as_counted(operated=True, r_status=R.R0, cc_score=CC.CC0, cytology=CY.CY0).counted
    True
    >>> r0_as_counted(operated=True, r_status=R.R0, cc_score=CC.CC0, cytology=CY.CY1).reason.value
    'cy1_at_surgery'
    >>> r0_as_counted(operated=True, r_status=R.R0, cc_score=CC.CC0, cytology=None).reason.value
    'cytology_missing'
    """
    values = (r_status, cc_score, cytology)
    if not operated:
        return R0Count(False, R0Reason.NOT_OPERATED, *values)
    if r_status is None:
        return R0Count(False, R0Reason.R_STATUS_MISSING, *values)
    if r_status is not ResidualTumour.R0:
        return R0Count(False, R0Reason.NOT_R0, *values)
    if cc_score is None:
        return R0Count(False, R0Reason.CC_MISSING, *values)
    if cc_score is not CcScore.CC0:
        return R0Count(False, R0Reason.CC_NOT_CC0, *values)
    if cytology is Cytology.CY1:
        return R0Count(False, R0Reason.CY1_AT_SURGERY, *values)
    if cytology is Cytology.CYX:
        return R0Count(False, R0Reason.CYTOLOGY_NOT_DONE, *values)
    if cytology is None:
        return R0Count(False, R0Reason.CYTOLOGY_MISSING, *values)
    return R0Count(True, R0Reason.R0, *values)


class DoseLike(TypingProtocol):
    """A dose record as the rules read it (``hipectrial.data.DoseAdministration`` is one)."""

    @property
    def agent(self) -> str: ...
    @property
    def date(self) -> dt.date: ...
    @property
    def cycle(self) -> int | None: ...
    @property
    def given(self) -> Decimal: ...


D = TypeVar("D", bound=DoseLike)


def first_hipec_dose(*, protocol: Protocol, doses: Iterable[D]) -> D | None:
    """The first HIPEC session's dose: the earliest dose of a protocol HIPEC agent outside
    the systemic cycles (``cycle`` None), or ``None`` when there is none."""
    agents = set(protocol.hipec.agents)
    sessions = sorted((d for d in doses if d.agent in agents and d.cycle is None), key=lambda d: d.date)
    return sessions[0] if sessions else None


def received_hipec(*, protocol: Protocol, doses: Iterable[DoseLike]) -> bool:
    """Whether a participant received HIPEC (module docstring): ITT membership.

    >>> import datetime as dt
    >>> from decimal import Decimal
    >>> from hipectrial.data import DoseAdministration
    >>> from hipectrial.protocol import load_protocol
    >>> def dose(given):
    ...     return DoseAdministration(participant_id="SH01-001", agent="hipec-paclitaxel",
    ...                               date=dt.date(2026, 3, 1), prescribed=Decimal(130),
    ...                               given=Decimal(given), unit="mg")
    >>> p = load_protocol()
    >>> received_hipec(protocol=p, doses=[dose(130)]), received_hipec(protocol=p, doses=[dose(0)])
    (True, False)
    >>> received_hipec(protocol=p, doses=[])
    False
    """
    return hipec_given(first_hipec_dose(protocol=protocol, doses=doses))


def hipec_given(first: DoseLike | None) -> bool:
    """Whether the first HIPEC session's dose (:func:`first_hipec_dose`) was given, amount > 0."""
    return first is not None and first.given > 0
