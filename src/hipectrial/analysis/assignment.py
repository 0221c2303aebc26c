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

from hipectrial.analysis.cutoff import at_cutoff
from hipectrial.analysis.facts import Facts, collect_facts
from hipectrial.analysis.interim import BoinCohort, boin_cohorts, dose_finding_status, simon_stage1
from hipectrial.analysis.populations import Populations, build_populations, dlt_status
from hipectrial.analysis.primary import simon_population
from hipectrial.analysis.surgical import end_of_treatment_date
from hipectrial.clinical.course import DltReason
from hipectrial.data import TrialData
from hipectrial.design.dose_finding import Action
from hipectrial.design.simon_inference import SimonAction
from hipectrial.protocol import Protocol
from hipectrial.protocol.endpoints import Population

PART_A, PART_B = "part_a", "part_b"


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where the next registered participant goes (module docstring).

    ``open`` says whether registration is possible now; then ``study_part`` and
    ``dose_level`` (a protocol level id) say where. ``reason`` is the sentence a coordinator
    reads. What it was based on: ``cohort`` (Part A: the cohort the participant joins or,
    when waiting, the cohort awaited), ``pending_ids`` (participants whose DLT outcome, or
    whose data since the window closed, is awaited), ``pending_until`` (the last day of the
    last pending DLT window when all are known; ``None`` otherwise), ``part_b_registered``
    and ``stage1`` (the Simon stage-1 decision, ``None`` in Part A).
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


def _level_words(protocol: Protocol, level_id: str) -> str:
    df = protocol.dose_finding
    agent = df.explored_agents[0]
    level = next(lv for lv in df.levels if lv.id == level_id)
    return f"dose level {level_id} ({agent} {level.doses.get(agent, '?')} {level.unit})"


def _unfollowed(protocol: Protocol, f: Facts, as_of: dt.date) -> bool:
    """Not evaluable only because nothing about them is recorded on or after the DLT
    window's last day (no death, off study or end of treatment either): data not entered."""
    status, _ = dlt_status(protocol, f, as_of)
    return (status.reason is DltReason.NOT_FOLLOWED and f.death_date is None
            and f.participant.off_study_date is None and end_of_treatment_date(f) is None)


def _wait_for_outcomes(protocol: Protocol, cohorts: Sequence[BoinCohort], facts: Mapping[str, Facts],
                       as_of: dt.date) -> Assignment:
    last = cohorts[-1]
    pending = [pid for c in cohorts for pid in c.pending_ids]
    ends = {pid: dlt_status(protocol, facts[pid], as_of)[0].window.end for pid in pending}
    unknown = [pid for pid, end in ends.items() if end is None]
    known_ends = [end for end in ends.values() if end is not None]
    until = max(known_ends) if known_ends and not unknown else None
    where = ", ".join(f"{pid} (cohort {c.number})" for c in cohorts for pid in c.pending_ids)
    text = (f"Registration waits: cohort {last.number} at {_level_words(protocol, last.dose_level)} is "
            f"complete, and the next dose is decided only once every DLT outcome is known (the DLT "
            f"windows closed). DLT outcome pending for {where}.")
    if known_ends:
        closes = max(known_ends).isoformat()
        text += (f" The last DLT window closes on {closes}." if not unknown else
                 f" Known DLT windows close by {closes};")
    if unknown:
        text += (f" {'The' if not known_ends else 'the'} DLT window of {', '.join(unknown)} is not known "
                 "yet (induction cycle 1 not started).")
    return Assignment(as_of, False, None, None, text, last.number, tuple(pending), until)


