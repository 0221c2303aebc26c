"""What a prescription says: per agent the dose, its unit and schedule, and the working.

Result values of :mod:`hipectrial.clinical.prescribe`; kept apart so that the per-agent
calculation and the public functions can both use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from hipectrial.clinical.body import BsaResult, CrclResult, WeightChange
from hipectrial.clinical.dosing.rules import UnitCount, amount_text
from hipectrial.protocol.regimen import DoseBasis

_TIMES_PER_DAY = {1: "once daily", 2: "twice daily", 3: "three times daily", 4: "four times daily"}


class DoseStatus(StrEnum):
    """Whether the agent is given this cycle."""

    GIVE = "give"
    HOLD = "hold"  # not given this cycle (held or delayed)
    DISCONTINUED = "discontinued"  # permanently stopped


def days_text(days: tuple[int, ...]) -> str:
    """Cycle days with consecutive runs collapsed.

    >>> days_text((1,)), days_text(tuple(range(1, 15))), days_text((1, 2, 8))
    ('day 1', 'days 1-14', 'days 1-2, 8')
    """
    runs: list[list[int]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = [str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs]
    return ("day " if len(days) == 1 else "days ") + ", ".join(parts)


def times_per_day_text(times: int) -> str:
    return _TIMES_PER_DAY.get(times, f"{times} times daily")


@dataclass(frozen=True, slots=True)
class AgentDose:
    """The dose of one agent for one cycle (or HIPEC session), with the working.

    ``amount_mg`` is the amount per administration (per intake for an oral agent taken
    several times a day); ``None`` when the agent is not given. ``rate`` is the amount
    the calculation started from in ``rate_unit`` (``mg/m2``, ``mg/kg``, or ``mg`` for a
    fixed or BSA-band dose), after reductions. ``reductions`` counts every permanent
    reduction this dose reflects; ``new_reductions`` those this prescription takes (a rule
    applied now, e.g. the renal S-1 reduction), which the caller records in the dose state
    together with ``rules``. ``units`` is the capsule (or vial) combination.
    """

    agent: str
    name: str
    route: str
    status: DoseStatus
    amount_mg: Decimal | None
    basis: DoseBasis
    rate: Decimal | None
    rate_unit: str
    start_dose: Decimal | None
    reductions: int
    new_reductions: int
    loading: bool
    units: tuple[UnitCount, ...]
    times_per_day: int
    days: tuple[int, ...]
    infusion_minutes: int | None
    schedule: str
    rules: tuple[str, ...]
    reason: str | None
    steps: tuple[str, ...]

    @property
    def given(self) -> bool:
        return self.status is DoseStatus.GIVE

    @property
    def daily_mg(self) -> Decimal | None:
        """The amount per day on a dosing day (``amount_mg`` x times a day)."""
        return None if self.amount_mg is None else self.amount_mg * self.times_per_day

    @property
    def text(self) -> str:
        """One line, e.g. ``S-1 60 mg twice daily, days 1-14 (3 x 20 mg)``."""
        if self.amount_mg is None:
            return f"{self.name}: {self.status.value}" + (f" ({self.reason})" if self.reason else "")
        line = f"{self.name} {amount_text(self.amount_mg)} mg {self.route} {self.schedule}"
        if self.units:
            line += " (" + " + ".join(str(u) for u in self.units) + ")"
        return line


@dataclass(frozen=True, slots=True)
class Prescription:
    """The doses of one cycle (or one HIPEC session) for one participant.

    ``bsa`` is computed from ``dosing_weight_kg``, the weight the doses are based on:
    this visit's weight at the first prescription or when it changed by at least the
    protocol's percentage (``weight`` says by how much; ``recalculated``), else the
    weight the current doses were based on. ``crcl`` uses this visit's weight (actual
    body weight). ``rules_applied`` lists the dose-modification rules this prescription
    applied (add them to the dose state's ``rule_history``).
    """

    protocol_id: str
    cohort: str
    dose_level: str
    phase: str | None
    cycle: int | None
    session: str | None
    bsa: BsaResult
    crcl: CrclResult
    weight: WeightChange | None
    dosing_weight_kg: Decimal
    recalculated: bool
    doses: tuple[AgentDose, ...]
    rules_applied: tuple[str, ...]
    steps: tuple[str, ...]

    def dose(self, agent_id: str) -> AgentDose:
        """The dose of ``agent_id``; ``KeyError`` when this prescription has none."""
        for dose in self.doses:
            if dose.agent == agent_id:
                return dose
        raise KeyError(agent_id)
