"""Surgical endpoints: R0 resection, conversion surgery, pCR, TRG, morbidity, mortality.

Rules (protocol-decisions.md §Endpoints; clinical.md §5.4-5.5, §6;
docs/trialdata-conventions.md "Operations and disease"):

* **R0 resection** — a ``conversion_surgery_hipec`` operation with ``r_status`` R0,
  ``cc_score`` CC-0 and cytology CY0 at surgery (the ``laparotomy`` assessment on the
  surgery date). CY1 at surgery counts as R1; missing (or CYX) cytology is not counted as
  R0 and the participant is listed. Denominators: ITT (primary) and operated.
* **Conversion surgery** — a ``conversion_surgery_hipec`` operation, over ITT.
* ITT participants without surgery are non-events; those whose surgery decision is still
  open at the cut-off (:func:`surgery_decided` false) are listed.
* **pCR** — ``Pathology.pcr`` is true (the one source, conventions); pathology missing or
  ``pcr`` unknown is a non-event and listed. Over operated and ITT.
* **TRG** — Becker ``regression_grade`` of the conversion-surgery pathology (1a, 1b, 2, 3;
  ``missing`` otherwise).
* **Surgical morbidity** — worst Clavien-Dindo grade of the complications recorded on the
  operation with onset within ``at_days`` days of it (day 0 = operation); ``none`` when
  none. After conversion surgery (operated) and after the day-0 HIPEC operation (ITT).
* **Mortality at N days** — death from any cause within N days of the day-0 HIPEC (ITT) or
  of conversion surgery (operated). A participant alive but not known alive N days after
  the operation is undetermined: listed and left out of the denominator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from hipectrial.analysis.facts import MDT_SURGERY, REEVALUATION_VISIT, Facts
from hipectrial.analysis.labels import Labels
from hipectrial.analysis.results import (
    BinaryValue,
    CategoricalValue,
    ParticipantCategory,
    ParticipantNote,
    binary_value,
    categorical_value,
)
from hipectrial.clinical.course import R0Count, R0Reason, r0_as_counted
from hipectrial.data import ClavienDindo, Surgery
from hipectrial.protocol.endpoints import Population

TRG_CATEGORIES = ("1a", "1b", "2", "3", "missing")
CD_CATEGORIES = ("none", *(g.value for g in ClavienDindo))
END_OF_TREATMENT_VISIT = "end-of-treatment"


@dataclass(frozen=True, slots=True)
class OutcomeKnown:
    """When and by what a participant's conversion-surgery (R0) outcome became known.

    ``on`` is ``None`` when what settled it carries no date in the records;
    ``mdt_decision`` is the decision's code when an MDT decision settled it.
    """

    on: dt.date | None
    by: str
    mdt_decision: str | None = None


def _mdt_date(f: Facts) -> dt.date | None:
    """The date of the MDT decision: the ``mdt_date`` of the ``reevaluation`` form that
    carries it, else that form's ``reeval_date``, else the ``reevaluation`` visit's date."""
    for values in f.form_values("reevaluation"):
        if not isinstance(values.get("mdt_decision"), str):
            continue  # Facts.mdt_decision is the first form's that has a decision
        for field in ("mdt_date", "reeval_date"):
            value = values.get(field)
            if isinstance(value, dt.date):
                return value
        break
    return min((v.actual_date for v in f.visits if v.visit_id == REEVALUATION_VISIT
                and v.actual_date is not None), default=None)


def end_of_treatment_date(f: Facts) -> dt.date | None:
    """The date the end of treatment was recorded: the ``end_of_treatment`` form's
    ``eot_date``, else the ``end-of-treatment`` visit's date; ``None`` when neither is
    recorded (``Participant.off_treatment_date`` is the last dose date, which comes before
    the end of treatment is known)."""
    for values in f.form_values("end_of_treatment"):
        value = values.get("eot_date")
        if isinstance(value, dt.date):
            return value
    return min((v.actual_date for v in f.visits if v.visit_id == END_OF_TREATMENT_VISIT
                and v.actual_date is not None), default=None)


def outcome_known(f: Facts) -> OutcomeKnown | None:
    """When the participant's conversion-surgery (R0) outcome became known; ``None`` while
    it is still open at the cut-off.

    Operated: the conversion-surgery date (its R status, CC score and cytology are
    recorded on that day). Not operated: the earliest date that settles that there will be
    no conversion surgery — an MDT decision other than surgery (the ``reevaluation`` form's
    ``mdt_date``, else ``reeval_date``, else the ``reevaluation`` visit date), progression,
    death, off study, off treatment (the day the end of treatment was recorded,
    :func:`end_of_treatment_date`: ``off_treatment_date`` is the last dose date, which comes
    before anyone knew treatment had ended, and is used only when nothing else dates the
    outcome), or the first dose in a not-operated phase (``Facts.not_operated_start``: the
    phases whose ``branch`` is ``not_operated``). ``by`` names what settled it.
    """
    s = f.conversion_surgery
    if s is not None:
        return OutcomeKnown(s.date, "conversion surgery")
    p = f.participant
    settled: list[tuple[dt.date | None, str]] = []
    if f.mdt_decision is not None and f.mdt_decision != MDT_SURGERY:
        settled.append((_mdt_date(f), f"MDT decision {f.mdt_decision}"))
    for when, what in ((f.progression_date, "progression"), (f.death_date, "death"),
                       (p.off_study_date, "off study")):
        if when is not None:
            settled.append((when, what))
    if p.off_treatment_date is not None:
        settled.append((end_of_treatment_date(f), "off treatment"))
    if f.not_operated_start is not None:
        settled.append((f.not_operated_start, "first dose in a not-operated phase"))
    if not settled:
        return None
    dated = [(when, what) for when, what in settled if when is not None]
    if not dated:
        if p.off_treatment_date is not None:
            return OutcomeKnown(p.off_treatment_date, "off treatment (no end-of-treatment date recorded: "
                                                      "the last dose date)")
        what = settled[0][1]
        return OutcomeKnown(None, what, f.mdt_decision if what.startswith("MDT decision") else None)
    when, what = min(dated, key=lambda item: item[0])
    mdt = f.mdt_decision if what.startswith("MDT decision") else None
    return OutcomeKnown(when, what, mdt)


def not_operated_cause(f: Facts, labels: Labels) -> str | None:
    """What settled that a participant will have no conversion surgery (:func:`outcome_known`),
    in the protocol's words — "MDT decision: Continue systemic therapy (not operated)",
    "died", "progression", "off treatment", … —; ``None`` while the decision is open."""
    known = outcome_known(f)
    if known is None:
        return None
    if known.mdt_decision is not None:
        return f"MDT decision: {labels.field('mdt_decision', known.mdt_decision)}"
    return "died" if known.by == "death" else known.by


def not_operated_reason(f: Facts, labels: Labels) -> str:
    """Why a participant has had no conversion surgery, with the date it was settled — e.g.
    "not operated: MDT decision: Continue systemic therapy (not operated), 2028-03-04" — or
    that the decision is still open."""
    cause = not_operated_cause(f, labels)
    if cause is None:
        return "not operated: surgery decision pending at the cut-off"
    known = outcome_known(f)
    dated = f", {known.on.isoformat()}" if known is not None and known.on is not None else ""
    return f"not operated: {cause}{dated}"


def surgery_decided(f: Facts) -> bool:
    """Whether the participant's conversion-surgery outcome is settled at the cut-off
    (:func:`outcome_known` gives when and by what)."""
    return outcome_known(f) is not None


def r0_status(f: Facts) -> tuple[bool, str]:
    """(R0 resection, why) for one participant: :func:`hipectrial.clinical.course.r0_as_counted`
    on the conversion surgery's R status and CC score and the cytology at surgery, its reason
    in words."""
    s = f.conversion_surgery
    count = r0_as_counted(operated=s is not None, r_status=s.r_status if s else None,
                          cc_score=s.cc_score if s else None, cytology=f.surgery_cytology)
    return count.counted, _R0_WORDS[count.reason](count)


_R0_WORDS: Mapping[R0Reason, Callable[[R0Count], str]] = {
    R0Reason.R0: lambda c: "R0, CC-0, CY0",
    R0Reason.NOT_OPERATED: lambda c: "no conversion surgery",
    R0Reason.R_STATUS_MISSING: lambda c: "R status missing",
    R0Reason.NOT_R0: lambda c: str(c.r_status),
    R0Reason.CC_MISSING: lambda c: "R0 recorded but CC score missing: not R0",
    R0Reason.CC_NOT_CC0: lambda c: f"R0 recorded but {c.cc_score}: not R0",
    R0Reason.CY1_AT_SURGERY: lambda c: "R0 recorded but CY1 at surgery: counts as R1",
    R0Reason.CYTOLOGY_NOT_DONE: lambda c: (f"R0 recorded but cytology at surgery {c.cytology}: "
                                           "not counted as R0"),
    R0Reason.CYTOLOGY_MISSING: lambda c: "R0 recorded but cytology at surgery missing: not counted as R0",
}


# How a participant whose surgery decision is still open counts in the surgical endpoints.
PENDING_SURGERY = "surgery decision pending at the cut-off, counted as not operated"


def _pending(ids: Sequence[str], facts: Mapping[str, Facts]) -> list[str]:
    return [pid for pid in ids if not surgery_decided(facts[pid])]


def _pending_notes(ids: Sequence[str], facts: Mapping[str, Facts]) -> list[ParticipantNote]:
    return [ParticipantNote(pid, PENDING_SURGERY) for pid in _pending(ids, facts)]


def r0_reason(f: Facts, labels: Labels) -> str:
    """Why a participant is or is not counted as an R0 resection, for listings."""
    s = f.conversion_surgery
    if s is None:
        return not_operated_reason(f, labels)
    return f"conversion surgery {s.date.isoformat()}: {r0_status(f)[1]}"


def r0_value(population: str, ids: Sequence[str], facts: Mapping[str, Facts],
             conf_level: float, labels: Labels) -> BinaryValue:
    """R0 resections among ``ids``; participants operated but not R0 for a reason other than
    the R status (CY1, missing cytology, CC score) and those still pending are listed."""
    status = {pid: r0_status(facts[pid]) for pid in ids}
    notes = [ParticipantNote(pid, why) for pid, (ok, why) in status.items()
             if not ok and ("recorded but" in why or "missing" in why)]
    notes += _pending_notes(ids, facts)
    return binary_value(population=population, numerator=[p for p, (ok, _) in status.items() if ok],
                        denominator=ids, notes=notes, conf_level=conf_level,
                        reasons={pid: r0_reason(facts[pid], labels) for pid in ids},
                        pending=_pending(ids, facts), pending_rule=PENDING_SURGERY)


def conversion_value(population: str, ids: Sequence[str], facts: Mapping[str, Facts],
                     conf_level: float, labels: Labels) -> BinaryValue:
    reasons = {pid: (f"conversion surgery {s.date.isoformat()}" if (s := facts[pid].conversion_surgery)
                     else not_operated_reason(facts[pid], labels)) for pid in ids}
    return binary_value(population=population,
                        numerator=[pid for pid in ids if facts[pid].conversion_surgery is not None],
                        denominator=ids, notes=_pending_notes(ids, facts), conf_level=conf_level,
                        reasons=reasons, pending=_pending(ids, facts), pending_rule=PENDING_SURGERY)


def pcr_value(population: str, ids: Sequence[str], facts: Mapping[str, Facts],
              conf_level: float) -> BinaryValue:
    events, notes = [], []
    reasons: dict[str, str] = {}
    for pid in ids:
        s = facts[pid].conversion_surgery
        if s is None:
            reasons[pid] = "not operated"
            continue
        staged = " ".join(v for v in (s.pathology.ypt, s.pathology.ypn) if v) if s.pathology else ""
        if s.pathology is None or s.pathology.pcr is None:
            notes.append(ParticipantNote(pid, "operated without a recorded pCR: counted as no pCR"))
            reasons[pid] = "pathological response not recorded"
        elif s.pathology.pcr:
            events.append(pid)
            reasons[pid] = f"pCR ({staged})" if staged else "pCR"
        else:
            reasons[pid] = f"residual tumour ({staged})" if staged else "no pCR"
    return binary_value(population=population, numerator=events, denominator=ids, notes=notes,
                        conf_level=conf_level, reasons=reasons)


def trg_value(population: str, ids: Sequence[str], facts: Mapping[str, Facts]) -> CategoricalValue:
    assigned, notes = [], []
    for pid in ids:
        s = facts[pid].conversion_surgery
        grade = s.pathology.regression_grade if s is not None and s.pathology is not None else None
        category = grade if grade in TRG_CATEGORIES else "missing"
        if category == "missing":
            notes.append(ParticipantNote(pid, f"Becker TRG {grade or 'not recorded'}: counted as missing"))
        assigned.append(ParticipantCategory(pid, category, f"Becker TRG {grade or 'missing'}"))
    return categorical_value(population=population, label="Becker TRG of the resected primary",
                             categories=TRG_CATEGORIES, assigned=assigned, notes=notes)


def worst_complication(s: Surgery, at_days: int, labels: Labels) -> tuple[str, str]:
    """(worst Clavien-Dindo grade within ``at_days`` of the operation or ``none``, detail)."""
    within = [c for c in s.complications if (c.onset_date - s.date).days <= at_days]
    if not within:
        return "none", f"no complication within {at_days} days of {s.date.isoformat()}"
    worst = max(within, key=lambda c: c.grade.rank)
    return worst.grade.value, (f"{worst.description} on day {(worst.onset_date - s.date).days} "
                               f"after the {labels.field('procedure', s.procedure).lower()} "
                               f"({len(within)} complication{'' if len(within) == 1 else 's'})")


def morbidity_value(population: str, label: str, ids: Sequence[str], facts: Mapping[str, Facts],
                    at_days: int, day0: bool, labels: Labels) -> CategoricalValue:
    assigned, notes = [], []
    for pid in ids:
        f = facts[pid]
        s = f.day0_surgery if day0 else f.conversion_surgery
        if s is None:
            notes.append(ParticipantNote(pid, "no operation record: not counted"))
            continue
        known = f.death_date or f.last_known_alive
        if f.death_date is None and (known is None or (known - s.date).days < at_days):
            # a death ends the follow-up: its complications up to then are all there will be
            notes.append(ParticipantNote(pid, f"followed fewer than {at_days} days after the operation"))
        grade, detail = worst_complication(s, at_days, labels)
        assigned.append(ParticipantCategory(pid, grade, detail))
    return categorical_value(population=population, label=label, categories=CD_CATEGORIES,
                             assigned=assigned, notes=notes)


def mortality_anchor(f: Facts, population: Population | str) -> dt.date | None:
    """The day mortality counts from: conversion surgery for the operated population, the
    day-0 HIPEC otherwise (:func:`mortality_anchor_name` says it in words)."""
    if Population(population) is Population.OPERATED:
        return f.conversion_surgery.date if f.conversion_surgery is not None else None
    return f.hipec_date


def mortality_anchor_name(population: Population | str) -> str:
    """What :func:`mortality_anchor` counts from, in words."""
    return "conversion surgery" if Population(population) is Population.OPERATED else "the day-0 HIPEC"


def mortality_value(population: str, ids: Sequence[str], anchors: Mapping[str, dt.date | None],
                    facts: Mapping[str, Facts], at_days: int, conf_level: float) -> BinaryValue:
    deaths, denominator, notes = [], [], []
    reasons: dict[str, str] = {}
    for pid in ids:
        f, anchor = facts[pid], anchors.get(pid)
        if anchor is None:
            notes.append(ParticipantNote(pid, "no anchor date (operation): left out"))
            continue
        if f.death_date is not None:
            denominator.append(pid)
            days = (f.death_date - anchor).days
            if days <= at_days:
                deaths.append(pid)
            reasons[pid] = f"died {days} days after {anchor.isoformat()}"
        elif f.last_known_alive is not None and (f.last_known_alive - anchor).days >= at_days:
            denominator.append(pid)
            reasons[pid] = f"alive {(f.last_known_alive - anchor).days} days after {anchor.isoformat()}"
        else:
            notes.append(ParticipantNote(pid, f"alive, not yet known alive {at_days} days after "
                                              f"{anchor.isoformat()}: undetermined, left out"))
    return binary_value(population=population, numerator=deaths, denominator=denominator, notes=notes,
                        conf_level=conf_level, reasons=reasons)
