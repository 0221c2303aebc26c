"""Where the next registered participant goes: study part and dose level, or why
registration must wait or is closed.

The rules (protocol ``dose_finding`` and ``statistics.primary``; PD §Study), on the data as of
``as_of`` (:func:`~hipectrial.analysis.cutoff.at_cutoff`); a registered participant's study
part is their ``registration`` form's ``study_part`` (docs/trialdata-conventions.md):

* **Part A (BOIN)**, while the design has not stopped, on its cohorts
  (:func:`~hipectrial.analysis.interim.boin_cohorts`: consecutive registrations at one level,
  ``cohort_size`` each, and the decision after each):

  - no Part A participant yet: the protocol's ``start_level``, cohort 1;
  - the latest cohort has fewer than ``cohort_size``: the same level (joins that cohort) —
    provided the cohort was opened by the decision after the one before it: if that
    decision is still pending, registration waits as below; if it said another level, or
    none, registration is closed until the data are reviewed;
  - the latest cohort is complete and the BOIN decision after it is known: its
    ``next_level``, a new cohort;
  - the latest cohort is complete but a DLT outcome of it (or of an earlier cohort) is not
    known yet (:func:`~hipectrial.analysis.interim.dlt_known`): **wait** — a cohort's next
    dose is not decided before its DLT windows close. The reason names the cohort, its level,
    the pending participants and the day the last of their DLT windows closes (or that it is
    not known yet, when induction cycle 1 has not started);
  - **awaiting data** (a stricter gate than the DSMB view): a participant counted *not
    evaluable* only because the window's last day passed with no record of them on or after
    it (not followed; no death, off-study or end-of-treatment record) holds registration
    too — whether they had a DLT is simply not entered yet. The reason asks for the entry.

* **Part A over**: a cohort's decision stopped the design (BOIN stop, or ``max_cohorts``
  reached; :func:`hipectrial.design.select_mtd`). With a selected level (the RP2D), Part B
  opens; with none, registration is closed.
* **Part B (Simon two-stage)** at the RP2D: closed once Part B has
  ``statistics.primary.enrol`` registrations (the protocol's number to enrol to obtain
  ``total.n`` evaluable; seed 48 for 43), or once the stage-1 look
  (:func:`~hipectrial.analysis.interim.simon_stage1` on the Part B ITT at the RP2D,
  :func:`~hipectrial.analysis.primary.simon_population`) stopped for futility. The protocol
  file states no pause of accrual while the stage-1 outcomes are awaited (the simulator's
  ``pause_for_stage1`` is a scenario assumption, not a protocol rule), so none is applied;
  the reason says when the look is awaited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field

from hipectrial.analysis.cutoff import at_cutoff
from hipectrial.analysis.facts import Facts, collect_facts
from hipectrial.analysis.interim import BoinCohort, boin_cohorts, dose_finding_status, simon_stage1
from hipectrial.analysis.populations import Populations, build_populations, dlt_status
from hipectrial.analysis.primary import simon_population
from hipectrial.analysis.reasons import AssignmentReason, ReasonPart, reason_english
from hipectrial.analysis.surgical import end_of_treatment_date
from hipectrial.clinical.course import DltReason
from hipectrial.data import TrialData
from hipectrial.design.dose_finding import Action
from hipectrial.design.simon_inference import SimonAction
from hipectrial.phrases import Params, ParamValue, Phrase
from hipectrial.protocol import Protocol
from hipectrial.protocol.endpoints import Population

PART_A, PART_B = "part_a", "part_b"


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where the next registered participant goes (module docstring).

    ``open`` says whether registration is possible now; then ``study_part`` and
    ``dose_level`` (a protocol level id) say where. ``reason`` is the sentence a coordinator
    reads, in English; ``reason_code`` and ``reason_params`` say the same for a shell wording
    it in another language (:mod:`hipectrial.analysis.reasons`; no part in equality). What it
    was based on: ``cohort`` (Part A: the cohort the participant joins or, when waiting, the
    cohort awaited), ``pending_ids`` (participants whose DLT outcome, or whose data since the
    window closed, is awaited), ``pending_until`` (the last day of the last pending DLT
    window when all are known; ``None`` otherwise), ``part_b_registered`` and ``stage1`` (the
    Simon stage-1 decision, ``None`` in Part A).
    """

    as_of: dt.date
    open: bool
    study_part: str | None
    dose_level: str | None
    reason: str
    cohort: int | None = None
    pending_ids: tuple[str, ...] = ()
    pending_until: dt.date | None = None
    part_b_registered: int = 0
    stage1: str | None = None
    reason_code: AssignmentReason = dc_field(default=AssignmentReason.PART_A_FIRST, compare=False)
    reason_params: Params = dc_field(default=(), compare=False)

    @property
    def phrase(self) -> Phrase:
        """The reason as a :class:`~hipectrial.phrases.Phrase`."""
        return Phrase(self.reason_code, self.reason_params)


