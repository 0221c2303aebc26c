"""Result types of the endpoint derivation: every number with the records behind it.

Each value names its analysis population, the participants counted in its numerator and
denominator (or the per-participant values it summarises), and the participants whose data
were too incomplete to decide it (:class:`ParticipantNote`), so a reader can check every
number against the records.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from hipectrial.design import binomial_interval
from hipectrial.protocol.endpoints import Derivation, EndpointKind, Population

CLOPPER_PEARSON = "Clopper-Pearson exact"


@dataclass(frozen=True, slots=True)
class ParticipantNote:
    """Why a participant's data need a reader's attention for one result."""

    participant_id: str
    note: str


@dataclass(frozen=True, slots=True)
class BinaryEstimate:
    """``events`` of ``n`` with the exact (Clopper-Pearson) two-sided interval.

    ``proportion`` and the limits are ``None`` when ``n`` is 0.
    """

    events: int
    n: int
    proportion: float | None
    ci_lower: float | None
    ci_upper: float | None
    method: str = CLOPPER_PEARSON
    conf_level: float = 0.95


def binary_estimate(*, events: int, n: int, conf_level: float = 0.95) -> BinaryEstimate:
    """The proportion ``events / n`` with its Clopper-Pearson interval.

    >>> e = binary_estimate(events=4, n=13)     # R: binom.test(4, 13)$conf.int
    >>> print(f"{e.proportion:.4f} {e.ci_lower:.4f} {e.ci_upper:.4f}")
    0.3077 0.0909 0.6143
    >>> binary_estimate(events=0, n=0).proportion is None
    True
    """
    if n == 0:
        return BinaryEstimate(events, n, None, None, None, CLOPPER_PEARSON, conf_level)
    ci = binomial_interval(x=events, n=n, confidence_level=conf_level)
    return BinaryEstimate(events, n, events / n, float(ci.low), float(ci.high), CLOPPER_PEARSON,
                          conf_level)


@dataclass(frozen=True, slots=True)
class BinaryValue:
    """A binary endpoint in one population: the estimate and who is counted where.

    ``pending_ids`` are the participants of the denominator whose outcome is not yet known at
    the cut-off; they are counted as not having the event (the ITT rule), and a reader must be
    told how many they are; ``pending_rule`` says so in words."""

    population: str
    estimate: BinaryEstimate
    numerator_ids: tuple[str, ...]
    denominator_ids: tuple[str, ...]
    notes: tuple[ParticipantNote, ...] = ()
    reasons: tuple[tuple[str, str], ...] = ()
    pending_ids: tuple[str, ...] = ()
    pending_rule: str = ""

    def reason(self, participant_id: str) -> str | None:
        """Why the participant is (or is not) counted, when the derivation says."""
        return dict(self.reasons).get(participant_id)


def binary_value(*, population: str, numerator: Iterable[str], denominator: Sequence[str],
                 notes: Iterable[ParticipantNote] = (), conf_level: float = 0.95,
                 reasons: Mapping[str, str] | None = None, pending: Iterable[str] = (),
                 pending_rule: str = "") -> BinaryValue:
    """A :class:`BinaryValue`; the numerator is kept in denominator order, and ``reasons``
    (why each participant is or is not counted) and ``pending`` (outcome not yet known) in
    denominator order too."""
    events = set(numerator)
    open_ = set(pending)
    extra = events - set(denominator)
    if extra:
        raise ValueError(f"numerator ids not in the denominator: {sorted(extra)}")
    if open_ & events or open_ - set(denominator):
        raise ValueError(f"pending ids must be in the denominator and not events: {sorted(open_)}")
    if open_ and not pending_rule:
        raise ValueError("pending ids need a pending_rule saying how they are counted")
    num = tuple(pid for pid in denominator if pid in events)
    why = tuple((pid, reasons[pid]) for pid in denominator if reasons is not None and pid in reasons)
    return BinaryValue(population, binary_estimate(events=len(num), n=len(denominator),
                                                   conf_level=conf_level),
                       num, tuple(denominator), tuple(notes), why,
                       tuple(pid for pid in denominator if pid in open_), pending_rule)


@dataclass(frozen=True, slots=True)
class ContinuousSummary:
    """n, mean, SD (n - 1), median, quartiles (R type 7), min and max; ``None`` when n is 0
    (SD when n < 2)."""

    n: int
    mean: float | None
    sd: float | None
    median: float | None
    q1: float | None
    q3: float | None
    minimum: float | None
    maximum: float | None


def summarise(values: Sequence[float]) -> ContinuousSummary:
    """Summary statistics; quartiles interpolate linearly (R ``quantile(type = 7)``).

    R: ``x <- c(-3, -1, 0, 4); quantile(x)`` -> -3 -1.5 -0.5 1 4; ``sd(x)`` -> 2.94392028878

    >>> s = summarise([-3, -1, 0, 4])
    >>> s.median, s.q1, s.q3, round(s.sd, 8)
    (-0.5, -1.5, 1.0, 2.94392029)
    """
    data = sorted(float(v) for v in values)
    n = len(data)
    if n == 0:
        return ContinuousSummary(0, None, None, None, None, None, None, None)

    def quantile(p: float) -> float:
        h = (n - 1) * p
        lo = math.floor(h)
        hi = min(lo + 1, n - 1)
        return data[lo] + (h - lo) * (data[hi] - data[lo])

    sd = statistics.stdev(data) if n > 1 else None
    return ContinuousSummary(n, statistics.fmean(data), sd, quantile(0.5), quantile(0.25),
                             quantile(0.75), data[0], data[-1])


@dataclass(frozen=True, slots=True)
class ParticipantValue:
    participant_id: str
    value: float
    detail: str


@dataclass(frozen=True, slots=True)
class ContinuousValue:
    population: str
    summary: ContinuousSummary
    values: tuple[ParticipantValue, ...]
    notes: tuple[ParticipantNote, ...] = ()


@dataclass(frozen=True, slots=True)
class CategoryCount:
    category: str
    count: int
    participant_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ParticipantCategory:
    participant_id: str
    category: str
    detail: str


@dataclass(frozen=True, slots=True)
class CategoricalValue:
    """Counts per category (in the order given, every category shown) and per participant.

    ``label`` says what is counted when an endpoint reports more than one table (e.g.
    "after conversion surgery", "after the day-0 HIPEC").
    """

    population: str
    label: str
    n: int
    counts: tuple[CategoryCount, ...]
    participants: tuple[ParticipantCategory, ...]
    notes: tuple[ParticipantNote, ...] = ()


def categorical_value(*, population: str, label: str, categories: Sequence[str],
                      assigned: Sequence[ParticipantCategory],
                      notes: Iterable[ParticipantNote] = ()) -> CategoricalValue:
    counts = tuple(CategoryCount(c, sum(a.category == c for a in assigned),
                                 tuple(a.participant_id for a in assigned if a.category == c))
                   for c in categories)
    return CategoricalValue(population, label, len(assigned), counts, tuple(assigned), tuple(notes))


@dataclass(frozen=True, slots=True)
class TteRow:
    """One participant's time-to-event datum: days from the origin, event or censored, why."""

    participant_id: str
    time_days: int
    event: bool
    reason: str


