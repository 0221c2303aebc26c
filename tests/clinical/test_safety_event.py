"""The Part B safety-monitoring event of one participant (protocol-decisions.md §Study)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hipectrial.clinical.safety_event import (
    fatal_event,
    severe_toxicity,
    treatment_related_death,
)
from hipectrial.clinical.surgery.rules import ClavienDindo

DAY = dt.date(2026, 3, 1)


@dataclass(frozen=True)
class Ae:
    grade: int
    related_agents: tuple[str, ...] = ("oxaliplatin",)
    outcome: str | None = None
    onset_date: dt.date = DAY


@dataclass(frozen=True)
class Complication:
    grade: ClavienDindo


@dataclass(frozen=True)
class Operation:
    complications: tuple[Complication, ...] = field(default_factory=tuple)


def _rule(*aes: Ae, ops: tuple[Operation, ...] = (), died: bool = False, cause: str | None = None) -> bool:
    return severe_toxicity(adverse_events=aes, operations=ops, died=died, cause_of_death=cause).met


def test_grade_4_related_counts_and_grade_3_or_unrelated_do_not() -> None:
    assert _rule(Ae(4))
    assert not _rule(Ae(3))
    assert not _rule(Ae(4, related_agents=()))


def test_related_grade_5_counts_once_as_the_death_of_who_died() -> None:
    alive = severe_toxicity(adverse_events=[Ae(5)], operations=[], died=False, cause_of_death=None)
    assert alive.related_aes == (0,)
    assert alive.death is None
    dead = severe_toxicity(adverse_events=[Ae(5)], operations=[], died=True, cause_of_death=None)
    assert dead.related_aes == ()
    assert dead.death is not None
    assert dead.death.fatal_related == (0,)


def test_death_counts_by_cause_or_related_fatal_outcome_only() -> None:
    assert _rule(died=True, cause="treatment_toxicity")
    assert not _rule(died=True, cause="disease_progression")
    assert _rule(Ae(3, outcome="fatal"), died=True)
    assert not _rule(Ae(5, related_agents=()), died=True, cause="disease_progression")
    # a cause given without a death does not make one
    assert not _rule(died=False, cause="treatment_toxicity")


def test_clavien_dindo_iiib_and_worse_count_iiia_does_not() -> None:
    assert _rule(ops=(Operation((Complication(ClavienDindo.IIIB),)),))
    assert _rule(ops=(Operation(()), Operation((Complication(ClavienDindo.V),))))
    assert not _rule(ops=(Operation((Complication(ClavienDindo.IIIA),)),))
    found = severe_toxicity(adverse_events=[], died=False, cause_of_death=None,
                            operations=[Operation((Complication(ClavienDindo.I),)),
                                        Operation((Complication(ClavienDindo.II), Complication(ClavienDindo.IVA)))])
    assert found.complications == ((1, 1),)


def test_fatal_event_is_grade_5_or_outcome_fatal() -> None:
    assert fatal_event(Ae(5))
    assert fatal_event(Ae(2, outcome="fatal"))
    assert not fatal_event(Ae(4, outcome="recovered"))
    why = treatment_related_death(adverse_events=[Ae(2), Ae(5, related_agents=()), Ae(4, outcome="fatal")],
                                  cause_of_death=None)
    assert why.fatal_related == (2,)
    assert not why.by_cause
    assert why.met