@dataclass(frozen=True, slots=True)
class _Where:
    """An assignment's decision before its sentence is composed."""

    open: bool
    study_part: str | None
    dose_level: str | None
    code: AssignmentReason
    params: Params
    cohort: int | None = None
    pending_ids: tuple[str, ...] = ()
    pending_until: dt.date | None = None
    part_b_registered: int = 0
    stage1: str | None = None


def _assignment(protocol: Protocol, as_of: dt.date, w: _Where) -> Assignment:
    """The assignment, its English reason composed from its code and parameters."""
    return Assignment(as_of, w.open, w.study_part, w.dose_level, reason_english(protocol, w.code, w.params),
                      w.cohort, w.pending_ids, w.pending_until, w.part_b_registered, w.stage1, w.code,
                      w.params)


def _closed(code: AssignmentReason, params: Params, cohort: int | None = None, pending: tuple[str, ...] = (),
            *, until: dt.date | None = None, part_b_registered: int = 0, stage1: str | None = None) -> _Where:
    """Registration not possible now (waiting or closed)."""
    return _Where(False, None, None, code, params, cohort, pending, until, part_b_registered, stage1)


def _cohort_reason(cohort: BoinCohort, otherwise: ReasonPart) -> ParamValue:
    """The cohort's decision reason as a nested phrase (``otherwise`` when it has none)."""
    return cohort.phrase or Phrase(otherwise)


def _unfollowed(protocol: Protocol, f: Facts, as_of: dt.date) -> bool:
    """Not evaluable only because nothing about them is recorded on or after the DLT
    window's last day (no death, off study or end of treatment either): data not entered."""
    status, _ = dlt_status(protocol, f, as_of)
    return (status.reason is DltReason.NOT_FOLLOWED and f.death_date is None
            and f.participant.off_study_date is None and end_of_treatment_date(f) is None)


def _wait_for_outcomes(protocol: Protocol, cohorts: Sequence[BoinCohort], facts: Mapping[str, Facts],
                       as_of: dt.date) -> _Where:
    last = cohorts[-1]
    pending = [pid for c in cohorts for pid in c.pending_ids]
    ends = {pid: dlt_status(protocol, facts[pid], as_of)[0].window.end for pid in pending}
    unknown = tuple(pid for pid, end in ends.items() if end is None)
    known_ends = [end for end in ends.values() if end is not None]
    until = max(known_ends) if known_ends and not unknown else None
    where = tuple(Phrase(ReasonPart.PENDING_IN_COHORT, (("participant", pid), ("cohort", str(c.number))))
                  for c in cohorts for pid in c.pending_ids)
    windows: ParamValue = ""
    if known_ends and not unknown:
        windows = Phrase(ReasonPart.LAST_WINDOW_CLOSES, (("date", max(known_ends).isoformat()),))
    elif known_ends:
        windows = Phrase(ReasonPart.WINDOWS_PARTLY_KNOWN,
                         (("date", max(known_ends).isoformat()), ("participants", unknown)))
    elif unknown:
        windows = Phrase(ReasonPart.WINDOWS_UNKNOWN, (("participants", unknown),))
    params: Params = (("cohort", str(last.number)), ("level", last.dose_level), ("pending", where),
                      ("windows", windows))
    return _closed(AssignmentReason.WAIT_DLT, params, last.number, tuple(pending), until=until)