@dataclass(frozen=True, slots=True)
class KmSummary:
    """Kaplan-Meier summary: median with its CI (``None`` when not reached) and the survival
    estimate with CI at each requested day."""

    n: int
    events: int
    median_days: float | None
    median_lower: float | None
    median_upper: float | None
    conf_level: float
    conf_type: str
    at_days: tuple[SurvivalAt, ...]


@dataclass(frozen=True, slots=True)
class SurvivalAt:
    day: int
    survival: float | None
    lower: float | None
    upper: float | None


@dataclass(frozen=True, slots=True)
class TimeToEventValue:
    """Per-participant data and the KM summary (``None`` with ``km_note`` when not computed)."""

    population: str
    origin: str
    censoring: str
    rows: tuple[TteRow, ...]
    km: KmSummary | None
    km_note: str | None = None
    notes: tuple[ParticipantNote, ...] = ()


@dataclass(frozen=True, slots=True)
class AeCount:
    """Participants (and events) in one adverse-event category."""

    category: str
    participants: int
    events: int
    participant_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AeTermRow:
    """One CTCAE term: participants by their worst grade of the term (grades 1-5), any
    grade, grade >= 3, and the same for treatment-related events."""

    term: str
    any_grade: int
    worst_grade: tuple[int, int, int, int, int]
    grade_3_plus: int
    related_any_grade: int
    related_worst_grade: tuple[int, int, int, int, int]
    related_grade_3_plus: int
    participants: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class AdverseEventValue:
    population: str
    n: int
    summary: tuple[AeCount, ...]
    by_term: tuple[AeTermRow, ...]
    notes: tuple[ParticipantNote, ...] = ()


@dataclass(frozen=True, slots=True)
class DltLevel:
    level: str
    dose: str
    value: BinaryValue


@dataclass(frozen=True, slots=True)
class DltValue:
    population: str
    levels: tuple[DltLevel, ...]
    notes: tuple[ParticipantNote, ...] = ()


EndpointValue = (BinaryValue | ContinuousValue | CategoricalValue | TimeToEventValue
                 | AdverseEventValue | DltValue)


@dataclass(frozen=True, slots=True)
class EndpointResult:
    """One protocol endpoint: its identity, its main value and the value in each
    ``also_reported_in`` population (or the further tables the endpoint reports)."""

    endpoint_id: str
    name: str
    role: str
    kind: EndpointKind
    derivation: Derivation
    population: Population
    at_days: int | None
    value: EndpointValue
    also_reported: tuple[EndpointValue, ...] = ()
