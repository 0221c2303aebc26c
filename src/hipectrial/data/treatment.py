"""What was given and what happened: dose administrations, adverse events, lab results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from hipectrial.data.records import Provenance
from hipectrial.data.values import FrozenMap, require_amount, require_count, require_finite
from hipectrial.data.vocab import AeOutcome, Attribution
from hipectrial.errors import InputError


@dataclass(frozen=True, slots=True)
class DoseAdministration:
    """One administration of one agent: the dose prescribed and the dose given.

    Amounts are exact Decimals in ``unit`` (``mg`` for the amount dispensed, or the unit of
    the agent's dose rule, e.g. ``mg/m2``). ``phase``, ``cycle`` and ``day`` place a systemic
    dose in the protocol's treatment phases; they are ``None`` for a HIPEC session.
    ``change_reason`` says why the given dose differs from the prescribed one (or from the
    previous cycle's), e.g. "dose reduced one level for grade 3 diarrhoea".

    >>> from datetime import date
    >>> DoseAdministration(participant_id="SH01-001", agent="oxaliplatin", date=date(2025, 4, 1),
    ...                    prescribed=Decimal("215"), given=Decimal("-5"), unit="mg")
    Traceback (most recent call last):
    ...
    hipectrial.errors.InputError: given must be a Decimal >= 0; got -5
    """

    participant_id: str
    agent: str
    date: dt.date
    prescribed: Decimal | None
    given: Decimal
    unit: str
    phase: str | None = None
    cycle: int | None = None
    day: int | None = None
    change_reason: str | None = None
    provenance: Provenance | None = None

    def __post_init__(self) -> None:
        if self.given is None:
            raise InputError("given", None, "the dose given (0 when the dose was withheld)")
        require_amount("prescribed", self.prescribed)
        require_amount("given", self.given)
        require_count("cycle", self.cycle)
        require_count("day", self.day)

    @property
    def key(self) -> str:
        if self.cycle is None:
            return f"{self.participant_id}/{self.agent}/{self.date.isoformat()}"
        day = f"D{self.day}" if self.day is not None else ""
        return f"{self.participant_id}/{self.agent}/{self.phase or '?'}/C{self.cycle}{day}"


@dataclass(frozen=True, slots=True)
class AdverseEvent:
    """An adverse event graded by CTCAE v5.0.

    ``attribution`` gives its relationship to each agent assessed (agent id -> attribution).
    ``dlt`` is the investigator's dose-limiting-toxicity flag (Part A);
    ``led_to_discontinuation`` says the event made the investigator stop an agent or all
    study treatment (CRF field ``ae_led_to_discontinuation``; SDTM AEACN "DRUG WITHDRAWN").

    >>> from datetime import date
    >>> AdverseEvent(participant_id="SH01-001", term="Diarrhea", grade=6,
    ...              onset_date=date(2025, 4, 9))
    Traceback (most recent call last):
    ...
    hipectrial.errors.InputError: grade must be a CTCAE grade, an integer from 1 to 5; got 6
    """

    participant_id: str
    term: str
    grade: int
    onset_date: dt.date
    resolution_date: dt.date | None = None
    serious: bool = False
    attribution: Mapping[str, Attribution] = FrozenMap[Attribution]()
    dlt: bool = False
    immune_related: bool = False
    led_to_discontinuation: bool = False
    outcome: AeOutcome | None = None
    provenance: Provenance | None = None

    def __post_init__(self) -> None:
        if isinstance(self.grade, bool) or not isinstance(self.grade, int) or not 1 <= self.grade <= 5:
            raise InputError("grade", self.grade, "a CTCAE grade, an integer from 1 to 5")
        for agent, attribution in self.attribution.items():
            if not isinstance(attribution, Attribution):
                raise InputError(f"attribution.{agent}", attribution, "an Attribution")
        if not isinstance(self.attribution, FrozenMap):
            object.__setattr__(self, "attribution", FrozenMap(self.attribution))

    @property
    def key(self) -> str:
        return f"{self.participant_id}/{self.term}/{self.onset_date.isoformat()}"

    @property
    def related_agents(self) -> tuple[str, ...]:
        """The agents the event is at least possibly related to, in id order."""
        return tuple(agent for agent, a in self.attribution.items() if a.related)


@dataclass(frozen=True, slots=True)
class LabResult:
    """One laboratory result, named by its CDISC LBTESTCD (``NEUT``, ``PLAT``, ``CREAT``).

    ``value`` is the exact reported number in ``unit``; ``reference_lower`` and
    ``reference_upper`` are the reporting laboratory's normal range (for ``x ULN`` rules).
    """

    participant_id: str
    test_code: str
    value: Decimal
    unit: str
    date: dt.date
    reference_lower: Decimal | None = None
    reference_upper: Decimal | None = None
    provenance: Provenance | None = None

    def __post_init__(self) -> None:
        if self.value is None:
            raise InputError("value", None, "a finite Decimal")
        require_finite("value", self.value)
        require_finite("reference_lower", self.reference_lower)
        require_finite("reference_upper", self.reference_upper)

    @property
    def key(self) -> str:
        return f"{self.participant_id}/{self.test_code}/{self.date.isoformat()}"