def _part_a(protocol: Protocol, cohorts: Sequence[BoinCohort], facts: Mapping[str, Facts],
            as_of: dt.date) -> _Where:
    df = protocol.dose_finding
    size = df.design.cohort_size
    if not cohorts:
        return _Where(True, PART_A, df.start_level, AssignmentReason.PART_A_FIRST,
                      (("level", df.start_level),), 1)
    last = cohorts[-1]
    at: Params = (("cohort", str(last.number)), ("level", last.dose_level))
    if len(last.participant_ids) < size:
        earlier = cohorts[:-1]
        if any(c.pending_ids for c in earlier):
            return _wait_for_outcomes(protocol, earlier, facts, as_of)
        if earlier and earlier[-1].next_level != last.dose_level:
            prev = earlier[-1]
            said = (Phrase(ReasonPart.SAID_BOIN, (("action", str(prev.action)),
                                                  ("next_level", prev.next_level)))
                    if prev.next_level else
                    Phrase(ReasonPart.SAID_NO_DECISION, (("reason", _cohort_reason(prev, ReasonPart.NONE)),)))
            return _closed(AssignmentReason.CLOSED_OTHER_LEVEL,
                           (*at, ("previous", str(prev.number)), ("said", said)), last.number)
        return _Where(True, PART_A, last.dose_level, AssignmentReason.PART_A_JOIN,
                      (("cohort", str(last.number)), ("registered", str(len(last.participant_ids))),
                       ("size", str(size)), ("level", last.dose_level)), last.number)
    if any(c.pending_ids for c in cohorts):
        return _wait_for_outcomes(protocol, cohorts, facts, as_of)
    unfollowed = tuple(pid for pid in last.participant_ids if _unfollowed(protocol, facts[pid], as_of))
    if unfollowed:
        return _closed(AssignmentReason.WAIT_DATA, (*at, ("participants", unfollowed)), last.number,
                       unfollowed)
    if last.action is None or last.next_level is None:
        short = next((c for c in cohorts if len(c.participant_ids) < size), None)
        why = (Phrase(ReasonPart.SHORT_COHORT, (("cohort", str(short.number)),
                                                ("registered", str(len(short.participant_ids))),
                                                ("size", str(size))))
               if short is not None else _cohort_reason(last, ReasonPart.NO_DECISION))
        return _closed(AssignmentReason.CLOSED_NO_DECISION, (("cohort", str(last.number)), ("why", why)),
                       last.number)
    i = [level.id for level in df.levels].index(last.dose_level)
    aside: ParamValue = "" if last.phrase is None else Phrase(ReasonPart.ASIDE, (("reason", last.phrase),))
    return _Where(True, PART_A, last.next_level, AssignmentReason.PART_A_NEXT,
                  (("cohort", str(last.number + 1)), ("action", last.action), ("previous", str(last.number)),
                   ("dlts", str(last.dlts)), ("evaluable", str(last.evaluable)), ("level", last.dose_level),
                   ("level_dlts", str(last.dlt[i])), ("level_n", str(last.n[i])),
                   ("next_level", last.next_level), ("aside", aside)),
                  last.number + 1)


