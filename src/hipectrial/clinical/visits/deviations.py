"""Protocol deviations of one participant: visits out of window, missed visits and
assessments, and doses given that differ from the dose prescribed beyond the tolerance.

References
----------
ICH E3 (R1) / ICH E6 (R3): a protocol deviation is any departure from the protocol's design
or procedures. The dose tolerance is the protocol's ``dose_calculation.dose_tolerance_percent``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from hipectrial.clinical.visits.schedule import VisitSchedule, VisitStatus
from hipectrial.errors import InputError
from hipectrial.protocol import Protocol


class DeviationKind(StrEnum):
    VISIT_EARLY = "visit_early"
    VISIT_LATE = "visit_late"
    MISSED_VISIT = "missed_visit"
    MISSED_ASSESSMENT = "missed_assessment"
    DOSE = "dose"

    @property
    def label(self) -> str:
        """What the deviation is, in words.

        >>> DeviationKind.MISSED_VISIT.label
        'Visit missed (window closed while on the schedule)'
        """
        return _DEVIATION_LABELS[self]


_DEVIATION_LABELS = {
    DeviationKind.VISIT_EARLY: "Visit done before its window",
    DeviationKind.VISIT_LATE: "Visit done after its window",
    DeviationKind.MISSED_VISIT: "Visit missed (window closed while on the schedule)",
    DeviationKind.MISSED_ASSESSMENT: "Assessment missed at a visit done",
    DeviationKind.DOSE: "Dose given outside the protocol's tolerance of the dose prescribed",
}


@dataclass(frozen=True, slots=True)
class DoseGiven:
    """A dose administered and the dose prescribed for it, both in mg."""

    agent: str
    date: dt.date
    prescribed_mg: Decimal
    given_mg: Decimal
    phase: str | None = None
    cycle: int | None = None


@dataclass(frozen=True, slots=True)
class Deviation:
    kind: DeviationKind
    subject: str
    date: dt.date | None
    detail: str


@dataclass(frozen=True, slots=True)
class DeviationReport:
    deviations: tuple[Deviation, ...]
    dose_tolerance_percent: Decimal
    steps: tuple[str, ...]


def deviations(*, protocol: Protocol, schedule: VisitSchedule, doses: Sequence[DoseGiven] = (),
               excused: Collection[tuple[str, int]] = ()) -> DeviationReport:
    """List the protocol deviations in a participant's schedule and doses.

    * a visit done outside its window (early or late);
    * a visit with required forms missed (its window closed, not done); an occurrence whose
      target is only projected (its cycle never started) is left out: the deviation is the
      earlier visit that did not happen;
    * a required form not completed at a visit done (when the visit reports its forms);
    * a dose given that differs from the prescribed dose by more than the protocol's
      ``dose_tolerance_percent`` of the prescribed dose, either way; exactly at the
      tolerance is not a deviation.

    Parameters
    ----------
    schedule
        From :func:`hipectrial.clinical.visits.schedule.visit_schedule`.
    doses
        Each dose given with the dose prescribed for it (mg, Decimal or int).
    excused
        ``(visit_id, occurrence)`` pairs whose timing the protocol itself moved (a cycle
        delayed by the day-1 retreatment rule): not reported as out of window or missed.

    Raises
    ------
    InputError
        For an unknown agent or a dose that is not a positive exact amount.

    Examples
    --------
    Tislelizumab prescribed 200 mg: 212 mg is 6 % above (more than 5 %), 210 mg exactly 5 %.

    >>> import datetime as dt
    >>> from decimal import Decimal
    >>> from hipectrial.protocol import load_protocol
    >>> from hipectrial.clinical.visits.schedule import TreatmentDates, visit_schedule
    >>> p = load_protocol()
    >>> s = visit_schedule(protocol=p, cohort="HER2-negative", branch=None,
    ...                    dates=TreatmentDates(), as_of=dt.date(2026, 3, 1))
    >>> day = dt.date(2026, 3, 1)
    >>> r = deviations(protocol=p, schedule=s, doses=[
    ...     DoseGiven("tislelizumab", day, Decimal(200), Decimal(212)),
    ...     DoseGiven("tislelizumab", day, Decimal(200), Decimal(210))])
    >>> [d.detail for d in r.deviations]
    ['given 212 mg, prescribed 200 mg: +6.0 % (tolerance 5 %)']
    """
    tolerance = protocol.dose_calculation.dose_tolerance_percent
    excused_keys = set(excused)
    found: list[Deviation] = []
    for o in schedule.occurrences:
        subject = f"{o.visit_id} #{o.occurrence}"
        timing_excused = (o.visit_id, o.occurrence) in excused_keys
        if o.status in (VisitStatus.EARLY, VisitStatus.LATE) and not timing_excused:
            kind = DeviationKind.VISIT_EARLY if o.status is VisitStatus.EARLY else DeviationKind.VISIT_LATE
            found.append(Deviation(kind, subject, o.actual,
                                   f"done {o.actual} ({o.days_from_target:+d} days from target "
                                   f"{o.target}); window {o.earliest} to {o.latest}"))
        elif (o.status is VisitStatus.MISSED and o.required_forms and not o.projected
              and not timing_excused):
            found.append(Deviation(DeviationKind.MISSED_VISIT, subject, None,
                                   f"not done; window {o.earliest} to {o.latest} closed"))
        for form in o.missing_forms:
            found.append(Deviation(DeviationKind.MISSED_ASSESSMENT, subject, o.actual,
                                   f"required form {form} not completed"))
    agents = {a.id for a in protocol.agents}
    for i, d in enumerate(doses):
        if d.agent not in agents:
            raise InputError(f"doses[{i}].agent", d.agent, "an agent of the protocol: " + ", ".join(agents))
        prescribed = _amount(f"doses[{i}].prescribed_mg", d.prescribed_mg)
        given = _amount(f"doses[{i}].given_mg", d.given_mg)
        # Exact: |given - prescribed| / prescribed > tolerance / 100, without division.
        if abs(given - prescribed) * 100 > tolerance * prescribed:
            change = ((given - prescribed) / prescribed * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
            where = " ".join(x for x in (d.agent, d.phase, f"cycle {d.cycle}" if d.cycle else None) if x)
            found.append(Deviation(DeviationKind.DOSE, where, d.date,
                                   f"given {given} mg, prescribed {prescribed} mg: {change:+} % "
                                   f"(tolerance {tolerance} %)"))
    steps = (f"{len(schedule.occurrences)} visit occurrences and {len(doses)} doses checked; "
             f"{len(found)} deviation{'s' if len(found) != 1 else ''}",)
    return DeviationReport(tuple(found), tolerance, steps)


def _amount(field: str, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InputError(field, value, "an exact amount in mg (Decimal or int)",
                         "a float would round the dose" if isinstance(value, float) else None)
    amount = Decimal(value)
    if not amount.is_finite() or amount <= 0:
        raise InputError(field, value, "an amount > 0 mg",
                         "record a dose not given as not given, not as 0 mg")
    return amount
