"""The visit a dated record belongs to, for records that do not name their visit.

Lab results, tumour assessments and operations carry a date, not a visit. Such a record
belongs to the participant's visit on the same date whose protocol visit lists (in
``forms`` or ``optional_forms``) a form that collects such records; when several do, the
first in protocol order (then occurrence). None: VISITNUM and VISIT stay empty (a lab drawn
between visits). VISITNUM and VISIT themselves are :mod:`.visits`' (the numbering SV and TV
use).

References
----------
SDTMIG 3.4 §4.4.5 (VISITNUM, VISIT).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from hipectrial.data import TrialData, Visit
from hipectrial.export.sdtm.model import Core, Value, Variable
from hipectrial.export.sdtm.variables import visit, visitnum
from hipectrial.export.sdtm.visits import visit_name, visit_number
from hipectrial.protocol import Protocol

MATCH_RULE = ("a record without a visit of its own takes the subject's visit on the same date whose "
              "protocol visit collects such records (the first in protocol order), else null")


@dataclass(frozen=True, slots=True)
class VisitLabel:
    """A visit occurrence as SDTM names it."""

    number: int
    name: str


class VisitIndex:
    """Every participant's visits, by date, for matching dated records to a visit."""

    def __init__(self, protocol: Protocol, visits: Iterable[Visit]) -> None:
        self._protocol = protocol
        self._position = {v.id: i for i, v in enumerate(protocol.visits)}
        self._forms = {v.id: frozenset((*v.forms, *v.optional_forms)) for v in protocol.visits}
        self._labels: dict[tuple[str, int], VisitLabel] = {}  # one build's lookups, not global
        self._by_date: dict[tuple[str, dt.date], list[Visit]] = defaultdict(list)
        for occurrence in visits:
            if occurrence.actual_date is not None:
                self._by_date[(occurrence.participant_id, occurrence.actual_date)].append(occurrence)

    def label(self, visit_id: str, repeat: int) -> VisitLabel:
        """VISITNUM and VISIT of occurrence ``repeat`` of protocol visit ``visit_id``."""
        key = (visit_id, repeat)
        if key not in self._labels:
            self._labels[key] = VisitLabel(visit_number(self._protocol, visit_id, repeat),
                                           visit_name(self._protocol, visit_id, repeat))
        return self._labels[key]

    def on_date(self, participant_id: str, date: dt.date, forms: Collection[str]) -> VisitLabel | None:
        """The visit of a record dated ``date`` collected on one of ``forms`` (see module)."""
        candidates = [v for v in self._by_date.get((participant_id, date), ())
                      if v.visit_id in self._forms and self._forms[v.visit_id] & set(forms)]
        if not candidates:
            return None
        first = min(candidates, key=lambda v: (self._position[v.visit_id], v.repeat))
        return self.label(first.visit_id, first.repeat)


def visit_index(trial: TrialData, protocol: Protocol) -> VisitIndex:
    return VisitIndex(protocol, trial.visits)


def visit_values(label: VisitLabel | None) -> dict[str, Value]:
    """VISITNUM and VISIT of a record (both empty without a visit)."""
    if label is None:
        return {"VISITNUM": None, "VISIT": None}
    return {"VISITNUM": label.number, "VISIT": label.name}


def visit_variables(core: Core = Core.EXP, *, matched: bool = True) -> tuple[Variable, Variable]:
    """VISITNUM (``core`` as the domain's specification gives it) and VISIT (Perm); for a
    domain whose records are matched to visits by date, the derivation says how."""
    number, name = visitnum(core), visit()
    if not matched:
        return number, name
    return (Variable(number.name, number.label, number.type, number.core, number.role, number.origin,
                     derivation=f"{number.derivation} For {MATCH_RULE}."),
            Variable(name.name, name.label, name.type, name.core, name.role, name.origin,
                     derivation=f"{name.derivation} For {MATCH_RULE}."))
