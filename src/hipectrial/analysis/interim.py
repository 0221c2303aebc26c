"""Where the designs stand: Part A BOIN, Part B Simon stage 1, Part B safety monitoring.

* **BOIN cohorts** (protocol ``dose_finding``, :func:`boin_cohorts`): Part A participants
  in registration order (registration date, then id) at a protocol dose level, grouped into
  cohorts of consecutive registrations at the same level, at most ``cohort_size`` each. A
  participant's DLT outcome is known (:func:`dlt_known`) on the onset of their first DLT
  (``AdverseEvent.dlt``); else, when DLT-evaluable
  (:func:`~hipectrial.analysis.populations.dlt_status`), on the last day of the DLT
  window (:func:`~hipectrial.clinical.course.dlt_window`); else (not evaluable) on
  the earliest of death, off study, the recorded end of treatment
  (:func:`~hipectrial.analysis.surgical.end_of_treatment_date`) and, once induction cycle 1
  has started, the end of its DLT window if that is on or before the cut-off; with none of
  these the outcome is still pending. A cohort's outcomes are known on the latest of its
  participants' dates. A cohort with fewer than ``cohort_size`` participants (registration
  stopped or not yet complete) is incomplete and gets no decision. After each complete cohort
  whose outcomes, and those of every earlier cohort, are all known, the design's data are the
  DLT-evaluable participants and their DLTs per level in cohorts 1 to k, and the decision is
  :meth:`hipectrial.design.boin.BoinDesign.decide` with the doses eliminated so far (never
  used again, PD §Study); after the ``max_cohorts``-th cohort the design stops and selects
  :func:`hipectrial.design.select_mtd` (as the simulator does).
* **BOIN status** (:func:`dose_finding_status`): the DLT-evaluable Part A participants per
  level at the cut-off give ``n``, ``dlt`` and the isotonic estimates
  (:func:`hipectrial.design.select_mtd`); the decision shown is that of the latest decided
  cohort; a dose is *selected* only when that decision stopped the design.
* **Simon stage 1** (protocol ``statistics.primary``, :func:`simon_stage1`): the first
  ``n1`` Part B ITT participants in registration order (registration date, then id). The
  look can be made when all ``n1`` have a settled R0 outcome
  (:func:`~hipectrial.analysis.surgical.outcome_known`); it counts R0 resections
  (:func:`~hipectrial.analysis.surgical.r0_status`) among them, continues when there are
  more than ``r1`` and stops for futility otherwise
  (:func:`hipectrial.design.simon_decide`). Its date is the latest of the ``n1`` dates on
  which the outcomes became known.
* **Safety monitoring**: :mod:`~hipectrial.analysis.monitoring`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field

from hipectrial.analysis.facts import Facts
from hipectrial.analysis.populations import dlt_status
from hipectrial.analysis.reasons import CohortDecisionReason, reason_english
from hipectrial.analysis.surgical import end_of_treatment_date, outcome_known, r0_status
from hipectrial.design import select_mtd_of, simon_decide
from hipectrial.design.boin import BoinDesign
from hipectrial.design.dose_finding import Action, DoseState
from hipectrial.design.settings import boin_design_of, simon_design_of
from hipectrial.phrases import Params, Phrase
from hipectrial.protocol import Protocol

NOT_YET = "not yet"


@dataclass(frozen=True, slots=True)
class BoinLevel:
    level: str
    dose: str
    registered: int
    n: int
    dlt: int
    isotonic_estimate: float | None
    eliminated: bool


@dataclass(frozen=True, slots=True)
class DoseFindingStatus:
    """BOIN at the cut-off. ``action``, ``next_level`` and ``reason`` are the decision after
    cohort ``decided_after_cohort`` (the latest decided, :func:`boin_cohorts`; ``None``
    before any); ``selected_level`` is set only when that decision stopped the design;
    ``pending_ids`` are Part A participants whose DLT outcome is not known yet."""

    levels: tuple[BoinLevel, ...]
    current_level: str | None
    action: str | None
    next_level: str | None
    reason: str | None
    selected_level: str | None
    selection_reason: str
    escalate_if_rate_at_most: float
    de_escalate_if_rate_at_least: float
    decided_after_cohort: int | None
    pending_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DltKnown:
    """One Part A participant's DLT outcome: evaluable, DLT, and when and how it became
    known (``on`` is ``None`` while pending)."""

    participant_id: str
    evaluable: bool
    dlt: bool
    on: dt.date | None
    by: str


@dataclass(frozen=True, slots=True)
class BoinCohort:
    """One Part A cohort and the BOIN decision taken once its DLT outcomes were known.

    ``evaluable`` and ``dlts`` count the cohort's own participants; ``n`` and ``dlt`` are
    the design's cumulative data per dose level (protocol order) after it. ``known_on`` is
    ``None`` while an outcome is pending (``pending_ids``) and then ``action`` is ``None``
    too. ``next_level`` is where the next cohort goes (``None`` when the design stopped);
    ``selected_level`` the dose the design selected when it stopped (``None``: none).
    ``reason`` (English) is also said by ``reason_code`` and ``reason_params``
    (:mod:`hipectrial.analysis.reasons`; no part in equality).
    """

    number: int
    dose_level: str
    participant_ids: tuple[str, ...]
    outcomes: tuple[DltKnown, ...]
    evaluable: int
    dlts: int
    n: tuple[int, ...]
    dlt: tuple[int, ...]
    known_on: dt.date | None
    pending_ids: tuple[str, ...]
    action: str | None
    next_level: str | None
    selected_level: str | None
    reason: str | None
    eliminated: tuple[str, ...]
    reason_code: CohortDecisionReason | None = dc_field(default=None, compare=False)
    reason_params: Params = dc_field(default=(), compare=False)

    @property
    def phrase(self) -> Phrase | None:
        """The reason as a :class:`~hipectrial.phrases.Phrase` (``None`` when there is none)."""
        return None if self.reason_code is None else Phrase(self.reason_code, self.reason_params)


@dataclass(frozen=True, slots=True)
class SimonStage1:
    """The Simon stage-1 look (module docstring).

    ``participant_ids`` are the first ``n1`` Part B ITT participants (fewer while fewer are
    registered; ``more_needed`` says how many more), ``r0_ids`` those with an R0 resection,
    ``pending_ids`` those whose outcome is not yet known. ``missing`` = ``more_needed`` +
    pending. ``decision`` is ``continue stage 2``, ``stop for futility`` or ``not yet``;
    ``look_date`` the day the last outcome became known (``None`` when not yet, or when
    that outcome's date is not recorded), ``last_ids`` whose outcome it was.
    """

    n1: int
    r1: int
    rule: str
    participant_ids: tuple[str, ...]
    r0_ids: tuple[str, ...]
    pending_ids: tuple[str, ...]
    more_needed: int
    missing: int
    responses: int
    decision: str
    look_date: dt.date | None
    last_ids: tuple[str, ...]
    reasons: tuple[str, ...]

    @property
    def made(self) -> bool:
        """Whether the look can be made (every stage-1 outcome known)."""
        return self.decision != NOT_YET


def registration_order(ids: Sequence[str], facts: Mapping[str, Facts]) -> list[str]:
    """``ids`` by registration date (the consent date when not registered), then id."""
    return sorted(ids, key=lambda pid: (facts[pid].registration_date or facts[pid].participant.consent_date,
                                        pid))


def missing_outcomes(of: str, pending: Sequence[str], more: int) -> str:
    """Why a Simon count is not complete: the outcomes not yet known (by participant) and the
    participants not yet in the Part B ITT population; only the parts that are not zero.

    >>> missing_outcomes("13 stage-1", ["SH01-013"], 0)
    '1 of the 13 stage-1 outcomes missing: 1 not yet known (SH01-013)'
    >>> missing_outcomes("43", [], 1)
    '1 of the 43 outcomes missing: 1 participant not yet in the Part B ITT population'
    >>> missing_outcomes("43", ["SH01-039", "SH01-040"], 0)
    '2 of the 43 outcomes missing: 2 not yet known (SH01-039, SH01-040)'
    """
    parts = [f"{len(pending)} not yet known ({', '.join(pending)})"] if pending else []
    if more:
        parts.append(f"{more} participant{'' if more == 1 else 's'} not yet in the Part B ITT population")
    return f"{len(pending) + more} of the {of} outcomes missing: {', '.join(parts)}"


def protocol_boin(protocol: Protocol) -> BoinDesign:
    """The protocol's BOIN design (``dose_finding.design``)."""
    return boin_design_of(protocol.dose_finding.design)


def dlt_known(*, protocol: Protocol, facts: Facts, as_of: dt.date) -> DltKnown:
    """When a Part A participant's DLT outcome became known, by the rule of the module
    docstring; ``as_of`` is the data cut-off."""
    f = facts
    dlt_onsets = [ae.onset_date for ae in f.adverse_events if ae.dlt]
    if dlt_onsets:
        return DltKnown(f.id, True, True, min(dlt_onsets), "onset of the first DLT")
    status, why = dlt_status(protocol, f)
    window_end = status.window.end
    if status.evaluable and window_end is not None:
        return DltKnown(f.id, True, False, window_end, "end of the DLT window")
    ends = [(when, what) for when, what in ((f.death_date, "death"),
                                            (f.participant.off_study_date, "off study"),
                                            (end_of_treatment_date(f), "end of treatment"))
            if when is not None]
    if window_end is not None and window_end <= as_of:
        ends.append((window_end, "end of the DLT window"))
    if not ends:
        return DltKnown(f.id, False, False, None, f"pending: {why}")
    when, what = min(ends, key=lambda item: item[0])
    return DltKnown(f.id, False, False, when, f"not evaluable ({why}): {what}")


def _cohort_groups(protocol: Protocol, part_a: Sequence[str],
                   facts: Mapping[str, Facts]) -> list[tuple[str, list[str]]]:
    levels = {level.id for level in protocol.dose_finding.levels}
    size = protocol.dose_finding.design.cohort_size
    groups: list[tuple[str, list[str]]] = []
    for pid in registration_order(part_a, facts):
        level = facts[pid].participant.dose_level
        if level not in levels:
            continue
        if groups and groups[-1][0] == level and len(groups[-1][1]) < size:
            groups[-1][1].append(pid)
        else:
            groups.append((str(level), [pid]))
    return groups


def boin_cohorts(*, protocol: Protocol, part_a: Sequence[str], facts: Mapping[str, Facts],
                 as_of: dt.date) -> tuple[BoinCohort, ...]:
    """The Part A cohorts in order and the BOIN decision after each (module docstring).

    Parameters
    ----------
    protocol
        Its ``dose_finding`` section gives the levels, the cohort size and the design.
    part_a
        The registered Part A participants.
    facts
        Every participant's facts at the cut-off.
    as_of
        The data cut-off.
    """
    df = protocol.dose_finding
    ids = [level.id for level in df.levels]
    design = protocol_boin(protocol)
    d = df.design
    n, y = [0] * len(ids), [0] * len(ids)
    eliminated: tuple[bool, ...] = (False,) * len(ids)
    decided_so_far, stopped = True, 0
    cohorts = []
    for number, (level, members) in enumerate(_cohort_groups(protocol, part_a, facts), start=1):
        outcomes = tuple(dlt_known(protocol=protocol, facts=facts[pid], as_of=as_of) for pid in members)
        known = [o for o in outcomes if o.on is not None]
        pending = tuple(o.participant_id for o in outcomes if o.on is None)
        current = ids.index(level)
        for o in known:
            n[current] += o.evaluable
            y[current] += o.dlt
        dated = [o.on for o in known if o.on is not None]
        full = len(members) == d.cohort_size
        complete = not pending and full
        decided_so_far = decided_so_far and complete
        action = next_level = selected = None
        code: CohortDecisionReason | None = None
        params: Params = ()
        if stopped:
            code, params = CohortDecisionReason.AFTER_STOP, (("stopped", str(stopped)),)
        elif not full:
            code = CohortDecisionReason.INCOMPLETE
            params = (("registered", str(len(members))), ("size", str(d.cohort_size)))
        elif decided_so_far:
            decision = design.decide(DoseState(tuple(n), tuple(y), current, eliminated))
            eliminated = decision.eliminated or eliminated
            action = decision.action.value
            if decision.reason is not None:
                code, params = CohortDecisionReason.DESIGN, (("reason", str(decision.reason)),)
            if decision.action is Action.STOP:
                selected = decision.selected
            elif number >= d.max_cohorts:
                chosen = select_mtd_of(d, n=n, dlt=y, eliminated=eliminated)
                action, selected = Action.STOP.value, chosen.selected
                code, params = CohortDecisionReason.MAX_COHORTS, (("max", str(d.max_cohorts)),)
            elif decision.next_dose is not None:
                next_level = ids[decision.next_dose]
            stopped = number if action == Action.STOP.value else 0
        reason = None if code is None else reason_english(protocol, code, params)
        cohorts.append(BoinCohort(
            number=number, dose_level=level, participant_ids=tuple(members), outcomes=outcomes,
            evaluable=sum(o.evaluable for o in known), dlts=sum(o.dlt for o in known), n=tuple(n),
            dlt=tuple(y), known_on=max(dated) if complete and dated else None, pending_ids=pending,
            action=action, next_level=next_level,
            selected_level=None if selected is None else ids[selected], reason=reason,
            eliminated=tuple(lv for lv, flag in zip(ids, eliminated, strict=True) if flag),
            reason_code=code, reason_params=params))
    return tuple(cohorts)


def dose_finding_status(protocol: Protocol, part_a: Sequence[str], evaluable: Sequence[str],
                        facts: Mapping[str, Facts], *, cohorts: Sequence[BoinCohort]) -> DoseFindingStatus:
    """BOIN at the cut-off (module docstring); ``cohorts`` is :func:`boin_cohorts`."""
    df = protocol.dose_finding
    d = df.design
    design = protocol_boin(protocol)
    ids = [level.id for level in df.levels]
    n = tuple(sum(1 for p in evaluable if facts[p].participant.dose_level == lid) for lid in ids)
    dlt = tuple(sum(1 for p in evaluable if facts[p].participant.dose_level == lid
                    and any(ae.dlt for ae in facts[p].adverse_events)) for lid in ids)
    ordered = [p for p in registration_order(part_a, facts) if facts[p].participant.dose_level in ids]
    current = str(facts[ordered[-1]].participant.dose_level) if ordered else None
    decided = next((c for c in reversed(cohorts) if c.action is not None), None)
    eliminated_ids = set(decided.eliminated) if decided is not None else set()
    selection = select_mtd_of(d, n=n, dlt=dlt, eliminated=[lid in eliminated_ids for lid in ids])
    selected = decided.selected_level if decided is not None and decided.action == Action.STOP.value else None
    if decided is None:
        selection_reason = "no Part A cohort with every DLT outcome known yet: no BOIN decision"
    elif decided.action == Action.STOP.value:
        selection_reason = (f"the design stopped after cohort {decided.number} ({decided.reason}): "
                            + (f"dose level {selected} selected (isotonic estimate closest to the target)"
                               if selected is not None else "no dose selected"))
    else:
        selection_reason = f"BOIN {decided.action} after cohort {decided.number}: no dose selected yet"
    pending = tuple(pid for c in cohorts for pid in c.pending_ids)
    agent = df.explored_agents[0]
    levels = tuple(BoinLevel(
        level.id, f"{level.doses.get(agent, '')} {level.unit}",
        sum(1 for p in part_a if facts[p].participant.dose_level == level.id), n[i], dlt[i],
        selection.estimates[i], selection.eliminated[i]) for i, level in enumerate(df.levels))
    return DoseFindingStatus(levels, current, decided.action if decided else None,
                             decided.next_level if decided else None, decided.reason if decided else None,
                             selected, selection_reason, design.lambda_e, design.lambda_d,
                             decided.number if decided else None, pending)


def simon_stage1(*, protocol: Protocol, part_b_itt: Sequence[str], facts: Mapping[str, Facts]) -> SimonStage1:
    """The Simon stage-1 look on the first ``n1`` Part B ITT participants (module docstring).

    Parameters
    ----------
    protocol
        Its ``statistics.primary`` gives ``n1``, ``r1``, ``n`` and ``r``.
    part_b_itt
        The Part B ITT participants (any order; they are put in registration order).
    facts
        Every participant's facts at the cut-off.
    """
    s = protocol.statistics.primary
    n1, r1 = s.stage1.n, s.stage1.r
    first = registration_order(part_b_itt, facts)[:n1]
    known = {pid: outcome_known(facts[pid]) for pid in first}
    r0 = tuple(pid for pid in first if known[pid] is not None and r0_status(facts[pid])[0])
    pending = tuple(pid for pid in first if known[pid] is None)
    more = n1 - len(first)
    missing = more + len(pending)
    rule = (f"continue to stage 2 if more than {r1} R0 resections among the first {n1} Part B ITT "
            f"participants; stop for futility otherwise")
    if missing:
        reasons = [missing_outcomes(f"{n1} stage-1", pending, more)]
        if len(r0) > r1:
            reasons.append(f"already {len(r0)} R0 > r1 = {r1}: continuing to stage 2 is certain")
        elif len(r0) + missing <= r1:
            reasons.append(f"even if every missing outcome is R0, stage 1 ends with {len(r0) + missing} "
                           f"<= r1 = {r1}: futility is certain")
        return SimonStage1(n1, r1, rule, tuple(first), r0, pending, more, missing, len(r0), NOT_YET,
                           None, (), tuple(reasons))
    # At n1 the design says "stop for futility" or "continue stage 2".
    design = simon_design_of(s)
    decision = simon_decide(r1=design.r1, n1=design.n1, r=design.r, n=design.n, responses=len(r0),
                            enrolled=n1)
    dates = {pid: k.on for pid, k in known.items() if k is not None}
    undated = [pid for pid, when in dates.items() if when is None]
    reasons = list(decision.reasons)
    look_date: dt.date | None = None
    last: tuple[str, ...] = ()
    if undated:
        reasons.append(f"the date an outcome became known is not recorded for {', '.join(undated)}: "
                       "the look's date is unknown")
    else:
        look_date = max(when for when in dates.values() if when is not None)
        last = tuple(pid for pid, when in dates.items() if when == look_date)
    return SimonStage1(n1, r1, rule, tuple(first), r0, (), 0, 0, len(r0), decision.action.value, look_date,
                       last, tuple(reasons))