def _part_a(protocol: Protocol, cohorts: Sequence[BoinCohort], facts: Mapping[str, Facts],
            as_of: dt.date) -> Assignment:
    df = protocol.dose_finding
    size = df.design.cohort_size
    if not cohorts:
        return Assignment(as_of, True, PART_A, df.start_level,
                          f"Part A, cohort 1: the first participant starts at the protocol's starting "
                          f"{_level_words(protocol, df.start_level)}.", 1)
    last = cohorts[-1]
    at = _level_words(protocol, last.dose_level)
    if len(last.participant_ids) < size:
        earlier = cohorts[:-1]
        if any(c.pending_ids for c in earlier):
            return _wait_for_outcomes(protocol, earlier, facts, as_of)
        if earlier and earlier[-1].next_level != last.dose_level:
            prev = earlier[-1]
            said = (f"BOIN {prev.action}: {_level_words(protocol, prev.next_level)}" if prev.next_level
                    else f"no BOIN decision ({prev.reason or 'none'})")
            return Assignment(as_of, False, None, None,
                              f"Registration closed until the data are reviewed: cohort {last.number} was "
                              f"registered at {at}, but after cohort {prev.number} the design said {said}.",
                              last.number)
        return Assignment(as_of, True, PART_A, last.dose_level,
                          f"Part A, cohort {last.number}: {len(last.participant_ids)} of {size} registered "
                          f"at {at}; the next joins this cohort.",
                          last.number)
    if any(c.pending_ids for c in cohorts):
        return _wait_for_outcomes(protocol, cohorts, facts, as_of)
    unfollowed = tuple(pid for pid in last.participant_ids if _unfollowed(protocol, facts[pid], as_of))
    if unfollowed:
        return Assignment(as_of, False, None, None,
                          f"Registration waits: cohort {last.number} at {at} has its DLT windows closed, "
                          f"but nothing is recorded about {', '.join(unfollowed)} on or after the last day "
                          "of the DLT window (no visit, dose, lab, follow-up or DLT): enter their data to "
                          "the end of the DLT window, then the next dose is decided.",
                          last.number, unfollowed)
    if last.action is None or last.next_level is None:
        short = next((c for c in cohorts if len(c.participant_ids) < size), None)
        why = (f"cohort {short.number} has {len(short.participant_ids)} of {size} participants yet later "
               "cohorts were registered" if short is not None else (last.reason or "no decision"))
        return Assignment(as_of, False, None, None,
                          f"Registration closed until the data are reviewed: no BOIN decision after cohort "
                          f"{last.number} ({why}).", last.number)
    i = [level.id for level in df.levels].index(last.dose_level)
    return Assignment(as_of, True, PART_A, last.next_level,
                      f"Part A, cohort {last.number + 1}: BOIN {last.action} after cohort {last.number} "
                      f"({last.dlts} DLT in its {last.evaluable} DLT-evaluable at {at}; "
                      f"{last.dlt[i]} DLT in {last.n[i]} DLT-evaluable at this level so far): "
                      f"{_level_words(protocol, last.next_level)}"
                      + (f" ({last.reason})." if last.reason else "."),
                      last.number + 1)


def _part_b(protocol: Protocol, stop: BoinCohort, rp2d: str, cohorts: Sequence[BoinCohort],
            pops: Populations, facts: Mapping[str, Facts], as_of: dt.date) -> Assignment:
    primary = protocol.statistics.primary
    registered = len(pops.part_b)
    dose_finding = dose_finding_status(protocol, pops.part_a, pops[Population.DLT_EVALUABLE], facts,
                                       cohorts=cohorts)
    simon = simon_population(protocol=protocol, populations=pops, facts=facts, dose_finding=dose_finding)
    look = simon_stage1(protocol=protocol, part_b_itt=simon.participant_ids, facts=facts)
    rp2d_words = (f"Part A selected {_level_words(protocol, rp2d)} as the recommended phase II dose "
                  f"(the design stopped after cohort {stop.number}: {stop.reason})")
    if look.decision == SimonAction.STOP_FUTILITY.value:
        date = f" on {look.look_date.isoformat()}" if look.look_date is not None else ""
        return Assignment(as_of, False, None, None,
                          f"Registration closed: the Simon stage-1 look{date} stopped Part B for futility "
                          f"({look.responses} R0 resections among the first {look.n1} Part B ITT "
                          f"participants, not more than r1 = {look.r1}).",
                          part_b_registered=registered, stage1=look.decision)
    if registered >= primary.enrol:
        return Assignment(as_of, False, None, None,
                          f"Registration closed: Part B has {registered} registrations, the "
                          f"{primary.enrol} the protocol enrols to obtain {primary.total.n} evaluable.",
                          part_b_registered=registered, stage1=look.decision)
    text = (f"Part B at {_level_words(protocol, rp2d)}: {rp2d_words}; {registered} of {primary.enrol} "
            "registered.")
    if look.decision == SimonAction.CONTINUE_STAGE_2.value:
        text += f" Stage 1 passed ({look.responses} R0 > r1 = {look.r1}): stage 2."
    elif look.more_needed == 0:
        text += (f" The stage-1 look awaits: {'; '.join(look.reasons)}. The protocol states no pause of "
                 "accrual for it: registration goes on.")
    return Assignment(as_of, True, PART_B, rp2d, text, part_b_registered=registered, stage1=look.decision)


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
        return _part_a(protocol, cohorts, facts, as_of)
    if stop.selected_level is None:
        return Assignment(as_of, False, None, None,
                          f"Registration closed: Part A stopped after cohort {stop.number} ({stop.reason}) "
                          "without selecting a dose; Part B does not open.", stop.number)
    return _part_b(protocol, stop, stop.selected_level, cohorts, pops, facts, as_of)
