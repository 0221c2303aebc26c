"""Deaths: a listing, their classification and a summary a safety board reads.

Rules (clinical.md §6 "Safety"; protocol-decisions.md §Endpoints and §Study; CTCAE v5.0;
docs/trialdata-conventions.md "Progression, death, follow-up"):

* **A death** is a :class:`~hipectrial.data.FollowUp` with ``death_date``; one per
  participant, the earliest date when several contacts report it
  (:attr:`~hipectrial.analysis.facts.Facts.death_date`), with the cause of the first contact
  that gives one (a ``death-cause`` code).
* **Horizons** are the ``at_days`` of the protocol's ``mortality_at`` endpoints (30 and 90
  days in the seed protocol). A death is *within N days* of a date when it is 0 to N days
  after it (day N included, as in the ``mortality_at`` endpoints).
* **Anchors**: the last dose (the latest dose of any agent with ``given > 0``, HIPEC
  included); the day-0 operation (laparoscopy + HIPEC: its ``Surgery`` record, else the
  day-0 HIPEC dose date); conversion surgery. ``None`` when the participant had none.
* **Fatal adverse event**: grade 5, or outcome ``fatal`` (:func:`~.safety.fatal`).
* **Treatment-related death**: a fatal AE at least possibly related to a study agent, or
  the cause ``treatment_toxicity``; :attr:`DeathRow.treatment_related_by` says which.
* **Post-operative death**: death within the largest horizon (N = 90 days in the seed) of
  an operation (day-0 laparoscopy + HIPEC, or conversion surgery), or the cause
  ``surgical_complication``. The summary also counts deaths within each horizon of an
  operation (timing alone).
* **Data-quality notes**: CTCAE v5.0 grades a death due to an adverse event as that event
  at grade 5, so a death with cause ``treatment_toxicity`` or ``surgical_complication``, or
  within the smallest horizon (30 days) of an operation, without a fatal AE recorded is
  listed; so are a fatal AE without a recorded death, a death without a cause, contacts
  giving different death dates, and a death dated before the anchor it is measured from.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from hipectrial.analysis.facts import Facts
from hipectrial.analysis.labels import Labels
from hipectrial.analysis.populations import StudyGroup
from hipectrial.analysis.results import ParticipantNote
from hipectrial.analysis.safety import fatal
from hipectrial.clinical.safety_event import TREATMENT_TOXICITY, treatment_related_death
from hipectrial.protocol import Protocol
from hipectrial.protocol.endpoints import Derivation

# Codes of the seed code list ``death-cause`` that classify a death.
DEATH_CAUSES = "death-cause"
SURGICAL_COMPLICATION = "surgical_complication"


class DeathAnchor(StrEnum):
    """The date a death is measured from."""

    LAST_DOSE = "last_dose"
    DAY0_OPERATION = "day0_operation"
    CONVERSION_SURGERY = "conversion_surgery"
    OPERATION = "operation"  # the day-0 operation or conversion surgery, whichever the death is within


@dataclass(frozen=True, slots=True)
class DaysFrom:
    """Days from ``anchor_date`` to the death and the horizons (days) it falls within;
    ``days`` is ``None`` and ``within`` empty when there is no anchor date."""

    anchor_date: dt.date | None
    days: int | None
    within: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class FatalEvent:
    """A grade-5 (or outcome fatal) adverse event and the agents it is at least possibly related to."""

    term: str
    grade: int
    onset_date: dt.date
    related_agents: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DeathRow:
    """One death as the listing shows it (``cause`` is the ``death-cause`` code)."""

    participant_id: str
    study_part: str | None
    dose_level: str | None
    death_date: dt.date
    cause: str | None
    last_dose: DaysFrom
    day0_operation: DaysFrom
    conversion_surgery: DaysFrom
    fatal_events: tuple[FatalEvent, ...]
    treatment_related: bool
    treatment_related_by: tuple[str, ...]
    post_operative: bool
    post_operative_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DeathCount:
    """Deaths in one category (``category`` a cause code, ``""`` for no cause, or a name)."""

    category: str
    count: int
    participant_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GroupDeaths:
    """Deaths in one study group; ``n`` is the group's registered participants."""

    group_id: str
    label: str
    n: int
    count: int
    participant_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HorizonCount:
    """Deaths within ``days`` days of ``anchor``."""

    anchor: DeathAnchor
    days: int
    count: int
    participant_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DeathsSummary:
    """Totals: by cause (every code of the ``death-cause`` list in order; ``without_cause``;
    ``unknown_causes``, codes not in the list, which the notes also name), by study group,
    within each horizon of each anchor, treatment-related, post-operative."""

    horizons: tuple[int, ...]
    post_operative_days: int | None
    total: DeathCount
    by_cause: tuple[DeathCount, ...]
    without_cause: DeathCount
    unknown_causes: tuple[DeathCount, ...]
    by_group: tuple[GroupDeaths, ...]
    within: tuple[HorizonCount, ...]
    treatment_related: DeathCount
    post_operative: DeathCount

    def within_days(self, anchor: DeathAnchor, days: int) -> HorizonCount:
        """The count of deaths within ``days`` of ``anchor``; ``KeyError`` when not a horizon."""
        for h in self.within:
            if h.anchor is anchor and h.days == days:
                return h
        raise KeyError((anchor.value, days))


