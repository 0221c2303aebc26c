"""VISITNUM and VISIT of a visit occurrence, and the visit a dated record belongs to.

One numbering for every domain (and for SV/TV, which must agree with it):

- ``VISITNUM`` = 1000 x (the visit's position in the protocol's ``visits``, from 1) + the
  occurrence number (``Visit.repeat``, 1 for a visit that does not repeat). Screening, the
  first visit of the seed protocol, is 1001; induction cycle 2 (the 6th visit) is 6002; the
  third unscheduled visit (the 24th) is 24003. Numbers sort as the protocol lists the visits,
  occurrences in order; an occurrence above 999 is refused (it would run into the next visit).
- ``VISIT`` = the visit's English name; for a visit with a ``repeat`` in the protocol the
  occurrence follows ("Induction cycle day 1 - cycle 2" for a per-cycle visit, "Tumour
  assessment every 6 weeks until surgery - 3" otherwise), and so it does for an event visit
  from its second occurrence ("Unscheduled visit", "Unscheduled visit - 2").

Records without a visit of their own (lab results, tumour assessments, operations) belong
to the participant's visit on the same date whose protocol visit lists (in ``forms`` or
``optional_forms``) a form that collects such records; when several do, the first in
protocol order. None: VISITNUM and VISIT stay empty (a lab drawn between visits).

References
----------
SDTMIG 3.4 §4.4.5 (VISITNUM, VISIT: "Numeric version of VISIT, used for sorting").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from hipectrial.data import TrialData, Visit
from hipectrial.errors import InputError
from hipectrial.export.sdtm.model import Core, Origin, Variable, VarType
from hipectrial.protocol import Protocol
from hipectrial.protocol.regimen import Anchor

_STRIDE = 1000

VISITNUM_DERIVATION = (
    "1000 x the visit's position in the protocol's schedule of visits (from 1) + the occurrence "
    "number of a repeating visit (1 otherwise); a record without a visit of its own takes the "
    "subject's visit on the same date whose protocol visit collects such records (the first in "
    "protocol order), else null")
VISIT_DERIVATION = ("The protocol visit's English name; for a repeating visit followed by ' - cycle n' "
                    "(per-cycle visits) or ' - n' (the occurrence number), for an event visit by ' - n' "
                    "from its second occurrence")


@dataclass(frozen=True, slots=True)
class VisitLabel:
    """A visit occurrence as SDTM names it."""

    number: int
    name: str


def visit_label(protocol: Protocol, visit_id: str, repeat: int) -> VisitLabel:
    """VISITNUM and VISIT of occurrence ``repeat`` of protocol visit ``visit_id``.

    >>> from hipectrial.protocol import load_protocol
    >>> p = load_protocol()
    >>> visit_label(p, "screening", 1)
    VisitLabel(number=1001, name='Screening')
    >>> visit_label(p, "induction-cycle", 2)
    VisitLabel(number=6002, name='Induction cycle day 1 - cycle 2')
    """
    positions = {v.id: i for i, v in enumerate(protocol.visits, start=1)}
    if visit_id not in positions:
        raise InputError("visit_id", visit_id, "a visit of the protocol", f"occurrence {repeat}")
    if not 1 <= repeat < _STRIDE:
        raise InputError("repeat", repeat, f"an occurrence number from 1 to {_STRIDE - 1}",
                         f"visit {visit_id!r}: VISITNUM gives each visit {_STRIDE - 1} occurrences")
    visit = protocol.visit(visit_id)
    name = visit.name.en
    if visit.repeat is not None and visit.repeat.per_cycle is not None:
        name = f"{name} - cycle {repeat}"
    elif visit.repeat is not None or (visit.timing.anchor is Anchor.EVENT and repeat > 1):
        name = f"{name} - {repeat}"
    return VisitLabel(_STRIDE * positions[visit_id] + repeat, name)


class VisitIndex:
    """Every participant's visits, by date, for matching dated records to a visit."""

    def __init__(self, protocol: Protocol, visits: Iterable[Visit]) -> None:
        self._protocol = protocol
        self._position = {v.id: i for i, v in enumerate(protocol.visits)}
        self._forms = {v.id: frozenset((*v.forms, *v.optional_forms)) for v in protocol.visits}
        self._by_date: dict[tuple[str, object], list[Visit]] = defaultdict(list)
        for visit in visits:
            if visit.actual_date is not None:
                self._by_date[(visit.participant_id, visit.actual_date)].append(visit)

    def label(self, visit_id: str, repeat: int) -> VisitLabel:
        return visit_label(self._protocol, visit_id, repeat)

    def on_date(self, participant_id: str, date: object, forms: Collection[str]) -> VisitLabel | None:
        """The visit of a record dated ``date`` collected on one of ``forms`` (see module)."""
        candidates = [v for v in self._by_date.get((participant_id, date), ())
                      if v.visit_id in self._forms and self._forms[v.visit_id] & set(forms)]
        if not candidates:
            return None
        first = min(candidates, key=lambda v: (self._position[v.visit_id], v.repeat))
        return self.label(first.visit_id, first.repeat)


def visit_index(trial: TrialData, protocol: Protocol) -> VisitIndex:
    return VisitIndex(protocol, trial.visits)


def visit_values(label: VisitLabel | None) -> dict[str, int | str | None]:
    """VISITNUM and VISIT of a record (both empty without a visit)."""
    if label is None:
        return {"VISITNUM": None, "VISIT": None}
    return {"VISITNUM": label.number, "VISIT": label.name}


def visit_variables(core: Core = Core.EXP) -> tuple[Variable, Variable]:
    """VISITNUM (``core`` as the domain's specification gives it) and VISIT (Perm)."""
    return (
        Variable("VISITNUM", "Visit Number", VarType.NUM, core, "Timing", Origin.DERIVED,
                 derivation=VISITNUM_DERIVATION),
        Variable("VISIT", "Visit Name", VarType.CHAR, Core.PERM, "Timing", Origin.DERIVED,
                 derivation=VISIT_DERIVATION),
    )