def _part_b(protocol: Protocol, stop: BoinCohort, rp2d: str, cohorts: Sequence[BoinCohort],
            pops: Populations, facts: Mapping[str, Facts], as_of: dt.date) -> _Where:
    primary = protocol.statistics.primary
    registered = len(pops.part_b)
    dose_finding = dose_finding_status(protocol, pops.part_a, pops[Population.DLT_EVALUABLE], facts,
                                       cohorts=cohorts)
    simon = simon_population(protocol=protocol, populations=pops, facts=facts, dose_finding=dose_finding)
    look = simon_stage1(protocol=protocol, part_b_itt=simon.participant_ids, facts=facts)
    if look.decision == SimonAction.STOP_FUTILITY.value:
        on: ParamValue = "" if look.look_date is None else Phrase(ReasonPart.LOOK_ON,
                                                                  (("date", look.look_date.isoformat()),))
        return _closed(AssignmentReason.CLOSED_FUTILITY,
                       (("on", on), ("responses", str(look.responses)), ("n1", str(look.n1)),
                        ("r1", str(look.r1))), part_b_registered=registered, stage1=look.decision)
    if registered >= primary.enrol:
        return _closed(AssignmentReason.CLOSED_FULL,
                       (("registered", str(registered)), ("enrol", str(primary.enrol)),
                        ("evaluable", str(primary.total.n))), part_b_registered=registered,
                       stage1=look.decision)
    tail: ParamValue = ""
    if look.decision == SimonAction.CONTINUE_STAGE_2.value:
        tail = Phrase(ReasonPart.STAGE_2, (("responses", str(look.responses)), ("r1", str(look.r1))))
    elif look.more_needed == 0:
        tail = Phrase(ReasonPart.LOOK_AWAITED, (("missing", str(look.missing)), ("n1", str(look.n1)),
                                                ("participants", look.pending_ids),
                                                ("certain", _certain(look.responses, look.missing, look.r1))))
    params: Params = (("level", rp2d), ("cohort", str(stop.number)),
                      ("reason", _cohort_reason(stop, ReasonPart.NONE)), ("registered", str(registered)),
                      ("enrol", str(primary.enrol)), ("look", tail))
    return _Where(True, PART_B, rp2d, AssignmentReason.PART_B, params, part_b_registered=registered,
                  stage1=look.decision)


def _certain(responses: int, missing: int, r1: int) -> ParamValue:
    """What the stage-1 look will decide whatever its missing outcomes, when that is settled
    (the rule of :func:`~hipectrial.analysis.interim.simon_stage1`)."""
    if responses > r1:
        return Phrase(ReasonPart.STAGE_2_CERTAIN, (("responses", str(responses)), ("r1", str(r1))))
    if responses + missing <= r1:
        return Phrase(ReasonPart.FUTILITY_CERTAIN, (("at_most", str(responses + missing)), ("r1", str(r1))))
    return ""


def next_assignment(*, protocol: Protocol, trial: TrialData, as_of: dt.date) -> Assignment:
    """Where the next registered participant goes, by the rules of the module docstring.

    Parameters
    ----------
    protocol
        Its ``dose_finding`` (levels, start level, BOIN settings, DLT window) and
        ``statistics.primary`` (Simon ``n1``/``r1``, ``enrol``).
    trial
        The trial's records (the EDC's snapshot, an import, a simulation).
    as_of
        The day of the registration; what happened or was entered after it is left out.

    Returns
    -------
    Assignment
        ``open`` with the study part and dose level, or closed/waiting with the reason.

    Examples
    --------
    >>> import datetime as dt
    >>> from hipectrial.protocol import load_protocol
    >>> protocol = load_protocol()
    >>> empty = TrialData(protocol_id="HIPEC-PD1-SOX", protocol_version="1.0",
    ...                   generated_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
    >>> a = next_assignment(protocol=protocol, trial=empty, as_of=dt.date(2025, 3, 1))
    >>> (a.open, a.study_part, a.dose_level, a.cohort)
    (True, 'part_a', '1', 1)
    >>> print(a.reason)
    Part A, cohort 1: the first participant starts at the protocol's starting dose level 1 \
(hipec-paclitaxel 75 mg/m2).
    """
    data = at_cutoff(trial, as_of)
    facts = collect_facts(trial=data, protocol=protocol)
    # ITT, the study parts and DLT-evaluability need neither responses nor eligibility.
    pops = build_populations(protocol=protocol, facts=facts, responses={}, eligibility={}, as_of=as_of)
    cohorts = boin_cohorts(protocol=protocol, part_a=pops.part_a, facts=facts, as_of=as_of)
    stop = next((c for c in cohorts if c.action == Action.STOP.value), None)
    if stop is None:
        where = _part_a(protocol, cohorts, facts, as_of)
    elif stop.selected_level is None:
        where = _closed(AssignmentReason.CLOSED_NO_DOSE,
                        (("cohort", str(stop.number)), ("reason", _cohort_reason(stop, ReasonPart.NONE))),
                        stop.number)
    else:
        where = _part_b(protocol, stop, stop.selected_level, cohorts, pops, facts, as_of)
    return _assignment(protocol, as_of, where)