@dataclass(frozen=True, slots=True)
class Deaths:
    """Every death (participant order), the summary, and the data-quality notes."""

    rows: tuple[DeathRow, ...]
    summary: DeathsSummary
    notes: tuple[ParticipantNote, ...]


def mortality_horizons(protocol: Protocol) -> tuple[int, ...]:
    """The ``at_days`` of the protocol's ``mortality_at`` endpoints, smallest first.

    >>> from hipectrial.protocol import load_protocol
    >>> mortality_horizons(load_protocol())
    (30, 90)
    """
    return tuple(sorted({e.at_days for e in protocol.endpoints
                         if e.derivation is Derivation.MORTALITY_AT and e.at_days is not None}))


def day0_operation_date(f: Facts) -> dt.date | None:
    """The day-0 laparoscopy + HIPEC: its operation record's date, else the HIPEC dose date."""
    return f.day0_surgery.date if f.day0_surgery is not None else f.hipec_date


def _days_from(anchor: dt.date | None, death: dt.date, horizons: Sequence[int]) -> DaysFrom:
    if anchor is None:
        return DaysFrom(None, None, ())
    days = (death - anchor).days
    return DaysFrom(anchor, days, tuple(h for h in horizons if 0 <= days <= h))


def _fatal_events(f: Facts) -> tuple[FatalEvent, ...]:
    return tuple(FatalEvent(ae.term, ae.grade, ae.onset_date, ae.related_agents)
                 for ae in sorted(f.adverse_events, key=lambda a: a.onset_date) if fatal(ae))


def treatment_related_by(f: Facts, labels: Labels | None = None) -> tuple[str, ...]:
    """Why a participant's death counts as treatment-related (empty: it does not); agents and
    the cause in the protocol's words when ``labels`` are given, else by their ids. The rule is
    :func:`hipectrial.clinical.safety_event.treatment_related_death`."""
    def agent(agent_id: str) -> str:
        return labels.agent(agent_id) if labels is not None else agent_id

    aes = sorted(f.adverse_events, key=lambda a: a.onset_date)
    rule = treatment_related_death(adverse_events=aes, cause_of_death=f.cause_of_death)
    why = [f"grade {e.grade} {e.term} at least possibly related to {', '.join(map(agent, e.related_agents))}"
           for e in (aes[i] for i in rule.fatal_related)]
    if f.death_date is not None and rule.by_cause:
        why.append(f"cause of death: {_cause(TREATMENT_TOXICITY, labels)}")
    return tuple(why)


def _cause(code: str, labels: Labels | None) -> str:
    return labels.field("cause_of_death", code) if labels is not None else code


def _operations(row: DeathRow) -> tuple[tuple[str, DaysFrom], ...]:
    return (("the day-0 laparoscopy + HIPEC", row.day0_operation),
            ("conversion surgery", row.conversion_surgery))


def _row(f: Facts, death: dt.date, horizons: tuple[int, ...], labels: Labels) -> DeathRow:
    last = _days_from(f.last_dose_date, death, horizons)
    day0 = _days_from(day0_operation_date(f), death, horizons)
    surgery = f.conversion_surgery
    conversion = _days_from(surgery.date if surgery is not None else None, death, horizons)
    related_by = treatment_related_by(f, labels)
    row = DeathRow(f.id, f.study_part, f.participant.dose_level, death, f.cause_of_death, last, day0,
                   conversion, _fatal_events(f), bool(related_by), related_by, False, ())
    post_by = []
    if horizons:
        n = horizons[-1]
        post_by += [f"day {d.days} after {name} (within {n} days)"
                    for name, d in _operations(row) if n in d.within]
    if f.cause_of_death == SURGICAL_COMPLICATION:
        post_by.append(f"cause of death: {_cause(SURGICAL_COMPLICATION, labels)}")
    return dataclasses.replace(row, post_operative=bool(post_by), post_operative_by=tuple(post_by))


