"""Where each registered participant stands at the cut-off: treatment and follow-up status.

Counts per study group (:func:`~hipectrial.analysis.populations.study_groups`), each with the
participants behind it. Categories, in the protocol's words
(:class:`~hipectrial.analysis.labels.Labels`):

* **Treatment** — *never treated* (no dose given); *on treatment* (treated, alive, no
  ``off_treatment_date``); *off treatment: <end-of-treatment reason>*; *died without an
  end-of-treatment record* (treated, dead, no ``off_treatment_date``: a record to complete).
* **Follow-up** — *dead*; *off study: <end-of-study reason>* (consent withdrawn, lost to
  follow-up, completed follow-up, …) for those alive; *in follow-up* (alive, not off study).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from hipectrial.analysis.facts import Facts
from hipectrial.analysis.labels import Labels
from hipectrial.analysis.populations import StudyGroup

NEVER_TREATED = "never treated"
ON_TREATMENT = "on treatment"
DIED_ON_TREATMENT = "died without an end-of-treatment record"
DEAD = "dead"
IN_FOLLOW_UP = "in follow-up"


@dataclass(frozen=True, slots=True)
class StatusCount:
    group_id: str
    participant_ids: tuple[str, ...]

    @property
    def n(self) -> int:
        return len(self.participant_ids)


@dataclass(frozen=True, slots=True)
class StatusRow:
    """One category and, per study group (in group order), who is in it."""

    category: str
    counts: tuple[StatusCount, ...]


@dataclass(frozen=True, slots=True)
class ParticipantStatus:
    """Treatment and follow-up status by study group; ``groups`` are the group ids in order."""

    groups: tuple[str, ...]
    treatment: tuple[StatusRow, ...]
    follow_up: tuple[StatusRow, ...]


def treatment_status(f: Facts, labels: Labels) -> str:
    """The treatment category of one registered participant (module docstring)."""
    if not f.treated:
        return NEVER_TREATED
    code = f.participant.off_treatment_reason
    if f.participant.off_treatment_date is not None:
        reason = labels.field("off_treatment_reason", code) if code else "reason not recorded"
        return f"off treatment: {reason}"
    return DIED_ON_TREATMENT if f.death_date is not None else ON_TREATMENT


def follow_up_status(f: Facts, labels: Labels) -> str:
    """The follow-up category of one registered participant (module docstring)."""
    if f.death_date is not None:
        return DEAD
    code = f.participant.off_study_reason
    if f.participant.off_study_date is not None:
        reason = labels.field("off_study_reason", code) if code else "reason not recorded"
        return f"off study: {reason}"
    return IN_FOLLOW_UP


def _rows(groups: Sequence[StudyGroup], facts: Mapping[str, Facts],
          categorise: Callable[[Facts], str], first: Sequence[str]) -> tuple[StatusRow, ...]:
    every = groups[-1].participant_ids  # the last group holds every registered participant
    category = {pid: categorise(facts[pid]) for pid in every}
    seen = set(category.values())
    order = [c for c in first if c in seen] + sorted(seen - set(first))
    return tuple(StatusRow(c, tuple(StatusCount(g.id, tuple(p for p in g.participant_ids if category[p] == c))
                                    for g in groups))
                 for c in order)


def participant_status(groups: Sequence[StudyGroup], facts: Mapping[str, Facts],
                       labels: Labels) -> ParticipantStatus:
    """Treatment and follow-up status of every registered participant, by study group.

    ``groups`` must end with the group of all registered participants (as
    :func:`~hipectrial.analysis.populations.study_groups` gives them).
    """
    return ParticipantStatus(
        tuple(g.id for g in groups),
        _rows(groups, facts, lambda f: treatment_status(f, labels), (ON_TREATMENT, NEVER_TREATED)),
        _rows(groups, facts, lambda f: follow_up_status(f, labels), (IN_FOLLOW_UP, DEAD)))