def _notes(f: Facts, row: DeathRow | None, horizons: tuple[int, ...],
           labels: Labels) -> list[ParticipantNote]:
    pid = f.id
    if row is None:
        return [ParticipantNote(pid, f"fatal adverse event {e.term} (grade {e.grade}, onset "
                                     f"{e.onset_date.isoformat()}) but no death recorded")
                for e in _fatal_events(f)]
    notes = []
    if f.registration_date is None:
        notes.append(ParticipantNote(pid, "died but was never registered: in no study group"))
    dates = sorted({u.death_date for u in f.follow_ups if u.death_date is not None})
    if len(dates) > 1:
        notes.append(ParticipantNote(pid, "follow-up contacts give different death dates ("
                                          + ", ".join(d.isoformat() for d in dates)
                                          + "): the earliest is counted"))
    if row.cause is None:
        notes.append(ParticipantNote(pid, "death without a recorded cause"))
    if not row.fatal_events:
        classifying = row.cause in (TREATMENT_TOXICITY, SURGICAL_COMPLICATION)
        why = [f"cause: {_cause(row.cause, labels)}"] if row.cause is not None and classifying else []
        if horizons:
            why += [f"day {d.days} after {name}" for name, d in _operations(row) if horizons[0] in d.within]
        if why:
            notes.append(ParticipantNote(pid, f"death ({'; '.join(why)}) but no grade-5 adverse event "
                                              "recorded (CTCAE v5.0: a death due to an adverse event is that "
                                              "event at grade 5): check the AE forms"))
    for name, d in (("the last dose", row.last_dose), *_operations(row)):
        if d.days is not None and d.days < 0:
            notes.append(ParticipantNote(pid, f"death on {row.death_date.isoformat()} is before {name} "
                                              f"on {d.anchor_date}: check the dates"))
    return notes


def _count(category: str, rows: Sequence[DeathRow]) -> DeathCount:
    return DeathCount(category, len(rows), tuple(r.participant_id for r in rows))


def _anchored(r: DeathRow) -> Mapping[DeathAnchor, tuple[DaysFrom, ...]]:
    return {DeathAnchor.LAST_DOSE: (r.last_dose,), DeathAnchor.DAY0_OPERATION: (r.day0_operation,),
            DeathAnchor.CONVERSION_SURGERY: (r.conversion_surgery,),
            DeathAnchor.OPERATION: (r.day0_operation, r.conversion_surgery)}


def _within(rows: Sequence[DeathRow], horizons: tuple[int, ...]) -> tuple[HorizonCount, ...]:
    anchored = [(r.participant_id, _anchored(r)) for r in rows]
    counts = []
    for anchor in DeathAnchor:
        for h in horizons:
            ids = tuple(pid for pid, a in anchored if any(h in d.within for d in a[anchor]))
            counts.append(HorizonCount(anchor, h, len(ids), ids))
    return tuple(counts)


def deaths(*, protocol: Protocol, facts: Mapping[str, Facts], groups: Sequence[StudyGroup]) -> Deaths:
    """Every death, its classification, the summary and the data-quality notes.

    Parameters
    ----------
    protocol
        Gives the ``death-cause`` code list and the ``mortality_at`` horizons.
    facts
        Every participant's facts (:func:`~hipectrial.analysis.facts.collect_facts`), as of the cut-off.
    groups
        The study groups (:func:`~hipectrial.analysis.populations.study_groups`); each
        group's registered participants are its denominator.

    Returns
    -------
    Deaths
        Rows in participant order; rules in the module docstring.
    """
    horizons = mortality_horizons(protocol)
    labels = Labels(protocol)
    rows: list[DeathRow] = []
    notes: list[ParticipantNote] = []
    for f in facts.values():
        row = _row(f, f.death_date, horizons, labels) if f.death_date is not None else None
        if row is not None:
            rows.append(row)
        notes += _notes(f, row, horizons, labels)
    codes = [item.code for item in protocol.codelist(DEATH_CAUSES).items]
    unknown = sorted({r.cause for r in rows if r.cause is not None and r.cause not in codes})
    for r in rows:
        if r.cause in unknown:
            notes.append(ParticipantNote(r.participant_id, f"cause of death {r.cause!r} is not a code of "
                                                           f"the protocol's {DEATH_CAUSES} code list"))
    dead = {r.participant_id for r in rows}
    by_group = []
    for g in groups:
        ids = tuple(pid for pid in g.participant_ids if pid in dead)
        by_group.append(GroupDeaths(g.id, g.label, len(g.participant_ids), len(ids), ids))
    summary = DeathsSummary(
        horizons=horizons, post_operative_days=horizons[-1] if horizons else None,
        total=_count("all deaths", rows),
        by_cause=tuple(_count(c, [r for r in rows if r.cause == c]) for c in codes),
        without_cause=_count("", [r for r in rows if r.cause is None]),
        unknown_causes=tuple(_count(c, [r for r in rows if r.cause == c]) for c in unknown),
        by_group=tuple(by_group), within=_within(rows, horizons),
        treatment_related=_count("treatment-related", [r for r in rows if r.treatment_related]),
        post_operative=_count("post-operative", [r for r in rows if r.post_operative]))
    return Deaths(tuple(rows), summary, tuple(notes))
